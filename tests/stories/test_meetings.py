"""A parents' meeting on both messengers, on a frozen clock (Monday 30 November 2026, 08:00
in Moscow): the class teacher plans it, the parents get it signed with her name and class,
with «Приду» / «Не приду» buttons; each press is answered with a snackbar (a notification on
MAX) and the last answer counts; she sees the counts and who has not answered; the evening
before (19:00) and EVENT_REMINDER_BEFORE ahead each reminder arrives once."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    Sandbox,
    ask,
    class_teacher,
    drain,
    invitation_code,
    joined_by_code,
    school_with_classes,
    tick,
)

MEETING = (
    "📅 Родительское собрание\nКогда: 01.12.2026 18:00"
    "\nОт Смирновой Елены, классного руководителя 5А"
)


async def test_parents_answer_a_meeting_and_are_reminded_the_evening_before_and_ahead(
    sandbox: Sandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite parent 5А 5"))
    olga = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Михаил")
    ivan = await joined_by_code(sandbox, code, "Иван", "Белов", "Белов Михаил")
    anna = await joined_by_code(sandbox, code, "Анна", "Кузнецова", "Кузнецов Егор")
    parents = (olga, ivan, anna)
    for person in (elena, *parents):
        await drain(person)
    await tick(clocked_bot)  # the first tick only notes the time

    await ask(elena, "/event")
    await ask(elena, "Родительское собрание")
    audience = await ask(elena, "01.12 18:00")
    await elena.press(audience.button(BUTTONS["audience_parents"]))
    await elena.press((await elena.wait_reply()).button("5А"))
    await elena.press((await elena.wait_reply()).button(BUTTONS["no_link"]))
    assert (await elena.wait_reply()).text.startswith("Событие №1 запланировано")
    invitations = {parent: await parent.wait_reply() for parent in parents}
    for invitation in invitations.values():
        assert invitation.text == MEETING + t("event_meeting_hint")
        assert [b.label for b in invitation.buttons] == [BUTTONS["rsvp_yes"], BUTTONS["rsvp_no"]]

    await olga.press(invitations[olga].button(BUTTONS["rsvp_yes"]))
    assert (await olga.wait_event_answer())["text"] == t("event_rsvp_coming")
    # Иван changes his mind: the last answer counts, once.
    await ivan.press(invitations[ivan].button(BUTTONS["rsvp_yes"]))
    await ivan.wait_event_answer()
    await ivan.press(invitations[ivan].button(BUTTONS["rsvp_no"]))
    assert (await ivan.wait_event_answer())["text"] == t("event_rsvp_not_coming")
    listed = await ask(elena, "/events")
    assert listed.text == (
        "Предстоящие события:\n№1 01.12.2026 18:00 — Родительское собрание (родители 5А)"
        "\n   от Смирновой Елены, классного руководителя 5А"
        "\n   Придут: 1, не придут: 1, не ответили: 1."
    )
    await elena.press(listed.button(f"{BUTTONS['rsvp_who']}: №1"))
    await elena.wait_event_answer()
    assert (await elena.wait_reply()).text == (
        "Встреча №1 «Родительское собрание», 01.12.2026 18:00: придут 1, не придут 1,"
        " не ответили 1.\nПридут:\n• Белова Ольга\nНе придут:\n• Белов Иван"
        "\nНе ответили:\n• Кузнецова Анна"
    )
    # A parent sees the meeting in /events, without the answers, which are the organiser's.
    assert "Придут" not in (await ask(anna, "/events")).text

    frozen_clock.set(frozen_clock.now().replace(hour=15, minute=59))  # 18:59 in Moscow
    await tick(clocked_bot)
    assert await drain(anna) == []
    frozen_clock.advance(timedelta(minutes=1))  # 19:00, the evening before
    await tick(clocked_bot)
    evening = await anna.wait_reply()
    assert evening.text == (
        "🔔 Завтра: Родительское собрание\nКогда: 01.12.2026 18:00"
        "\nОт Смирновой Елены, классного руководителя 5А" + t("event_meeting_hint")
    )
    assert [b.label for b in evening.buttons] == [BUTTONS["rsvp_yes"], BUTTONS["rsvp_no"]]
    frozen_clock.advance(timedelta(minutes=5))
    await tick(clocked_bot)  # nothing twice
    frozen_clock.set(frozen_clock.now().replace(day=1, month=12, hour=14, minute=46))  # 17:46
    await tick(clocked_bot)
    ahead = await anna.wait_reply()
    assert ahead.text.startswith("⏰ Через 14 минут начнётся: Родительское собрание")
    frozen_clock.advance(timedelta(minutes=5))
    await tick(clocked_bot)
    for parent in parents:
        texts = [m.text for m in parent.messages]
        assert sum(text.startswith("🔔") for text in texts) == 1, texts
        assert sum(text.startswith("⏰") for text in texts) == 1, texts
    # Once the meeting has begun, a late press is answered, not counted.
    frozen_clock.advance(timedelta(minutes=20))
    await anna.press(evening.button(BUTTONS["rsvp_yes"]))
    assert (await anna.wait_event_answer())["text"] == t("event_rsvp_closed")
