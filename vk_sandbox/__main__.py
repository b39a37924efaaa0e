"""``python -m vk_sandbox --port 8080``: run a standalone sandbox until interrupted."""

from __future__ import annotations

import argparse

from sandbox_kit.serve import add_common_arguments, run_until_interrupted, serve_forever

from .sandbox import VKSandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m vk_sandbox", description=__doc__)
    add_common_arguments(parser, port=8080, rate_limit=20)
    parser.add_argument("--group-id", type=int, default=229000044)
    parser.add_argument("--group-name", default="Гимназия № 44 г. Твери")
    parser.add_argument("--screen-name", default="gym44tver")
    parser.add_argument("--token", default="sandbox-token")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    sandbox = VKSandbox(
        group_id=args.group_id,
        group_name=args.group_name,
        screen_name=args.screen_name,
        token=args.token,
        rate_limit=args.rate_limit or None,
    )
    await serve_forever(sandbox, args, "VK sandbox", lambda: f"group_id: {sandbox.group_id}")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    run_until_interrupted(lambda: serve(args))


if __name__ == "__main__":
    main()
