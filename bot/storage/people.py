"""People, their roles and their dialog step: what is read with every event."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from bot.conversation.identity import Account
from bot.russian import GenderCode, Who
from bot.storage.base import ALWAYS, SQL_BATCH, Condition, Repo, Statement
from bot.storage.timefmt import from_db, from_db_optional, to_db


@dataclass(frozen=True)
class PersonRow:
    id: int
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
class StateRow:
    person_id: int
    state: str
    payload: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True)
class PersonSnapshot:
    """What is read about the person behind every event."""

    person: PersonRow | None
    roles: list[RoleRow]
    dialog: StateRow | None


def _person(row: sqlite3.Row, key: str = "id") -> PersonRow:
    return PersonRow(
        id=row[key],
        full_name=row["full_name"],
        consent_at=from_db_optional(row["consent_at"]),
        pending_ref=row["pending_ref"],
        created_at=from_db(row["created_at"]),
        left_at=from_db_optional(row["left_at"]),
    )


class NameEntry(NamedTuple):
    """A name a consented person is found by: theirs, or a student's from joining (one
    entry per such name; a tuple, as thousands are read per lookup)."""

    person_id: int
    name: str


@dataclass(frozen=True)
class DirectoryRow:
    """One role of a consented person (or the person alone, `role` None, if they hold
    none), as a lookup by name reads them: names to match, and what tells people apart."""

    person_id: int
    full_name: str
    gender: GenderCode | None
    departed: bool
    role: str | None
    class_id: int | None
    class_name: str | None
    is_staff_room: bool
    # The name a student gave when joining («Белов Михаил»), where it differs.
    stated_name: str | None


class PeopleRepo(Repo):
    _COLUMNS = "id, full_name, consent_at, pending_ref, created_at, left_at"

    async def get(self, person_id: int) -> PersonRow | None:
        row = await self._one(f"SELECT {self._COLUMNS} FROM people WHERE id = ?", (person_id,))
        return _person(row) if row else None

    async def snapshot(self, person_id: int) -> PersonSnapshot:
        """The person, their active roles and their dialog state in one statement: read
        with every event."""
        rows = list(
            await self._all(
                "SELECT p.id AS person_key, p.full_name, p.consent_at, p.pending_ref, p.created_at,"
                " p.left_at, r.id, r.person_id, r.role, r.class_id, c.name AS class_name,"
                " r.granted_at, r.verified_at, r.stated_name, r.child_name,"
                " s.state AS dialog_state, s.payload AS dialog_payload,"
                " s.updated_at AS dialog_updated_at"
                " FROM (SELECT ? AS id) q"
                " LEFT JOIN people p ON p.id = q.id"
                " LEFT JOIN roles r ON r.person_id = p.id AND r.ended_at IS NULL"
                " LEFT JOIN classes c ON c.id = r.class_id"
                " LEFT JOIN conversation_state s ON s.person_id = q.id"
                " ORDER BY r.id",
                (person_id,),
            )
        )
        first = rows[0]
        state = (
            None
            if first["dialog_state"] is None
            else StateRow(
                person_id=person_id,
                state=first["dialog_state"],
                payload=json.loads(first["dialog_payload"]),
                updated_at=from_db(first["dialog_updated_at"]),
            )
        )
        if first["person_key"] is None:
            return PersonSnapshot(None, [], state)
        roles = [RolesRepo._row(row) for row in rows if row["id"] is not None]
        return PersonSnapshot(_person(first, "person_key"), roles, state)

    async def ensure(self, person_id: int) -> PersonRow:
        await self._conn.execute(
            "INSERT INTO people (id, created_at) VALUES (?, ?) ON CONFLICT(id) DO NOTHING",
            (person_id, self._now()),
        )
        person = await self.get(person_id)
        assert person is not None
        return person

    async def set_pending_ref(self, person_id: int, code_hash: str | None) -> None:
        """The hash of the invitation code a person came with, kept until they consent."""
        await self._conn.execute(
            "UPDATE people SET pending_ref = ?, pending_ref_at = ? WHERE id = ?",
            (code_hash, None if code_hash is None else self._now(), person_id),
        )

    async def forget_pending_refs(self, before: datetime) -> int:
        """Forgets the codes of people who came before `before` and never consented."""
        rows = await self._all(
            "UPDATE people SET pending_ref = NULL, pending_ref_at = NULL"
            " WHERE consent_at IS NULL AND pending_ref IS NOT NULL"
            " AND (pending_ref_at IS NULL OR pending_ref_at < ?) RETURNING id",
            (to_db(before),),
        )
        ids = [int(row[0]) for row in rows]
        return len(ids)

    async def record_consent(
        self, person_id: int, full_name: str, gender: GenderCode | None = None
    ) -> None:
        await self._conn.execute(
            "UPDATE people SET consent_at = ?, full_name = ?, gender = ?, left_at = NULL"
            " WHERE id = ?",
            (self._now(), full_name, gender, person_id),
        )

    async def record_gender(self, person_id: int, gender: GenderCode) -> None:
        """VK's word on a consented person's gender, kept when it is news."""
        await self._conn.execute(
            "UPDATE people SET gender = ? WHERE id = ? AND consent_at IS NOT NULL"
            " AND gender IS NOT ?",
            (gender, person_id, gender),
        )

    async def replace_placeholder_name(
        self, person_id: int, placeholder: str, full_name: str
    ) -> None:
        """The name VK gives, for a person consented while VK did not answer (so kept as
        `placeholder`); a name once known is not overwritten."""
        await self._conn.execute(
            "UPDATE people SET full_name = ? WHERE id = ? AND consent_at IS NOT NULL"
            " AND full_name = ?",
            (full_name, person_id, placeholder),
        )

    async def delete(self, person_id: int) -> None:
        await self._conn.execute("DELETE FROM people WHERE id = ?", (person_id,))

    async def consented_between(self, start: datetime, end: datetime) -> int:
        row = await self._one(
            "SELECT COUNT(*) FROM people WHERE consent_at > ? AND consent_at <= ?",
            (to_db(start), to_db(end)),
        )
        return int(row[0]) if row else 0

    async def mark_left(self, person_id: int) -> None:
        await self._conn.execute(
            "UPDATE people SET left_at = ? WHERE id = ?", (self._now(), person_id)
        )

    async def departed_before(self, moment: datetime) -> list[int]:
        rows = await self._all(
            "SELECT id FROM people WHERE left_at IS NOT NULL AND left_at < ?",
            (to_db(moment),),
        )
        return [int(row[0]) for row in rows]

    async def set_can_receive(self, person_id: int, can: bool) -> None:
        await self._conn.execute(
            "UPDATE people SET can_receive = ? WHERE id = ?", (int(can), person_id)
        )

    def set_unreachable_statement(self, person_ids: Sequence[int]) -> Statement | None:
        if not person_ids:
            return None
        return Statement(
            "UPDATE people SET can_receive = 0 WHERE id = ?",
            [(person_id,) for person_id in person_ids],
        )

    def set_reachable_statement(self, person_ids: Sequence[int]) -> Statement | None:
        """Those who wrote to the community may be written to again (VK allows it)."""
        if not person_ids:
            return None
        return Statement(
            "UPDATE people SET can_receive = 1 WHERE id = ? AND can_receive = 0",
            [(person_id,) for person_id in person_ids],
        )

    async def unreachable(self, person_ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        for start in range(0, len(person_ids), SQL_BATCH):
            chunk = person_ids[start : start + SQL_BATCH]
            rows = await self._all(
                f"SELECT id FROM people WHERE can_receive = 0"
                f" AND id IN ({','.join('?' * len(chunk))})",
                tuple(chunk),
            )
            found |= {int(row[0]) for row in rows}
        return found

    async def name_entries(self, with_departed: bool) -> list[NameEntry]:
        """Every name a consented person is found by: the narrow read a lookup by name
        filters in Python (SQLite cannot fold Cyrillic case; a school is a few thousand
        people, one scan)."""
        departed = "" if with_departed else " AND p.left_at IS NULL"
        rows = await self._all(
            "SELECT p.id, p.full_name FROM people p"
            " WHERE p.consent_at IS NOT NULL AND p.full_name IS NOT NULL" + departed + " UNION ALL"
            " SELECT p.id, r.stated_name FROM roles r JOIN people p ON p.id = r.person_id"
            " WHERE r.ended_at IS NULL AND r.stated_name IS NOT NULL"
            " AND p.consent_at IS NOT NULL AND p.full_name IS NOT NULL" + departed
        )
        return [NameEntry(*row) for row in rows]

    async def directory(
        self, with_departed: bool, person_ids: Sequence[int] | None = None
    ) -> list[DirectoryRow]:
        """The consented people asked for (everyone, without `person_ids`), a row per
        active role: what tells them apart and whom an actor may see."""
        if person_ids is not None and not person_ids:
            return []
        rows = await self._all(
            "SELECT p.id, p.full_name, p.gender, p.left_at IS NOT NULL AS departed, r.role,"
            " r.class_id, c.name AS class_name, IFNULL(c.is_staff_room, 0) AS staff_room,"
            " r.stated_name"
            " FROM people p"
            " LEFT JOIN roles r ON r.person_id = p.id AND r.ended_at IS NULL"
            " LEFT JOIN classes c ON c.id = r.class_id"
            " WHERE p.consent_at IS NOT NULL AND p.full_name IS NOT NULL"
            + ("" if with_departed else " AND p.left_at IS NULL")
            + ("" if person_ids is None else f" AND p.id IN ({','.join('?' * len(person_ids))})"),
            () if person_ids is None else tuple(person_ids),
        )
        return [
            DirectoryRow(
                person_id=row["id"],
                full_name=row["full_name"],
                gender=row["gender"],
                departed=bool(row["departed"]),
                role=row["role"],
                class_id=row["class_id"],
                class_name=row["class_name"],
                is_staff_room=bool(row["staff_room"]),
                stated_name=row["stated_name"],
            )
            for row in rows
        ]

    async def names(self, person_ids: Sequence[int]) -> dict[int, Who]:
        """Names that know their person's gender, so texts can decline them."""
        if not person_ids:
            return {}
        marks = ",".join("?" * len(person_ids))
        rows = await self._all(
            f"SELECT id, full_name, gender FROM people WHERE id IN ({marks})"
            " AND full_name IS NOT NULL",
            tuple(person_ids),
        )
        return {row["id"]: Who(row["full_name"], row["gender"]) for row in rows}


