"""Repositories: parameterised SQL in, frozen dataclasses out. No rules live here."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiosqlite

from bot.clock import Clock
from bot.russian import GenderCode, Who
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
    stated_name: str | None = None
    child_name: str | None = None


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


@dataclass(frozen=True)
class ChatRow:
    peer_id: int
    title: str | None
    added_by: int | None
    kind: str | None
    sub_kind: str | None
    class_id: int | None
    class_name: str | None
    bound_by: int | None
    bot_admin: bool
    invite_link: str | None
    checked_at: datetime | None
    left: bool


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


@dataclass(frozen=True)
class ProposalRow:
    id: int
    text: str
    proposed_by: int


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
    peer_id: int  # 0 for a broadcast, whose recipients are listed apart
    random_id: int
    # The messages.send parameters as stored (a JSON object), so that the sender can put
    # them into `execute` code as they are, without decoding and encoding them again.
    body_json: str
    attempts: int
    report_to: int | None = None

    @property
    def body(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body_json)
        return parsed

    @property
    def is_broadcast(self) -> bool:
        return self.peer_id == 0


@dataclass(frozen=True)
class DeliveryCounts:
    sent: int
    undeliverable: int
    failed: int
    pending: int
    # Why the failed ones failed: VK's error code (0 when none was given) and how many.
    failed_by_error: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PersonSnapshot:
    """What is read about the person behind every event."""

    person: PersonRow | None
    roles: list[RoleRow]
    dialog: StateRow | None


@dataclass(frozen=True)
class RecipientOutcome:
    """What became of one recipient of an outbox message after a send."""

    outbox_id: int
    peer_id: int
    state: str  # 'sent', 'undeliverable' or 'failed'
    message_id: int | None = None
    error_code: int | None = None


@dataclass
class ChangeLog:
    """What one transaction changed that the in-memory copies depend on."""

    people: set[int] = field(default_factory=set)  # their record or roles
    everyone: bool = False  # roles of people not known by id (a role ended by its id)
    dialogs: dict[int, tuple[str, str, str] | None] = field(default_factory=dict)
    classes: bool = False

    def dialog_set(self, person_id: int, state: str, payload_json: str, updated_at: str) -> None:
        self.dialogs[person_id] = (state, payload_json, updated_at)

    def dialog_ended(self, person_id: int) -> None:
        self.dialogs[person_id] = None

    def __bool__(self) -> bool:
        return bool(self.people or self.everyone or self.dialogs or self.classes)

    def merge(self, other: ChangeLog) -> None:
        self.people |= other.people
        self.everyone = self.everyone or other.everyone
        self.dialogs.update(other.dialogs)
        self.classes = self.classes or other.classes


# An SQL condition and its parameters, for a statement that must change nothing unless it
# holds (checked in the same transaction, when the statement runs).
Condition = tuple[str, tuple[Any, ...]]
ALWAYS: Condition = ("1", ())


@dataclass(frozen=True)
class Statement:
    """One statement over many rows, built without running it, for the hot writes: the
    repository runs it alone, `Database.write` runs many callers' together with the commit
    in one trip to the database thread."""

    sql: str
    rows: list[tuple[Any, ...]]
    changes: ChangeLog | None = None  # what it changes that copies in memory depend on


# Rows per statement where a list of ids goes into one IN (...).
SQL_BATCH = 500


class _Repo:
    def __init__(self, conn: aiosqlite.Connection, clock: Clock, changes: ChangeLog) -> None:
        self._conn = conn
        self._clock = clock
        # What this transaction changed that copies in memory depend on (see memo.py).
        self._changes = changes

    def _now(self) -> str:
        return to_db(self._clock.now())

    # execute_fetchall runs the statement and reads its rows in one trip to aiosqlite's
    # thread, where execute-then-fetch takes two (and closing the cursor a third).
    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        rows = list(await self._conn.execute_fetchall(sql, params))
        return rows[0] if rows else None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> Iterable[aiosqlite.Row]:
        return await self._conn.execute_fetchall(sql, params)

    async def _run(self, statement: Statement | None) -> int:
        """Runs a built statement in this transaction; returns the rows it changed."""
        if statement is None:
            return 0
        cursor = await self._conn.executemany(statement.sql, statement.rows)
        if statement.changes is not None:
            self._changes.merge(statement.changes)
        return cursor.rowcount


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

    async def snapshot(self, vk_id: int) -> PersonSnapshot:
        """The person, their active roles and their dialog state in one statement: read
        with every event."""
        rows = list(
            await self._all(
                "SELECT p.vk_id, p.full_name, p.consent_at, p.pending_ref, p.created_at,"
                " p.left_at, r.id, r.person_id, r.role, r.class_id, c.name AS class_name,"
                " r.granted_at, r.verified_at, r.stated_name, r.child_name,"
                " s.state AS dialog_state, s.payload AS dialog_payload,"
                " s.updated_at AS dialog_updated_at"
                " FROM (SELECT ? AS id) q"
                " LEFT JOIN people p ON p.vk_id = q.id"
                " LEFT JOIN roles r ON r.person_id = p.vk_id AND r.ended_at IS NULL"
                " LEFT JOIN classes c ON c.id = r.class_id"
                " LEFT JOIN conversation_state s ON s.person_id = q.id"
                " ORDER BY r.id",
                (vk_id,),
            )
        )
        first = rows[0]
        state = (
            None
            if first["dialog_state"] is None
            else StateRow(
                person_id=vk_id,
                state=first["dialog_state"],
                payload=json.loads(first["dialog_payload"]),
                updated_at=from_db(first["dialog_updated_at"]),
            )
        )
        if first["vk_id"] is None:
            return PersonSnapshot(None, [], state)
        roles = [RolesRepo._row(row) for row in rows if row["id"] is not None]
        return PersonSnapshot(_person(first), roles, state)

    async def ensure(self, vk_id: int) -> PersonRow:
        self._changes.people.add(vk_id)
        await self._conn.execute(
            "INSERT INTO people (vk_id, created_at) VALUES (?, ?) ON CONFLICT(vk_id) DO NOTHING",
            (vk_id, self._now()),
        )
        person = await self.get(vk_id)
        assert person is not None
        return person

    async def set_pending_ref(self, vk_id: int, code_hash: str | None) -> None:
        """The hash of the invitation code a person came with, kept until they consent."""
        self._changes.people.add(vk_id)
        await self._conn.execute(
            "UPDATE people SET pending_ref = ?, pending_ref_at = ? WHERE vk_id = ?",
            (code_hash, None if code_hash is None else self._now(), vk_id),
        )

    async def forget_pending_refs(self, before: datetime) -> int:
        """Forgets the codes of people who came before `before` and never consented."""
        rows = await self._all(
            "UPDATE people SET pending_ref = NULL, pending_ref_at = NULL"
            " WHERE consent_at IS NULL AND pending_ref IS NOT NULL"
            " AND (pending_ref_at IS NULL OR pending_ref_at < ?) RETURNING vk_id",
            (to_db(before),),
        )
        ids = [int(row[0]) for row in rows]
        self._changes.people.update(ids)
        return len(ids)

    async def record_consent(
        self, vk_id: int, full_name: str, gender: GenderCode | None = None
    ) -> None:
        self._changes.people.add(vk_id)
        await self._conn.execute(
            "UPDATE people SET consent_at = ?, full_name = ?, gender = ?, left_at = NULL"
            " WHERE vk_id = ?",
            (self._now(), full_name, gender, vk_id),
        )

    async def record_gender(self, vk_id: int, gender: GenderCode) -> None:
        """VK's word on a consented person's gender, kept when it is news."""
        self._changes.people.add(vk_id)
        await self._conn.execute(
            "UPDATE people SET gender = ? WHERE vk_id = ? AND consent_at IS NOT NULL"
            " AND gender IS NOT ?",
            (gender, vk_id, gender),
        )

    async def delete(self, vk_id: int) -> None:
        self._changes.people.add(vk_id)
        await self._conn.execute("DELETE FROM people WHERE vk_id = ?", (vk_id,))

    async def consented_between(self, start: datetime, end: datetime) -> int:
        row = await self._one(
            "SELECT COUNT(*) FROM people WHERE consent_at > ? AND consent_at <= ?",
            (to_db(start), to_db(end)),
        )
        return int(row[0]) if row else 0

    async def mark_left(self, vk_id: int) -> None:
        self._changes.people.add(vk_id)
        await self._conn.execute(
            "UPDATE people SET left_at = ? WHERE vk_id = ?", (self._now(), vk_id)
        )

    async def departed_before(self, moment: datetime) -> list[int]:
        rows = await self._all(
            "SELECT vk_id FROM people WHERE left_at IS NOT NULL AND left_at < ?",
            (to_db(moment),),
        )
        return [int(row[0]) for row in rows]

    async def set_can_receive(self, vk_id: int, can: bool) -> None:
        await self._conn.execute(
            "UPDATE people SET can_receive = ? WHERE vk_id = ?", (int(can), vk_id)
        )

    def set_unreachable_statement(self, vk_ids: Sequence[int]) -> Statement | None:
        if not vk_ids:
            return None
        return Statement(
            "UPDATE people SET can_receive = 0 WHERE vk_id = ?", [(vk_id,) for vk_id in vk_ids]
        )

    def set_reachable_statement(self, vk_ids: Sequence[int]) -> Statement | None:
        """Those who wrote to the community may be written to again (VK allows it)."""
        if not vk_ids:
            return None
        return Statement(
            "UPDATE people SET can_receive = 1 WHERE vk_id = ? AND can_receive = 0",
            [(vk_id,) for vk_id in vk_ids],
        )

    async def unreachable(self, vk_ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        for start in range(0, len(vk_ids), SQL_BATCH):
            chunk = vk_ids[start : start + SQL_BATCH]
            rows = await self._all(
                f"SELECT vk_id FROM people WHERE can_receive = 0"
                f" AND vk_id IN ({','.join('?' * len(chunk))})",
                tuple(chunk),
            )
            found |= {int(row[0]) for row in rows}
        return found

    async def names(self, vk_ids: Sequence[int]) -> dict[int, Who]:
        """Names that know their person's gender, so texts can decline them."""
        if not vk_ids:
            return {}
        marks = ",".join("?" * len(vk_ids))
        rows = await self._all(
            f"SELECT vk_id, full_name, gender FROM people WHERE vk_id IN ({marks})"
            " AND full_name IS NOT NULL",
            tuple(vk_ids),
        )
        return {row["vk_id"]: Who(row["full_name"], row["gender"]) for row in rows}


