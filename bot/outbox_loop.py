"""The sending loop every adapter's sender runs: rounds, pauses after failures, wake-ups.

VK's and MAX's senders read their rows of the outbox and send them very differently, but
what happens between two rounds is the same logic for both, so it lives here once: a round
that fails (the database locked, the messenger unreachable) is tried again after a pause that
doubles with each failure in a row up to a cap; a round that sent part goes again after the
first pause; with nothing pending the loop sleeps until a commit wakes it (or five seconds
pass); `drain` sends what is pending and stops. What must stay true: an outage of hours is
waited out without hammering the messenger, and nothing pending is left behind by `drain`
while it has time."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import sqlite3

from loguru import logger

from bot.broadcasts import BroadcastDone

# Pauses after a round that could not reach the messenger or the database: doubling from the
# first up to the cap, so an outage of hours is waited out, and a short one costs little.
RETRY_PAUSE_FIRST = 0.2
RETRY_PAUSE_CAP = 60.0
# With nothing pending the loop looks again this often even without a wake-up.
IDLE_LOOK = 5.0


class Step(enum.Enum):
    """What a round of sending leaves the sender to do next."""

    IDLE = "nothing is pending"
    DONE = "all that was pending went out"
    MORE = "more is pending"
    PARTLY = "some went out, some are to be tried again"
    RETRY = "the messenger or the database failed for now"


class OutboxLoop:
    """A sender's loop; a subclass sends one round in `_round` (and may wait in
    `_before_round`). `log_name` starts its log lines ("Outbox", "MAX outbox")."""

    log_name = "Outbox"

    def __init__(
        self,
        retry_pause_first: float = RETRY_PAUSE_FIRST,
        retry_pause_cap: float = RETRY_PAUSE_CAP,
    ) -> None:
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._stopping = False
        self._pause_first = retry_pause_first
        self._pause_cap = retry_pause_cap
        # Who is told when a broadcast's recipients are all settled (set by the wiring).
        self.on_broadcast_done: BroadcastDone | None = None

    def wake(self) -> None:
        self._wake.set()

    async def _before_round(self) -> None:
        """Waited before each read of the outbox (nothing by default)."""

    async def _round(self) -> Step:
        raise NotImplementedError

    async def run(self) -> None:
        failures = 0
        while True:
            await self._before_round()
            self._wake.clear()
            try:
                step = await self._round()
            except (sqlite3.Error, OSError) as error:
                # The database is locked by another process, the disk is full for a moment:
                # what was sent and not recorded is settled by the adapter's own means
                # (VK drops a repeat by random_id, MAX's sender reads the chat back).
                # The error's own words ("database is locked") name no one and tell an
                # operator what held the round up.
                logger.warning(
                    "{} round failed ({}: {}); trying again",
                    self.log_name,
                    type(error).__name__,
                    error,
                )
                step = Step.RETRY
            except Exception:
                logger.exception("{} round failed; trying again", self.log_name)
                step = Step.RETRY
            if step in (Step.RETRY, Step.PARTLY):
                self._idle.clear()
                # Paused so that an outage is not hammered, and waited out however long;
                # while some messages still go out, the messenger is not down and the pause
                # stays short.
                failures = failures + 1 if step is Step.RETRY else 0
                await asyncio.sleep(self._retry_pause(failures))
                continue
            failures = 0
            if step is Step.IDLE:
                self._idle.set()
                if self._stopping:
                    return
                await self._wait_for_wake()
            elif step is Step.DONE and not self._stopping:
                # All there was went out: the next read waits for a new commit's wake-up.
                await self._wait_for_wake()

    def _retry_pause(self, failures: int) -> float:
        """The first pause after progress; doubling with each round in a row that failed."""
        doubled: float = self._pause_first * 2.0 ** min(max(failures - 1, 0), 30)
        return min(doubled, self._pause_cap)

    async def _wait_for_wake(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=IDLE_LOOK)

    async def drain(self, grace: float) -> bool:
        """Sends what is pending and stops; returns False if time ran out first."""
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=grace)
        except TimeoutError:
            return False
        return True


class SendsThroughOutboxLoop:
    """The `MessengerAdapter` calls an adapter answers with its sender alone: mixed into
    each adapter, so that they stay the same on every messenger."""

    sender: OutboxLoop

    def forget_order(self) -> None:
        """Nothing of the order is kept here: the inbox writer keeps it (see InboxWriter)."""

    def on_broadcast_done(self, report: BroadcastDone) -> None:
        self.sender.on_broadcast_done = report

    def wake_sender(self) -> None:
        self.sender.wake()

    async def drain(self, grace: float) -> bool:
        return await self.sender.drain(grace=grace)


__all__ = ["RETRY_PAUSE_CAP", "RETRY_PAUSE_FIRST", "OutboxLoop", "SendsThroughOutboxLoop", "Step"]
