"""Drivers that play MAX users and group chats against the bot.

Their interface is vk_sandbox's (``send``, ``press``, ``wait_reply``, ``wait_replies``,
``expect_silence``, ``wait_event_answer``, ``messages``, ``unread``; ``add_bot``, ``add_member``,
``remove_member``, ``remove_bot``, ``wait_message``...), so one user story runs on either
sandbox. MAX's own: ``start(payload)`` (a deep link, ``bot_started``), ``stop()``
(``bot_stopped``), ``send_file``, ``ref`` (``max:<id>``).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sandbox_kit.waits import ChatInbox, UserInbox

from .models import BotMessage, Button, ChatState, MemberState, PendingCallback, UserState

if TYPE_CHECKING:
    from sandbox_kit.inbox import Inbox

    from .sandbox import MaxSandbox

START_TEXT = "Начать"  # what shared helpers send to open the bot (VK's "Start" button)


class UserDriver(UserInbox[BotMessage]):
    """A MAX user who talks to the bot (the dialog and group chats)."""

    def __init__(self, sandbox: MaxSandbox, state: UserState) -> None:
        self.sandbox = sandbox
        self.state = state

    def __repr__(self) -> str:
        return f"<UserDriver {self.user_id} {self.first_name} {self.last_name}>"

    @property
    def user_id(self) -> int:
        return self.state.user_id

    @property
    def peer_id(self) -> int:
        """Whom the bot's messages to this user are filed under (their user id)."""
        return self.state.user_id

    @property
    def dialog_id(self) -> int:
        """MAX's chat id of this user's dialog with the bot."""
        return self.state.dialog_id

    @property
    def first_name(self) -> str:
        return self.state.first_name

    @property
    def last_name(self) -> str | None:
        return self.state.last_name

    @property
    def username(self) -> str | None:
        return self.state.username

    @property
    def ref(self) -> str:
        """How an admin names this user in a command on MAX."""
        return f"max:{self.user_id}"

    @property
    def can_receive(self) -> bool:
        """May the bot write to this user now?"""
        return self.state.started and not self.state.stopped

    def set_private(self, private: bool = True) -> None:
        """Privacy settings that forbid the bot adding this user to chats."""
        self.state.private = private

    # ------------------------------------------------------------------ the dialog

    def _user_api(self) -> dict[str, Any]:
        return self.sandbox.user_api(self.state)

    async def start(self, payload: str | None = None) -> None:
        """Opens the bot (the Start button), or a deep link ``https://max.ru/<bot>?start=...``:
        a ``bot_started`` update carrying ``payload``."""
        if payload is not None and len(payload) > 512:
            payload = None  # the docs: a longer payload is not passed to the bot
        self.state.started = True
        self.state.stopped = False
        self.sandbox.emit(
            "bot_started",
            chat_id=self.dialog_id,
            user=self._user_api(),
            payload=payload,
            user_locale="ru",
        )
        await asyncio.sleep(0)

    def deep_link(self, payload: str) -> str:
        return f"{self.sandbox.deep_link_base}?start={payload}"

    async def open_link(self, link: str) -> None:
        """Follows a deep link the bot gave (``https://max.ru/<bot>?start=<payload>``)."""
        base = self.sandbox.deep_link_base
        if not link.startswith(base):
            raise ValueError(f"{link!r} is not this bot's link ({base})")
        rest = link[len(base) :]
        payload = rest.split("start=", 1)[1] if "start=" in rest else None
        await self.start(payload)

    async def stop(self) -> None:
        """Stops (blocks) the bot: ``bot_stopped``; sends to this user fail from now on."""
        self.state.stopped = True
        self.sandbox.emit("bot_stopped", chat_id=self.dialog_id, user=self._user_api())
        await asyncio.sleep(0)

    async def deny_messages(self) -> None:
        """vk_sandbox's name for stopping the bot."""
        await self.stop()

    async def allow_messages(self) -> None:
        """vk_sandbox's name for (re)starting the bot."""
        await self.start()

    def _post(
        self, chat_id: int, text: str, attachments: list[dict[str, Any]] | None
    ) -> dict[str, Any]:
        sb = self.sandbox
        stored = sb.new_message(self._user_api(), chat_id, text, attachments or None)
        self.state.last_activity = stored.timestamp
        return stored.api

    def _file_attachments(
        self,
        document: tuple[str, bytes] | None,
        attachments: Sequence[dict[str, Any]] | None,
        photo: tuple[str, bytes] | None = None,
    ) -> list[dict[str, Any]]:
        result = [dict(a) for a in attachments or ()]
        if photo is not None:
            # As MAX delivers a photo a user sent: an `image` attachment with its url.
            result.append(
                self.sandbox.file_attachment(self.sandbox._store("image", photo[1], photo[0]))
            )
        if document is not None:
            name, data = document
            kind = "image" if name.lower().endswith((".png", ".jpg", ".jpeg", ".gif")) else "file"
            result.append(self.sandbox.file_attachment(self.sandbox._store(kind, data, name)))
        return result

    async def send(
        self,
        text: str = "",
        ref: str | None = None,
        ref_source: str | None = None,
        payload: Any = None,
        attachments: Sequence[dict[str, Any]] | None = None,
        document: tuple[str, bytes] | None = None,
        chat: ChatDriver | None = None,
        photo: tuple[str, bytes] | None = None,
    ) -> str:
        """Writes to the bot (or in ``chat``); returns the message's mid. ``document`` goes
        as a ``file`` attachment (an image's name: as ``image``), ``photo`` as ``image``.

        ``send("Начать", ref=code)`` is MAX's deep link (``bot_started`` with the payload), as
        is "Начать" from someone who has not opened the bot yet; then "" is returned.
        ``payload`` and ``ref_source`` are VK's and ignored.
        """
        items = self._file_attachments(document, attachments, photo)
        if chat is not None:
            return chat._post(self, text, items)
        if text == START_TEXT and not items and (ref is not None or not self.state.started):
            await self.start(ref)
            return ""
        if not self.state.started or self.state.stopped:
            await self.start()
        message = self._post(self.dialog_id, text, items)
        self.sandbox.emit("message_created", message=message, user_locale="ru")
        await asyncio.sleep(0)
        return str(message["body"]["mid"])

    async def send_file(
        self, name: str, data: bytes, text: str = "", chat: ChatDriver | None = None
    ) -> str:
        """Sends a file (downloadable from the sandbox by its attachment's ``url``)."""
        return await self.send(text, document=(name, data), chat=chat)

    async def press(self, button: Button) -> str:
        """Presses a button of a bot message.

        ``callback``: a ``message_callback`` update; returns its callback_id.
        ``message``: the button's text is sent as this user's message; returns its mid.
        """
        sb = self.sandbox
        message = sb.bot_messages.get(button.message_id)
        if message is None or message.deleted:
            raise ValueError(f"the message of button {button.label!r} is gone")
        in_chat = message.chat_id in sb.chats
        if in_chat and self.user_id not in sb.chats[message.chat_id].members:
            raise ValueError(f"{self!r} is not a member of chat {message.chat_id}")
        if button.type == "message":
            if in_chat:
                return sb.chat(message.chat_id)._post(self, button.label, [])
            return await self.send(button.label)
        if button.type != "callback":
            raise ValueError(f"a {button.type!r} button sends nothing to the bot")
        callback_id = f"cb.{secrets.token_hex(12)}"
        sb.callbacks[callback_id] = PendingCallback(self.user_id, message.id, sb.clock())
        callback: dict[str, Any] = {
            "timestamp": sb.now_ms(),
            "callback_id": callback_id,
            "user": self._user_api(),
        }
        if button.payload is not None:
            callback["payload"] = button.payload
        if not in_chat or sb.bot_sees_chat(sb.chats[message.chat_id]):
            sb.emit(
                "message_callback",
                callback=callback,
                message=sb.messages[message.id].api,
                user_locale="ru",
            )
        await asyncio.sleep(0)
        return callback_id

    # ------------------------------------------------------------------ reading

    @property
    def _inbox(self) -> Inbox[BotMessage]:
        return self.sandbox.inbox(self.peer_id)

    @property
    def _answers(self) -> Inbox[dict[str, Any]]:
        return self.sandbox.answers_inbox(self.user_id)


