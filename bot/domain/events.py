"""Planned broadcasts, lessons and meetings (clauses 2.1–2.4): who is told, who may plan
them, who answers a meeting, and when the audience is reminded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum

from bot.clock import Clock
from bot.conversation.outgoing import Address, Chat, Person
from bot.domain.roles import Actor, Role
from bot.domain.teaching import speaking_as
from bot.storage import Database
from bot.storage.events import EventRow

# Upcoming events listed at most (a page at a time): a term's lessons and meetings.
LIST_LIMIT = 500
# A reminder due this soon after the announcement would only repeat it: it is skipped.
REMINDER_GAP = timedelta(minutes=15)
# The evening before an event, at this hour of the school's day, its audience is reminded.
EVENING_REMINDER = time(19, 0)


class Audience(StrEnum):
    SCHOOL = "school"
    STAFF = "staff"
    STUDENTS = "students"
    PARENTS = "parents"
    CLASS = "class"  # the class's students and parents
    CHAT = "chat"


class Kind(StrEnum):
    BROADCAST = "broadcast"
    LESSON = "lesson"  # a subject teacher's (remote) lesson for their class
    MEETING = "meeting"  # answered «Приду» / «Не приду»


class AnswerOutcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"  # no such meeting
    CLOSED = "closed"  # cancelled or begun
    NOT_INVITED = "not_invited"


STAFF_ROLES = (Role.ADMIN, Role.DIRECTOR, Role.CLASS_TEACHER, Role.TEACHER)
CLASS_AUDIENCES = (Audience.STUDENTS, Audience.PARENTS, Audience.CLASS)
# Who of a class each class audience is: the roles told.
AUDIENCE_ROLES: dict[Audience, tuple[Role, ...]] = {
    Audience.STUDENTS: (Role.STUDENT,),
    Audience.PARENTS: (Role.PARENT,),
    Audience.CLASS: (Role.STUDENT, Role.PARENT),
}


@dataclass(frozen=True)
class PlannedEvent:
    title: str
    starts_at: datetime
    audience: Audience
    class_id: int | None
    chat_peer: int | None
    link: str | None


@dataclass(frozen=True)
class Answers:
    """A meeting's answers: who comes, who does not, who has not said (person ids)."""

    coming: list[int]
    not_coming: list[int]
    silent: list[int]


def may_plan(
    actor: Actor, audience: Audience, class_id: int | None, taught: Sequence[int] = ()
) -> bool:
    """Admins and the director plan for anyone; a class teacher for their own class, a
    subject teacher for the classes they teach (clause 2.4)."""
    if actor.has(Role.ADMIN, Role.DIRECTOR):
        return True
    if audience in CLASS_AUDIENCES:
        return class_id is not None and class_id in _addressable(actor, taught)
    return False


def _addressable(actor: Actor, taught: Sequence[int]) -> set[int]:
    return set(actor.classes_as(Role.CLASS_TEACHER)) | set(taught)


def audiences_for(actor: Actor, taught: Sequence[int] = ()) -> list[Audience]:
    """The audiences a person may choose: a teacher plans only for their classes."""
    if actor.has(Role.ADMIN, Role.DIRECTOR):
        return list(Audience)
    if _addressable(actor, taught):
        return list(CLASS_AUDIENCES)
    return []


def plannable_class_ids(
    actor: Actor, class_ids: list[int], taught: Sequence[int] = ()
) -> list[int]:
    """Of the school's classes, those a person may plan events for."""
    if actor.has(Role.ADMIN, Role.DIRECTOR):
        return class_ids
    allowed = _addressable(actor, taught)
    return [class_id for class_id in class_ids if class_id in allowed]


def event_kind(
    actor: Actor, audience: Audience, class_id: int | None, taught: Sequence[int] = ()
) -> Kind:
    """Meetings are for parents (alone, or with the students); what a subject teacher
    plans for their class's students is a lesson; the rest are broadcasts."""
    as_subject_teacher = (
        class_id is not None
        and speaking_as(actor, [class_id], taught) is Role.TEACHER
        and not actor.has(Role.ADMIN, Role.DIRECTOR)
    )
    if audience is Audience.PARENTS:
        return Kind.MEETING
    if audience in (Audience.STUDENTS, Audience.CLASS) and as_subject_teacher:
        return Kind.LESSON
    if audience is Audience.CLASS:
        return Kind.MEETING
    return Kind.BROADCAST


