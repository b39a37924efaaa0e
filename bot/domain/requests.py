"""Join requests from people without an invitation (clause 2.1): the first decision wins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.domain.family import ClassChild, claim_links, names_agree, registered_students
from bot.domain.roles import Actor, Role
from bot.parsing import name_matches
from bot.storage import Database
from bot.storage.requests import JoinRequestRow

LIST_LIMIT = 30


class DecisionOutcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    ALREADY = "already"
    # A parent's request naming a child by a name only, with registered students of the
    # class whose names are close: the decider confirms the name or picks the student.
    NEEDS_CHILD = "needs_child"


@dataclass(frozen=True)
class NewRequest:
    request: JoinRequestRow
    created: bool
    deciders: list[int]
    # The class teacher decides it; otherwise the admins do.
    to_class_teacher: bool = False


@dataclass(frozen=True)
class Decision:
    outcome: DecisionOutcome
    request: JoinRequestRow | None = None
    # NEEDS_CHILD: the students to offer.
    candidates: list[ClassChild] = field(default_factory=list)
    # An approved student's request: the parents whose name-only links named them.
    parents_linked: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class ChildDecision:
    """What the decider said about a parent's child: a registered student, the name kept,
    or a name typed instead of the one the parent gave."""

    child_id: int | None = None
    keep: bool = False
    name: str | None = None


def may_decide(actor: Actor, request: JoinRequestRow) -> bool:
    """The class teacher of the request's class, or an admin."""
    return actor.is_admin or request.class_id in actor.classes_as(Role.CLASS_TEACHER)


