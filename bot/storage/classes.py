"""Classes and the staff room."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.storage.base import Repo


@dataclass(frozen=True)
class ClassSummaryRow:
    id: int
    name: str
    is_staff_room: bool
    class_teacher_id: int | None
    class_teacher_name: str | None
    students: int
    parents: int
    teachers: int


@dataclass(frozen=True)
class ClassRow:
    id: int
    name: str
    grade: int | None
    letter: str | None
    is_staff_room: bool


class ClassesRepo(Repo):
    _COLUMNS = "id, name, grade, letter, is_staff_room"

    @staticmethod
    def _row(row: sqlite3.Row) -> ClassRow:
        return ClassRow(
            id=row["id"],
            name=row["name"],
            grade=row["grade"],
            letter=row["letter"],
            is_staff_room=bool(row["is_staff_room"]),
        )

    async def staff_room(self) -> ClassRow:
        row = await self._one(f"SELECT {self._COLUMNS} FROM classes WHERE is_staff_room = 1")
        assert row is not None, "migration 1 creates the staff room"
        return self._row(row)

    async def all(self) -> list[ClassRow]:
        rows = await self._all(
            f"SELECT {self._COLUMNS} FROM classes ORDER BY is_staff_room DESC, grade, letter"
        )
        return [self._row(row) for row in rows]

    async def by_name(self, name: str) -> ClassRow | None:
        row = await self._one(f"SELECT {self._COLUMNS} FROM classes WHERE name = ?", (name,))
        return None if row is None else self._row(row)

    async def by_id(self, class_id: int) -> ClassRow | None:
        row = await self._one(f"SELECT {self._COLUMNS} FROM classes WHERE id = ?", (class_id,))
        return None if row is None else self._row(row)

    async def add(self, name: str, grade: int, letter: str) -> bool:
        cursor = await self._conn.execute(
            "INSERT INTO classes (name, grade, letter, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(name) DO NOTHING",
            (name, grade, letter, self._now()),
        )
        return cursor.rowcount == 1

    async def purge_history(self, class_id: int) -> None:
        await self._conn.execute(
            "DELETE FROM redemptions WHERE invitation_id IN"
            " (SELECT id FROM invitations WHERE class_id = ?)",
            (class_id,),
        )
        await self._conn.execute("DELETE FROM invitations WHERE class_id = ?", (class_id,))
        await self._conn.execute("DELETE FROM join_requests WHERE class_id = ?", (class_id,))
        await self._conn.execute("DELETE FROM roles WHERE class_id = ?", (class_id,))

    async def remove(self, class_id: int) -> None:
        await self._conn.execute(
            "DELETE FROM classes WHERE id = ? AND is_staff_room = 0", (class_id,)
        )

    async def members(self, class_id: int) -> int:
        row = await self._one(
            "SELECT COUNT(*) FROM roles WHERE class_id = ? AND ended_at IS NULL"
            " AND role != 'class_teacher'",
            (class_id,),
        )
        return int(row[0]) if row else 0

    async def summaries(self) -> list[ClassSummaryRow]:
        """Every class with its class teacher and member counts, in one query."""
        rows = await self._all(
            "SELECT c.id, c.name, c.is_staff_room,"
            " ct.person_id AS teacher_id, p.full_name AS teacher_name,"
            " SUM(r.role = 'student') AS students, SUM(r.role = 'parent') AS parents,"
            " SUM(r.role = 'teacher') AS teachers"
            " FROM classes c"
            " LEFT JOIN roles ct ON ct.class_id = c.id AND ct.role = 'class_teacher'"
            "   AND ct.ended_at IS NULL"
            " LEFT JOIN people p ON p.id = ct.person_id"
            " LEFT JOIN roles r ON r.class_id = c.id AND r.ended_at IS NULL"
            " GROUP BY c.id ORDER BY c.is_staff_room DESC, c.grade, c.letter"
        )
        return [
            ClassSummaryRow(
                id=row["id"],
                name=row["name"],
                is_staff_room=bool(row["is_staff_room"]),
                class_teacher_id=row["teacher_id"],
                class_teacher_name=row["teacher_name"],
                students=int(row["students"] or 0),
                parents=int(row["parents"] or 0),
                teachers=int(row["teachers"] or 0),
            )
            for row in rows
        ]
