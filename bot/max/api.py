"""Our own small client of the MAX Bot API: one limiter for the whole process, retries only
where a call is safe to repeat, errors with their HTTP status.

Why not `maxapi` (1.2.3): it retries 502/503/504 for every method, `POST /messages` included,
so a send whose answer was lost goes out twice (MAX takes no idempotency key); it has no
client-side limit, so under MAX's 30 requests a second a 429 reaches the caller as an error
and the reply is dropped; and its pydantic models are stricter than the schema in places. The
few calls the bot makes are simpler to own than to wrap."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
from loguru import logger

from bot.conversation.port import interactive_calls
from bot.storage.unit import WriterHeldDuringCallError, current_unit

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=20)
BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0, 6.0)
# A long poll's own wait comes on top of the usual timeout.
POLL_TIMEOUT_EXTRA = 10.0


class MaxAPIError(Exception):
    """MAX refused the call: the HTTP status and MAX's `{"code", "message"}`."""

    def __init__(self, status: int, code: str, message: str, path: str = "") -> None:
        super().__init__(f"{path}: HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class TransientMaxError(Exception):
    """Every retry of a call failed for a reason that may pass (network, 5xx, 429)."""

    def __init__(self, path: str, reason: str, status: int | None = None) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.status = status


class AmbiguousSendError(TransientMaxError):
    """A call that must not be repeated blindly failed in a way that leaves its effect
    unknown (a 5xx, a dropped connection, a timeout): the message may have gone."""


class EvenLimiter:
    """At most `rate` call starts a second, spaced evenly: each start takes the next slot
    `1/rate` after the one before, so a queue never bursts at a window's edge (MAX counts
    requests a second; thirty at once would be over at any window boundary)."""

    def __init__(self, rate: float, margin: float = 0.03) -> None:
        # A little under the rate: network jitter must not push one call too many into a
        # second as MAX counts it.
        self._interval = (1.0 + margin) / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            await asyncio.sleep(start - now)


def _error_of(status: int, text: str, path: str) -> MaxAPIError:
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        return MaxAPIError(
            status, str(body.get("code") or ""), str(body.get("message") or ""), path
        )
    return MaxAPIError(status, "", text[:200], path)


class MaxAPI:
    def __init__(
        self, token: str, api_url: str, rps: float, backoff: tuple[float, ...] = BACKOFF
    ) -> None:
        self._token = token
        self.api_url = api_url.rstrip("/")
        self.limiter = EvenLimiter(rps)
        self._backoff = backoff
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def request(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
        repeatable: bool = True,
        poll_wait: float | None = None,
    ) -> Any:
        """The call's JSON answer. `repeatable=False` (a send): only failures that prove the
        call had no effect (429, a connection never made) are retried; any other failure
        raises AmbiguousSendError for the caller to find out what happened."""
        unit = current_unit.get()
        if unit is not None and unit.holds_writer and unit.joins_here():
            raise WriterHeldDuringCallError(f"MAX {path} called while {unit.name} holds the writer")
        scope = interactive_calls.get()
        if scope is None or scope.task is not asyncio.current_task():
            return await self._with_retries(method, path, params, body, repeatable, poll_wait)
        scope.step_aside()
        try:
            async with asyncio.timeout(scope.deadline):
                return await self._with_retries(method, path, params, body, repeatable, poll_wait)
        except TimeoutError:
            logger.warning("MAX {} {} gave no answer within {} s", method, path, scope.deadline)
            if not repeatable:
                raise AmbiguousSendError(path, f"no answer within {scope.deadline} s") from None
            raise TransientMaxError(path, f"no answer within {scope.deadline} s") from None
        finally:
            await scope.come_back()

    async def _with_retries(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        body: Any,
        repeatable: bool,
        poll_wait: float | None,
    ) -> Any:
        reason, status = "no attempt made", None
        query = {key: str(value) for key, value in (params or {}).items() if value is not None}
        for attempt, pause in enumerate((0.0, *self._backoff)):
            if pause:
                await asyncio.sleep(pause)
            await self.limiter.acquire()
            try:
                status, text = await self._call(method, path, query, body, poll_wait)
            except aiohttp.ClientConnectorError as error:
                # The connection was never made: nothing reached MAX, safe to try again.
                reason, status = f"network error {type(error).__name__}", None
            except (aiohttp.ClientError, TimeoutError) as error:
                reason, status = f"network error {type(error).__name__}", None
                if not repeatable:
                    raise AmbiguousSendError(path, reason) from error
            else:
                if status == 200:
                    return json.loads(text) if text.strip() else {}
                if status == 429:
                    reason = "HTTP 429"
                elif status >= 500:
                    reason = f"HTTP {status}"
                    if not repeatable:
                        raise AmbiguousSendError(path, reason, status)
                else:
                    raise _error_of(status, text, path)
            logger.warning("MAX {} {} attempt {} failed: {}", method, path, attempt + 1, reason)
        raise TransientMaxError(path, reason, status)

    async def _call(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: Any,
        poll_wait: float | None,
    ) -> tuple[int, str]:
        headers = {"Authorization": self._token}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        client_timeout = (
            REQUEST_TIMEOUT
            if poll_wait is None
            else aiohttp.ClientTimeout(total=poll_wait + POLL_TIMEOUT_EXTRA)
        )
        async with self.session.request(
            method,
            self.api_url + path,
            params=query,
            data=data,
            headers=headers,
            timeout=client_timeout,
        ) as response:
            return response.status, await response.text(encoding="utf-8")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
