"""The audit log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.base import Repo
from bot.storage.timefmt import from_db


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_id: int | None
    action: str
    subject_id: int | None
    details: dict[str, Any]


class AuditRepo(Repo):
    async def write(
        self,
        action: str,
        actor_id: int | None,
        subject_id: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO audit_log (at, actor_id, action, subject_id, details)"
            " VALUES (?, ?, ?, ?, ?)",
            (self._now(), actor_id, action, subject_id, json.dumps(details or {})),
        )

    async def latest(self, limit: int) -> list[AuditRow]:
        rows = await self._all(
            "SELECT id, at, actor_id, action, subject_id, details FROM audit_log"
            " ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [
            AuditRow(
                id=row["id"],
                at=from_db(row["at"]),
                actor_id=row["actor_id"],
                action=row["action"],
                subject_id=row["subject_id"],
                details=json.loads(row["details"]),
            )
            for row in rows
        ]