class RolesRepo(_Repo):
    _SELECT = (
        "SELECT r.id, r.person_id, r.role, r.class_id, c.name AS class_name,"
        " r.granted_at, r.verified_at, r.stated_name, r.child_name"
        " FROM roles r LEFT JOIN classes c ON c.id = r.class_id"
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
            stated_name=row["stated_name"],
            child_name=row["child_name"],
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
        stated_name: str | None = None,
        child_name: str | None = None,
    ) -> bool:
        """Grants a role; False when the person holds it already."""
        statement = self.grant_statement(
            person_id, role, class_id, granted_by, verified, stated_name, child_name
        )
        return await self._run(statement) == 1

    def grant_statement(
        self,
        person_id: int,
        role: str,
        class_id: int | None = None,
        granted_by: int | None = None,
        verified: bool = False,
        stated_name: str | None = None,
        child_name: str | None = None,
        only_if: Condition = ALWAYS,
    ) -> Statement:
        now = self._now()
        condition, condition_params = only_if
        # INSERT ... SELECT needs its WHERE (even `WHERE 1`) for SQLite to read ON CONFLICT.
        return Statement(
            "INSERT INTO roles (person_id, role, class_id, granted_at, granted_by, verified_at,"
            f" stated_name, child_name) SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE {condition}"
            " ON CONFLICT (person_id, role, IFNULL(class_id, 0)) WHERE ended_at IS NULL"
            " DO NOTHING",
            [
                (
                    person_id,
                    role,
                    class_id,
                    now,
                    granted_by,
                    now if verified else None,
                    stated_name,
                    child_name,
                    *condition_params,
                )
            ],
            ChangeLog(people={person_id}),
        )

    async def end(self, role_id: int) -> None:
        self._changes.everyone = True  # whose role it was is not known here
        await self._conn.execute(
            "UPDATE roles SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
            (self._now(), role_id),
        )

    async def end_role(self, person_id: int, role: str, class_id: int | None = None) -> int:
        self._changes.people.add(person_id)
        cursor = await self._conn.execute(
            "UPDATE roles SET ended_at = ? WHERE person_id = ? AND role = ?"
            " AND IFNULL(class_id, 0) = IFNULL(?, 0) AND ended_at IS NULL",
            (self._now(), person_id, role, class_id),
        )
        return cursor.rowcount

    async def in_class(self, class_id: int, role: str) -> list[RoleRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE r.class_id = ? AND r.role = ? AND r.ended_at IS NULL"
            " ORDER BY r.id",
            (class_id, role),
        )
        return [self._row(row) for row in rows]

    async def class_teacher_of(self, class_id: int) -> int | None:
        row = await self._one(
            "SELECT person_id FROM roles WHERE class_id = ? AND role = 'class_teacher'"
            " AND ended_at IS NULL",
            (class_id,),
        )
        return None if row is None else int(row[0])

    async def parents_of_child(self, class_id: int, child_name: str) -> list[RoleRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE r.class_id = ? AND r.role = 'parent'"
            " AND r.child_name = ? COLLATE NOCASE AND r.ended_at IS NULL ORDER BY r.id",
            (class_id, child_name),
        )
        return [self._row(row) for row in rows]

    async def unverified_teachers(self) -> list[RoleRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE r.role = 'teacher' AND r.verified_at IS NULL"
            " AND r.ended_at IS NULL ORDER BY r.granted_at",
        )
        return [self._row(row) for row in rows]

    async def verify_teacher(self, person_id: int) -> bool:
        self._changes.people.add(person_id)
        cursor = await self._conn.execute(
            "UPDATE roles SET verified_at = ? WHERE person_id = ? AND role = 'teacher'"
            " AND verified_at IS NULL AND ended_at IS NULL",
            (self._now(), person_id),
        )
        return cursor.rowcount > 0

    async def count_holders(self, role: str) -> int:
        row = await self._one(
            "SELECT COUNT(DISTINCT person_id) FROM roles WHERE role = ? AND ended_at IS NULL",
            (role,),
        )
        return int(row[0]) if row else 0

    async def forget_person(self, person_id: int) -> None:
        self._changes.people.add(person_id)
        # Other people's parent roles name this child: the name goes, the role stays.
        await self._conn.execute("DELETE FROM roles WHERE person_id = ?", (person_id,))

    async def end_all(self, person_id: int) -> None:
        self._changes.people.add(person_id)
        await self._conn.execute(
            "UPDATE roles SET ended_at = ? WHERE person_id = ? AND ended_at IS NULL",
            (self._now(), person_id),
        )

    async def seeded(self, person_id: int) -> set[str]:
        """The roles ADMIN_IDS / DIRECTOR_IDS have already granted this person."""
        rows = await self._all("SELECT role FROM seeded_roles WHERE person_id = ?", (person_id,))
        return {str(row[0]) for row in rows}

    async def record_seeded(self, person_id: int, role: str) -> None:
        await self._conn.execute(
            "INSERT OR IGNORE INTO seeded_roles (person_id, role, seeded_at) VALUES (?, ?, ?)",
            (person_id, role, self._now()),
        )

    async def forget_seeded(self, person_id: int) -> None:
        await self._conn.execute("DELETE FROM seeded_roles WHERE person_id = ?", (person_id,))


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

    async def by_name(self, name: str) -> ClassRow | None:
        row = await self._one(f"SELECT {self._COLUMNS} FROM classes WHERE name = ?", (name,))
        return None if row is None else self._row(row)

    async def by_id(self, class_id: int) -> ClassRow | None:
        row = await self._one(f"SELECT {self._COLUMNS} FROM classes WHERE id = ?", (class_id,))
        return None if row is None else self._row(row)

    async def add(self, name: str, grade: int, letter: str) -> bool:
        self._changes.classes = True
        cursor = await self._conn.execute(
            "INSERT INTO classes (name, grade, letter, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(name) DO NOTHING",
            (name, grade, letter, self._now()),
        )
        return cursor.rowcount == 1

    async def purge_history(self, class_id: int) -> None:
        self._changes.classes = True  # and the roles in the class
        await self._conn.execute(
            "DELETE FROM redemptions WHERE invitation_id IN"
            " (SELECT id FROM invitations WHERE class_id = ?)",
            (class_id,),
        )
        await self._conn.execute("DELETE FROM invitations WHERE class_id = ?", (class_id,))
        await self._conn.execute("DELETE FROM join_requests WHERE class_id = ?", (class_id,))
        await self._conn.execute("DELETE FROM roles WHERE class_id = ?", (class_id,))

    async def remove(self, class_id: int) -> None:
        self._changes.classes = True
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
            " LEFT JOIN people p ON p.vk_id = ct.person_id"
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
        await self._run(self.set_many_statement([(person_id, state, payload)]))

    async def delete(self, person_id: int) -> None:
        await self._run(self.delete_many_statement([person_id]))

    def set_many_statement(
        self, steps: Sequence[tuple[int, str, dict[str, Any]]]
    ) -> Statement | None:
        """(person_id, state, payload) of many people at once."""
        if not steps:
            return None
        now = self._now()
        rows = [
            (person, state, json.dumps(payload, ensure_ascii=False), now)
            for person, state, payload in steps
        ]
        changes = ChangeLog()
        for row in rows:
            changes.dialog_set(*row)
        return Statement(
            "INSERT INTO conversation_state (person_id, state, payload, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(person_id) DO UPDATE SET"
            " state = excluded.state, payload = excluded.payload,"
            " updated_at = excluded.updated_at",
            list(rows),
            changes,
        )

    def delete_many_statement(self, person_ids: Sequence[int]) -> Statement | None:
        if not person_ids:
            return None
        changes = ChangeLog()
        for person in person_ids:
            changes.dialog_ended(person)
        return Statement(
            "DELETE FROM conversation_state WHERE person_id = ?",
            [(person,) for person in person_ids],
            changes,
        )


