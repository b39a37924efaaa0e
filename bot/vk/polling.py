"""Bots Long Poll, our own small loop: its position (ts) lives in the database with the
events it covers, so what arrived while the bot was down is fetched on start.

Only public pieces are used: `groups.getLongPollServer` through the API client's `request`,
and the long-poll request through its HTTP client. VK's `failed` answers are handled as VK
documents them: 1 — take the ts given and go on (events were lost), 2 — the key expired,
get a new one and keep the ts, 3 — information lost, get a new key and ts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
from loguru import logger

from bot.vk.api import ResilientAPI

REQUEST_TIMEOUT_EXTRA = 10
MAX_WAIT = 90
# A growing pause after each failed request, up to this many tenths of a second.
MAX_RETRY_STEPS = 60


class LongPoll:
    def __init__(
        self,
        api: ResilientAPI,
        group_id: int,
        stored_ts: str | None,
        on_gap: Callable[[int], None],
        wait: int = 25,
    ) -> None:
        self._api = api
        self._group_id = group_id
        self._stored_ts = stored_ts
        self._on_gap = on_gap
        self._wait = min(wait, MAX_WAIT)

    async def server(self) -> dict[str, Any]:
        response = await self._api.request("groups.getLongPollServer", {"group_id": self._group_id})
        server: dict[str, Any] = response["response"]
        return server

    async def listen(self) -> AsyncIterator[tuple[list[dict[str, Any]], str]]:
        """Batches of updates with the ts that follows them, for as long as it is iterated.

        The first server takes the stored ts (VK's current one on the very first start)."""
        server = await self.server()
        if self._stored_ts is not None:
            server["ts"] = self._stored_ts
        retries = 0
        while True:
            try:
                if not server:
                    server = await self.server()
                answer = await self.check(server)
                if "failed" in answer:
                    server = await self._after_failure(server, answer)
                    continue
                if "ts" not in answer:
                    server = await self.server()
                    continue
                server["ts"] = answer["ts"]
                retries = 0
                if answer.get("updates"):
                    yield answer["updates"], str(answer["ts"])
            except (aiohttp.ClientConnectionError, TimeoutError) as error:
                logger.error("Long poll request failed ({}), retrying", type(error).__name__)
                retries = min(retries + 1, MAX_RETRY_STEPS)
                await asyncio.sleep(0.1 * retries)
            except Exception as error:
                logger.warning("Long poll error: {}: {}", type(error).__name__, error)
                retries = min(retries + 1, MAX_RETRY_STEPS)
                await asyncio.sleep(0.1 * retries)

    async def _after_failure(
        self, server: dict[str, Any], answer: dict[str, Any]
    ) -> dict[str, Any]:
        failed = answer.get("failed")
        if failed in (1, 3):
            # Events were skipped for good: what people wrote meanwhile has to be found in
            # their conversations instead.
            self._on_gap(int(failed))
        if failed == 1:
            return {**server, "ts": answer["ts"]}
        if failed == 2:
            return {**(await self.server()), "ts": server["ts"]}
        if failed == 3:
            return await self.server()
        logger.error("Long poll answered an unknown failure {!r}", failed)
        await asyncio.sleep(1.0)
        return await self.server()

    async def check(self, server: dict[str, Any]) -> dict[str, Any]:
        async with self._api.http_client.request(  # type: ignore[attr-defined]
            server["server"],
            method="POST",
            params={"act": "a_check", "key": server["key"], "ts": server["ts"], "wait": self._wait},
            timeout=aiohttp.ClientTimeout(total=self._wait + REQUEST_TIMEOUT_EXTRA),
        ) as response:
            text = await response.text(encoding="utf-8")
            status = response.status
        # A 5xx or a broken body is a failed request like a dropped connection: retried with
        # a growing pause, keeping the current server and ts.
        if status >= 500:
            raise aiohttp.ClientConnectionError(f"long poll answered HTTP {status}")
        try:
            answer: dict[str, Any] = json.loads(text)
        except ValueError as error:
            raise aiohttp.ClientConnectionError(
                "long poll answered a body that is not JSON"
            ) from error
        return answer
