"""Bots Long Poll: waiting, wake-ups, history, failures and event shapes."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest
from vkbottle import API, Keyboard
from vkbottle import Callback as CallbackAction
from vkbottle import Text as TextAction
from vkbottle.polling import BotPolling
from vkbottle_types.events.bot_events import MessageAllow, MessageDeny, MessageEvent, MessageNew

from vk_sandbox import UserDriver, VKSandbox
from vk_sandbox.longpoll import EventLog

from .conftest import Raw, VKSchema


async def test_wait_returns_empty_after_timeout(raw: Raw) -> None:
    server = await raw.server()
    started = time.monotonic()
    answer = await raw.a_check(server, wait=1)
    assert 0.9 <= time.monotonic() - started < 1.5
    assert answer == {"ts": server["ts"], "updates": []}


async def test_held_request_wakes_up_at_once(raw: Raw, alice: UserDriver) -> None:
    server = await raw.server()
    poll = asyncio.create_task(raw.a_check(server, wait=25))
    await asyncio.sleep(0.1)
    assert not poll.done()
    sent_at = time.monotonic()
    await alice.send("Добрый день")
    answer = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - sent_at < 0.1
    assert int(answer["ts"]) == int(server["ts"]) + 1
    [update] = answer["updates"]
    assert update["type"] == "message_new"
    assert update["object"]["message"]["text"] == "Добрый день"


async def test_message_new_shape(
    raw: Raw, sandbox: VKSandbox, alice: UserDriver, vk_schema: VKSchema
) -> None:
    server = await raw.server()
    await alice.send("Здравствуйте", ref="invite", ref_source="site", payload={"cmd": "start"})
    [event] = (await raw.a_check(server))["updates"]
    vk_schema.event(event)
    assert event["group_id"] == sandbox.group_id
    assert event["v"] == "5.199"
    assert re.fullmatch(r"[0-9a-f]{40}", event["event_id"])
    message = event["object"]["message"]
    assert message["from_id"] == message["peer_id"] == alice.user_id
    assert message["out"] == 0
    assert message["ref"] == "invite"
    assert message["ref_source"] == "site"
    assert message["payload"] == '{"cmd":"start"}'
    info = event["object"]["client_info"]
    assert info["keyboard"]
    assert info["inline_keyboard"]
    assert "callback" in info["button_actions"]
    parsed = MessageNew.model_validate(event)
    assert parsed.object.message is not None
    assert parsed.object.message.text == "Здравствуйте"
    assert parsed.object.message.ref == "invite"


async def test_document_attachment_shape(
    raw: Raw, alice: UserDriver, vk_schema: VKSchema, sandbox: VKSandbox
) -> None:
    server = await raw.server()
    await alice.send("Список класса", document=("roster.xlsx", b"PK\x03\x04 fake xlsx"))
    [event] = (await raw.a_check(server))["updates"]
    vk_schema.event(event)
    [attachment] = event["object"]["message"]["attachments"]
    assert attachment["type"] == "doc"
    doc = attachment["doc"]
    assert doc["title"] == "roster.xlsx"
    assert doc["ext"] == "xlsx"
    assert doc["owner_id"] == alice.user_id
    async with raw.session.get(doc["url"]) as response:
        assert response.status == 200
        assert await response.read() == b"PK\x03\x04 fake xlsx"
    parsed = MessageNew.model_validate(event)
    assert parsed.object.message is not None
    assert parsed.object.message.attachments is not None
    assert parsed.object.message.attachments[0].doc is not None


async def test_photo_attachment_shape(
    raw: Raw, alice: UserDriver, vk_schema: VKSchema, sandbox: VKSandbox
) -> None:
    """A photo a user sends arrives as VK delivers it: a `photo` with its sizes' URLs, each
    serving the picture's bytes."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + (640).to_bytes(4, "big") * 2
    server = await raw.server()
    await alice.send("Справка", photo=("spravka.png", png))
    [event] = (await raw.a_check(server))["updates"]
    vk_schema.event(event)
    [attachment] = event["object"]["message"]["attachments"]
    assert attachment["type"] == "photo"
    photo = attachment["photo"]
    assert photo["owner_id"] == alice.user_id
    largest = max(photo["sizes"], key=lambda size: size["width"] * size["height"])
    assert (largest["width"], largest["height"]) == (640, 640)
    async with raw.session.get(largest["url"]) as response:
        assert response.status == 200
        assert await response.read() == png
    parsed = MessageNew.model_validate(event)
    assert parsed.object.message is not None
    assert parsed.object.message.attachments is not None
    assert parsed.object.message.attachments[0].photo is not None


