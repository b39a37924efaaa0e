"""Fault switches and the rate limit: what a client sees, and what the sandbox stored."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from max_sandbox import MaxSandbox, UserDriver

from .conftest import Api


async def test_at_most_30_requests_a_second_then_429(api: Api, sb: MaxSandbox) -> None:
    sb.rate_limit = 30
    statuses = [(await api.call("GET", "/me"))[0] for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    error = await api.error("GET", "/me", 429)
    assert error["code"] == "too.many.requests"
    assert not sb.calls[-1].ok and sb.calls[-1].status == 429


async def test_429_for_the_next_calls_of_one_endpoint(api: Api, sb: MaxSandbox) -> None:
    fault = sb.faults.too_many_requests(times=2, methods="POST /messages")
    await api.ok("GET", "/me")
    await api.error("POST", "/messages", 429, body={"text": "x"}, query={"user_id": 1})
    await api.error("POST", "/messages", 429, body={"text": "x"}, query={"user_id": 1})
    assert fault.fired == 2
    await api.error("POST", "/messages", 404, body={"text": "x"}, query={"user_id": 1})


async def test_a_5xx_before_the_effect_stores_nothing(
    api: Api, sb: MaxSandbox, alice: UserDriver
) -> None:
    sb.faults.error_before(503, methods="/messages")
    error = await api.error(
        "POST", "/messages", 503, body={"text": "x"}, query={"user_id": alice.user_id}
    )
    assert error["code"] == "service.unavailable"
    assert sb.sent == [] and alice.unread == []


async def test_a_5xx_after_the_effect_leaves_the_message_sent_once(
    api: Api, sb: MaxSandbox, alice: UserDriver
) -> None:
    sb.faults.error_after(500, methods="POST /messages")
    query = {"user_id": alice.user_id}
    await api.error("POST", "/messages", 500, body={"text": "Собрание в 18:00"}, query=query)
    read = await api.ok("GET", "/messages", query={"chat_id": alice.dialog_id})
    assert [m["body"]["text"] for m in read["messages"]] == ["Собрание в 18:00"]
    assert [m.text for m in await alice.wait_replies(1)] == ["Собрание в 18:00"]
    await alice.expect_silence(0.05)


async def test_a_dropped_connection_after_the_effect(
    api: Api, sb: MaxSandbox, alice: UserDriver
) -> None:
    sb.faults.drop_after(methods="POST /messages")
    with pytest.raises(aiohttp.ClientError):
        await api.call(
            "POST", "/messages", body={"text": "Оплата"}, query={"user_id": alice.user_id}
        )
    read = await api.ok("GET", "/messages", query={"chat_id": alice.dialog_id})
    assert [m["body"]["text"] for m in read["messages"]] == ["Оплата"]
    assert len(alice.messages) == 1
    assert sb.calls_to("POST /messages")[0].ok is False


async def test_a_dropped_connection_before_the_effect(
    api: Api, sb: MaxSandbox, alice: UserDriver
) -> None:
    sb.faults.drop_before()
    with pytest.raises(aiohttp.ClientError):
        await api.call("POST", "/messages", body={"text": "x"}, query={"user_id": alice.user_id})
    assert sb.sent == []


async def test_a_slow_answer(api: Api, sb: MaxSandbox) -> None:
    sb.faults.slow(0.3, methods="GET /me")
    loop = asyncio.get_running_loop()
    started = loop.time()
    await api.ok("GET", "/me")
    assert loop.time() - started >= 0.3
    started = loop.time()
    await api.ok("GET", "/me")
    assert loop.time() - started < 0.3


async def test_an_outage_lasts_until_cleared(api: Api, sb: MaxSandbox) -> None:
    fault = sb.faults.outage()
    for _ in range(3):
        await api.error("GET", "/me", 503)
    sb.faults.clear()
    await api.ok("GET", "/me")
    assert fault.fired == 3


async def test_an_attachment_not_ready_yet(api: Api, sb: MaxSandbox, alice: UserDriver) -> None:
    endpoint = await api.ok("POST", "/uploads", query={"type": "file"})
    form = aiohttp.FormData()
    form.add_field("data", b"1;2", filename="a.csv")
    async with api.session.post(endpoint["url"], data=form) as r:
        token = (await r.json())["token"]
    sb.faults.attachment_not_ready()
    body = {"text": "Список", "attachments": [{"type": "file", "payload": {"token": token}}]}
    query = {"user_id": alice.user_id}
    error = await api.error("POST", "/messages", 400, body=body, query=query)
    assert error["code"] == "attachment.not.ready"
    await api.ok("POST", "/messages", body=body, query=query)
