"""Shared fixtures: a VK sandbox on loopback and the real bot talking to it over HTTP."""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from loguru import logger

from bot.app import Application
from bot.clock import FrozenClock
from bot.config import Settings
from bot.logs import configure
from bot.storage import Database
from vk_sandbox import VKSandbox

GROUP_ID = 229000044
ADMIN_ID = 1001
DIRECTOR_ID = 1002


def make_settings(sandbox: VKSandbox, database: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "vk_token": sandbox.token,
        "vk_api_url": sandbox.api_url,
        "database_path": database,
        "admin_ids": [ADMIN_ID],
        "director_ids": [DIRECTOR_ID],
        "school_name": "МОУ «Гимназия № 44 г. Твери»",
        "timezone": "Europe/Moscow",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class BotRunner:
    """The bot as it runs in production, started and stopped by the test."""

    settings: Settings
    clock: FrozenClock | None = None
    app: Application | None = None
    starts: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    async def start(self) -> Application:
        kwargs: dict[str, Any] = {"longpoll_wait": 2, **self.extra}
        if self.clock is not None:
            kwargs["clock"] = self.clock
        self.app = Application(self.settings, **kwargs)
        await self.app.start()
        self.starts += 1
        return self.app

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
            self.app = None

    async def crash(self) -> None:
        if self.app is not None:
            await self.app.crash()
            self.app = None

    async def restart(self) -> Application:
        await self.stop()
        return await self.start()

    @property
    def db(self) -> Database:
        assert self.app is not None, "the bot is not running"
        return self.app.db


@pytest.fixture(autouse=True, scope="session")
def _production_log_level() -> None:
    # As in production: vkbottle's DEBUG lines (whole events and requests) stay off.
    configure("INFO")


@pytest.fixture
async def sandbox() -> AsyncIterator[VKSandbox]:
    async with VKSandbox(group_id=GROUP_ID, group_name="Гимназия № 44 г. Твери") as running:
        yield running
        if os.environ.get("SANDBOX_DUMP"):
            for call in running.calls:
                print("CALL", call.time, call.method, call.ok, call.error_code)
            for event in running.events:
                print("EVENT", event["type"], event["event_id"])


@pytest.fixture
def settings_for(sandbox: VKSandbox, tmp_path: Path) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        return make_settings(sandbox, tmp_path / "bot.sqlite3", **overrides)

    return build


@pytest.fixture
async def bot(settings_for: Callable[..., Settings]) -> AsyncIterator[BotRunner]:
    runner = BotRunner(settings_for())
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


@pytest.fixture
async def start_bot(
    settings_for: Callable[..., Settings],
) -> AsyncIterator[Callable[..., Awaitable[BotRunner]]]:
    """Starts bots with settings of the test's choosing; stops them all at the end."""
    runners: list[BotRunner] = []

    async def start(
        clock: FrozenClock | None = None, scheduler: bool = True, **overrides: Any
    ) -> BotRunner:
        extra = {} if scheduler else {"run_scheduler": False}
        runner = BotRunner(settings_for(**overrides), clock=clock, extra=extra)
        await runner.start()
        runners.append(runner)
        return runner

    yield start
    for runner in runners:
        await runner.stop()


@pytest.fixture
async def patient_bot(start_bot: Callable[..., Awaitable[BotRunner]]) -> BotRunner:
    """A bot whose flood limit does not stop a test that sends many messages in a row."""
    return await start_bot(flood_limit=0)


@pytest.fixture
async def clocked_bot(
    start_bot: Callable[..., Awaitable[BotRunner]], frozen_clock: FrozenClock
) -> BotRunner:
    """A bot on the test's clock; the test runs the scheduler's ticks itself."""
    return await start_bot(clock=frozen_clock, scheduler=False)


@pytest.fixture
def frozen_clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 30, 5, 0, tzinfo=UTC))


@pytest.fixture
def info_log() -> Iterator[io.StringIO]:
    """What the bot logs at INFO and above during the test."""
    sink = io.StringIO()
    handler = logger.add(sink, level="INFO")
    yield sink
    logger.remove(handler)
