"""Long poll → inbox: every update is stored (deduplicated by event_id) before it is handled."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from loguru import logger
from vkbottle.exception_factory import ErrorHandler

from bot.conversation.identity import Account, vk_account
from bot.storage import Database
from bot.storage.db import Change
from bot.storage.inbox import InboxRow
from bot.vk.api import ResilientAPI
from bot.vk.polling import StoredTsPolling

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


def update_source(update: dict[str, Any]) -> dict[str, Any]:
    """What an update is about: its message for message_new, else its object."""
    obj = update.get("object")
    if not isinstance(obj, dict):
        return {}
    message = obj.get("message")
    return message if isinstance(message, dict) else obj


def person_key(update: dict[str, Any]) -> int:
    """Whose event this is: one person's events are handled in order."""
    source = update_source(update)
    return int(source.get("from_id") or source.get("user_id") or source.get("peer_id") or 0)


def account_of(update: dict[str, Any]) -> Account | None:
    """The VK account an update comes from (None: a community's own, or no person)."""
    key = person_key(update)
    return vk_account(key) if key > 0 else None


def dedup_key(update: dict[str, Any]) -> str:
    """What makes two deliveries the same event. A message is known by its place in its
    conversation, so one delivered by long poll and found again in the history is one."""
    message = update_source(update)
    if update.get("type") == "message_new":
        cmid = message.get("conversation_message_id")
        if cmid:
            return f"msg:{message.get('peer_id')}:{cmid}"
    event_id = update.get("event_id")
    if isinstance(event_id, str) and event_id:
        return event_id
    # VK always sends one; should it not, the content identifies the event.
    return "sha:" + hashlib.sha256(json.dumps(update, sort_keys=True).encode()).hexdigest()


class LoggingErrorHandler(ErrorHandler):
    async def handle(self, error: Exception, *args: Any, **kwargs: Any) -> None:
        logger.warning("Long poll error: {}: {}", type(error).__name__, error)


class Intake:
    def __init__(self, db: Database, api: ResilientAPI, group_id: int, wait: int = 25) -> None:
        self._db = db
        self._api = api
        self._group_id = group_id
        self._wait = wait
        # Who takes the events once they are stored (the dispatcher).
        self.on_stored: Callable[[list[InboxRow]], None] = lambda rows: None
        self._storing = asyncio.Lock()
        self._next_seq: int | None = None
        self._gap = asyncio.Event()
        self._last_delivery: float | None = None
        self.recovered = 0

    def forget_order(self) -> None:
        """The inbox's next place is read afresh: another process may have stored since."""
        self._next_seq = None

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
            polling = StoredTsPolling(
                group_id=self._group_id,
                stored_ts=stored_ts,
                on_gap=self.gap_detected,
                wait=self._wait,
            ).construct(self._api, LoggingErrorHandler())
            try:
                async for batch in polling.listen():
                    await self.store(batch.get("updates", []), str(batch["ts"]))
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
        """Stores the new events (with the long-poll position they came with), then hands
        them to the dispatcher: it does not read back what was just written."""
        async with self._storing:
            fresh: dict[str, dict[str, Any]] = {}
            for update in updates:
                fresh.setdefault(dedup_key(update), update)
            if self._next_seq is None:
                self._next_seq = await self._db.reader.inbox.last_seq() + 1
            first = self._next_seq
            rows = [
                InboxRow(event_id, seq, person_key(update), update)
                for seq, (event_id, update) in enumerate(fresh.items(), start=first)
            ]
            changes: list[Change] = [lambda tx: tx.inbox.add_many_statement(rows)]
            if ts is not None:
                changes.append(lambda tx: tx.kv.set_statement(TS_KEY, ts))
            try:
                added = (await self._db.write(*changes))[0]
            except Exception:
                self._next_seq = None  # read afresh: the places taken may not be ours to know
                raise
            self._next_seq += len(rows)
            if added != len(rows):
                # Some were stored before (a recovered message the long poll brings too):
                # the new ones are those that took the places given in this batch.
                stored = await self._db.reader.inbox.placed_between(first, first + len(rows) - 1)
                rows = [row for row in rows if row.event_id in stored]
        if ts is not None:
            self._last_delivery = time.time()
        logger.debug("Stored {} new event(s) up to ts {}", len(rows), ts)
        if len(rows) < len(updates):
            logger.info("Skipped {} already received event(s)", len(updates) - len(rows))
        if rows:
            self.on_stored(rows)
