"""Planned broadcasts and meetings (clauses 2.1–2.4): who is told, and when reminded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.conversation.outgoing import Address, Chat, Person
from bot.domain.roles import Actor, Role
from bot.storage import Database
from bot.storage.events import EventRow

LIST_LIMIT = 20
# A reminder due this soon after the announcement would only repeat it: it is skipped.
REMINDER_GAP = timedelta(minutes=15)


class Audience(StrEnum):
    SCHOOL = "school"
    STAFF = "staff"
    STUDENTS = "students"
    PARENTS = "parents"
    CHAT = "chat"


STAFF_ROLES = (Role.ADMIN, Role.DIRECTOR, Role.CLASS_TEACHER, Role.TEACHER)


@dataclass(frozen=True)
class PlannedEvent:
    title: str
    starts_at: datetime
    audience: Audience
    class_id: int | None
    chat_peer: int | None
    link: str | None


def may_plan(actor: Actor, audience: Audience, class_id: int | None) -> bool:
    """Admins and the director plan for anyone; a class teacher for their own class."""
    if actor.has(Role.ADMIN, Role.DIRECTOR):
        return True
    if audience in (Audience.STUDENTS, Audience.PARENTS):
        return class_id in actor.classes_as(Role.CLASS_TEACHER)
    return False


def audiences_for(actor: Actor) -> list[Audience]:
    """The audiences a person may choose: a class teacher plans only for their classes."""
    if actor.has(Role.ADMIN, Role.DIRECTOR):
        return list(Audience)
    if actor.classes_as(Role.CLASS_TEACHER):
        return [Audience.STUDENTS, Audience.PARENTS]
    return []


def plannable_class_ids(actor: Actor, class_ids: list[int]) -> list[int]:
    """Of the school's classes, those a person may plan events for."""
    if actor.has(Role.ADMIN, Role.DIRECTOR):
        return class_ids
    led = set(actor.classes_as(Role.CLASS_TEACHER))
    return [class_id for class_id in class_ids if class_id in led]


class EventService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def reminder_skipped(self, starts_at: datetime, remind_before: timedelta) -> bool:
        """Whether the reminder would follow the announcement made now within minutes."""
        return starts_at - remind_before < self._clock.now() + REMINDER_GAP

    async def create(self, actor: Actor, event: PlannedEvent, remind_before: timedelta) -> EventRow:
        skip_reminder = self.reminder_skipped(event.starts_at, remind_before)
        async with self._db.transaction() as tx:
            event_id = await tx.events.create(
                event.title,
                event.starts_at,
                event.audience.value,
                event.class_id,
                event.chat_peer,
                event.link,
                actor.person_id,
            )
            if skip_reminder:
                await tx.events.mark_reminded(event_id)
            await tx.audit.write("event_planned", actor.person_id, details={"event": event_id})
            row = await tx.events.get(event_id)
        assert row is not None
        return row

    async def upcoming(self) -> list[EventRow]:
        return await self._db.reader.events.upcoming(self._clock.now(), LIST_LIMIT)

    async def get(self, event_id: int) -> EventRow | None:
        return await self._db.reader.events.get(event_id)

    async def cancel(self, actor: Actor, event_id: int) -> EventRow | None:
        async with self._db.transaction() as tx:
            row = await tx.events.get(event_id)
            if row is None or row.cancelled_at is not None:
                return None
            if row.created_by != actor.person_id and not actor.has(Role.ADMIN, Role.DIRECTOR):
                return None
            await tx.events.cancel(event_id)
            await tx.audit.write("event_cancelled", actor.person_id, details={"event": event_id})
        return row

    async def due_reminders(self, before: timedelta) -> list[EventRow]:
        now = self._clock.now()
        return await self._db.reader.events.due_reminders(now, now + before)

    async def mark_reminded(self, event_id: int) -> bool:
        async with self._db.transaction() as tx:
            return await tx.events.mark_reminded(event_id)

    async def recipients(self, event: EventRow) -> list[Address]:
        """Who is told: people of the audience, or the bound chat."""
        repos = self._db.reader
        audience = Audience(event.audience)
        if audience is Audience.CHAT:
            return [Chat(event.chat_peer)] if event.chat_peer else []
        if audience in (Audience.STUDENTS, Audience.PARENTS):
            assert event.class_id is not None
            role = Role.STUDENT if audience is Audience.STUDENTS else Role.PARENT
            rows = await repos.roles.in_class(event.class_id, role.value)
            return [Person(person) for person in sorted({row.person_id for row in rows})]
        roles = STAFF_ROLES if audience is Audience.STAFF else tuple(Role)
        people: set[int] = set()
        for role in roles:
            people |= {row.person_id for row in await repos.roles.holders(role.value)}
        return [Person(person) for person in sorted(people)]
