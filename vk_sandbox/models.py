"""Public data classes (BotMessage, Button, CallRecord) and the sandbox's internal records."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sandbox_kit.buttons import button_by_label

CHAT_PEER_BASE = 2_000_000_000


@dataclass(frozen=True)
class Button:
    """One keyboard button of a message the bot sent.

    ``message_peer_id``, ``message_id`` and ``conversation_message_id`` tell which message the
    button belongs to (used by ``UserDriver.press``); they take no part in equality.
    """

    label: str
    type: str
    payload: dict[str, Any] | None = field(default=None, hash=False)
    color: str | None = None
    link: str | None = None
    raw_payload: str | None = field(default=None, compare=False, repr=False)
    message_peer_id: int = field(default=0, compare=False, repr=False)
    message_id: int = field(default=0, compare=False, repr=False)
    conversation_message_id: int = field(default=0, compare=False, repr=False)


@dataclass
class BotMessage:
    """A message the bot (community) sent through messages.send (edits applied in place)."""

    id: int
    peer_id: int
    text: str
    keyboard: dict[str, Any] | None
    inline: bool
    one_time: bool
    attachments: list[str]
    random_id: int
    conversation_message_id: int
    date: int
    edited: bool = False
    payload: str | None = None
    version: int = 0  # bumped by every edit, like VK's message version
    update_time: int | None = None  # set by the last edit
    # Parsed on first read: most messages sent under load are never pressed.
    _buttons: list[Button] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def buttons(self) -> list[Button]:
        if self._buttons is None:
            self._buttons = buttons_of(
                self.keyboard, self.peer_id, self.id, self.conversation_message_id
            )
        return self._buttons

    def replace_keyboard(self, keyboard: dict[str, Any] | None) -> None:
        """An edit's new keyboard (or none): its buttons replace the old ones."""
        self.keyboard = keyboard
        self._buttons = None
        self.inline = bool(keyboard and keyboard["inline"])
        self.one_time = bool(keyboard and keyboard["one_time"])

    def button(self, label: str) -> Button:
        """The button with exactly this label; raises ``LookupError`` listing the labels."""
        return button_by_label(self.buttons, label, self.id)

    @property
    def labels(self) -> list[str]:
        return [b.label for b in self.buttons]

    @property
    def has_photo(self) -> bool:
        return any(a.startswith("photo") for a in self.attachments)

    @property
    def has_doc(self) -> bool:
        return any(a.startswith("doc") for a in self.attachments)


def buttons_of(
    keyboard: dict[str, Any] | None, peer_id: int, message_id: int, cmid: int
) -> list[Button]:
    """Flatten a validated keyboard into Buttons bound to their message."""
    if keyboard is None:
        return []
    result: list[Button] = []
    for row in keyboard["buttons"]:
        for button in row:
            action = button["action"]
            raw_payload = action.get("payload")
            payload: dict[str, Any] | None = None
            if raw_payload is not None:
                parsed = json.loads(raw_payload)
                payload = parsed if isinstance(parsed, dict) else None
            result.append(
                Button(
                    label=str(action.get("label", "")),
                    type=str(action["type"]),
                    payload=payload,
                    color=button.get("color"),
                    link=action.get("link"),
                    raw_payload=raw_payload,
                    message_peer_id=peer_id,
                    message_id=message_id,
                    conversation_message_id=cmid,
                )
            )
    return result


@dataclass(frozen=True)
class CallRecord:
    """One API method call as the sandbox saw it (``execute`` sub-calls included)."""

    method: str
    params: dict[str, str]
    time: float
    ok: bool
    error_code: int | None = None
    via_execute: bool = False


@dataclass
class UserState:
    user_id: int
    first_name: str
    last_name: str
    screen_name: str | None
    can_write: bool = False  # may the community write to this user (901 otherwise)
    is_closed: bool = False
    sex: int = 0  # users.get's `sex`: 1 female, 2 male, 0 not given


@dataclass
class ChatMemberState:
    member_id: int
    invited_by: int
    join_date: int


@dataclass
class ChatState:
    chat_id: int
    title: str
    owner_id: int
    members: dict[int, ChatMemberState]
    bot_member: bool = False
    bot_admin: bool = False
    bot_full_access: bool = True
    invite_link: str | None = None
    bot_left: bool = False  # not a member because it left by itself (else it was kicked)

    @property
    def peer_id(self) -> int:
        return CHAT_PEER_BASE + self.chat_id


@dataclass
class PhotoState:
    id: int
    owner_id: int
    album_id: int
    access_key: str
    data: bytes
    width: int
    height: int
    date: int

    @property
    def attachment(self) -> str:
        return f"photo{self.owner_id}_{self.id}"

    def to_api(self, base_url: str) -> dict[str, Any]:
        url = f"{base_url}/files/photo{self.owner_id}_{self.id}"
        sizes = [
            {"type": t, "width": w, "height": h, "url": url}
            for t, w, h in (
                ("s", min(self.width, 75), min(self.height, 75)),
                ("m", min(self.width, 130), min(self.height, 130)),
                ("x", min(self.width, 604), min(self.height, 604)),
                ("base", self.width, self.height),
            )
        ]
        return {
            "album_id": self.album_id,
            "date": self.date,
            "id": self.id,
            "owner_id": self.owner_id,
            "access_key": self.access_key,
            "sizes": sizes,
            "text": "",
            "has_tags": False,
        }


@dataclass
class DocState:
    id: int
    owner_id: int
    title: str
    ext: str
    data: bytes
    date: int
    type: int
    access_key: str

    @property
    def attachment(self) -> str:
        return f"doc{self.owner_id}_{self.id}"

    def url(self, base_url: str) -> str:
        return f"{base_url}/files/doc{self.owner_id}_{self.id}?key={self.access_key}"

    def to_api(self, base_url: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "owner_id": self.owner_id,
            "title": self.title,
            "size": len(self.data),
            "ext": self.ext,
            "url": self.url(base_url),
            "date": self.date,
            "type": self.type,
            "access_key": self.access_key,
        }


@dataclass
class DedupRecord:
    message_id: int
    conversation_message_id: int
    time: float


@dataclass
class PendingEvent:
    user_id: int
    peer_id: int
    created: float
    answered: bool = False


__all__ = [
    "CHAT_PEER_BASE",
    "BotMessage",
    "Button",
    "CallRecord",
    "ChatMemberState",
    "ChatState",
    "DedupRecord",
    "DocState",
    "PendingEvent",
    "PhotoState",
    "UserState",
]
