"""What the bot says, in no messenger's terms: addresses, messages, keyboards, mentions, files.

The core (handlers, domain, storage, scheduler) builds these; a messenger adapter renders them
(for VK: `bot/vk/outgoing.py`). The outbox stores a message as `to_data()` gives it, so what
is written here must stay readable by `from_data()` for as long as rows can be pending."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from bot.conversation.identity import Account

# ---------------------------------------------------------------------------- addresses


@dataclass(frozen=True)
class Person:
    """A private dialog with one person, by their id in the core."""

    id: int


@dataclass(frozen=True)
class Chat:
    """A group chat, by its id as the core knows it (the `chats` table's key)."""

    id: int


@dataclass(frozen=True)
class AccountAddress:
    """A private dialog with one messenger account, named outright: a reply to a person
    forgotten by the very event it answers (their accounts went with them, so `Person(id)`
    leads nowhere). `id` is the person's former id, which keeps the reply in their lane."""

    id: int
    account: Account


Address = Person | Chat | AccountAddress


# ---------------------------------------------------------------------------- keyboards


class ButtonKind(Enum):
    TEXT = "text"  # a reply button: pressing it sends its label (and payload) as a message
    CALLBACK = "callback"  # pressing it sends the payload only, the chat stays as it is
    LINK = "link"  # opens `url`


class ButtonColor(Enum):
    DEFAULT = "default"
    PRIMARY = "primary"
    POSITIVE = "positive"
    NEGATIVE = "negative"


@dataclass(frozen=True)
class Button:
    label: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    kind: ButtonKind = ButtonKind.TEXT
    color: ButtonColor = ButtonColor.DEFAULT
    url: str | None = None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"label": self.label, "kind": self.kind.value}
        if self.payload:
            data["payload"] = dict(self.payload)
        if self.color is not ButtonColor.DEFAULT:
            data["color"] = self.color.value
        if self.url is not None:
            data["url"] = self.url
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Button:
        return cls(
            label=str(data["label"]),
            payload=dict(data.get("payload") or {}),
            kind=ButtonKind(data.get("kind", ButtonKind.TEXT.value)),
            color=ButtonColor(data.get("color", ButtonColor.DEFAULT.value)),
            url=data.get("url"),
        )


