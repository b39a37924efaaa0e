"""Public data classes (BotMessage, Button, CallRecord) and the sandbox's internal records.

``BotMessage`` and ``Button`` keep the names and the reading interface of vk_sandbox's (``text``,
``buttons``, ``button(label)``, ``labels``, ``attachments``, ``peer_id``, ``has_photo``...), so one
user story reads the same on either sandbox. MAX's own values differ where MAX differs: a
message id is a string (``mid``), a button payload is a string, times are milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox_kit.buttons import button_by_label


@dataclass(frozen=True)
class Button:
    """One inline keyboard button of a message the bot sent.

    ``message_id`` (the message's ``mid``) and ``message_peer_id`` tell which message the button
    belongs to (used by ``UserDriver.press``); they take no part in equality.
    """

    label: str
    type: str
    payload: str | None = None
    link: str | None = None
    intent: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    message_peer_id: int = field(default=0, compare=False, repr=False)
    message_chat_id: int = field(default=0, compare=False, repr=False)
    message_id: str = field(default="", compare=False, repr=False)

    @property
    def color(self) -> str | None:
        """VK's name for what MAX calls the button's intent."""
        return self.intent


@dataclass
class BotMessage:
    """A message the bot sent through POST /messages (edits applied in place).

    ``peer_id`` is whom it went to as a story names them: the user's id for a dialog, the
    (negative) chat id for a group chat; ``chat_id`` is MAX's chat id either way.
    """

    id: str  # MAX's mid
    peer_id: int
    chat_id: int
    text: str
    keyboard: list[list[dict[str, Any]]] | None
    attachments: list[str]
    raw_attachments: list[dict[str, Any]]
    seq: int
    date: int  # ms since the epoch
    format: str | None = None
    notify: bool = True
    edited: bool = False
    deleted: bool = False
    version: int = 0
    update_time: int | None = None
    _buttons: list[Button] | None = field(default=None, init=False, repr=False, compare=False)

    # VK-shaped aliases, so shared helpers read either sandbox's messages.
    @property
    def inline(self) -> bool:
        return self.keyboard is not None

    @property
    def one_time(self) -> bool:
        return False

    @property
    def conversation_message_id(self) -> int:
        return self.seq

    @property
    def buttons(self) -> list[Button]:
        if self._buttons is None:
            self._buttons = buttons_of(self.keyboard, self.peer_id, self.chat_id, self.id)
        return self._buttons

    def replace_keyboard(self, keyboard: list[list[dict[str, Any]]] | None) -> None:
        self.keyboard = keyboard
        self._buttons = None

    def button(self, label: str) -> Button:
        """The button with exactly this label; raises ``LookupError`` listing the labels."""
        return button_by_label(self.buttons, label, self.id)

    @property
    def labels(self) -> list[str]:
        return [b.label for b in self.buttons]

    @property
    def has_photo(self) -> bool:
        return any(a.startswith("image") for a in self.attachments)

    @property
    def has_doc(self) -> bool:
        return any(a.startswith("file") for a in self.attachments)


def buttons_of(
    keyboard: list[list[dict[str, Any]]] | None, peer_id: int, chat_id: int, mid: str
) -> list[Button]:
    if keyboard is None:
        return []
    result: list[Button] = []
    for row in keyboard:
        for button in row:
            result.append(
                Button(
                    label=str(button.get("text", "")),
                    type=str(button["type"]),
                    payload=button.get("payload"),
                    link=button.get("url"),
                    intent=button.get("intent"),
                    raw=dict(button),
                    message_peer_id=peer_id,
                    message_chat_id=chat_id,
                    message_id=mid,
                )
            )
    return result


@dataclass(frozen=True)
class CallRecord:
    """One API request as the sandbox saw it."""

    method: str  # HTTP verb
    path: str  # the route as the schema names it, e.g. "/chats/{chatId}/members"
    query: dict[str, str]
    body: Any
    time: float
    ok: bool
    status: int = 200
    error_code: str | None = None

    @property
    def name(self) -> str:
        """``"POST /messages"``: how faults and ``calls_to`` name an endpoint."""
        return f"{self.method} {self.path}"


@dataclass
class UserState:
    user_id: int
    first_name: str
    last_name: str | None
    username: str | None
    dialog_id: int  # the chat id of this user's dialog with the bot
    started: bool = False  # has opened the bot (bot_started or a first message)
    stopped: bool = False  # stopped / blocked the bot: sends to them fail
    private: bool = False  # privacy settings forbid adding them to chats
    last_activity: int = 0

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


@dataclass
class MemberState:
    user_id: int
    join_time: int
    inviter_id: int | None
    is_admin: bool = False


@dataclass
class ChatState:
    chat_id: int  # negative, as MAX's group chats
    title: str
    owner_id: int
    members: dict[int, MemberState]
    bot_member: bool = False
    bot_admin: bool = False
    status: str = "active"  # for the bot: active / removed / left / closed
    link: str | None = None
    is_public: bool = False
    last_event_time: int = 0
    description: str | None = None


@dataclass
class StoredMessage:
    """A message in a chat's history (the bot's and users'), as GET /messages reads it."""

    api: dict[str, Any]  # the Message object
    chat_id: int
    deleted: bool = False

    @property
    def mid(self) -> str:
        return str(self.api["body"]["mid"])

    @property
    def timestamp(self) -> int:
        return int(self.api["timestamp"])


@dataclass
class PendingCallback:
    user_id: int
    mid: str
    created: float
    answered: bool = False


@dataclass
class StoredFile:
    """An uploaded (or user-sent) file or image; downloadable at ``/files/<token>``."""

    kind: str  # "image" | "file" | "video" | "audio"
    token: str
    data: bytes
    filename: str
    id: int


@dataclass
class Subscription:
    url: str
    time: int
    update_types: list[str] | None
    secret: str | None
    version: str | None = None


__all__ = [
    "BotMessage",
    "Button",
    "CallRecord",
    "ChatState",
    "MemberState",
    "PendingCallback",
    "StoredFile",
    "StoredMessage",
    "Subscription",
    "UserState",
]
