"""A storm of button presses is limited like a flood of messages: nobody else waits for it."""

from __future__ import annotations

import asyncio

from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import drain
from vk_sandbox import VKSandbox

PRESSES = 200


async def test_a_button_storm_is_answered_once_and_queues_nothing_more(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    stranger = sandbox.add_user(first_name="Гость", last_name="Быстрый")
    await stranger.send("Начать")
    _, consent = await stranger.wait_replies(2)
    agree = consent.button(BUTTONS["agree"])
    for _ in range(PRESSES):
        await stranger.press(agree)
    calm = sandbox.add_user(first_name="Анна", last_name="Кузнецова")
    await calm.send("/support")
    assert "info@sferum.ru" in (await calm.wait_reply(timeout=10)).text

    replies = await drain(stranger, within=1.5)
    texts = [reply.text for reply in replies]
    # At most twenty events in ten seconds are answered (the first message counts too),
    # then one request to slow down, then nothing: the rest are neither sent nor queued.
    assert texts.count(t("flood_slow_down")) == 1
    assert texts[-1] == t("flood_slow_down")
    assert len(texts) <= 20 + 1
    await asyncio.sleep(0.5)
    assert await bot.db.reader.outbox.pending(after_id=0, limit=1000) == []
    assert len(stranger.event_answers) <= 20
