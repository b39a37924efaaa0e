"""Driver helpers: waiting, silence, buttons, users."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
from vkbottle import API

from vk_sandbox import BotMessage, Button, UserDriver, VKSandbox

from .conftest import REPO_ROOT, Raw


async def test_wait_reply_timeout_and_silence(api: API, alice: UserDriver) -> None:
    with pytest.raises(AssertionError, match="did not write"):
        await alice.wait_reply(timeout=0.05)
    await alice.send("hi")
    await alice.expect_silence(within=0.05)

    async def later() -> None:
        await asyncio.sleep(0.05)
        await api.messages.send(peer_id=alice.user_id, message="вдруг", random_id=0)

    task = asyncio.create_task(later())
    with pytest.raises(AssertionError, match="вдруг"):
        await alice.expect_silence(within=0.5)
    await task
    assert (await alice.wait_reply(0.1)).text == "вдруг"
    with pytest.raises(AssertionError, match="expected 2 messages"):
        await alice.wait_replies(2, timeout=0.05)


async def test_wait_replies_in_order(api: API, alice: UserDriver) -> None:
    await alice.send("hi")
    for i in range(3):
        await api.messages.send(peer_id=alice.user_id, message=str(i), random_id=0)
    replies = await alice.wait_replies(3, timeout=1)
    assert [r.text for r in replies] == ["0", "1", "2"]
    assert all(isinstance(r, BotMessage) for r in replies)
    assert len(alice.messages) == 3


def test_users_and_ids(sandbox: VKSandbox) -> None:
    first = sandbox.add_user("Анна", "А")
    second = sandbox.add_user("Вадим", "В", user_id=42, screen_name="vadim")
    assert second.user_id == second.peer_id == 42
    assert sandbox.user(42) is second
    assert first.user_id != second.user_id
    with pytest.raises(ValueError, match="already exists"):
        sandbox.add_user("X", "Y", user_id=42)
    with pytest.raises(ValueError, match="taken"):
        sandbox.add_user("X", "Y", screen_name="vadim")


async def test_press_link_button_is_refused(alice: UserDriver) -> None:
    with pytest.raises(ValueError, match="sends nothing"):
        await alice.press(Button(label="VK", type="open_link", link="https://vk.com"))


async def test_press_from_chat_message_goes_to_chat(
    raw: Raw, sandbox: VKSandbox, alice: UserDriver
) -> None:
    chat = sandbox.create_chat(owner=alice, bot_member=True)
    keyboard = json.dumps(
        {"inline": True, "buttons": [[{"action": {"type": "text", "label": "Я", "payload": "{}"}}]]}
    )
    await raw.ok(
        "messages.send", peer_id=chat.peer_id, message="Кто?", random_id=0, keyboard=keyboard
    )
    server = await raw.server()
    message = await chat.wait_message(1)
    await alice.press(message.button("Я"))
    [update] = (await raw.a_check(server))["updates"]
    assert update["object"]["message"]["peer_id"] == chat.peer_id
    assert update["object"]["message"]["payload"] == "{}"


def test_standalone_cli() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "vk_sandbox", "--port", "0", "--users", "2"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(REPO_ROOT),
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().rsplit(" ", 1)[-1]
        token = process.stdout.readline().strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:")
        assert token == "sandbox-token"

        async def call() -> dict[str, object]:
            async with (
                aiohttp.ClientSession() as session,
                session.post(
                    url + "groups.getById", params={"access_token": token, "v": "5.199"}
                ) as response,
            ):
                result: dict[str, object] = await response.json()
                return result

        assert "response" in asyncio.run(call())
    finally:
        process.terminate()
        process.wait(timeout=5)
