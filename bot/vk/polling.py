"""Bots Long Poll whose position (ts) lives in the database with the events it covers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Callable
from typing import Any

import aiohttp
from loguru import logger
from vkbottle import VKAPIError
from vkbottle.polling import BotPolling

REQUEST_TIMEOUT_EXTRA = 10


class StoredTsPolling(BotPolling):
    """Resumes from the ts stored with the last batch, so what arrived while the bot
    was down is fetched on start; vkbottle's own file-based ts is not used."""

    def __init__(
        self,
        *,
        group_id: int | None,
        stored_ts: str | None,
        on_gap: Callable[[int], None],
        wait: int = 25,
    ) -> None:
        super().__init__(group_id=group_id, wait=wait, skip_old_events=stored_ts is None)
        self._stored_ts = stored_ts
        self._on_gap = on_gap

    async def handle_failed_event(
        self, server: dict[str, Any], event: dict[str, Any]
    ) -> dict[str, Any]:
        # failed 1 (history outdated) and 3 (information lost) skip events for good:
        # what people wrote meanwhile has to be found in their conversations instead.
        if event.get("failed") in (1, 3):
            self._on_gap(int(event["failed"]))
        return await super().handle_failed_event(server, event)

    def restore_server_ts(self, server: dict[str, Any]) -> dict[str, Any]:
        if self._stored_ts is not None:
            server["ts"] = self._stored_ts
            # Only the first server takes the stored ts; later ones come with VK's rules.
            self._stored_ts = None
        return server

    def save_server_ts(self, server: dict[str, Any]) -> None:
        """The ts is saved by the intake together with the events of its batch."""

    async def listen(self) -> AsyncGenerator[dict[str, Any], None]:
        """vkbottle's loop, less its hop to a thread after every batch to save the ts in a
        file: here the ts is stored with the batch's events (the hop cost a thread switch
        per batch for a method that does nothing)."""
        self._stop_event = asyncio.Event()
        retry_count = 0
        server = self.restore_server_ts(await self.get_server())
        while not self._stop_event.is_set():
            try:
                server = server or await self.get_server()
                event = await self.get_event(server)
                if "failed" in event:
                    server = await self.handle_failed_event(server, event)
                    if not server:
                        retry_count = min(retry_count + 1, 60)
                        await asyncio.sleep(0.1 * retry_count)
                    continue
                if "ts" not in event:
                    server = await self.get_server()
                    continue
                server["ts"] = event["ts"]
                retry_count = 0
                if event.get("updates"):
                    yield event
            except (aiohttp.ClientConnectionError, TimeoutError, VKAPIError[10]):
                logger.error("Unable to make request to {}, retrying...", type(self).__name__)
                retry_count = min(retry_count + 1, 60)
                await asyncio.sleep(0.1 * retry_count)
            except Exception as error:
                await self.error_handler.handle(error)
                retry_count = min(retry_count + 1, 60)
                await asyncio.sleep(0.1 * retry_count)

    async def get_event(self, server: dict[str, Any]) -> dict[str, Any]:
        async with self.api.http_client.request(  # type: ignore[attr-defined]
            server["server"],
            method="POST",
            params={
                "act": "a_check",
                "key": server["key"],
                "ts": server["ts"],
                "wait": self.wait,
                "rps_delay": self.rps_delay,
            },
            timeout=aiohttp.ClientTimeout(total=self.wait + REQUEST_TIMEOUT_EXTRA),
        ) as response:
            text = await response.text(encoding="utf-8")
            status = response.status
        # The base loop retries connection errors with a growing pause and keeps the
        # current server and ts; a 5xx or a broken body is the same kind of failure.
        if status >= 500:
            raise aiohttp.ClientConnectionError(f"long poll answered HTTP {status}")
        try:
            event: dict[str, Any] = json.loads(text)
        except ValueError as error:
            raise aiohttp.ClientConnectionError(
                "long poll answered a body that is not JSON"
            ) from error
        return event
