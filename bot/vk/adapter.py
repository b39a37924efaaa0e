"""VK as one of the messengers the wiring runs (see bot/adapters.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loguru import logger

from bot.adapters import Loop
from bot.commands import Community
from bot.config import Settings
from bot.conversation.identity import VK
from bot.conversation.incoming import Incoming
from bot.intake import InboxWriter
from bot.outbox_loop import RETRY_PAUSE_CAP, SendsThroughOutboxLoop
from bot.storage import Database
from bot.vk.api import BACKOFF, ResilientAPI
from bot.vk.chat_platform import VKChatPlatform
from bot.vk.gateway import VKGateway
from bot.vk.intake import Intake
from bot.vk.parse import parse_update
from bot.vk.sender import OutboxSender

GROUP_ID_KEY = "vk_group_id"


async def resolve_group_id(api: ResilientAPI, settings: Settings, db: Database) -> int:
    if settings.vk_group_id is not None:
        return settings.vk_group_id
    response = await api.request("groups.getById", {})
    groups = response["response"]["groups"]
    if not groups:
        raise RuntimeError("VK_TOKEN is not a community token: groups.getById found no community")
    group_id = int(groups[0]["id"])
    async with db.transaction() as tx:
        await tx.kv.set(GROUP_ID_KEY, str(group_id))
    return group_id


class VKAdapter(SendsThroughOutboxLoop):
    name = VK

    def __init__(
        self,
        settings: Settings,
        db: Database,
        writer: InboxWriter,
        longpoll_wait: int = 25,
        api_backoff: tuple[float, ...] = BACKOFF,
        send_retry_pause_cap: float = RETRY_PAUSE_CAP,
    ) -> None:
        assert settings.vk_token is not None, "VK is off"
        self._settings = settings
        self._db = db
        self._writer = writer
        self._longpoll_wait = longpoll_wait
        self.api = ResilientAPI(
            settings.vk_token.get_secret_value(),
            settings.vk_api_url,
            settings.vk_rps,
            backoff=api_backoff,
        )
        self.sender = OutboxSender(db, self.api, retry_pause_cap=send_retry_pause_cap)
        self.chat_platform = VKChatPlatform(self.api, db)
        self.community = Community(0)

    async def start(self) -> None:
        group_id = await resolve_group_id(self.api, self._settings, self._db)
        self.gateway = VKGateway(self.api, group_id, self._db)
        await self.gateway.load_screen_name()
        self.community = Community(group_id, self.gateway.screen_name)
        self.intake = Intake(
            self._db,
            self.api,
            self._writer,
            group_id,
            wait=self._longpoll_wait,
            community=self.community,
        )
        await self.intake.prime()
        logger.info("VK: community {}", group_id)

    def read_legacy(self, body: dict[str, Any]) -> Incoming:
        """An inbox row stored by a version before the neutral record: a VK update."""
        return parse_update(body, self.community)

    def loops(self) -> Mapping[str, Loop]:
        return {
            "vk-sender": self.sender.run,
            "vk-long-poll": self.intake.poll_forever,
            "vk-recovery": self.intake.recover_forever,
        }

    async def close(self) -> None:
        if hasattr(self, "gateway"):
            await self.gateway.finish_answers()
        await self.api.close()