class RolesRepo(Repo):
    _SELECT = (
        "SELECT r.id, r.person_id, r.role, r.class_id, c.name AS class_name,"
        " r.granted_at, r.verified_at, r.stated_name, r.child_name"
        " FROM roles r LEFT JOIN classes c ON c.id = r.class_id"
    )

    @staticmethod
    def _row(row: sqlite3.Row) -> RoleRow:
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
        )

    async def end(self, role_id: int) -> None:
        await self._conn.execute(
            "UPDATE roles SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
            (self._now(), role_id),
        )

    async def end_role(self, person_id: int, role: str, class_id: int | None = None) -> int:
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

    async def unverified_teachers(self) -> list[RoleRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE r.role = 'teacher' AND r.verified_at IS NULL"
            " AND r.ended_at IS NULL ORDER BY r.granted_at",
        )
        return [self._row(row) for row in rows]

    async def verify_teacher(self, person_id: int) -> bool:
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
        # Other people's parent roles name this child: the name goes, the role stays.
        await self._conn.execute("DELETE FROM roles WHERE person_id = ?", (person_id,))

    async def end_all(self, person_id: int) -> None:
        await self._conn.execute(
            "UPDATE roles SET ended_at = ? WHERE person_id = ? AND ended_at IS NULL",
            (self._now(), person_id),
        )

    async def seeded(self, accounts: Sequence[Account]) -> set[str]:
        """The roles ADMIN_IDS / DIRECTOR_IDS have already granted through these accounts."""
        roles: set[str] = set()
        for account in accounts:
            rows = await self._all(
                "SELECT role FROM seeded_roles WHERE messenger = ? AND external_id = ?",
                (account.messenger, account.external_id),
            )
            roles |= {str(row[0]) for row in rows}
        return roles

    async def record_seeded(self, account: Account, role: str) -> None:
        await self._conn.execute(
            "INSERT OR IGNORE INTO seeded_roles (messenger, external_id, role, seeded_at)"
            " VALUES (?, ?, ?, ?)",
            (account.messenger, account.external_id, role, self._now()),
        )

    async def forget_seeded(self, accounts: Sequence[Account]) -> None:
        await self._conn.executemany(
            "DELETE FROM seeded_roles WHERE messenger = ? AND external_id = ?",
            [(account.messenger, account.external_id) for account in accounts],
        )


class StatesRepo(Repo):
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
        return Statement(
            "INSERT INTO conversation_state (person_id, state, payload, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT(person_id) DO UPDATE SET"
            " state = excluded.state, payload = excluded.payload,"
            " updated_at = excluded.updated_at",
            list(rows),
        )

    def delete_many_statement(self, person_ids: Sequence[int]) -> Statement | None:
        if not person_ids:
            return None
        return Statement(
            "DELETE FROM conversation_state WHERE person_id = ?",
            [(person,) for person in person_ids],
        )
