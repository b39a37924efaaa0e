"""In a group chat the bot speaks when addressed and keeps quiet otherwise."""

from __future__ import annotations

from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import consented_user, drain
from vk_sandbox import VKSandbox


async def test_bot_greets_a_chat_it_is_added_to(sandbox: VKSandbox, bot: BotRunner) -> None:
    teacher = await consented_user(sandbox, "Елена", "Смирнова")
    await drain(teacher)
    chat = sandbox.create_chat(title="5А Родители", owner=teacher, members=[])
    await chat.add_bot(by=teacher)
    greeting = await chat.wait_message()
    assert "права администратора" in greeting.text


async def test_chatter_is_ignored_and_commands_are_answered(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    teacher = await consented_user(sandbox, "Елена", "Смирнова")
    await drain(teacher)
    chat = sandbox.create_chat(title="5А", owner=teacher, members=[], bot_member=True)
    await teacher.send("Добрый вечер, коллеги!", chat=chat)
    await chat.expect_silence(within=0.7)

    await teacher.send("/support", chat=chat)
    assert "info@sferum.ru" in (await chat.wait_message()).text
    await teacher.send("/forget_me", chat=chat)
    assert (await chat.wait_message()).text == t("private_only")


async def test_a_stranger_in_a_chat_is_sent_to_the_private_dialog(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    teacher = await consented_user(sandbox, "Елена", "Смирнова")
    await drain(teacher)
    stranger = sandbox.add_user(first_name="Гость", last_name="Гостев")
    chat = sandbox.create_chat(title="5А", owner=teacher, members=[stranger], bot_member=True)
    await stranger.send("/menu", chat=chat)
    assert (await chat.wait_message()).text == t("private_only")
    await stranger.send("/start", chat=chat)
    assert (await chat.wait_message()).text == t("consent_needed_in_chat")
