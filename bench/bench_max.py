"""The realistic mix end to end through the local MAX sandbox, beside a bare maxapi echo bot.

The same closed loop as bench_help.py (each simulated parent does a step, waits for the
bot's answer, does the next: /help, /duties, a join request through its dialog which the
class teacher approves at once, /chats, /requests), on MAX: our bot on MAX only, and an echo
bot written with `maxapi` (bench/maxecho.py) that gets the same texts. Prints replies per
second, latency percentiles and lost replies for both, and their ratio.

    python bench/bench_max.py                 # rate limit off: the CPU cost of our layers
    python bench/bench_max.py --rate-limit 30 # MAX's 30 requests a second

Needs maxapi: `pip install -e ".[bench]"`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from loguru import logger

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.maxecho import EchoStats, echo_bot  # noqa: E402
from bench.mix import (  # noqa: E402
    Result,
    Tally,
    class_names,
    decide_requests,
    drive,
    one_round,
    print_header,
    seed_school,
    wait_for_staff,
)
from bot.app import Application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.conversation.identity import max_account  # noqa: E402
from bot.texts import BUTTONS  # noqa: E402
from max_sandbox import MaxSandbox, UserDriver  # noqa: E402

# How long a first contact's messages take to come, untimed (consent, a teacher's greeting).
SETTLE_SECONDS = 0.5


async def quiet(user: UserDriver, within: float = SETTLE_SECONDS) -> int:
    """Reads what the bot still writes to `user` until it is silent for `within` seconds."""
    count = 0
    while True:
        try:
            await user.wait_reply(timeout=within)
        except AssertionError:
            return count
        count += 1


async def run_echo(
    sandbox: MaxSandbox,
    users: list[UserDriver],
    classes: list[str],
    args: argparse.Namespace,
) -> tuple[Result, EchoStats]:
    # Everyone has opened the bot (bot_started, which an echo bot leaves unanswered).
    for user in users:
        await user.start()
    async with echo_bot(sandbox, defaults=args.echo_defaults) as stats:
        if sandbox.rate_limit is None:
            # Untimed, as our bot's consent round is: everyone's first message and its
            # answer, so neither bot's timed run pays for first-time work. Not under the
            # limit, where the echo bot loses some of them.
            await asyncio.gather(*(user.send("/start") for user in users))
            await asyncio.gather(*(user.wait_reply(timeout=60) for user in users))
        tally, seconds = await drive(
            users, classes, args.rounds, args.wait, echo=True, light=args.light
        )
    sent = len(users) * args.rounds * len(one_round(0, 0, classes, args.light))
    result = Result("echo bot", sent, tally.answered, seconds, tally.latencies, tally.cpu_seconds)
    return result, stats


@contextlib.asynccontextmanager
async def our_bot(sandbox: MaxSandbox, db: Path) -> AsyncIterator[Application]:
    """Our bot on MAX only, against the sandbox, until the block ends. With the sandbox's
    limit off, our own limiter is lifted too: a run then measures the cost of our layers,
    not MAX's limit (at 1,000 a second it still spaced the calls of a busy run, about one
    timer a request, and capped it near 700 replies a second)."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        max_token=sandbox.token,
        max_api_url=sandbox.api_url,
        database_path=db,
        max_rps=sandbox.rate_limit or 100_000,
        flood_limit=0,
    )
    app = Application(settings)
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


async def agree(user: UserDriver) -> None:
    """Untimed: `user` opens the bot and agrees to the processing of their data."""
    await user.start()
    greeting = await user.wait_replies(2, timeout=120)
    await user.press(greeting[-1].button(BUTTONS["agree"]))
    await user.wait_event_answer(timeout=120)
    # Thanks, and what to do next (no class yet).
    await user.wait_replies(2, timeout=120)


async def run_ours(
    sandbox: MaxSandbox,
    users: list[UserDriver],
    teachers: list[UserDriver],
    classes: list[str],
    args: argparse.Namespace,
    db: Path,
) -> Result:
    async with our_bot(sandbox, db) as app:
        await seed_school(app, classes, teachers, max_account)

        # Untimed: everyone has opened the bot and agreed, as real users have; the class
        # teachers (seeded with their consent) have opened it too.
        async def say_hello(teacher: UserDriver) -> None:
            await teacher.start()
            await teacher.wait_reply(timeout=120)

        await asyncio.gather(*(agree(user) for user in users), *map(say_hello, teachers))
        await asyncio.gather(*map(quiet, [*users, *teachers]))
        done = asyncio.Event()
        staff = Tally()
        deciding = [
            asyncio.create_task(decide_requests(teacher, staff, done)) for teacher in teachers
        ]
        tally, seconds = await drive(users, classes, args.rounds, args.wait, False, args.light)
        await wait_for_staff(staff, args.wait)
        done.set()
        await asyncio.gather(*deciding)
    sent = tally.expected + staff.expected
    answered = tally.answered + staff.answered
    return Result("sferum-bot", sent, answered, seconds, tally.latencies, tally.cpu_seconds)


async def main(args: argparse.Namespace) -> None:
    logger.remove()
    logger.add(sys.stderr, level=os.environ.get("BENCH_LOG", "CRITICAL"))
    # maxapi logs each reply it gives up on through the standard logging module.
    logging.disable(logging.CRITICAL if "BENCH_LOG" not in os.environ else logging.NOTSET)
    rate_limit = args.rate_limit or None
    mix = "light" if args.light else "full"
    echo_kind = "defaults" if args.echo_defaults else "concurrent"
    print(
        f"people={args.people} rounds={args.rounds} rate_limit={rate_limit or 'off'} mix={mix}"
        f" echo={echo_kind}"
    )
    print_header()
    classes = class_names(args.people)
    async with MaxSandbox(rate_limit=rate_limit) as sandbox:
        echo_users = [
            sandbox.add_user(first_name="Эхо", last_name=f"Тестов{i}") for i in range(args.people)
        ]
        echo, stats = await run_echo(sandbox, echo_users, classes, args)
        print(echo.row())
        our_users = [
            sandbox.add_user(first_name="Анна", last_name=f"Тестова{i}") for i in range(args.people)
        ]
        teachers = [
            sandbox.add_user(first_name="Елена", last_name=f"Учителева{i}")
            for i in range(len(classes))
        ]
        with tempfile.TemporaryDirectory() as folder:
            ours = await run_ours(
                sandbox, our_users, teachers, classes, args, Path(folder) / "b.sqlite3"
            )
        print(ours.row())
    failed = ", ".join(f"{name}: {n}" for name, n in sorted(stats.errors.items())) or "none"
    print(f"echo bot's failed sends (maxapi raised): {stats.failed} ({failed})")
    print(f"ratio (ours / echo, replies per second): {ours.rate / echo.rate:.2f}")
    print(f"ratio (echo / ours, CPU per reply): {echo.cpu_per_reply / ours.cpu_per_reply:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument(
        "--rate-limit", type=int, default=None, help="the sandbox's requests a second (MAX: 30)"
    )
    parser.add_argument(
        "--light", action="store_true", help="leave the join request and its decision out"
    )
    parser.add_argument("--wait", type=float, default=15.0, help="seconds to wait for a reply")
    parser.add_argument(
        "--echo-defaults",
        action="store_true",
        help="the echo bot with maxapi's defaults (one update at a time, GET /chats first)",
    )
    asyncio.run(main(parser.parse_args()))
