"""``python -m max_sandbox --port 8090``: run a standalone MAX sandbox until interrupted."""

from __future__ import annotations

import argparse

from sandbox_kit.serve import add_common_arguments, run_until_interrupted, serve_forever

from .sandbox import MaxSandbox


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m max_sandbox", description=__doc__)
    add_common_arguments(parser, port=8090, rate_limit=30)
    parser.add_argument("--token", default="max-sandbox-token")
    parser.add_argument("--bot-name", default="Гимназия № 44")
    parser.add_argument("--bot-username", default="gym44_bot")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    sandbox = MaxSandbox(
        token=args.token,
        bot_name=args.bot_name,
        bot_username=args.bot_username,
        rate_limit=args.rate_limit or None,
    )
    await serve_forever(
        sandbox, args, "MAX sandbox", lambda: f"bot: @{sandbox.bot_username} ({sandbox.bot_id})"
    )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    run_until_interrupted(lambda: serve(args))


if __name__ == "__main__":
    main()
