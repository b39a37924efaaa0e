"""Fault switches and the rate limit."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from vkbottle import API, VKAPIError
from vkbottle.api.request_rescheduler import BlockingRequestRescheduler

from vk_sandbox import UserDriver, VKSandbox

from .conftest import Raw


async def test_rate_limit_21_calls_in_one_second(raw: Raw, sandbox: VKSandbox) -> None:
    sandbox.rate_limit = 20
    answers = await asyncio.gather(*(raw.call("groups.getById") for _ in range(21)))
    errors = [a["error"] for a in answers if "error" in a]
    assert len(errors) == 1
    assert errors[0]["error_code"] == 6
    assert errors[0]["error_msg"] == "Too many requests per second"
    await asyncio.sleep(1.0)
    assert "response" in await raw.call("groups.getById")
    sandbox.rate_limit = None
    answers = await asyncio.gather(*(raw.call("groups.getById") for _ in range(40)))
    assert all("response" in a for a in answers)


async def test_rate_limit_ignores_long_poll_and_uploads(raw: Raw, sandbox: VKSandbox) -> None:
    server = await raw.server()
    sandbox.rate_limit = 1
    for _ in range(5):
        await raw.a_check(server)
    async with raw.session.post(f"{sandbox.base_url}/upload/doc", data=aiohttp.FormData({})):
        pass
    assert "response" in await raw.call("groups.getById")
    assert (await raw.call("groups.getById"))["error"]["error_code"] == 6


async def test_api_error_fault(api: API, raw: Raw, sandbox: VKSandbox) -> None:
    sandbox.faults.api_error(10, times=2, methods=["users.get"])
    assert "response" in await raw.call("groups.getById")
    assert (await raw.error("users.get"))["error_code"] == 10
    assert (await raw.error("users.get"))["error_msg"] == "Internal server error"
    assert "response" in await raw.call("users.get")
    sandbox.faults.api_error(9)
    with pytest.raises(VKAPIError[9]):
        await api.groups.get_by_id()
    sandbox.faults.api_error(6, times=5)
    sandbox.faults.clear()
    assert "response" in await raw.call("groups.getById")


async def test_http_500(raw: Raw, sandbox: VKSandbox) -> None:
    sandbox.faults.http_500(times=1, methods="groups.getById")
    async with raw.session.post(sandbox.api_url + "users.get") as response:
        assert response.status == 200  # other methods are unaffected
    url = f"{sandbox.api_url}groups.getById?access_token={sandbox.token}&v=5.199"
    async with raw.session.post(url) as response:
        assert response.status == 500
        assert response.content_type == "text/html"
        assert "500 Internal Server Error" in await response.text()
    async with raw.session.post(url) as response:
        assert response.status == 200
    server = await raw.server()
    sandbox.faults.http_500()  # methods=None: long poll too
    async with raw.session.post(
        server["server"], params={"act": "a_check", "key": server["key"], "ts": server["ts"]}
    ) as response:
        assert response.status == 500


async def test_vkbottle_retries_after_http_500(api: API, sandbox: VKSandbox) -> None:
    api.request_rescheduler = BlockingRequestRescheduler(delay=0.05)  # type: ignore[arg-type]
    sandbox.faults.http_500(times=1, methods=["groups.getById"])
    groups = await api.groups.get_by_id()
    assert groups.groups[0].id == sandbox.group_id


async def test_drop_connection(raw: Raw, sandbox: VKSandbox) -> None:
    sandbox.faults.drop_connection(times=1, methods=["groups.getById"])
    with pytest.raises(aiohttp.ClientConnectionError):
        await raw.call("groups.getById")
    assert "response" in await raw.call("groups.getById")
    server = await raw.server()
    sandbox.faults.drop_connection()
    with pytest.raises(aiohttp.ClientConnectionError):
        await raw.a_check(server)
    assert "updates" in await raw.a_check(server)


async def test_slow(raw: Raw, sandbox: VKSandbox, alice: UserDriver) -> None:
    sandbox.faults.slow(0.3, times=1, methods=["messages.send"])
    started = time.monotonic()
    await raw.call("groups.getById")
    assert time.monotonic() - started < 0.2
    await alice.send("hi")
    started = time.monotonic()
    await raw.call("messages.send", peer_id=alice.user_id, message="x", random_id=0)
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    await raw.call("messages.send", peer_id=alice.user_id, message="y", random_id=0)
    assert time.monotonic() - started < 0.2
    sandbox.faults.slow(2)
    timeout = aiohttp.ClientTimeout(total=0.2)
    with pytest.raises(asyncio.TimeoutError):
        await raw.session.post(sandbox.api_url + "groups.getById", timeout=timeout)
    sandbox.faults.clear()
