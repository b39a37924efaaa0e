"""Who must do what by the regulation, and what is still undone: checklists from facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from bot.clock import Clock
from bot.domain.duty_catalogue import Completion, Duty, Period, duties_for
from bot.domain.roles import Actor, Role
from bot.storage import Database, Repositories

CLASS_CHAT_FACTS = {
    "class_students_chat_bound": "students",
    "class_parents_chat_bound": "parents",
    "class_teachers_chat_bound": "teachers",
}
MANAGEMENT_FACTS = {
    f"management_{sub}_bound": sub
    for sub in ("deputies", "teachers", "parents_council", "students_council")
}
PERSONAL_CHAT = {Role.STUDENT: "students", Role.PARENT: "parents"}


@dataclass(frozen=True)
class ChecklistItem:
    number: int
    duty: Duty
    class_id: int
    class_name: str | None
    done: bool


@dataclass(frozen=True)
class Checklist:
    role: Role
    items: list[ChecklistItem]

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)


@dataclass(frozen=True)
class SchoolFigures:
    classes: int
    classes_with_teacher: int
    required_chats: int
    bound_chats: int
    pending_requests: int
    waiting_teachers: int
    stale_invitations: int
    people_by_role: dict[str, int]


class MarkOutcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    NOT_MANUAL = "not_manual"


def period_key(duty: Duty, moment: datetime, zone: tzinfo) -> str:
    """Recurring duties are due again each ISO week in the school's time zone."""
    if duty.period is Period.ONCE:
        return ""
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"


class DutyService:
    def __init__(self, db: Database, clock: Clock, zone: tzinfo, stale_after: timedelta) -> None:
        self._db = db
        self._clock = clock
        self._zone = zone
        self._stale_after = stale_after

    async def checklists(self, actor: Actor) -> list[Checklist]:
        repos = self._db.reader
        marks = await repos.duty_marks.of(actor.person_id)
        now = self._clock.now()
        facts = _Facts(repos, actor, now, self._stale_after)
        lists: list[Checklist] = []
        number = 0
        # The same step of several of the person's roles (joining the staff room is a class
        # teacher's and a teacher's) is listed once, under the first.
        seen: set[tuple[str, int]] = set()
        for role in actor.ordered_roles() or _held_roles(actor):
            items: list[ChecklistItem] = []
            for duty in duties_for(role):
                for class_id, class_name in self._instances(actor, role, duty):
                    if (duty.title, class_id) in seen:
                        continue
                    seen.add((duty.title, class_id))
                    number += 1
                    if duty.completion is Completion.MANUAL:
                        key = (duty.key, class_id, period_key(duty, now, self._zone))
                        done = key in marks
                    else:
                        assert duty.check is not None
                        done = await facts.holds(duty.check, class_id)
                    items.append(ChecklistItem(number, duty, class_id, class_name, done))
            if items:
                lists.append(Checklist(role, items))
        return lists

    @staticmethod
    def _instances(actor: Actor, role: Role, duty: Duty) -> list[tuple[int, str | None]]:
        if not duty.per_class:
            return [(0, None)]
        return [
            (grant.class_id, grant.class_name)
            for grant in actor.grants
            if grant.role is role and grant.class_id is not None
        ]

    async def mark(self, actor: Actor, number: int, done: bool) -> tuple[MarkOutcome, Duty | None]:
        for checklist in await self.checklists(actor):
            for item in checklist.items:
                if item.number != number:
                    continue
                if item.duty.completion is not Completion.MANUAL:
                    return MarkOutcome.NOT_MANUAL, item.duty
                period = period_key(item.duty, self._clock.now(), self._zone)
                async with self._db.transaction() as tx:
                    if done:
                        await tx.duty_marks.mark(
                            actor.person_id, item.duty.key, item.class_id, period
                        )
                    else:
                        await tx.duty_marks.unmark(
                            actor.person_id, item.duty.key, item.class_id, period
                        )
                return MarkOutcome.DONE, item.duty
        return MarkOutcome.NOT_FOUND, None

    async def figures(self) -> SchoolFigures:
        repos = self._db.reader
        summaries = [row for row in await repos.classes.summaries() if not row.is_staff_room]
        bound = await repos.chats.bound()
        class_chats = {
            (chat.class_id, chat.kind)
            for chat in bound
            if chat.class_id is not None and chat.kind in ("students", "parents", "teachers")
        }
        now = self._clock.now()
        stale = await repos.invitations.count_stale(now, now - self._stale_after)
        roles = {role.value: await repos.roles.count_holders(role.value) for role in Role}
        return SchoolFigures(
            classes=len(summaries),
            classes_with_teacher=sum(row.class_teacher_id is not None for row in summaries),
            required_chats=3 * len(summaries),
            bound_chats=len(class_chats),
            pending_requests=await repos.requests.count_pending(None),
            waiting_teachers=len(await repos.roles.unverified_teachers()),
            stale_invitations=stale,
            people_by_role=roles,
        )


