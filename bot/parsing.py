"""Parsing of what people type, shared by every handler: classes, names, person references."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from bot.conversation.identity import MESSENGERS, Account, parse_account

CYRILLIC_CAPITALS = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
# Latin letters that look Cyrillic are accepted as the Cyrillic letter they resemble.
_LOOKALIKES = str.maketrans("ABEKMHOPCTXY", "АВЕКМНОРСТХУ")
_CLASS = re.compile(r"^\s*([0-9]{1,2})\s*[-‐–—]?\s*(\S)\s*$")
MIN_GRADE, MAX_GRADE = 1, 11
# Numbers people name (requests, duties, events, invitations) fit SQLite and JSON with room.
MAX_NUMBER = 2**31 - 1
MAX_VK_ID = 2**53 - 1
# ASCII digits only: `str.isdigit` accepts «¹» and `\d` accepts other scripts' digits.
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_int(text: str, low: int = 1, high: int = MAX_NUMBER) -> int | None:
    """The one way a number a person typed becomes an int: ASCII digits, within [low, high]."""
    text = text.strip()
    if _DIGITS.fullmatch(text) is None:
        return None
    value = int(text)
    return value if low <= value <= high else None


def payload_int(value: object, low: int = 1, high: int = MAX_NUMBER) -> int | None:
    """A number a button payload carried; payloads are untrusted, so the same range applies."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if low <= value <= high else None
    if isinstance(value, str):
        return parse_int(value, low, high)
    return None


@dataclass(frozen=True)
class ClassName:
    grade: int
    letter: str

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"


class ClassNameError(ValueError):
    pass


def parse_class_name(text: str) -> ClassName:
    """«5а», «5 А», «5-А» → 5А. Grade 1–11 and one Cyrillic capital letter."""
    match = _CLASS.match(text)
    if match is None:
        raise ClassNameError(text)
    grade = int(match.group(1))
    letter = match.group(2).upper()
    if letter.translate(_LOOKALIKES) in CYRILLIC_CAPITALS and letter not in CYRILLIC_CAPITALS:
        # "5A" typed on a Latin layout: only letters that look the same are forgiven.
        letter = letter.translate(_LOOKALIKES)
    if not MIN_GRADE <= grade <= MAX_GRADE or letter not in CYRILLIC_CAPITALS:
        raise ClassNameError(text)
    return ClassName(grade, letter)


_NAME_WORD = re.compile(r"^[А-ЯЁа-яё]+(?:-[А-ЯЁа-яё]+)*$")
_WORD = re.compile(r"\S+")


def parse_full_name(text: str) -> str | None:
    """2–4 words of Cyrillic letters and hyphens, each capitalised; None if it is not a name."""
    words = text.split()
    if not 2 <= len(words) <= 4 or not all(_NAME_WORD.match(word) for word in words):
        return None
    return " ".join("-".join(part.capitalize() for part in word.split("-")) for word in words)


def name_key(text: str) -> str:
    """A name as it is compared: case, ё/е and spacing do not count («Пётр  фёдоров» and
    «петр федоров» are one name)."""
    return " ".join(text.casefold().replace("ё", "е").split())


def within_one_slip(typed: str, word: str) -> bool:
    """`typed` is `word`, or `word` with one letter wrong, missing, extra or two neighbours
    swapped (both compared by `name_key`). Short words must match exactly: one slip in a
    three-letter word turns it into a different name."""
    return _one_slip(name_key(typed), name_key(word))


def _one_slip(typed: str, word: str) -> bool:
    """`within_one_slip` of two words already keyed."""
    if typed == word:
        return True
    if min(len(typed), len(word)) < 4 or abs(len(typed) - len(word)) > 1:
        return False
    # Skip the common start and end; what differs must be one letter's worth.
    start = 0
    while start < min(len(typed), len(word)) and typed[start] == word[start]:
        start += 1
    end = 0
    while end < min(len(typed), len(word)) - start and typed[-1 - end] == word[-1 - end]:
        end += 1
    left, right = typed[start : len(typed) - end], word[start : len(word) - end]
    if len(left) <= 1 and len(right) <= 1:
        return True
    return len(left) == len(right) == 2 and left == right[::-1]


def name_matches(typed: str, full_name: str) -> bool:
    """Whether what someone typed names the person `full_name` («Фамилия Имя [Отчество]»):
    a surname, or a surname and first name in either order, each with one slip forgiven."""
    return name_matcher(typed)(full_name)


def name_matcher(typed: str) -> Callable[[str], bool]:
    """`name_matches` with what was typed read once, for checking it against many names."""
    words = name_key(typed).split()
    slip = _one_slip

    def matches(full_name: str) -> bool:
        # Called for everyone in a school per lookup: the name is keyed once, words compared
        # already keyed.
        name = name_key(full_name).split()
        if not words or not name or len(words) > 2:
            return False
        if len(words) == 1:
            return slip(words[0], name[0])
        if len(name) < 2:
            return False
        first, second = words
        return (slip(first, name[0]) and slip(second, name[1])) or (
            slip(second, name[0]) and slip(first, name[1])
        )

    return matches


@dataclass(frozen=True)
class PersonRef:
    """Someone named in a command: a VK id, or a screen name still to be resolved."""

    vk_id: int | None = None
    screen_name: str | None = None
    # An account named outright, on any messenger: `max:123`, `vk:123`.
    account: Account | None = None


_MENTION = re.compile(r"^\[id([0-9]+)\|[^\]]*\]$")
_ID = re.compile(r"^@?id([0-9]+)$", re.IGNORECASE)
_URL = re.compile(r"^(?:https?://)?(?:m\.)?vk\.(?:com|ru)/([A-Za-z0-9_.]+)/?$", re.IGNORECASE)
_SCREEN_NAME = re.compile(r"^@?([A-Za-z][A-Za-z0-9_.]{2,31})$")


