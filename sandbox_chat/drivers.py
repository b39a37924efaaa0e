"""What the sandbox chat needs of a sandbox: the interface vk_sandbox's and max_sandbox's drivers
share (users who write and press, group chats, the bot's messages), and the few places where
the two messengers differ (who a message went to, callback answers, an invitation's code,
how an admin names a person in a command).

The chat talks to either sandbox through these protocols only; what one messenger has and the
other lacks (MAX's deep links) is asked of the sandbox by :func:`messenger_of`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from max_sandbox import MaxSandbox
from vk_sandbox import VKSandbox
from vk_sandbox.models import CHAT_PEER_BASE

VK = "vk"
MAX = "max"
MESSENGERS = (VK, MAX)

# An invitation's code in the bot's text: vk.me/club…?ref=<code> on VK,
# max.ru/<bot>?start=<code> on MAX.
_INVITE_CODE = re.compile(r"[?&](?:ref|start)=([A-Za-z0-9_-]+)")


class ButtonView(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def link(self) -> str | None: ...


class MessageView(Protocol):
    """A message the bot sent, as either sandbox keeps it."""

    @property
    def id(self) -> int | str: ...
    @property
    def peer_id(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def keyboard(self) -> Any: ...
    @property
    def attachments(self) -> Sequence[str]: ...
    @property
    def edited(self) -> bool: ...
    @property
    def inline(self) -> bool: ...
    @property
    def buttons(self) -> Sequence[ButtonView]: ...
    @property
    def labels(self) -> list[str]: ...


class UserView(Protocol):
    @property
    def user_id(self) -> int: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def messages(self) -> Sequence[MessageView]: ...

    async def send(
        self,
        text: str = "",
        ref: str | None = None,
        ref_source: str | None = None,
        payload: Any = None,
        attachments: Any = None,
        document: tuple[str, bytes] | None = None,
        chat: Any = None,
        photo: tuple[str, bytes] | None = None,
    ) -> object: ...

    async def press(self, button: Any) -> object: ...


class ChatView(Protocol):
    @property
    def chat_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def state(self) -> Any: ...
    @property
    def member_ids(self) -> list[int]: ...
    @property
    def bot_member(self) -> bool: ...
    @property
    def bot_admin(self) -> bool: ...
    @property
    def messages(self) -> Sequence[MessageView]: ...

    def set_bot_admin(self, admin: bool = True) -> None: ...
    async def add_bot(self, by: Any) -> None: ...
    async def add_member(self, user: Any, by: Any = None) -> None: ...
    async def remove_member(self, user: Any, by: Any = None) -> None: ...


class SandboxView(Protocol):
    @property
    def users(self) -> Mapping[int, Any]: ...
    @property
    def chats(self) -> Mapping[int, Any]: ...
    @property
    def sent(self) -> Sequence[MessageView]: ...

    def add_user(
        self, first_name: str = ..., last_name: str = ..., user_id: int | None = None
    ) -> UserView: ...
    def user(self, user_id: int) -> UserView: ...
    def chat(self, chat_id: int) -> ChatView: ...
    def create_chat(self, title: str = ..., owner: Any = None) -> ChatView: ...


def messenger_of(sandbox: SandboxView) -> str:
    return MAX if isinstance(sandbox, MaxSandbox) else VK


def callback_answers(sandbox: SandboxView) -> Mapping[int, Any]:
    """Each user's inbox of the bot's answers to their presses (VK: sendMessageEventAnswer,
    MAX: POST /answers, whose notification reads as VK's snackbar)."""
    if isinstance(sandbox, MaxSandbox):
        return sandbox.answers
    assert isinstance(sandbox, VKSandbox)
    return sandbox.event_answers


def chat_of_peer(sandbox: SandboxView, peer_id: int) -> int | None:
    """The group chat a bot's message went to (its id in ``sandbox.chats``), or None for a
    person's dialog: VK's chat peers are 2000000000 + the chat's number, MAX's group chats
    have negative ids and a dialog's messages are filed under the user."""
    if isinstance(sandbox, MaxSandbox):
        return peer_id if peer_id in sandbox.chats else None
    return peer_id - CHAT_PEER_BASE if peer_id > CHAT_PEER_BASE else None


def is_bot(sandbox: SandboxView, member_id: int) -> bool:
    """Is this chat member the bot (VK: the community, a negative id; MAX: the bot's user)?"""
    if isinstance(sandbox, MaxSandbox):
        return member_id == sandbox.bot_id
    return member_id <= 0


def keyboard_rows(message: MessageView) -> list[Any]:
    """The rows of a message's keyboard: VK's ``{"buttons": [[…]]}``, MAX's ``[[…]]``."""
    keyboard = message.keyboard
    if isinstance(keyboard, dict):
        keyboard = keyboard.get("buttons")
    return [row for row in keyboard or () if isinstance(row, list)]


def invite_code(text: str) -> str | None:
    """The code of an invitation link in a bot's text."""
    found = _INVITE_CODE.search(text)
    return found.group(1) if found is not None else None


def person_ref(sandbox: SandboxView, user_id: int) -> str:
    """How an admin names user ``user_id`` in a command: ``id123`` on VK, ``max:123`` on MAX."""
    return f"max:{user_id}" if isinstance(sandbox, MaxSandbox) else f"id{user_id}"


async def open_link(user: UserView, link: str) -> None:
    """``user`` follows a link the bot gave: MAX's deep link ``https://max.ru/<bot>?start=…``
    (``bot_started`` with the payload), or VK's ``https://vk.me/club…?ref=…`` («Начать» with
    the ``ref``). ValueError for any other link."""
    opener = getattr(user, "open_link", None)
    if opener is not None:  # MAX's driver follows its own deep links
        await opener(link)
        return
    match = re.fullmatch(r"https://vk\.me/club\d+(?:\?ref=([A-Za-z0-9_-]+))?", link)
    if match is None:
        raise ValueError(f"{link!r} is not this community's link (https://vk.me/club…?ref=…)")
    await user.send("Начать", ref=match.group(1), ref_source="vk.me" if match.group(1) else None)


def shown_text(message: MessageView) -> str:
    """A bot message's text as the person sees it: MAX's HTML-formatted texts (a mention is
    `<a href="max://user/…">Имя</a>`) without their markup."""
    text = message.text
    if getattr(message, "format", None) == "html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return text
