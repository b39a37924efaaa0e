"""The documentation is made from the code's own data and stays current."""

from __future__ import annotations

from pathlib import Path

from bot.docs import access_matrix

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_holds_the_current_access_matrix() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- access-matrix:start -->") + len("<!-- access-matrix:start -->")
    end = readme.index("<!-- access-matrix:end -->")
    assert readme[start:end].strip() == access_matrix(), "run: python -m bot.docs --write README.md"


def test_every_setting_is_documented_in_the_readme_and_the_example() -> None:
    from bot.config import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in readme, name
        assert f"{name.upper()}=" in example, name
