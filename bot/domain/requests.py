"""Join requests from people without an invitation (clause 2.1): the first decision wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.roles import Actor, Role
from bot.storage import Database
from bot.storage.requests import JoinRequestRow

LIST_LIMIT = 30


class DecisionOutcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    ALREADY = "already"


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

    async def submit(self, person_id: int, role: Role, class_id: int, full_name: str) -> NewRequest:
        # With the other hot writes of the moment, in one trip and one commit (the reader's
        # repositories only build the statements here).
        request, audit = self._db.reader.requests.submit_statements(
            person_id, role.value, class_id, full_name
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
        self, actor: Actor, request_id: int, approve: bool, reason: str | None = None
    ) -> Decision:
        # Who may decide depends on the request's class, which never changes: it is checked
        # on a plain read. The decision itself is conditional (the first one wins), and the
        # role and the audit record are written only if it was this one.
        request = await self._db.reader.requests.get(request_id)
        if request is None:
            return Decision(DecisionOutcome.NOT_FOUND)
        if not may_decide(actor, request):
            return Decision(DecisionOutcome.NOT_ALLOWED, request)
        status = "approved" if approve else "rejected"
        build = self._db.reader  # only builds the statements: they run in the write below
        decision, audit, recorded = build.requests.decision_statements(
            request, status, actor.person_id, reason
        )
        statements = [decision, audit]
        if approve:
            is_student = request.role == Role.STUDENT.value
            statements.append(
                build.roles.grant_statement(
                    request.person_id,
                    request.role,
                    request.class_id,
                    granted_by=actor.person_id,
                    stated_name=request.full_name if is_student else None,
                    child_name=None if is_student else request.full_name,
                    only_if=recorded,
                )
            )
        # The decision, its record and the role commit together, with the other hot
        # writes of the moment: one trip, and no lock held across awaits.
        decided = (await self._db.write(*statements))[0] == 1
        after = await self._db.reader.requests.get(request_id)
        if after is None:
            return Decision(DecisionOutcome.NOT_FOUND)
        return Decision(DecisionOutcome.DONE if decided else DecisionOutcome.ALREADY, after)