def evening_before(starts_at: datetime, zone: tzinfo) -> datetime:
    """19:00 school time the day before the event starts."""
    day = starts_at.astimezone(zone).date() - timedelta(days=1)
    return datetime.combine(day, EVENING_REMINDER, tzinfo=zone)


def may_see_answers(actor: Actor, event: EventRow) -> bool:
    """The organiser, the class's teacher and the administration see who answered."""
    if event.created_by == actor.person_id or actor.has(Role.ADMIN, Role.DIRECTOR):
        return True
    return event.class_id is not None and event.class_id in actor.classes_as(Role.CLASS_TEACHER)


def is_invited(actor: Actor, event: EventRow) -> bool:
    """Whether the actor is among the people a meeting was announced to."""
    audience = Audience(event.audience)
    if audience not in CLASS_AUDIENCES or event.class_id is None:
        return False
    return any(event.class_id in actor.classes_as(role) for role in AUDIENCE_ROLES[audience])


def _recorded(event: EventRow) -> dict[str, object]:
    """An event as the audit log keeps it: its number, title and class, so that the log
    reads what was planned and `/audit 5А` finds the class's events."""
    details: dict[str, object] = {"event": event.id, "title": event.title}
    if event.class_name:
        details["class"] = event.class_name
    return details


class EventService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def reminder_skipped(self, starts_at: datetime, remind_before: timedelta) -> bool:
        """Whether the reminder would follow the announcement made now within minutes."""
        return starts_at - remind_before < self._clock.now() + REMINDER_GAP

    def evening_reminder_at(
        self, starts_at: datetime, remind_before: timedelta, zone: tzinfo
    ) -> datetime | None:
        """When the evening-before reminder is due; None when the event is planned after
        that evening, or starts less than `remind_before` after it (the reminder ahead of
        the start then says it all)."""
        evening = evening_before(starts_at, zone)
        if self._clock.now() >= evening or starts_at - evening < remind_before:
            return None
        return evening

    async def create(
        self,
        actor: Actor,
        event: PlannedEvent,
        remind_before: timedelta,
        zone: tzinfo,
        taught: Sequence[int] = (),
    ) -> EventRow:
        skip_reminder = self.reminder_skipped(event.starts_at, remind_before)
        class_ids = [event.class_id] if event.class_id is not None else []
        role = speaking_as(actor, class_ids, taught)
        async with self._db.transaction() as tx:
            event_id = await tx.events.create(
                event.title,
                event.starts_at,
                event.audience.value,
                event.class_id,
                event.chat_peer,
                event.link,
                actor.person_id,
                kind=event_kind(actor, event.audience, event.class_id, taught).value,
                sender_role=None if role is None else role.value,
                evening_at=self.evening_reminder_at(event.starts_at, remind_before, zone),
            )
            if skip_reminder:
                await tx.events.mark_reminded(event_id)
            row = await tx.events.get(event_id)
            assert row is not None
            await tx.audit.write("event_planned", actor.person_id, details=_recorded(row))
        return row

    async def upcoming(self) -> list[EventRow]:
        return await self._db.reader.events.upcoming(self._clock.now(), LIST_LIMIT)

    async def visible_to(self, actor: Actor) -> list[EventRow]:
        """Staff see every upcoming event; students and parents the school's and their
        classes' (those they are told of)."""
        if actor.has(*STAFF_ROLES):
            return await self.upcoming()
        students = actor.classes_as(Role.STUDENT)
        parents = actor.classes_as(Role.PARENT)
        return await self._db.reader.events.upcoming_for(
            self._clock.now(), students, parents, LIST_LIMIT
        )

    def may_read(self, actor: Actor, event: EventRow) -> bool:
        """Whether `/events N` shows the event: one `visible_to` lists, however many come
        before it (that list stops at LIST_LIMIT)."""
        if event.cancelled_at is not None or event.starts_at <= self._clock.now():
            return False
        if actor.has(*STAFF_ROLES) or event.audience == Audience.SCHOOL.value:
            return True
        return is_invited(actor, event)

    async def get(self, event_id: int) -> EventRow | None:
        return await self._db.reader.events.get(event_id)

    async def cancel(self, actor: Actor, event_id: int) -> EventRow | None:
        async with self._db.transaction() as tx:
            row = await tx.events.get(event_id)
            if row is None or row.cancelled_at is not None:
                return None
            if row.created_by != actor.person_id and not actor.has(Role.ADMIN, Role.DIRECTOR):
                return None
            if row.starts_at <= self._clock.now():
                return None  # it has begun: a «cancelled» to its people would be news of nothing
            await tx.events.cancel(event_id)
            await tx.audit.write("event_cancelled", actor.person_id, details=_recorded(row))
        return row

    async def due_reminders(self, before: timedelta) -> list[EventRow]:
        now = self._clock.now()
        return await self._db.reader.events.due_reminders(now, now + before)

    async def due_evening_reminders(self) -> list[EventRow]:
        return await self._db.reader.events.due_evening(self._clock.now())

    async def mark_reminded(self, event_id: int) -> bool:
        async with self._db.transaction() as tx:
            return await tx.events.mark_reminded(event_id)

    async def mark_evening_reminded(self, event_id: int) -> bool:
        async with self._db.transaction() as tx:
            return await tx.events.mark_evening_reminded(event_id)

    async def answer(self, actor: Actor, event_id: int, coming: bool) -> AnswerOutcome:
        """A person's «Приду» / «Не приду»: one answer a person, the last one counts."""
        async with self._db.transaction() as tx:
            event = await tx.events.get(event_id)
            if event is None or event.kind != Kind.MEETING.value:
                return AnswerOutcome.NOT_FOUND
            if event.cancelled_at is not None or event.starts_at <= self._clock.now():
                return AnswerOutcome.CLOSED
            if not is_invited(actor, event):
                return AnswerOutcome.NOT_INVITED
            await tx.events.answer(event_id, actor.person_id, coming)
        return AnswerOutcome.DONE

    async def answers(self, event: EventRow) -> Answers:
        """The meeting's answers against its audience now: whoever left the class since
        is no longer counted, whoever joined has not answered yet."""
        invited = [to.id for to in await self.recipients(event) if isinstance(to, Person)]
        rows = await self._db.reader.events.answers(event.id)
        given = {row.person_id: row.coming for row in rows}
        return Answers(
            coming=[person for person in invited if given.get(person) is True],
            not_coming=[person for person in invited if given.get(person) is False],
            silent=[person for person in invited if person not in given],
        )

    async def recipients(self, event: EventRow) -> list[Address]:
        """Who is told: people of the audience, or the bound chat; an event for a class's
        students also goes to the subject chats its organiser bound for that class."""
        repos = self._db.reader
        audience = Audience(event.audience)
        if audience is Audience.CHAT:
            return [Chat(event.chat_peer)] if event.chat_peer else []
        if audience in CLASS_AUDIENCES:
            assert event.class_id is not None
            people: set[int] = set()
            for role in AUDIENCE_ROLES[audience]:
                rows = await repos.roles.in_class(event.class_id, role.value)
                people |= {row.person_id for row in rows}
            told: list[Address] = [Person(person) for person in sorted(people)]
            if audience is not Audience.PARENTS and event.created_by:
                told += [
                    Chat(chat.peer_id)
                    for chat in await repos.chats.bound_by(event.created_by, "subject")
                    if chat.class_id == event.class_id
                ]
            return told
        roles = STAFF_ROLES if audience is Audience.STAFF else tuple(Role)
        everyone: set[int] = set()
        for role in roles:
            everyone |= {row.person_id for row in await repos.roles.holders(role.value)}
        return [Person(person) for person in sorted(everyone)]
