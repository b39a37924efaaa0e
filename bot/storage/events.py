"""Planned broadcasts and meetings."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.storage.base import Repo
from bot.storage.timefmt import from_db, from_db_optional, to_db


@dataclass(frozen=True)
class EventRow:
    id: int
    title: str
    starts_at: datetime
    audience: str
    class_id: int | None
    class_name: str | None
    chat_peer: int | None
    link: str | None
    created_by: int
    reminded_at: datetime | None
    cancelled_at: datetime | None


class EventsRepo(Repo):
    _SELECT = (
        "SELECT e.id, e.title, e.starts_at, e.audience, e.class_id, c.name AS class_name,"
        " e.chat_peer, e.link, e.created_by, e.reminded_at, e.cancelled_at"
        " FROM events e LEFT JOIN classes c ON c.id = e.class_id"
    )

    @staticmethod
    def _row(row: sqlite3.Row) -> EventRow:
        return EventRow(
            id=row["id"],
            title=row["title"],
            starts_at=from_db(row["starts_at"]),
            audience=row["audience"],
            class_id=row["class_id"],
            class_name=row["class_name"],
            chat_peer=row["chat_peer"],
            link=row["link"],
            created_by=row["created_by"],
            reminded_at=from_db_optional(row["reminded_at"]),
            cancelled_at=from_db_optional(row["cancelled_at"]),
        )

    async def create(
        self,
        title: str,
        starts_at: datetime,
        audience: str,
        class_id: int | None,
        chat_peer: int | None,
        link: str | None,
        created_by: int,
    ) -> int:
        cursor = await self._conn.execute(
            "INSERT INTO events (title, starts_at, audience, class_id, chat_peer, link,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (title, to_db(starts_at), audience, class_id, chat_peer, link, created_by, self._now()),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def get(self, event_id: int) -> EventRow | None:
        row = await self._one(f"{self._SELECT} WHERE e.id = ?", (event_id,))
        return None if row is None else self._row(row)

    async def upcoming(self, now: datetime, limit: int) -> list[EventRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE e.cancelled_at IS NULL AND e.starts_at > ?"
            " ORDER BY e.starts_at LIMIT ?",
            (to_db(now), limit),
        )
        return [self._row(row) for row in rows]

    async def due_reminders(self, now: datetime, horizon: datetime) -> list[EventRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE e.cancelled_at IS NULL AND e.reminded_at IS NULL"
            " AND e.starts_at > ? AND e.starts_at <= ? ORDER BY e.starts_at",
            (to_db(now), to_db(horizon)),
        )
        return [self._row(row) for row in rows]

    async def mark_reminded(self, event_id: int) -> bool:
        cursor = await self._conn.execute(
            "UPDATE events SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL",
            (self._now(), event_id),
        )
        return cursor.rowcount == 1

    async def cancel(self, event_id: int) -> bool:
        cursor = await self._conn.execute(
            "UPDATE events SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL",
            (self._now(), event_id),
        )
        return cursor.rowcount == 1
