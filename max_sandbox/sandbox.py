"""MaxSandbox: the fake MAX Bot API server (state, HTTP transport, updates, uploads, files)."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import BodyPartReader, web

from sandbox_kit.inbox import Inbox
from sandbox_kit.server import LocalServer

from .drivers import ChatDriver, UserDriver
from .errors import (
    MaxError,
    bad_request,
    forbidden,
    not_allowed,
    not_found,
    server_error,
    too_many_requests,
    unauthorized,
)
from .faults import AFTER, BEFORE, Faults
from .keyboard import validate_keyboard
from .models import (
    BotMessage,
    CallRecord,
    ChatState,
    MemberState,
    PendingCallback,
    StoredFile,
    StoredMessage,
    Subscription,
    UserState,
)
from .updates import UpdateLog, WebhookSender

Handler = Callable[[web.Request, dict[str, str], Any], Awaitable[Any]]

MAX_TEXT = 4000
UPLOAD_TYPES = ("image", "video", "audio", "file")
SECRET_RE = re.compile(r"^[a-zA-Z0-9_-]{5,256}$")
CHAT_LINK_RE = re.compile(r"^@?[a-zA-Z]+[\w-]*$")
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00")
ADMIN_PERMISSIONS = [
    "read_all_messages",
    "add_remove_members",
    "add_admins",
    "change_chat_info",
    "pin_message",
    "write",
]


def _int(query: dict[str, str], name: str, default: int | None = None) -> int | None:
    raw = query.get(name)
    if raw is None or raw == "" or raw == "null":
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"{name}: invalid integer {raw!r}") from None


def _bounded(query: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    value = _int(query, name, default)
    assert value is not None
    if not low <= value <= high:
        raise bad_request(f"{name}: must be between {low} and {high}")
    return value


class MaxSandbox(LocalServer):
    """A local fake of the MAX Bot API 0.0.32 for one bot and its token."""

    def __init__(
        self,
        token: str = "max-sandbox-token",
        bot_name: str = "Гимназия № 44",
        bot_username: str = "gym44_bot",
        bot_id: int = 99_000_001,
        rate_limit: int | None = 30,
        clock: Callable[[], float] = time.time,
        history: int = 10_000,
        webhook_retry_delay: float = 0.05,
        webhook_retries: int = 10,
        chats_list: bool = True,
    ) -> None:
        self.token = token
        self.bot_name = bot_name
        self.bot_username = bot_username
        self.bot_id = bot_id
        super().__init__(rate_limit)
        self.clock = clock
        # GET /chats: its docs say it is no longer served from June 2026; False answers 404.
        self.chats_list = chats_list
        self.faults = Faults()
        self.log = UpdateLog(history)
        self.faults.on_change = self.log.wake
        self.updates: list[dict[str, Any]] = []  # every update produced, in order
        self.subscriptions: list[Subscription] = []
        self.webhooks = WebhookSender(
            self.faults,
            lambda: self.subscriptions,
            retry_delay=webhook_retry_delay,
            retries=webhook_retries,
        )
        self.sent: list[BotMessage] = []
        self.calls: list[CallRecord] = []
        self.users: dict[int, UserState] = {}
        self.chats: dict[int, ChatState] = {}
        self.dialogs: dict[int, int] = {}  # dialog chat id -> user id
        self.messages: dict[str, StoredMessage] = {}
        self.history: dict[int, list[StoredMessage]] = {}
        self.bot_messages: dict[str, BotMessage] = {}
        self.callbacks: dict[str, PendingCallback] = {}
        self.files: dict[str, StoredFile] = {}
        self.upload_slots: dict[str, str | None] = {}  # slot -> type (None once used)
        self.inboxes: dict[int, Inbox[BotMessage]] = {}
        self.answers: dict[int, Inbox[dict[str, Any]]] = {}
        self._user_drivers: dict[int, UserDriver] = {}
        self._chat_drivers: dict[int, ChatDriver] = {}
        self._next_user_id = 100_000_001
        self._next_chat_id = -70_000_000_001
        self._next_dialog_id = 80_000_000_001
        self._next_seq = 115_000_000_000_001
        self._next_file_id = 9_000_000_001

    # ------------------------------------------------------------------ lifecycle

    @property
    def api_url(self) -> str:
        """Where the bot's calls go (``MAX_API_URL``): the API at the server's root."""
        return self.base_url

    @property
    def deep_link_base(self) -> str:
        return f"https://max.ru/{self.bot_username}"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/me", self._me),
            ("GET", "/chats", self._chats),
            ("GET", "/chats/{chatId}/members/me", self._member_me),
            ("DELETE", "/chats/{chatId}/members/me", self._leave),
            ("GET", "/chats/{chatId}/members/admins", self._admins),
            ("GET", "/chats/{chatId}/members", self._members),
            ("POST", "/chats/{chatId}/members", self._add_members),
            ("DELETE", "/chats/{chatId}/members", self._remove_member),
            ("GET", "/chats/{chatId}", self._chat),
            ("GET", "/messages", self._get_messages),
            ("POST", "/messages", self._send),
            ("PUT", "/messages", self._edit),
            ("DELETE", "/messages", self._delete),
            ("GET", "/messages/{messageId}", self._get_message),
            ("POST", "/answers", self._answer),
            ("POST", "/uploads", self._uploads),
            ("GET", "/updates", self._updates),
            ("GET", "/subscriptions", self._get_subscriptions),
            ("POST", "/subscriptions", self._subscribe),
            ("DELETE", "/subscriptions", self._unsubscribe),
        ]
        by_path: dict[str, dict[str, Handler]] = {}
        for verb, path, handler in routes:
            by_path.setdefault(path, {})[verb] = handler
        for path, handlers in by_path.items():
            app.router.add_route("*", path, self._dispatcher(path, handlers))
        app.router.add_post("/upload/{slot}", self._handle_upload)
        app.router.add_get("/files/{token}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        return app

    async def _started(self) -> None:
        self.webhooks.start()

    async def _stopping(self) -> None:
        self.log.wake()  # long polls in wait answer at once
        await self.webhooks.stop()

    # ------------------------------------------------------------------ people and chats

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def add_user(
        self,
        first_name: str = "Иван",
        last_name: str | None = "Иванов",
        user_id: int | None = None,
        username: str | None = None,
        screen_name: str | None = None,
        sex: int = 0,  # accepted for vk_sandbox's signature; MAX has no such field
    ) -> UserDriver:
        if user_id is None:
            while self._next_user_id in self.users or self._next_user_id == self.bot_id:
                self._next_user_id += 1
            user_id = self._next_user_id
            self._next_user_id += 1
        if user_id <= 0:
            raise ValueError("a MAX user id is positive")
        if user_id in self.users or user_id == self.bot_id:
            raise ValueError(f"user {user_id} already exists")
        dialog_id = self._next_dialog_id
        self._next_dialog_id += 1
        state = UserState(user_id, first_name, last_name, username or screen_name, dialog_id)
        self.users[user_id] = state
        self.dialogs[dialog_id] = user_id
        driver = UserDriver(self, state)
        self._user_drivers[user_id] = driver
        return driver

    def user(self, user_id: int) -> UserDriver:
        return self._user_drivers[user_id]

    def create_chat(
        self,
        title: str = "Беседа",
        owner: UserDriver | None = None,
        members: Iterable[UserDriver] = (),
        bot_member: bool = False,
        bot_admin: bool = False,
        public_name: str | None = None,
        bot_full_access: bool = True,  # vk_sandbox's signature; MAX needs the bot admin
    ) -> ChatDriver:
        """A group chat (negative id); ``owner`` is created if not given, member and admin.

        ``public_name`` makes it public with the link ``https://max.ru/<public_name>``
        (findable by GET /chats/{chatLink}); otherwise its link is a private join link."""
        if owner is None:
            owner = self.add_user("Владелец", "Чата")
        now = self.now_ms()
        chat_id = self._next_chat_id
        self._next_chat_id -= 1
        state = ChatState(
            chat_id=chat_id,
            title=title,
            owner_id=owner.user_id,
            members={owner.user_id: MemberState(owner.user_id, now, None, is_admin=True)},
            bot_member=bot_member or bot_admin,
            bot_admin=bot_admin,
            link=(
                f"https://max.ru/{public_name}"
                if public_name
                else f"https://max.ru/join/{secrets.token_urlsafe(12)}"
            ),
            is_public=public_name is not None,
            last_event_time=now,
        )
        for member in members:
            state.members.setdefault(
                member.user_id, MemberState(member.user_id, now, owner.user_id)
            )
        if state.bot_member:
            state.members[self.bot_id] = MemberState(self.bot_id, now, owner.user_id, bot_admin)
        self.chats[chat_id] = state
        driver = ChatDriver(self, state)
        self._chat_drivers[chat_id] = driver
        return driver

    def chat(self, chat_id: int) -> ChatDriver:
        return self._chat_drivers[chat_id]

    # ------------------------------------------------------------------ records

    def calls_to(self, name: str) -> list[CallRecord]:
        """Calls to ``"POST /messages"`` (or to ``"/messages"``, any verb)."""
        return [c for c in self.calls if c.name == name or c.path == name]

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every update produced so far (vk_sandbox's name)."""
        return self.updates

    def inbox(self, peer_id: int) -> Inbox[BotMessage]:
        if peer_id not in self.inboxes:
            self.inboxes[peer_id] = Inbox()
        return self.inboxes[peer_id]

    def answers_inbox(self, user_id: int) -> Inbox[dict[str, Any]]:
        if user_id not in self.answers:
            self.answers[user_id] = Inbox()
        return self.answers[user_id]

    def file_data(self, attachment: str | dict[str, Any]) -> bytes:
        """The bytes behind a message's attachment (``"file:<token>"`` or its API object)."""
        if isinstance(attachment, dict):
            token = str(attachment["payload"]["token"])
        else:
            token = attachment.split(":", 1)[1]
        return self.files[token].data

    # ------------------------------------------------------------------ API objects

    def bot_user(self) -> dict[str, Any]:
        return {
            "user_id": self.bot_id,
            "first_name": self.bot_name,
            "last_name": None,
            "name": self.bot_name,
            "username": self.bot_username,
            "is_bot": True,
            "last_activity_time": self.now_ms(),
        }

    def user_api(self, user: UserState) -> dict[str, Any]:
        return {
            "user_id": user.user_id,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "name": user.name,
            "username": user.username,
            "is_bot": False,
            "last_activity_time": user.last_activity or self.now_ms(),
        }

    def person_api(self, user_id: int) -> dict[str, Any]:
        return self.bot_user() if user_id == self.bot_id else self.user_api(self.users[user_id])

    def chat_api(self, chat: ChatState) -> dict[str, Any]:
        return {
            "chat_id": chat.chat_id,
            "type": "chat",
            "status": chat.status,
            "title": chat.title,
            "icon": None,
            "last_event_time": chat.last_event_time,
            "participants_count": len(chat.members),
            "owner_id": chat.owner_id,
            "participants": None,
            "is_public": chat.is_public,
            "link": chat.link,
            "description": chat.description,
            "messages_count": len(self.history.get(chat.chat_id, [])),
        }

    def dialog_api(self, user: UserState) -> dict[str, Any]:
        # ChatType's enum lists only "chat"; the Chat model's own text (and MAX) say
        # "dialog" for a dialog: the text wins (see the package docstring).
        return {
            "chat_id": user.dialog_id,
            "type": "dialog",
            "status": "active" if not user.stopped else "closed",
            "title": None,
            "icon": None,
            "last_event_time": self.now_ms(),
            "participants_count": 2,
            "owner_id": None,
            "participants": None,
            "is_public": False,
            "link": None,
            "description": None,
            "dialog_with_user": self.user_api(user),
        }

    def member_api(self, chat: ChatState, member: MemberState) -> dict[str, Any]:
        result = self.person_api(member.user_id)
        result.update(
            {
                "last_access_time": member.join_time,
                "is_owner": member.user_id == chat.owner_id,
                "is_admin": member.is_admin,
                "join_time": member.join_time,
                # Required but nullable in the schema; its text: not given to plain members.
                "permissions": list(ADMIN_PERMISSIONS) if member.is_admin else None,
            }
        )
        return result

    def next_seq(self) -> int:
        value = self._next_seq
        self._next_seq += 1
        return value

    def new_message(
        self,
        sender: dict[str, Any],
        chat_id: int,
        text: str | None,
        attachments: list[dict[str, Any]] | None,
        markup: list[dict[str, Any]] | None = None,
    ) -> StoredMessage:
        """A message stored in ``chat_id``'s history (a dialog's or a group chat's)."""
        if chat_id in self.dialogs:
            other = self.dialogs[chat_id]
            recipient = {
                "chat_id": chat_id,
                "chat_type": "dialog",
                "user_id": other if sender["user_id"] == self.bot_id else self.bot_id,
            }
        else:
            recipient = {"chat_id": chat_id, "chat_type": "chat", "user_id": None}
        seq = self.next_seq()
        body: dict[str, Any] = {
            "mid": f"mid.{seq:016x}{secrets.token_hex(8)}",
            "seq": seq,
            "text": text,
            "attachments": attachments,
        }
        if markup:
            body["markup"] = markup
        api = {
            "sender": sender,
            "recipient": recipient,
            "timestamp": self.now_ms(),
            "body": body,
        }
        stored = StoredMessage(api, chat_id)
        self.messages[stored.mid] = stored
        self.history.setdefault(chat_id, []).append(stored)
        if chat_id in self.chats:
            self.chats[chat_id].last_event_time = stored.timestamp
        return stored

    # ------------------------------------------------------------------ updates

    def emit(self, update_type: str, **fields: Any) -> dict[str, Any]:
        """Produce an update: to the webhook when subscribed, else to the polling log."""
        update: dict[str, Any] = {"update_type": update_type, "timestamp": self.now_ms()}
        update.update(fields)
        copies = 2 if self.faults.take_duplicate() else 1
        for _ in range(copies):
            self.updates.append(update)
            if self.subscriptions:
                self.webhooks.push(update)
            else:
                self.log.append(update)
        return update

    def bot_sees_chat(self, chat: ChatState) -> bool:
        """The docs (UpdateList): events of group chats reach a bot that is their admin."""
        return chat.bot_member and chat.bot_admin

    # ------------------------------------------------------------------ API pipeline

    def _check_rate(self) -> None:
        if not self._within_rate():
            raise too_many_requests()

    @staticmethod
    def _json(data: Any, status: int = 200) -> web.Response:
        return web.Response(
            text=json.dumps(data, ensure_ascii=False),
            content_type="application/json",
            status=status,
        )

    def _error(self, error: MaxError) -> web.Response:
        return self._json(error.to_dict(), error.status)

    def _dispatcher(
        self, path: str, handlers: dict[str, Handler]
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            handler = handlers.get(request.method)
            if handler is None:
                name = f"{request.method} {path}"
                error = not_allowed(f"Method {request.method} is not allowed for {path}")
                self._record(name, request, None, error)
                return self._error(error)
            return await self._call(request, path, handler)

        return handle

    def _record(self, name: str, request: web.Request, body: Any, error: MaxError | None) -> None:
        verb, path = name.split(" ", 1)
        query = {k: v for k, v in request.query.items() if k != "access_token"}
        self.calls.append(
            CallRecord(
                verb,
                path,
                query,
                body,
                self.clock(),
                error is None,
                200 if error is None else error.status,
                None if error is None else error.code,
            )
        )

    async def _call(self, request: web.Request, path: str, handler: Handler) -> web.StreamResponse:
        name = f"{request.method} {path}"
        body: Any = None
        while True:
            fault = self.faults.take(name, BEFORE)
            if fault is None:
                break
            if fault.kind == "slow":
                await asyncio.sleep(fault.seconds)
                continue
            if fault.kind == "drop_before":
                self._record(name, request, None, server_error(599))
                return self._drop(request)
            error = too_many_requests() if fault.kind == "too_many" else server_error(fault.status)
            self._record(name, request, None, error)
            return self._error(error)
        try:
            token = request.headers.get("Authorization") or request.query.get("access_token")
            if token != self.token:
                raise unauthorized()
            self._check_rate()
            if request.method in ("POST", "PUT", "PATCH") and request.can_read_body:
                raw = await request.read()
                if raw.strip():
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        raise bad_request("Invalid JSON in the request body") from None
            query = {k: v for k, v in request.query.items() if k != "access_token"}
            result = await handler(request, query, body)
        except MaxError as error:
            self._record(name, request, body, error)
            return self._error(error)
        after = self.faults.take(name, AFTER)
        if after is not None:
            if after.kind == "drop_after":
                self._record(name, request, body, server_error(599))
                return self._drop(request)
            failure = server_error(after.status)
            self._record(name, request, body, failure)
            return self._error(failure)
        self._record(name, request, body, None)
        return self._json(result)

    @staticmethod
    def _drop(request: web.Request) -> web.Response:
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)  # never reaches the client

    async def _unknown(self, request: web.Request) -> web.Response:
        error = not_found(f"Path {request.path} not found")
        self._record(f"{request.method} {request.path}", request, None, error)
        return self._error(error)

    # ------------------------------------------------------------------ lookups

    def _chat_id(self, request: web.Request) -> int:
        raw = request.match_info["chatId"]
        try:
            return int(raw)
        except ValueError:
            raise bad_request(f"chatId: invalid integer {raw!r}") from None

    def _group(self, chat_id: int, admin: bool = False) -> ChatState:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise not_found(f"Chat {chat_id} not found", "chat.not.found")
        if not chat.bot_member:
            raise forbidden("You are not a member of this chat", "chat.denied")
        if admin and not chat.bot_admin:
            raise forbidden("You are not an admin of this chat", "chat.denied")
        return chat

    def _dialog_user(self, user_id: int) -> UserState:
        user = self.users.get(user_id)
        if user is None or not user.started:
            raise not_found(f"Dialog with user {user_id} not found", "chat.not.found")
        if user.stopped:
            raise forbidden("error.dialog.suspended", "chat.denied")
        return user

    # ------------------------------------------------------------------ /me, /chats

    async def _me(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        info = self.bot_user()
        info.update({"description": None, "commands": None})
        return info

    async def _chats(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        if not self.chats_list:
            raise not_found("Path /chats not found")
        count = _bounded(query, "count", 50, 1, 100)
        offset = _int(query, "marker", 0) or 0
        mine = [c for c in self.chats.values() if c.bot_member]
        page = mine[offset : offset + count]
        marker = offset + count if offset + count < len(mine) else None
        return {"chats": [self.chat_api(c) for c in page], "marker": marker}

    async def _chat(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        raw = request.match_info["chatId"]
        try:
            chat_id = int(raw)
        except ValueError:
            return self._chat_by_link(raw)
        if chat_id in self.dialogs:
            return self.dialog_api(self._dialog_user(self.dialogs[chat_id]))
        chat = self.chats.get(chat_id)
        if chat is None:
            raise not_found(f"Chat {chat_id} not found", "chat.not.found")
        if not chat.bot_member and chat.status == "active":
            raise forbidden("You are not a member of this chat", "chat.denied")
        return self.chat_api(chat)

    def _chat_by_link(self, link: str) -> dict[str, Any]:
        # The docs: only public chats (channels) are found by their public link.
        if not CHAT_LINK_RE.match(link):
            raise bad_request(f"chatLink: invalid link {link!r}")
        wanted = f"https://max.ru/{link.lstrip('@')}".lower()
        for chat in self.chats.values():
            if chat.is_public and (chat.link or "").lower() == wanted:
                return self.chat_api(chat)
        raise not_found(f"Chat {link} not found", "chat.not.found")

    # ------------------------------------------------------------------ members

    async def _members(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        chat = self._group(self._chat_id(request), admin=True)
        members = list(chat.members.values())
        raw_ids = query.get("user_ids")
        if raw_ids:
            try:
                wanted = {int(x) for x in raw_ids.split(",") if x}
            except ValueError:
                raise bad_request("user_ids: invalid integer list") from None
            chosen = [m for m in members if m.user_id in wanted]
            return {"members": [self.member_api(chat, m) for m in chosen], "marker": None}
        count = _bounded(query, "count", 20, 1, 100)
        offset = _int(query, "marker", 0) or 0
        page = members[offset : offset + count]
        marker = offset + count if offset + count < len(members) else None
        return {"members": [self.member_api(chat, m) for m in page], "marker": marker}

    async def _member_me(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        chat = self._group(self._chat_id(request))
        return self.member_api(chat, chat.members[self.bot_id])

    async def _leave(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        chat = self._group(self._chat_id(request))
        chat.members.pop(self.bot_id, None)
        chat.bot_member = chat.bot_admin = False
        chat.status = "left"
        return {"success": True}

    async def _admins(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        chat = self._group(self._chat_id(request))
        admins = [self.member_api(chat, m) for m in chat.members.values() if m.is_admin]
        return {"members": admins, "marker": None}

    async def _add_members(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        chat = self._group(self._chat_id(request), admin=True)
        if not isinstance(body, dict) or not isinstance(body.get("user_ids"), list):
            raise bad_request("user_ids: must not be null")
        ids = body["user_ids"]
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in ids):
            raise bad_request("user_ids: must be integers")
        if len(ids) > 100:
            raise bad_request("user_ids: at most 100 ids")
        missing = [x for x in ids if x not in self.users]
        private = [x for x in ids if x in self.users and self.users[x].private]
        for user_id in ids:
            if user_id in missing or user_id in private or user_id in chat.members:
                continue
            chat.members[user_id] = MemberState(user_id, self.now_ms(), self.bot_id)
            if self.bot_sees_chat(chat):
                self.emit(
                    "user_added",
                    chat_id=chat.chat_id,
                    user=self.user_api(self.users[user_id]),
                    inviter_id=self.bot_id,
                    is_channel=False,
                )
        if not missing and not private:
            return {"success": True}
        details = [
            {"error_code": code, "user_ids": ids}
            for code, ids in (
                ("add.participant.not.found", missing),
                ("add.participant.privacy", private),
            )
            if ids
        ]
        return {
            "success": False,
            "message": "Some users were not added",
            "failed_user_ids": missing + private,
            "failed_user_details": details,
        }

    async def _remove_member(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        chat = self._group(self._chat_id(request), admin=True)
        user_id = _int(query, "user_id")
        if user_id is None:
            raise bad_request("user_id: must not be null")
        if user_id == chat.owner_id:
            raise forbidden("Cannot remove the chat's owner", "chat.denied")
        if user_id not in chat.members:
            raise not_found(f"User {user_id} is not a member of chat {chat.chat_id}")
        del chat.members[user_id]
        if user_id in self.users:
            self.emit(
                "user_removed",
                chat_id=chat.chat_id,
                user=self.user_api(self.users[user_id]),
                admin_id=self.bot_id,
                is_channel=False,
            )
        return {"success": True}

    # ------------------------------------------------------------------ messages

    def _attachments(self, items: Any) -> tuple[list[dict[str, Any]], Any]:
        """(the Message's attachments, the keyboard rows or None) for NewMessageBody's."""
        if items is None:
            return [], None
        if not isinstance(items, list):
            raise bad_request("attachments: must be an array")
        result: list[dict[str, Any]] = []
        keyboard = None
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                raise bad_request("attachments: each must be an object with a type")
            kind = item["type"]
            payload = item.get("payload")
            if kind == "inline_keyboard":
                if keyboard is not None:
                    raise bad_request("attachments: at most one inline_keyboard")
                keyboard = validate_keyboard(payload)
                result.append({"type": "inline_keyboard", "payload": {"buttons": keyboard}})
            elif kind == "image":
                result.extend(self._image_attachments(payload))
            elif kind in ("file", "video", "audio"):
                token = payload.get("token") if isinstance(payload, dict) else None
                stored = self.files.get(str(token))
                if stored is None or stored.kind != kind:
                    raise bad_request(f"{kind}: unknown upload token", "attachment.invalid")
                if self.faults.take("POST /messages", ("not_ready",)) is not None:
                    raise bad_request(
                        "Key: errors.process.attachment.file.not.processed",
                        "attachment.not.ready",
                    )
                result.append(self.file_attachment(stored))
            else:
                raise bad_request(f"attachments: type {kind!r} is not supported here")
        return result, keyboard

    def _image_attachments(self, payload: Any) -> list[dict[str, Any]]:
        if not isinstance(payload, dict):
            raise bad_request("image.payload: must not be null")
        tokens: list[str] = []
        if isinstance(payload.get("photos"), dict):
            for value in payload["photos"].values():
                tokens.append(str(value.get("token")) if isinstance(value, dict) else "")
        elif payload.get("token"):
            tokens.append(str(payload["token"]))
        elif payload.get("url"):
            data = str(payload["url"]).encode()
            tokens.append(self._store("image", data, "image.jpg").token)
        else:
            raise bad_request("image.payload: one of url, token, photos is required")
        result = []
        for token in tokens:
            image = self.files.get(token)
            if image is None or image.kind != "image":
                raise bad_request("image: unknown token", "attachment.invalid")
            result.append(self.file_attachment(image))
        return result

    def file_attachment(self, stored: StoredFile) -> dict[str, Any]:
        url = f"{self.base_url}/files/{stored.token}"
        if stored.kind == "image":
            return {
                "type": "image",
                "payload": {"photo_id": stored.id, "token": stored.token, "url": url},
            }
        return {
            "type": stored.kind,
            "payload": {"url": url, "token": stored.token},
            "filename": stored.filename,
            "size": len(stored.data),
        }

    def _store(self, kind: str, data: bytes, filename: str) -> StoredFile:
        stored = StoredFile(kind, secrets.token_urlsafe(24), data, filename, self._next_file_id)
        self._next_file_id += 1
        self.files[stored.token] = stored
        return stored

    def _validate_body(self, body: Any, edit: bool = False) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise bad_request("Request body must be a NewMessageBody object")
        text = body.get("text")
        if text is not None and not isinstance(text, str):
            raise bad_request("text: must be a string")
        if text is not None and len(text) > MAX_TEXT:
            raise bad_request(f"text: size must be between 0 and {MAX_TEXT}", "text.too.long")
        fmt = body.get("format")
        if fmt is not None and fmt not in ("markdown", "html"):
            raise bad_request(f"format: unknown format {fmt!r}")
        notify = body.get("notify", True)
        if not isinstance(notify, bool):
            raise bad_request("notify: must be a boolean")
        if not edit and not text and not body.get("attachments"):
            raise bad_request("text: the message must have text or attachments", "message.empty")
        return body

    async def _send(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        user_id = _int(query, "user_id")
        chat_id = _int(query, "chat_id")
        if user_id is None and chat_id is None:
            raise bad_request("One of user_id or chat_id is required")
        body = self._validate_body(body)
        if user_id is not None:
            peer = self._dialog_user(user_id).user_id
            target = self.users[peer].dialog_id
        else:
            assert chat_id is not None
            if chat_id in self.dialogs:
                peer = self._dialog_user(self.dialogs[chat_id]).user_id
                target = chat_id
            else:
                peer = target = self._group(chat_id).chat_id
        attachments, keyboard = self._attachments(body.get("attachments"))
        stored = self.new_message(
            self.bot_user(), target, body.get("text") or "", attachments or None
        )
        message = BotMessage(
            id=stored.mid,
            peer_id=peer,
            chat_id=target,
            text=body.get("text") or "",
            keyboard=keyboard,
            attachments=self._labels(attachments),
            raw_attachments=attachments,
            seq=int(stored.api["body"]["seq"]),
            date=stored.timestamp,
            format=body.get("format"),
            notify=bool(body.get("notify", True)),
        )
        self.sent.append(message)
        self.bot_messages[message.id] = message
        self.inbox(peer).push(message)
        return {"message": stored.api}

    @staticmethod
    def _labels(attachments: list[dict[str, Any]]) -> list[str]:
        return [
            f"{a['type']}:{a['payload']['token']}"
            for a in attachments
            if a["type"] != "inline_keyboard"
        ]

    async def _get_messages(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        chat_id = _int(query, "chat_id")
        ids = query.get("message_ids")
        if chat_id is None and not ids:
            raise bad_request("One of chat_id or message_ids is required")
        if ids:
            found = [self.messages[m] for m in ids.split(",") if m in self.messages]
            return {"messages": [m.api for m in found if not m.deleted]}
        assert chat_id is not None
        if chat_id in self.dialogs:
            self._dialog_user(self.dialogs[chat_id])
        else:
            self._group(chat_id)
        count = _bounded(query, "count", 50, 1, 100)
        upper = _int(query, "from")
        lower = _int(query, "to")
        chosen: list[dict[str, Any]] = []
        for stored in reversed(self.history.get(chat_id, [])):
            if stored.deleted:
                continue
            if upper is not None and stored.timestamp > upper:
                continue
            if lower is not None and stored.timestamp < lower:
                break
            chosen.append(stored.api)
            if len(chosen) >= count:
                break
        return {"messages": chosen}

    async def _get_message(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        mid = request.match_info["messageId"]
        stored = self.messages.get(mid)
        if stored is None or stored.deleted:
            raise not_found(f"Message {mid} not found", "message.not.found")
        return stored.api

    def _bot_message(self, query: dict[str, str]) -> BotMessage:
        mid = query.get("message_id")
        if not mid:
            raise bad_request("message_id: must not be empty")
        message = self.bot_messages.get(mid)
        if message is None or message.deleted:
            raise not_found(f"Message {mid} not found", "message.not.found")
        return message

    def apply_edit(self, message: BotMessage, body: dict[str, Any]) -> None:
        stored = self.messages[message.id]
        text = body.get("text")
        if text is not None:
            message.text = text
            stored.api["body"]["text"] = text
        if body.get("attachments") is not None:
            attachments, keyboard = self._attachments(body["attachments"])
            message.raw_attachments = attachments
            message.attachments = self._labels(attachments)
            message.replace_keyboard(keyboard)
            stored.api["body"]["attachments"] = attachments or None
        if body.get("format") is not None:
            message.format = body["format"]
        message.edited = True
        message.version += 1
        message.update_time = self.now_ms()

    async def _edit(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        message = self._bot_message(query)
        self.apply_edit(message, self._validate_body(body, edit=True))
        return {"success": True}

    async def _delete(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        message = self._bot_message(query)
        message.deleted = True
        self.messages[message.id].deleted = True
        return {"success": True}

    async def _answer(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        callback_id = query.get("callback_id")
        if not callback_id:
            raise bad_request("callback_id: must not be empty")
        pending = self.callbacks.get(callback_id)
        if pending is None:
            raise not_found(f"Callback {callback_id} not found", "callback.not.found")
        if pending.answered:
            raise bad_request(f"Callback {callback_id} is already answered", "callback.answered")
        if not isinstance(body, dict) or (
            body.get("message") is None and body.get("notification") is None
        ):
            raise bad_request("One of message or notification is required")
        notification = body.get("notification")
        if notification is not None and not isinstance(notification, str):
            raise bad_request("notification: must be a string")
        if body.get("message") is not None:
            edit = self._validate_body(body["message"], edit=True)
            message = self.bot_messages.get(pending.mid)
            if message is not None and not message.deleted:
                self.apply_edit(message, edit)
        pending.answered = True
        answer: dict[str, Any] = {
            "callback_id": callback_id,
            "notification": notification,
            "message": body.get("message"),
        }
        if notification is not None:
            # vk_sandbox's shape of a snackbar, so one story reads either sandbox's answer.
            answer.update({"type": "show_snackbar", "text": notification})
        self.answers_inbox(pending.user_id).push(answer)
        return {"success": True}

    # ------------------------------------------------------------------ uploads and files

    async def _uploads(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        kind = query.get("type")
        if kind not in UPLOAD_TYPES:
            raise bad_request(f"type: must be one of {', '.join(UPLOAD_TYPES)}")
        slot = secrets.token_urlsafe(16)
        self.upload_slots[slot] = kind
        answer: dict[str, Any] = {"url": f"{self.base_url}/upload/{slot}"}
        if kind in ("video", "audio"):
            # The docs: for video and audio the token comes with the URL.
            token = secrets.token_urlsafe(24)
            self.upload_slots[f"{slot}#token"] = token
            answer["token"] = token
        return answer

    async def _handle_upload(self, request: web.Request) -> web.Response:
        slot = request.match_info["slot"]
        kind = self.upload_slots.get(slot)
        if kind is None:
            return self._error(not_found("Upload URL not found or already used", "upload.invalid"))
        found: tuple[bytes, str] | None = None
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if isinstance(part, BodyPartReader) and found is None and part.filename:
                    found = (bytes(await part.read()), part.filename)
                else:
                    await part.release()
        if found is None:
            return self._error(bad_request("No file in the multipart body", "upload.empty"))
        data, filename = found
        if kind == "image" and not data.startswith(IMAGE_MAGIC):
            return self._error(bad_request("File is not an image", "upload.not.image"))
        self.upload_slots[slot] = None
        stored = self._store(kind, data, filename)
        if kind == "image":
            # PhotoTokens: {"photos": {<id>: {"token"}}}.
            return self._json({"photos": {str(stored.id): {"token": stored.token}}})
        preset = self.upload_slots.pop(f"{slot}#token", None)
        if preset is not None:
            del self.files[stored.token]
            stored.token = preset
            self.files[preset] = stored
            return self._json({"retval": "ok"})
        return self._json({"token": stored.token, "fileId": stored.id})

    async def _handle_file(self, request: web.Request) -> web.Response:
        stored = self.files.get(request.match_info["token"])
        if stored is None:
            raise web.HTTPNotFound(text="file not found")
        content_type = "image/jpeg" if stored.kind == "image" else "application/octet-stream"
        headers = {"Content-Disposition": f'attachment; filename="{stored.filename}"'}
        return web.Response(body=stored.data, content_type=content_type, headers=headers)

    # ------------------------------------------------------------------ long polling, webhooks

    async def _updates(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        if self.subscriptions:
            # The docs: webhooks and long polling cannot be used at the same time.
            raise not_allowed("Long polling is not available while a webhook is subscribed")
        limit = _bounded(query, "limit", 100, 1, 1000)
        timeout = _bounded(query, "timeout", 30, 0, 90)
        marker = _int(query, "marker")
        raw_types = query.get("types")
        types = frozenset(t for t in raw_types.split(",") if t) if raw_types else None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found, next_marker = self.log.read(marker, limit, types)
            if found or self._closing or self.subscriptions:
                return {"updates": found, "marker": next_marker}
            remaining = deadline - loop.time()
            if remaining <= 0:
                return {"updates": [], "marker": next_marker}
            marker = next_marker
            await self.log.wait(remaining)

    async def _get_subscriptions(
        self, request: web.Request, query: dict[str, str], body: Any
    ) -> Any:
        return {
            "subscriptions": [
                {"url": s.url, "time": s.time, "update_types": s.update_types}
                for s in self.subscriptions
            ]
        }

    async def _subscribe(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        if not isinstance(body, dict) or not isinstance(body.get("url"), str) or not body["url"]:
            raise bad_request("url: must not be empty")
        url = body["url"]
        # MAX wants https on port 443; the sandbox delivers to http on loopback as well.
        if not url.startswith(("https://", "http://")):
            raise bad_request("url: must be an http(s) URL")
        secret = body.get("secret")
        if secret is not None and (not isinstance(secret, str) or not SECRET_RE.match(secret)):
            raise bad_request("secret: only A-Z, a-z, 0-9, _ and - are allowed, 5 to 256")
        types = body.get("update_types")
        if types is not None and (
            not isinstance(types, list) or not all(isinstance(t, str) for t in types)
        ):
            raise bad_request("update_types: must be an array of strings")
        self.subscriptions = [s for s in self.subscriptions if s.url != url]
        self.subscriptions.append(
            Subscription(url, self.now_ms(), types or None, secret, body.get("version"))
        )
        self.log.wake()
        return {"success": True}

    async def _unsubscribe(self, request: web.Request, query: dict[str, str], body: Any) -> Any:
        url = query.get("url")
        if not url:
            raise bad_request("url: must not be empty")
        before = len(self.subscriptions)
        self.subscriptions = [s for s in self.subscriptions if s.url != url]
        if len(self.subscriptions) == before:
            return {"success": False, "message": f"No subscription for {url}"}
        return {"success": True}


__all__ = ["MaxSandbox"]
