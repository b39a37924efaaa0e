"""Two bot processes on one database (an update overlaps the old version with the new one):
every message is answered exactly once, also after the older one stops."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import consented_user, drain
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


async def test_what_the_old_process_left_unhandled_on_stopping_is_handled_by_the_new(
    sandbox: VKSandbox, start_bot: Callable[..., Awaitable[BotRunner]]
) -> None:
    old = await start_bot(flood_limit=0)
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    new = BotRunner(old.settings)
    await new.start()
    try:
        await _sent_then(anna, "при остановке", old.stop())
        await _round(anna, "после остановки")
    finally:
        await new.stop()


async def test_the_new_process_takes_over_from_one_that_died(
    sandbox: VKSandbox, start_bot: Callable[..., Awaitable[BotRunner]]
) -> None:
    old = await start_bot(flood_limit=0)
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    new = BotRunner(old.settings)
    await new.start()
    try:
        await _sent_then(anna, "при сбое", old.crash())
        await _round(anna, "после сбоя")
    finally:
        await new.stop()
