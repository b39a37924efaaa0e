"""``python -m vk_sandbox --port 8080``: run a standalone sandbox until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .sandbox import VKSandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m vk_sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--group-id", type=int, default=229000044)
    parser.add_argument("--group-name", default="Гимназия № 44 г. Твери")
    parser.add_argument("--screen-name", default="gym44tver")
    parser.add_argument("--token", default="sandbox-token")
    parser.add_argument(
        "--rate-limit", type=int, default=20, help="API calls per second, 0 = unlimited"
    )
    parser.add_argument("--users", type=int, default=0, help="create this many users up front")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    sandbox = VKSandbox(
        group_id=args.group_id,
        group_name=args.group_name,
        screen_name=args.screen_name,
        token=args.token,
        rate_limit=args.rate_limit or None,
    )
    await sandbox.start(host=args.host, port=args.port)
    for i in range(args.users):
        sandbox.add_user(first_name="Пользователь", last_name=str(i + 1))
    print(f"VK sandbox API URL: {sandbox.api_url}", flush=True)
    print(f"token: {sandbox.token}", flush=True)
    print(f"group_id: {sandbox.group_id}", flush=True)
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
