"""Russian grammar for the text catalogue: names in cases, gender agreement, numerals.

People's names are declined by pytrovich (the petrovich rules, made for Russian names: last,
first and middle name each by its own rules, by gender), which also guesses a gender from the
name when VK gave none. Common words (roles, units) are declined and agreed with numbers by
pymorphy3 and its OpenCorpora dictionary. Both load once, on first use, and are then shared;
each declined form is cached, since the same few words and names recur in every message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from string import Formatter
from typing import Any, Literal

import pymorphy3  # type: ignore[import-untyped]
from pytrovich.detector import PetrovichGenderDetector
from pytrovich.enums import Case, Gender, NamePart
from pytrovich.maker import PetrovichDeclinationMaker

GenderCode = Literal["m", "f"]

# OpenCorpora's case names, as texts write them: {name:datv}.
CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")

_PETROVICH_CASES: dict[str, Case] = {
    "gent": Case.GENITIVE,
    "datv": Case.DATIVE,
    "accs": Case.ACCUSATIVE,
    "ablt": Case.INSTRUMENTAL,
    "loct": Case.PREPOSITIONAL,
}

# Words whose counted form is not the dictionary's plural: «5 человек», not «5 людей».
_COUNTED_EXCEPTIONS: dict[str, tuple[str, str, str]] = {
    "человек": ("человек", "человека", "человек"),
}

_CYRILLIC_WORD = re.compile(r"^[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*$")


class Who(str):
    """A person's name, «Фамилия Имя [Отчество]», that knows the person's gender.

    A str, so everything that shows, joins or compares names keeps working; texts can also
    decline it ({name:datv}) and agree words with it ({name:выдал|выдала}). `gender` is
    "m" or "f" from VK's `sex`; None means «guess it from the name».
    """

    gender: GenderCode | None

    def __new__(cls, full_name: str, gender: GenderCode | None = None) -> Who:
        made = super().__new__(cls, full_name)
        made.gender = gender
        return made

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        return (Who, (str(self), self.gender))

    @property
    def full_name(self) -> str:
        return str.__str__(self)

    @property
    def sex(self) -> GenderCode:
        return self.gender or guess_gender(self.full_name)


@dataclass(frozen=True)
class Amount:
    """A number with the noun it counts, agreeing in the case a text asks: «1 минуту»."""

    count: int
    noun: str

    def __str__(self) -> str:
        return counted(self.count, self.noun)


def gender_from_vk_sex(sex: object) -> GenderCode | None:
    """VK's users.get `sex`: 1 female, 2 male, 0 or absent unknown."""
    if sex == 1:
        return "f"
    if sex == 2:
        return "m"
    return None


@cache
def morph() -> pymorphy3.MorphAnalyzer:
    """The one analyzer (its dictionaries take a moment and some memory to load)."""
    return pymorphy3.MorphAnalyzer()


@cache
def _petrovich() -> tuple[PetrovichDeclinationMaker, PetrovichGenderDetector]:
    return PetrovichDeclinationMaker(), PetrovichGenderDetector()


def _name_parts(full_name: str) -> list[tuple[NamePart, str]]:
    """«Фамилия Имя [Отчество]», the order the school writes names in."""
    order = (NamePart.LASTNAME, NamePart.FIRSTNAME, NamePart.MIDDLENAME)
    words = full_name.split()
    if len(words) == 1:
        return [(NamePart.FIRSTNAME, words[0])]
    return [(order[min(index, 2)], word) for index, word in enumerate(words)]


@lru_cache(maxsize=4096)
def guess_gender(full_name: str) -> GenderCode:
    """The gender a name suggests; masculine when the name does not tell."""
    parts = dict(reversed(_name_parts(full_name)))  # the first middle name wins
    _, detector = _petrovich()
    try:
        found = detector.detect(  # type: ignore[no-untyped-call]
            firstname=parts.get(NamePart.FIRSTNAME),
            lastname=parts.get(NamePart.LASTNAME),
            middlename=parts.get(NamePart.MIDDLENAME),
        )
    except (KeyError, ValueError, AttributeError):
        found = Gender.ANDROGYNOUS
    if found == Gender.FEMALE:
        return "f"
    if found == Gender.MALE:
        return "m"
    # «Саша Смирнова»: the first name is either, the surname tells. Only Russian words are
    # looked up: pymorphy3 fails on characters Unicode gives no name (U+17000, say).
    for word in full_name.split():
        if not _CYRILLIC_WORD.match(word):
            continue
        for parse in morph().parse(word):
            if {"Surn", "nomn"} <= parse.tag.grammemes or {"Name", "nomn"} <= parse.tag.grammemes:
                if parse.tag.gender == "femn":
                    return "f"
                if parse.tag.gender == "masc":
                    return "m"
    return "m"


@lru_cache(maxsize=4096)
def looks_like_name(text: str) -> bool:
    """«Кузнецова Анна»: 2–4 capitalised Russian words, one of them a first name or
    patronymic the dictionary knows. Lets a name passed as a plain str be declined as one."""
    words = text.split()
    if not 2 <= len(words) <= 4:
        return False
    if not all(_CYRILLIC_WORD.match(word) and word[:1].isupper() for word in words):
        return False
    return any(
        {"Name", "Patr"} & parse.tag.grammemes for word in words for parse in morph().parse(word)
    )


