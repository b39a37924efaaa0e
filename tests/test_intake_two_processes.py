"""Two bot processes on one database (an update overlaps the old version with the new one):
every message is answered exactly once, also after the older one stops."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.lease import LEASE
from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import consented_user, drain
from tests.test_fault_storm import PEOPLE, SECONDS, _person, run_fault_storm
from vk_sandbox import UserDriver, VKSandbox

ROUND = 6


async def _round(user: UserDriver, label: str) -> None:
    for n in range(ROUND):
        await user.send(f"{label} {n}")
    replies = await user.wait_replies(ROUND, timeout=20)
    assert [reply.text for reply in replies] == [t("unknown_text")] * ROUND
    await user.expect_silence(within=1.0)


async def test_two_processes_answer_every_message_once_and_survive_the_old_ones_stop(
    sandbox: VKSandbox, start_bot: Callable[..., Awaitable[BotRunner]]
) -> None:
    old = await start_bot(flood_limit=0)
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    new = BotRunner(old.settings)
    await new.start()
    try:
        # The old one's long poll lost events: it reads back what was written meanwhile,
        # which the inbox has already; the two processes' counts of events part ways.
        assert old.app is not None
        await old.app.intake.recover()
        assert old.app.intake.recovered > 0
        await _round(anna, "до обновления")
        await _round(anna, "во время обновления")
        await old.stop()
        await _round(anna, "после обновления")
    finally:
        await new.stop()


async def _sent_then(user: UserDriver, label: str, meanwhile: Awaitable[None]) -> None:
    """Messages written just as `meanwhile` happens are each answered once, in order."""
    for n in range(ROUND):
        await user.send(f"{label} {n}")
    await meanwhile
    replies = await user.wait_replies(ROUND, timeout=20)
    assert [reply.text for reply in replies] == [t("unknown_text")] * ROUND
    await user.expect_silence(within=1.0)


@pytest.mark.parametrize(
    ("ending", "before", "after"),
    [("stop", "при остановке", "после остановки"), ("crash", "при сбое", "после сбоя")],
)
async def test_the_new_process_handles_what_the_old_one_left_when_it_stopped_or_died(
    sandbox: VKSandbox,
    start_bot: Callable[..., Awaitable[BotRunner]],
    ending: str,
    before: str,
    after: str,
) -> None:
    old = await start_bot(flood_limit=0)
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    new = BotRunner(old.settings)
    await new.start()
    try:
        await _sent_then(anna, before, old.stop() if ending == "stop" else old.crash())
        await _round(anna, after)
    finally:
        await new.stop()


async def test_all_faults_at_once_while_two_processes_hand_over_lose_and_double_nothing(
    sandbox: VKSandbox, start_bot: Callable[..., Awaitable[BotRunner]]
) -> None:
    old = await start_bot(flood_limit=0)
    people = [sandbox.add_user(first_name="Житель", last_name=f"Номер{n}") for n in range(PEOPLE)]
    for person in people:
        await person.send("/agree")
        await person.wait_reply()
    new = BotRunner(old.settings)
    await new.start()
    try:
        await asyncio.sleep(1.0)
        for person in people:
            await drain(person, within=0.1)
        before = {person.user_id: len(person.messages) for person in people}
        assert old.app is not None
        await old.app.intake.recover()  # as after lost events: the counts part ways
        loop = asyncio.get_running_loop()
        until = loop.time() + SECONDS
        storm = asyncio.create_task(run_fault_storm(sandbox, until))
        writing = asyncio.gather(*(_person(person, until) for person in people))
        await asyncio.sleep(SECONDS / 2)
        await old.stop()  # the update: the old version stops in the middle of the storm
        sent = await writing
        await storm
        for person, count in zip(people, sent, strict=True):
            replies = await person.wait_replies(count, timeout=60)
            assert all(reply.text == t("unknown_text") for reply in replies)
            await person.expect_silence(within=1.0)
            assert len(person.messages) - before[person.user_id] == count
    finally:
        await new.stop()


async def test_a_process_whose_lease_lapsed_stands_back_for_the_one_that_took_it(
    sandbox: VKSandbox, start_bot: Callable[..., Awaitable[BotRunner]]
) -> None:
    old = await start_bot(flood_limit=0)
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    new = BotRunner(old.settings)
    await new.start()
    try:
        assert old.app is not None and new.app is not None
        # The old one stalled past its lease: it lapsed while it was not looking.
        lapsed = datetime.now(UTC) - timedelta(seconds=1)
        async with old.app.db.transaction() as tx:
            assert await tx.leases.take(LEASE, "elsewhere:1:stalled", lapsed, old.app.lease.owner)
        await new.app.check_lease()
        await old.app.check_lease()
        handled_by_old = old.app.dispatcher.handled
        await _round(anna, "после перехода")
        assert old.app.dispatcher.handled == handled_by_old
        assert new.app.dispatcher.handled == ROUND
    finally:
        await new.stop()
