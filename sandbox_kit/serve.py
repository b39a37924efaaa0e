"""``python -m <sandbox>``: the arguments both sandboxes take, and serving until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Protocol


class Served(Protocol):
    """What ``python -m`` needs of a sandbox."""

    @property
    def api_url(self) -> str: ...

    @property
    def token(self) -> str: ...

    async def start(self, host: str = ..., port: int = ...) -> None: ...

    async def stop(self) -> None: ...

    def add_user(self, first_name: str = ..., last_name: str = ...) -> Any: ...


def add_common_arguments(parser: argparse.ArgumentParser, port: int, rate_limit: int) -> None:
    """``--host``, ``--port``, ``--rate-limit`` and ``--users``, with this sandbox's defaults."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument(
        "--rate-limit", type=int, default=rate_limit, help="API calls per second, 0 = unlimited"
    )
    parser.add_argument("--users", type=int, default=0, help="create this many users up front")


async def serve_forever(
    sandbox: Served, args: argparse.Namespace, title: str, who: Callable[[], str]
) -> None:
    """Start, add the users asked for, print how to reach the sandbox, wait for Ctrl-C."""
    await sandbox.start(host=args.host, port=args.port)
    for i in range(args.users):
        sandbox.add_user(first_name="Пользователь", last_name=str(i + 1))
    print(f"{title} API URL: {sandbox.api_url}", flush=True)
    print(f"token: {sandbox.token}", flush=True)
    print(who(), flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def run_until_interrupted(main: Callable[[], Any]) -> None:
    """Ctrl-C ends the sandbox quietly (``serve_forever``'s ``finally`` stops the server)."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())


__all__ = ["Served", "add_common_arguments", "run_until_interrupted", "serve_forever"]
