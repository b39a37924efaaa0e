"""Reminders that come late or early: request reminders before escalation, event reminders
that say the real time left."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from tests.conftest import BotRunner
from tests.helpers import (
    admin_user,
    class_teacher,
    consented_user,
    drain,
    next_starting,
    school_with_classes,
    submit_join_request,
    tick,
)
from tests.test_scheduler import plan_event
from vk_sandbox import VKSandbox


async def test_a_request_found_overdue_late_reminds_its_decider_and_goes_to_the_admins(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    await tick(clocked_bot)
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    await submit_join_request(parent, "5А")
    await elena.wait_reply()
    await drain(admin)

    # The bot was down for two days: the reminder and the escalation are both due now.
    frozen_clock.advance(timedelta(hours=49))
    assert "request_reminders" in await tick(clocked_bot)

    reminder = await next_starting(elena, "Напоминание: заявка №1")
    assert reminder.buttons
    escalation = await next_starting(admin, "Заявка №1")
    assert "Она у классного руководителя Смирновой Елены" in escalation.text


async def test_without_a_class_teacher_the_admins_get_the_escalation_once(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    await tick(clocked_bot)
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    await submit_join_request(parent, "5А")
    await drain(admin)

    frozen_clock.advance(timedelta(hours=49))
    await tick(clocked_bot)

    told = [m.text for m in await drain(admin, within=0.6)]
    about_request = [text for text in told if "заявка №1" in text.lower()]
    assert len(about_request) == 1, told
    assert about_request[0].startswith("Заявка №1")


async def test_an_event_planned_minutes_ahead_is_announced_and_not_reminded_at_once(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await admin_user(sandbox)
    await tick(clocked_bot)  # 08:00 in Moscow
    await plan_event(admin, "Линейка", "30.11 08:10", "audience_staff")
    announced, created = await admin.wait_replies(2)
    assert announced.text.startswith("📅 Линейка\nКогда: 30.11.2026 08:10")
    assert created.text.startswith("Событие №1 запланировано на 30.11.2026 08:10. Сообщено: 1.")
    assert "Напомню" not in created.text

    frozen_clock.advance(timedelta(minutes=1))
    await tick(clocked_bot)
    frozen_clock.advance(timedelta(minutes=5))
    await tick(clocked_bot)
    assert not any(m.text.startswith("⏰") for m in await drain(admin, within=0.6))


async def test_a_late_event_reminder_says_the_real_time_left(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await admin_user(sandbox)
    await tick(clocked_bot)
    await plan_event(admin, "Онлайн-собрание", "30.11 18:00", "audience_staff")
    _, created = await admin.wait_replies(2)
    assert "Напомню за 15 минут." in created.text

    # The bot was down until 17:52 in Moscow: eight minutes are left, not fifteen.
    frozen_clock.advance(timedelta(hours=9, minutes=52))
    await tick(clocked_bot)
    reminder = await next_starting(admin, "⏰")
    assert reminder.text.startswith("⏰ Через 8 минут начнётся: Онлайн-собрание")


async def test_an_event_reminder_one_minute_ahead_is_grammatical(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await admin_user(sandbox)
    await tick(clocked_bot)
    await plan_event(admin, "Совещание", "30.11 18:00", "audience_staff")
    await admin.wait_replies(2)

    frozen_clock.advance(timedelta(hours=9, minutes=59))
    await tick(clocked_bot)
    reminder = await next_starting(admin, "⏰")
    assert reminder.text.startswith("⏰ Через 1 минуту начнётся: Совещание")
