"""Drains the outbox: every pending row is sent once, packed into `execute` calls."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from loguru import logger
from vkbottle import VKAPIError

from bot.storage import Database
from bot.storage.repositories import OutboxRow
from bot.vk.api import ResilientAPI, TransientAPIError

EXECUTE_MAX_CALLS = 25
LANES = 4
# The person cannot receive messages from the community: mark and move on.
UNREACHABLE_ERRORS = frozenset({900, 901, 902})
RETRYABLE_ERRORS = frozenset({6, 9, 10})
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class CallOutcome:
    ok: bool
    message_id: int | None = None
    error_code: int | None = None


class OutboxSender:
    def __init__(self, db: Database, api: ResilientAPI) -> None:
        self._db = db
        self._api = api
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        attempts: dict[int, int] = {}
        while True:
            self._wake.clear()
            rows = await self._db.reader.outbox.pending(after_id=0, limit=EXECUTE_MAX_CALLS * LANES)
            if not rows:
                self._idle.set()
                if self._stopping:
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=5.0)
                continue
            self._idle.clear()
            retry = await self._send_round(rows, attempts)
            if retry:
                # Transient failures: pause before the next round so a VK hiccup is not hammered.
                await asyncio.sleep(min(0.2 * max(attempts.values(), default=1), 5.0))

    async def drain(self, grace: float) -> bool:
        """Sends what is pending and stops; returns False if time ran out first."""
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=grace)
        except TimeoutError:
            return False
        return True

    async def _send_round(self, rows: Sequence[OutboxRow], attempts: dict[int, int]) -> bool:
        # One peer's messages stay in one lane, in order; lanes run side by side.
        lanes: list[list[OutboxRow]] = [[] for _ in range(LANES)]
        for row in rows:
            lanes[row.peer_id % LANES].append(row)
        batches = [
            lane[i : i + EXECUTE_MAX_CALLS]
            for lane in lanes
            for i in range(0, len(lane), EXECUTE_MAX_CALLS)
        ]
        outcomes = await asyncio.gather(*(self._send_batch(batch) for batch in batches))
        any_retry = False
        async with self._db.transaction() as tx:
            for batch, results in zip(batches, outcomes, strict=True):
                for row, outcome in zip(batch, results, strict=True):
                    if outcome.ok:
                        attempts.pop(row.id, None)
                        await tx.outbox.mark_sent(row.id, outcome.message_id)
                    elif outcome.error_code in UNREACHABLE_ERRORS:
                        attempts.pop(row.id, None)
                        await tx.outbox.mark_given_up(row.id, "undeliverable", outcome.error_code)
                    elif outcome.error_code is None or outcome.error_code in RETRYABLE_ERRORS:
                        attempts[row.id] = attempts.get(row.id, 0) + 1
                        any_retry = True
                        if attempts[row.id] >= MAX_ATTEMPTS:
                            attempts.pop(row.id, None)
                            logger.error("Outbox row {} given up after retries", row.id)
                            await tx.outbox.mark_given_up(row.id, "failed", outcome.error_code)
                    else:
                        attempts.pop(row.id, None)
                        logger.error(
                            "Outbox row {} refused by VK with error {}", row.id, outcome.error_code
                        )
                        await tx.outbox.mark_given_up(row.id, "failed", outcome.error_code)
        return any_retry

    async def _send_batch(self, batch: Sequence[OutboxRow]) -> list[CallOutcome]:
        try:
            if len(batch) == 1:
                return [await self._send_one(batch[0])]
            return await self._send_execute(batch)
        except TransientAPIError as error:
            return [CallOutcome(ok=False, error_code=error.error_code)] * len(batch)
        except Exception:
            logger.exception("Sending a batch of {} messages failed", len(batch))
            return [CallOutcome(ok=False)] * len(batch)

    @staticmethod
    def _params(row: OutboxRow) -> dict[str, Any]:
        return {"peer_id": row.peer_id, "random_id": row.random_id, **row.body}

    async def _send_one(self, row: OutboxRow) -> CallOutcome:
        try:
            response = await self._api.request("messages.send", self._params(row))
        except VKAPIError as error:
            return CallOutcome(ok=False, error_code=error.code)
        message_id = response.get("response")
        return CallOutcome(ok=True, message_id=message_id if isinstance(message_id, int) else None)

    async def _send_execute(self, batch: Sequence[OutboxRow]) -> list[CallOutcome]:
        calls = ",".join(
            "API.messages.send(" + json.dumps(self._params(row), ensure_ascii=False) + ")"
            for row in batch
        )
        try:
            response = await self._api.request("execute", {"code": f"return [{calls}];"})
        except VKAPIError as error:
            return [CallOutcome(ok=False, error_code=error.code)] * len(batch)
        results = response.get("response")
        if not isinstance(results, list) or len(results) != len(batch):
            logger.error("execute answered an unexpected shape; the batch will be retried")
            return [CallOutcome(ok=False)] * len(batch)
        # VK lists the failed calls' errors in order, one per `false` in the results.
        errors = iter(response.get("execute_errors") or [])
        outcomes: list[CallOutcome] = []
        for result in results:
            if result is False:
                call_error: dict[str, Any] = next(errors, {})
                outcomes.append(CallOutcome(ok=False, error_code=call_error.get("error_code")))
            else:
                outcomes.append(
                    CallOutcome(ok=True, message_id=result if isinstance(result, int) else None)
                )
        return outcomes
