"""Announcements to people and posts to the system channels (clauses 2.1, 2.2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.roles import Actor, Role
from bot.storage import Database
from bot.storage.proposals import ProposalRow

STAFF_ROLES = (Role.ADMIN, Role.DIRECTOR, Role.CLASS_TEACHER, Role.TEACHER)


class Audience(StrEnum):
    PARENTS = "parents"
    STUDENTS = "students"
    TEACHERS = "teachers"
    STAFF = "staff"
    ALL = "all"
    CLASS = "class"  # a class's students and parents


# The audiences that are some classes' people, and who of a class each is.
CLASS_AUDIENCES: dict[Audience, tuple[Role, ...]] = {
    Audience.PARENTS: (Role.PARENT,),
    Audience.STUDENTS: (Role.STUDENT,),
    Audience.CLASS: (Role.STUDENT, Role.PARENT),
}


@dataclass(frozen=True)
class Reach:
    recipients: list[int]
    unreachable: list[int]
    # The subject chats the sender bound for these classes (students' audiences only).
    chats: list[int] = field(default_factory=list)


class ProposalOutcome(StrEnum):
    DONE = "done"
    ALREADY = "already"
    NOT_FOUND = "not_found"


Proposal = ProposalRow


def may_announce(
    actor: Actor, audience: Audience, class_ids: Sequence[int], taught: Sequence[int] = ()
) -> bool:
    """Admins and the director speak to anyone; a class teacher to their own class, a
    subject teacher to the classes they teach (clause 2.4)."""
    if actor.has(Role.ADMIN, Role.DIRECTOR):
        return True
    allowed = set(actor.classes_as(Role.CLASS_TEACHER)) | set(taught)
    return audience in CLASS_AUDIENCES and bool(class_ids) and set(class_ids) <= allowed


def may_post(actor: Actor, channel: str) -> bool:
    """The admin runs the system channels; the director may post to the staff channel."""
    return actor.is_admin or (channel == "staff" and actor.has(Role.DIRECTOR))


class AnnouncementService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def reach(
        self, audience: Audience, class_ids: Sequence[int], sender_id: int | None = None
    ) -> Reach:
        repos = self._db.reader
        people: set[int] = set()
        chats: list[int] = []
        if audience in CLASS_AUDIENCES:
            for role in CLASS_AUDIENCES[audience]:
                if not class_ids:
                    people |= {row.person_id for row in await repos.roles.holders(role.value)}
                for class_id in class_ids:
                    rows = await repos.roles.in_class(class_id, role.value)
                    people |= {row.person_id for row in rows}
            if audience is not Audience.PARENTS and class_ids and sender_id is not None:
                chats = [
                    chat.peer_id
                    for chat in await repos.chats.bound_by(sender_id, "subject")
                    if chat.class_id in class_ids
                ]
        else:
            roles = {
                Audience.TEACHERS: (Role.TEACHER, Role.CLASS_TEACHER),
                Audience.STAFF: STAFF_ROLES,
                Audience.ALL: tuple(Role),
            }[audience]
            for role in roles:
                people |= {row.person_id for row in await repos.roles.holders(role.value)}
        recipients = sorted(people)
        unreachable = sorted(await repos.people.unreachable(recipients))
        return Reach(recipients, unreachable, chats)

    async def channel_peers(self, channel: str) -> list[int]:
        """The channel's chat on every messenger that has one (during a move, both)."""
        chats = await self._db.reader.chats.holders_of("channel", None, channel)
        return [chat.peer_id for chat in chats]

    async def propose(self, actor: Actor, text: str) -> int:
        async with self._db.transaction() as tx:
            proposal_id = await tx.proposals.create(text, actor.person_id)
            await tx.audit.write(
                "proposal_made", actor.person_id, details={"proposal": proposal_id}
            )
        return proposal_id

    async def decide(
        self, actor: Actor, proposal_id: int, publish: bool
    ) -> tuple[ProposalOutcome, Proposal | None]:
        async with self._db.transaction() as tx:
            found = await tx.proposals.get(proposal_id)
            if found is None:
                return ProposalOutcome.NOT_FOUND, None
            status = "published" if publish else "declined"
            if not await tx.proposals.decide(proposal_id, status, actor.person_id):
                return ProposalOutcome.ALREADY, found
            await tx.audit.write(
                f"proposal_{status}", actor.person_id, details={"proposal": proposal_id}
            )
        return ProposalOutcome.DONE, found

    async def class_unreachable(self, class_id: int) -> list[int]:
        """Students and parents of a class the bot cannot write to: asked in person."""
        repos = self._db.reader
        members = [
            row.person_id
            for role in (Role.STUDENT, Role.PARENT)
            for row in await repos.roles.in_class(class_id, role.value)
        ]
        return sorted(await repos.people.unreachable(members))

    async def set_can_receive(self, person_id: int, can: bool) -> None:
        async with self._db.transaction() as tx:
            await tx.people.set_can_receive(person_id, can)
