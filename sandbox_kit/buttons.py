"""Finding a bot message's button by its label, as a user would."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar


class Labelled(Protocol):
    @property
    def label(self) -> str: ...


B = TypeVar("B", bound=Labelled)


def button_by_label(buttons: Sequence[B], label: str, message_id: int | str) -> B:
    """The button with exactly this label; raises ``LookupError`` listing the labels."""
    for button in buttons:
        if button.label == label:
            return button
    labels = [b.label for b in buttons]
    raise LookupError(f"no button {label!r} in message {message_id}; available: {labels!r}")


__all__ = ["Labelled", "button_by_label"]
