"""VK calls the handlers need besides sending messages."""

from __future__ import annotations

import asyncio
import json

import aiohttp
from loguru import logger
from vkbottle import VKAPIError

from bot.conversation.identity import VK, Account, vk_account
from bot.conversation.outgoing import Address, File, StoredFile
from bot.conversation.port import names_only
from bot.downloads import DOWNLOAD_SECONDS, FileHosts, download_capped, origin_of
from bot.parsing import PersonRef
from bot.russian import GenderCode, gender_from_vk_sex
from bot.storage import Database
from bot.vk.api import ResilientAPI, TransientAPIError
from bot.vk.outgoing import vk_peer_of
from bot.vk.people import vk_users_of

# Requests carrying callback answers at once; answers waiting meanwhile share the next one.
ANSWER_FLIGHTS = 4
ANSWERS_PER_EXECUTE = 25  # VK's limit of calls inside one execute
# Where VK keeps the photos and documents people send (userapi.com: photos' sizes; vk.com,
# vk.me: documents' links); anything else in an attachment is not fetched.
VK_FILE_DOMAINS = ("userapi.com", "vk.com", "vk.me", "vkuserphoto.ru", "vk-cdn.net")
# What an upload to VK can fail with (VK's refusal, the network, a time-out, an upload
# server's answer of another shape): each is a file not passed on, never a failed event.
UPLOAD_ERRORS = (
    VKAPIError,
    TransientAPIError,
    aiohttp.ClientError,
    TimeoutError,
    KeyError,
    ValueError,
)