def parse_person_ref(text: str) -> PersonRef | None:
    """`max:123`, `vk:123`, `[id123|Имя]`, `@id123`, `id123`, `123`,
    `https://vk.com/id123`, a screen name."""
    text = text.strip()
    messenger, sep, _ = text.partition(":")
    if sep and messenger.strip().lower() in MESSENGERS:
        try:
            return PersonRef(account=parse_account(text))
        except ValueError:
            return None
    for pattern in (_MENTION, _ID):
        match = pattern.match(text)
        if match:
            vk_id = parse_int(match.group(1), 1, MAX_VK_ID)
            return None if vk_id is None else PersonRef(vk_id=vk_id)
    vk_id = parse_int(text, 1, MAX_VK_ID)
    if vk_id is not None:
        return PersonRef(vk_id=vk_id)
    url = _URL.match(text)
    if url:
        return parse_person_ref(url.group(1))
    screen = _SCREEN_NAME.match(text)
    if screen:
        return PersonRef(screen_name=screen.group(1).lower())
    return None


# A person named by name: a surname, or a surname and a first name (either order).
NAME_WORDS_MAX = 2


def is_name_word(word: str) -> bool:
    """A word that can be part of a person's name: Cyrillic letters and hyphens. A class
    («5А»), a number or a reference (`id123`, `max:1`) never is."""
    return _NAME_WORD.match(word) is not None


def looks_like_name(text: str) -> bool:
    """1–2 name words: what the bot looks people up by, rather than by an account."""
    words = text.split()
    return 1 <= len(words) <= NAME_WORDS_MAX and all(is_name_word(word) for word in words)


def name_prefixes(args: str) -> list[tuple[str, str]]:
    """Where a person named by name may end in `args`: (name, rest) for each count of leading
    name words, longest first; empty when `args` does not begin with a name word."""
    # The rest is kept as typed (a message's text may follow, with its lines).
    ends: list[int] = []
    for word in _WORD.finditer(args):
        if len(ends) == NAME_WORDS_MAX or not is_name_word(word.group()):
            break
        ends.append(word.end())
    return [(" ".join(args[:end].split()), args[end:].strip()) for end in reversed(ends)]


def split_person_and_rest(args: str) -> tuple[str, str]:
    """The person (a reference, a mention with spaces, or a name of up to two words) and the
    rest. Without knowing who exists a name takes every name word it can (up to two): a class,
    a number or a reference ends it. `bot.handlers.args.person_and_rest` asks who exists."""
    args = args.strip()
    if args.startswith("["):
        end = args.find("]")
        if end != -1:
            return args[: end + 1], args[end + 1 :].strip()
    prefixes = name_prefixes(args)
    if prefixes:
        return prefixes[0]
    head, _, rest = args.partition(" ")
    return head, rest.strip()


def parse_number(text: str) -> int | None:
    """«12», «№12», «#12» → 12."""
    return parse_int(text.strip().lstrip("№#"))


_TIME = r"([0-9]{1,2})[:.]([0-9]{2})"
_DATE_TIME = re.compile(rf"^\s*([0-9]{{1,2}})\.([0-9]{{1,2}})(?:\.([0-9]{{2,4}}))?\s+{_TIME}\s*$")
_RELATIVE = re.compile(rf"^\s*(сегодня|завтра|послезавтра)\s+(?:в\s+)?{_TIME}\s*$", re.IGNORECASE)
_WEEKDAY = re.compile(rf"^\s*([а-яё]+)\s+(?:в\s+)?{_TIME}\s*$", re.IGNORECASE)
_WEEKDAYS = {
    "пн": 0, "понедельник": 0, "вт": 1, "вторник": 1, "ср": 2, "среда": 2, "среду": 2,
    "чт": 3, "четверг": 3, "пт": 4, "пятница": 4, "пятницу": 4, "сб": 5, "суббота": 5,
    "субботу": 5, "вс": 6, "воскресенье": 6,
}  # fmt: skip
_DAYS_AHEAD = {"сегодня": 0, "завтра": 1, "послезавтра": 2}


def parse_when(text: str, now: datetime, zone: tzinfo) -> datetime | None:
    """«28.11 15:30», «28.11.2026 15:30», «завтра 9:00», «пн 10:00» in the school's zone.

    A date without a year that has already passed this year means next year; a weekday means
    its next occurrence. Returns an aware moment, or None if the text is not a moment."""
    local_now = now.astimezone(zone)
    try:
        match = _DATE_TIME.match(text)
        if match:
            day, month, year, hour, minute = match.groups()
            full_year = (
                local_now.year if year is None else int(year) + (2000 if len(year) == 2 else 0)
            )
            moment = datetime(full_year, int(month), int(day), int(hour), int(minute), tzinfo=zone)
            if year is None and moment < local_now:
                moment = moment.replace(year=full_year + 1)
            return moment
        match = _RELATIVE.match(text)
        if match:
            word, hour, minute = match.groups()
            day_start = local_now + timedelta(days=_DAYS_AHEAD[word.lower()])
            return day_start.replace(hour=int(hour), minute=int(minute), second=0, microsecond=0)
        match = _WEEKDAY.match(text)
        if match and match.group(1).lower() in _WEEKDAYS:
            weekday = _WEEKDAYS[match.group(1).lower()]
            hour, minute = int(match.group(2)), int(match.group(3))
            ahead = (weekday - local_now.weekday()) % 7
            moment = (local_now + timedelta(days=ahead)).replace(
                hour=hour, minute=minute, second=0, microsecond=0
            )
            return moment if moment > local_now else moment + timedelta(days=7)
    except ValueError:
        return None
    return None
