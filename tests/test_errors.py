"""A failing handler costs the person an apology, never a traceback or silence."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest

from bot.context import EventContext
from bot.handlers.routing import Router
from bot.parsing import parse_class_name
from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import consented_user, drain
from vk_sandbox import VKSandbox

broken = Router()


@broken.message(lambda ctx: not ctx.in_chat and ctx.incoming.text == "сломайся")
async def always_fails(event_ctx: EventContext) -> None:
    raise RuntimeError("a bug in a handler")


@broken.message(lambda ctx: not ctx.in_chat and ctx.incoming.text == "сломайся на полпути")
async def fails_half_way(event_ctx: EventContext) -> None:
    """Changes data and says so, then fails: the event must leave neither behind."""
    await event_ctx.services.school.add_classes(event_ctx.person_id, [parse_class_name("9Я")])
    event_ctx.reply("Класс добавлен")
    raise RuntimeError("a bug after a change")


@pytest.fixture
async def broken_bot(settings_for: object) -> AsyncIterator[BotRunner]:
    """The bot with the handlers above, started; each test stops it where its checks need."""
    runner = BotRunner(settings_for(), extra={"extra_routers": [broken]})  # type: ignore[operator]
    await runner.start()
    yield runner
    await runner.stop()


async def test_a_failing_handler_apologises_and_the_bot_carries_on(
    sandbox: VKSandbox, broken_bot: BotRunner, info_log: io.StringIO
) -> None:
    try:
        anna = await consented_user(sandbox, "Анна", "Кузнецова")
        await drain(anna)
        await anna.send("сломайся")
        assert (await anna.wait_reply()).text == t("error_apology")
        await anna.send("/cancel")
        assert (await anna.wait_reply()).text == t("cancel_nothing")
    finally:
        await broken_bot.stop()
    logged = info_log.getvalue()
    assert "RuntimeError" in logged
    # Personal data stays out of logs above debug: no names, no message texts.
    assert "Кузнецова" not in logged and "Анна" not in logged
    assert "сломайся" not in logged


async def test_a_handler_failing_half_way_keeps_nothing_and_says_only_sorry(
    sandbox: VKSandbox, broken_bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    await anna.send("сломайся на полпути")
    assert (await anna.wait_reply()).text == t("error_apology")
    await anna.send("/cancel")
    # Nothing else came between: the handler's own reply was never sent.
    assert (await anna.wait_reply()).text == t("cancel_nothing")
    assert "9Я" not in [row.name for row in await broken_bot.db.reader.classes.all()]
