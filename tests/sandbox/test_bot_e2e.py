"""A real vkbottle Bot polling the sandbox, driven by users."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from vkbottle import API, Bot, Callback, GroupEventType, Keyboard, KeyboardButtonColor, Text
from vkbottle.bot import Message, MessageEvent
from vkbottle.polling import BotPolling

from vk_sandbox import UserDriver, VKSandbox


@pytest.fixture
async def running_bot(
    api: API, sandbox: VKSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Bot]:
    monkeypatch.chdir(tmp_path)  # BotPolling saves its ts under ./.vkbottle
    bot = Bot(api=api, polling=BotPolling(api, wait=10))

    @bot.on.private_message(text="Привет")
    async def hello(message: Message) -> None:
        keyboard = (
            Keyboard(inline=True)
            .add(Text("Расписание", {"cmd": "schedule"}), color=KeyboardButtonColor.PRIMARY)
            .add(Callback("Подписаться", {"cmd": "subscribe"}))
        )
        await message.answer(f"Здравствуйте, {message.from_id}!", keyboard=keyboard.get_json())

    @bot.on.private_message(payload={"cmd": "schedule"})
    async def schedule(message: Message) -> None:
        await message.answer("Уроки с 8:30")

    @bot.on.raw_event(GroupEventType.MESSAGE_EVENT, dataclass=MessageEvent)
    async def subscribe(event: MessageEvent) -> None:
        await event.show_snackbar("Вы подписаны")
        await event.edit_message("Подписка оформлена")

    @bot.on.chat_message(text="/ping")
    async def ping(message: Message) -> None:
        await message.answer("pong")

    task = asyncio.create_task(bot.run_polling())
    for _ in range(200):
        if sandbox.calls_to("groups.getLongPollServer"):
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # let the first a_check reach the server
    try:
        yield bot
    finally:
        bot.polling.stop()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_conversation_with_buttons(
    running_bot: Bot, sandbox: VKSandbox, alice: UserDriver
) -> None:
    await alice.send("Привет")
    greeting = await alice.wait_reply(timeout=3)
    assert greeting.text == f"Здравствуйте, {alice.user_id}!"
    assert greeting.inline
    await alice.press(greeting.button("Расписание"))
    assert (await alice.wait_reply(timeout=3)).text == "Уроки с 8:30"
    await alice.press(greeting.button("Подписаться"))
    assert await alice.wait_event_answer(timeout=3) == {
        "type": "show_snackbar",
        "text": "Вы подписаны",
    }
    for _ in range(100):
        if greeting.edited:
            break
        await asyncio.sleep(0.01)
    assert greeting.text == "Подписка оформлена"
    await alice.expect_silence(within=0.2)
    assert len(sandbox.sent) == 2


async def test_chat_command(
    running_bot: Bot, sandbox: VKSandbox, alice: UserDriver, bob: UserDriver
) -> None:
    chat = sandbox.create_chat("5А", owner=alice, members=[bob])
    await chat.add_bot(by=alice)
    await bob.send("/ping", chat=chat)
    assert (await chat.wait_message(timeout=3)).text == "pong"
    await chat.expect_silence(within=0.1)
