"""Every fault switch at once, under load: no event lost, none handled twice, no reply doubled.

Besides faults that each call's own retries absorb, the storm has VK outages that outlast
every retry of a call and another process holding the database's write lock for longer than
a change waits for it. Runs for a few seconds by default; STORM_SECONDS=60 gives the full
minute."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.texts import t
from tests.conftest import BotRunner
from vk_sandbox import UserDriver, VKSandbox

SECONDS = float(os.environ.get("STORM_SECONDS", "6"))
PEOPLE = 12
# Each call is tried three times within 0.15 s; a change waits 0.1 s for another process's
# lock. The outages and the locks of the storm last longer than that.
STORMY = {"api_backoff": (0.05, 0.1), "send_retry_pause_cap": 0.5, "db_busy_timeout_ms": 100}
OUTAGE_SECONDS = 1.0
LOCK_SECONDS = 0.5


@pytest.fixture
async def stormy_bot(settings_for: Callable[..., Settings]) -> AsyncIterator[BotRunner]:
    """A bot whose flood limit does not stop the storm's writers, with short retries."""
    runner = BotRunner(settings_for(flood_limit=0), extra=dict(STORMY))
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


async def _outage(sandbox: VKSandbox) -> None:
    """VK answers 500 to every send for longer than all retries of a call take."""
    fault = sandbox.faults.outage(methods=["messages.send", "execute"])
    await asyncio.sleep(OUTAGE_SECONDS)
    with contextlib.suppress(ValueError):
        sandbox.faults.transport.remove(fault)


async def _lock_database(path: Path) -> None:
    """Another process (a backup) holds the write lock longer than a change waits for it."""
    holder = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    try:
        await asyncio.to_thread(holder.execute, "BEGIN IMMEDIATE")
        await asyncio.sleep(LOCK_SECONDS)
        holder.rollback()
    finally:
        holder.close()


async def run_fault_storm(sandbox: VKSandbox, until: float, database: Path | None = None) -> None:
    """Every fault switch by turns until `until` (the loop's time); with `database`, its
    write lock is taken now and then too."""
    chance = random.Random(44)
    lasting: list[asyncio.Task[None]] = []

    def spawn(fault: Coroutine[Any, Any, None]) -> None:
        lasting.append(asyncio.create_task(fault))

    switches: list[Callable[[], None]] = [
        lambda: sandbox.faults.longpoll_failed(chance.choice([1, 2, 3])),
        lambda: sandbox.faults.http_500(times=2),
        lambda: sandbox.faults.drop_connection(times=2),
        lambda: sandbox.faults.slow(0.4, times=2),
        lambda: sandbox.faults.api_error(chance.choice([6, 10]), times=3),
        lambda: sandbox.faults.redeliver_last(times=2),
    ]
    # Every second, by turns, an outage or a lock: each is sure to come in a short storm.
    lasting_switches: list[Callable[[], None]] = [lambda: spawn(_outage(sandbox))]
    if database is not None:
        locked = database
        lasting_switches.append(lambda: spawn(_lock_database(locked)))
    loop = asyncio.get_running_loop()
    tick = 0
    while loop.time() < until:
        if tick % 4 == 3:
            lasting_switches[tick // 4 % len(lasting_switches)]()
        else:
            chance.choice(switches)()
        tick += 1
        await asyncio.sleep(0.25)
    await asyncio.gather(*lasting)
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
    sandbox: VKSandbox, stormy_bot: BotRunner
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
    storm = asyncio.create_task(run_fault_storm(sandbox, until, stormy_bot.settings.database_path))
    sent = await asyncio.gather(*(_person(person, until) for person in people))
    await storm
    for person, count in zip(people, sent, strict=True):
        replies = await person.wait_replies(count, timeout=60)
        assert all(reply.text == t("unknown_text") for reply in replies)
        await person.expect_silence(within=1.0)
        assert len(person.messages) - before[person.user_id] == count
