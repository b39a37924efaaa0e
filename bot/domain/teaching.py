"""Which classes a subject teacher teaches (clause 2.4), and so whom they may address.

A teacher's role belongs to the staff room; the classes they give lessons in are a relation
of their own (`teaching`): set by the admin (`/teaches`), implied by binding a subject chat
for a class, or read from the roster. It is what lets a subject teacher `/announce` and plan
`/event`s for those classes. A class teacher leads one class and may teach others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.roles import Actor, Role
from bot.storage import Database
from bot.storage.classes import ClassRow
from bot.storage.teaching import TeachingRow

TEACHING_ROLES = (Role.TEACHER, Role.CLASS_TEACHER)
SUBJECT_LENGTH = 60


class TeachOutcome(StrEnum):
    DONE = "done"
    NOT_TEACHER = "not_teacher"
    NOTHING = "nothing"


@dataclass(frozen=True)
class TeachResult:
    outcome: TeachOutcome
    classes: tuple[str, ...] = ()


def speaking_as(actor: Actor, class_ids: Sequence[int], taught: Sequence[int]) -> Role | None:
    """The role in which the actor addresses these classes (or the school, with none), as
    recipients are told: the class teacher of the one class they lead, a subject teacher
    of classes they teach, else the administration."""
    led = set(actor.classes_as(Role.CLASS_TEACHER))
    if class_ids and set(class_ids) <= led:
        return Role.CLASS_TEACHER
    if class_ids and set(class_ids) <= led | set(taught) and actor.has(*TEACHING_ROLES):
        return Role.TEACHER
    for role in (Role.ADMIN, Role.DIRECTOR, Role.CLASS_TEACHER, Role.TEACHER):
        if actor.has(role):
            return role
    return None


def may_assign(actor: Actor) -> bool:
    """The admin keeps the register, teaching included."""
    return actor.is_admin


class TeachingService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def of_teacher(self, person_id: int) -> list[TeachingRow]:
        return await self._db.reader.teaching.of_teacher(person_id)

    async def taught_ids(self, actor: Actor) -> list[int]:
        """The classes the actor may address as a subject teacher: none until verified."""
        if not actor.has(*TEACHING_ROLES):
            return []
        return [row.class_id for row in await self.of_teacher(actor.person_id)]

    async def assign(
        self,
        actor: Actor,
        teacher_id: int,
        classes: Sequence[ClassRow],
        subject: str | None,
    ) -> TeachResult:
        async with self._db.transaction() as tx:
            roles = {row.role for row in await tx.roles.active_for(teacher_id)}
            if not roles & {role.value for role in TEACHING_ROLES}:
                return TeachResult(TeachOutcome.NOT_TEACHER)
            for school_class in classes:
                await tx.teaching.teach(
                    teacher_id, school_class.id, subject, "admin", actor.person_id, replace=True
                )
            await tx.audit.write(
                "teaching_set",
                actor.person_id,
                subject_id=teacher_id,
                details={"classes": [row.name for row in classes], "subject": subject},
            )
        return TeachResult(TeachOutcome.DONE, tuple(row.name for row in classes))

    async def remove(
        self, actor: Actor, teacher_id: int, classes: Sequence[ClassRow] | None
    ) -> TeachResult:
        """Forgets the classes named (all the teacher's when None)."""
        async with self._db.transaction() as tx:
            before = await tx.teaching.of_teacher(teacher_id)
            ids = None if classes is None else [row.id for row in classes]
            gone = [row.class_name for row in before if ids is None or row.class_id in ids]
            if not gone:
                return TeachResult(TeachOutcome.NOTHING)
            await tx.teaching.stop(teacher_id, ids)
            await tx.audit.write(
                "teaching_removed",
                actor.person_id,
                subject_id=teacher_id,
                details={"classes": gone},
            )
        return TeachResult(TeachOutcome.DONE, tuple(gone))
