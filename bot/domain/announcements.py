"""Announcements to people and posts to the system channels (clauses 2.1, 2.2)."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Reach:
    recipients: list[int]
    unreachable: list[int]


class ProposalOutcome(StrEnum):
    DONE = "done"
    ALREADY = "already"
    NOT_FOUND = "not_found"


Proposal = ProposalRow


def may_announce(actor: Actor, audience: Audience, class_id: int | None) -> bool:
    """Admins and the director speak to anyone; a class teacher to their own class."""
    if actor.has(Role.ADMIN, Role.DIRECTOR):
        return True
    return (
        audience in (Audience.PARENTS, Audience.STUDENTS)
        and class_id is not None
        and class_id in actor.classes_as(Role.CLASS_TEACHER)
    )


def may_post(actor: Actor, channel: str) -> bool:
    """The admin runs the system channels; the director may post to the staff channel."""
    return actor.is_admin or (channel == "staff" and actor.has(Role.DIRECTOR))


class AnnouncementService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def reach(self, audience: Audience, class_id: int | None) -> Reach:
        repos = self._db.reader
        people: set[int] = set()
        if audience in (Audience.PARENTS, Audience.STUDENTS):
            role = Role.PARENT if audience is Audience.PARENTS else Role.STUDENT
            if class_id is None:
                people = {row.person_id for row in await repos.roles.holders(role.value)}
            else:
                people = {row.person_id for row in await repos.roles.in_class(class_id, role.value)}
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
        return Reach(recipients, unreachable)

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
