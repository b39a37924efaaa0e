"""A bare `maxapi` echo bot against the local MAX sandbox, for the MAX benchmarks.

Only maxapi's public API: `Bot.set_api_url` points every call, GET /updates included, at the
sandbox. maxapi is the benchmark's optional dependency (`pip install -e ".[bench]"`), not the
bot's. Two of its switches are set for the fastest echo the library offers, so that the ratio
against it is not flattered: `Dispatcher(use_create_task=True)` handles updates concurrently
(by default it awaits each handler in the polling loop, one reply at a time) and
`Bot(auto_requests=False)` skips the GET /chats/{chatId} it makes by default before every
update's handler. `defaults=True` keeps the library's defaults instead.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from maxapi import Bot, Dispatcher
from maxapi.types import MessageCreated

from max_sandbox import MaxSandbox


@dataclass
class EchoStats:
    """What the echo bot's own handler saw: replies that raised (a 429, a 5xx after its
    retries) are the ones maxapi gives up on."""

    handled: int = 0
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)


@contextlib.asynccontextmanager
async def echo_bot(sandbox: MaxSandbox, defaults: bool = False) -> AsyncIterator[EchoStats]:
    """Runs the echo bot (long polling) until the block ends."""
    bot = Bot(sandbox.token, auto_requests=defaults)
    bot.set_api_url(sandbox.api_url)
    dispatcher = Dispatcher(use_create_task=not defaults)
    stats = EchoStats()

    @dispatcher.message_created()
    async def answer(event: MessageCreated) -> None:
        stats.handled += 1
        try:
            await event.message.answer(event.message.body.text)
        except Exception as error:
            # As a bare bot's reply would be lost (maxapi logs it); counted, then re-raised
            # so that the library's own handling is what the benchmark measures.
            stats.failed += 1
            name = type(error).__name__
            code = getattr(error, "code", None)
            key = f"{name} {code}" if code is not None else name
            stats.errors[key] = stats.errors.get(key, 0) + 1
            raise

    task = asyncio.create_task(dispatcher.start_polling(bot))
    # The polling loop's start (GET /me, GET /subscriptions) before anyone writes.
    for _ in range(250):
        if sandbox.calls_to("GET /subscriptions"):
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    try:
        yield stats
    finally:
        await dispatcher.stop_polling()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await bot.close_session()
