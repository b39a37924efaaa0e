"""vkbottle's API with what it lacks: one rate limiter, retries, and a configurable URL."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from loguru import logger
from vkbottle import API
from vkbottle.http import AiohttpClient

from bot.conversation.port import interactive_calls
from bot.storage.unit import WriterHeldDuringCallError, current_unit
from bot.vk.limiter import RateLimiter

# VK errors worth another try: too many requests (6), flood control (9), internal (10).
RETRYABLE_ERRORS = frozenset({6, 9, 10})
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=20)
BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0, 6.0)


FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


def form_encoded(data: dict[str, Any]) -> bytes:
    """The parameters as a form body, every byte of each value percent-encoded.

    Valid form encoding, as any byte may be written %XX, and done in C by bytes.hex: the
    standard encoder quotes byte by byte in Python, which for the long texts of an
    `execute` (Cyrillic, quotes, JSON) cost more than the request itself."""
    return "&".join(
        f"{key}=%{str(value).encode().hex('%')}" if str(value) else f"{key}="
        for key, value in data.items()
    ).encode("ascii")


class TransientAPIError(Exception):
    """Every retry of a call failed for a reason that may pass (network, 5xx, 6/9/10)."""

    def __init__(self, method: str, reason: str, error_code: int | None = None) -> None:
        super().__init__(f"{method}: {reason}")
        self.method = method
        self.reason = reason
        self.error_code = error_code


class ResilientAPI(API):
    def __init__(
        self,
        token: str,
        api_url: str,
        rps: float,
        backoff: tuple[float, ...] = BACKOFF,
    ) -> None:
        super().__init__(token, http_client=AiohttpClient())
        self.API_URL = api_url
        self.limiter = RateLimiter(rps)
        self._backoff = backoff

    async def request(
        self, method: str, data: dict[str, Any], version: str | None = None
    ) -> dict[str, Any]:
        unit = current_unit.get()
        if unit is not None and unit.holds_writer and unit.joins_here():
            # The writer's lock would wait on the network, and every event's outcome with it.
            raise WriterHeldDuringCallError(
                f"VK {method} called while {unit.name} holds the writer"
            )
        scope = interactive_calls.get()
        if scope is None or scope.task is not asyncio.current_task():
            return await self._with_retries(method, data, version)
        scope.step_aside()
        try:
            async with asyncio.timeout(scope.deadline):
                return await self._with_retries(method, data, version)
        except TimeoutError:
            logger.warning("VK {} gave no answer within {} s", method, scope.deadline)
            raise TransientAPIError(method, f"no answer within {scope.deadline} s") from None
        finally:
            await scope.come_back()

    async def _with_retries(
        self, method: str, data: dict[str, Any], version: str | None
    ) -> dict[str, Any]:
        data = await self.validate_request(data)
        reason = "no attempt made"
        code: int | None = None
        for attempt, pause in enumerate((0.0, *self._backoff)):
            if pause:
                await asyncio.sleep(pause)
            await self.limiter.acquire()
            try:
                status, text = await self._post(method, data, version)
            except (aiohttp.ClientError, TimeoutError) as error:
                reason, code = f"network error {type(error).__name__}", None
                logger.warning("VK {} attempt {} failed: {}", method, attempt + 1, reason)
                continue
            if status >= 500:
                reason, code = f"HTTP {status}", None
                logger.warning("VK {} attempt {} failed: {}", method, attempt + 1, reason)
                continue
            try:
                parsed = json.loads(text)
            except ValueError:
                reason, code = f"HTTP {status} with a body that is not JSON", None
                logger.warning("VK {} attempt {} failed: {}", method, attempt + 1, reason)
                continue
            vk_error = parsed.get("error") if isinstance(parsed, dict) else None
            if isinstance(vk_error, dict) and vk_error.get("error_code") in RETRYABLE_ERRORS:
                code = int(vk_error["error_code"])
                reason = f"VK error {code}"
                logger.warning("VK {} attempt {} failed: {}", method, attempt + 1, reason)
                continue
            result: dict[str, Any] = await self.validate_response(method, data, parsed)
            return result
        raise TransientAPIError(method, reason, code)

    async def _post(
        self, method: str, data: dict[str, Any], version: str | None
    ) -> tuple[int, str]:
        async with self.token_generator as token:
            client: AiohttpClient = self.http_client  # type: ignore[assignment]
            async with client.request(
                self.API_URL + method,
                method="POST",
                # aiohttp takes a ready body as well; vkbottle's hint names only a dict.
                data=form_encoded(data),  # type: ignore[arg-type]
                headers=FORM_HEADERS,
                params={"access_token": token, "v": version or self.API_VERSION},
                timeout=REQUEST_TIMEOUT,
            ) as response:
                return response.status, await response.text(encoding="utf-8")

    async def close(self) -> None:
        await self.http_client.close()
