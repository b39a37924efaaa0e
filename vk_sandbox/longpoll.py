"""Bots Long Poll event history with wake-ups for held requests."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
from collections import deque
from typing import Any

API_VERSION = "5.199"


def new_event_id() -> str:
    """A 40-hex-character event id like VK's."""
    return secrets.token_hex(20)


class EventLog:
    """Numbered events; ``ts`` is the number the next event will get.

    ``a_check`` with ``ts=T`` returns the events numbered ``>= T`` and the new ``ts``.
    The oldest events are dropped once more than ``history`` are kept.
    """

    def __init__(self, group_id: int, history: int = 10_000, first_ts: int = 1) -> None:
        self.group_id = group_id
        self.history = history
        self._events: deque[tuple[int, dict[str, Any]]] = deque()
        self.next_ts = first_ts
        self._wake = asyncio.Event()
        self.last_delivered: dict[str, Any] | None = None

    def append(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        event = {
            "group_id": self.group_id,
            "type": event_type,
            "event_id": new_event_id(),
            "v": API_VERSION,
            "object": obj,
        }
        self.append_raw(event)
        return event

    def append_raw(self, event: dict[str, Any]) -> None:
        self._events.append((self.next_ts, event))
        self.next_ts += 1
        while len(self._events) > self.history:
            self._events.popleft()
        self.wake()

    def wake(self) -> None:
        """Wake every held a_check request (they re-check their condition)."""
        self._wake.set()
        self._wake = asyncio.Event()

    @property
    def oldest_ts(self) -> int:
        return self._events[0][0] if self._events else self.next_ts

    def in_range(self, ts: int) -> bool:
        return self.oldest_ts <= ts <= self.next_ts

    def since(self, ts: int) -> list[dict[str, Any]]:
        # Events are numbered without gaps, so the newest `count` are the ones asked for:
        # read from the right instead of scanning the whole history on every request.
        count = self.next_ts - max(ts, self.oldest_ts)
        newest = list(itertools.islice(reversed(self._events), max(count, 0)))
        newest.reverse()
        return [event for _, event in newest]

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109
        """Wait until something is appended (or ``wake`` is called) or ``timeout`` passes."""
        waiter = self._wake
        if timeout <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter.wait(), timeout)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [event for _, event in self._events]


__all__ = ["API_VERSION", "EventLog", "new_event_id"]
