"""The `sferum-bot` command: run | sandbox | check-config | backup."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure

EXIT_CONFIG = 2

NO_TOKEN_HELP = """\
Neither VK_TOKEN nor MAX_TOKEN is set: the bot serves VK, MAX or both.

To connect a real VK community: open the community → Manage → API usage → Access tokens,
create a token with the rights "messages" and "manage", and put it in .env as VK_TOKEN=...
To connect a MAX bot: create it with @MasterBot in MAX (business.max.ru, the platform for
partners), copy its token, and put it in .env as MAX_TOKEN=... (see .env.example and the README).

To try the bot without a VK account, run the local sandbox instead:
    sferum-bot sandbox
"""


def _settings_or_exit(env_file: str | None) -> Settings:
    try:
        return load_settings(env_file)
    except ConfigError as error:
        if any("VK_TOKEN, MAX_TOKEN" in line for line in error.lines):
            print(NO_TOKEN_HELP, file=sys.stderr)
        print("The settings are not valid:", file=sys.stderr)
        for line in error.lines:
            print(f"  {line}", file=sys.stderr)
        raise SystemExit(EXIT_CONFIG) from None


def cmd_run(args: argparse.Namespace) -> int:
    from bot.app import run_until_stopped

    settings = _settings_or_exit(args.env_file)
    configure(settings.log_level)
    asyncio.run(run_until_stopped(settings))
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = _settings_or_exit(args.env_file)
    width = max(len(name) for name in settings.masked())
    print("The settings are valid. Effective values:")
    for name, value in settings.masked().items():
        print(f"  {name.ljust(width)}  {value}")
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    from sandbox_chat import run_sandbox

    return run_sandbox(
        script=args.script,
        database=args.database,
        log_level=args.log_level,
        flood_limit=args.flood_limit,
        messenger=args.messenger,
    )


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.storage import Database

    settings = _settings_or_exit(args.env_file)
    source = settings.database_path
    if not source.exists():
        print(f"No database at {source}", file=sys.stderr)
        return 1

    async def copy() -> None:
        async with Database(source) as db:
            await db.backup(Path(args.path))

    asyncio.run(copy())
    print(f"Backup written to {args.path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sferum-bot", description=__doc__)
    parser.add_argument("--env-file", default=".env", help="settings file (default: .env)")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (VK Bots Long Poll)").set_defaults(func=cmd_run)
    sandbox = commands.add_parser(
        "sandbox",
        help="start a local VK (or MAX) sandbox and the bot against it, with a terminal chat",
    )
    sandbox.add_argument("--script", type=Path, help="play a scripted conversation, print it")
    sandbox.add_argument("--database", type=Path, help="database file (default: a temporary one)")
    sandbox.add_argument("--log-level", default="WARNING")
    sandbox.add_argument(
        "--messenger",
        choices=("vk", "max"),
        default="vk",
        help="which messenger's sandbox the bot talks to (default: vk)",
    )
    sandbox.add_argument(
        "--flood-limit",
        type=int,
        default=0,
        help="messages one person may send in 10 s (default: 0, off in the sandbox)",
    )
    sandbox.set_defaults(func=cmd_sandbox)
    commands.add_parser("check-config", help="validate and print the settings").set_defaults(
        func=cmd_check_config
    )
    backup = commands.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("path")
    backup.set_defaults(func=cmd_backup)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["run", *(argv or sys.argv[1:])])
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
