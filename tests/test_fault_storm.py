"""Every fault switch at once, under load: no event lost, none handled twice, no reply doubled.

Runs for a few seconds by default; STORM_SECONDS=60 gives the full minute."""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Callable

from bot.texts import t
from tests.conftest import BotRunner
from vk_sandbox import UserDriver, VKSandbox

SECONDS = float(os.environ.get("STORM_SECONDS", "6"))
PEOPLE = 12


async def _faults(sandbox: VKSandbox, until: float) -> None:
    chance = random.Random(44)
    switches: list[Callable[[], None]] = [
        lambda: sandbox.faults.longpoll_failed(chance.choice([1, 2, 3])),
        lambda: sandbox.faults.http_500(times=2),
        lambda: sandbox.faults.drop_connection(times=2),
        lambda: sandbox.faults.slow(0.4, times=2),
        lambda: sandbox.faults.api_error(chance.choice([6, 10]), times=3),
        lambda: sandbox.faults.redeliver_last(times=2),
    ]
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        chance.choice(switches)()
        await asyncio.sleep(0.25)
    sandbox.faults.clear()


async def _person(user: UserDriver, until: float) -> int:
    """Writes steadily until the storm ends; returns how many messages were sent."""
    loop = asyncio.get_running_loop()
    sent = 0
    while loop.time() < until:
        await user.send(f"сообщение номер {sent}")
        sent += 1
        await asyncio.sleep(0.4)
    return sent


async def test_all_faults_at_once_lose_nothing_and_double_nothing(
    sandbox: VKSandbox, patient_bot: BotRunner
) -> None:
    people = [sandbox.add_user(first_name="Житель", last_name=f"Номер{n}") for n in range(PEOPLE)]
    for person in people:
        await person.send("/agree")
        await person.wait_reply()
    await asyncio.sleep(1.0)
    for person in people:
        while True:
            try:
                await person.wait_reply(timeout=0.1)
            except AssertionError:
                break
    before = {person.user_id: len(person.messages) for person in people}
    until = asyncio.get_running_loop().time() + SECONDS
    storm = asyncio.create_task(_faults(sandbox, until))
    sent = await asyncio.gather(*(_person(person, until) for person in people))
    await storm
    for person, count in zip(people, sent, strict=True):
        replies = await person.wait_replies(count, timeout=60)
        assert all(reply.text == t("unknown_text") for reply in replies)
        await person.expect_silence(within=1.0)
        assert len(person.messages) - before[person.user_id] == count
