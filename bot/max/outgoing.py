"""Neutral messages in MAX's terms: `NewMessageBody` (text within MAX's 4000 characters, an
inline keyboard, uploaded files, people's mentions), and the address a message goes to.

MAX has no persistent reply keyboard: every keyboard is an inline one under the message;
a text button becomes a `message` button (pressing it sends its label, as VK's text button
does), a callback button carries the core's payload as compact JSON. Mentions are MAX's HTML
links `max://user/<id>` (the text is then sent as HTML, escaped); a person without a MAX
account keeps the label as plain text."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from loguru import logger

from bot.conversation.identity import MAX
from bot.conversation.outgoing import (
    MENTION,
    PERSON_NUMBER,
    AccountAddress,
    Address,
    Button,
    ButtonColor,
    ButtonKind,
    Keyboard,
    Person,
    has_mentions,
    split_text,
)

TEXT_LIMIT = 4000
BUTTON_TEXT_LIMIT = 128
PAYLOAD_LIMIT = 1024
MAX_ROWS = 30
MAX_BUTTONS = 210
PER_ROW = 7
PER_ROW_WIDE = 3  # a row holding a link button
# A StoredFile made by the MAX gateway: `max:image:<token>` or `max:file:<token>`.
FILE_PREFIX = "max:"

_UNNAMED = re.compile("id" + PERSON_NUMBER.pattern)

# People's MAX user ids by person id (their MAX accounts); a person missing has none.
MaxUsers = Mapping[int, int]


@dataclass(frozen=True)
class Target:
    """Where POST /messages sends: a user's dialog (`user_id`) or a group chat (`chat_id`)."""

    user_id: int | None = None
    chat_id: int | None = None

    @property
    def params(self) -> dict[str, int]:
        return (
            {"user_id": self.user_id}
            if self.user_id is not None
            else {"chat_id": self.chat_id or 0}
        )


def target_of(address: Address, users: MaxUsers) -> Target | None:
    """None: the person has no MAX account (nobody to write to on MAX)."""
    if isinstance(address, Person):
        user = users.get(address.id)
        return None if user is None else Target(user_id=user)
    if isinstance(address, AccountAddress):
        account = address.account
        return Target(user_id=int(account.external_id)) if account.messenger == MAX else None
    # A chat is known to the core by MAX's own (negative) chat id.
    return Target(chat_id=address.id)


def mentioned_people(text: str) -> list[int]:
    if not has_mentions(text):
        return []
    return [int(m[1]) for m in MENTION.finditer(text)] + [
        int(m[1]) for m in PERSON_NUMBER.finditer(text)
    ]


def _number(person_id: int, users: MaxUsers) -> str:
    user = users.get(person_id)
    # What an admin types to name them on MAX (`/verify max:123`).
    return "?" if user is None else f"max:{user}"


def render_text(text: str, users: MaxUsers) -> tuple[str, str | None, str]:
    """(the text to send, its format, the text as MAX shows it): mentions as HTML links,
    people's numbers as `max:<id>`; a text without mentions goes as it is."""
    if not has_mentions(text):
        return text, None, text
    # `unnamed` writes VK's `id<number>`; on MAX the number alone (`max:123`) names them.
    numbered = _UNNAMED.sub(lambda m: _number(int(m[1]), users), text)
    numbered = PERSON_NUMBER.sub(lambda m: _number(int(m[1]), users), numbered)
    plain = MENTION.sub(lambda m: m[2], numbered)
    if not any(users.get(int(m[1])) is not None for m in MENTION.finditer(numbered)):
        return plain, None, plain
    pieces: list[str] = []
    last = 0
    for match in MENTION.finditer(numbered):
        pieces.append(html.escape(numbered[last : match.start()], quote=False))
        label = html.escape(match[2], quote=False)
        user = users.get(int(match[1]))
        pieces.append(label if user is None else f'<a href="max://user/{user}">{label}</a>')
        last = match.end()
    pieces.append(html.escape(numbered[last:], quote=False))
    return "".join(pieces), "html", plain


def _button(button: Button) -> dict[str, Any] | None:
    text = button.label[:BUTTON_TEXT_LIMIT] or "…"
    if button.kind is ButtonKind.LINK:
        return {"type": "link", "text": text, "url": button.url or ""}
    if button.kind is ButtonKind.CALLBACK:
        payload = json.dumps(dict(button.payload), ensure_ascii=False, separators=(",", ":"))
        if len(payload) > PAYLOAD_LIMIT:
            logger.error("A button's payload is over MAX's {} characters; left out", PAYLOAD_LIMIT)
            return None
        data: dict[str, Any] = {"type": "callback", "text": text, "payload": payload}
        if button.color is ButtonColor.POSITIVE:
            data["intent"] = "positive"
        elif button.color is ButtonColor.NEGATIVE:
            data["intent"] = "negative"
        return data
    # A reply button: pressing it writes its label, as on VK (the core reads the label).
    return {"type": "message", "text": text}


def keyboard_attachment(keyboard: Keyboard) -> dict[str, Any] | None:
    """An inline keyboard within MAX's limits (a row too long is wrapped; rows and buttons
    beyond MAX's totals are left out), or None for a keyboard with no buttons."""
    rows: list[list[dict[str, Any]]] = []
    total = 0
    for row in keyboard.rows:
        buttons = [b for b in map(_button, row) if b is not None]
        width = PER_ROW_WIDE if any(b["type"] == "link" for b in buttons) else PER_ROW
        for start in range(0, len(buttons), width):
            piece = buttons[start : start + width][: MAX_BUTTONS - total]
            if piece and len(rows) < MAX_ROWS:
                rows.append(piece)
                total += len(piece)
    if not rows:
        return None
    return {"type": "inline_keyboard", "payload": {"buttons": rows}}


def file_attachment(ref: str) -> dict[str, Any] | None:
    """A file the MAX gateway uploaded (`max:<type>:<token>`); another messenger's is none."""
    if not ref.startswith(FILE_PREFIX):
        return None
    kind, _, token = ref[len(FILE_PREFIX) :].partition(":")
    if kind not in ("image", "file") or not token:
        return None
    return {"type": kind, "payload": {"token": token}}


@dataclass(frozen=True)
class Part:
    """One POST /messages of a message (a long text goes in several, in order)."""

    body: dict[str, Any]
    # The text as MAX shows it (without markup), to recognise the message read back.
    shown: str


def render(body: dict[str, Any], users: MaxUsers) -> list[Part]:
    """A stored neutral message as MAX sends it: its parts, the keyboard and files on the
    last. A message with nothing MAX can show (only another messenger's files) is none."""
    text = str(body.get("text", ""))
    attachments: list[dict[str, Any]] = []
    for stored in body.get("files") or ():
        attachment = file_attachment(str(stored.get("ref", "")))
        if attachment is not None:
            attachments.append(attachment)
    keyboard = body.get("keyboard")
    if keyboard is not None:
        inline = keyboard_attachment(Keyboard.from_data(keyboard))
        if inline is not None:
            attachments.append(inline)
    texts = split_text(text, TEXT_LIMIT) if text else [""]
    parts: list[Part] = []
    for index, piece in enumerate(texts):
        sent, fmt, shown = render_text(piece, users)
        if len(sent) > TEXT_LIMIT:  # escaping made it longer: the plain text goes
            sent, fmt = shown[:TEXT_LIMIT], None
        message: dict[str, Any] = {"text": sent}
        if fmt is not None:
            message["format"] = fmt
        if index == len(texts) - 1 and attachments:
            message["attachments"] = attachments
        if not sent and "attachments" not in message:
            continue
        parts.append(Part(message, shown))
    return parts
