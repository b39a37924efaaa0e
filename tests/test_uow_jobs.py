"""A scheduler job is one unit of work: a reminder is marked sent in the transaction that
queues it, so a run that fails before its messages are queued leaves the reminder due, and
the next run sends it (once)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.conversation.outgoing import OutgoingMessage
from scheduler.registry import LEASE
from tests.conftest import BotRunner
from tests.helpers import (
    class_teacher,
    consented_user,
    drain,
    next_starting,
    school_with_classes,
    submit_join_request,
    tick,
)
from vk_sandbox import VKSandbox


async def test_a_reminder_run_that_fails_before_queueing_leaves_the_reminder_due(
    sandbox: VKSandbox,
    clocked_bot: BotRunner,
    frozen_clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    await tick(clocked_bot)
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    await submit_join_request(parent, "5А")
    await elena.wait_reply()
    await drain(admin)
    assert clocked_bot.app is not None
    notifier = clocked_bot.app.services.notifier
    send = notifier.send
    failures = 0

    async def disk_full_once(messages: Sequence[OutgoingMessage], key: str) -> None:
        nonlocal failures
        if failures == 0 and key.startswith("request_reminders"):
            failures += 1
            raise OSError("disk full for a moment")
        await send(messages, key)

    monkeypatch.setattr(notifier, "send", disk_full_once)

    # Due now, but the run fails as it queues the reminders: nothing of it is kept.
    frozen_clock.advance(timedelta(hours=25))
    assert "request_reminders" not in await tick(clocked_bot)
    assert failures == 1
    await elena.expect_silence(within=0.5)

    # Once its lease has lapsed the job runs again, and the reminder comes, once.
    frozen_clock.advance(LEASE + timedelta(minutes=1))
    assert "request_reminders" in await tick(clocked_bot)
    reminder = await next_starting(elena, "Напоминание: заявка №1")
    assert reminder.buttons
    told = [m.text for m in await drain(elena, within=0.6)]
    assert not [text for text in told if text.startswith("Напоминание: заявка №1")], told
