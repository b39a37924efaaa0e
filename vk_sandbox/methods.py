"""API methods of the sandbox, as VK 5.199 answers them for a community token."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import vkscript
from .errors import VKError, param_error
from .files import image_size
from .history import Conversation, HistoryItem, cmid_of, id_of
from .keyboard import validate_keyboard
from .models import CHAT_PEER_BASE, BotMessage, ChatState, DedupRecord, UserState
from .params import Params

if TYPE_CHECKING:
    from .sandbox import VKSandbox

MAX_MESSAGE_LENGTH = 4096
MAX_PEER_IDS = 100
EDIT_WINDOW = 24 * 3600
DEDUP_WINDOW = 3600.0  # random_id deduplication per peer
MESSAGE_EVENT_TTL = 60.0  # how long a callback press can be answered
ATTACHMENT_RE = re.compile(r"^(photo|doc)(-?\d+)_(\d+)(?:_([A-Za-z0-9]+))?$")
DEFAULT_PHOTO = "https://vk.com/images/camera_{size}.png"
USER_FIELDS = ("screen_name", "domain", "sex", "photo_50", "photo_100", "photo_200", "online")
# What getConversations / getHistory with extended=1 tell of users when no fields are asked.
EXTENDED_USER_FIELDS = ["sex", "screen_name", "photo_50", "photo_100", "online"]
MAX_HISTORY_COUNT = 200
CONVERSATION_FILTERS = ("all", "unread", "important", "unanswered")


@dataclass
class ExecuteResult:
    value: Any
    errors: list[dict[str, Any]] = field(default_factory=list)


Handler = Callable[[Params], Awaitable[Any]]


class Methods:
    def __init__(self, sandbox: VKSandbox) -> None:
        self.sb = sandbox
        self.handlers: dict[str, Handler] = {
            "execute": self.execute,
            "groups.getById": self.groups_get_by_id,
            "groups.getLongPollServer": self.groups_get_long_poll_server,
            "messages.send": self.messages_send,
            "messages.edit": self.messages_edit,
            "messages.sendMessageEventAnswer": self.messages_send_message_event_answer,
            "messages.getConversationMembers": self.messages_get_conversation_members,
            "messages.getConversations": self.messages_get_conversations,
            "messages.getHistory": self.messages_get_history,
            "messages.getInviteLink": self.messages_get_invite_link,
            "messages.removeChatUser": self.messages_remove_chat_user,
            "users.get": self.users_get,
            "utils.resolveScreenName": self.utils_resolve_screen_name,
            "photos.getMessagesUploadServer": self.photos_get_messages_upload_server,
            "photos.saveMessagesPhoto": self.photos_save_messages_photo,
            "docs.getMessagesUploadServer": self.docs_get_messages_upload_server,
            "docs.save": self.docs_save,
        }

    def exists(self, method: str) -> bool:
        return method in self.handlers

    async def call(self, method: str, params: dict[str, str]) -> Any:
        return await self.handlers[method](Params(params))

    # ------------------------------------------------------------------ helpers

    def group_object(self) -> dict[str, Any]:
        gid = self.sb.group_id
        return {
            "id": gid,
            "name": self.sb.group_name,
            "screen_name": self.sb.screen_name,
            "is_closed": 0,
            "type": "group",
            "photo_50": f"https://sun9-1.userapi.com/club{gid}_50.jpg",
            "photo_100": f"https://sun9-1.userapi.com/club{gid}_100.jpg",
            "photo_200": f"https://sun9-1.userapi.com/club{gid}_200.jpg",
        }

    def user_object(self, user: UserState, fields: list[str]) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "id": user.user_id,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "can_access_closed": True,
            "is_closed": user.is_closed,
        }
        for name in fields:
            if name in ("screen_name", "domain"):
                obj[name] = self.sb.screen_name_of(user)
            elif name == "sex":
                obj["sex"] = user.sex
            elif name == "online":
                obj["online"] = 0
            elif name.startswith("photo_") and name[6:].isdigit():
                obj[name] = DEFAULT_PHOTO.format(size=name[6:])
        return obj

    def chat_of_peer(self, peer_id: int) -> ChatState:
        """The chat for a peer_id the bot is in; error 917 otherwise."""
        chat = self.sb.chats.get(peer_id - CHAT_PEER_BASE) if peer_id > CHAT_PEER_BASE else None
        if chat is None or not chat.bot_member:
            raise VKError(917)
        return chat

    def check_peer(self, peer_id: int) -> None:
        """Can the community write to ``peer_id``? Raises VK's error if not."""
        if peer_id > CHAT_PEER_BASE:
            self.chat_of_peer(peer_id)
        elif peer_id > 0:
            user = self.sb.users.get(peer_id)
            if user is None or not user.can_write:
                raise VKError(901)
        else:
            raise VKError(932)

    def parse_attachments(self, raw: str | None) -> list[str]:
        if raw is None:
            return []
        result: list[str] = []
        for item in (part.strip() for part in raw.split(",")):
            if not item:
                continue
            match = ATTACHMENT_RE.match(item)
            if match is None:
                raise param_error(f"attachment {item!r} is invalid")
            kind, owner, item_id = match.group(1), int(match.group(2)), int(match.group(3))
            store: dict[tuple[int, int], Any] = self.sb.photos if kind == "photo" else self.sb.docs
            if (owner, item_id) not in store:
                raise param_error(f"attachment {item!r} is invalid: object not found")
            result.append(f"{kind}{owner}_{item_id}")
        return result

    # ------------------------------------------------------------------ execute

    async def execute(self, p: Params) -> ExecuteResult:
        code = p.req_str("code")
        tree = vkscript.parse(code)
        errors: list[dict[str, Any]] = []

        async def run(method: str, params: dict[str, str]) -> Any:
            try:
                return await self.sb.call_nested(method, params)
            except VKError as error:
                errors.append(
                    {"method": method, "error_code": error.code, "error_msg": error.message}
                )
                return False

        value = await vkscript.evaluate(tree, run)
        return ExecuteResult(value, errors)

    # ------------------------------------------------------------------ groups

    async def groups_get_by_id(self, p: Params) -> dict[str, Any]:
        ids = p.str_list("group_ids") or p.str_list("group_id") or []
        for item in ids:
            if item not in (str(self.sb.group_id), self.sb.screen_name):
                raise param_error("group_ids is invalid")
        return {"groups": [self.group_object()], "profiles": []}

    async def groups_get_long_poll_server(self, p: Params) -> dict[str, Any]:
        group_id = p.req_int("group_id")
        if group_id != self.sb.group_id:
            raise VKError(15, "this method is available only with the community's own token")
        return {
            "key": self.sb.current_lp_key(),
            "server": self.sb.longpoll_url,
            "ts": str(self.sb.log.next_ts),
        }

    # ------------------------------------------------------------------ messages

    def _recipients(self, p: Params) -> tuple[list[int], bool]:
        peer_ids = p.int_list("peer_ids")
        if peer_ids is not None:
            if len(peer_ids) > MAX_PEER_IDS:
                raise param_error(f"peer_ids is too long: max {MAX_PEER_IDS} peers")
            return peer_ids, True
        peer_id = p.opt_int("peer_id")
        if peer_id is not None:
            return [peer_id], False
        user_id = p.opt_int("user_id")
        if user_id is not None:
            return [user_id], False
        chat_id = p.opt_int("chat_id")
        if chat_id is not None:
            return [CHAT_PEER_BASE + chat_id], False
        domain = p.opt_str("domain")
        if domain is not None:
            resolved = self.sb.resolve_screen_name(domain)
            if resolved is None or resolved[0] != "user":
                raise param_error("domain is invalid")
            return [resolved[1]], False
        raise param_error("you should specify peer_id, user_id, domain, chat_id or peer_ids param")

    async def messages_send(self, p: Params) -> Any:
        random_id = p.opt_int("random_id")
        if random_id is None:
            raise param_error("random_id is a required parameter")
        peers, many = self._recipients(p)
        text = p.opt_str("message") or ""
        if len(text) > MAX_MESSAGE_LENGTH:
            raise VKError(914)
        keyboard_raw = p.opt_str("keyboard")
        keyboard = validate_keyboard(keyboard_raw) if keyboard_raw is not None else None
        attachments = self.parse_attachments(p.opt_str("attachment"))
        has_other = any(p.has(k) for k in ("sticker_id", "forward_messages", "forward"))
        if not text.strip() and not attachments and not has_other:
            raise param_error("message is empty or invalid")
        payload = p.opt_str("payload")

        if not many:
            message_id, _ = self._send_one(
                peers[0], text, keyboard, attachments, random_id, payload
            )
            return message_id
        results: list[dict[str, Any]] = []
        for peer in peers:
            try:
                message_id, cmid = self._send_one(
                    peer, text, keyboard, attachments, random_id, payload
                )
            except VKError as error:
                results.append(
                    {"peer_id": peer, "error": {"code": error.code, "description": error.message}}
                )
            else:
                results.append(
                    {"peer_id": peer, "message_id": message_id, "conversation_message_id": cmid}
                )
        return results

    def _send_one(
        self,
        peer_id: int,
        text: str,
        keyboard: dict[str, Any] | None,
        attachments: list[str],
        random_id: int,
        payload: str | None,
    ) -> tuple[int, int]:
        sb = self.sb
        now = sb.clock()
        if random_id != 0:
            record = sb.dedup.get((peer_id, random_id))
            if record is not None and now - record.time < DEDUP_WINDOW:
                return record.message_id, record.conversation_message_id
        self.check_peer(peer_id)
        message_id = sb.next_message_id()
        cmid = sb.next_cmid(peer_id)
        message = BotMessage(
            id=message_id,
            peer_id=peer_id,
            text=text,
            keyboard=keyboard,
            inline=bool(keyboard and keyboard["inline"]),
            one_time=bool(keyboard and keyboard["one_time"]),
            attachments=attachments,
            random_id=random_id,
            conversation_message_id=cmid,
            date=int(now),
            payload=payload,
            version=sb.next_version(),
        )
        if random_id != 0:
            sb.dedup[(peer_id, random_id)] = DedupRecord(message_id, cmid, now)
        sb.bot_messages[message_id] = message
        sb.conversation(peer_id).add_outgoing(message)
        sb.sent.append(message)
        sb.inbox(peer_id).push(message)
        return message_id, cmid

    def _find_bot_message(self, peer_id: int, p: Params) -> BotMessage:
        message_id = p.opt_int("message_id")
        cmid = p.opt_int("conversation_message_id")
        if cmid is None:
            cmid = p.opt_int("cmid")
        if message_id is None and cmid is None:
            raise param_error("message_id or conversation_message_id is required")
        for message in reversed(self.sb.sent):
            if message.peer_id != peer_id:
                continue
            if message_id is not None and message.id == message_id:
                return message
            if message_id is None and message.conversation_message_id == cmid:
                return message
        if message_id is not None and message_id in self.sb.user_messages:
            raise VKError(920)
        for stored in self.sb.user_messages.values():
            if stored["peer_id"] == peer_id and stored["conversation_message_id"] == cmid:
                raise VKError(920)
        raise param_error("message_id is invalid")

    async def messages_edit(self, p: Params) -> int:
        peer_id = p.req_int("peer_id")
        if peer_id > CHAT_PEER_BASE:
            self.chat_of_peer(peer_id)
        message = self._find_bot_message(peer_id, p)
        if self.sb.clock() - message.date > EDIT_WINDOW:
            raise VKError(909)
        text = p.opt_str("message")
        if text is not None and len(text) > MAX_MESSAGE_LENGTH:
            raise VKError(914)
        keyboard_raw = p.opt_str("keyboard")
        keyboard = validate_keyboard(keyboard_raw) if keyboard_raw is not None else None
        attachments = (
            self.parse_attachments(p.opt_str("attachment"))
            if p.has("attachment")
            else message.attachments
        )
        new_text = text if text is not None else ""
        if not new_text.strip() and not attachments:
            raise param_error("message is empty or invalid")
        message.text = new_text
        message.attachments = attachments
        message.replace_keyboard(keyboard)
        message.edited = True
        message.version = self.sb.next_version()
        message.update_time = int(self.sb.clock())
        return 1

    async def messages_send_message_event_answer(self, p: Params) -> int:
        event_id = p.req_str("event_id")
        user_id = p.req_int("user_id")
        peer_id = p.req_int("peer_id")
        pending = self.sb.pending_events.get(event_id)
        if (
            pending is None
            or pending.answered
            or pending.user_id != user_id
            or pending.peer_id != peer_id
            or self.sb.clock() - pending.created > MESSAGE_EVENT_TTL
        ):
            raise param_error("event_id is invalid")
        data: dict[str, Any] = {}
        raw = p.opt_str("event_data")
        if raw is not None:
            if len(raw) > 1000:
                raise param_error("event_data is too long")
            try:
                parsed = json.loads(raw)
            except ValueError:
                raise param_error("event_data is invalid") from None
            if not isinstance(parsed, dict):
                raise param_error("event_data is invalid")
            kind = parsed.get("type")
            if kind == "show_snackbar":
                snack = parsed.get("text")
                if not isinstance(snack, str) or not snack or len(snack) > 90:
                    raise param_error("event_data.text is invalid")
            elif kind == "open_link":
                if not isinstance(parsed.get("link"), str):
                    raise param_error("event_data.link is invalid")
            elif kind == "open_app":
                if not isinstance(parsed.get("app_id"), int):
                    raise param_error("event_data.app_id is invalid")
            else:
                raise param_error("event_data.type is invalid")
            data = parsed
        pending.answered = True
        self.sb.answers_inbox(user_id).push(data)
        return 1

    async def messages_get_conversation_members(self, p: Params) -> dict[str, Any]:
        peer_id = p.req_int("peer_id")
        chat = self.chat_of_peer(peer_id)
        if not chat.bot_admin:
            raise VKError(917)
        fields = p.str_list("fields") or []
        items: list[dict[str, Any]] = []
        profiles: list[dict[str, Any]] = []
        groups: list[dict[str, Any]] = []
        for member in chat.members.values():
            is_owner = member.member_id == chat.owner_id
            is_admin = is_owner or (member.member_id == -self.sb.group_id and chat.bot_admin)
            item: dict[str, Any] = {
                "member_id": member.member_id,
                "invited_by": member.invited_by,
                "join_date": member.join_date,
            }
            if is_admin:
                item["is_admin"] = True
            if is_owner:
                item["is_owner"] = True
            if not is_owner and member.member_id != -self.sb.group_id:
                item["can_kick"] = True
            items.append(item)
            if member.member_id > 0:
                user = self.sb.users[member.member_id]
                profiles.append(self.user_object(user, fields))
            elif member.member_id == -self.sb.group_id:
                groups.append(self.group_object())
        return {"count": len(items), "items": items, "profiles": profiles, "groups": groups}

    async def messages_get_invite_link(self, p: Params) -> dict[str, Any]:
        peer_id = p.req_int("peer_id")
        chat = self.chat_of_peer(peer_id)
        if not chat.bot_admin:
            raise VKError(919)
        if chat.invite_link is None or p.flag("reset"):
            chat.invite_link = "https://vk.me/join/" + secrets.token_urlsafe(24)
        return {"link": chat.invite_link}

    async def messages_remove_chat_user(self, p: Params) -> int:
        chat_id = p.req_int("chat_id")
        member_id = p.opt_int("member_id")
        if member_id is None:
            member_id = p.opt_int("user_id")
        if member_id is None:
            raise param_error("user_id or member_id is required")
        chat = self.chat_of_peer(CHAT_PEER_BASE + chat_id)
        if member_id == -self.sb.group_id:
            chat.members.pop(member_id, None)
            chat.bot_member = False
            chat.bot_admin = False
            chat.bot_left = True
            return 1
        if not chat.bot_admin:
            raise VKError(925)
        if member_id not in chat.members:
            raise VKError(935)
        if member_id == chat.owner_id:
            raise VKError(15, "can't kick the chat owner")
        del chat.members[member_id]
        return 1

    # ------------------------------------------------------------------ history

    def bot_message_object(self, message: BotMessage) -> dict[str, Any]:
        """A message the community sent, as VK returns it (current text after edits)."""
        obj: dict[str, Any] = {
            "date": message.date,
            "from_id": -self.sb.group_id,
            "id": message.id,
            "out": 1,
            "version": message.version,
            "attachments": [self.attachment_object(a) for a in message.attachments],
            "conversation_message_id": message.conversation_message_id,
            "fwd_messages": [],
            "important": False,
            "is_hidden": False,
            "peer_id": message.peer_id,
            "random_id": message.random_id,
            "text": message.text,
        }
        if message.keyboard is not None:
            obj["keyboard"] = {**message.keyboard, "author_id": -self.sb.group_id}
        if message.payload is not None:
            obj["payload"] = message.payload
        if message.update_time is not None:
            obj["update_time"] = message.update_time
        return obj

    def attachment_object(self, attachment: str) -> dict[str, Any]:
        match = ATTACHMENT_RE.match(attachment)
        assert match is not None, attachment
        key = (int(match.group(2)), int(match.group(3)))
        if match.group(1) == "photo":
            return {"type": "photo", "photo": self.sb.photos[key].to_api(self.sb.base_url)}
        return {"type": "doc", "doc": self.sb.docs[key].to_api(self.sb.base_url)}

    def message_object(self, item: HistoryItem) -> dict[str, Any]:
        if isinstance(item, BotMessage):
            return self.bot_message_object(item)
        return dict(item)

    def chat_settings(self, chat: ChatState) -> dict[str, Any]:
        """chat_settings of a conversation, as the community sees the chat."""
        state = "in" if chat.bot_member else ("left" if chat.bot_left else "kicked")
        admin = chat.bot_member and chat.bot_admin
        acl = {
            "can_change_info": admin,
            "can_change_invite_link": admin,
            "can_change_pin": admin,
            "can_invite": False,
            "can_promote_users": False,
            "can_see_invite_link": admin,
            "can_moderate": admin,
            "can_copy_chat": False,
            "can_call": False,
            "can_use_mass_mentions": admin,
            "can_change_service_type": False,
        }
        return {
            "owner_id": chat.owner_id,
            "title": chat.title,
            "state": state,
            "acl": acl,
            "members_count": len(chat.members),
            "admin_ids": [-self.sb.group_id] if admin else [],
            "active_ids": [],
            "is_group_channel": False,
            "is_disappearing": False,
            "is_service": False,
        }

    def conversation_object(self, conversation: Conversation) -> dict[str, Any]:
        peer_id = conversation.peer_id
        last = conversation.last
        chat = self.sb.chats.get(peer_id - CHAT_PEER_BASE) if peer_id > CHAT_PEER_BASE else None
        peer: dict[str, Any] = {"id": peer_id, "type": "user", "local_id": peer_id}
        can_write: dict[str, Any]
        if chat is not None:
            peer = {"id": peer_id, "type": "chat", "local_id": chat.chat_id}
            can_write = {"allowed": True} if chat.bot_member else {"allowed": False, "reason": 917}
        else:
            user = self.sb.users.get(peer_id)
            allowed = user is not None and user.can_write
            can_write = {"allowed": True} if allowed else {"allowed": False, "reason": 901}
        obj: dict[str, Any] = {
            "peer": peer,
            "last_message_id": id_of(last),
            "in_read": conversation.id_at(conversation.in_read_cmid),
            "out_read": conversation.id_at(conversation.out_read_cmid),
            "in_read_cmid": conversation.in_read_cmid,
            "out_read_cmid": conversation.out_read_cmid,
            "version": conversation.sort_key,
            "last_conversation_message_id": cmid_of(last),
        }
        unread = conversation.unread_count
        if unread:
            obj["unread_count"] = unread
        obj.update(
            {
                "is_marked_unread": False,
                "important": False,
                "unanswered": conversation.unanswered,
                "can_write": can_write,
            }
        )
        if chat is not None:
            obj["chat_settings"] = self.chat_settings(chat)
        return obj

    def owners(self, ids: list[int], fields: list[str] | None) -> dict[str, Any]:
        """``profiles`` and ``groups`` for the owners in ``ids`` (extended answers)."""
        profiles: list[dict[str, Any]] = []
        groups: list[dict[str, Any]] = []
        seen: set[int] = set()
        for owner_id in ids:
            if owner_id in seen:
                continue
            seen.add(owner_id)
            if owner_id == -self.sb.group_id:
                groups.append(self.group_object())
            elif 0 < owner_id < CHAT_PEER_BASE and owner_id in self.sb.users:
                user = self.sb.users[owner_id]
                profiles.append(self.user_object(user, fields or EXTENDED_USER_FIELDS))
        return {"profiles": profiles, "groups": groups}

    @staticmethod
    def _page(p: Params, allow_negative_offset: bool = False) -> tuple[int, int]:
        offset = p.opt_int("offset") or 0
        if offset < 0 and not allow_negative_offset:
            raise param_error("offset should be positive")
        count = p.opt_int("count")
        if count is None:
            count = 20
        if count < 0:
            raise param_error("count should be positive")
        if count > MAX_HISTORY_COUNT:
            raise param_error(f"count should be less or equal to {MAX_HISTORY_COUNT}")
        return offset, count

    async def messages_get_conversations(self, p: Params) -> dict[str, Any]:
        offset, count = self._page(p)
        kind = p.opt_str("filter") or "all"
        if kind not in CONVERSATION_FILTERS:
            raise param_error(f"filter should be one of: {', '.join(CONVERSATION_FILTERS)}")
        conversations = sorted(
            (c for c in self.sb.conversations.values() if c.items),
            key=lambda c: c.sort_key,
            reverse=True,
        )
        unread_total = sum(1 for c in conversations if c.unread_count)
        if kind == "unread":
            conversations = [c for c in conversations if c.unread_count]
        elif kind == "unanswered":
            conversations = [c for c in conversations if c.unanswered]
        elif kind == "important":
            conversations = []  # nothing can be marked important in the sandbox
        page = conversations[offset : offset + count]
        result: dict[str, Any] = {
            "count": len(conversations),
            "items": [
                {
                    "conversation": self.conversation_object(c),
                    "last_message": self.message_object(c.last),
                }
                for c in page
            ],
        }
        if unread_total:
            result["unread_count"] = unread_total
        if p.flag("extended"):
            ids: list[int] = []
            for c in page:
                ids.append(c.peer_id)
                last = self.message_object(c.last)
                ids.append(int(last["from_id"]))
            result.update(self.owners(ids, p.str_list("fields")))
        return result

    async def messages_get_history(self, p: Params) -> dict[str, Any]:
        peer_id = p.opt_int("peer_id") or p.opt_int("user_id")
        if peer_id is None:
            raise param_error("peer_id is undefined")
        offset, count = self._page(p, allow_negative_offset=True)
        rev = p.flag("rev")
        start = p.opt_int("start_message_id")
        if start is not None and start < 0:
            raise param_error("start_message_id should be positive")
        if offset < 0 and not start:
            raise param_error("offset should be positive")
        if peer_id > CHAT_PEER_BASE:
            self.chat_of_peer(peer_id)
        elif peer_id < 0:
            raise VKError(932)
        conversation = self.sb.conversations.get(peer_id)
        items = list(conversation.items) if conversation is not None else []
        ordered = items if rev else items[::-1]
        anchor = 0
        if start:
            # The first message at/older than start (rev=0) or at/newer (rev=1). In chats
            # users' messages have id 0 for the community: only its own ids can anchor.
            anchor = len(ordered)
            for index, item in enumerate(ordered):
                item_id = id_of(item)
                if item_id and (item_id >= start if rev else item_id <= start):
                    anchor = index
                    break
        begin = anchor + offset
        end = begin + count
        page = ordered[max(begin, 0) : max(end, 0)]
        result: dict[str, Any] = {
            "count": len(items),
            "items": [self.message_object(item) for item in page],
        }
        if p.flag("extended"):
            ids = [peer_id] + [int(m["from_id"]) for m in result["items"]]
            result.update(self.owners(ids, p.str_list("fields")))
            result["conversations"] = (
                [self.conversation_object(conversation)]
                if conversation is not None and conversation.items
                else []
            )
        return result

    # ------------------------------------------------------------------ users, utils

    async def users_get(self, p: Params) -> list[dict[str, Any]]:
        ids = p.str_list("user_ids") or p.str_list("user_id") or []
        fields = p.str_list("fields") or []
        result: list[dict[str, Any]] = []
        for item in ids:
            user: UserState | None = None
            if item.isdigit():
                user = self.sb.users.get(int(item))
            else:
                resolved = self.sb.resolve_screen_name(item)
                if resolved is not None and resolved[0] == "user":
                    user = self.sb.users.get(resolved[1])
            if user is None:
                raise VKError(113)
            result.append(self.user_object(user, fields))
        return result

    async def utils_resolve_screen_name(self, p: Params) -> Any:
        name = p.req_str("screen_name")
        resolved = self.sb.resolve_screen_name(name.rsplit("/", 1)[-1])
        if resolved is None:
            return []
        return {"type": resolved[0], "object_id": resolved[1]}

    # ------------------------------------------------------------------ uploads

    async def photos_get_messages_upload_server(self, p: Params) -> dict[str, Any]:
        peer_id = p.opt_int("peer_id")
        if peer_id is not None and peer_id != 0:
            self.check_peer(peer_id)
        return {
            "album_id": -64,
            "upload_url": f"{self.sb.base_url}/upload/photo?gid={self.sb.group_id}",
            "user_id": 0,
            "group_id": self.sb.group_id,
        }

    async def photos_save_messages_photo(self, p: Params) -> list[dict[str, Any]]:
        photo = p.req_str("photo")
        server = p.opt_int("server")
        digest = p.opt_str("hash")
        if digest != hashlib.md5(photo.encode(), usedforsecurity=False).hexdigest():
            raise VKError(121)
        if server != self.sb.upload_server_id:
            raise VKError(118)
        try:
            items = json.loads(photo)
            token = items[0]["photo"]
        except (ValueError, LookupError, TypeError):
            raise param_error("photos_list is invalid") from None
        upload = self.sb.photo_uploads.pop(token, None) if isinstance(token, str) else None
        if upload is None:
            raise param_error("photos_list is invalid")
        size = image_size(upload[0]) or (100, 100)
        saved = self.sb.new_photo(-self.sb.group_id, upload[0], size)
        return [saved.to_api(self.sb.base_url)]

    async def docs_get_messages_upload_server(self, p: Params) -> dict[str, Any]:
        kind = p.opt_str("type") or "doc"
        if kind not in ("doc", "audio_message", "graffiti"):
            raise param_error("type is invalid")
        peer_id = p.opt_int("peer_id")
        if peer_id is not None and peer_id != 0:
            self.check_peer(peer_id)
        return {"upload_url": f"{self.sb.base_url}/upload/doc?type={kind}"}

    async def docs_save(self, p: Params) -> dict[str, Any]:
        token = p.req_str("file")
        upload = self.sb.doc_uploads.pop(token, None)
        if upload is None:
            raise VKError(105, "file is invalid or was already saved")
        title = p.opt_str("title")
        doc = self.sb.new_doc(-self.sb.group_id, upload[0], upload[1], title)
        return {"type": "doc", "doc": doc.to_api(self.sb.base_url)}


__all__ = ["ExecuteResult", "Methods"]
