"""Fixtures for the MAX sandbox tests: a running sandbox, schema-checked HTTP access, a webhook
receiver. Every request these tests send is checked against the schema's parameters and request
bodies, and every answer and update against its models."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from max_sandbox import MaxSandbox, UserDriver

from .schema import MaxSchema, load_max_schema, schema_dir


@pytest.fixture(scope="session")
def max_schema() -> MaxSchema:
    schema = load_max_schema()
    if schema is None:
        pytest.skip(
            f"MAX API schema not found at {schema_dir()} "
            "(set MAX_API_SCHEMA_DIR to the directory holding openapi.json)"
        )
    return schema


@pytest.fixture
async def sb() -> AsyncIterator[MaxSandbox]:
    sandbox = MaxSandbox(rate_limit=None, webhook_retry_delay=0.01)
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.stop()


class Api:
    """Plain HTTP access to the sandbox; checks each request and answer against the schema."""

    def __init__(self, sb: MaxSandbox, session: aiohttp.ClientSession, schema: MaxSchema) -> None:
        self.sb = sb
        self.session = session
        self.schema = schema

    async def call(
        self,
        method: str,
        path: str,
        query: dict[str, Any] | None = None,
        body: Any = None,
        route: str | None = None,
        token: str | None = "",
        check_request: bool = True,
    ) -> tuple[int, Any]:
        """``route`` is the schema's path when ``path`` has its parameters filled in;
        ``token=None`` sends none, "" the sandbox's (in the Authorization header)."""
        params = {k: str(v) for k, v in (query or {}).items()}
        route = route or path
        if check_request:
            self.schema.request(method, route, params, body)
        headers = {}
        if token is not None:
            headers["Authorization"] = token or self.sb.token
        data = None if body is None else json.dumps(body)
        if data is not None:
            headers["Content-Type"] = "application/json"
        async with self.session.request(
            method, self.sb.api_url + path, params=params, data=data, headers=headers
        ) as r:
            answer = await r.json()
            self.schema.response(method, route, r.status, answer)
            return r.status, answer

    async def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        status, answer = await self.call(method, path, **kwargs)
        assert status == 200, answer
        return answer

    async def error(self, method: str, path: str, status: int, **kwargs: Any) -> dict[str, Any]:
        got, answer = await self.call(method, path, **kwargs)
        assert got == status, (got, answer)
        assert set(answer) >= {"code", "message"}, answer
        result: dict[str, Any] = answer
        return result

    async def updates(self, **query: Any) -> dict[str, Any]:
        answer: dict[str, Any] = await self.ok("GET", "/updates", query={"timeout": 0, **query})
        for update in answer["updates"]:
            self.schema.model("Update", update)
        return answer

    async def send(self, text: str = "hi", **query: Any) -> dict[str, Any]:
        answer: dict[str, Any] = await self.ok(
            "POST", "/messages", query=query, body={"text": text}
        )
        return answer


@pytest.fixture
async def api(sb: MaxSandbox, max_schema: MaxSchema) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(sb, session, max_schema)


class Receiver:
    """A bot's webhook endpoint: records each POST (its headers and Update); answers the
    statuses queued in ``answers`` first, then 200."""

    def __init__(self, schema: MaxSchema) -> None:
        self.schema = schema
        self.received: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.answers: list[int] = []
        self.arrived = asyncio.Event()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        self.schema.model("Update", update)
        self.received.append((dict(request.headers), update))
        self.arrived.set()
        status = self.answers.pop(0) if self.answers else 200
        return web.Response(status=status, text="ok")

    async def wait(self, count: int, timeout: float = 3.0) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def receiver(max_schema: MaxSchema) -> AsyncIterator[Receiver]:
    rec = Receiver(max_schema)
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    rec.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        yield rec
    finally:
        await runner.cleanup()


@pytest.fixture
async def alice(sb: MaxSandbox) -> UserDriver:
    """A user who has opened the bot (its bot_started is already in the updates)."""
    user = sb.add_user(first_name="Алиса", last_name="Смирнова", username="alice_s")
    await user.start()
    return user


@pytest.fixture
def bob(sb: MaxSandbox) -> UserDriver:
    return sb.add_user(first_name="Борис", last_name="Петров")