@dataclass(frozen=True)
class Keyboard:
    """Rows of buttons. `inline`: under the message; otherwise it replaces the person's
    persistent keyboard (`one_time`: hidden after a press). No rows and not inline: the
    persistent keyboard is taken away."""

    rows: tuple[tuple[Button, ...], ...] = ()
    inline: bool = False
    one_time: bool = False

    def buttons(self) -> Iterator[Button]:
        for row in self.rows:
            yield from row

    def to_data(self) -> dict[str, Any]:
        return {
            "under_message": self.inline,
            "hide_after_press": self.one_time,
            "rows": [[button.to_data() for button in row] for row in self.rows],
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Keyboard:
        return cls(
            rows=tuple(
                tuple(Button.from_data(button) for button in row) for row in data.get("rows", ())
            ),
            inline=bool(data.get("under_message")),
            one_time=bool(data.get("hide_after_press")),
        )


class KeyboardBuilder:
    """Builds a keyboard row by row, as the menus are laid out."""

    def __init__(self, inline: bool = False, one_time: bool = False) -> None:
        self._inline = inline
        self._one_time = one_time
        self._rows: list[list[Button]] = [[]]

    def add(self, button: Button) -> KeyboardBuilder:
        self._rows[-1].append(button)
        return self

    def row(self) -> KeyboardBuilder:
        if self._rows[-1]:
            self._rows.append([])
        return self

    def build(self) -> Keyboard:
        rows = tuple(tuple(row) for row in self._rows if row)
        return Keyboard(rows, inline=self._inline, one_time=self._one_time)


# ---------------------------------------------------------------------------- mentions

# A mention travels inside the text between private-use characters, which no keyboard types
# and Russian texts never contain: `\ue000<person id>\ue001<label>\ue002`. The adapter turns it
# into its messenger's own markup (see `render_text` in bot/vk/outgoing.py), so texts keep
# their wording and the formatter fills a mention like any other value.
_MENTION_OPEN, _MENTION_SEP, _MENTION_CLOSE = "\ue000", "\ue001", "\ue002"
MENTION = re.compile("\ue000(-?[0-9]+)\ue001([^\ue000-\ue002]*)\ue002")


@dataclass(frozen=True)
class Mention:
    person_id: int
    label: str

    def __str__(self) -> str:
        label = "".join(ch for ch in self.label if ch not in "\ue000\ue001\ue002")
        return f"{_MENTION_OPEN}{self.person_id}{_MENTION_SEP}{label}{_MENTION_CLOSE}"


def mention(person_id: int, label: str) -> str:
    """A link to a person's profile, labelled, for use inside a text."""
    return str(Mention(person_id, label))


# A person's number as their messenger shows it (VK: the user id in `vk.com/id123`), for the
# lines that tell an admin what to type (`/verify 123`) and the names of people the bot has
# none for (`id123`): `\ue003<person id>\ue004`, rendered by the adapter like a mention.
_NUMBER_OPEN, _NUMBER_CLOSE = "\ue003", "\ue004"
PERSON_NUMBER = re.compile("\ue003(-?[0-9]+)\ue004")


def person_number(person_id: int) -> str:
    """The number a person's messenger account is known by, for use inside a text."""
    return f"{_NUMBER_OPEN}{int(person_id)}{_NUMBER_CLOSE}"


def unnamed(person_id: int) -> str:
    """What a person is called when the bot has no name for them: `id123`."""
    return f"id{person_number(person_id)}"


def has_mentions(text: str) -> bool:
    """The text holds mentions or person numbers for the adapter to render."""
    return _MENTION_OPEN in text or _NUMBER_OPEN in text


def mentioned_people(text: str) -> list[int]:
    """The people a text mentions or shows the number of (`mention`, `person_number`): whom
    an adapter must look up before it renders the text, whatever its messenger."""
    if not has_mentions(text):
        return []
    return [int(m[1]) for m in MENTION.finditer(text)] + [
        int(m[1]) for m in PERSON_NUMBER.finditer(text)
    ]


# ---------------------------------------------------------------------------- files


@dataclass(frozen=True)
class File:
    """A file to attach (a chart, a spreadsheet): what the messenger port uploads."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class StoredFile:
    """A file the messenger already holds, uploaded through its port for one address. `ref`
    is the adapter's own handle for it (VK: `doc1_2`) and means nothing to the core."""

    name: str
    content_type: str
    ref: str

    def to_data(self) -> dict[str, Any]:
        return {"name": self.name, "content_type": self.content_type, "ref": self.ref}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> StoredFile:
        return cls(str(data["name"]), str(data["content_type"]), str(data["ref"]))


# ---------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class OutgoingMessage:
    to: Address
    text: str
    keyboard: Keyboard | None = None
    files: tuple[StoredFile, ...] = ()

    def to_data(self) -> dict[str, Any]:
        """The message without its address, as the outbox stores it."""
        return message_data(self.text, self.keyboard, self.files)


def message_data(
    text: str, keyboard: Keyboard | None = None, files: Sequence[StoredFile] = ()
) -> dict[str, Any]:
    data: dict[str, Any] = {"text": text}
    if keyboard is not None:
        data["keyboard"] = keyboard.to_data()
    if files:
        data["files"] = [stored.to_data() for stored in files]
    return data


MESSAGE_LIMIT = 4096  # VK's; a messenger with a smaller one splits again in its adapter


def split_message(message: OutgoingMessage) -> list[OutgoingMessage]:
    """A long message as several, its keyboard and files on the last one."""
    parts = split_text(message.text)
    if len(parts) == 1:
        return [message]
    last = len(parts) - 1
    return [
        OutgoingMessage(
            message.to,
            part,
            message.keyboard if index == last else None,
            message.files if index == last else (),
        )
        for index, part in enumerate(parts)
    ]


def derived_random_id(*parts: object) -> int:
    """A message's key fixed by what it answers, so a replayed event is deduplicated by the
    messenger instead of answered twice (VK's random_id: a signed 32-bit integer)."""
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).digest()
    return (int.from_bytes(digest[:4], "big") & 0x7FFFFFFF) or 1


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Splits a long text at paragraph, then sentence, then word boundaries."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    for unit in _pack(text.split("\n\n"), "\n\n", limit):
        if len(unit) <= limit:
            parts.append(unit)
            continue
        for sentence_pack in _pack(_SENTENCE_END.split(unit), " ", limit):
            if len(sentence_pack) <= limit:
                parts.append(sentence_pack)
                continue
            for word_pack in _pack(sentence_pack.split(" "), " ", limit):
                parts.extend(word_pack[i : i + limit] for i in range(0, len(word_pack), limit))
    return [part for part in parts if part.strip()] or [text[:limit]]


def _pack(pieces: list[str], joiner: str, limit: int) -> list[str]:
    packed: list[str] = []
    current = ""
    for piece in pieces:
        candidate = piece if not current else current + joiner + piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            packed.append(current)
        current = piece
    if current:
        packed.append(current)
    return packed
