"""Parsed events → the inbox, for every messenger: each event is stored (deduplicated by its
event id) before it is handled, with the position of the messenger's stream it came with.

One writer per process, shared by the messengers' intakes: the inbox has one order (`seq`),
and two intakes numbering it apart would take the same places."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from loguru import logger

from bot.conversation.incoming import Incoming
from bot.storage import Database
from bot.storage.db import Change
from bot.storage.inbox import InboxRow

# A messenger's stream position (its key in settings_kv, its value): stored in the same
# transaction as the events it covers, so a restart neither repeats nor skips them.
Position = tuple[str, str]


class InboxWriter:
    def __init__(self, db: Database) -> None:
        self._db = db
        # Who takes the events once they are stored (the dispatcher).
        self.on_stored: Callable[[list[InboxRow]], None] = lambda rows: None
        self._storing = asyncio.Lock()
        self._next_seq: int | None = None

    def forget_order(self) -> None:
        """The inbox's next place is read afresh: another process may have stored since."""
        self._next_seq = None

    async def store(self, records: Sequence[Incoming], position: Position | None = None) -> int:
        """Stores the new events (and the stream position they came with), then hands them
        to the dispatcher: it does not read back what was just written. Returns how many
        were new."""
        async with self._storing:
            fresh: dict[str, Incoming] = {}
            for record in records:
                fresh.setdefault(record.event_id, record)
            if self._next_seq is None:
                self._next_seq = await self._db.reader.inbox.last_seq() + 1
            first = self._next_seq
            rows = [
                InboxRow(record.event_id, seq, record.person, record.to_stored())
                for seq, record in enumerate(fresh.values(), start=first)
            ]
            changes: list[Change] = [lambda tx: tx.inbox.add_many_statement(rows)]
            if position is not None:
                key, value = position
                changes.append(lambda tx: tx.kv.set_statement(key, value))
            try:
                added = (await self._db.write(*changes))[0]
            except Exception:
                self._next_seq = None  # read afresh: the places taken may not be ours to know
                raise
            self._next_seq += len(rows)
            if added != len(rows):
                # Some were stored before (an event delivered twice, a recovered message the
                # stream brings too): the new ones took the places given in this batch.
                stored = await self._db.reader.inbox.placed_between(first, first + len(rows) - 1)
                rows = [row for row in rows if row.event_id in stored]
        logger.debug("Stored {} new event(s) at position {}", len(rows), position)
        if len(rows) < len(records):
            logger.info("Skipped {} already received event(s)", len(records) - len(rows))
        if rows:
            self.on_stored(rows)
        return len(rows)
