"""A list longer than a screen is shown a page at a time, with buttons to the others."""

from __future__ import annotations

from bot.render.paging import PAGE_SIZE, asked_page, page_choices, page_footer, page_of
from bot.texts import BUTTONS


def test_a_short_list_is_one_page_with_no_buttons_and_no_footer() -> None:
    page = page_of(list(range(3)), None)
    assert (page.items, page.number, page.pages, page.total) == ([0, 1, 2], 1, 1, 3)
    assert page_choices(page, "requests") == []
    assert page_footer(page) == ""


def test_a_middle_page_links_both_neighbours_and_keeps_the_filter() -> None:
    items = list(range(PAGE_SIZE * 2 + 1))
    page = page_of(items, 2)
    assert page.items == items[PAGE_SIZE : PAGE_SIZE * 2]
    assert page.first_index == PAGE_SIZE
    assert page_choices(page, "audit", person=7) == [
        (BUTTONS["page_back"], "audit", {"person": 7, "page": 1}),
        (BUTTONS["page_next"], "audit", {"person": 7, "page": 3}),
    ]
    assert page_footer(page) == "Страница 2 из 3"


def test_a_page_beyond_the_end_or_forged_is_the_nearest_real_one() -> None:
    items = list(range(PAGE_SIZE + 1))
    assert page_of(items, 99).number == 2
    assert page_of(items, 99).items == [PAGE_SIZE]
    assert page_of([], 5).number == 1
    assert asked_page({"page": "x"}) is None
    assert asked_page({"page": 2**70}) is None
    assert asked_page({"page": 3}) == 3
