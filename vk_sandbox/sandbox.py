"""VKSandbox: the fake VK API server (state, HTTP transport, long poll, uploads, files)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import BodyPartReader, web

from sandbox_kit.inbox import Inbox
from sandbox_kit.server import LocalServer

from .drivers import ChatDriver, UserDriver
from .errors import VKError
from .faults import LONGPOLL, Faults
from .files import doc_type, image_size, split_name
from .history import Conversation
from .longpoll import EventLog
from .methods import ExecuteResult, Methods
from .models import (
    CHAT_PEER_BASE,
    BotMessage,
    CallRecord,
    ChatMemberState,
    ChatState,
    DedupRecord,
    DocState,
    PendingEvent,
    PhotoState,
    UserState,
)

HTML_500 = (
    "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n"
    "<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
MAX_LONGPOLL_WAIT = 90


class VKSandbox(LocalServer):
    """A local fake of the VK API 5.199 for one community and its bot token."""

    def __init__(
        self,
        group_id: int = 229000044,
        group_name: str = "Гимназия № 44 г. Твери",
        screen_name: str = "gym44tver",
        token: str = "sandbox-token",
        rate_limit: int | None = 20,
        clock: Callable[[], float] = time.time,
        history: int = 10_000,
    ) -> None:
        self.group_id = group_id
        self.group_name = group_name
        self.screen_name = screen_name
        self.token = token
        super().__init__(rate_limit)
        self.clock = clock
        self.faults = Faults()
        self.log = EventLog(group_id, history=history)
        self.faults.on_change = self.log.wake
        self.sent: list[BotMessage] = []
        self.calls: list[CallRecord] = []

        self.users: dict[int, UserState] = {}
        self.chats: dict[int, ChatState] = {}
        self._user_drivers: dict[int, UserDriver] = {}
        self._chat_drivers: dict[int, ChatDriver] = {}
        self._next_user_id = 500_000_001
        self._next_chat_id = 1
        self._next_message_id = 1
        self._next_version = 10_000_001
        self._cmid: dict[int, int] = {}
        self.inboxes: dict[int, Inbox[BotMessage]] = {}
        self.event_answers: dict[int, Inbox[dict[str, Any]]] = {}
        self.bot_messages: dict[int, BotMessage] = {}
        self.user_messages: dict[int, dict[str, Any]] = {}
        self.conversations: dict[int, Conversation] = {}
        self.dedup: dict[tuple[int, int], DedupRecord] = {}
        self.pending_events: dict[str, PendingEvent] = {}
        self.photos: dict[tuple[int, int], PhotoState] = {}
        self.docs: dict[tuple[int, int], DocState] = {}
        self._next_photo_id = 457_239_001
        self._next_doc_id = 600_000_001
        self.photo_uploads: dict[str, tuple[bytes, str]] = {}
        self.doc_uploads: dict[str, tuple[bytes, str]] = {}
        self.upload_server_id = 851_234
        self.lp_keys: set[str] = set()
        self.lp_key: str | None = None
        self.methods = Methods(self)

    # ------------------------------------------------------------------ lifecycle

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/method/"

    @property
    def longpoll_url(self) -> str:
        return f"{self.base_url}/longpoll/{self.group_id}"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/method/{name}", self._handle_method)
        app.router.add_route("*", "/longpoll/{group_id}", self._handle_longpoll)
        app.router.add_post("/upload/photo", self._handle_upload_photo)
        app.router.add_post("/upload/doc", self._handle_upload_doc)
        app.router.add_get("/files/{name}", self._handle_file)
        return app

    async def _stopping(self) -> None:
        self.log.wake()  # long polls in wait answer at once

    # ------------------------------------------------------------------ people and chats

    def add_user(
        self,
        first_name: str = "Иван",
        last_name: str = "Иванов",
        user_id: int | None = None,
        screen_name: str | None = None,
        sex: int = 0,
    ) -> UserDriver:
        if user_id is None:
            while self._next_user_id in self.users:
                self._next_user_id += 1
            user_id = self._next_user_id
            self._next_user_id += 1
        if user_id <= 0 or user_id >= CHAT_PEER_BASE:
            raise ValueError(f"user_id must be in 1..{CHAT_PEER_BASE - 1}")
        if user_id in self.users:
            raise ValueError(f"user {user_id} already exists")
        if screen_name is not None and self.resolve_screen_name(screen_name) is not None:
            raise ValueError(f"screen name {screen_name!r} is taken")
        state = UserState(user_id, first_name, last_name, screen_name, sex=sex)
        self.users[user_id] = state
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
        bot_full_access: bool = True,
    ) -> ChatDriver:
        """A group chat; ``owner`` is created if not given and is a member and admin."""
        if owner is None:
            owner = self.add_user("Владелец", "Беседы")
        now = int(self.clock())
        chat_id = self._next_chat_id
        self._next_chat_id += 1
        state = ChatState(
            chat_id=chat_id,
            title=title,
            owner_id=owner.user_id,
            members={owner.user_id: ChatMemberState(owner.user_id, owner.user_id, now)},
            bot_member=bot_member or bot_admin,
            bot_admin=bot_admin,
            bot_full_access=bot_full_access,
        )
        for member in members:
            state.members.setdefault(
                member.user_id, ChatMemberState(member.user_id, owner.user_id, now)
            )
        if state.bot_member:
            state.members[-self.group_id] = ChatMemberState(-self.group_id, owner.user_id, now)
        self.chats[chat_id] = state
        driver = ChatDriver(self, state)
        self._chat_drivers[chat_id] = driver
        return driver

    def chat(self, chat_id: int) -> ChatDriver:
        return self._chat_drivers[chat_id]

    def resolve_screen_name(self, name: str) -> tuple[str, int] | None:
        """("user", id) / ("group", id) for a screen name, id<N>, club<N> or public<N>."""
        lowered = name.lower()
        if lowered == self.screen_name.lower():
            return ("group", self.group_id)
        for prefix in ("club", "public"):
            if lowered == f"{prefix}{self.group_id}":
                return ("group", self.group_id)
        for user in self.users.values():
            if user.screen_name is not None and user.screen_name.lower() == lowered:
                return ("user", user.user_id)
        if lowered.startswith("id") and lowered[2:].isdigit() and int(lowered[2:]) in self.users:
            return ("user", int(lowered[2:]))
        return None

    def screen_name_of(self, user: UserState) -> str:
        return user.screen_name or f"id{user.user_id}"

    # ------------------------------------------------------------------ records

    def calls_to(self, method: str) -> list[CallRecord]:
        return [call for call in self.calls if call.method == method]

    @property
    def events(self) -> list[dict[str, Any]]:
        """The long poll events still kept in history."""
        return self.log.events

    def inbox(self, peer_id: int) -> Inbox[BotMessage]:
        if peer_id not in self.inboxes:
            self.inboxes[peer_id] = Inbox()
        return self.inboxes[peer_id]

    def conversation(self, peer_id: int) -> Conversation:
        """The community's history with ``peer_id`` (created empty on first use)."""
        if peer_id not in self.conversations:
            self.conversations[peer_id] = Conversation(peer_id)
        return self.conversations[peer_id]

    def answers_inbox(self, user_id: int) -> Inbox[dict[str, Any]]:
        if user_id not in self.event_answers:
            self.event_answers[user_id] = Inbox()
        return self.event_answers[user_id]

    # ------------------------------------------------------------------ ids

    def next_message_id(self) -> int:
        value = self._next_message_id
        self._next_message_id += 1
        return value

    def next_cmid(self, peer_id: int) -> int:
        value = self._cmid.get(peer_id, 0) + 1
        self._cmid[peer_id] = value
        return value

    def next_version(self) -> int:
        value = self._next_version
        self._next_version += 1
        return value

    def new_photo(self, owner_id: int, data: bytes, size: tuple[int, int]) -> PhotoState:
        photo = PhotoState(
            id=self._next_photo_id,
            owner_id=owner_id,
            album_id=-64,
            access_key=secrets.token_hex(9),
            data=data,
            width=size[0],
            height=size[1],
            date=int(self.clock()),
        )
        self._next_photo_id += 1
        self.photos[(owner_id, photo.id)] = photo
        return photo

    def new_doc(self, owner_id: int, data: bytes, filename: str, title: str | None) -> DocState:
        name, ext = split_name(filename)
        doc = DocState(
            id=self._next_doc_id,
            owner_id=owner_id,
            title=title or name,
            ext=ext,
            data=data,
            date=int(self.clock()),
            type=doc_type(ext),
            access_key=secrets.token_hex(9),
        )
        self._next_doc_id += 1
        self.docs[(owner_id, doc.id)] = doc
        return doc

    # ------------------------------------------------------------------ long poll keys

    def current_lp_key(self) -> str:
        if self.lp_key is None:
            self.lp_key = secrets.token_hex(20)
            self.lp_keys.add(self.lp_key)
        return self.lp_key

    def invalidate_lp_keys(self) -> None:
        self.lp_keys.clear()
        self.lp_key = None

    # ------------------------------------------------------------------ API pipeline

    def _request_params(self, method: str, params: dict[str, str]) -> list[dict[str, str]]:
        result = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
        result += [
            {"key": key, "value": value} for key, value in params.items() if key != "access_token"
        ]
        return result

    def _check_rate(self) -> None:
        if not self._within_rate():
            raise VKError(6)

    async def call_api(self, method: str, params: dict[str, str]) -> dict[str, Any]:
        """Run one top-level API call; return VK's JSON answer."""
        record_params = {k: v for k, v in params.items() if k != "access_token"}
        try:
            if params.get("access_token") != self.token:
                raise VKError(5, "invalid access_token (4)")
            if not self.methods.exists(method):
                raise VKError(3)
            if not params.get("v"):
                raise VKError(8, "v (version) is required")
            self._check_rate()
            fault = self.faults.take_api_error(method)
            if fault is not None:
                raise VKError(fault.code)
            result = await self.methods.call(method, params)
        except VKError as error:
            self.calls.append(CallRecord(method, record_params, self.clock(), False, error.code))
            return {"error": error.to_dict(self._request_params(method, params))}
        self.calls.append(CallRecord(method, record_params, self.clock(), True))
        if isinstance(result, ExecuteResult):
            answer: dict[str, Any] = {"response": result.value}
            if result.errors:
                answer["execute_errors"] = result.errors
            return answer
        return {"response": result}

    async def call_nested(self, method: str, params: dict[str, str]) -> Any:
        """One call inside ``execute``: raises VKError, is recorded, not rate limited."""
        try:
            if method == "execute" or not self.methods.exists(method):
                raise VKError(3)
            fault = self.faults.take_api_error(method)
            if fault is not None:
                raise VKError(fault.code)
            result = await self.methods.call(method, params)
        except VKError as error:
            self.calls.append(
                CallRecord(method, dict(params), self.clock(), False, error.code, True)
            )
            raise
        self.calls.append(CallRecord(method, dict(params), self.clock(), True, None, True))
        return result

    # ------------------------------------------------------------------ HTTP handlers

    @staticmethod
    async def _params(request: web.Request) -> dict[str, str]:
        params: dict[str, str] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    params[key] = value
        return params

    async def _transport_fault(self, request: web.Request, target: str) -> web.Response | None:
        """Apply an armed transport fault; a Response to send instead, or None to go on."""
        while True:
            fault = self.faults.take_transport(target)
            if fault is None:
                return None
            if fault.kind == "slow":
                await asyncio.sleep(fault.seconds)
                continue
            if fault.kind == "http_500":
                return web.Response(status=500, text=HTML_500, content_type="text/html")
            if fault.kind == "drop":
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=500)  # never reaches the client
            return None

    @staticmethod
    def _json(data: Any) -> web.Response:
        return web.Response(
            text=json.dumps(data, ensure_ascii=False), content_type="application/json"
        )

    async def _handle_method(self, request: web.Request) -> web.Response:
        method = request.match_info["name"]
        replacement = await self._transport_fault(request, method)
        if replacement is not None:
            return replacement
        params = await self._params(request)
        return self._json(await self.call_api(method, params))

    async def _handle_longpoll(self, request: web.Request) -> web.Response:
        replacement = await self._transport_fault(request, LONGPOLL)
        if replacement is not None:
            return replacement
        params = await self._params(request)
        return self._json(await self.a_check(params))

    async def a_check(self, params: dict[str, str]) -> dict[str, Any]:
        """Bots Long Poll ``act=a_check``."""
        if params.get("act") != "a_check":
            return {"failed": 2}
        if params.get("key") not in self.lp_keys:
            return {"failed": 2}
        try:
            ts = int(params.get("ts", ""))
        except ValueError:
            return {"failed": 1, "ts": str(self.log.next_ts)}
        try:
            wait = max(0, min(int(params.get("wait", "25")), MAX_LONGPOLL_WAIT))
        except ValueError:
            wait = 25
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            failure = self.faults.take_longpoll_failure()
            if failure == 1:
                return {"failed": 1, "ts": str(self.log.next_ts)}
            if failure in (2, 3):
                self.invalidate_lp_keys()
                return {"failed": failure}
            if params.get("key") not in self.lp_keys:
                return {"failed": 2}
            if not self.log.in_range(ts):
                return {"failed": 1, "ts": str(self.log.next_ts)}
            new = self.log.since(ts)
            updates = list(new)
            if self.faults.redeliver > 0 and self.log.last_delivered is not None:
                self.faults.redeliver -= 1
                updates.insert(0, self.log.last_delivered)
            if new:
                self.log.last_delivered = new[-1]
            if updates:
                return {"ts": str(self.log.next_ts), "updates": updates}
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                return {"ts": str(ts), "updates": []}
            await self.log.wait(remaining)

    async def _read_upload(self, request: web.Request, field: str) -> tuple[bytes, str] | None:
        if not request.content_type.startswith("multipart/"):
            return None
        reader = await request.multipart()
        found: tuple[bytes, str] | None = None
        while True:
            part = await reader.next()
            if part is None:
                break
            if isinstance(part, BodyPartReader) and part.name == field and found is None:
                data = await part.read()
                found = (bytes(data), part.filename or field)
            else:
                await part.release()
        return found

    async def _handle_upload_photo(self, request: web.Request) -> web.Response:
        upload = await self._read_upload(request, "photo")
        photo_field = "[]"
        if upload is not None and image_size(upload[0]) is not None:
            token = secrets.token_hex(16)
            self.photo_uploads[token] = upload
            photo_field = json.dumps([{"photo": token, "sizes": [], "kid": secrets.token_hex(8)}])
        digest = hashlib.md5(photo_field.encode(), usedforsecurity=False).hexdigest()
        return self._json({"server": self.upload_server_id, "photo": photo_field, "hash": digest})

    async def _handle_upload_doc(self, request: web.Request) -> web.Response:
        upload = await self._read_upload(request, "file")
        if upload is None:
            return self._json({"error": "no_file", "error_descr": "file not found"})
        token = f"{self.upload_server_id}|{secrets.token_hex(16)}"
        self.doc_uploads[token] = upload
        return self._json({"file": token})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        for kind, store in (("doc", self.docs), ("photo", self.photos)):
            if not name.startswith(kind):
                continue
            try:
                owner_text, id_text = name[len(kind) :].split("_", 1)
                key = (int(owner_text), int(id_text))
            except ValueError:
                break
            item = store.get(key)
            if item is None:
                break
            if isinstance(item, DocState):
                disposition = f'attachment; filename="{item.id}.{item.ext}"'
                return await self._file_response(
                    request, item.data, "application/octet-stream", disposition
                )
            if isinstance(item, PhotoState):
                return await self._file_response(request, item.data, "image/jpeg")
        raise web.HTTPNotFound(text="file not found")

    async def _file_response(
        self, request: web.Request, data: bytes, content_type: str, disposition: str | None = None
    ) -> web.StreamResponse:
        headers = {"Content-Disposition": disposition} if disposition else {}
        pieces = self.faults.take_file_pieces()
        if pieces is None:
            return web.Response(body=data, content_type=content_type, headers=headers)
        # Sent with chunked transfer encoding: the client learns the size only at the end.
        response = web.StreamResponse(headers=headers)
        response.content_type = content_type
        await response.prepare(request)
        for start in range(0, len(data), pieces.size):
            await response.write(data[start : start + pieces.size])
            if pieces.seconds:
                await asyncio.sleep(pieces.seconds)
        await response.write_eof()
        return response


__all__ = ["VKSandbox"]
