"""The sender outlives a locked database and a VK outage longer than every retry, serves
people in turn, and tells the author of a broadcast what could not be delivered and why."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.app import _supervised
from bot.config import Settings
from bot.conversation.outgoing import OutgoingMessage, Person
from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    admin_user,
    ask,
    consented_user,
    drain,
    person_of,
    school_with_classes,
    seeded_person,
)
from vk_sandbox import UserDriver, VKSandbox

BROADCAST = "Родительское собрание в четверг в 18:00, актовый зал."
# What the parents get: the announcement signed with its sender and class.
SIGNED = "Объявление от Петровой Ирины, администратора, для 5А\n\n"
# Every call is tried three times, and the sender pauses at most 0.3 s between rounds: an
# outage of a few seconds outlasts every retry many times over.
SHORT_RETRIES = {"api_backoff": (0.05, 0.1), "send_retry_pause_cap": 0.3}
ATTEMPTS_PER_CALL = len(SHORT_RETRIES["api_backoff"]) + 1  # type: ignore[arg-type]
SENDING = ["messages.send", "execute"]


@pytest.fixture
async def short_retry_bot(settings_for: Callable[..., Settings]) -> AsyncIterator[BotRunner]:
    runner = BotRunner(settings_for(), extra=dict(SHORT_RETRIES))
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


async def _parents(
    sandbox: VKSandbox, bot: BotRunner, class_name: str, count: int, can_write: bool = True
) -> list[UserDriver]:
    """Parents of a class registered straight in the register, as an import would."""
    school_class = await bot.db.reader.classes.by_name(class_name)
    assert school_class is not None
    parents = [
        sandbox.add_user(first_name="Родитель", last_name=f"Номер{n}", user_id=700_000 + n)
        for n in range(count)
    ]
    async with bot.db.transaction() as tx:
        for parent in parents:
            parent.state.can_write = can_write  # they wrote to the community once
            person = await seeded_person(tx, parent)
            await tx.people.record_consent(person, f"Номер{parent.user_id} Родитель")
            await tx.roles.grant(person, "parent", school_class.id, child_name="Ребёнок")
    return parents


async def _until(condition: Callable[[], Awaitable[bool]]) -> None:
    """Waits for a state of the world, not for a moment in time."""
    for _ in range(1500):
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the awaited state never came")


def _outage(sandbox: VKSandbox) -> Callable[[], int]:
    """VK answers HTTP 500 to every send until the faults are cleared; returns how many
    requests the outage has refused so far."""
    fault = sandbox.faults.outage(methods=SENDING)
    return lambda: fault.fired


async def _pending(bot: BotRunner) -> int:
    return (await bot.db.reader.outbox.count_by_state()).get("pending", 0)


async def test_a_database_locked_by_another_process_does_not_silence_the_bot(
    sandbox: VKSandbox, bot: BotRunner, info_log: io.StringIO
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    # VK is slow to answer the next send; meanwhile another process (a backup) takes the
    # write lock and keeps it until the sender has failed to record what it sent.
    sandbox.faults.slow(3.0, times=1, methods=SENDING)
    await anna.send("/cancel")

    async def queued() -> bool:
        return await _pending(bot) > 0

    await _until(queued)
    holder = sqlite3.connect(Path(bot.settings.database_path), timeout=10, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        assert (await anna.wait_reply(timeout=10)).text == t("cancel_nothing")

        async def sender_failed() -> bool:
            return "database is locked" in info_log.getvalue()

        await _until(sender_failed)
    finally:
        holder.rollback()
        holder.close()

    assert (await ask(anna, "/cancel")).text == t("cancel_nothing")
    await anna.expect_silence(within=1.0)
    # What was sent but not recorded went again under its random_id: VK dropped the copy.
    assert [m.text for m in anna.messages].count(t("cancel_nothing")) == 2
    assert "died" not in info_log.getvalue()


async def test_an_outage_longer_than_every_retry_loses_no_reply_and_no_broadcast(
    sandbox: VKSandbox, short_retry_bot: BotRunner
) -> None:
    bot = short_retry_bot
    admin = await school_with_classes(sandbox, "5А")
    parents = await _parents(sandbox, bot, "5А", 30)
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    preview = await ask(admin, f"/announce parents 5А {BROADCAST}")

    refused = _outage(sandbox)
    await admin.press(preview.button(BUTTONS["send"]))
    await anna.send("/cancel")

    async def outlasted_every_retry() -> bool:
        # The reply, the admin's confirmation and the broadcast are all still waiting, long
        # after every call's own retries (and the sender's old limit of 8 rounds) ran out.
        return refused() >= 20 * ATTEMPTS_PER_CALL and await _pending(bot) == 3

    await _until(outlasted_every_retry)
    sandbox.faults.clear()

    assert (await anna.wait_reply(timeout=30)).text == t("cancel_nothing")
    queued, report = await admin.wait_replies(2, timeout=30)
    assert queued.text == t("announce_queued")
    assert report.text == t("announce_report", sent=30, blocked=0, failed=0)
    copies = Counter(m.peer_id for m in sandbox.sent if m.text == SIGNED + BROADCAST)
    assert all(copies[parent.user_id] == 1 for parent in parents)
    await anna.expect_silence(within=0.5)


async def test_a_permanent_error_ends_a_broadcast_and_its_author_learns_why(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    school = sandbox.create_chat(title="Гимназия 44", owner=admin, bot_admin=True)
    await admin.send("/bind channel school", chat=school)
    await school.wait_message()
    school.state.bot_member = False  # the chat lost the bot, and VK said nothing of it
    preview = await ask(admin, "/post school Новости гимназии: открыт набор в кружки.")
    await admin.press(preview.button(BUTTONS["send"]))
    queued, report = await admin.wait_replies(2)
    assert queued.text == t("announce_queued")
    assert report.text == (
        t("announce_report", sent=0, blocked=0, failed=1)
        + "\n"
        + t(
            "announce_report_failures",
            reasons=t("delivery_failure", reason=t("delivery_error_917"), count=1),
        )
    )


async def test_one_persons_thousands_of_messages_do_not_hold_back_anothers_reply(
    sandbox: VKSandbox, short_retry_bot: BotRunner
) -> None:
    bot = short_retry_bot
    busy = await consented_user(sandbox, "Борис", "Занятов")
    await drain(busy)
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    # While VK is down, a pile of messages to one person builds up, then someone else writes.
    _outage(sandbox)
    assert bot.app is not None
    busy_id = await person_of(bot.db, busy)
    await bot.app.services.notifier.send(
        [OutgoingMessage(Person(busy_id), f"Напоминание {n}") for n in range(300)], "pile"
    )
    await anna.send("/cancel")

    async def all_queued() -> bool:
        return await _pending(bot) == 301

    await _until(all_queued)
    first = len(sandbox.sent)
    sandbox.faults.clear()

    assert (await anna.wait_reply(timeout=30)).text == t("cancel_nothing")
    await busy.wait_replies(300, timeout=60)
    order = [m.peer_id for m in sandbox.sent[first:]]
    # Served in turn: Anna's reply went with the first call read after hers was queued (one
    # of Boris's, read before, may have been on its way), not after his three hundred.
    assert order.index(anna.user_id) < 2 * 25


async def test_a_person_who_could_not_receive_is_reachable_again_after_writing(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    writer, allower = await _parents(sandbox, bot, "5А", 2, can_write=False)
    preview = await ask(admin, f"/announce parents 5А {BROADCAST}")
    await admin.press(preview.button(BUTTONS["send"]))
    _queued, report = await admin.wait_replies(2)
    assert report.text == t("announce_report", sent=0, blocked=2, failed=0)  # error 901

    # Writing to the community lets it write back: the bot's answer comes through.
    assert (await ask(writer, "Здравствуйте")).text
    await allower.allow_messages()

    async def allowed() -> bool:  # message_allow carries no reply to wait for
        return not await bot.db.reader.people.unreachable([await person_of(bot.db, allower)])

    await _until(allowed)
    again = await ask(admin, f"/announce parents 5А {BROADCAST}")
    assert "Получат: 2 человека; не могут получать сообщения от бота: 0" in again.text


async def test_a_background_task_that_dies_is_logged_and_started_again(
    info_log: io.StringIO,
) -> None:
    runs = 0
    again = asyncio.Event()

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs == 1:
            raise sqlite3.OperationalError("disk I/O error")
        again.set()
        await asyncio.Event().wait()

    task = _supervised("flaky", flaky)
    await asyncio.wait_for(again.wait(), timeout=10)
    assert "Task flaky died; starting it again" in info_log.getvalue()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
