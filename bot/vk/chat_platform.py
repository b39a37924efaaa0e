"""The chat operations VK allows a community bot, where it is the chat's admin."""

from __future__ import annotations

from loguru import logger
from vkbottle import VKAPIError

from bot.domain.chats import ChatMember
from bot.storage import Database
from bot.vk.api import ResilientAPI, TransientAPIError
from bot.vk.people import people_of_vk_users, vk_users_of

CHAT_PEER_OFFSET = 2_000_000_000


class VKChatPlatform:
    """Chat members are people to the core (their VK accounts' people, see bot/vk/people.py);
    a community in a chat keeps its negative VK id, which is nobody's person id."""

    def __init__(self, api: ResilientAPI, db: Database) -> None:
        self._api = api
        self._db = db

    async def invite_link(self, peer_id: int, reset: bool) -> str | None:
        try:
            response = await self._api.request(
                "messages.getInviteLink", {"peer_id": peer_id, "reset": int(reset)}
            )
        except (VKAPIError, TransientAPIError) as error:
            logger.info("No invite link for chat {}: {}", peer_id, _code(error))
            return None
        link = response.get("response", {}).get("link")
        return str(link) if link else None

    async def members(self, peer_id: int) -> list[ChatMember] | None:
        try:
            response = await self._api.request(
                "messages.getConversationMembers", {"peer_id": peer_id}
            )
        except (VKAPIError, TransientAPIError) as error:
            logger.info("No member list for chat {}: {}", peer_id, _code(error))
            return None
        items = response.get("response", {}).get("items", [])
        people = await people_of_vk_users(self._db, [int(item["member_id"]) for item in items])
        return [
            ChatMember(
                people.get(int(item["member_id"]), int(item["member_id"])),
                bool(item.get("is_owner")),
            )
            for item in items
        ]

    async def remove(self, peer_id: int, person_id: int) -> bool:
        user_id = (await vk_users_of(self._db, [person_id])).get(person_id)
        if user_id is None:
            return False  # nobody VK knows: not in a VK chat either
        try:
            await self._api.request(
                "messages.removeChatUser",
                {"chat_id": peer_id - CHAT_PEER_OFFSET, "member_id": user_id},
            )
        except (VKAPIError, TransientAPIError) as error:
            logger.info("Could not remove a member from chat {}: {}", peer_id, _code(error))
            return False
        return True

    async def add(self, peer_id: int, person_id: int) -> bool:
        """VK lets a community bot invite nobody into a chat: people join by its link."""
        return False


def _code(error: Exception) -> object:
    return getattr(error, "code", None) or getattr(error, "error_code", type(error).__name__)
