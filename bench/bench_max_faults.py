"""What a bare maxapi echo bot and ours do when MAX fails, on the MAX sandbox's fault switches.

Each run: `--people` people each write one message at the same moment, with a fault armed
for the next that many `POST /messages` (a retry meets it too while it lasts), and then
counts the answers each person received: none (lost), one, or more (a duplicate, which
MAX's missing idempotency key makes possible). Our bot answers `/help` with one message
to people who have agreed; the echo bot answers each message with its text. The last run
has no armed fault: the sandbox's limit of 30 requests a second, and everyone writing at
once.

    python bench/bench_max_faults.py
    python bench/bench_max_faults.py --people 50 --only drop_after

Needs maxapi: `pip install -e ".[bench]"`.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from loguru import logger

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_max import agree, our_bot, quiet  # noqa: E402
from bench.maxecho import echo_bot  # noqa: E402
from bot.texts import t  # noqa: E402
from max_sandbox import MaxSandbox, UserDriver  # noqa: E402

SEND = "POST /messages"
# After everyone's first message came (or `--wait` passed): how long a duplicate may still
# take. maxapi's retries wait up to 1, 2, 4 s (full jitter); ours reads the chat back first.
DUPLICATE_WAIT = 8.0


@dataclass(frozen=True)
class Scenario:
    name: str
    what: str  # what the fault does, for the table
    arm: Callable[[MaxSandbox, int], object]
    rate_limit: int | None = None


SCENARIOS = [
    Scenario("none", "no fault", lambda sb, n: None),
    Scenario(
        "error_after_503",
        "stored and delivered, then answered 503",
        lambda sb, n: sb.faults.error_after(503, times=n, methods=SEND),
    ),
    Scenario(
        "drop_after",
        "stored and delivered, then the connection dropped",
        lambda sb, n: sb.faults.drop_after(times=n, methods=SEND),
    ),
    Scenario(
        "error_after_500",
        "stored and delivered, then answered 500",
        lambda sb, n: sb.faults.error_after(500, times=n, methods=SEND),
    ),
    Scenario(
        "error_before_503",
        "answered 503 with no effect",
        lambda sb, n: sb.faults.error_before(503, times=n, methods=SEND),
    ),
    Scenario(
        "too_many",
        "answered 429 with no effect",
        lambda sb, n: sb.faults.too_many_requests(times=n, methods=SEND),
    ),
    Scenario("limit_30", "MAX's 30 requests a second, all at once", lambda sb, n: None, 30),
]


def answers(
    users: list[UserDriver], before: list[int], answer: Callable[[int, str], bool]
) -> list[int]:
    """How many messages each person received since `before` that answer what they wrote
    (other messages, such as a late one of the consent round, are not counted)."""
    return [
        sum(1 for m in user.messages[b:] if answer(i, m.text))
        for i, (user, b) in enumerate(zip(users, before, strict=True))
    ]


@dataclass
class Outcome:
    bot: str
    people: int
    counts: list[int] = field(default_factory=list)  # messages each person received
    seconds: float = 0.0
    raised: str = ""

    @property
    def lost(self) -> int:
        return sum(1 for n in self.counts if n == 0)

    @property
    def once(self) -> int:
        return sum(1 for n in self.counts if n == 1)

    @property
    def twice(self) -> int:
        return sum(1 for n in self.counts if n >= 2)


async def settle(
    counts: Callable[[], list[int]], wait: float, late: float = DUPLICATE_WAIT
) -> float:
    """Waits until everyone has their answer (or `wait` passed), then for late duplicates;
    returns the seconds until the last first answer came."""
    started = time.perf_counter()
    while time.perf_counter() - started < wait:
        if all(counts()):
            break
        await asyncio.sleep(0.02)
    last = time.perf_counter() - started
    await asyncio.sleep(late)
    return last


async def run_echo(scenario: Scenario, people: int, wait: float, late: float) -> Outcome:
    async with MaxSandbox(rate_limit=scenario.rate_limit) as sandbox:
        users = [sandbox.add_user(first_name="Эхо", last_name=f"Тестов{i}") for i in range(people)]
        for user in users:
            await user.start()
        async with echo_bot(sandbox) as stats:
            before = [len(u.messages) for u in users]
            scenario.arm(sandbox, people)
            await asyncio.gather(*(u.send(f"привет {i}") for i, u in enumerate(users)))
            echoed = functools.partial(answers, users, before)
            counts = functools.partial(echoed, lambda i, text: text == f"привет {i}")
            seconds = await settle(counts, wait, late)
        outcome = Outcome("echo bot", people, seconds=seconds)
        outcome.counts = counts()
        outcome.raised = ", ".join(f"{k}: {v}" for k, v in sorted(stats.errors.items()))
        return outcome


async def run_ours(scenario: Scenario, people: int, wait: float, late: float) -> Outcome:
    async with MaxSandbox(rate_limit=scenario.rate_limit) as sandbox:
        users = [
            sandbox.add_user(first_name="Анна", last_name=f"Тестова{i}") for i in range(people)
        ]
        with tempfile.TemporaryDirectory() as folder:
            async with our_bot(sandbox, Path(folder) / "b.sqlite3"):
                await asyncio.gather(*map(agree, users))
                await asyncio.gather(*map(quiet, users))
                before = [len(u.messages) for u in users]
                scenario.arm(sandbox, people)
                await asyncio.gather(*(u.send("/help") for u in users))
                header = t("help_header")
                counts = functools.partial(
                    answers, users, before, lambda i, text: text.startswith(header)
                )
                seconds = await settle(counts, wait, late)
        outcome = Outcome("sferum-bot", people, seconds=seconds)
        outcome.counts = counts()
        return outcome


async def main(args: argparse.Namespace) -> None:
    logger.remove()
    logger.add(sys.stderr, level=os.environ.get("BENCH_LOG", "CRITICAL"))
    logging.disable(logging.CRITICAL if "BENCH_LOG" not in os.environ else logging.NOTSET)
    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only]
    print(f"people={args.people} (each writes once; the fault is armed for {args.people} sends)")
    print(
        f"{'fault':<17} {'bot':<11} {'nothing':>7} {'once':>5} {'twice':>5} {'last s':>7}"
        "  maxapi raised"
    )
    for scenario in chosen:
        for run in (run_echo, run_ours):
            outcome = await run(scenario, args.people, args.wait, args.late)
            print(
                f"{scenario.name:<17} {outcome.bot:<11} {outcome.lost:>7} {outcome.once:>5}"
                f" {outcome.twice:>5} {outcome.seconds:>7.2f}  {outcome.raised or '-'}",
                flush=True,
            )
    print("nothing: the person got no answer; twice: the same answer two times or more")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument(
        "--wait", type=float, default=15.0, help="seconds to wait for everyone's answer"
    )
    parser.add_argument(
        "--late",
        type=float,
        default=DUPLICATE_WAIT,
        help="seconds to wait after everyone's answer for duplicates",
    )
    parser.add_argument(
        "--only", nargs="*", choices=[s.name for s in SCENARIOS], help="these faults only"
    )
    asyncio.run(main(parser.parse_args()))
