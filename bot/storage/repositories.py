"""Repositories: parameterised SQL in, frozen dataclasses out. No rules live here."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import Clock
from bot.storage.timefmt import from_db, from_db_optional, to_db


@dataclass(frozen=True)
class PersonRow:
    vk_id: int
    full_name: str | None
    consent_at: datetime | None
    pending_ref: str | None
    created_at: datetime
    left_at: datetime | None


@dataclass(frozen=True)
class RoleRow:
    id: int
    person_id: int
    role: str
    class_id: int | None
    class_name: str | None
    granted_at: datetime
    verified_at: datetime | None


@dataclass(frozen=True)
class ClassRow:
    id: int
    name: str
    grade: int | None
    letter: str | None
    is_staff_room: bool


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_id: int | None
    action: str
    subject_id: int | None
    details: dict[str, Any]


@dataclass(frozen=True)
class StateRow:
    person_id: int
    state: str
    payload: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True)
class InboxRow:
    event_id: str
    seq: int
    person_key: int
    body: dict[str, Any]


@dataclass(frozen=True)
class OutboxRow:
    id: int
    peer_id: int
    random_id: int
    body: dict[str, Any]
    attempts: int


class _Repo:
    def __init__(self, conn: aiosqlite.Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    def _now(self) -> str:
        return to_db(self._clock.now())

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> Iterable[aiosqlite.Row]:
        async with self._conn.execute(sql, params) as cursor:
            return await cursor.fetchall()


def _person(row: aiosqlite.Row) -> PersonRow:
    return PersonRow(
        vk_id=row["vk_id"],
        full_name=row["full_name"],
        consent_at=from_db_optional(row["consent_at"]),
        pending_ref=row["pending_ref"],
        created_at=from_db(row["created_at"]),
        left_at=from_db_optional(row["left_at"]),
    )


class PeopleRepo(_Repo):
    _COLUMNS = "vk_id, full_name, consent_at, pending_ref, created_at, left_at"

    async def get(self, vk_id: int) -> PersonRow | None:
        row = await self._one(f"SELECT {self._COLUMNS} FROM people WHERE vk_id = ?", (vk_id,))
        return _person(row) if row else None

    async def ensure(self, vk_id: int) -> PersonRow:
        await self._conn.execute(
            "INSERT INTO people (vk_id, created_at) VALUES (?, ?) ON CONFLICT(vk_id) DO NOTHING",
            (vk_id, self._now()),
        )
        person = await self.get(vk_id)
        assert person is not None
        return person

    async def set_pending_ref(self, vk_id: int, code: str | None) -> None:
        await self._conn.execute("UPDATE people SET pending_ref = ? WHERE vk_id = ?", (code, vk_id))

    async def record_consent(self, vk_id: int, full_name: str) -> None:
        await self._conn.execute(
            "UPDATE people SET consent_at = ?, full_name = ?, left_at = NULL WHERE vk_id = ?",
            (self._now(), full_name, vk_id),
        )

    async def delete(self, vk_id: int) -> None:
        await self._conn.execute("DELETE FROM people WHERE vk_id = ?", (vk_id,))

    async def names(self, vk_ids: Sequence[int]) -> dict[int, str]:
        if not vk_ids:
            return {}
        marks = ",".join("?" * len(vk_ids))
        rows = await self._all(
            f"SELECT vk_id, full_name FROM people WHERE vk_id IN ({marks})"
            " AND full_name IS NOT NULL",
            tuple(vk_ids),
        )
        return {row["vk_id"]: row["full_name"] for row in rows}


class RolesRepo(_Repo):
    _SELECT = (
        "SELECT r.id, r.person_id, r.role, r.class_id, c.name AS class_name,"
        " r.granted_at, r.verified_at FROM roles r LEFT JOIN classes c ON c.id = r.class_id"
    )

    @staticmethod
    def _row(row: aiosqlite.Row) -> RoleRow:
        return RoleRow(
            id=row["id"],
            person_id=row["person_id"],
            role=row["role"],
            class_id=row["class_id"],
            class_name=row["class_name"],
            granted_at=from_db(row["granted_at"]),
            verified_at=from_db_optional(row["verified_at"]),
        )

    async def active_for(self, person_id: int) -> list[RoleRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE r.person_id = ? AND r.ended_at IS NULL ORDER BY r.id",
            (person_id,),
        )
        return [self._row(row) for row in rows]

    async def holders(self, role: str) -> list[RoleRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE r.role = ? AND r.ended_at IS NULL ORDER BY r.id", (role,)
        )
        return [self._row(row) for row in rows]

    async def grant(
        self,
        person_id: int,
        role: str,
        class_id: int | None = None,
        granted_by: int | None = None,
        verified: bool = False,
    ) -> None:
        now = self._now()
        await self._conn.execute(
            "INSERT INTO roles (person_id, role, class_id, granted_at, granted_by, verified_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (person_id, role, IFNULL(class_id, 0)) WHERE ended_at IS NULL"
            " DO NOTHING",
            (person_id, role, class_id, now, granted_by, now if verified else None),
        )

    async def end_all(self, person_id: int) -> None:
        await self._conn.execute(
            "UPDATE roles SET ended_at = ? WHERE person_id = ? AND ended_at IS NULL",
            (self._now(), person_id),
        )


class ClassesRepo(_Repo):
    _COLUMNS = "id, name, grade, letter, is_staff_room"

    @staticmethod
    def _row(row: aiosqlite.Row) -> ClassRow:
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


class AuditRepo(_Repo):
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


class StatesRepo(_Repo):
    async def get(self, person_id: int) -> StateRow | None:
        row = await self._one(
            "SELECT person_id, state, payload, updated_at FROM conversation_state"
            " WHERE person_id = ?",
            (person_id,),
        )
        if row is None:
            return None
        return StateRow(
            person_id=row["person_id"],
            state=row["state"],
            payload=json.loads(row["payload"]),
            updated_at=from_db(row["updated_at"]),
        )

    async def set(self, person_id: int, state: str, payload: dict[str, Any]) -> None:
        await self._conn.execute(
            "INSERT INTO conversation_state (person_id, state, payload, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(person_id) DO UPDATE SET"
            " state = excluded.state, payload = excluded.payload,"
            " updated_at = excluded.updated_at",
            (person_id, state, json.dumps(payload, ensure_ascii=False), self._now()),
        )

    async def delete(self, person_id: int) -> None:
        await self._conn.execute("DELETE FROM conversation_state WHERE person_id = ?", (person_id,))


class InboxRepo(_Repo):
    async def add_many(self, events: Sequence[tuple[str, int, dict[str, Any]]]) -> int:
        """Store (event_id, person_key, body) rows; an event_id seen before is ignored.

        Returns how many were new."""
        added = 0
        row = await self._one("SELECT IFNULL(MAX(seq), 0) FROM inbox")
        seq = int(row[0]) if row else 0
        now = self._now()
        for event_id, person_key, body in events:
            seq += 1
            cursor = await self._conn.execute(
                "INSERT INTO inbox (event_id, seq, person_key, received_at, body)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING",
                (event_id, seq, person_key, now, json.dumps(body, ensure_ascii=False)),
            )
            added += cursor.rowcount
        return added

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

    async def mark_done(self, event_id: str) -> None:
        # The body holds what a person wrote; once handled it is not kept.
        await self._conn.execute(
            "UPDATE inbox SET done_at = ?, body = NULL WHERE event_id = ?",
            (self._now(), event_id),
        )

    async def purge_done_before(self, moment: datetime) -> None:
        await self._conn.execute(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", (to_db(moment),)
        )

    async def count_pending(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL")
        return int(row[0]) if row else 0


class OutboxRepo(_Repo):
    async def add(self, peer_id: int, random_id: int, body: dict[str, Any]) -> int:
        cursor = await self._conn.execute(
            "INSERT INTO outbox (peer_id, random_id, body, created_at) VALUES (?, ?, ?, ?)",
            (peer_id, random_id, json.dumps(body, ensure_ascii=False), self._now()),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def pending(self, after_id: int, limit: int) -> list[OutboxRow]:
        rows = await self._all(
            "SELECT id, peer_id, random_id, body, attempts FROM outbox"
            " WHERE state = 'pending' AND id > ? ORDER BY id LIMIT ?",
            (after_id, limit),
        )
        return [
            OutboxRow(
                id=row["id"],
                peer_id=row["peer_id"],
                random_id=row["random_id"],
                body=json.loads(row["body"]),
                attempts=row["attempts"],
            )
            for row in rows
        ]

    async def mark_sent(self, outbox_id: int, vk_message_id: int | None) -> None:
        await self._conn.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?, vk_message_id = ?, body = NULL,"
            " attempts = attempts + 1 WHERE id = ?",
            (self._now(), vk_message_id, outbox_id),
        )

    async def mark_given_up(self, outbox_id: int, state: str, error_code: int | None) -> None:
        await self._conn.execute(
            "UPDATE outbox SET state = ?, error_code = ?, body = NULL, attempts = attempts + 1"
            " WHERE id = ?",
            (state, error_code, outbox_id),
        )

    async def count_by_state(self) -> dict[str, int]:
        rows = await self._all("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        return {row[0]: int(row[1]) for row in rows}

    async def forget_peer(self, peer_id: int) -> None:
        await self._conn.execute(
            "UPDATE outbox SET body = NULL WHERE peer_id = ? AND state != 'pending'", (peer_id,)
        )


class KeyValueRepo(_Repo):
    async def get(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM settings_kv WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    async def set(self, key: str, value: str) -> None:
        await self._conn.execute(
            "INSERT INTO settings_kv (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


class Repositories:
    """Every repository, bound to one connection (a transaction's, or the reader's)."""

    def __init__(self, conn: aiosqlite.Connection, clock: Clock) -> None:
        self.people = PeopleRepo(conn, clock)
        self.roles = RolesRepo(conn, clock)
        self.classes = ClassesRepo(conn, clock)
        self.audit = AuditRepo(conn, clock)
        self.states = StatesRepo(conn, clock)
        self.inbox = InboxRepo(conn, clock)
        self.outbox = OutboxRepo(conn, clock)
        self.kv = KeyValueRepo(conn, clock)