class InboxRepo(_Repo):
    def add_many_statement(self, rows: Sequence[InboxRow]) -> Statement | None:
        """Stores the rows; one whose event_id is stored already is ignored (the statement
        changes as many rows as were new)."""
        if not rows:
            return None
        now = self._now()
        return Statement(
            "INSERT INTO inbox (event_id, seq, person_key, received_at, body)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING",
            [
                (
                    row.event_id,
                    row.seq,
                    row.person_key,
                    now,
                    json.dumps(row.body, ensure_ascii=False),
                )
                for row in rows
            ],
        )

    async def placed_between(self, first_seq: int, last_seq: int) -> set[str]:
        """The events stored at these places."""
        rows = await self._all(
            "SELECT event_id FROM inbox WHERE seq BETWEEN ? AND ?", (first_seq, last_seq)
        )
        return {row[0] for row in rows}

    async def last_seq(self) -> int:
        row = await self._one("SELECT IFNULL(MAX(seq), 0) FROM inbox")
        return int(row[0]) if row else 0

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

    def mark_done_statement(self, event_ids: Sequence[str]) -> Statement | None:
        if not event_ids:
            return None
        # The body holds what a person wrote; once handled it is not kept.
        now = self._now()
        return Statement(
            "UPDATE inbox SET done_at = ?, body = NULL WHERE event_id = ?",
            [(now, event_id) for event_id in event_ids],
        )

    async def purge_done_before(self, moment: datetime) -> None:
        await self._conn.execute(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", (to_db(moment),)
        )

    async def last_received(self) -> datetime | None:
        row = await self._one("SELECT MAX(received_at) FROM inbox")
        return from_db(row[0]) if row and row[0] else None

    async def count_pending(self) -> int:
        row = await self._one("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL")
        return int(row[0]) if row else 0


