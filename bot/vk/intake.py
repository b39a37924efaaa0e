"""Long poll → inbox: every update is stored (deduplicated by event_id) before it is handled."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from loguru import logger

from bot.commands import Community
from bot.intake import InboxWriter
from bot.storage import Database
from bot.vk.api import ResilientAPI
from bot.vk.parse import dedup_key, parse_update
from bot.vk.polling import LongPoll

TS_KEY = "longpoll_ts"
RESTART_PAUSES = (0.5, 1.0, 2.0, 5.0, 10.0)
VK_API_VERSION = "5.199"
RECOVERY_PAGE = 200
RECOVERY_MAX_CONVERSATIONS = 2000
RECOVERY_HISTORY = 200
RECOVERY_MARGIN = 120  # seconds before the last good delivery that are read again
RECOVERY_DEFAULT_WINDOW = 24 * 3600
# What a current VK client supports; a recovered message has lost the real one.
RECOVERED_CLIENT_INFO = {
    "button_actions": ["text", "vkpay", "open_app", "location", "open_link", "callback"],
    "keyboard": True,
    "inline_keyboard": True,
    "carousel": True,
    "lang_id": 0,
}


class Intake:
    def __init__(
        self,
        db: Database,
        api: ResilientAPI,
        writer: InboxWriter,
        group_id: int,
        wait: int = 25,
        community: Community | None = None,
    ) -> None:
        self._db = db
        self._api = api
        self._group_id = group_id
        # Who the commands in a chat must address, and whose joining a chat is the bot's.
        self._me = community or Community(group_id)
        self._wait = wait
        self._writer = writer
        self._gap = asyncio.Event()
        self._last_delivery: float | None = None
        self.recovered = 0

    def gap_detected(self, code: int) -> None:
        logger.warning("Long poll lost events (failed {}); recovering from conversations", code)
        self._gap.set()

    async def recover_forever(self) -> None:
        """After each gap, finds the messages people wrote meanwhile in their conversations."""
        while True:
            await self._gap.wait()
            self._gap.clear()
            try:
                await self.recover()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("Recovery failed ({}); trying again", type(error).__name__)
                await asyncio.sleep(RESTART_PAUSES[-1])
                self._gap.set()

    async def recover(self) -> None:
        """Reads what people wrote since the gap began, from the conversations VK keeps.

        Every incoming message since then is stored; those the long poll did deliver are
        recognised by their place in the conversation and skipped."""
        since = await self._gap_start()
        found: list[dict[str, Any]] = []
        for offset in range(0, RECOVERY_MAX_CONVERSATIONS, RECOVERY_PAGE):
            page = await self._api.request(
                "messages.getConversations",
                {"filter": "all", "count": RECOVERY_PAGE, "offset": offset},
            )
            items = page["response"].get("items", [])
            older = False
            for item in items:
                if int(item.get("last_message", {}).get("date", 0)) < since:
                    older = True  # conversations come newest first: the rest are older
                    break
                found += await self._incoming_since(int(item["conversation"]["peer"]["id"]), since)
            if older or len(items) < RECOVERY_PAGE:
                break
        updates = [self._as_update(message) for message in found]
        if updates:
            await self.store(updates, ts=None)
        self.recovered += len(updates)

    async def _gap_start(self) -> int:
        """When events may have started to go missing: the last batch the long poll
        delivered, or the last event stored before a restart, less a safety margin."""
        last = self._last_delivery
        if last is None:
            stored = await self._db.reader.inbox.last_received()
            last = stored.timestamp() if stored else time.time() - RECOVERY_DEFAULT_WINDOW
        return int(last - RECOVERY_MARGIN)

    async def _incoming_since(self, peer_id: int, since: int) -> list[dict[str, Any]]:
        """A conversation's incoming messages written since `since`, oldest first."""
        history = await self._api.request(
            "messages.getHistory", {"peer_id": peer_id, "count": RECOVERY_HISTORY}
        )
        incoming: list[dict[str, Any]] = []
        for message in history["response"].get("items", []):
            if int(message.get("date", 0)) < since:
                break
            if not message.get("out"):
                incoming.append(message)
        return list(reversed(incoming))

    def _as_update(self, message: dict[str, Any]) -> dict[str, Any]:
        place = f"{message.get('peer_id')}:{message.get('conversation_message_id')}"
        return {
            "group_id": self._group_id,
            "type": "message_new",
            "event_id": f"recovered:{place}",
            "v": VK_API_VERSION,
            "object": {"message": message, "client_info": RECOVERED_CLIENT_INFO},
        }

    async def prime(self) -> None:
        """On the very first start, takes VK's current position, so that every event after
        start-up is fetched even if it arrives before the polling loop gets going."""
        if await self._db.reader.kv.get(TS_KEY) is not None:
            return
        response = await self._api.request("groups.getLongPollServer", {"group_id": self._group_id})
        async with self._db.transaction() as tx:
            await tx.kv.set(TS_KEY, str(response["response"]["ts"]))

    async def poll_forever(self) -> None:
        failures = 0
        while True:
            stored_ts = await self._db.reader.kv.get(TS_KEY)
            polling = LongPoll(
                self._api, self._group_id, stored_ts, on_gap=self.gap_detected, wait=self._wait
            )
            try:
                async for updates, ts in polling.listen():
                    await self.store(updates, ts)
                    failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as error:
                pause = RESTART_PAUSES[min(failures, len(RESTART_PAUSES) - 1)]
                failures += 1
                logger.warning(
                    "Long poll stopped ({}); starting again in {} s", type(error).__name__, pause
                )
                await asyncio.sleep(pause)

    async def store(self, updates: list[dict[str, Any]], ts: str | None) -> None:
        """Stores the new events with the long-poll position they came with (see InboxWriter);
        each update is parsed once, here: the inbox keeps the neutral record."""
        keyed: dict[str, dict[str, Any]] = {}
        for update in updates:
            keyed.setdefault(dedup_key(update), update)
        records = [parse_update(update, self._me) for update in keyed.values()]
        await self._writer.store(records, None if ts is None else (TS_KEY, ts))
        if ts is not None:
            self._last_delivery = time.time()