class ChatDriver(ChatInbox[BotMessage]):
    """A group chat (a negative chat id)."""

    def __init__(self, sandbox: MaxSandbox, state: ChatState) -> None:
        self.sandbox = sandbox
        self.state = state

    def __repr__(self) -> str:
        return f"<ChatDriver {self.chat_id} {self.title!r}>"

    @property
    def chat_id(self) -> int:
        return self.state.chat_id

    @property
    def peer_id(self) -> int:
        return self.state.chat_id

    @property
    def title(self) -> str:
        return self.state.title

    @property
    def link(self) -> str | None:
        return self.state.link

    @property
    def member_ids(self) -> list[int]:
        """Members' ids (the bot, if a member, by its user id)."""
        return list(self.state.members)

    @property
    def bot_member(self) -> bool:
        return self.state.bot_member

    @property
    def bot_admin(self) -> bool:
        return self.state.bot_admin

    def set_bot_admin(self, admin: bool = True) -> None:
        if admin and not self.state.bot_member:
            raise ValueError("the bot is not a member of this chat")
        self.state.bot_admin = admin
        member = self.state.members.get(self.sandbox.bot_id)
        if member is not None:
            member.is_admin = admin

    def set_bot_full_access(self, full: bool = True) -> None:
        """vk_sandbox's switch; on MAX the bot reads a chat when it is its admin."""
        self.set_bot_admin(full)

    def _sees(self) -> bool:
        return self.sandbox.bot_sees_chat(self.state)

    def _post(self, user: UserDriver, text: str, attachments: list[dict[str, Any]]) -> str:
        if user.user_id not in self.state.members:
            raise ValueError(f"{user!r} is not a member of {self!r}")
        message = user._post(self.chat_id, text, attachments)
        if self._sees():
            self.sandbox.emit("message_created", message=message)
        return str(message["body"]["mid"])

    async def send(self, user: UserDriver, text: str) -> str:
        return self._post(user, text, [])

    async def add_bot(self, by: UserDriver, admin: bool = True) -> None:
        """``by`` adds the bot (as an admin unless ``admin=False``, as MAX's client offers):
        ``bot_added``."""
        sb = self.sandbox
        self.state.members[sb.bot_id] = MemberState(sb.bot_id, sb.now_ms(), by.user_id, admin)
        self.state.bot_member = True
        self.state.bot_admin = admin
        self.state.status = "active"
        sb.emit("bot_added", chat_id=self.chat_id, user=by._user_api(), is_channel=False)
        await asyncio.sleep(0)

    async def add_member(self, user: UserDriver, by: UserDriver | None = None) -> None:
        """``by`` (default: the owner) adds ``user``: ``user_added``."""
        sb = self.sandbox
        inviter = by or sb.user(self.state.owner_id)
        self.state.members[user.user_id] = MemberState(user.user_id, sb.now_ms(), inviter.user_id)
        if self._sees():
            sb.emit(
                "user_added",
                chat_id=self.chat_id,
                user=user._user_api(),
                inviter_id=inviter.user_id,
                is_channel=False,
            )
        await asyncio.sleep(0)

    async def join_by_link(self, user: UserDriver) -> None:
        """``user`` joins by the chat's link: ``user_added`` with no inviter."""
        sb = self.sandbox
        self.state.members[user.user_id] = MemberState(user.user_id, sb.now_ms(), None)
        if self._sees():
            sb.emit(
                "user_added",
                chat_id=self.chat_id,
                user=user._user_api(),
                inviter_id=None,
                is_channel=False,
            )
        await asyncio.sleep(0)

    async def remove_member(self, user: UserDriver, by: UserDriver | None = None) -> None:
        """``user`` leaves (or ``by`` removes them): ``user_removed``."""
        self.state.members.pop(user.user_id, None)
        if self._sees():
            fields: dict[str, Any] = {"chat_id": self.chat_id, "user": user._user_api()}
            if by is not None:
                # admin_id is not nullable in the schema: left out when the user left.
                fields["admin_id"] = by.user_id
            self.sandbox.emit("user_removed", is_channel=False, **fields)
        await asyncio.sleep(0)

    async def remove_bot(self, by: UserDriver) -> None:
        """``by`` removes the bot from the chat: ``bot_removed``."""
        sb = self.sandbox
        self.state.members.pop(sb.bot_id, None)
        self.state.bot_member = False
        self.state.bot_admin = False
        self.state.status = "removed"
        sb.emit("bot_removed", chat_id=self.chat_id, user=by._user_api(), is_channel=False)
        await asyncio.sleep(0)

    @property
    def _inbox(self) -> Inbox[BotMessage]:
        return self.sandbox.inbox(self.peer_id)


__all__ = ["ChatDriver", "UserDriver"]
