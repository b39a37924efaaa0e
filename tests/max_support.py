"""The real bot on MAX only (no VK_TOKEN), against the MAX sandbox over HTTP: fixtures and
small steps the MAX stories share. The sandbox's rate limit stays on (MAX's 30 a second):
the bot must stay under it by itself."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.texts import BUTTONS
from max_sandbox import BotMessage, MaxSandbox, UserDriver
from tests.conftest import BotRunner
from tests.max_sandbox.schema import MaxSchema, load_max_schema

MAX_ADMIN_ID = 5001
MAX_DIRECTOR_ID = 5002


def max_settings(sb: MaxSandbox, database: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "max_token": sb.token,
        "max_api_url": sb.api_url,
        "database_path": database,
        "admin_ids": [f"max:{MAX_ADMIN_ID}"],
        "director_ids": [f"max:{MAX_DIRECTOR_ID}"],
        "school_name": "МОУ «Гимназия № 44 г. Твери»",
        "timezone": "Europe/Moscow",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def check_requests(sb: MaxSandbox, schema: MaxSchema) -> int:
    """Every request the bot made that MAX took: its parameters and body as the schema
    documents them (a request a fault cut short has no body to check). Returns how many."""
    taken = [call for call in sb.calls if call.ok]
    schema.calls(taken)
    return len(taken)


@pytest.fixture
async def sb() -> AsyncIterator[MaxSandbox]:
    """The MAX sandbox; whatever the bot sent it is checked against the schema afterwards
    (where the schema is at hand: tests/max_sandbox/schema.py says where it is looked for)."""
    async with MaxSandbox(webhook_retry_delay=0.02) as running:
        yield running
    schema = load_max_schema()
    if schema is not None:
        check_requests(running, schema)


@pytest.fixture
async def start_max_bot(
    sb: MaxSandbox, tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[BotRunner]]]:
    """Starts bots on MAX with settings of the test's choosing; stops them all at the end."""
    runners: list[BotRunner] = []

    async def start(scheduler: bool = False, **overrides: Any) -> BotRunner:
        extra: dict[str, Any] = {"api_backoff": (0.05, 0.1, 0.2), "send_retry_pause_cap": 0.5}
        if not scheduler:
            extra["run_scheduler"] = False
        runner = BotRunner(max_settings(sb, tmp_path / "bot.sqlite3", **overrides), extra=extra)
        await runner.start()
        runners.append(runner)
        return runner

    yield start
    for runner in runners:
        await runner.stop()


@pytest.fixture
async def max_bot(start_max_bot: Callable[..., Awaitable[BotRunner]]) -> BotRunner:
    return await start_max_bot(flood_limit=0)


async def consented(
    sb: MaxSandbox, first: str, last: str, user_id: int | None = None
) -> UserDriver:
    """A MAX user who opened the bot and agreed to the processing of their data."""
    user = sb.add_user(first_name=first, last_name=last, user_id=user_id)
    await user.start()
    replies = await user.wait_replies(2)
    await user.press(replies[-1].button(BUTTONS["agree"]))
    await user.wait_event_answer()
    await user.wait_reply()
    return user


async def drain(user: UserDriver, within: float = 0.3) -> list[BotMessage]:
    messages: list[BotMessage] = []
    while True:
        try:
            messages.append(await user.wait_reply(timeout=within))
        except AssertionError:
            return messages


async def ask(user: UserDriver, text: str) -> BotMessage:
    await user.send(text)
    return await user.wait_reply()


async def max_admin(sb: MaxSandbox) -> UserDriver:
    admin = await consented(sb, "Ирина", "Петрова", user_id=MAX_ADMIN_ID)
    await drain(admin)
    return admin


INVITE_LINK = re.compile(r"https://max\.ru/[A-Za-z0-9_]+\?start=[A-Za-z0-9_-]+")


def invitation_link(reply: BotMessage) -> str:
    match = INVITE_LINK.search(reply.text)
    assert match, f"no MAX invitation link in: {reply.text}"
    return match.group(0)
