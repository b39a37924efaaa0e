"""Movement of students and staff (clause 2.1): transfers between classes and departures."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from bot.conversation.identity import Account
from bot.domain.family import claim_links, forget_name_only_links, parents_of
from bot.domain.roles import Role
from bot.storage import Database, Repositories
from bot.storage.classes import ClassRow


class MoveOutcome(StrEnum):
    DONE = "done"
    NOT_STUDENT = "not_student"
    SAME_CLASS = "same_class"
    NEEDS_PARENT_DECISION = "needs_parent_decision"
    NOT_MEMBER = "not_member"


@dataclass(frozen=True)
class Moved:
    outcome: MoveOutcome
    old_class: str | None = None
    old_class_id: int | None = None
    # The linked parents: asked about (NEEDS_PARENT_DECISION), or moved with the child.
    parents: list[int] = field(default_factory=list)
    annulled: int = 0
    # Of the parents moved, those who leave the old class (no other child of theirs is
    # there): they come out of its chats.
    leaving: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Departed:
    outcome: MoveOutcome
    left: list[int] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)
    classes: list[int] = field(default_factory=list)
    # Parents who stay with the school (a child in another class) but leave these classes.
    out_of_class: list[int] = field(default_factory=list)


async def _keeps_class(tx: Repositories, parent_id: int, child_id: int, class_id: int) -> bool:
    """Whether a parent has another child in the class (then the class stays theirs)."""
    return any(
        link.child_id != child_id and link.class_id == class_id and not link.departed
        for link in await tx.family.of_parent(parent_id)
    )


class MovementService:
    def __init__(self, db: Database, listed: Collection[Account] = ()) -> None:
        self._db = db
        # ADMIN_IDS and DIRECTOR_IDS: see forget_person.
        self._listed = frozenset(listed)

    # Each change comes in two calls: `plan_*` reads what it would do and changes nothing,
    # so the handler can ask the messenger (take people out of the old class's chats) while
    # the event's unit of work holds no lock; the change itself then reads everything again
    # in its transaction (another admin may have acted meanwhile) and is written.

    async def plan_move(
        self, person_id: int, new_class: ClassRow, with_parents: bool | None = None
    ) -> Moved:
        return await self._move(self._db.reader, None, person_id, new_class, with_parents)

    async def move(
        self, actor_id: int, person_id: int, new_class: ClassRow, with_parents: bool | None = None
    ) -> Moved:
        async with self._db.transaction() as tx:
            return await self._move(tx, actor_id, person_id, new_class, with_parents)

    async def _move(
        self,
        tx: Repositories,
        actor_id: int | None,
        person_id: int,
        new_class: ClassRow,
        with_parents: bool | None,
    ) -> Moved:
        """`actor_id` None: only read what the move would do. `with_parents` None: ask
        first, when the student has linked parents."""
        roles = await tx.roles.active_for(person_id)
        students = [r for r in roles if r.role == Role.STUDENT.value]
        if not students:
            return Moved(MoveOutcome.NOT_STUDENT)
        student = students[0]
        if student.class_id == new_class.id:
            return Moved(MoveOutcome.SAME_CLASS, student.class_name)
        assert student.class_id is not None
        old_id = student.class_id
        linked = await parents_of(tx, person_id)
        if linked and with_parents is None:
            return Moved(MoveOutcome.NEEDS_PARENT_DECISION, student.class_name, old_id, linked)
        parents = linked if with_parents else []
        leaving = [p for p in parents if not await _keeps_class(tx, p, person_id, old_id)]
        moved = Moved(MoveOutcome.DONE, student.class_name, old_id, parents, 0, leaving)
        if actor_id is None:
            return moved
        await tx.roles.end(student.id)
        await tx.roles.grant(
            person_id,
            Role.STUDENT.value,
            new_class.id,
            granted_by=actor_id,
            stated_name=student.stated_name,
        )
        # The links follow the child, whether the parents move or not; parents of the new
        # class who named the child before the move are linked to them now, as they would
        # be had the child registered there.
        await tx.family.follow_child(person_id, new_class.id)
        person = await tx.people.get(person_id)
        names = [student.stated_name or "", person.full_name or "" if person else ""]
        await claim_links(tx, person_id, new_class.id, names)
        for parent_id in parents:
            if parent_id in leaving:
                await tx.roles.end_role(parent_id, Role.PARENT.value, old_id)
            await tx.roles.grant(parent_id, Role.PARENT.value, new_class.id, granted_by=actor_id)
        stale_links = await tx.invitations.open_issued_by(person_id, old_id)
        stale_links += await tx.invitations.open_for_child(person_id, old_id)
        annulled = await tx.invitations.annul(stale_links, actor_id)
        await tx.audit.write(
            "student_moved",
            actor_id,
            person_id,
            {"from": student.class_name, "to": new_class.name, "parents": len(parents)},
        )
        return replace(moved, annulled=annulled)

    async def plan_leave(self, person_id: int, with_parents: bool | None) -> Departed:
        return await self._leave(self._db.reader, None, person_id, with_parents)

    async def leave(self, actor_id: int, person_id: int, with_parents: bool | None) -> Departed:
        async with self._db.transaction() as tx:
            return await self._leave(tx, actor_id, person_id, with_parents)

    async def _leave(
        self, tx: Repositories, actor_id: int | None, person_id: int, with_parents: bool | None
    ) -> Departed:
        """`actor_id` None: only read what the departure would do."""
        roles = await tx.roles.active_for(person_id)
        if not roles:
            return Departed(MoveOutcome.NOT_MEMBER)
        student_classes = sorted(
            {r.class_id for r in roles if r.role == Role.STUDENT.value and r.class_id is not None}
        )
        parents = await parents_of(tx, person_id) if student_classes else []
        if parents and with_parents is None:
            return Departed(MoveOutcome.NEEDS_PARENT_DECISION, parents=parents)
        classes = sorted({r.class_id for r in roles if r.class_id is not None})
        if actor_id is not None:
            await self._depart(tx, actor_id, person_id, classes)
            # Parent invitations issued for this student are of no use any more.
            for class_id in student_classes:
                await tx.invitations.annul(
                    await tx.invitations.open_for_child(person_id, class_id), actor_id
                )
        left = [person_id]
        out_of_class: list[int] = []
        for parent_id in parents if with_parents else []:
            parent_roles = await tx.roles.active_for(parent_id)
            ending = [
                r
                for r in parent_roles
                if r.role == Role.PARENT.value
                and r.class_id in student_classes
                and not await _keeps_class(tx, parent_id, person_id, r.class_id)
            ]
            if actor_id is not None:
                for role in ending:
                    await tx.roles.end(role.id)
            if len(ending) == len(parent_roles):
                if actor_id is not None:
                    await self._depart(tx, actor_id, parent_id, [])
                left.append(parent_id)
            elif ending:
                out_of_class.append(parent_id)
        if actor_id is not None:
            await tx.audit.write(
                "person_left", actor_id, person_id, {"with_parents": bool(with_parents)}
            )
        return Departed(
            MoveOutcome.DONE,
            left,
            parents if with_parents else [],
            classes,
            out_of_class,
        )

    @staticmethod
    async def _depart(tx: Repositories, actor_id: int, person_id: int, classes: list[int]) -> None:
        await tx.roles.end_all(person_id)
        await tx.people.mark_left(person_id)
        await tx.requests.withdraw_all(person_id)
        # Questions to the class teacher: the leaver's own close, those they were to
        # answer wait for the class's next class teacher.
        await tx.questions.close_asked_by(person_id)
        await tx.questions.release_teacher(person_id)
        for class_id in classes:
            await tx.invitations.annul(
                await tx.invitations.open_issued_by(person_id, class_id), actor_id
            )

    async def purge_departed(self, before: datetime) -> int:
        """Deletes the personal data of people who left before `before` (DEPARTED_RETENTION)."""
        ids = await self._db.reader.people.departed_before(before)
        # In the job's unit of work: the deletions and the run's end commit together, so a
        # crash half-way leaves the run to be done again, not half of it done twice.
        for person_id in ids:
            async with self._db.transaction() as tx:
                await tx.audit.write("departed_data_deleted", None, person_id)
                await forget_person(tx, person_id, listed=self._listed)
        return len(ids)


async def forget_person(
    tx: Repositories, person_id: int, *, listed: Collection[Account] = ()
) -> None:
    """Everything that names the person or their child goes; audit rows stay, naming nobody.

    `listed`: the accounts in ADMIN_IDS and DIRECTOR_IDS. For the person's accounts among
    them the record that those settings granted their role stays (the settings hold the
    account anyway): forgetting it would grant the role again at the next consent. Their
    other accounts' records go with the rest, the accounts themselves too."""
    accounts = await tx.accounts.of_person(person_id)
    traces = await tx.personal.traces(person_id)
    # Links naming them by name only (a parent's, before they registered) go too.
    await forget_name_only_links(tx, traces.student_classes, traces.own_names)
    await tx.personal.forget(traces)
    await tx.roles.forget_seeded([account for account in accounts if account not in listed])
