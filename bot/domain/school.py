"""The school's structure: classes, class teachers, admins, teacher verification, audit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain import directory
from bot.domain.directory import NamedPerson
from bot.domain.roles import Actor, Role
from bot.parsing import ClassName
from bot.russian import Who
from bot.storage import Database
from bot.storage.audit import AuditFilter, AuditRow
from bot.storage.classes import ClassRow, ClassSummaryRow


class Outcome(StrEnum):
    DONE = "done"
    ALREADY = "already"
    NOT_FOUND = "not_found"
    UNKNOWN_PERSON = "unknown_person"
    NOT_VERIFIED_TEACHER = "not_verified_teacher"
    NEEDS_CONFIRMATION = "needs_confirmation"
    HAS_MEMBERS = "has_members"
    STAFF_ROOM = "staff_room"
    LAST_ADMIN = "last_admin"
    NOT_ADMIN = "not_admin"


@dataclass(frozen=True)
class AddedClasses:
    added: list[str]
    existing: list[str]


@dataclass(frozen=True)
class ClassTeacherChange:
    outcome: Outcome
    previous: int | None = None
    # Open questions of the class the new class teacher takes over.
    questions: int = 0


@dataclass(frozen=True)
class WaitingTeacher:
    person_id: int
    name: str
    since: datetime


class SchoolService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_classes(self, actor_id: int, classes: Sequence[ClassName]) -> AddedClasses:
        added: list[str] = []
        existing: list[str] = []
        async with self._db.transaction() as tx:
            for item in classes:
                if await tx.classes.add(item.name, item.grade, item.letter):
                    added.append(item.name)
                    await tx.audit.write("class_added", actor_id, details={"class": item.name})
                elif item.name not in existing:
                    existing.append(item.name)
        return AddedClasses(added, existing)

    async def summaries(self) -> list[ClassSummaryRow]:
        return await self._db.reader.classes.summaries()

    async def find_class(self, name: str) -> ClassRow | None:
        return await self._db.reader.classes.by_name(name)

    async def class_by_id(self, class_id: int) -> ClassRow | None:
        return await self._db.reader.classes.by_id(class_id)

    async def pupil_classes(self) -> list[ClassRow]:
        return [row for row in await self._db.classes() if not row.is_staff_room]

    async def staff_room(self) -> ClassRow:
        return await self._db.reader.classes.staff_room()

    async def remove_class(self, actor_id: int, name: str) -> tuple[Outcome, int]:
        async with self._db.transaction() as tx:
            row = await tx.classes.by_name(name)
            if row is None:
                return Outcome.NOT_FOUND, 0
            if row.is_staff_room:
                return Outcome.STAFF_ROOM, 0
            members = await tx.classes.members(row.id)
            if members:
                return Outcome.HAS_MEMBERS, members
            # No one is in it: its invitations, requests and past roles go with it.
            await tx.classes.purge_history(row.id)
            await tx.classes.remove(row.id)
            await tx.audit.write("class_removed", actor_id, details={"class": name})
        return Outcome.DONE, 0

    async def is_verified_teacher(self, person_id: int) -> bool:
        roles = await self._db.reader.roles.active_for(person_id)
        return any(r.role == Role.TEACHER.value and r.verified_at is not None for r in roles)

    async def is_known(self, person_id: int) -> bool:
        person = await self._db.reader.people.get(person_id)
        return person is not None and person.consent_at is not None

    async def set_class_teacher(
        self, actor_id: int, school_class: ClassRow, person_id: int, replace: bool
    ) -> ClassTeacherChange:
        if not await self.is_known(person_id):
            return ClassTeacherChange(Outcome.UNKNOWN_PERSON)
        if not await self.is_verified_teacher(person_id):
            return ClassTeacherChange(Outcome.NOT_VERIFIED_TEACHER)
        async with self._db.transaction() as tx:
            current = await tx.roles.class_teacher_of(school_class.id)
            if current == person_id:
                return ClassTeacherChange(Outcome.ALREADY, current)
            if current is not None and not replace:
                return ClassTeacherChange(Outcome.NEEDS_CONFIRMATION, current)
            if current is not None:
                await tx.roles.end_role(current, Role.CLASS_TEACHER.value, school_class.id)
            await tx.roles.grant(
                person_id,
                Role.CLASS_TEACHER.value,
                school_class.id,
                granted_by=actor_id,
                verified=True,
            )
            # The class's open questions are the new class teacher's to answer.
            questions = await tx.questions.hand_over(school_class.id, person_id)
            await tx.audit.write(
                "class_teacher_set",
                actor_id,
                person_id,
                {"class": school_class.name, "previous": current},
            )
        return ClassTeacherChange(Outcome.DONE, current, questions)

    async def add_admin(self, actor_id: int, person_id: int) -> Outcome:
        if not await self.is_known(person_id):
            return Outcome.UNKNOWN_PERSON
        if not await self.is_verified_teacher(person_id):
            return Outcome.NOT_VERIFIED_TEACHER
        async with self._db.transaction() as tx:
            granted = await tx.roles.grant(
                person_id, Role.ADMIN.value, granted_by=actor_id, verified=True
            )
            if not granted:
                return Outcome.ALREADY
            await tx.audit.write("admin_added", actor_id, person_id)
        return Outcome.DONE

    async def remove_admin(self, actor_id: int, person_id: int) -> Outcome:
        async with self._db.transaction() as tx:
            admins = {row.person_id for row in await tx.roles.holders(Role.ADMIN.value)}
            if person_id not in admins:
                return Outcome.NOT_ADMIN
            if len(admins) == 1:
                return Outcome.LAST_ADMIN
            await tx.roles.end_role(person_id, Role.ADMIN.value)
            await tx.audit.write("admin_removed", actor_id, person_id)
        return Outcome.DONE

    async def admin_ids(self) -> list[int]:
        rows = await self._db.reader.roles.holders(Role.ADMIN.value)
        return sorted({row.person_id for row in rows})

    async def waiting_teachers(self) -> list[WaitingTeacher]:
        rows = await self._db.reader.roles.unverified_teachers()
        names = await self._db.reader.people.names([row.person_id for row in rows])
        return [
            WaitingTeacher(
                row.person_id, names.get(row.person_id, f"id{row.person_id}"), row.granted_at
            )
            for row in rows
        ]

    async def verify_teacher(self, actor_id: int, person_id: int) -> Outcome:
        async with self._db.transaction() as tx:
            if not await tx.roles.verify_teacher(person_id):
                roles = await tx.roles.active_for(person_id)
                teacher = [r for r in roles if r.role == Role.TEACHER.value]
                return Outcome.ALREADY if teacher else Outcome.NOT_FOUND
            await tx.audit.write("teacher_verified", actor_id, person_id)
        return Outcome.DONE

    async def audit_count(self, where: AuditFilter) -> int:
        return await self._db.reader.audit.count(where)

    async def audit(self, where: AuditFilter, offset: int, limit: int) -> list[AuditRow]:
        """The log's rows matching `where`, newest first."""
        return await self._db.reader.audit.filtered(where, offset, limit)

    async def names(self, person_ids: Sequence[int]) -> dict[int, Who]:
        return await self._db.reader.people.names(list(person_ids))

    async def find_by_name(
        self, actor: Actor, typed: str, with_departed: bool = False
    ) -> list[NamedPerson]:
        """The people `typed` names among those `actor` may see (bot.domain.directory)."""
        people = self._db.reader.people
        named = directory.named_by(await people.name_entries(with_departed), typed)
        # A lookup names a few people at most; a surname as common as «Иванов» a few dozen.
        rows = await people.directory(with_departed, sorted(named)[: directory.READ_AT_MOST])
        return directory.find(actor, directory.people_of(rows), typed)

    async def person_card(self, actor: Actor, person_id: int) -> NamedPerson | None:
        """One person as a lookup shows them (roles, classes), if `actor` may see them."""
        rows = await self._db.reader.people.directory(True, [person_id])
        people = directory.people_of(rows)
        return people[0] if people and directory.sees(actor, people[0]) else None
