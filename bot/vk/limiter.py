"""A client-side limit on API calls per second, shared by every caller."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class RateLimiter:
    """At most `rate` call starts in any window of `period` seconds.

    VK counts calls as they arrive; a small safety margin keeps network jitter from
    pushing two windows' worth of calls into one second on VK's side.
    """

    def __init__(self, rate: float, period: float = 1.0, margin: float = 0.05) -> None:
        self._capacity = max(1, int(rate * period))
        self._period = period + margin
        self._starts: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def wait_ready(self) -> None:
        """Waits, without taking it, until a call could start now."""
        while True:
            now = time.monotonic()
            while self._starts and now - self._starts[0] >= self._period:
                self._starts.popleft()
            if len(self._starts) < self._capacity:
                return
            await asyncio.sleep(self._period - (now - self._starts[0]))

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._starts and now - self._starts[0] >= self._period:
                    self._starts.popleft()
                if len(self._starts) < self._capacity:
                    self._starts.append(now)
                    return
                await asyncio.sleep(self._period - (now - self._starts[0]))