class RequestService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def deciders_for(self, class_id: int) -> tuple[list[int], bool]:
        """Whose desk a request lands on: the class teacher (True), or the admins where
        there is none (False)."""
        repos = self._db.reader
        teacher = await repos.roles.class_teacher_of(class_id)
        if teacher is not None:
            return [teacher], True
        admins = sorted({row.person_id for row in await repos.roles.holders(Role.ADMIN.value)})
        return admins, False

    async def submit(
        self,
        person_id: int,
        role: Role,
        class_id: int,
        full_name: str,
        child_id: int | None = None,
    ) -> NewRequest:
        """`full_name`: the student's own, or for a parent the child's (picked from the
        class's list: `child_id` when the child is registered)."""
        # With the other hot writes of the moment, in one trip and one commit (the reader's
        # repositories only build the statements here).
        request, audit = self._db.reader.requests.submit_statements(
            person_id, role.value, class_id, full_name, child_id
        )
        inserted, _ = await self._db.write(request, audit)
        row = await self._db.reader.requests.open_for(person_id, class_id)
        assert row is not None
        if not inserted:
            return NewRequest(row, False, [])
        deciders, to_class_teacher = await self.deciders_for(class_id)
        return NewRequest(row, True, deciders, to_class_teacher)

    async def overdue(
        self, waiting_since: datetime, escalate_since: datetime, limit: int
    ) -> tuple[list[JoinRequestRow], list[JoinRequestRow]]:
        """Requests to remind their decider of, and requests to escalate to the admins.

        A check that runs late (after a restart, or with short periods) may find both due:
        then the decider is reminded too, so a request never reaches the admins unseen by
        its decider."""
        repos = self._db.reader
        escalate = await repos.requests.needing_escalation(escalate_since, limit)
        remind = await repos.requests.needing_reminder(waiting_since, limit)
        return remind, escalate

    async def mark_reminded(self, request_id: int, escalated: bool) -> None:
        async with self._db.transaction() as tx:
            await tx.requests.mark_reminded(request_id)
            if escalated:
                await tx.requests.mark_escalated(request_id)

    async def class_teacher_of(self, class_id: int) -> int | None:
        return await self._db.reader.roles.class_teacher_of(class_id)

    async def pending_for(self, actor: Actor, limit: int = LIST_LIMIT) -> list[JoinRequestRow]:
        classes = None if actor.is_admin else actor.classes_as(Role.CLASS_TEACHER)
        return await self._db.reader.requests.pending(classes, limit)

    async def count_pending_for(self, actor: Actor) -> int:
        classes = None if actor.is_admin else actor.classes_as(Role.CLASS_TEACHER)
        return await self._db.reader.requests.count_pending(classes)

    async def decide(
        self,
        actor: Actor,
        request_id: int,
        approve: bool,
        reason: str | None = None,
        child: ChildDecision | None = None,
    ) -> Decision:
        # Who may decide depends on the request's class, which never changes: it is checked
        # on a plain read. The decision itself is conditional (the first one wins), and the
        # role and the audit record are written only if it was this one.
        request = await self._db.reader.requests.get(request_id)
        if request is None:
            return Decision(DecisionOutcome.NOT_FOUND)
        if not may_decide(actor, request):
            return Decision(DecisionOutcome.NOT_ALLOWED, request)
        is_student = request.role == Role.STUDENT.value
        child_id, child_name = request.child_id, request.full_name
        if child is not None and not child.keep:
            # The decider named the child (`/approve 12 Белов Михаил`): their word wins
            # over the student the parent picked, as over a name the parent typed.
            child_id = None
        if approve and not is_student and request.status == "pending" and child_id is not None:
            picked = await registered_students(self._db.reader, request.class_id)
            if not any(s.person_id == child_id for s in picked):
                # The child the parent picked has left the class since (moved, gone): a
                # link to them would make the parent a parent of a class not the child's.
                # What remains is the name picked, decided on as if the parent typed it.
                child_id = None
        if approve and not is_student and request.status == "pending" and child_id is None:
            students = await registered_students(self._db.reader, request.class_id)
            if child is None:
                close = [s for s in students if _close(request.full_name or "", s)]
                if close:
                    return Decision(DecisionOutcome.NEEDS_CHILD, request, close)
            elif child.child_id is not None:
                if not any(s.person_id == child.child_id for s in students):
                    # The student left the class since the question: ask again.
                    close = [s for s in students if _close(request.full_name or "", s)]
                    return Decision(DecisionOutcome.NEEDS_CHILD, request, close)
                child_id = child.child_id
            elif child.name:
                child_name = child.name
                named = [s for s in students if any(names_agree(child.name, n) for n in s.names)]
                if len(named) == 1:
                    child_id = named[0].person_id
        if child_id is not None and child_id == request.person_id:
            # A student who picked themselves as the child: no link to themselves.
            child_id, child_name = None, None
        status = "approved" if approve else "rejected"
        build = self._db.reader  # only builds the statements: they run in the write below
        decision, audit, recorded = build.requests.decision_statements(
            request, status, actor.person_id, reason
        )
        statements = [decision, audit]
        if approve:
            statements.append(
                build.roles.grant_statement(
                    request.person_id,
                    request.role,
                    request.class_id,
                    granted_by=actor.person_id,
                    stated_name=request.full_name if is_student else None,
                    only_if=recorded,
                )
            )
            if not is_student and (child_id is not None or child_name):
                statements.append(
                    build.family.add_statement(
                        request.person_id,
                        request.class_id,
                        actor.person_id,
                        child_id=child_id,
                        child_name=child_name,
                        only_if=recorded,
                    )
                )
        # The decision, its record, the role and the family link commit together, with the
        # other hot writes of the moment: one trip, and no lock held across awaits.
        decided = (await self._db.write(*statements))[0] == 1
        parents: list[int] = []
        if decided and approve and is_student:
            # Inside the event's unit of work: commits with the decision.
            async with self._db.transaction() as tx:
                person = await tx.people.get(request.person_id)
                names = [n for n in (request.full_name, person and person.full_name) if n]
                parents = await claim_links(tx, request.person_id, request.class_id, names)
        after = await self._db.reader.requests.get(request_id)
        if after is None:
            return Decision(DecisionOutcome.NOT_FOUND)
        outcome = DecisionOutcome.DONE if decided else DecisionOutcome.ALREADY
        return Decision(outcome, after, parents_linked=parents)


def _close(typed: str, student: ClassChild) -> bool:
    """A registered student whose name is close to the one a parent typed: the same
    surname (one slip forgiven), or the same name."""
    words = typed.split()
    if not words:
        return False
    return any(names_agree(typed, name) or name_matches(words[0], name) for name in student.names)
