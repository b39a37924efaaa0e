"""Drivers that play VK users and group chats against the bot."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sandbox_kit.waits import ChatInbox, UserInbox

from .files import image_size
from .keyboard import compact_json
from .models import (
    CHAT_PEER_BASE,
    BotMessage,
    Button,
    ChatMemberState,
    ChatState,
    PendingEvent,
    UserState,
)

if TYPE_CHECKING:
    from sandbox_kit.inbox import Inbox

    from .sandbox import VKSandbox

BUTTON_ACTIONS = [
    "text",
    "vkpay",
    "open_app",
    "location",
    "open_link",
    "callback",
    "intent_subscribe",
    "intent_unsubscribe",
]
ATTACHMENT_RE = re.compile(r"^(photo|doc)(-?\d+)_(\d+)")


def client_info() -> dict[str, Any]:
    return {
        "button_actions": list(BUTTON_ACTIONS),
        "keyboard": True,
        "inline_keyboard": True,
        "carousel": True,
        "lang_id": 0,
    }


class UserDriver(UserInbox[BotMessage]):
    """A VK user who talks to the community (private dialog and group chats)."""

    def __init__(self, sandbox: VKSandbox, state: UserState) -> None:
        self.sandbox = sandbox
        self.state = state

    def __repr__(self) -> str:
        return f"<UserDriver {self.user_id} {self.first_name} {self.last_name}>"

    @property
    def user_id(self) -> int:
        return self.state.user_id

    @property
    def peer_id(self) -> int:
        return self.state.user_id

    @property
    def first_name(self) -> str:
        return self.state.first_name

    @property
    def last_name(self) -> str:
        return self.state.last_name

    @property
    def screen_name(self) -> str:
        return self.sandbox.screen_name_of(self.state)

    @property
    def ref(self) -> str:
        """How an admin names this user in a command on VK (``/verify id123``)."""
        return f"id{self.user_id}"

    @property
    def can_receive(self) -> bool:
        """May the community write to this user now (no error 901)?"""
        return self.state.can_write

    # ------------------------------------------------------------------ sending

    def _attachments(
        self,
        attachments: Sequence[str | dict[str, Any]] | None,
        document: tuple[str, bytes] | None,
        photo: tuple[str, bytes] | None = None,
    ) -> list[dict[str, Any]]:
        sb = self.sandbox
        result: list[dict[str, Any]] = []
        for item in attachments or ():
            if isinstance(item, dict):
                result.append(item)
                continue
            match = ATTACHMENT_RE.match(item)
            if match is None:
                raise ValueError(f"unsupported attachment {item!r}")
            key = (int(match.group(2)), int(match.group(3)))
            if match.group(1) == "photo" and key in sb.photos:
                result.append({"type": "photo", "photo": sb.photos[key].to_api(sb.base_url)})
            elif match.group(1) == "doc" and key in sb.docs:
                result.append({"type": "doc", "doc": sb.docs[key].to_api(sb.base_url)})
            else:
                raise ValueError(f"no such object in the sandbox: {item!r}")
        if photo is not None:
            # As VK delivers a photo a user sent: the photo object with its sizes' URLs.
            _, data = photo
            size = image_size(data) or (100, 100)
            stored = sb.new_photo(self.user_id, data, size)
            result.append({"type": "photo", "photo": stored.to_api(sb.base_url)})
        if document is not None:
            filename, data = document
            doc = sb.new_doc(self.user_id, data, filename, None)
            result.append({"type": "doc", "doc": doc.to_api(sb.base_url)})
        return result

    def _message(
        self,
        peer_id: int,
        text: str,
        attachments: list[dict[str, Any]],
        payload: str | None = None,
        ref: str | None = None,
        ref_source: str | None = None,
        action: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        sb = self.sandbox
        in_chat = peer_id > CHAT_PEER_BASE
        real_id = sb.next_message_id()
        message: dict[str, Any] = {
            "date": int(sb.clock()),
            "from_id": self.user_id,
            "id": 0 if in_chat else real_id,
            "out": 0,
            "version": sb.next_version(),
            "attachments": attachments,
            "conversation_message_id": sb.next_cmid(peer_id),
            "fwd_messages": [],
            "important": False,
            "is_hidden": False,
            "peer_id": peer_id,
            "random_id": 0,
            "text": text,
        }
        if payload is not None:
            message["payload"] = payload
        if ref is not None:
            message["ref"] = ref
        if ref_source is not None:
            message["ref_source"] = ref_source
        if action is not None:
            message["action"] = action
        sb.user_messages[real_id] = message
        return message

    def _deliver_new(self, message: dict[str, Any]) -> None:
        """The community receives ``message``: a message_new event and its history."""
        self.sandbox.conversation(int(message["peer_id"])).add_incoming(message)
        self.sandbox.log.append("message_new", {"message": message, "client_info": client_info()})

    async def send(
        self,
        text: str = "",
        ref: str | None = None,
        ref_source: str | None = None,
        payload: dict[str, Any] | str | None = None,
        attachments: Sequence[str | dict[str, Any]] | None = None,
        document: tuple[str, bytes] | None = None,
        chat: ChatDriver | None = None,
        photo: tuple[str, bytes] | None = None,
    ) -> int:
        """Write to the community (or to ``chat``); returns the message id the bot sees.

        In a group chat the bot sees ``id`` 0, so the conversation_message_id is returned.
        ``document`` is sent as a ``doc`` attachment, ``photo`` (name, bytes of a PNG, JPEG
        or GIF) as a ``photo`` one; the bot downloads either from the sandbox's files.
        """
        raw_payload = compact_json(payload) if isinstance(payload, dict) else payload
        items = self._attachments(attachments, document, photo)
        if chat is not None:
            return chat._post(self, text, items, raw_payload)
        self.state.can_write = True
        message = self._message(self.user_id, text, items, raw_payload, ref, ref_source)
        self._deliver_new(message)
        await asyncio.sleep(0)
        return int(message["id"])

    async def press(self, button: Button) -> int | str:
        """Press a keyboard button of a bot message.

        A text button sends its label with the payload (message_new); returns the message id
        as ``send`` does. A callback button raises a message_event; returns its event_id.
        """
        sb = self.sandbox
        peer_id = button.message_peer_id or self.peer_id
        if button.type == "text":
            if peer_id > CHAT_PEER_BASE:
                chat = sb.chat(peer_id - CHAT_PEER_BASE)
                return chat._post(self, button.label, [], button.raw_payload)
            self.state.can_write = True
            message = self._message(peer_id, button.label, [], button.raw_payload)
            self._deliver_new(message)
            await asyncio.sleep(0)
            return int(message["id"])
        if button.type == "callback":
            if peer_id > CHAT_PEER_BASE:
                chat_state = sb.chats[peer_id - CHAT_PEER_BASE]
                if self.user_id not in chat_state.members:
                    raise ValueError(f"{self!r} is not a member of chat {chat_state.chat_id}")
            event_id = secrets.token_hex(6)
            sb.pending_events[event_id] = PendingEvent(self.user_id, peer_id, sb.clock())
            obj: dict[str, Any] = {
                "user_id": self.user_id,
                "peer_id": peer_id,
                "event_id": event_id,
                "payload": button.payload if button.payload is not None else {},
            }
            if button.conversation_message_id:
                obj["conversation_message_id"] = button.conversation_message_id
            sb.log.append("message_event", obj)
            await asyncio.sleep(0)
            return event_id
        raise ValueError(f"a {button.type!r} button sends nothing to the bot")

    # ------------------------------------------------------------------ permissions

    async def allow_messages(self) -> None:
        """The user allows the community to write (message_allow)."""
        self.state.can_write = True
        self.sandbox.log.append("message_allow", {"user_id": self.user_id, "key": ""})
        await asyncio.sleep(0)

    async def deny_messages(self) -> None:
        """The user forbids messages from the community (message_deny); sends then fail: 901."""
        self.state.can_write = False
        self.sandbox.log.append("message_deny", {"user_id": self.user_id})
        await asyncio.sleep(0)

    # ------------------------------------------------------------------ reading

    @property
    def _inbox(self) -> Inbox[BotMessage]:
        return self.sandbox.inbox(self.peer_id)

    @property
    def _answers(self) -> Inbox[dict[str, Any]]:
        return self.sandbox.answers_inbox(self.user_id)


class ChatDriver(ChatInbox[BotMessage]):
    """A group chat (peer_id 2000000000 + chat_id)."""

    def __init__(self, sandbox: VKSandbox, state: ChatState) -> None:
        self.sandbox = sandbox
        self.state = state

    def __repr__(self) -> str:
        return f"<ChatDriver {self.chat_id} {self.title!r}>"

    @property
    def chat_id(self) -> int:
        return self.state.chat_id

    @property
    def peer_id(self) -> int:
        return self.state.peer_id

    @property
    def title(self) -> str:
        return self.state.title

    @property
    def member_ids(self) -> list[int]:
        """Members' ids as VK lists them (the bot, if a member, as -group_id)."""
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

    def set_bot_full_access(self, full: bool = True) -> None:
        """Without full access (and not admin) the bot sees only mentions, /commands, actions."""
        self.state.bot_full_access = full

    def _bot_sees(self, text: str, payload: str | None, action: dict[str, Any] | None) -> bool:
        state = self.state
        if not state.bot_member:
            return False
        if state.bot_full_access or state.bot_admin or action is not None or payload is not None:
            return True
        sb = self.sandbox
        lowered = text.lower()
        mentions = (f"[club{sb.group_id}|", f"@club{sb.group_id}", f"@{sb.screen_name.lower()}")
        return lowered.startswith("/") or any(m in lowered for m in mentions)

    def _post(
        self,
        user: UserDriver,
        text: str,
        attachments: list[dict[str, Any]],
        payload: str | None,
        action: dict[str, Any] | None = None,
    ) -> int:
        if user.user_id not in self.state.members:
            raise ValueError(f"{user!r} is not a member of {self!r}")
        message = user._message(self.peer_id, text, attachments, payload, action=action)
        if self._bot_sees(text, payload, action):
            user._deliver_new(message)
        return int(message["conversation_message_id"])

    async def add_bot(self, by: UserDriver) -> None:
        """``by`` adds the community to the chat: message_new with chat_invite_user."""
        sb = self.sandbox
        bot_id = -sb.group_id
        self.state.members[bot_id] = ChatMemberState(bot_id, by.user_id, int(sb.clock()))
        self.state.bot_member = True
        self.state.bot_left = False
        self._post(by, "", [], None, {"type": "chat_invite_user", "member_id": bot_id})
        await asyncio.sleep(0)

    async def add_member(self, user: UserDriver, by: UserDriver | None = None) -> None:
        """``by`` (default: the owner) adds ``user``: message_new with chat_invite_user."""
        sb = self.sandbox
        inviter = by or sb.user(self.state.owner_id)
        self.state.members[user.user_id] = ChatMemberState(
            user.user_id, inviter.user_id, int(sb.clock())
        )
        self._post(inviter, "", [], None, {"type": "chat_invite_user", "member_id": user.user_id})
        await asyncio.sleep(0)

    async def join_by_link(self, user: UserDriver) -> None:
        """``user`` joins by the chat's invite link: message_new with chat_invite_user_by_link,
        written by the one who joined."""
        sb = self.sandbox
        self.state.members[user.user_id] = ChatMemberState(
            user.user_id, self.state.owner_id, int(sb.clock())
        )
        self._post(
            user, "", [], None, {"type": "chat_invite_user_by_link", "member_id": user.user_id}
        )
        await asyncio.sleep(0)

    async def remove_member(self, user: UserDriver, by: UserDriver | None = None) -> None:
        """``user`` leaves (or ``by`` kicks them): message_new with chat_kick_user."""
        actor = by or user
        self._post(actor, "", [], None, {"type": "chat_kick_user", "member_id": user.user_id})
        self.state.members.pop(user.user_id, None)
        await asyncio.sleep(0)

    async def remove_bot(self, by: UserDriver) -> None:
        """``by`` removes the community from the chat (the bot sees nothing of it)."""
        self.state.members.pop(-self.sandbox.group_id, None)
        self.state.bot_member = False
        self.state.bot_admin = False
        self.state.bot_left = False
        await asyncio.sleep(0)

    @property
    def _inbox(self) -> Inbox[BotMessage]:
        return self.sandbox.inbox(self.peer_id)


__all__ = ["ChatDriver", "UserDriver"]
