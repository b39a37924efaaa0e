"""Reminders that come late or early: request reminders before escalation, event reminders
that say the real time left."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from tests.conftest import BotRunner
from tests.helpers import (
    class_teacher,
    consented_user,
    drain,
    school_with_classes,
    submit_join_request,
)
from tests.test_scheduler import next_starting, tick
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
    assert "Она у классного руководителя Смирнова Елена" in escalation.text


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
