"""``python -m max_sandbox --port 8090``: run a standalone MAX sandbox until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .sandbox import MaxSandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m max_sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--token", default="max-sandbox-token")
    parser.add_argument("--bot-name", default="Гимназия № 44")
    parser.add_argument("--bot-username", default="gym44_bot")
    parser.add_argument(
        "--rate-limit", type=int, default=30, help="API calls per second, 0 = unlimited"
    )
    parser.add_argument("--users", type=int, default=0, help="create this many users up front")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    sandbox = MaxSandbox(
        token=args.token,
        bot_name=args.bot_name,
        bot_username=args.bot_username,
        rate_limit=args.rate_limit or None,
    )
    await sandbox.start(host=args.host, port=args.port)
    for i in range(args.users):
        sandbox.add_user(first_name="Пользователь", last_name=str(i + 1))
    print(f"MAX sandbox API URL: {sandbox.api_url}", flush=True)
    print(f"token: {sandbox.token}", flush=True)
    print(f"bot: @{sandbox.bot_username} ({sandbox.bot_id})", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
