"""Which classes a subject teacher teaches (clause 2.4)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.base import Repo


@dataclass(frozen=True)
class TeachingRow:
    teacher_id: int
    class_id: int
    class_name: str
    subject: str | None
    source: str


class TeachingRepo(Repo):
    _SELECT = (
        "SELECT t.teacher_id, t.class_id, c.name AS class_name, t.subject, t.source"
        " FROM teaching t JOIN classes c ON c.id = t.class_id"
    )

    @staticmethod
    def _row(row: sqlite3.Row) -> TeachingRow:
        return TeachingRow(
            row["teacher_id"], row["class_id"], row["class_name"], row["subject"], row["source"]
        )

    async def of_teacher(self, teacher_id: int) -> list[TeachingRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE t.teacher_id = ? ORDER BY c.grade, c.letter, c.name",
            (teacher_id,),
        )
        return [self._row(row) for row in rows]

    async def teach(
        self,
        teacher_id: int,
        class_id: int,
        subject: str | None,
        source: str,
        created_by: int | None,
        replace: bool,
    ) -> bool:
        """Records that the teacher teaches the class; `replace` lets a newer word (the
        admin's) overwrite the subject and source. True when a row was added or changed."""
        conflict = (
            "DO UPDATE SET subject = COALESCE(excluded.subject, teaching.subject),"
            " source = excluded.source, created_by = excluded.created_by"
            if replace
            else "DO NOTHING"
        )
        cursor = await self._conn.execute(
            "INSERT INTO teaching (teacher_id, class_id, subject, source, created_by, created_at)"
            f" VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (teacher_id, class_id) {conflict}",
            (teacher_id, class_id, subject, source, created_by, self._now()),
        )
        return cursor.rowcount == 1

    async def stop(
        self, teacher_id: int, class_ids: Sequence[int] | None, source: str | None = None
    ) -> int:
        """Forgets the teacher's classes (all of them when `class_ids` is None), only those
        recorded from `source` when given. Returns how many went."""
        sql = "DELETE FROM teaching WHERE teacher_id = ?"
        params: list[object] = [teacher_id]
        if class_ids is not None:
            if not class_ids:
                return 0
            sql += f" AND class_id IN ({','.join('?' * len(class_ids))})"
            params += list(class_ids)
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        cursor = await self._conn.execute(sql, tuple(params))
        return cursor.rowcount
