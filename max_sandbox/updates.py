"""The bot's updates: the long polling log with MAX's ``marker`` cursor, and webhook delivery.

Marker semantics (GET /updates): every update has a sequence number; an answer's ``marker`` is
the number of the next expected update. Passing a marker acknowledges everything before it;
until then the same updates are delivered again (also to a request without a marker: the
server keeps the cursor, which is how the docs' "без marker — последние обновления" reads).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp

if TYPE_CHECKING:
    from .faults import Faults
    from .models import Subscription

FIRST_MARKER = 1_000_001


class UpdateLog:
    """Updates for long polling, kept up to ``history`` of them."""

    def __init__(self, history: int = 10_000) -> None:
        self.entries: deque[tuple[int, dict[str, Any]]] = deque(maxlen=history)
        self.next_seq = FIRST_MARKER
        self.cursor = FIRST_MARKER  # the first update not yet acknowledged
        self._changed = asyncio.Event()

    def append(self, update: dict[str, Any]) -> int:
        seq = self.next_seq
        self.next_seq += 1
        self.entries.append((seq, update))
        self.wake()
        return seq

    def wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    def read(
        self, marker: int | None, limit: int, types: frozenset[str] | None
    ) -> tuple[list[dict[str, Any]], int]:
        """Updates from ``marker`` (or the kept cursor) on, at most ``limit``; and the marker
        to pass next."""
        if marker is not None:
            self.cursor = max(self.cursor, min(marker, self.next_seq))
        start = self.cursor
        found: list[dict[str, Any]] = []
        next_marker = start
        # Sequence numbers are consecutive, so the first one wanted is found by its offset
        # rather than by walking the whole history on every poll (10,000 entries).
        skip = max(0, start - self.entries[0][0]) if self.entries else 0
        for seq, update in itertools.islice(self.entries, skip, None):
            if len(found) >= limit:
                break
            next_marker = seq + 1
            if types is None or update["update_type"] in types:
                found.append(update)
        return found, max(next_marker, start)


@dataclass
class WebhookAttempt:
    url: str
    update_type: str
    status: int | None  # None: the connection failed
    time: float
    redelivery: bool = False


class WebhookSender:
    """POSTs each update to the subscriptions' URLs, in order, retrying non-200 answers.

    MAX retries for up to 8 hours, 60 s then ×2.5; the sandbox starts at ``retry_delay`` and
    gives up after ``retries`` retries (dropping the update, recorded in ``attempts``).
    """

    def __init__(
        self,
        faults: Faults,
        subscriptions: Callable[[], Iterable[Subscription]],
        retry_delay: float = 0.05,
        retry_factor: float = 2.5,
        retries: int = 10,
        retry_cap: float = 2.0,
    ) -> None:
        self.faults = faults
        self.subscriptions = subscriptions
        self.retry_delay = retry_delay
        self.retry_factor = retry_factor
        self.retries = retries
        self.retry_cap = retry_cap
        self.attempts: list[WebhookAttempt] = []
        self.dropped: list[dict[str, Any]] = []
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def push(self, update: dict[str, Any]) -> None:
        self._idle.clear()
        self._queue.put_nowait(update)

    async def drain(self, timeout: float = 5.0) -> bool:  # noqa: ASYNC109
        """Wait until every queued update was delivered or given up; False on timeout."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def _run(self) -> None:
        while True:
            update = await self._queue.get()
            for subscription in list(self.subscriptions()):
                types = subscription.update_types
                if types and update["update_type"] not in types:
                    continue
                await self._deliver(subscription, update)
            if self._queue.empty():
                self._idle.set()

    async def _post(self, subscription: Subscription, update: dict[str, Any]) -> int | None:
        assert self._session is not None
        headers = {"Content-Type": "application/json"}
        if subscription.secret:
            headers["X-Max-Bot-Api-Secret"] = subscription.secret
        data = json.dumps(update, ensure_ascii=False).encode()
        try:
            async with self._session.post(subscription.url, data=data, headers=headers) as r:
                await r.read()
                return r.status
        except (aiohttp.ClientError, TimeoutError, OSError):
            return None

    async def _deliver(self, subscription: Subscription, update: dict[str, Any]) -> None:
        delay = self.retry_delay
        for attempt in range(self.retries + 1):
            status = await self._post(subscription, update)
            self.attempts.append(
                WebhookAttempt(subscription.url, update["update_type"], status, time.time())
            )
            if status == 200:
                if self.faults.take_webhook_redelivery():
                    # As if the 200 was lost on the way back: MAX POSTs the update again.
                    await asyncio.sleep(self.retry_delay)
                    again = await self._post(subscription, update)
                    self.attempts.append(
                        WebhookAttempt(
                            subscription.url, update["update_type"], again, time.time(), True
                        )
                    )
                return
            if attempt < self.retries:
                await asyncio.sleep(delay)
                delay = min(delay * self.retry_factor, self.retry_cap)
        self.dropped.append(update)


__all__ = ["FIRST_MARKER", "UpdateLog", "WebhookAttempt", "WebhookSender"]
