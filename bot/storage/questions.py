"""Questions to the class teacher: the thread between an asker and the teacher, and what each
side wrote into it (texts and the messenger's references of files, never their bytes)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.russian import GenderCode
from bot.storage.base import Repo
from bot.storage.timefmt import from_db, from_db_optional, to_db


@dataclass(frozen=True)
class QuestionRow:
    id: int
    asker_id: int | None
    teacher_id: int | None
    class_id: int | None
    class_name: str | None
    created_at: datetime
    answered_at: datetime | None
    closed_at: datetime | None
    escalated_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class ChildRow:
    """A parent's child as `family_links` has them: a registered person or, until then, the
    name given; in the class the link was made for."""

    class_id: int | None
    name: str
    gender: GenderCode | None


# A file as stored with a question's message: (name, type, size, the messenger's ref, the
# messenger it came by).
StoredRef = tuple[str, str, int, str, str]


class QuestionsRepo(Repo):
    _SELECT = (
        "SELECT q.id, q.asker_id, q.teacher_id, q.class_id, c.name AS class_name,"
        " q.created_at, q.answered_at, q.closed_at, q.escalated_at"
        " FROM questions q LEFT JOIN classes c ON c.id = q.class_id"
    )

    @staticmethod
    def _row(row: sqlite3.Row) -> QuestionRow:
        return QuestionRow(
            id=row["id"],
            asker_id=row["asker_id"],
            teacher_id=row["teacher_id"],
            class_id=row["class_id"],
            class_name=row["class_name"],
            created_at=from_db(row["created_at"]),
            answered_at=from_db_optional(row["answered_at"]),
            closed_at=from_db_optional(row["closed_at"]),
            escalated_at=from_db_optional(row["escalated_at"]),
        )

    async def create(self, asker_id: int, teacher_id: int, class_id: int) -> int:
        cursor = await self._conn.execute(
            "INSERT INTO questions (asker_id, teacher_id, class_id, created_at)"
            " VALUES (?, ?, ?, ?)",
            (asker_id, teacher_id, class_id, self._now()),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def add_message(
        self, question_id: int, author_id: int, text: str, files: Sequence[StoredRef]
    ) -> None:
        await self._conn.execute(
            "INSERT INTO question_messages (question_id, author_id, text, files, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                question_id,
                author_id,
                text or None,
                json.dumps([list(ref) for ref in files], ensure_ascii=False) if files else None,
                self._now(),
            ),
        )

    async def mark_answered(self, question_id: int) -> None:
        await self._conn.execute(
            "UPDATE questions SET answered_at = ? WHERE id = ? AND answered_at IS NULL",
            (self._now(), question_id),
        )

    async def close(self, question_id: int, by: int) -> bool:
        """Closes an open question; False if it was closed already (the first close wins)."""
        cursor = await self._conn.execute(
            "UPDATE questions SET closed_at = ?, closed_by = ? WHERE id = ? AND closed_at IS NULL",
            (self._now(), by, question_id),
        )
        return cursor.rowcount == 1

    async def hand_over(self, class_id: int, teacher_id: int) -> int:
        """A class's open questions go to its new class teacher (the previous one no longer
        answers for the class; the asker's thread now reaches the new one); how many."""
        cursor = await self._conn.execute(
            "UPDATE questions SET teacher_id = ?"
            " WHERE class_id = ? AND closed_at IS NULL AND teacher_id IS NOT ?",
            (teacher_id, class_id, teacher_id),
        )
        return cursor.rowcount

    async def release_teacher(self, person_id: int) -> None:
        """A teacher who left answers none of their open questions any more: they wait for
        the class's next class teacher (and go to the admins meanwhile)."""
        await self._conn.execute(
            "UPDATE questions SET teacher_id = NULL WHERE teacher_id = ? AND closed_at IS NULL",
            (person_id,),
        )

    async def close_asked_by(self, person_id: int) -> None:
        """An asker who left has nobody to read an answer: their open questions close."""
        await self._conn.execute(
            "UPDATE questions SET closed_at = ?, closed_by = ?"
            " WHERE asker_id = ? AND closed_at IS NULL",
            (self._now(), person_id, person_id),
        )

    async def mark_escalated(self, question_id: int) -> bool:
        cursor = await self._conn.execute(
            "UPDATE questions SET escalated_at = ? WHERE id = ? AND escalated_at IS NULL",
            (self._now(), question_id),
        )
        return cursor.rowcount == 1

    async def get(self, question_id: int) -> QuestionRow | None:
        row = await self._one(f"{self._SELECT} WHERE q.id = ?", (question_id,))
        return None if row is None else self._row(row)

    async def open_of(self, person_id: int) -> list[QuestionRow]:
        """Open questions the person asked or is to answer, the newest first."""
        rows = await self._all(
            f"{self._SELECT} WHERE q.closed_at IS NULL AND (q.asker_id = ? OR q.teacher_id = ?)"
            " ORDER BY q.id DESC",
            (person_id, person_id),
        )
        return [self._row(row) for row in rows]

    async def unanswered_since(self, before: datetime, limit: int) -> list[QuestionRow]:
        """Open questions asked before `before` that no teacher has answered yet."""
        rows = await self._all(
            f"{self._SELECT} WHERE q.closed_at IS NULL AND q.answered_at IS NULL"
            " AND q.created_at <= ? AND q.asker_id IS NOT NULL ORDER BY q.id LIMIT ?",
            (to_db(before), limit),
        )
        return [self._row(row) for row in rows]

    async def to_escalate(self, before: datetime, limit: int) -> list[QuestionRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE q.closed_at IS NULL AND q.answered_at IS NULL"
            " AND q.escalated_at IS NULL AND q.created_at <= ? AND q.asker_id IS NOT NULL"
            " ORDER BY q.id LIMIT ?",
            (to_db(before), limit),
        )
        return [self._row(row) for row in rows]

    async def first_text(self, question_ids: Sequence[int]) -> dict[int, str]:
        """What each question began with (its first message's text), for lists."""
        if not question_ids:
            return {}
        marks = ",".join("?" * len(question_ids))
        rows = await self._all(
            "SELECT m.question_id, m.text FROM question_messages m WHERE m.id IN"
            f" (SELECT MIN(id) FROM question_messages WHERE question_id IN ({marks})"
            " GROUP BY question_id)",
            tuple(question_ids),
        )
        return {int(row[0]): str(row[1] or "") for row in rows}

    async def children_of(self, parent_id: int) -> list[ChildRow]:
        """A parent's children by `family_links` (a registered child by their name now);
        a child who has left is theirs no more here, as in `/family`."""
        rows = await self._all(
            "SELECT f.class_id, COALESCE(p.full_name, f.child_name) AS name, p.gender"
            " FROM family_links f LEFT JOIN people p ON p.id = f.child_id"
            " WHERE f.parent_id = ? AND p.left_at IS NULL ORDER BY f.id",
            (parent_id,),
        )
        return [
            ChildRow(row["class_id"], str(row["name"]), row["gender"])
            for row in rows
            if row["name"]
        ]
