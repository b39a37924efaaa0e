"""Subject teachers' reach, events for everyone, meetings' answers and the evening-before
reminder: the rules, below the stories (tests/stories/test_subject_teachers.py,
tests/stories/test_meetings.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import FrozenClock
from bot.domain.announcements import AnnouncementService, may_announce
from bot.domain.announcements import Audience as Say
from bot.domain.chats import Binding, BindOutcome, ChatMember, ChatService
from bot.domain.events import (
    AnswerOutcome,
    Audience,
    EventService,
    Kind,
    PlannedEvent,
    audiences_for,
    event_kind,
    may_plan,
    plannable_class_ids,
)
from bot.domain.roles import Actor, Role, RoleGrant
from bot.domain.teaching import TeachingService, TeachOutcome, speaking_as
from bot.storage import Database

MOSCOW = ZoneInfo("Europe/Moscow")
A5, B5, C5 = 101, 102, 103
BEFORE = timedelta(minutes=15)


def actor(*grants: tuple[Role, int | None], person_id: int = 10) -> Actor:
    return Actor(
        person_id,
        "Орлов Пётр",
        datetime(2026, 1, 1, tzinfo=UTC),
        grants=tuple(RoleGrant(role, class_id, None, True) for role, class_id in grants),
    )


TEACHER = actor((Role.TEACHER, None))
CLASS_TEACHER = actor((Role.CLASS_TEACHER, A5))
ADMIN = actor((Role.ADMIN, None))
UNVERIFIED = Actor(10, "Орлов Пётр", grants=(RoleGrant(Role.TEACHER, None, None, False),))


def test_a_subject_teacher_plans_and_announces_only_for_the_classes_he_teaches() -> None:
    taught = [A5, B5]
    assert may_plan(TEACHER, Audience.CLASS, A5, taught)
    assert not may_plan(TEACHER, Audience.CLASS, C5, taught)
    assert not may_plan(TEACHER, Audience.SCHOOL, None, taught)
    assert not may_plan(TEACHER, Audience.STUDENTS, A5)  # teaches nothing
    assert audiences_for(TEACHER, taught) == [Audience.STUDENTS, Audience.PARENTS, Audience.CLASS]
    assert audiences_for(TEACHER) == []
    assert plannable_class_ids(TEACHER, [A5, B5, C5], taught) == [A5, B5]
    assert may_announce(TEACHER, Say.PARENTS, [A5, B5], taught)
    assert not may_announce(TEACHER, Say.PARENTS, [A5, C5], taught)  # one class not his
    assert not may_announce(TEACHER, Say.PARENTS, [], taught)  # all parents: not his
    assert not may_announce(TEACHER, Say.STAFF, [], taught)
    assert may_announce(CLASS_TEACHER, Say.CLASS, [A5])
    assert may_announce(ADMIN, Say.ALL, [])


def test_the_role_a_message_is_signed_with() -> None:
    assert speaking_as(CLASS_TEACHER, [A5], []) is Role.CLASS_TEACHER
    # A class teacher who also teaches 5Б speaks to 5Б as its teacher.
    assert speaking_as(CLASS_TEACHER, [B5], [B5]) is Role.TEACHER
    assert speaking_as(TEACHER, [A5, B5], [A5, B5]) is Role.TEACHER
    assert speaking_as(ADMIN, [A5], []) is Role.ADMIN
    assert speaking_as(ADMIN, [], []) is Role.ADMIN


def test_meetings_are_for_parents_and_a_subject_teachers_events_are_lessons() -> None:
    assert event_kind(CLASS_TEACHER, Audience.PARENTS, A5) is Kind.MEETING
    assert event_kind(CLASS_TEACHER, Audience.CLASS, A5) is Kind.MEETING
    assert event_kind(CLASS_TEACHER, Audience.STUDENTS, A5) is Kind.BROADCAST
    assert event_kind(TEACHER, Audience.CLASS, A5, [A5]) is Kind.LESSON
    assert event_kind(TEACHER, Audience.STUDENTS, A5, [A5]) is Kind.LESSON
    assert event_kind(TEACHER, Audience.PARENTS, A5, [A5]) is Kind.MEETING
    assert event_kind(ADMIN, Audience.SCHOOL, None) is Kind.BROADCAST


def _moscow(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=MOSCOW)


def test_the_evening_reminder_is_at_19_the_day_before_unless_too_late_or_too_close(
    tmp_path: Path,
) -> None:
    clock = FrozenClock(_moscow(30, 8, month=11))
    events = EventService(Database(tmp_path / "unused.sqlite3"), clock)
    due = events.evening_reminder_at(_moscow(1, 18), BEFORE, MOSCOW)
    assert due == _moscow(30, 19, month=11)
    # Just after midnight: the evening before is still hours ahead of it.
    assert events.evening_reminder_at(_moscow(1, 0, 5), BEFORE, MOSCOW) == due
    # Planned after that evening: none.
    clock.set(_moscow(30, 19, 1, month=11))
    assert events.evening_reminder_at(_moscow(1, 18), BEFORE, MOSCOW) is None
    # Starting less than EVENT_REMINDER_BEFORE after that evening: the reminder ahead says it.
    clock.set(_moscow(30, 8, month=11))
    assert events.evening_reminder_at(_moscow(1, 0, 5), timedelta(hours=6), MOSCOW) is None


async def test_answers_teaching_and_who_sees_which_events(tmp_path: Path) -> None:
    clock = FrozenClock(_moscow(30, 8, month=11))
    async with Database(tmp_path / "s.sqlite3", clock) as db:
        async with db.transaction() as tx:
            for name in ("5А", "5Б"):
                await tx.classes.add(name, 5, name[-1])
        classes = {row.name: row for row in await db.classes()}
        a5, b5 = classes["5А"].id, classes["5Б"].id
        async with db.transaction() as tx:
            for person, full_name in ((10, "Орлов Пётр"), (20, "Белова Ольга"), (21, "Белов Иван")):
                await tx.people.ensure(person)
                await tx.people.record_consent(person, full_name)
            await tx.roles.grant(20, "parent", a5)
            await tx.roles.grant(21, "parent", b5)
        teaching = TeachingService(db)
        # Only a teacher can be given classes; the admin's later word replaces the subject.
        refused = await teaching.assign(ADMIN, 20, [classes["5А"]], None)
        assert refused.outcome is TeachOutcome.NOT_TEACHER
        async with db.transaction() as tx:
            await tx.roles.grant(10, "teacher", None, verified=True)
        done = await teaching.assign(ADMIN, 10, [classes["5А"]], "алгебра")
        assert done.outcome is TeachOutcome.DONE
        await teaching.assign(ADMIN, 10, [classes["5А"], classes["5Б"]], "математика")
        rows = await teaching.of_teacher(10)
        assert [(row.class_name, row.subject) for row in rows] == [
            ("5А", "математика"),
            ("5Б", "математика"),
        ]
        assert await teaching.taught_ids(TEACHER) == [a5, b5]
        assert await teaching.taught_ids(UNVERIFIED) == []  # not until verified
        assert (await teaching.remove(ADMIN, 10, [classes["5Б"]])).classes == ("5Б",)
        assert [row.class_name for row in await teaching.of_teacher(10)] == ["5А"]
        nothing = await teaching.remove(ADMIN, 10, [classes["5Б"]])
        assert nothing.outcome is TeachOutcome.NOTHING

        events = EventService(db, clock)
        leader = actor((Role.CLASS_TEACHER, a5), person_id=11)
        meeting = await events.create(
            leader,
            PlannedEvent("Собрание", _moscow(1, 18), Audience.PARENTS, a5, None, None),
            BEFORE,
            MOSCOW,
        )
        assert meeting.kind == "meeting" and meeting.sender_role == "class_teacher"
        assert meeting.evening_at == _moscow(30, 19, month=11)
        olga = actor((Role.PARENT, a5), person_id=20)
        ivan = actor((Role.PARENT, b5), person_id=21)
        assert await events.answer(olga, meeting.id, coming=False) is AnswerOutcome.DONE
        assert await events.answer(olga, meeting.id, coming=True) is AnswerOutcome.DONE
        assert await events.answer(ivan, meeting.id, coming=True) is AnswerOutcome.NOT_INVITED
        answers = await events.answers(meeting)
        assert (answers.coming, answers.not_coming, answers.silent) == ([20], [], [])
        # Who sees it: 5А's parent and the staff, not 5Б's parent.
        assert [e.id for e in await events.visible_to(olga)] == [meeting.id]
        assert await events.visible_to(ivan) == []
        assert [e.id for e in await events.visible_to(TEACHER)] == [meeting.id]
        # Read by its number (`/events N`), the same people see it.
        assert events.may_read(olga, meeting) and events.may_read(TEACHER, meeting)
        assert not events.may_read(ivan, meeting)
        # A class-wide announcement reaches the class's students and parents.
        reach = await AnnouncementService(db).reach(Say.CLASS, [a5], sender_id=10)
        assert reach.recipients == [20]
        # The evening reminder is due at 19:00 and, once marked, not again.
        clock.set(_moscow(30, 19, month=11))
        assert [e.id for e in await events.due_evening_reminders()] == [meeting.id]
        assert await events.mark_evening_reminded(meeting.id)
        assert await events.due_evening_reminders() == []
        clock.advance(timedelta(days=2))
        assert await events.answer(olga, meeting.id, coming=False) is AnswerOutcome.CLOSED
        assert not events.may_read(olga, meeting)  # it has taken place


class _Platform:
    """A chat whose owner is the teacher, and the bot its admin."""

    async def invite_link(self, peer_id: int, reset: bool) -> str | None:
        return "https://vk.me/join/abc"

    async def members(self, peer_id: int) -> list[ChatMember] | None:
        return [ChatMember(10, True)]

    async def remove(self, peer_id: int, person_id: int) -> bool:
        return True

    async def add(self, peer_id: int, person_id: int) -> bool:
        return False


async def test_binding_a_subject_chat_gives_its_class_and_unbinding_takes_it_back(
    tmp_path: Path,
) -> None:
    async with Database(tmp_path / "s.sqlite3") as db:
        async with db.transaction() as tx:
            for name in ("5А", "5Б"):
                await tx.classes.add(name, 5, name[-1])
            await tx.people.ensure(10)
            await tx.people.record_consent(10, "Орлов Пётр")
            await tx.roles.grant(10, "teacher", None, verified=True)
        classes = {row.name: row for row in await db.classes()}
        chats = ChatService(db, {"vk": _Platform()})
        teaching = TeachingService(db)
        # The admin said he teaches 5Б; he binds subject chats for 5А and 5Б himself.
        await teaching.assign(ADMIN, 10, [classes["5Б"]], "физика")
        for peer, name in ((2_000_000_001, "5А"), (2_000_000_002, "5Б")):
            binding = Binding("subject", "физика", classes[name])
            bound = await chats.bind(TEACHER, peer, binding, f"физика {name}", "vk")
            assert bound.outcome is BindOutcome.BOUND
        rows = await teaching.of_teacher(10)
        assert [(row.class_name, row.source) for row in rows] == [("5А", "chat"), ("5Б", "admin")]
        # Unbinding takes back only what the chat implied.
        for peer in (2_000_000_001, 2_000_000_002):
            assert (await chats.unbind(TEACHER, peer)).outcome is BindOutcome.BOUND
        assert [row.class_name for row in await teaching.of_teacher(10)] == ["5Б"]


def test_teaches_reads_the_person_the_classes_and_the_subject() -> None:
    from bot.handlers.teaching import split_teaching_args

    assert split_teaching_args("Орлов Пётр 5А 5Б математика") == (
        "Орлов Пётр",
        ["5А", "5Б"],
        "математика",
    )
    assert split_teaching_args("id1003 5А") == ("id1003", ["5А"], "")
    assert split_teaching_args("1003 5А 5Б русский язык") == ("1003", ["5А", "5Б"], "русский язык")
    assert split_teaching_args("Орлов") == ("Орлов", [], "")
