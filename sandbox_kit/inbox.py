"""An append-only list with a read cursor and awaitable arrivals (used by the drivers)."""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

T = TypeVar("T")


class Inbox(Generic[T]):
    def __init__(self) -> None:
        self.items: list[T] = []
        self.cursor = 0
        self._arrived = asyncio.Event()

    def push(self, item: T) -> None:
        self.items.append(item)
        self._arrived.set()
        self._arrived = asyncio.Event()

    async def wait_count(self, count: int, timeout: float) -> bool:  # noqa: ASYNC109
        """Wait until ``len(items) >= count``; False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.items) < count:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                return len(self.items) >= count
        return True

    async def take(self, n: int, timeout: float) -> list[T] | None:  # noqa: ASYNC109
        """The next ``n`` unread items, or None on timeout (nothing is consumed then)."""
        if not await self.wait_count(self.cursor + n, timeout):
            return None
        taken = self.items[self.cursor : self.cursor + n]
        self.cursor += n
        return taken

    @property
    def unread(self) -> list[T]:
        return self.items[self.cursor :]


__all__ = ["Inbox"]
