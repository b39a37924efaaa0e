"""The scheduler, with the clock under the test's control: digests, reminders, events, reports."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from bot.clock import FrozenClock
from bot.config import Settings
from bot.texts import BUTTONS, t
from tests.conftest import DIRECTOR_ID, BotRunner
from tests.helpers import (
    admin_user,
    ask,
    class_teacher,
    consented_user,
    drain,
    next_starting,
    school_with_classes,
    submit_join_request,
    tick,
)
from vk_sandbox import UserDriver, VKSandbox

# The frozen clock starts on Monday 30 November 2026 at 08:00 in Moscow.


async def plan_event(admin: UserDriver, title: str, when: str, audience: str) -> None:
    """The /event dialog without a link: title, time, audience."""
    await ask(admin, "/event")
    await ask(admin, title)
    question = await ask(admin, when)
    await admin.press(question.button(BUTTONS[audience]))
    link_question = await admin.wait_reply()
    await admin.press(link_question.button(BUTTONS["no_link"]))


async def _parent_request(sandbox: VKSandbox, class_name: str) -> None:
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    await submit_join_request(parent, class_name)


async def test_the_morning_digest_lists_what_waits_with_buttons(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    assert await tick(clocked_bot) == []  # the first tick only notes the time
    frozen_clock.advance(timedelta(minutes=1))
    await _parent_request(sandbox, "5А")
    await admin.wait_reply()  # the request itself
    await ask(admin, "/invite teacher")

    frozen_clock.advance(timedelta(days=1))  # Tuesday 08:00
    assert "digest" in await tick(clocked_bot)
    digest = await admin.wait_reply()
    assert digest.text.startswith("Сводка на 01.12.2026:")
    assert "• Ждут решения: 1 заявка; самая старая — 1 день" in digest.text
    assert "5А — 1" in digest.text
    assert "Без классного руководителя: 5А" in digest.text
    assert "Нет обязательных чатов: 5А (ученики, родители, учителя)" in digest.text
    assert "Новых участников со времени прошлой сводки: 1" in digest.text
    assert BUTTONS["approve"] in [b.label for b in digest.buttons]

    await admin.press(digest.button(BUTTONS["approve"]))
    await admin.wait_event_answer()
    await next_starting(admin, "Заявка №1 принята")


async def test_an_empty_digest_is_one_line_or_nothing(
    sandbox: VKSandbox, settings_for: Callable[..., Settings], frozen_clock: FrozenClock
) -> None:
    for when_empty in (True, False):
        runner = BotRunner(
            settings_for(digest_when_empty=when_empty),
            clock=frozen_clock,
            extra={"run_scheduler": False},
        )
        await runner.start()
        try:
            admin = await admin_user(sandbox) if when_empty else sandbox.user(1001)
            await tick(runner)
            frozen_clock.advance(timedelta(days=1))
            assert "digest" in await tick(runner)
            if when_empty:
                assert (await admin.wait_reply()).text == t("digest_empty", date="01.12.2026")
            else:
                await admin.expect_silence(within=0.7)
        finally:
            await runner.stop()


async def test_a_digest_due_while_the_bot_was_down_runs_once_on_start(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await admin_user(sandbox)
    await tick(clocked_bot)
    await clocked_bot.stop()
    frozen_clock.advance(timedelta(days=3))  # Tuesday, Wednesday and Thursday passed
    await clocked_bot.start()
    assert (await tick(clocked_bot)).count("digest") == 1
    assert "digest" not in await tick(clocked_bot)
    # The weekly report, due since Monday 09:00, comes too, sooner or later: one digest among
    # what arrives, however the two are ordered.
    received = [await admin.wait_reply(), *await drain(admin, within=0.7)]
    digests = [m for m in received if m.text == t("digest_empty", date="03.12.2026")]
    assert len(digests) == 1


async def test_two_processes_on_one_database_send_one_digest(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await admin_user(sandbox)
    await tick(clocked_bot)
    second = BotRunner(clocked_bot.settings, clock=frozen_clock, extra={"run_scheduler": False})
    await second.start()
    try:
        frozen_clock.advance(timedelta(days=1))
        first_runs, second_runs = await asyncio.gather(tick(clocked_bot), tick(second))
        assert (first_runs + second_runs).count("digest") == 1
        # Other jobs due write too (the weekly report, due since Monday): one digest among them.
        received = [await admin.wait_reply(), *await drain(admin, within=0.7)]
        digests = [m for m in received if m.text == t("digest_empty", date="01.12.2026")]
        assert len(digests) == 1
    finally:
        await second.stop()


async def test_a_waiting_request_reminds_its_decider_then_goes_to_the_admins(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    await tick(clocked_bot)
    await _parent_request(sandbox, "5А")
    await elena.wait_reply()

    frozen_clock.advance(timedelta(hours=23))
    assert "request_reminders" in await tick(clocked_bot)
    await elena.expect_silence(within=0.5)
    frozen_clock.advance(timedelta(hours=2))
    await tick(clocked_bot)
    reminder = await elena.wait_reply()
    assert reminder.text.startswith("Напоминание: заявка №1")
    assert reminder.buttons
    frozen_clock.advance(timedelta(minutes=5))
    await tick(clocked_bot)
    await elena.expect_silence(within=0.5)  # once per period

    frozen_clock.advance(timedelta(hours=24))
    await tick(clocked_bot)
    escalation = await next_starting(admin, "Заявка №1")
    assert "Она у классного руководителя Смирновой Елены" in escalation.text


async def test_an_event_is_announced_then_reminded_before_it_starts(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await admin_user(sandbox)
    teacher = await consented_user(sandbox, "Елена", "Смирнова")
    await drain(teacher)
    await tick(clocked_bot)
    await ask(admin, "/event")
    await ask(admin, "Педсовет")
    audience = await ask(admin, "завтра 15:30")
    await admin.press(audience.button(BUTTONS["audience_staff"]))
    link_question = await admin.wait_reply()
    assert link_question.text == t("event_ask_link")
    await admin.send("https://vk.com/call/join/abc")
    announced, created = await admin.wait_replies(2)
    assert announced.text.startswith("📅 Педсовет\nКогда: 01.12.2026 15:30")
    assert created.text.startswith("Событие №1 запланировано на 01.12.2026 15:30. Сообщено: 1.")
    assert "Педсовет" in (await ask(admin, "/events")).text

    frozen_clock.set(frozen_clock.now().replace(day=1, month=12, hour=12, minute=10))  # 15:10 MSK
    await tick(clocked_bot)
    assert not any(message.text.startswith("⏰") for message in await drain(admin))
    frozen_clock.advance(timedelta(minutes=6))  # 15:16, 14 minutes before the start
    await tick(clocked_bot)
    reminder = await next_starting(admin, "⏰")
    assert reminder.text.startswith("⏰ Через 14 минут начнётся: Педсовет")


async def test_a_cancelled_event_is_told_and_not_reminded(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await admin_user(sandbox)
    await tick(clocked_bot)
    await plan_event(admin, "Трансляция линейки", "01.12 10:00", "audience_school")
    await drain(admin)
    assert (await ask(admin, "/event_cancel 1")).text.startswith("❌ Отменено")
    frozen_clock.advance(timedelta(hours=25, minutes=50))
    await tick(clocked_bot)
    await drain(admin)
    assert not any(m.text.startswith("⏰") for m in admin.messages)


async def test_an_event_that_has_begun_is_not_cancelled_to_its_people(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await admin_user(sandbox)
    await tick(clocked_bot)
    await plan_event(admin, "Трансляция линейки", "01.12 10:00", "audience_school")
    await drain(admin)
    frozen_clock.set(frozen_clock.now().replace(day=1, month=12, hour=8))  # 11:00 MSK
    await tick(clocked_bot)
    await drain(admin)
    refused = await ask(admin, "/event_cancel 1")
    assert refused.text == t("event_cancel_started", id=1)
    assert not any(m.text.startswith("❌") for m in await drain(admin))
    assert (await ask(admin, "/event_cancel 1")).text == t("event_cancel_started", id=1)


async def test_the_weekly_report_brings_figures_and_a_chart(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await school_with_classes(sandbox, "5А", "5Б")
    director = await consented_user(sandbox, "Людмила", "Дровосекова", user_id=DIRECTOR_ID)
    await drain(director)
    await tick(clocked_bot)
    stats = (await ask(director, "/stats")).text
    assert stats.startswith("Статистика использования «Сферума» на 30.11.2026")
    assert (
        "5А: учеников 0 (список не загружен), семей с родителями в боте: 0, чаты: 0 из 3" in stats
    )

    frozen_clock.advance(timedelta(days=7, hours=1))  # next Monday 09:00
    assert "weekly_report" in await tick(clocked_bot)
    for person in (director, admin):
        report = await next_starting(person, t("report_header"))
        assert report.has_photo


async def test_digest_now_goes_to_the_asker(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    await ask(admin, "/invite parent 5А")
    frozen_clock.advance(timedelta(days=8))
    first, stale = await ask(admin, "/digest"), await admin.wait_reply()
    assert first.text.startswith("Сводка на 08.12.2026:")
    assert "Истекли со времени прошлой сводки" not in first.text
    assert stale.text == t("digest_stale", count=1)
    await admin.press(stale.button(BUTTONS["annul_stale"]))
    assert (await admin.wait_reply()).text == t("annul_stale_done", count=1)


async def test_event_reminders_survive_a_restart(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await admin_user(sandbox)
    await tick(clocked_bot)
    await plan_event(admin, "Онлайн-собрание", "30.11 18:00", "audience_staff")
    await admin.wait_replies(2)
    await clocked_bot.restart()
    frozen_clock.advance(timedelta(hours=9, minutes=50))  # 17:50 MSK
    await tick(clocked_bot)
    reminder = await next_starting(admin, "⏰")
    assert "Онлайн-собрание" in reminder.text
