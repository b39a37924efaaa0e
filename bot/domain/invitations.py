"""Invitation links per role and class (clause 2.1): issue, redeem once per use, annul."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.domain.family import claim_links, link_child
from bot.domain.roles import Actor, Role
from bot.parsing import parse_number
from bot.storage import Database
from bot.storage.classes import ClassRow
from bot.storage.invitations import InvitationRow

CODE_BYTES = 16  # 128 bits from `secrets`
FAILED_CODES_LIMIT = 10
FAILED_CODES_WINDOW = timedelta(hours=1)
LIST_LIMIT = 20


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def hash_code(code: str) -> str:
    """Only the hash is stored: a leaked database does not leak working links."""
    return hashlib.sha256(code.strip().encode()).hexdigest()


class CodeStatus(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    EXPIRED = "expired"
    ANNULLED = "annulled"
    USED_UP = "used_up"
    ALREADY_MEMBER = "already_member"


class InvitationState(StrEnum):
    ACTIVE = "active"
    USED = "used"
    EXPIRED = "expired"
    ANNULLED = "annulled"


@dataclass(frozen=True)
class Issued:
    id: int
    code: str
    role: Role
    school_class: ClassRow
    max_uses: int | None
    expires_at: datetime


@dataclass(frozen=True)
class CodeCheck:
    status: CodeStatus
    invitation: InvitationRow | None = None
    locked_until: datetime | None = None
    # A redemption's family: a parent's child (registered, else the name given), or the
    # parents whose name-only links named the student who joined.
    child_id: int | None = None
    parents_linked: tuple[int, ...] = ()


@dataclass(frozen=True)
class InvitationView:
    row: InvitationRow
    state: InvitationState
    stale: bool


@dataclass(frozen=True)
class InvitationList:
    counts: dict[str, int]
    latest: list[InvitationView]


def state_of(row: InvitationRow, now: datetime) -> InvitationState:
    if row.annulled_at is not None:
        return InvitationState.ANNULLED
    if row.max_uses is not None and row.uses >= row.max_uses:
        return InvitationState.USED
    if row.expires_at <= now:
        return InvitationState.EXPIRED
    return InvitationState.ACTIVE


def may_invite(actor: Actor, role: Role, school_class: ClassRow) -> bool:
    """Admins invite anyone; a class teacher, students and parents of their own classes."""
    if actor.is_admin:
        return True
    return role in (Role.STUDENT, Role.PARENT) and school_class.id in actor.classes_as(
        Role.CLASS_TEACHER
    )


def visible_classes(actor: Actor) -> list[int] | None:
    """Whose invitations a person may see and annul: None means every class."""
    return None if actor.is_admin else actor.classes_as(Role.CLASS_TEACHER)


class _NothingGrantedError(Exception):
    def __init__(self, invitation: InvitationRow) -> None:
        super().__init__(invitation.id)
        self.invitation = invitation


class InvitationService:
    def __init__(self, db: Database, clock: Clock, ttl: timedelta, stale_after: timedelta) -> None:
        self._db = db
        self._clock = clock
        self._ttl = ttl
        self._stale_after = stale_after

    async def issue(
        self,
        actor: Actor,
        role: Role,
        school_class: ClassRow,
        max_uses: int | None,
        child_id: int | None = None,
    ) -> Issued:
        """`child_id`: a parent invitation for this student of the class."""
        code = new_code()
        expires_at = self._clock.now() + self._ttl
        async with self._db.transaction() as tx:
            invitation_id = await tx.invitations.create(
                hash_code(code),
                role.value,
                school_class.id,
                max_uses,
                actor.person_id,
                expires_at,
                child_id if role is Role.PARENT else None,
            )
            details: dict[str, object] = {
                "invitation": invitation_id,
                "role": role.value,
                "class": school_class.name,
            }
            if child_id is not None and role is Role.PARENT:
                details["child"] = child_id
            await tx.audit.write("invitation_issued", actor.person_id, details=details)
        return Issued(invitation_id, code, role, school_class, max_uses, expires_at)

    async def check(self, person_id: int, code: str) -> CodeCheck:
        """What a code would do for this person; a wrong code counts towards the lock-out."""
        return await self.check_hash(person_id, hash_code(code))

    async def check_hash(self, person_id: int, code_hash: str) -> CodeCheck:
        """`check` for a code known by its hash (one kept while its bearer had not consented)."""
        now = self._clock.now()
        failures = await self._db.reader.invitations.failures_since(
            person_id, now - FAILED_CODES_WINDOW
        )
        if len(failures) >= FAILED_CODES_LIMIT:
            return CodeCheck(CodeStatus.LOCKED, locked_until=failures[0] + FAILED_CODES_WINDOW)
        row = await self._db.reader.invitations.by_hash(code_hash)
        if row is None:
            async with self._db.transaction() as tx:
                await tx.invitations.record_failure(person_id)
            return CodeCheck(CodeStatus.WRONG)
        state = state_of(row, now)
        if state is not InvitationState.ACTIVE:
            status = {
                InvitationState.ANNULLED: CodeStatus.ANNULLED,
                InvitationState.USED: CodeStatus.USED_UP,
                InvitationState.EXPIRED: CodeStatus.EXPIRED,
            }[state]
            return CodeCheck(status, row)
        roles = await self._db.reader.roles.active_for(person_id)
        if row.role == Role.TEACHER.value and any(r.role == Role.TEACHER.value for r in roles):
            return CodeCheck(CodeStatus.ALREADY_MEMBER, row)
        if row.role in (Role.STUDENT.value, Role.PARENT.value) and any(
            r.role == row.role and r.class_id == row.class_id for r in roles
        ):
            return CodeCheck(CodeStatus.ALREADY_MEMBER, row)
        return CodeCheck(CodeStatus.OK, row)

    async def redeem(self, person_id: int, invitation_id: int, name: str | None) -> CodeCheck:
        """Takes one use and grants the role, atomically. `name` is the student's own name,
        or the child's for a parent. A redemption that grants nothing (the person holds the
        role already) spends no use."""
        try:
            return await self._redeem(person_id, invitation_id, name)
        except _NothingGrantedError as nothing:
            return CodeCheck(CodeStatus.ALREADY_MEMBER, nothing.invitation)

    async def _redeem(self, person_id: int, invitation_id: int, name: str | None) -> CodeCheck:
        async with self._db.transaction() as tx:
            if not await tx.invitations.claim(invitation_id, person_id):
                row = await tx.invitations.by_id(invitation_id)
                if row is None:
                    return CodeCheck(CodeStatus.WRONG)
                state = state_of(row, self._clock.now())
                status = {
                    InvitationState.ANNULLED: CodeStatus.ANNULLED,
                    InvitationState.EXPIRED: CodeStatus.EXPIRED,
                }.get(state, CodeStatus.USED_UP)
                return CodeCheck(status, row)
            row = await tx.invitations.by_id(invitation_id)
            assert row is not None
            granted = await tx.roles.grant(
                person_id,
                row.role,
                row.class_id,
                granted_by=row.created_by,
                stated_name=name if row.role == Role.STUDENT.value else None,
            )
            if not granted:
                raise _NothingGrantedError(row)  # rolls the use back
            child_id: int | None = None
            parents: list[int] = []
            if row.role == Role.PARENT.value and (row.child_id is not None or name):
                await link_child(
                    tx,
                    person_id,
                    row.class_id,
                    row.created_by or None,
                    child_id=row.child_id,
                    child_name=name,
                )
                child_id = row.child_id
            elif row.role == Role.STUDENT.value:
                person = await tx.people.get(person_id)
                names = [n for n in (name, person.full_name if person else None) if n]
                parents = await claim_links(tx, person_id, row.class_id, names)
            await tx.audit.write(
                "invitation_redeemed",
                person_id,
                person_id,
                {"invitation": invitation_id, "role": row.role, "class": row.class_name},
            )
        return CodeCheck(CodeStatus.OK, row, child_id=child_id, parents_linked=tuple(parents))

    async def overview(self, actor: Actor, limit: int = LIST_LIMIT) -> InvitationList:
        now = self._clock.now()
        classes = visible_classes(actor)
        repos = self._db.reader
        counts = await repos.invitations.status_counts(now, now - self._stale_after, classes)
        rows = await repos.invitations.latest(limit, classes)
        return InvitationList(counts, [self._view(row, now) for row in rows])

    def _view(self, row: InvitationRow, now: datetime) -> InvitationView:
        state = state_of(row, now)
        stale = (
            state is InvitationState.ACTIVE
            and row.uses == 0
            and row.created_at < now - self._stale_after
        )
        return InvitationView(row, state, stale)

    async def find(self, actor: Actor, reference: str) -> InvitationRow | None:
        """An invitation by its number or its code, if the person may see it."""
        repos = self._db.reader
        number = parse_number(reference)
        row = (
            await repos.invitations.by_id(number)
            if number is not None
            else await repos.invitations.by_hash(hash_code(reference.strip().lstrip("№#")))
        )
        classes = visible_classes(actor)
        if row is None or (classes is not None and row.class_id not in classes):
            return None
        return row

    async def annul(self, actor: Actor, invitation_ids: list[int], reason: str) -> int:
        async with self._db.transaction() as tx:
            count = await tx.invitations.annul(invitation_ids, actor.person_id)
            await tx.audit.write(
                "invitations_annulled",
                actor.person_id,
                details={"count": count, "reason": reason, "invitations": invitation_ids[:50]},
            )
        return count

    async def annul_stale(self, actor: Actor) -> int:
        now = self._clock.now()
        stale = await self._db.reader.invitations.stale(
            now, now - self._stale_after, visible_classes(actor)
        )
        return await self.annul(actor, [row.id for row in stale], "stale")