def _held_roles(actor: Actor) -> list[Role]:
    # An unverified teacher still sees the teacher's checklist: it tells them what is next.
    teacher: list[Role] = [Role.TEACHER] if actor.holds(Role.TEACHER) else []
    return teacher


class _Facts:
    """The facts duties are completed by, read from the register (cached per checklist)."""

    def __init__(
        self, repos: Repositories, actor: Actor, now: datetime, stale_after: timedelta
    ) -> None:
        self._repos = repos
        self._actor = actor
        self._now = now
        self._stale_after = stale_after
        self._cache: dict[tuple[str, int], bool] = {}

    async def holds(self, fact: str, class_id: int) -> bool:
        key = (fact, class_id)
        if key not in self._cache:
            self._cache[key] = await self._evaluate(fact, class_id)
        return self._cache[key]

    async def _evaluate(self, fact: str, class_id: int) -> bool:
        repos, actor = self._repos, self._actor
        if fact in CLASS_CHAT_FACTS:
            return await repos.chats.holder_of(CLASS_CHAT_FACTS[fact], class_id, None) is not None
        if fact in MANAGEMENT_FACTS:
            return (
                await repos.chats.holder_of("management", None, MANAGEMENT_FACTS[fact]) is not None
            )
        if fact in ("channel_school_bound", "channel_staff_bound"):
            sub = fact.split("_")[1]
            return await repos.chats.holder_of("channel", None, sub) is not None
        if fact == "classes_exist":
            return any(not row.is_staff_room for row in await repos.classes.all())
        if fact == "teacher_invited":
            return await repos.invitations.count_for_role(Role.TEACHER.value) > 0
        if fact == "all_classes_have_class_teacher":
            pupils = [row for row in await repos.classes.summaries() if not row.is_staff_room]
            return bool(pupils) and all(row.class_teacher_id is not None for row in pupils)
        if fact == "no_pending_requests":
            return await repos.requests.count_pending(None) == 0
        if fact == "no_waiting_teachers":
            return not await repos.roles.unverified_teachers()
        if fact == "no_stale_invitations":
            before = self._now - self._stale_after
            return await repos.invitations.count_stale(self._now, before) == 0
        if fact == "admin_appointed":
            return await repos.roles.count_holders(Role.ADMIN.value) > 0
        if fact == "holds_teacher_role":
            return actor.holds(Role.TEACHER)
        if fact == "teacher_verified":
            return actor.has(Role.TEACHER)
        if fact == "subject_chat_bound":
            return bool(await repos.chats.bound_by(actor.person_id, "subject"))
        if fact == "in_class_chat":
            return await self._in_class_chats()
        raise KeyError(f"unknown duty fact {fact!r}")

    async def _in_class_chats(self) -> bool:
        """A student or parent is in the chat of each of their classes."""
        grants = [g for g in self._actor.grants if g.role in PERSONAL_CHAT and g.class_id]
        for grant in grants:
            chat = await self._repos.chats.holder_of(
                PERSONAL_CHAT[grant.role], grant.class_id, None
            )
            if chat is None or not await self._repos.chats.is_member(
                chat.peer_id, self._actor.person_id
            ):
                return False
        return bool(grants)
