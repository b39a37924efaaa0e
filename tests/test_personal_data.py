"""Personal data (152-FZ): logs above debug hold no names or texts; people who left or
withdrew consent leave no name, phone or free text in any table."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from datetime import timedelta

from bot.clock import FrozenClock
from bot.texts import BUTTONS
from tests.conftest import BotRunner
from tests.helpers import ask, class_teacher, invitation_code, joined_by_code, school_with_classes
from vk_sandbox import VKSandbox


def _dump(runner: BotRunner) -> str:
    with sqlite3.connect(runner.settings.database_path) as conn:
        return "\n".join(conn.iterdump())


async def _settled(runner: BotRunner) -> None:
    """Waits until the outbox has delivered everything (delivered texts are forgotten)."""
    for _ in range(100):
        if not await runner.db.reader.outbox.pending(after_id=0, limit=1):
            return
        await asyncio.sleep(0.05)


async def test_logs_above_debug_hold_no_names_or_message_texts(
    sandbox: VKSandbox, clocked_bot: BotRunner, info_log: io.StringIO
) -> None:
    sandbox.faults.api_error(6, times=2)  # retries are logged too
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite parent 5А"))
    await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Михаил")
    await ask(admin, "/announce parents 5А Собрание в четверг в актовом зале")
    await ask(admin, "непонятный текст с тайной")
    log = info_log.getvalue()
    assert "attempt" in log  # something was logged at all
    for secret in ("Петрова", "Смирнова", "Белова", "Белов Михаил", "Собрание в четверг",
                   "тайной", code):  # fmt: skip
        assert secret not in log, secret


async def test_a_departure_and_a_withdrawal_leave_no_personal_data(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    assert clocked_bot.app is not None
    await clocked_bot.app.scheduler.tick()  # the scheduler starts counting
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite parent 5А"))
    olga = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Михаил")
    await ask(olga, "/registration")  # a dialog with free text in progress
    await olga.send("/cancel")
    await olga.wait_reply()

    # Elena withdraws her consent.
    confirm = await ask(elena, "/forget_me")
    await elena.press(confirm.button(BUTTONS["forget_confirm"]))
    await elena.wait_reply()
    # Olga leaves the school, and her data goes after the retention period.
    await ask(admin, f"/leave id{olga.user_id}")
    frozen_clock.advance(timedelta(days=31))
    assert "purge_departed" in [run.name for run in await clocked_bot.app.scheduler.tick()]
    await _settled(clocked_bot)

    dump = _dump(clocked_bot)
    for personal in ("Смирнова", "Елена", "Белова", "Ольга", "Белов Михаил"):
        assert personal not in dump, personal
    actions = [row.action for row in await clocked_bot.db.reader.audit.latest(50)]
    assert "consent_withdrawn" in actions and "departed_data_deleted" in actions
