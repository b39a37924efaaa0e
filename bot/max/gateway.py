"""The port's calls on MAX (see bot/conversation/port.py): names from what updates told,
files uploaded through POST /uploads, deep links, button answers through POST /answers."""

from __future__ import annotations

import asyncio

import aiohttp
from loguru import logger

from bot.conversation.identity import MAX, Account
from bot.conversation.outgoing import Address, File, StoredFile
from bot.conversation.port import names_only
from bot.downloads import DOWNLOAD_SECONDS, FileHosts, download_capped, origin_of
from bot.max.api import MaxAPI, MaxAPIError, TransientMaxError
from bot.max.directory import Directory
from bot.max.outgoing import FILE_PREFIX
from bot.max.people import max_users_of
from bot.parsing import PersonRef
from bot.russian import GenderCode
from bot.storage import Database

UPLOAD_TIMEOUT = aiohttp.ClientTimeout(total=60)
# MAX shows a callback's notification briefly; a long one is cut.
NOTIFICATION_LIMIT = 200
# Where MAX keeps the images and files people send (its CDNs); nothing else is fetched.
MAX_FILE_DOMAINS = ("oneme.ru", "okcdn.ru", "max.ru", "mycdn.me")


class MaxGateway:
    def __init__(
        self, api: MaxAPI, db: Database, directory: Directory, file_hosts: FileHosts | None = None
    ) -> None:
        self.api = api
        # A file is fetched only from MAX's own hosts (or the API's origin: a sandbox).
        self._file_hosts = file_hosts
        self._db = db
        self._directory = directory
        self.username: str | None = None
        self._answering: set[asyncio.Task[None]] = set()

    async def load_me(self) -> dict[str, object]:
        me = await self.api.request("GET", "/me")
        username = me.get("username") if isinstance(me, dict) else None
        self.username = str(username) if username else None
        return dict(me) if isinstance(me, dict) else {}

    # ------------------------------------------------------------------------ people

    async def profile(self, account: Account | None) -> tuple[str, str, GenderCode | None]:
        """The name MAX gave with the account's updates (MAX gives no gender)."""
        if account is None or account.messenger != MAX:
            return "", "", None
        first, last = self._directory.names.get(int(account.external_id), ("", ""))
        return first, last, None

    def placeholder_name(self, account: Account | None) -> str:
        return "max:?" if account is None else str(account)

    async def user_names(self, person_ids: list[int]) -> dict[int, tuple[str, str]]:
        return names_only(await self.user_profiles(person_ids))

    async def user_profiles(
        self, person_ids: list[int]
    ) -> dict[int, tuple[str, str, GenderCode | None]]:
        users = await max_users_of(self._db, person_ids)
        names = self._directory.names
        return {person: (*names[user], None) for person, user in users.items() if user in names}

    async def account_of(self, ref: PersonRef) -> Account | None:
        """A MAX account named outright (`max:123`); MAX has no other form to look up."""
        if ref.account is not None and ref.account.messenger == MAX:
            return ref.account
        return None

    async def resolve_screen_name(self, screen_name: str) -> int | None:
        return None  # MAX gives no call to find a user by name

    # ------------------------------------------------------------------------ files

    async def upload(self, to: Address, file: File) -> StoredFile | None:
        """Uploads a file (a picture as an image); its ref is `max:<type>:<token>`."""
        kind = "image" if file.content_type.startswith("image/") else "file"
        try:
            endpoint = await self.api.request("POST", "/uploads", {"type": kind})
            form = aiohttp.FormData()
            form.add_field("data", file.data, filename=file.name, content_type=file.content_type)
            async with self.api.session.post(
                str(endpoint["url"]), data=form, timeout=UPLOAD_TIMEOUT
            ) as answer:
                if answer.status != 200:
                    logger.warning("MAX upload failed: HTTP {}", answer.status)
                    return None
                uploaded = await answer.json(content_type=None)
        except (
            MaxAPIError,
            TransientMaxError,
            aiohttp.ClientError,
            TimeoutError,
            KeyError,
            ValueError,
        ) as error:
            logger.warning("MAX upload failed: {}", type(error).__name__)
            return None
        token = _token_of(uploaded) or endpoint.get("token")
        if not token:
            logger.warning("MAX upload answered no token")
            return None
        return StoredFile(file.name, file.content_type, f"{FILE_PREFIX}{kind}:{token}")

    async def download(
        self, url: str, max_bytes: int, seconds: float = DOWNLOAD_SECONDS
    ) -> bytes | None:
        """A file a person sent, from MAX's file hosts only (see VKGateway.download)."""
        hosts = self._file_hosts or FileHosts(MAX_FILE_DOMAINS, origin_of(self.api.api_url))
        if not hosts.allows(url):
            logger.warning("MAX download refused: not a MAX file host")
            return None
        return await download_capped(url, max_bytes, seconds, "MAX download")

    # ------------------------------------------------------------------------ links, buttons

    def invitation_link(self, code: str) -> str:
        """MAX's deep link: opening it starts the bot with `code` as `bot_started`'s payload
        (the codes are URL-safe already)."""
        return f"https://max.ru/{self.username or ''}?start={code}"

    def answer_callback_soon(
        self, event_id: str, account: Account | None, peer_id: int, snackbar: str | None
    ) -> None:
        """Answers a press (`event_id` is the callback id) without waiting; the reply itself
        goes through the outbox."""
        task = asyncio.create_task(self._answer(event_id, snackbar))
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)

    async def _answer(self, callback_id: str, snackbar: str | None) -> None:
        # MAX wants a message or a notification; a press with nothing to say shows a mark.
        body = {"notification": (snackbar or "✓")[:NOTIFICATION_LIMIT]}
        try:
            await self.api.request("POST", "/answers", {"callback_id": callback_id}, body)
        except (MaxAPIError, TransientMaxError) as error:
            logger.warning("MAX callback answer failed: {}", type(error).__name__)

    async def finish_answers(self) -> None:
        while self._answering:
            await asyncio.gather(*self._answering, return_exceptions=True)


def _token_of(uploaded: object) -> str | None:
    """The token in an upload's answer: `{"token"}` for a file, `{"photos": {id: {"token"}}}`
    for an image."""
    if not isinstance(uploaded, dict):
        return None
    if uploaded.get("token"):
        return str(uploaded["token"])
    photos = uploaded.get("photos")
    if isinstance(photos, dict):
        for value in photos.values():
            if isinstance(value, dict) and value.get("token"):
                return str(value["token"])
    return None