async def test_message_event_allow_deny_shapes(
    api: API, raw: Raw, alice: UserDriver, vk_schema: VKSchema
) -> None:
    await alice.send("hi")
    server = await raw.server()
    keyboard = (
        Keyboard(inline=True)
        .add(CallbackAction("Подтвердить", {"cmd": "ok", "id": 7}))
        .add(TextAction("Текст", {"cmd": "t"}))
    )
    await api.messages.send(
        peer_id=alice.user_id, message="?", random_id=1, keyboard=keyboard.get_json()
    )
    msg = await alice.wait_reply(1)
    await alice.press(msg.button("Подтвердить"))
    await alice.press(msg.button("Текст"))
    await alice.deny_messages()
    await alice.allow_messages()
    updates = (await raw.a_check(server))["updates"]
    assert [u["type"] for u in updates] == [
        "message_event",
        "message_new",
        "message_deny",
        "message_allow",
    ]
    for update in updates:
        vk_schema.event(update)
    event = updates[0]["object"]
    assert event["payload"] == {"cmd": "ok", "id": 7}
    assert event["user_id"] == alice.user_id
    assert event["peer_id"] == alice.peer_id
    assert event["conversation_message_id"] == msg.conversation_message_id
    parsed_event = MessageEvent.model_validate(updates[0])
    assert parsed_event.object.payload == {"cmd": "ok", "id": 7}
    pressed = updates[1]["object"]["message"]
    assert pressed["text"] == "Текст"
    assert pressed["payload"] == '{"cmd":"t"}'
    assert MessageDeny.model_validate(updates[2]).object.user_id == alice.user_id
    assert MessageAllow.model_validate(updates[3]).object.user_id == alice.user_id


async def test_history_replay_from_old_ts(raw: Raw, alice: UserDriver, bob: UserDriver) -> None:
    server = await raw.server()
    old_ts = server["ts"]
    await alice.send("1")
    first = await raw.a_check(server)
    assert [u["object"]["message"]["text"] for u in first["updates"]] == ["1"]
    await bob.send("2")
    await alice.send("3")
    # A bot that restarts with the old ts gets everything since then, in order.
    replay = await raw.a_check(server, ts=old_ts)
    assert [u["object"]["message"]["text"] for u in replay["updates"]] == ["1", "2", "3"]
    assert replay["updates"][0]["event_id"] == first["updates"][0]["event_id"]
    fresh = await raw.a_check(server, ts=first["ts"])
    assert [u["object"]["message"]["text"] for u in fresh["updates"]] == ["2", "3"]
    assert fresh["ts"] == replay["ts"]


async def test_failed_1_outside_history(raw: Raw) -> None:
    sb = VKSandbox(rate_limit=None, history=3)
    await sb.start()
    raw.sandbox = sb
    try:
        server = await raw.server()
        user = sb.add_user("Г", "Д")
        for i in range(5):
            await user.send(str(i))
        answer = await raw.a_check(server)
        assert answer == {"failed": 1, "ts": str(int(server["ts"]) + 5)}
        kept = await raw.a_check(server, ts=int(server["ts"]) + 2)
        assert [u["object"]["message"]["text"] for u in kept["updates"]] == ["2", "3", "4"]
        too_new = await raw.a_check(server, ts=int(server["ts"]) + 100)
        assert too_new["failed"] == 1
    finally:
        await sb.stop()


async def test_failed_2_wrong_key(raw: Raw) -> None:
    server = await raw.server()
    assert await raw.a_check({**server, "key": "0" * 40}) == {"failed": 2}