@lru_cache(maxsize=4096)
def decline_name(full_name: str, case: str, gender: GenderCode) -> str:
    """A person's name in `case`: («Смирнова Елена», "datv", "f") → «Смирновой Елене»."""
    if case == "nomn" or case not in _PETROVICH_CASES:
        return full_name
    maker, _ = _petrovich()
    petrovich_gender = Gender.FEMALE if gender == "f" else Gender.MALE
    words = []
    for part, word in _name_parts(full_name):
        # An initial or a stray letter has no ending to change.
        if not _CYRILLIC_WORD.match(word) or len(word) < 2:
            words.append(word)
            continue
        # The rules change endings in lower case: «ИВАНОВ» is declined as «Иванов».
        shouting = word.isupper()
        source = word.title() if shouting else word
        declined = maker.make(part, petrovich_gender, _PETROVICH_CASES[case], source) or source
        words.append(declined.upper() if shouting else declined)
    return " ".join(words)


def _noun_parse(word: str) -> Any:
    """The dictionary's reading of a word given in the nominative."""
    parses = morph().parse(word)
    for parse in parses:
        if "nomn" in parse.tag.grammemes and parse.tag.POS in ("NOUN", "ADJF", "PRTF"):
            return parse
    return parses[0]


def _keep_capital(source: str, form: str) -> str:
    return form[:1].upper() + form[1:] if source[:1].isupper() else form


@lru_cache(maxsize=4096)
def decline_phrase(phrase: str, case: str) -> str:
    """A common phrase in `case`; each comma-separated item is declined on its own.

    In each item the leading adjectives and the first noun change («классный руководитель
    5А» → «классному руководителю 5А»); what follows the noun already agrees with it
    («администрация школы» → «администрации школы»). An item starting with a preposition or
    a number stays as it is («без роли»).
    """
    if case == "nomn" or case not in CASES:
        return phrase
    return ", ".join(_decline_item(item, case) for item in phrase.split(", "))


def _decline_item(item: str, case: str) -> str:
    words = item.split(" ")
    out: list[str] = []
    for index, word in enumerate(words):
        # Abbreviations and words the dictionary does not know («МБОУ СОШ») stay as written.
        if not _CYRILLIC_WORD.match(word) or not morph().word_is_known(word.lower()):
            return " ".join(out + words[index:])
        parse = _noun_parse(word.lower())
        pos = parse.tag.POS
        if pos not in ("NOUN", "ADJF", "PRTF") or "nomn" not in parse.tag.grammemes:
            return " ".join(out + words[index:])
        inflected = parse.inflect({case})
        out.append(_keep_capital(word, inflected.word if inflected else word))
        if pos == "NOUN":
            return " ".join(out + words[index + 1 :])
    return " ".join(out)


@lru_cache(maxsize=4096)
def agree_with_number(count: int, noun: str, case: str = "nomn") -> str:
    """The form of `noun` (given in the nominative singular) after `count`, in `case`."""
    exception = _COUNTED_EXCEPTIONS.get(noun)
    if exception is not None and case in ("nomn", "accs"):
        return exception[_plural_index(count)]
    parse = _noun_parse(noun)
    if case != "nomn":
        parse = parse.inflect({case}) or parse
    agreed = parse.make_agree_with_number(abs(count))
    return _keep_capital(noun, agreed.word if agreed else noun)


def _plural_index(count: int) -> int:
    tail = abs(count) % 100
    if 11 <= tail <= 14:
        return 2
    if tail % 10 == 1:
        return 0
    if 2 <= tail % 10 <= 4:
        return 1
    return 2


def counted(count: int, noun: str, case: str = "nomn") -> str:
    """«5 заявок», «1 минуту» (case "accs")."""
    return f"{count} {agree_with_number(count, noun, case)}"


def _choose(value: Any, forms: Sequence[str]) -> str:
    """Of «m|f» or «m|f|many», the form agreeing with a person or people (a name, or a list
    of `Who`); with a number or a list of other things, one|few|many by their count."""
    people: list[Who] | None = None
    if isinstance(value, str):
        people = [value if isinstance(value, Who) else Who(value)]
    elif isinstance(value, list | tuple):
        if value and all(isinstance(item, Who) for item in value):
            people = list(value)
        else:
            value = len(value)
    if people is not None:
        if len(people) != 1 and len(forms) > 2:
            return forms[2]
        if len(people) == 1:
            return forms[0] if people[0].sex == "m" or len(forms) < 2 else forms[1]
        return forms[0]
    number = value.count if isinstance(value, Amount) else value
    if isinstance(number, int) and not isinstance(number, bool):
        index = _plural_index(number)
        if len(forms) >= 3:
            return forms[index]
        return forms[0] if index == 0 else forms[-1]
    return forms[0]


def _join(items: Iterable[str]) -> str:
    return ", ".join(items)


class RussianFormatter(Formatter):
    """str.format with grammar in the format spec (see the top of bot/texts.py)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if not format_spec:
            return self._plain(value)
        if format_spec in CASES:
            return self._declined(value, format_spec)
        if "|" in format_spec:
            return _choose(value, format_spec.split("|"))
        noun, _, case = format_spec.partition(":")
        if _CYRILLIC_WORD.match(noun) and (not case or case in CASES):
            number = value.count if isinstance(value, Amount) else value
            if isinstance(number, int) and not isinstance(number, bool):
                return counted(number, noun, case or "nomn")
            # Already counted by the caller («1 человек»): shown as given.
            return self._plain(value)
        return str(super().format_field(value, format_spec))

    def _plain(self, value: Any) -> str:
        if isinstance(value, list | tuple):
            return _join(self._plain(item) for item in value)
        return str(value)

    def _declined(self, value: Any, case: str) -> str:
        if isinstance(value, Who):
            return decline_name(value.full_name, case, value.sex)
        if isinstance(value, Amount):
            return counted(value.count, value.noun, case)
        if isinstance(value, list | tuple):
            return _join(self._declined(item, case) for item in value)
        if isinstance(value, str):
            if looks_like_name(value):
                return decline_name(value, case, guess_gender(value))
            return decline_phrase(value, case)
        return str(value)


FORMATTER = RussianFormatter()
