"""MAX's updates into the bot: long polling resumes from the stored marker (a restart
neither repeats nor skips), an update delivered twice is handled once, and webhooks (the
bot subscribes with a secret of its own, stores each update and answers 200 at once; a
redelivery is handled once; a request without the secret is refused)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp

from bot.max.intake import MARKER_KEY, SECRET_KEY
from max_sandbox import MaxSandbox
from tests.conftest import BotRunner
from tests.max_support import (  # noqa: F401
    ask,
    consented,
    drain,
    free_port,
    max_bot,
    sb,
    start_max_bot,
)


async def test_a_restart_neither_repeats_nor_skips_updates(
    sb: MaxSandbox,  # noqa: F811
    start_max_bot: Callable[..., Awaitable[BotRunner]],  # noqa: F811
) -> None:
    runner = await start_max_bot(flood_limit=0)
    anna = await consented(sb, "Анна", "Кузнецова")
    await drain(anna)
    await ask(anna, "/help")
    marker = await runner.db.reader.kv.get(MARKER_KEY)
    assert marker is not None, "the marker is kept in the database"
    await runner.stop()
    # Written while the bot is down: MAX keeps them for the next poll.
    await anna.send("/help")
    await anna.send("/menu")
    await runner.start()
    replies = await anna.wait_replies(2, timeout=5)
    assert len(replies) == 2
    await anna.expect_silence(1.0)  # nothing answered twice, the first /help included
    polls = list(sb.calls_to("GET /updates"))
    assert any(call.query.get("marker") == marker for call in polls)


async def test_an_update_delivered_twice_is_handled_once(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    anna = await consented(sb, "Анна", "Кузнецова")
    await drain(anna)
    sb.faults.duplicate_next_updates(1)
    await ask(anna, "/help")
    await anna.expect_silence(1.0)


async def _webhook_bot(
    sb: MaxSandbox,  # noqa: F811
    start_max_bot: Callable[..., Awaitable[BotRunner]],  # noqa: F811
) -> tuple[BotRunner, str]:
    port = free_port()
    runner = await start_max_bot(
        flood_limit=0,
        max_webhook_url="https://school.example/max-hook",
        max_webhook_listen=f"127.0.0.1:{port}",
    )
    (subscription,) = sb.subscriptions
    assert subscription.url == "https://school.example/max-hook"
    # MAX posts to the public https address, which leads to the listener; here the sandbox
    # posts to the listener itself (it has no TLS).
    local = f"http://127.0.0.1:{port}/max-hook"
    subscription.url = local
    for _ in range(100):  # the listener starts with the bot's loops
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.02)
            continue
        writer.close()
        break
    return runner, local


async def test_webhooks_carry_the_updates_and_a_redelivery_is_handled_once(
    sb: MaxSandbox,  # noqa: F811
    start_max_bot: Callable[..., Awaitable[BotRunner]],  # noqa: F811
) -> None:
    runner, _ = await _webhook_bot(sb, start_max_bot)
    secret = await runner.db.reader.kv.get(SECRET_KEY)
    assert secret and sb.subscriptions[0].secret == secret
    anna = await consented(sb, "Анна", "Кузнецова")
    await drain(anna)
    sb.faults.redeliver_webhook(1)
    await ask(anna, "/help")
    await anna.expect_silence(1.0)
    assert any(attempt.redelivery and attempt.status == 200 for attempt in sb.webhooks.attempts)
    assert not sb.calls_to("GET /updates"), "no long polling beside webhooks"


async def test_a_webhook_without_the_secret_is_refused(
    sb: MaxSandbox,  # noqa: F811
    start_max_bot: Callable[..., Awaitable[BotRunner]],  # noqa: F811
) -> None:
    _, local = await _webhook_bot(sb, start_max_bot)
    update = {
        "update_type": "bot_started",
        "timestamp": 1,
        "chat_id": 1,
        "user": {"user_id": 7, "first_name": "Злоумышленник", "is_bot": False},
    }
    async with aiohttp.ClientSession() as session:
        async with session.post(local, json=update) as answer:
            assert answer.status == 401
        headers = {"X-Max-Bot-Api-Secret": "wrong-secret"}
        async with session.post(local, json=update, headers=headers) as answer:
            assert answer.status == 401
    await asyncio.sleep(0.3)
    assert not sb.calls_to("POST /messages"), "nobody was answered"


async def test_leaving_webhooks_for_long_polling_drops_the_subscription(
    sb: MaxSandbox,  # noqa: F811
    start_max_bot: Callable[..., Awaitable[BotRunner]],  # noqa: F811
) -> None:
    runner, _ = await _webhook_bot(sb, start_max_bot)
    await runner.stop()
    polling = await start_max_bot(flood_limit=0)
    assert sb.subscriptions == [], "MAX refuses long polling while a subscription exists"
    anna = await consented(sb, "Анна", "Кузнецова")
    await drain(anna)
    assert polling.app is not None
    assert sb.calls_to("GET /updates")
