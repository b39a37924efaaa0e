"""Join requests and their decisions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage.base import Condition, Repo, Statement
from bot.storage.timefmt import from_db, from_db_optional, to_db


@dataclass(frozen=True)
class JoinRequestRow:
    id: int
    person_id: int
    role: str
    class_id: int
    class_name: str
    full_name: str | None
    status: str
    created_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    reason: str | None
    # Who applied, by the register: for a parent's request `full_name` is the child's.
    applicant_name: str | None = None
    # A parent's request for a registered student picked from the class's list.
    child_id: int | None = None


class RequestsRepo(Repo):
    _SELECT = (
        "SELECT j.id, j.person_id, j.role, j.class_id, c.name AS class_name, j.full_name,"
        " j.status, j.created_at, j.decided_by, j.decided_at, j.reason,"
        " p.full_name AS applicant_name, j.child_id"
        " FROM join_requests j JOIN classes c ON c.id = j.class_id"
        " LEFT JOIN people p ON p.id = j.person_id"
    )

    @staticmethod
    def _row(row: sqlite3.Row) -> JoinRequestRow:
        return JoinRequestRow(
            id=row["id"],
            person_id=row["person_id"],
            role=row["role"],
            class_id=row["class_id"],
            class_name=row["class_name"],
            full_name=row["full_name"],
            status=row["status"],
            created_at=from_db(row["created_at"]),
            decided_by=row["decided_by"],
            decided_at=from_db_optional(row["decided_at"]),
            reason=row["reason"],
            applicant_name=row["applicant_name"],
            child_id=row["child_id"],
        )

    async def open_for(self, person_id: int, class_id: int) -> JoinRequestRow | None:
        row = await self._one(
            f"{self._SELECT} WHERE j.person_id = ? AND j.class_id = ? AND j.status = 'pending'",
            (person_id, class_id),
        )
        return None if row is None else self._row(row)

    def submit_statements(
        self, person_id: int, role: str, class_id: int, full_name: str, child_id: int | None = None
    ) -> tuple[Statement, Statement]:
        """A new pending request unless this person has one open for the class, and its
        audit record, as two statements that must run in this order, back to back: the
        second records what the first inserted, and nothing if it inserted nothing."""
        now = self._now()
        request = Statement(
            "INSERT INTO join_requests (person_id, role, class_id, full_name, created_at,"
            " child_id) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (person_id, class_id) WHERE status = 'pending' DO NOTHING",
            [(person_id, role, class_id, full_name, now, child_id)],
        )
        audit = Statement(
            "INSERT INTO audit_log (at, actor_id, action, subject_id, details)"
            " SELECT ?, ?, 'request_submitted', ?,"
            " json_object('request', last_insert_rowid(), 'role', ?) WHERE changes() = 1",
            [(now, person_id, person_id, role)],
        )
        return request, audit

    async def create(self, person_id: int, role: str, class_id: int, full_name: str) -> int | None:
        """A new pending request without its audit record (test and benchmark data); None
        if this person has one open for the class already."""
        request, _ = self.submit_statements(person_id, role, class_id, full_name)
        cursor = await self._conn.execute(request.sql, request.rows[0])
        return cursor.lastrowid if cursor.rowcount == 1 else None

    async def get(self, request_id: int) -> JoinRequestRow | None:
        row = await self._one(f"{self._SELECT} WHERE j.id = ?", (request_id,))
        return None if row is None else self._row(row)

    async def pending(self, class_ids: Sequence[int] | None, limit: int) -> list[JoinRequestRow]:
        if class_ids is None:
            rows = await self._all(
                f"{self._SELECT} WHERE j.status = 'pending' ORDER BY j.created_at, j.id LIMIT ?",
                (limit,),
            )
        else:
            marks = ",".join("?" * len(class_ids)) or "NULL"
            rows = await self._all(
                f"{self._SELECT} WHERE j.status = 'pending' AND j.class_id IN ({marks})"
                " ORDER BY j.created_at, j.id LIMIT ?",
                (*class_ids, limit),
            )
        return [self._row(row) for row in rows]

    async def count_pending(self, class_ids: Sequence[int] | None) -> int:
        if class_ids is None:
            row = await self._one("SELECT COUNT(*) FROM join_requests WHERE status = 'pending'")
        else:
            marks = ",".join("?" * len(class_ids)) or "NULL"
            row = await self._one(
                "SELECT COUNT(*) FROM join_requests WHERE status = 'pending'"
                f" AND class_id IN ({marks})",
                tuple(class_ids),
            )
        return int(row[0]) if row else 0

    def decision_statements(
        self, request: JoinRequestRow, status: str, by: int, reason: str | None
    ) -> tuple[Statement, Statement, Condition]:
        """The decision, recorded only if none was made yet (the first decision wins); its
        audit record; and the condition that holds only if this decision is the one
        recorded, for what else it brings about (a role)."""
        now = self._now()
        decision = Statement(
            "UPDATE join_requests SET status = ?, decided_by = ?, decided_at = ?, reason = ?"
            " WHERE id = ? AND status = 'pending'",
            [(status, by, now, reason, request.id)],
        )
        recorded: Condition = (
            "EXISTS (SELECT 1 FROM join_requests WHERE id = ? AND decided_by = ?"
            " AND decided_at = ?)",
            (request.id, by, now),
        )
        audit = Statement(
            "INSERT INTO audit_log (at, actor_id, action, subject_id, details)"
            f" SELECT ?, ?, ?, ?, ? WHERE {recorded[0]}",
            [
                (
                    now,
                    by,
                    f"request_{status}",
                    request.person_id,
                    json.dumps({"request": request.id}),
                    *recorded[1],
                )
            ],
        )
        return decision, audit, recorded

    async def needing_reminder(self, before: datetime, limit: int) -> list[JoinRequestRow]:
        """Pending since before `before` and not reminded since then."""
        rows = await self._all(
            f"{self._SELECT} WHERE j.status = 'pending' AND j.created_at < ?"
            " AND (j.reminded_at IS NULL OR j.reminded_at < ?) ORDER BY j.created_at LIMIT ?",
            (to_db(before), to_db(before), limit),
        )
        return [self._row(row) for row in rows]

    async def needing_escalation(self, before: datetime, limit: int) -> list[JoinRequestRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE j.status = 'pending' AND j.created_at < ?"
            " AND j.escalated_at IS NULL ORDER BY j.created_at LIMIT ?",
            (to_db(before), limit),
        )
        return [self._row(row) for row in rows]

    async def mark_reminded(self, request_id: int) -> None:
        await self._conn.execute(
            "UPDATE join_requests SET reminded_at = ? WHERE id = ?", (self._now(), request_id)
        )

    async def mark_escalated(self, request_id: int) -> None:
        await self._conn.execute(
            "UPDATE join_requests SET escalated_at = ? WHERE id = ?", (self._now(), request_id)
        )

    async def pending_by_class(self) -> list[tuple[str, int]]:
        rows = await self._all(
            "SELECT c.name, COUNT(*) FROM join_requests j JOIN classes c ON c.id = j.class_id"
            " WHERE j.status = 'pending' GROUP BY c.id ORDER BY c.grade, c.letter"
        )
        return [(row[0], int(row[1])) for row in rows]

    async def decided_between(
        self, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        rows = await self._all(
            "SELECT created_at, decided_at FROM join_requests"
            " WHERE decided_at IS NOT NULL AND decided_at >= ? AND decided_at < ?"
            " AND status IN ('approved', 'rejected')",
            (to_db(start), to_db(end)),
        )
        return [(from_db(row[0]), from_db(row[1])) for row in rows]

    async def withdraw_all(self, person_id: int) -> None:
        await self._conn.execute(
            "UPDATE join_requests SET status = 'withdrawn', full_name = NULL, reason = NULL"
            " WHERE person_id = ? AND status = 'pending'",
            (person_id,),
        )