class VKGateway:
    def __init__(
        self, api: ResilientAPI, group_id: int, db: Database, file_hosts: FileHosts | None = None
    ) -> None:
        self.api = api
        # A file is fetched only from VK's own hosts (or the API's origin: a sandbox).
        self._file_hosts = file_hosts
        # People's VK accounts are read from it (`bot/vk/people.py`).
        self._db = db
        self.group_id = group_id
        # How people address the community in chats (`/help@name`); None while unknown.
        self.screen_name: str | None = None
        self._answering: set[asyncio.Task[None]] = set()
        self._pending_answers: list[dict[str, object]] = []

    async def profile(self, account: Account | None) -> tuple[str, str, GenderCode | None]:
        """(first name, last name, gender) of the person behind a VK account, as VK gives
        them; empty when VK does not answer or the account is not VK's."""
        if account is None or account.messenger != VK:
            return "", "", None
        user_id = int(account.external_id)
        return (await self._vk_profiles([user_id])).get(user_id, ("", "", None))

    def placeholder_name(self, account: Account | None) -> str:
        """`id123`, as VK shows a user it has no name for (the account's own number, never
        the person's id at school)."""
        if account is None:
            return "id?"
        return f"id{account.external_id}" if account.messenger == VK else str(account)

    async def user_names(self, person_ids: list[int]) -> dict[int, tuple[str, str]]:
        """(first name, last name) by person; people VK does not know are left out."""
        return names_only(await self.user_profiles(person_ids))

    async def user_profiles(
        self, person_ids: list[int]
    ) -> dict[int, tuple[str, str, GenderCode | None]]:
        """(first name, last name, gender) by person, asked of VK for their VK accounts."""
        users = await vk_users_of(self._db, person_ids)
        profiles = await self._vk_profiles(sorted(set(users.values())))
        return {person: profiles[user] for person, user in users.items() if user in profiles}

    async def _vk_profiles(
        self, vk_ids: list[int]
    ) -> dict[int, tuple[str, str, GenderCode | None]]:
        """(first name, last name, gender from VK's `sex`) by VK id."""
        if not vk_ids:
            return {}
        try:
            response = await self.api.request(
                "users.get",
                {"user_ids": ",".join(str(vk_id) for vk_id in vk_ids), "fields": "sex"},
            )
        except (VKAPIError, TransientAPIError) as error:
            logger.warning("users.get failed: {}", type(error).__name__)
            return {}
        return {
            int(item["id"]): (
                str(item.get("first_name", "")),
                str(item.get("last_name", "")),
                gender_from_vk_sex(item.get("sex")),
            )
            for item in response.get("response", [])
        }

    async def load_screen_name(self) -> None:
        """Learns the community's screen name; left unknown if VK does not tell it now."""
        try:
            response = await self.api.request("groups.getById", {"group_id": self.group_id})
        except (VKAPIError, TransientAPIError) as error:
            logger.warning("groups.getById failed: {}", type(error).__name__)
            return
        groups = response.get("response", {}).get("groups") or [{}]
        name = groups[0].get("screen_name")
        self.screen_name = str(name) if name else None

    async def account_of(self, ref: PersonRef) -> Account | None:
        """The VK account a person reference names (a screen name is asked of VK)."""
        if ref.vk_id is not None:
            return vk_account(ref.vk_id)
        assert ref.screen_name is not None
        user_id = await self.resolve_screen_name(ref.screen_name)
        return None if user_id is None else vk_account(user_id)

    async def resolve_screen_name(self, screen_name: str) -> int | None:
        """The VK id of a user's short page name, or None if it names no user."""
        try:
            response = await self.api.request(
                "utils.resolveScreenName", {"screen_name": screen_name}
            )
        except (VKAPIError, TransientAPIError) as error:
            logger.warning("utils.resolveScreenName failed: {}", type(error).__name__)
            return None
        found = response.get("response")
        if isinstance(found, dict) and found.get("type") == "user":
            return int(found["object_id"])
        return None

    async def upload(self, to: Address, file: File) -> StoredFile | None:
        """Uploads a file for a message to `to` (a picture as a photo, anything else as a
        document); None if VK would not take it (the caller says so in words)."""
        peer_id = vk_peer_of(to, await vk_users_of(self._db, [to.id]))
        if peer_id is None:
            return None  # a person without a VK account: nothing to upload for
        if file.content_type.startswith("image/"):
            ref = await self.upload_photo(peer_id, file.data, file.name, file.content_type)
        else:
            ref = await self.upload_document(peer_id, file.name, file.data)
        return None if ref is None else StoredFile(file.name, file.content_type, ref)

    async def upload_photo(
        self,
        peer_id: int,
        png: bytes,
        filename: str = "chart.png",
        content_type: str = "image/png",
    ) -> str | None:
        """Uploads a picture for a message to `peer_id`; returns the attachment string."""
        try:
            server = await self.api.request("photos.getMessagesUploadServer", {"peer_id": peer_id})
            url = server["response"]["upload_url"]
            form = aiohttp.FormData()
            form.add_field("photo", png, filename=filename, content_type=content_type)
            async with aiohttp.ClientSession() as session, session.post(url, data=form) as answer:
                uploaded = json.loads(await answer.text())
            saved = await self.api.request(
                "photos.saveMessagesPhoto",
                {
                    "photo": uploaded["photo"],
                    "server": uploaded["server"],
                    "hash": uploaded["hash"],
                },
            )
        except UPLOAD_ERRORS as error:
            logger.warning("Photo upload failed: {}", type(error).__name__)
            return None
        photo = saved["response"][0]
        return f"photo{photo['owner_id']}_{photo['id']}"

    async def upload_document(self, peer_id: int, filename: str, data: bytes) -> str | None:
        """Uploads a file for a message to `peer_id`; returns the attachment string."""
        try:
            server = await self.api.request(
                "docs.getMessagesUploadServer", {"peer_id": peer_id, "type": "doc"}
            )
            form = aiohttp.FormData()
            form.add_field("file", data, filename=filename)
            async with (
                aiohttp.ClientSession() as session,
                session.post(server["response"]["upload_url"], data=form) as answer,
            ):
                uploaded = json.loads(await answer.text())
            saved = await self.api.request(
                "docs.save", {"file": uploaded["file"], "title": filename}
            )
        except UPLOAD_ERRORS as error:
            logger.warning("Document upload failed: {}", type(error).__name__)
            return None
        doc = saved["response"]["doc"]
        return f"doc{doc['owner_id']}_{doc['id']}"

    async def download(
        self, url: str, max_bytes: int, seconds: float = DOWNLOAD_SECONDS
    ) -> bytes | None:
        """A file a person sent, read to its end; None if it cannot be fetched whole within
        `seconds` or not on VK's file hosts. FileTooBigError if it turns out larger than
        `max_bytes`."""
        hosts = self._file_hosts or FileHosts(VK_FILE_DOMAINS, origin_of(self.api.API_URL))
        if not hosts.allows(url):
            logger.warning("Download refused: not a VK file host")
            return None
        return await download_capped(url, max_bytes, seconds)

    def invitation_link(self, code: str) -> str:
        """Opening it starts a dialog with the community; the first message carries `ref`."""
        return f"https://vk.me/club{self.group_id}?ref={code}"

    def answer_callback_soon(
        self, event_id: str, account: Account | None, peer_id: int, snackbar: str | None
    ) -> None:
        """Answers a button press, made from `account` in `peer_id` (the place's chat id
        as the incoming record gave it), without waiting for VK.

        Answers that pile up while others are on their way go together in one `execute`
        (one call against VK's limit and one request instead of up to 25)."""
        user_id = int(account.external_id) if account is not None else 0
        self._pending_answers.append(_answer_params(event_id, user_id, peer_id, snackbar))
        if len(self._answering) < ANSWER_FLIGHTS:
            task = asyncio.create_task(self._send_pending_answers())
            self._answering.add(task)
            task.add_done_callback(self._answering.discard)

    async def finish_answers(self) -> None:
        """Waits for the callback answers still on their way (before the client closes)."""
        while self._answering:
            await asyncio.gather(*self._answering, return_exceptions=True)

    async def answer_callback(
        self, event_id: str, user_id: int, peer_id: int, snackbar: str | None
    ) -> None:
        """Stops the button's spinner; VK shows the snackbar text when one is given."""
        await self._answer_one(_answer_params(event_id, user_id, peer_id, snackbar))

    async def _send_pending_answers(self) -> None:
        while self._pending_answers:
            # While VK's limit holds calls back, answers pile up: taken once a call could
            # start, they go in fewer, fuller calls (as the outbox sender's replies do).
            await self.api.limiter.wait_ready()
            if not self._pending_answers:
                return
            batch = self._pending_answers[:ANSWERS_PER_EXECUTE]
            del self._pending_answers[:ANSWERS_PER_EXECUTE]
            if len(batch) == 1:
                await self._answer_one(batch[0])
            else:
                await self._answer_many(batch)

    async def _answer_one(self, params: dict[str, object]) -> None:
        try:
            await self.api.request("messages.sendMessageEventAnswer", params)
        except (VKAPIError, TransientAPIError) as error:
            # The answer only stops a spinner; the reply itself goes through the outbox.
            logger.warning("sendMessageEventAnswer failed: {}", type(error).__name__)

    async def _answer_many(self, batch: list[dict[str, object]]) -> None:
        calls = ",".join(
            f"API.messages.sendMessageEventAnswer({json.dumps(params, ensure_ascii=False)})"
            for params in batch
        )
        try:
            response = await self.api.request("execute", {"code": f"return [{calls}];"})
        except (VKAPIError, TransientAPIError) as error:
            logger.warning(
                "execute of {} callback answers failed: {}", len(batch), type(error).__name__
            )
            return
        for failure in response.get("execute_errors") or ():
            logger.warning("sendMessageEventAnswer failed: error {}", failure.get("error_code"))


def _answer_params(
    event_id: str, user_id: int, peer_id: int, snackbar: str | None
) -> dict[str, object]:
    params: dict[str, object] = {"event_id": event_id, "user_id": user_id, "peer_id": peer_id}
    if snackbar:
        params["event_data"] = json.dumps(
            {"type": "show_snackbar", "text": snackbar[:90]}, ensure_ascii=False
        )
    return params
