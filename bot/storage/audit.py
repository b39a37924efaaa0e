"""The audit log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.storage.base import Repo
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_id: int | None
    action: str
    subject_id: int | None
    details: dict[str, Any]
    # The class the action concerns, where the row tells (`filtered` reads it): the
    # details' "class" (or a move's "to"), a join request's class, a chat's class.
    class_name: str | None = None
    # The title of the chat an action on a chat names (its "peer"): '' when it has none,
    # None when the bot no longer knows the chat.
    chat_title: str | None = None


@dataclass(frozen=True)
class AuditFilter:
    """Rows by a person (as the actor or the subject), a class and a period [since, until)."""

    person_id: int | None = None
    class_name: str | None = None
    since: datetime | None = None
    until: datetime | None = None


# The class of a row: what its details say, else what its request or chat belongs to. A
# move concerns both classes: "from" counts for the filter, "to" is the one shown.
_CLASS_OF_ROW = (
    "COALESCE(json_extract(a.details, '$.class'), json_extract(a.details, '$.to'),"
    " rc.name, cc.name)"
)
# A chat's title; '' for a chat the bot knows without one, NULL for one it no longer knows.
_CHAT_TITLE = "CASE WHEN ch.peer_id IS NULL THEN NULL ELSE COALESCE(ch.title, '') END"
_FROM = (
    " FROM audit_log a"
    " LEFT JOIN join_requests j ON a.action LIKE 'request^_%' ESCAPE '^'"
    "   AND j.id = json_extract(a.details, '$.request')"
    " LEFT JOIN classes rc ON rc.id = j.class_id"
    " LEFT JOIN chats ch ON a.action LIKE 'chat^_%' ESCAPE '^'"
    "   AND ch.peer_id = json_extract(a.details, '$.peer')"
    " LEFT JOIN classes cc ON cc.id = ch.class_id"
)


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
        return [_audit_row(row) for row in rows]

    async def count(self, where: AuditFilter) -> int:
        condition, params = _condition(where)
        row = await self._one(f"SELECT COUNT(*){_FROM} WHERE {condition}", params)
        return int(row[0]) if row else 0

    async def filtered(self, where: AuditFilter, offset: int, limit: int) -> list[AuditRow]:
        """The rows matching `where`, newest first, `limit` of them from `offset`."""
        condition, params = _condition(where)
        rows = await self._all(
            "SELECT a.id, a.at, a.actor_id, a.action, a.subject_id, a.details,"
            f" {_CLASS_OF_ROW} AS class_name, {_CHAT_TITLE} AS chat_title{_FROM}"
            f" WHERE {condition} ORDER BY a.id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [
            _audit_row(row, class_name=row["class_name"], chat_title=row["chat_title"])
            for row in rows
        ]


def _condition(where: AuditFilter) -> tuple[str, tuple[Any, ...]]:
    parts: list[str] = ["1"]
    params: list[Any] = []
    if where.person_id is not None:
        # Each side has its index (migration 21), so SQLite reads the two and joins them;
        # the few actions that name a third person in their details (a family link's child,
        # a class teacher's predecessor) are read by the row ids of those actions alone.
        parts.append(
            "(a.actor_id = ? OR a.subject_id = ? OR a.id IN (SELECT id FROM audit_log"
            " WHERE action IN ('family_linked', 'family_unlinked', 'class_teacher_set')"
            " AND (json_extract(details, '$.child') = ?"
            " OR json_extract(details, '$.previous') = ?)))"
        )
        params += [where.person_id] * 4
    if where.class_name is not None:
        parts.append(f"({_CLASS_OF_ROW} = ? OR json_extract(a.details, '$.from') = ?)")
        params += [where.class_name, where.class_name]
    if where.since is not None:
        parts.append("a.at >= ?")
        params.append(to_db(where.since))
    if where.until is not None:
        parts.append("a.at < ?")
        params.append(to_db(where.until))
    return " AND ".join(parts), tuple(params)


def _audit_row(row: Any, class_name: str | None = None, chat_title: str | None = None) -> AuditRow:
    return AuditRow(
        id=row["id"],
        at=from_db(row["at"]),
        actor_id=row["actor_id"],
        action=row["action"],
        subject_id=row["subject_id"],
        details=json.loads(row["details"]),
        class_name=class_name,
        chat_title=chat_title,
    )
