"""The inbox: updates received, deduplicated, until their event is handled."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.base import Repo, Statement
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class InboxRow:
    event_id: str
    seq: int
    person_key: int
    body: dict[str, Any]


class InboxRepo(Repo):
    def add_many_statement(self, rows: Sequence[InboxRow]) -> Statement | None:
        """Stores the rows; one whose event_id is stored already is ignored (the statement
        changes as many rows as were new)."""
        if not rows:
            return None
        now = self._now()
        return Statement(
            "INSERT INTO inbox (event_id, seq, person_key, received_at, body)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING",
            [
                (
                    row.event_id,
                    row.seq,
                    row.person_key,
                    now,
                    json.dumps(row.body, ensure_ascii=False),
                )
                for row in rows
            ],
        )

    async def placed_between(self, first_seq: int, last_seq: int) -> set[str]:
        """The events stored at these places."""
        rows = await self._all(
            "SELECT event_id FROM inbox WHERE seq BETWEEN ? AND ?", (first_seq, last_seq)
        )
        return {row[0] for row in rows}

    async def last_seq(self) -> int:
        row = await self._one("SELECT IFNULL(MAX(seq), 0) FROM inbox")
        return int(row[0]) if row else 0

    async def pending(self, after_seq: int, limit: int) -> list[InboxRow]:
        rows = await self._all(
            "SELECT event_id, seq, person_key, body FROM inbox"
            " WHERE done_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
            (after_seq, limit),
        )
        return [
            InboxRow(
                event_id=row["event_id"],
                seq=row["seq"],
                person_key=row["person_key"],
                body=json.loads(row["body"]),
            )
            for row in rows
        ]

    def mark_done_statement(self, event_ids: Sequence[str]) -> Statement | None:
        if not event_ids:
            return None
        # The body holds what a person wrote; once handled it is not kept.
        now = self._now()
        return Statement(
            "UPDATE inbox SET done_at = ?, body = NULL WHERE event_id = ?",
            [(now, event_id) for event_id in event_ids],
        )

    async def purge_done_before(self, moment: datetime) -> None:
        await self._conn.execute(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", (to_db(moment),)
        )

    async def last_received(self) -> datetime | None:
        row = await self._one("SELECT MAX(received_at) FROM inbox")
        return from_db(row[0]) if row and row[0] else None

    async def count_pending(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL")
        return int(row[0]) if row else 0
