"""The chat operations MAX allows a bot where it is the chat's admin: the chat's link,
its members (paged), adding and removing members."""

from __future__ import annotations

from loguru import logger

from bot.domain.chats import ChatMember
from bot.max.api import MaxAPI, MaxAPIError, TransientMaxError
from bot.max.directory import Directory
from bot.max.people import max_users_of, people_of_max_users
from bot.storage import Database

MEMBERS_PAGE = 100
MEMBERS_MAX = 20_000


class MaxChatPlatform:
    """Members are people to the core (their MAX accounts' people); the bot itself is left
    out of a member list, as it is nobody the school knows."""

    def __init__(self, api: MaxAPI, db: Database, directory: Directory) -> None:
        self._api = api
        self._db = db
        self._directory = directory
        self.bot_id = 0

    async def invite_link(self, peer_id: int, reset: bool) -> str | None:
        """The chat's link, where MAX gives one (MAX cannot make a new one: `reset` is moot)."""
        try:
            chat = await self._api.request("GET", f"/chats/{peer_id}")
        except (MaxAPIError, TransientMaxError) as error:
            logger.info("No link for MAX chat {}: {}", peer_id, _why(error))
            return None
        link = chat.get("link") if isinstance(chat, dict) else None
        return str(link) if link else None

    async def members(self, peer_id: int) -> list[ChatMember] | None:
        found: list[dict[str, object]] = []
        marker: object = None
        try:
            while len(found) < MEMBERS_MAX:
                page = await self._api.request(
                    "GET",
                    f"/chats/{peer_id}/members",
                    {"count": MEMBERS_PAGE, "marker": marker},
                )
                found += [m for m in page.get("members") or () if isinstance(m, dict)]
                marker = page.get("marker")
                if marker is None:
                    break
        except (MaxAPIError, TransientMaxError) as error:
            logger.info("No member list for MAX chat {}: {}", peer_id, _why(error))
            return None
        members = [
            m
            for m in found
            if isinstance(m.get("user_id"), int)
            and m["user_id"] != self.bot_id
            and not m.get("is_bot")
        ]
        self._directory.note_names(
            {
                int(str(m["user_id"])): (
                    str(m.get("first_name") or ""),
                    str(m.get("last_name") or ""),
                )
                for m in members
            }
        )
        people = await people_of_max_users(self._db, [int(str(m["user_id"])) for m in members])
        return [
            ChatMember(people[int(str(m["user_id"]))], bool(m.get("is_owner"))) for m in members
        ]

    async def remove(self, peer_id: int, person_id: int) -> bool:
        user_id = (await max_users_of(self._db, [person_id])).get(person_id)
        if user_id is None:
            return False  # nobody MAX knows: not in a MAX chat either
        try:
            await self._api.request("DELETE", f"/chats/{peer_id}/members", {"user_id": user_id})
        except (MaxAPIError, TransientMaxError) as error:
            logger.info("Could not remove a member from MAX chat {}: {}", peer_id, _why(error))
            return False
        return True

    async def add(self, peer_id: int, person_id: int) -> bool:
        user_id = (await max_users_of(self._db, [person_id])).get(person_id)
        if user_id is None:
            return False
        try:
            answer = await self._api.request(
                "POST", f"/chats/{peer_id}/members", body={"user_ids": [user_id]}
            )
        except (MaxAPIError, TransientMaxError) as error:
            logger.info("Could not add a member to MAX chat {}: {}", peer_id, _why(error))
            return False
        failed = answer.get("failed_user_ids") if isinstance(answer, dict) else None
        return not failed and bool(isinstance(answer, dict) and answer.get("success", True))


def _why(error: Exception) -> object:
    if isinstance(error, MaxAPIError):
        return f"HTTP {error.status} {error.code}"
    return type(error).__name__