async def test_failed_on_demand(raw: Raw, sandbox: VKSandbox, alice: UserDriver) -> None:
    server = await raw.server()
    sandbox.faults.longpoll_failed(1)
    assert await raw.a_check(server) == {"failed": 1, "ts": server["ts"]}
    assert (await raw.a_check(server))["updates"] == []

    sandbox.faults.longpoll_failed(2)
    assert await raw.a_check(server) == {"failed": 2}
    assert await raw.a_check(server) == {"failed": 2}  # the key stays invalid
    server2 = await raw.server()
    assert server2["key"] != server["key"]
    await alice.send("kept")
    answer = await raw.a_check(server2, ts=server["ts"])  # failed 2: keep the old ts
    assert [u["object"]["message"]["text"] for u in answer["updates"]] == ["kept"]

    await alice.send("lost")
    sandbox.faults.longpoll_failed(3)
    assert await raw.a_check(server2, ts=answer["ts"]) == {"failed": 3}
    server3 = await raw.server()
    assert server3["key"] != server2["key"]
    # With the new key and ts the event sent before the failure is never seen.
    await alice.send("after")
    answer = await raw.a_check(server3)
    assert [u["object"]["message"]["text"] for u in answer["updates"]] == ["after"]


async def test_failure_wakes_held_request(raw: Raw, sandbox: VKSandbox) -> None:
    server = await raw.server()
    poll = asyncio.create_task(raw.a_check(server, wait=25))
    await asyncio.sleep(0.05)
    sandbox.faults.longpoll_failed(2)
    assert await asyncio.wait_for(poll, 1) == {"failed": 2}


async def test_redeliver_last(raw: Raw, sandbox: VKSandbox, alice: UserDriver) -> None:
    server = await raw.server()
    await alice.send("once")
    first = await raw.a_check(server)
    sandbox.faults.redeliver_last()
    again = await raw.a_check(server, ts=first["ts"], wait=5)
    assert again["ts"] == first["ts"]
    assert [u["event_id"] for u in again["updates"]] == [first["updates"][0]["event_id"]]
    assert (await raw.a_check(server, ts=again["ts"]))["updates"] == []


async def test_bot_polling_consumes_events_through_failures(
    api: API, sandbox: VKSandbox, alice: UserDriver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # BotPolling saves its ts under ./.vkbottle
    polling = BotPolling(api, wait=5)
    received: list[str] = []
    done = asyncio.Event()

    async def consume() -> None:
        async for event in polling.listen():
            for update in event["updates"]:
                received.append(update["object"]["message"]["text"])
            if len(received) >= 4:
                done.set()

    async def until(n: int) -> None:
        for _ in range(200):
            if len(received) >= n:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"the polling got {received!r}")

    async def consumed() -> None:
        for _ in range(200):
            if not sandbox.faults.longpoll_failures and not sandbox.faults.transport:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"faults left: {sandbox.faults!r}")

    task = asyncio.create_task(consume())
    try:
        await asyncio.sleep(0.1)
        await alice.send("1")
        await until(1)
        sandbox.faults.longpoll_failed(1)
        await consumed()
        await alice.send("2")
        await until(2)
        sandbox.faults.longpoll_failed(2)
        await consumed()
        await alice.send("3")
        await until(3)
        sandbox.faults.http_500(times=1)
        sandbox.faults.drop_connection(times=1)
        sandbox.faults.longpoll_failed(1)  # ends the held request so the next ones meet the faults
        await consumed()
        await alice.send("4")
        await asyncio.wait_for(done.wait(), 5)
    finally:
        polling.stop()
        task.cancel()
    assert received == ["1", "2", "3", "4"]
    assert len(sandbox.calls_to("groups.getLongPollServer")) == 2


@pytest.mark.parametrize(
    ("ts", "expected"),
    [(0, [4, 5, 6]), (4, [4, 5, 6]), (5, [5, 6]), (6, [6]), (7, []), (99, [])],
)
async def test_event_log_returns_the_kept_events_from_ts_on(ts: int, expected: list[int]) -> None:
    log = EventLog(group_id=1, history=3)
    for number in range(1, 7):
        log.append("message_new", {"n": number})
    assert [event["object"]["n"] for event in log.since(ts)] == expected
