"""Pictures for reports, drawn with matplotlib without a display."""

from __future__ import annotations

import io

from bot.domain.reports import ClassFigures
from bot.texts import t


def joined_vs_expected(classes: list[ClassFigures]) -> bytes:
    """A bar chart of joined and expected people per class, as PNG bytes."""
    # Imported here: matplotlib is slow to import, and only the weekly report draws.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [row.name for row in classes] or ["—"]
    joined = [row.joined for row in classes] or [0]
    expected = [row.expected for row in classes] or [0]
    width = max(6.0, 0.45 * len(names) + 2)
    figure, axes = plt.subplots(figsize=(width, 4), dpi=100)
    try:
        positions = range(len(names))
        axes.bar([p - 0.2 for p in positions], expected, width=0.4, label=t("chart_expected"))
        axes.bar([p + 0.2 for p in positions], joined, width=0.4, label=t("chart_joined"))
        axes.set_xticks(list(positions))
        axes.set_xticklabels(names, rotation=90 if len(names) > 20 else 0)
        axes.set_title(t("chart_title"))
        axes.legend()
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    finally:
        plt.close(figure)
    return buffer.getvalue()
