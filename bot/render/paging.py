"""Lists longer than a screen, shown a page at a time with buttons that turn the pages.

A list command renders one page; its «Назад» / «Дальше» buttons are callbacks of the same
command carrying `{"page": n}` and whatever else the list needs to be drawn again (a filter),
so the command's button route draws the page asked for. The list is read again for every
page: a page shows what is true when it is asked for, not when the first page was."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.parsing import payload_int
from bot.texts import BUTTONS, t

Item = TypeVar("Item")

# Lines a page shows: a phone screen's worth, with the header and the buttons.
PAGE_SIZE = 10


@dataclass(frozen=True)
class Page(Generic[Item]):
    items: list[Item]
    # 1-based; a page asked for beyond the last is the last.
    number: int
    pages: int
    total: int

    @property
    def first_index(self) -> int:
        """The 0-based position of the page's first item in the whole list."""
        return (self.number - 1) * PAGE_SIZE if self.items else 0


def page_of(items: Sequence[Item], number: int | None = None, size: int = PAGE_SIZE) -> Page[Item]:
    pages = max(1, -(-len(items) // size))
    number = min(max(number or 1, 1), pages)
    start = (number - 1) * size
    return Page(list(items[start : start + size]), number, pages, len(items))


def asked_page(data: dict[str, Any]) -> int | None:
    """The page a pressed button asks for (its payload is untrusted: a bad one is page 1)."""
    return payload_int(data.get("page"))


def page_choices(page: Page[Any], cmd: str, **extra: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """The buttons to the neighbouring pages, as (label, command, payload extras) for
    `bot.keyboards.choice_keyboard`; none when the list fits one page."""
    choices: list[tuple[str, str, dict[str, Any]]] = []
    if page.number > 1:
        choices.append((BUTTONS["page_back"], cmd, {**extra, "page": page.number - 1}))
    if page.number < page.pages:
        choices.append((BUTTONS["page_next"], cmd, {**extra, "page": page.number + 1}))
    return choices


def page_footer(page: Page[Any]) -> str:
    """«Страница 2 из 5» under a list of several pages; empty for a list of one."""
    return t("page_footer", number=page.number, pages=page.pages) if page.pages > 1 else ""
