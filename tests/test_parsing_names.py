"""A person named as people type names: case, ё/е and one slip forgiven, nothing more."""

from __future__ import annotations

import pytest

from bot.parsing import name_key, name_matches, within_one_slip


def test_case_yo_and_spacing_do_not_count() -> None:
    assert name_key("  Пётр   ФЁДОРОВ ") == "петр федоров"


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        ("Смирнова", "смирнова"),
        ("Смирнва", "Смирнова"),  # a letter missing
        ("Смирноова", "Смирнова"),  # a letter extra
        ("Смирнвоа", "Смирнова"),  # two neighbours swapped
        ("Смирнава", "Смирнова"),  # a letter wrong
        ("Федоров", "Фёдоров"),
        # One letter, though a man's surname: the lookup shows both people as choices.
        ("Смирнов", "Смирнова"),
    ],
)
def test_one_slip_is_forgiven(typed: str, word: str) -> None:
    assert within_one_slip(typed, word)


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        ("Смрнва", "Смирнова"),  # two letters missing
        ("Ким", "Кит"),  # three letters: exact only
        ("Иванова", "Петрова"),
    ],
)
def test_more_than_one_slip_or_a_short_word_is_another_name(typed: str, word: str) -> None:
    assert not within_one_slip(typed, word)


def test_a_surname_or_surname_and_first_name_in_either_order_names_a_person() -> None:
    assert name_matches("смирнова", "Смирнова Анна Петровна")
    assert name_matches("Смирнова Анна", "Смирнова Анна Петровна")
    assert name_matches("анна смирнова", "Смирнова Анна Петровна")
    assert name_matches("Смирнова Анан", "Смирнова Анна Петровна")
    assert not name_matches("Анна", "Смирнова Анна Петровна")
    assert not name_matches("Смирнова Ольга", "Смирнова Анна Петровна")
    assert not name_matches("Смирнова Анна Петровна Иванова", "Смирнова Анна Петровна")
    assert not name_matches("", "Смирнова Анна")