def in_turn(rows: Sequence[OutboxRow], per_peer: int) -> list[OutboxRow]:
    """Rows in id order, reordered so that peers take turns (see pending_in_turn)."""
    seen: dict[int, int] = {}
    turns: list[tuple[int, int, OutboxRow]] = []
    for row in rows:
        turn = seen[row.peer_id] = seen.get(row.peer_id, 0) + 1
        if turn <= per_peer:
            turns.append((turn, row.id, row))
    turns.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in turns]


class OutboxRepo(_Repo):
    def add_replies_statement(
        self, replies: Sequence[tuple[int, int, dict[str, Any]]]
    ) -> Statement | None:
        """Many (peer_id, random_id, body) messages in one statement."""
        if not replies:
            return None
        now = self._now()
        return Statement(
            "INSERT INTO outbox (peer_id, random_id, body, created_at) VALUES (?, ?, ?, ?)",
            [
                (peer_id, random_id, json.dumps(body, ensure_ascii=False), now)
                for peer_id, random_id, body in replies
            ],
        )

    async def add_broadcast(
        self,
        peer_ids: Sequence[int],
        random_id: int,
        body: dict[str, Any],
        report_to: int | None,
        unreachable: Sequence[int] = (),
    ) -> int:
        """One message for many: the recipients who cannot receive are recorded as such."""
        cursor = await self._conn.execute(
            "INSERT INTO outbox (peer_id, random_id, body, created_at, report_to)"
            " VALUES (0, ?, ?, ?, ?)",
            (random_id, json.dumps(body, ensure_ascii=False), self._now(), report_to),
        )
        outbox_id = cursor.lastrowid
        assert outbox_id is not None
        blocked = set(unreachable)
        await self._conn.executemany(
            "INSERT OR IGNORE INTO outbox_recipients (outbox_id, peer_id, state) VALUES (?, ?, ?)",
            [
                (outbox_id, peer, "undeliverable" if peer in blocked else "pending")
                for peer in peer_ids
            ],
        )
        return outbox_id

    async def pending(self, after_id: int, limit: int) -> list[OutboxRow]:
        rows = await self._all(
            "SELECT id, peer_id, random_id, body, attempts, report_to FROM outbox"
            " WHERE state = 'pending' AND id > ? ORDER BY id LIMIT ?",
            (after_id, limit),
        )
        return [
            OutboxRow(
                id=row["id"],
                peer_id=row["peer_id"],
                random_id=row["random_id"],
                body_json=row["body"],
                attempts=row["attempts"],
                report_to=row["report_to"],
            )
            for row in rows
        ]

    async def pending_in_turn(self, limit: int, per_peer: int) -> list[OutboxRow]:
        """Pending messages, each peer's oldest first, peers taking turns: everyone's first
        message, then everyone's second, and so on, at most `per_peer` of each peer's.

        So one peer with thousands queued does not hold back another's reply. Usually all
        that is pending fits in one plain read, and the turns are taken here; only a pile
        larger than that makes SQLite number each peer's rows (a window over every pending
        row, twice the cost of the plain read)."""
        plain = await self.pending(after_id=0, limit=limit)
        if len(plain) < limit:
            return in_turn(plain, per_peer)
        rows = await self._all(
            "SELECT id, peer_id, random_id, body, attempts, report_to FROM ("
            " SELECT *, ROW_NUMBER() OVER (PARTITION BY peer_id ORDER BY id) AS turn"
            " FROM outbox WHERE state = 'pending')"
            " WHERE turn <= ? ORDER BY turn, id LIMIT ?",
            (per_peer, limit),
        )
        return [
            OutboxRow(
                id=row["id"],
                peer_id=row["peer_id"],
                random_id=row["random_id"],
                body_json=row["body"],
                attempts=row["attempts"],
                report_to=row["report_to"],
            )
            for row in rows
        ]

    async def pending_recipients(self, outbox_id: int, limit: int) -> list[int]:
        rows = await self._all(
            "SELECT peer_id FROM outbox_recipients WHERE outbox_id = ? AND state = 'pending'"
            " ORDER BY peer_id LIMIT ?",
            (outbox_id, limit),
        )
        return [int(row[0]) for row in rows]

    def set_recipients_statement(self, outcomes: Sequence[RecipientOutcome]) -> Statement | None:
        if not outcomes:
            return None
        return Statement(
            "UPDATE outbox_recipients SET state = ?, vk_message_id = ?, error_code = ?"
            " WHERE outbox_id = ? AND peer_id = ?",
            [(o.state, o.message_id, o.error_code, o.outbox_id, o.peer_id) for o in outcomes],
        )

    async def delivery(self, outbox_id: int) -> DeliveryCounts:
        row = await self._one(
            "SELECT SUM(state = 'sent'), SUM(state = 'undeliverable'), SUM(state = 'failed'),"
            " SUM(state = 'pending') FROM outbox_recipients WHERE outbox_id = ?",
            (outbox_id,),
        )
        sent, undeliverable, failed, pending = (
            (int(value or 0) for value in row) if row else (0, 0, 0, 0)
        )
        reasons = await self._all(
            "SELECT COALESCE(error_code, 0), COUNT(*) FROM outbox_recipients"
            " WHERE outbox_id = ? AND state = 'failed' GROUP BY 1 ORDER BY 2 DESC, 1",
            (outbox_id,),
        )
        return DeliveryCounts(
            sent, undeliverable, failed, pending, {int(r[0]): int(r[1]) for r in reasons}
        )

    async def finish_broadcast(self, outbox_id: int) -> None:
        await self._conn.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?, body = NULL WHERE id = ?",
            (self._now(), outbox_id),
        )

    def mark_sent_statement(self, sent: Sequence[tuple[int, int | None]]) -> Statement | None:
        """(outbox_id, vk_message_id) of replies VK took."""
        if not sent:
            return None
        now = self._now()
        return Statement(
            "UPDATE outbox SET state = 'sent', sent_at = ?, vk_message_id = ?, body = NULL,"
            " attempts = attempts + 1 WHERE id = ?",
            [(now, message_id, outbox_id) for outbox_id, message_id in sent],
        )

    def mark_given_up_statement(self, given_up: Sequence[RecipientOutcome]) -> Statement | None:
        if not given_up:
            return None
        return Statement(
            "UPDATE outbox SET state = ?, error_code = ?, body = NULL, attempts = attempts + 1"
            " WHERE id = ?",
            [(o.state, o.error_code, o.outbox_id) for o in given_up],
        )

    async def count_by_state(self) -> dict[str, int]:
        rows = await self._all("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        return {row[0]: int(row[1]) for row in rows}


class InvitationsRepo(_Repo):
    _SELECT = (
        "SELECT i.id, i.role, i.class_id, c.name AS class_name, i.max_uses, i.uses,"
        " i.created_by, i.created_at, i.expires_at, i.first_used_at, i.annulled_at"
        " FROM invitations i JOIN classes c ON c.id = i.class_id"
    )

    @staticmethod
    def _row(row: aiosqlite.Row) -> InvitationRow:
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
        )

    async def create(
        self,
        code_hash: str,
        role: str,
        class_id: int,
        max_uses: int | None,
        created_by: int,
        expires_at: datetime,
    ) -> int:
        cursor = await self._conn.execute(
            "INSERT INTO invitations (code_hash, role, class_id, max_uses, created_by,"
            " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (code_hash, role, class_id, max_uses, created_by, self._now(), to_db(expires_at)),
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


class RequestsRepo(_Repo):
    _SELECT = (
        "SELECT j.id, j.person_id, j.role, j.class_id, c.name AS class_name, j.full_name,"
        " j.status, j.created_at, j.decided_by, j.decided_at, j.reason,"
        " p.full_name AS applicant_name"
        " FROM join_requests j JOIN classes c ON c.id = j.class_id"
        " LEFT JOIN people p ON p.vk_id = j.person_id"
    )

    @staticmethod
    def _row(row: aiosqlite.Row) -> JoinRequestRow:
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
        )

    async def open_for(self, person_id: int, class_id: int) -> JoinRequestRow | None:
        row = await self._one(
            f"{self._SELECT} WHERE j.person_id = ? AND j.class_id = ? AND j.status = 'pending'",
            (person_id, class_id),
        )
        return None if row is None else self._row(row)

    def submit_statements(
        self, person_id: int, role: str, class_id: int, full_name: str
    ) -> tuple[Statement, Statement]:
        """A new pending request unless this person has one open for the class, and its
        audit record, as two statements that must run in this order, back to back: the
        second records what the first inserted, and nothing if it inserted nothing."""
        now = self._now()
        request = Statement(
            "INSERT INTO join_requests (person_id, role, class_id, full_name, created_at)"
            " VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (person_id, class_id) WHERE status = 'pending' DO NOTHING",
            [(person_id, role, class_id, full_name, now)],
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


class ChatsRepo(_Repo):
    _SELECT = (
        "SELECT h.peer_id, h.title, h.added_by, h.kind, h.sub_kind, h.class_id,"
        " c.name AS class_name, h.bound_by, h.bot_admin, h.invite_link, h.checked_at, h.left_at"
        " FROM chats h LEFT JOIN classes c ON c.id = h.class_id"
    )

    @staticmethod
    def _row(row: aiosqlite.Row) -> ChatRow:
        return ChatRow(
            peer_id=row["peer_id"],
            title=row["title"],
            added_by=row["added_by"],
            kind=row["kind"],
            sub_kind=row["sub_kind"],
            class_id=row["class_id"],
            class_name=row["class_name"],
            bound_by=row["bound_by"],
            bot_admin=bool(row["bot_admin"]),
            invite_link=row["invite_link"],
            checked_at=from_db_optional(row["checked_at"]),
            left=row["left_at"] is not None,
        )

    async def added(self, peer_id: int, added_by: int | None) -> None:
        await self._conn.execute(
            "INSERT INTO chats (peer_id, added_by, added_at) VALUES (?, ?, ?)"
            " ON CONFLICT(peer_id) DO UPDATE SET added_by = excluded.added_by,"
            " added_at = excluded.added_at, left_at = NULL",
            (peer_id, added_by, self._now()),
        )

    async def get(self, peer_id: int) -> ChatRow | None:
        row = await self._one(f"{self._SELECT} WHERE h.peer_id = ?", (peer_id,))
        return None if row is None else self._row(row)

    async def holder_of(
        self, kind: str, class_id: int | None, sub_kind: str | None
    ) -> ChatRow | None:
        """The chat bound for a purpose that allows only one."""
        if kind in ("students", "parents", "teachers"):
            row = await self._one(
                f"{self._SELECT} WHERE h.kind = ? AND h.class_id = ?", (kind, class_id)
            )
        else:
            row = await self._one(
                f"{self._SELECT} WHERE h.kind = ? AND h.sub_kind = ?", (kind, sub_kind)
            )
        return None if row is None else self._row(row)

    async def bind(
        self,
        peer_id: int,
        kind: str,
        class_id: int | None,
        sub_kind: str | None,
        title: str,
        by: int,
    ) -> None:
        await self._conn.execute(
            "UPDATE chats SET kind = ?, class_id = ?, sub_kind = ?, title = ?, bound_by = ?,"
            " bound_at = ? WHERE peer_id = ?",
            (kind, class_id, sub_kind, title, by, self._now(), peer_id),
        )

    async def unbind(self, peer_id: int) -> None:
        await self._conn.execute(
            "UPDATE chats SET kind = NULL, class_id = NULL, sub_kind = NULL, bound_by = NULL,"
            " bound_at = NULL WHERE peer_id = ?",
            (peer_id,),
        )
        await self._conn.execute("DELETE FROM chat_members WHERE peer_id = ?", (peer_id,))

    async def set_access(self, peer_id: int, bot_admin: bool, link: str | None) -> None:
        await self._conn.execute(
            "UPDATE chats SET bot_admin = ?, invite_link = ?, checked_at = ? WHERE peer_id = ?",
            (int(bot_admin), link, self._now(), peer_id),
        )

    async def bound(self) -> list[ChatRow]:
        rows = await self._all(f"{self._SELECT} WHERE h.kind IS NOT NULL ORDER BY h.peer_id")
        return [self._row(row) for row in rows]

    async def of_classes(self, class_ids: Sequence[int]) -> list[ChatRow]:
        if not class_ids:
            return []
        marks = ",".join("?" * len(class_ids))
        rows = await self._all(
            f"{self._SELECT} WHERE h.kind IS NOT NULL AND h.class_id IN ({marks})"
            " ORDER BY h.class_id, h.kind",
            tuple(class_ids),
        )
        return [self._row(row) for row in rows]

    async def bound_by(self, person_id: int, kind: str) -> list[ChatRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE h.bound_by = ? AND h.kind = ? ORDER BY h.peer_id",
            (person_id, kind),
        )
        return [self._row(row) for row in rows]

    async def set_members(self, peer_id: int, member_ids: Sequence[int]) -> None:
        await self._conn.execute("DELETE FROM chat_members WHERE peer_id = ?", (peer_id,))
        await self._conn.executemany(
            "INSERT OR IGNORE INTO chat_members (peer_id, member_id) VALUES (?, ?)",
            [(peer_id, member) for member in member_ids],
        )

    async def add_member(self, peer_id: int, member_id: int) -> None:
        """Notes a member of a bound chat; other chats' members are not kept."""
        await self._conn.execute(
            "INSERT OR IGNORE INTO chat_members (peer_id, member_id)"
            " SELECT peer_id, ? FROM chats WHERE peer_id = ? AND kind IS NOT NULL",
            (member_id, peer_id),
        )

    async def remove_member(self, peer_id: int, member_id: int) -> None:
        await self._conn.execute(
            "DELETE FROM chat_members WHERE peer_id = ? AND member_id = ?", (peer_id, member_id)
        )

    async def members(self, peer_id: int) -> list[int]:
        rows = await self._all(
            "SELECT member_id FROM chat_members WHERE peer_id = ? ORDER BY member_id", (peer_id,)
        )
        return [int(row[0]) for row in rows]

    async def is_member(self, peer_id: int, member_id: int) -> bool:
        row = await self._one(
            "SELECT 1 FROM chat_members WHERE peer_id = ? AND member_id = ?", (peer_id, member_id)
        )
        return row is not None

    async def bot_left(self, peer_id: int) -> None:
        await self._conn.execute(
            "UPDATE chats SET left_at = ?, bot_admin = 0 WHERE peer_id = ?", (self._now(), peer_id)
        )


class DutyMarksRepo(_Repo):
    async def mark(self, person_id: int, key: str, class_id: int, period: str) -> None:
        await self._conn.execute(
            "INSERT OR IGNORE INTO duty_marks (person_id, duty_key, class_id, period, marked_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (person_id, key, class_id, period, self._now()),
        )

    async def unmark(self, person_id: int, key: str, class_id: int, period: str) -> None:
        await self._conn.execute(
            "DELETE FROM duty_marks WHERE person_id = ? AND duty_key = ? AND class_id = ?"
            " AND period = ?",
            (person_id, key, class_id, period),
        )

    async def of(self, person_id: int) -> set[tuple[str, int, str]]:
        rows = await self._all(
            "SELECT duty_key, class_id, period FROM duty_marks WHERE person_id = ?", (person_id,)
        )
        return {(row[0], int(row[1]), row[2]) for row in rows}


MIN_NAME_IN_TEXT = 4


@dataclass(frozen=True)
class PersonalTraces:
    """The names by which the database can know a person: their own (as they consented and
    as they gave it on a student role) and their children's, by class."""

    person_id: int
    own_names: tuple[str, ...]
    student_classes: tuple[int, ...]
    was_staff: bool
    children: tuple[tuple[int, str], ...]  # (class_id, the child's name)


def _scrub_json(value: Any, person_id: int, names: Sequence[str]) -> Any:
    """`value` with the person's id and any text naming them replaced by null."""
    if isinstance(value, dict):
        return {key: _scrub_json(item, person_id, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_json(item, person_id, names) for item in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value == person_id:
        return None
    if isinstance(value, str) and any(name in value for name in names):
        return None
    return value


class PersonalDataRepo(_Repo):
    """Deleting a person (152-FZ): every table that can hold their id, their name, their
    child's name or what they wrote, in one place. A new table or column that can hold
    personal data is added here and to the classification in tests/test_privacy_erasure.py."""

    async def traces(self, person_id: int) -> PersonalTraces:
        person = await self._one("SELECT full_name FROM people WHERE vk_id = ?", (person_id,))
        roles = list(
            await self._all(
                "SELECT role, class_id, stated_name, child_name FROM roles WHERE person_id = ?",
                (person_id,),
            )
        )
        own = {person["full_name"]} if person and person["full_name"] else set()
        own |= {row["stated_name"] for row in roles if row["stated_name"]}
        return PersonalTraces(
            person_id=person_id,
            own_names=tuple(sorted(own)),
            student_classes=tuple(
                sorted({row["class_id"] for row in roles if row["role"] == "student"})
            ),
            was_staff=any(row["role"] not in ("student", "parent") for row in roles),
            children=tuple(
                sorted(
                    {
                        (row["class_id"], row["child_name"])
                        for row in roles
                        if row["child_name"] and row["class_id"] is not None
                    }
                )
            ),
        )

    async def _still_named(self, person_id: int, class_id: int, name: str) -> bool:
        """Whether someone else still with the school names this child in this class (the
        other parent, the student themselves): then the child's name is their data."""
        row = await self._one(
            "SELECT 1 FROM roles r LEFT JOIN people p ON p.vk_id = r.person_id"
            " WHERE r.person_id != ? AND r.ended_at IS NULL AND r.class_id = ?"
            " AND (r.child_name = ? OR r.stated_name = ?"
            " OR (r.role = 'student' AND p.full_name = ?)) LIMIT 1",
            (person_id, class_id, name, name, name),
        )
        return row is not None

    async def forget(self, traces: PersonalTraces) -> None:
        """Removes or anonymises every row that names the person or their child. What stays
        says that something happened, not who: audit rows, decided requests, invitations and
        events keep their counts and dates; ids become NULL (0 where a column needs one)."""
        pid = traces.person_id
        children = [
            (class_id, name)
            for class_id, name in traces.children
            if not await self._still_named(pid, class_id, name)
        ]
        names = [*traces.own_names, *(name for _, name in children)]
        # Found inside texts only when long enough not to match unrelated words.
        in_texts = [name for name in names if len(name.strip()) >= MIN_NAME_IN_TEXT]
        self._changes.people.add(pid)
        self._changes.dialog_ended(pid)
        by_id = (pid,)
        statements: list[tuple[str, tuple[Any, ...]]] = [
            ("DELETE FROM conversation_state WHERE person_id = ?", by_id),
            # Done events are only kept to recognise a late duplicate; pending ones are
            # still to be handled (the one being handled goes with its outcome).
            ("DELETE FROM inbox WHERE person_key = ? AND done_at IS NOT NULL", by_id),
            ("DELETE FROM outbox WHERE peer_id = ? AND state != 'pending'", by_id),
            (
                "UPDATE outbox SET erase_when_sent = 1 WHERE peer_id = ? AND state = 'pending'",
                by_id,
            ),
            ("UPDATE outbox SET report_to = NULL WHERE report_to = ?", by_id),
            ("DELETE FROM outbox_recipients WHERE peer_id = ?", by_id),
            ("DELETE FROM roles WHERE person_id = ?", by_id),
            ("UPDATE roles SET granted_by = NULL WHERE granted_by = ?", by_id),
            ("UPDATE audit_log SET actor_id = NULL WHERE actor_id = ?", by_id),
            ("UPDATE audit_log SET subject_id = NULL WHERE subject_id = ?", by_id),
            ("UPDATE invitations SET created_by = 0 WHERE created_by = ?", by_id),
            ("UPDATE invitations SET annulled_by = NULL WHERE annulled_by = ?", by_id),
            ("DELETE FROM redemptions WHERE person_id = ?", by_id),
            ("DELETE FROM code_failures WHERE person_id = ?", by_id),
            (
                "UPDATE join_requests SET person_id = 0, full_name = NULL, reason = NULL,"
                " status = CASE status WHEN 'pending' THEN 'withdrawn' ELSE status END"
                " WHERE person_id = ?",
                by_id,
            ),
            ("UPDATE join_requests SET decided_by = NULL WHERE decided_by = ?", by_id),
            ("UPDATE chats SET added_by = NULL WHERE added_by = ?", by_id),
            ("UPDATE chats SET bound_by = NULL WHERE bound_by = ?", by_id),
            ("DELETE FROM chat_members WHERE member_id = ?", by_id),
            ("DELETE FROM duty_marks WHERE person_id = ?", by_id),
            ("UPDATE events SET created_by = 0 WHERE created_by = ?", by_id),
            (
                "UPDATE proposals SET text = NULL, proposed_by = 0,"
                " status = CASE status WHEN 'pending' THEN 'declined' ELSE status END"
                " WHERE proposed_by = ?",
                by_id,
            ),
            ("UPDATE proposals SET decided_by = NULL WHERE decided_by = ?", by_id),
            ("DELETE FROM roster_imports WHERE admin_id = ? AND applied_at IS NULL", by_id),
            ("UPDATE roster_imports SET admin_id = 0 WHERE admin_id = ?", by_id),
            ("DELETE FROM people WHERE vk_id = ?", by_id),
        ]
        for name in in_texts:
            statements += [
                # Queued for someone else and naming them (a decider's notice of their
                # request): not sent rather than sent with the name. A broadcast is the
                # school's announcement and goes out as written.
                (
                    "DELETE FROM outbox WHERE state = 'pending' AND peer_id NOT IN (0, ?)"
                    " AND instr(body, ?) > 0",
                    (pid, name),
                ),
                (
                    "DELETE FROM roster_imports WHERE applied_at IS NULL AND instr(payload, ?) > 0",
                    (name,),
                ),
            ]
        for class_id in traces.student_classes:
            for name in traces.own_names:
                statements.append(
                    (
                        "DELETE FROM roster_students WHERE class_id = ? AND full_name = ?",
                        (class_id, name),
                    )
                )
        for class_id, name in children:
            statements.append(
                (
                    "DELETE FROM roster_students WHERE class_id = ? AND full_name = ?",
                    (class_id, name),
                )
            )
        if traces.was_staff:
            for name in traces.own_names:
                statements.append(("DELETE FROM roster_staff WHERE full_name = ?", (name,)))
        await self._forget_in_json(pid, in_texts)
        for sql, params in statements:
            await self._conn.execute(sql, params)

    async def _forget_in_json(self, person_id: int, names: Sequence[str]) -> None:
        """Audit details and other people's dialog steps that hold the person's id or name
        (a previous class teacher in the audit, a dialog step about them)."""
        # instr first: json_tree parses only the rows whose text has the digits at all.
        mentions = (
            " (instr({column}, ?) > 0 AND EXISTS (SELECT 1 FROM json_tree({column})"
            " WHERE type = 'integer' AND atom = ?))" + " OR instr({column}, ?) > 0" * len(names)
        )
        params = (str(person_id), person_id, *names)
        rows = await self._all(
            "SELECT id, details FROM audit_log WHERE" + mentions.format(column="details"),
            params,
        )
        for row in rows:
            scrubbed = _scrub_json(json.loads(row["details"]), person_id, names)
            await self._conn.execute(
                "UPDATE audit_log SET details = ? WHERE id = ?",
                (json.dumps(scrubbed, ensure_ascii=False), row["id"]),
            )
        # Another person's dialog about them cannot go on: it ends.
        dialogs = await self._all(
            "SELECT person_id FROM conversation_state WHERE" + mentions.format(column="payload"),
            params,
        )
        for row in dialogs:
            self._changes.dialog_ended(row["person_id"])
            await self._conn.execute(
                "DELETE FROM conversation_state WHERE person_id = ?", (row["person_id"],)
            )

    # What the event in which people were deleted leaves of them, for its outcome's write
    # (after the event is marked done and its replies queued): the event itself, and the
    # replies to them, erased once sent.
    def leftover_events_statement(self, person_ids: Sequence[int]) -> Statement | None:
        if not person_ids:
            return None
        return Statement(
            "DELETE FROM inbox WHERE person_key = ? AND done_at IS NOT NULL",
            [(person,) for person in person_ids],
        )

    def leftover_replies_statement(self, person_ids: Sequence[int]) -> Statement | None:
        if not person_ids:
            return None
        return Statement(
            "UPDATE outbox SET erase_when_sent = 1 WHERE peer_id = ? AND state = 'pending'",
            [(person,) for person in person_ids],
        )


class JobRunsRepo(_Repo):
    async def last_run(self, name: str) -> datetime | None:
        row = await self._one("SELECT last_run_at FROM job_runs WHERE name = ?", (name,))
        return None if row is None else from_db(row[0])

    async def baseline(self, name: str, moment: datetime) -> None:
        """A job seen for the first time starts counting from now, not from the epoch."""
        await self._conn.execute(
            "INSERT INTO job_runs (name, last_run_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
            (name, to_db(moment)),
        )

    async def acquire(
        self, name: str, owner: str, last_run: datetime, now: datetime, until: datetime
    ) -> bool:
        """Takes the job's lease, only if nobody ran it since `last_run` and no lease is live:
        of two processes on one database, exactly one runs each due job."""
        cursor = await self._conn.execute(
            "UPDATE job_runs SET lease_owner = ?, lease_until = ?"
            " WHERE name = ? AND last_run_at = ? AND (lease_until IS NULL OR lease_until < ?)",
            (owner, to_db(until), name, to_db(last_run), to_db(now)),
        )
        return cursor.rowcount == 1

    async def finish(self, name: str, owner: str, ran_at: datetime) -> None:
        await self._conn.execute(
            "UPDATE job_runs SET last_run_at = ?, lease_owner = NULL, lease_until = NULL"
            " WHERE name = ? AND lease_owner = ?",
            (to_db(ran_at), name, owner),
        )

    async def release(self, name: str, owner: str) -> None:
        await self._conn.execute(
            "UPDATE job_runs SET lease_owner = NULL, lease_until = NULL"
            " WHERE name = ? AND lease_owner = ?",
            (name, owner),
        )


class EventsRepo(_Repo):
    _SELECT = (
        "SELECT e.id, e.title, e.starts_at, e.audience, e.class_id, c.name AS class_name,"
        " e.chat_peer, e.link, e.created_by, e.reminded_at, e.cancelled_at"
        " FROM events e LEFT JOIN classes c ON c.id = e.class_id"
    )

    @staticmethod
    def _row(row: aiosqlite.Row) -> EventRow:
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


class ProposalsRepo(_Repo):
    async def create(self, text: str, by: int) -> int:
        cursor = await self._conn.execute(
            "INSERT INTO proposals (text, proposed_by, created_at) VALUES (?, ?, ?)",
            (text, by, self._now()),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def get(self, proposal_id: int) -> ProposalRow | None:
        row = await self._one(
            "SELECT id, text, proposed_by FROM proposals WHERE id = ?", (proposal_id,)
        )
        return None if row is None else ProposalRow(row[0], row[1] or "", row[2])

    async def decide(self, proposal_id: int, status: str, by: int) -> bool:
        cursor = await self._conn.execute(
            "UPDATE proposals SET status = ?, decided_by = ?, decided_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (status, by, self._now(), proposal_id),
        )
        return cursor.rowcount == 1


class RosterRepo(_Repo):
    async def students(self) -> dict[str, str]:
        """The imported students: full name → class name."""
        rows = await self._all(
            "SELECT r.full_name, c.name FROM roster_students r JOIN classes c ON c.id = r.class_id"
        )
        return {row[0]: row[1] for row in rows}

    async def staff(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        rows = await self._all("SELECT full_name, role, classes_led FROM roster_staff")
        return {row[0]: (row[1], tuple(filter(None, row[2].split(",")))) for row in rows}

    async def upsert_student(self, full_name: str, class_id: int) -> None:
        await self._conn.execute("DELETE FROM roster_students WHERE full_name = ?", (full_name,))
        await self._conn.execute(
            "INSERT INTO roster_students (full_name, class_id) VALUES (?, ?)", (full_name, class_id)
        )

    async def upsert_staff(self, full_name: str, role: str, classes_led: Sequence[str]) -> None:
        await self._conn.execute(
            "INSERT INTO roster_staff (full_name, role, classes_led) VALUES (?, ?, ?)"
            " ON CONFLICT(full_name) DO UPDATE SET role = excluded.role,"
            " classes_led = excluded.classes_led",
            (full_name, role, ",".join(classes_led)),
        )

    async def expected_by_class(self) -> dict[int, int]:
        rows = await self._all("SELECT class_id, COUNT(*) FROM roster_students GROUP BY class_id")
        return {int(row[0]): int(row[1]) for row in rows}

    async def students_of(self, class_id: int) -> list[str]:
        rows = await self._all(
            "SELECT full_name FROM roster_students WHERE class_id = ? ORDER BY full_name",
            (class_id,),
        )
        return [row[0] for row in rows]

    async def save_import(self, admin_id: int, payload: str) -> int:
        cursor = await self._conn.execute(
            "INSERT INTO roster_imports (admin_id, payload, created_at) VALUES (?, ?, ?)",
            (admin_id, payload, self._now()),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def take_import(self, import_id: int, admin_id: int) -> str | None:
        """The checked file, once: a second press finds nothing to apply."""
        row = await self._one(
            "SELECT payload FROM roster_imports"
            " WHERE id = ? AND admin_id = ? AND applied_at IS NULL",
            (import_id, admin_id),
        )
        if row is None:
            return None
        await self._conn.execute(
            "UPDATE roster_imports SET applied_at = ?, payload = '' WHERE id = ?",
            (self._now(), import_id),
        )
        return str(row[0])


class KeyValueRepo(_Repo):
    async def get(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM settings_kv WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    async def set(self, key: str, value: str) -> None:
        await self._run(self.set_statement(key, value))

    def set_statement(self, key: str, value: str) -> Statement:
        return Statement(
            "INSERT INTO settings_kv (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [(key, value)],
        )


@dataclass(frozen=True)
class LeaseRow:
    owner: str
    until: datetime


class LeasesRepo(_Repo):
    async def holder(self, name: str) -> LeaseRow | None:
        row = await self._one("SELECT owner, until FROM leases WHERE name = ?", (name,))
        return None if row is None else LeaseRow(row["owner"], from_db(row["until"]))

    async def take(self, name: str, owner: str, until: datetime, previous: str | None) -> bool:
        """Takes the lease from `previous` (None: from nobody); False if it changed hands
        since it was read."""
        if previous is None:
            sql = "INSERT INTO leases (name, owner, until) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
            cursor = await self._conn.execute(sql, (name, owner, to_db(until)))
        else:
            cursor = await self._conn.execute(
                "UPDATE leases SET owner = ?, until = ? WHERE name = ? AND owner = ?",
                (owner, to_db(until), name, previous),
            )
        return cursor.rowcount == 1

    async def release(self, name: str, owner: str) -> None:
        await self._conn.execute("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))


class Repositories:
    """Every repository, bound to one connection (a transaction's, or the reader's)."""

    def __init__(self, conn: aiosqlite.Connection, clock: Clock) -> None:
        self.changes = changes = ChangeLog()
        self.people = PeopleRepo(conn, clock, changes)
        self.roles = RolesRepo(conn, clock, changes)
        self.classes = ClassesRepo(conn, clock, changes)
        self.audit = AuditRepo(conn, clock, changes)
        self.states = StatesRepo(conn, clock, changes)
        self.inbox = InboxRepo(conn, clock, changes)
        self.outbox = OutboxRepo(conn, clock, changes)
        self.kv = KeyValueRepo(conn, clock, changes)
        self.invitations = InvitationsRepo(conn, clock, changes)
        self.requests = RequestsRepo(conn, clock, changes)
        self.chats = ChatsRepo(conn, clock, changes)
        self.duty_marks = DutyMarksRepo(conn, clock, changes)
        self.personal = PersonalDataRepo(conn, clock, changes)
        self.job_runs = JobRunsRepo(conn, clock, changes)
        self.events = EventsRepo(conn, clock, changes)
        self.proposals = ProposalsRepo(conn, clock, changes)
        self.roster = RosterRepo(conn, clock, changes)
        self.leases = LeasesRepo(conn, clock, changes)
