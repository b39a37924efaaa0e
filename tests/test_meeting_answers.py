"""A meeting's answers for a class of many parents: paged with buttons, and read only by
its organiser, the class's teacher and the administration (VK; the stories run both
messengers, tests/stories/test_meetings.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.events import LIST_LIMIT
from bot.render.paging import PAGE_SIZE
from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import ask, class_teacher, drain, school_with_classes, seeded_person
from vk_sandbox import VKSandbox


async def test_the_answers_of_a_big_class_are_paged_and_kept_from_parents(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    school_class = await bot.db.reader.classes.by_name("5А")
    assert school_class is not None
    parents = [
        sandbox.add_user(first_name="Родитель", last_name=f"Номер{n:02}", user_id=700_000 + n)
        for n in range(12)
    ]
    async with bot.db.transaction() as tx:
        for parent in parents:
            parent.state.can_write = True
            person = await seeded_person(tx, parent)
            await tx.people.record_consent(person, f"Номер{parent.user_id} Родитель")
            await tx.roles.grant(person, "parent", school_class.id, child_name="Ребёнок")
    await ask(elena, "/event")
    await ask(elena, "Родительское собрание")
    audience = await ask(elena, "завтра 18:00")
    await elena.press(audience.button(BUTTONS["audience_parents"]))
    await elena.press((await elena.wait_reply()).button("5А"))
    await elena.press((await elena.wait_reply()).button(BUTTONS["no_link"]))
    await drain(elena)
    invitation = await parents[0].wait_reply()
    await parents[0].press(invitation.button(BUTTONS["rsvp_no"]))
    await parents[0].wait_event_answer()

    first = await ask(elena, "/events 1")
    head = first.text.split("\n")[0]
    assert head.startswith("Встреча №1 «Родительское собрание», ")
    assert head.endswith(": придут 0, не придут 1, не ответили 11.")
    assert "Не придут:\n• Номер700000 Родитель" in first.text
    assert first.text.endswith(t("page_footer", number=1, pages=2))
    assert [b.label for b in first.buttons] == [BUTTONS["page_next"]]
    await elena.press(first.button(BUTTONS["page_next"]))
    await elena.wait_event_answer()
    second = await elena.wait_reply()
    assert second.text.endswith("• Номер700011 Родитель\n" + t("page_footer", number=2, pages=2))
    assert [b.label for b in second.buttons] == [BUTTONS["page_back"]]

    # A parent reads the meeting, not who answered it, and may answer from there.
    again = await ask(parents[1], "/events 1")
    assert again.text.startswith("📅 Родительское собрание")
    assert "Не ответили" not in again.text
    await parents[1].press(again.button(BUTTONS["rsvp_yes"]))
    assert (await parents[1].wait_event_answer())["text"] == t("event_rsvp_coming")
    assert "придут 1, не придут 1, не ответили 10." in (await ask(elena, "/events 1")).text
    # The log says what was planned, and for which class: `/audit 5А` finds it.
    log = (await ask(admin, "/audit 5А")).text
    assert " — Смирнова Е. запланировала событие №1 «Родительское собрание», 5А" in log, log


async def test_a_parent_reads_and_answers_her_meeting_however_many_events_come_first(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    school_class = await bot.db.reader.classes.by_name("5А")
    assert school_class is not None
    parent = sandbox.add_user(first_name="Ольга", last_name="Белова", user_id=700_100)
    parent.state.can_write = True
    async with bot.db.transaction() as tx:
        person = await seeded_person(tx, parent)
        await tx.people.record_consent(person, "Белова Ольга")
        await tx.roles.grant(person, "parent", school_class.id, child_name="Белов Михаил")
    await ask(elena, "/event")
    await ask(elena, "Родительское собрание")
    audience = await ask(elena, "завтра 18:00")
    await elena.press(audience.button(BUTTONS["audience_parents"]))
    await elena.press((await elena.wait_reply()).button("5А"))
    await elena.press((await elena.wait_reply()).button(BUTTONS["no_link"]))
    await drain(elena)
    await drain(parent)
    # The school's week is busy: more events before hers than a list shows.
    soon = datetime.now(UTC) + timedelta(minutes=30)
    async with bot.db.transaction() as tx:
        for number in range(LIST_LIMIT):
            await tx.events.create(f"Линейка {number}", soon, "school", None, None, None, 1)

    again = await ask(parent, "/events 1")
    assert again.text.startswith("📅 Родительское собрание"), again.text
    await parent.press(again.button(BUTTONS["rsvp_yes"]))
    assert (await parent.wait_event_answer())["text"] == t("event_rsvp_coming")
    # The school's own events read too; a cancelled meeting is found no more.
    assert (await ask(parent, f"/events {LIST_LIMIT + 1}")).text.startswith("📅 Линейка")
    await ask(elena, "/event_cancel 1")
    await drain(parent)
    assert (await ask(parent, "/events 1")).text == t("event_not_found", id=1)


async def test_a_busy_term_of_events_is_listed_a_page_at_a_time(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    start = datetime.now(UTC) + timedelta(days=1)
    async with bot.db.transaction() as tx:
        for number in range(PAGE_SIZE + 2):
            when = start + timedelta(hours=number)
            await tx.events.create(f"Линейка {number}", when, "school", None, None, None, 1)

    first = await ask(admin, "/events")
    lines = first.text.splitlines()
    assert sum("Линейка" in line for line in lines) == PAGE_SIZE
    assert "Линейка 0" in first.text and f"Линейка {PAGE_SIZE}" not in first.text
    assert lines[-1] == t("page_footer", number=1, pages=2)
    await admin.press(first.button(BUTTONS["page_next"]))
    await admin.wait_event_answer()
    second = await admin.wait_reply()
    assert f"Линейка {PAGE_SIZE}" in second.text and f"Линейка {PAGE_SIZE + 1}" in second.text
    assert "Линейка 0" not in second.text
    assert second.text.splitlines()[-1] == t("page_footer", number=2, pages=2)
    assert [b.label for b in second.buttons] == [BUTTONS["page_back"]]
