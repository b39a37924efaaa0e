"""Invitations to a class, and their redemptions."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.base import SQL_BATCH, Repo
from bot.storage.timefmt import from_db, from_db_optional, to_db


@dataclass(frozen=True)
class InvitationRow:
    id: int
    role: str
    class_id: int
    class_name: str
    max_uses: int | None
    uses: int
    created_by: int
    created_at: datetime
    expires_at: datetime
    first_used_at: datetime | None
    annulled_at: datetime | None
    # A parent invitation for a named student: redeeming it links the parent to them.
    child_id: int | None = None


class InvitationsRepo(Repo):
    _SELECT = (
        "SELECT i.id, i.role, i.class_id, c.name AS class_name, i.max_uses, i.uses,"
        " i.created_by, i.created_at, i.expires_at, i.first_used_at, i.annulled_at, i.child_id"
        " FROM invitations i JOIN classes c ON c.id = i.class_id"
    )

    @staticmethod
    def _row(row: sqlite3.Row) -> InvitationRow:
        return InvitationRow(
            id=row["id"],
            role=row["role"],
            class_id=row["class_id"],
            class_name=row["class_name"],
            max_uses=row["max_uses"],
            uses=row["uses"],
            created_by=row["created_by"],
            created_at=from_db(row["created_at"]),
            expires_at=from_db(row["expires_at"]),
            first_used_at=from_db_optional(row["first_used_at"]),
            annulled_at=from_db_optional(row["annulled_at"]),
            child_id=row["child_id"],
        )

    async def create(
        self,
        code_hash: str,
        role: str,
        class_id: int,
        max_uses: int | None,
        created_by: int,
        expires_at: datetime,
        child_id: int | None = None,
    ) -> int:
        cursor = await self._conn.execute(
            "INSERT INTO invitations (code_hash, role, class_id, max_uses, created_by,"
            " created_at, expires_at, child_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                code_hash,
                role,
                class_id,
                max_uses,
                created_by,
                self._now(),
                to_db(expires_at),
                child_id,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def expired_between(self, start: datetime, end: datetime) -> int:
        """Invitations whose time ran out in the window while still open."""
        row = await self._one(
            "SELECT COUNT(*) FROM invitations WHERE expires_at > ? AND expires_at <= ?"
            " AND annulled_at IS NULL AND (max_uses IS NULL OR uses < max_uses)",
            (to_db(start), to_db(end)),
        )
        return int(row[0]) if row else 0

    async def activity_between(self, start: datetime, end: datetime) -> dict[str, int]:
        row = await self._one(
            "SELECT"
            " (SELECT COUNT(*) FROM invitations WHERE created_at >= ?1 AND created_at < ?2),"
            " (SELECT COUNT(*) FROM redemptions WHERE at >= ?1 AND at < ?2),"
            " (SELECT COUNT(*) FROM invitations WHERE annulled_at >= ?1 AND annulled_at < ?2)",
            (to_db(start), to_db(end)),
        )
        issued, used, annulled = (int(v or 0) for v in row) if row else (0, 0, 0)
        return {"issued": issued, "used": used, "annulled": annulled}

    async def open_uses_by_class(self, now: datetime) -> dict[int, int]:
        """Places still open on bounded invitations, per class: people expected to join."""
        rows = await self._all(
            "SELECT class_id, SUM(max_uses - uses) FROM invitations"
            " WHERE annulled_at IS NULL AND max_uses IS NOT NULL AND uses < max_uses"
            " AND expires_at > ? GROUP BY class_id",
            (to_db(now),),
        )
        return {int(row[0]): int(row[1]) for row in rows}

    async def count_for_role(self, role: str) -> int:
        row = await self._one("SELECT COUNT(*) FROM invitations WHERE role = ?", (role,))
        return int(row[0]) if row else 0

    async def by_hash(self, code_hash: str) -> InvitationRow | None:
        row = await self._one(f"{self._SELECT} WHERE i.code_hash = ?", (code_hash,))
        return None if row is None else self._row(row)

    async def by_id(self, invitation_id: int) -> InvitationRow | None:
        row = await self._one(f"{self._SELECT} WHERE i.id = ?", (invitation_id,))
        return None if row is None else self._row(row)

    async def claim(self, invitation_id: int, person_id: int) -> bool:
        """Takes one use, only if the invitation is still open: the check and the use are
        one statement, so two people cannot both take the last use."""
        now = self._now()
        cursor = await self._conn.execute(
            "UPDATE invitations SET uses = uses + 1, first_used_at = IFNULL(first_used_at, ?)"
            " WHERE id = ? AND annulled_at IS NULL AND expires_at > ?"
            " AND (max_uses IS NULL OR uses < max_uses)",
            (now, invitation_id, now),
        )
        if cursor.rowcount != 1:
            return False
        await self._conn.execute(
            "INSERT OR IGNORE INTO redemptions (invitation_id, person_id, at) VALUES (?, ?, ?)",
            (invitation_id, person_id, now),
        )
        return True

    async def latest(
        self, limit: int, class_ids: Sequence[int] | None = None
    ) -> list[InvitationRow]:
        if class_ids is None:
            rows = await self._all(f"{self._SELECT} ORDER BY i.id DESC LIMIT ?", (limit,))
        else:
            marks = ",".join("?" * len(class_ids)) or "NULL"
            rows = await self._all(
                f"{self._SELECT} WHERE i.class_id IN ({marks}) ORDER BY i.id DESC LIMIT ?",
                (*class_ids, limit),
            )
        return [self._row(row) for row in rows]

    async def status_counts(
        self, now: datetime, stale_before: datetime, class_ids: Sequence[int] | None = None
    ) -> dict[str, int]:
        where = ""
        params: list[Any] = [to_db(now), to_db(now), to_db(now), to_db(stale_before)]
        if class_ids is not None:
            where = f" WHERE class_id IN ({','.join('?' * len(class_ids)) or 'NULL'})"
            params += list(class_ids)
        row = await self._one(
            "SELECT"
            " SUM(annulled_at IS NOT NULL) AS annulled,"
            " SUM(annulled_at IS NULL AND max_uses IS NOT NULL AND uses >= max_uses) AS used,"
            " SUM(annulled_at IS NULL AND (max_uses IS NULL OR uses < max_uses)"
            "     AND expires_at <= ?) AS expired,"
            " SUM(annulled_at IS NULL AND (max_uses IS NULL OR uses < max_uses)"
            "     AND expires_at > ?) AS active,"
            " SUM(annulled_at IS NULL AND uses = 0 AND expires_at > ? AND created_at < ?)"
            "     AS stale"
            f" FROM invitations{where}",
            params,
        )
        keys = ("annulled", "used", "expired", "active", "stale")
        return {key: int(row[key] or 0) if row else 0 for key in keys}

    async def stale(
        self, now: datetime, stale_before: datetime, class_ids: Sequence[int] | None = None
    ) -> list[InvitationRow]:
        """Open invitations that nobody has used since they were made, long ago."""
        where = ""
        params: list[Any] = [to_db(now), to_db(stale_before)]
        if class_ids is not None:
            where = f" AND i.class_id IN ({','.join('?' * len(class_ids)) or 'NULL'})"
            params += list(class_ids)
        rows = await self._all(
            f"{self._SELECT} WHERE i.annulled_at IS NULL AND i.uses = 0 AND i.expires_at > ?"
            f" AND i.created_at < ?{where} ORDER BY i.id",
            params,
        )
        return [self._row(row) for row in rows]

    async def count_stale(self, now: datetime, stale_before: datetime) -> int:
        row = await self._one(
            "SELECT COUNT(*) FROM invitations WHERE annulled_at IS NULL AND uses = 0"
            " AND expires_at > ? AND created_at < ?",
            (to_db(now), to_db(stale_before)),
        )
        return int(row[0]) if row else 0

    async def annul(self, invitation_ids: Sequence[int], by: int) -> int:
        annulled = 0
        now = self._now()
        for start in range(0, len(invitation_ids), SQL_BATCH):
            chunk = invitation_ids[start : start + SQL_BATCH]
            marks = ",".join("?" * len(chunk))
            cursor = await self._conn.execute(
                f"UPDATE invitations SET annulled_at = ?, annulled_by = ?"
                f" WHERE id IN ({marks}) AND annulled_at IS NULL",
                (now, by, *chunk),
            )
            annulled += cursor.rowcount
        return annulled

    async def open_issued_by(self, person_id: int, class_id: int) -> list[int]:
        rows = await self._all(
            "SELECT id FROM invitations WHERE created_by = ? AND class_id = ?"
            " AND annulled_at IS NULL AND (max_uses IS NULL OR uses < max_uses)",
            (person_id, class_id),
        )
        return [int(row[0]) for row in rows]

    async def open_for_child(self, child_id: int, class_id: int) -> list[int]:
        """Open parent invitations of a class issued for this student."""
        rows = await self._all(
            "SELECT id FROM invitations WHERE child_id = ? AND class_id = ?"
            " AND annulled_at IS NULL AND (max_uses IS NULL OR uses < max_uses)",
            (child_id, class_id),
        )
        return [int(row[0]) for row in rows]

    async def record_failure(self, person_id: int) -> None:
        await self._conn.execute(
            "INSERT INTO code_failures (person_id, at) VALUES (?, ?)", (person_id, self._now())
        )

    async def failures_since(self, person_id: int, since: datetime) -> list[datetime]:
        rows = await self._all(
            "SELECT at FROM code_failures WHERE person_id = ? AND at > ? ORDER BY at",
            (person_id, to_db(since)),
        )
        return [from_db(row[0]) for row in rows]
