"""A broadcast's end, shared by every messenger's sender: its recipients may be on several
messengers, each sender settling its own, and the one that settles the last ends it."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable

from loguru import logger

from bot.storage import Database
from bot.storage.outbox import DeliveryCounts, OutboxRow
from bot.storage.unit import current_unit

BroadcastDone = Callable[[OutboxRow, DeliveryCounts], Awaitable[None]]


async def end_if_settled(db: Database, row: OutboxRow, report: BroadcastDone | None) -> None:
    """Ends the broadcast if no recipient on any messenger is pending, and queues its
    delivery report in the same transaction: two senders settling their last recipients at
    once end it, and report it, once; a crash before the commit leaves both to do again."""
    if await db.reader.outbox.pending_recipients(row.id, 1):
        return
    unit = db.unit(f"broadcast {row.id} ends")
    token = current_unit.set(unit)
    try:
        async with db.transaction() as tx:
            ended = await tx.outbox.finish_broadcast(row.id)
        if ended and report is not None:
            counts = await db.reader.outbox.delivery(row.id)
            try:
                await report(row, counts)
            except (sqlite3.Error, OSError):
                raise  # the round is tried again, the report with it
            except Exception:
                logger.exception("Reporting broadcast {} failed", row.id)
        await unit.commit()
    finally:
        await unit.close()
        current_unit.reset(token)
