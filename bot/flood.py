"""A per-person flood limit: beyond it the bot says once to slow down and ignores the rest."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum

FLOOD_LIMIT = 20  # messages …
FLOOD_WINDOW = 10.0  # … in this many seconds
FLOOD_QUIET = 30.0  # then ignored for this long after the last one over the limit


class Verdict(StrEnum):
    PASS = "pass"
    WARN = "warn"
    IGNORE = "ignore"


@dataclass
class _Sender:
    times: deque[float] = field(default_factory=deque)
    quiet_until: float = 0.0


class FloodGuard:
    """Judged by when each message was written (VK's `date`), so messages answered after a
    downtime are not mistaken for a flood."""

    def __init__(
        self, limit: int = FLOOD_LIMIT, window: float = FLOOD_WINDOW, quiet: float = FLOOD_QUIET
    ) -> None:
        self._limit = limit
        self._window = window
        self._quiet = quiet
        self._senders: dict[int, _Sender] = {}

    def judge(self, person_id: int, written_at: float) -> Verdict:
        sender = self._senders.setdefault(person_id, _Sender())
        times = sender.times
        times.append(written_at)
        while times and written_at - times[0] > self._window:
            times.popleft()
        if written_at < sender.quiet_until:
            sender.quiet_until = written_at + self._quiet
            return Verdict.IGNORE
        if len(times) > self._limit:
            sender.quiet_until = written_at + self._quiet
            return Verdict.WARN
        if not times:
            self._senders.pop(person_id, None)
        return Verdict.PASS
