"""In a chat shared with other bots, this bot answers only what is addressed to it or to no one."""

from __future__ import annotations

import pytest

from bot.commands import Community, parse_command
from tests.conftest import GROUP_ID, BotRunner
from tests.helpers import consented_user, drain
from vk_sandbox import VKSandbox


@pytest.mark.parametrize(
    "text",
    ["[club999|@other_bot] /support", "/support@other_bot", "[public999|Другой бот], /support"],
)
async def test_a_command_for_another_bot_is_left_to_it(
    sandbox: VKSandbox, bot: BotRunner, text: str
) -> None:
    teacher = await consented_user(sandbox, "Елена", "Смирнова")
    await drain(teacher)
    chat = sandbox.create_chat(title="5А", owner=teacher, members=[], bot_member=True)
    await teacher.send(text, chat=chat)
    await chat.expect_silence(within=0.7)
    # What is addressed to this bot, by its id, its screen name or to no one, is answered.
    for mine in (
        f"[club{GROUP_ID}|@{sandbox.screen_name}] /support",
        f"/support@{sandbox.screen_name}",
        f"/support@club{GROUP_ID}",
        "/support",
    ):
        await teacher.send(mine, chat=chat)
        assert "info@sferum.ru" in (await chat.wait_message()).text


def test_without_its_screen_name_the_bot_takes_named_commands() -> None:
    me = Community(GROUP_ID)
    parsed = parse_command("/help@whatever", None, me)
    assert parsed is not None and parsed.name == "help"
    assert parse_command("[club999|@other] /help", None, me) is None
