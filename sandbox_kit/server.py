"""A sandbox's local HTTP server: its life (start, stop, ``async with``) and its rate limit.

Both sandboxes serve their fake API the same way (aiohttp on a local port, the port chosen
by the system unless given) and refuse calls over a per-second limit the same way (a sliding
window of one second); only their routes, what they do on start and stop, and how they word
the refusal differ."""

from __future__ import annotations

import time
from collections import deque
from types import TracebackType
from typing import Self

from aiohttp import web


class LocalServer:
    def __init__(self, rate_limit: int | None) -> None:
        # Calls a second the fake API takes, None for no limit (tests change it at will).
        self.rate_limit = rate_limit
        self._rate_window: deque[float] = deque()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.host = "127.0.0.1"
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def make_app(self) -> web.Application:
        raise NotImplementedError

    async def _started(self) -> None:
        """Run once the port is open (nothing by default)."""

    async def _stopping(self) -> None:
        """Run before the server closes: wake whoever waits on it (nothing by default)."""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._closing = False
        self._runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.host = host
        self.port = int(self._runner.addresses[0][1])
        await self._started()

    async def stop(self) -> None:
        self._closing = True
        await self._stopping()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _within_rate(self) -> bool:
        """Counts a call; False when it is over the limit (the caller refuses it then)."""
        if self.rate_limit is None:
            return True
        now = time.monotonic()
        while self._rate_window and now - self._rate_window[0] >= 1.0:
            self._rate_window.popleft()
        if len(self._rate_window) >= self.rate_limit:
            return False
        self._rate_window.append(now)
        return True


__all__ = ["LocalServer"]
