"""Planned broadcasts, lessons and meetings, and the answers to meetings."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
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
    kind: str = "broadcast"
    # The role the organiser planned it in (None: planned before roles were kept).
    sender_role: str | None = None
    created_at: datetime | None = None
    evening_at: datetime | None = None
    evening_reminded_at: datetime | None = None


@dataclass(frozen=True)
class AnswerRow:
    person_id: int
    coming: bool
    answered_at: datetime


class EventsRepo(Repo):
    _SELECT = (
        "SELECT e.id, e.title, e.starts_at, e.audience, e.class_id, c.name AS class_name,"
        " e.chat_peer, e.link, e.created_by, e.reminded_at, e.cancelled_at, e.kind,"
        " e.sender_role, e.created_at, e.evening_at, e.evening_reminded_at"
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
            kind=row["kind"],
            sender_role=row["sender_role"],
            created_at=from_db_optional(row["created_at"]),
            evening_at=from_db_optional(row["evening_at"]),
            evening_reminded_at=from_db_optional(row["evening_reminded_at"]),
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
        kind: str = "broadcast",
        sender_role: str | None = None,
        evening_at: datetime | None = None,
    ) -> int:
        cursor = await self._conn.execute(
            "INSERT INTO events (title, starts_at, audience, class_id, chat_peer, link,"
            " created_by, created_at, kind, sender_role, evening_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                title,
                to_db(starts_at),
                audience,
                class_id,
                chat_peer,
                link,
                created_by,
                self._now(),
                kind,
                sender_role,
                None if evening_at is None else to_db(evening_at),
            ),
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

    async def upcoming_for(
        self,
        now: datetime,
        student_classes: Sequence[int],
        parent_classes: Sequence[int],
        limit: int,
    ) -> list[EventRow]:
        """What a student or parent is told of: the school's events, and their classes'."""
        students = ",".join("?" * len(student_classes)) or "NULL"
        parents = ",".join("?" * len(parent_classes)) or "NULL"
        rows = await self._all(
            f"{self._SELECT} WHERE e.cancelled_at IS NULL AND e.starts_at > ? AND ("
            " e.audience = 'school'"
            f" OR (e.audience IN ('students', 'class') AND e.class_id IN ({students}))"
            f" OR (e.audience IN ('parents', 'class') AND e.class_id IN ({parents})))"
            " ORDER BY e.starts_at LIMIT ?",
            (to_db(now), *student_classes, *parent_classes, limit),
        )
        return [self._row(row) for row in rows]

    async def due_reminders(self, now: datetime, horizon: datetime) -> list[EventRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE e.cancelled_at IS NULL AND e.reminded_at IS NULL"
            " AND e.starts_at > ? AND e.starts_at <= ? ORDER BY e.starts_at",
            (to_db(now), to_db(horizon)),
        )
        return [self._row(row) for row in rows]

    async def due_evening(self, now: datetime) -> list[EventRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE e.evening_at IS NOT NULL AND e.evening_reminded_at IS NULL"
            " AND e.cancelled_at IS NULL AND e.evening_at <= ? AND e.starts_at > ?"
            " ORDER BY e.starts_at",
            (to_db(now), to_db(now)),
        )
        return [self._row(row) for row in rows]

    async def mark_reminded(self, event_id: int) -> bool:
        cursor = await self._conn.execute(
            "UPDATE events SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL",
            (self._now(), event_id),
        )
        return cursor.rowcount == 1

    async def mark_evening_reminded(self, event_id: int) -> bool:
        cursor = await self._conn.execute(
            "UPDATE events SET evening_reminded_at = ? WHERE id = ?"
            " AND evening_reminded_at IS NULL",
            (self._now(), event_id),
        )
        return cursor.rowcount == 1

    async def cancel(self, event_id: int) -> bool:
        cursor = await self._conn.execute(
            "UPDATE events SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL",
            (self._now(), event_id),
        )
        return cursor.rowcount == 1

    async def answer(self, event_id: int, person_id: int, coming: bool) -> None:
        await self._conn.execute(
            "INSERT INTO event_answers (event_id, person_id, coming, answered_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (event_id, person_id)"
            " DO UPDATE SET coming = excluded.coming, answered_at = excluded.answered_at",
            (event_id, person_id, int(coming), self._now()),
        )

    async def answers(self, event_id: int) -> list[AnswerRow]:
        rows = await self._all(
            "SELECT person_id, coming, answered_at FROM event_answers WHERE event_id = ?"
            " ORDER BY answered_at, person_id",
            (event_id,),
        )
        return [
            AnswerRow(row["person_id"], bool(row["coming"]), from_db(row["answered_at"]))
            for row in rows
        ]
