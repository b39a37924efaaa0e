"""A realistic mix end to end through the local VK sandbox, beside a bare vkbottle echo bot.

Each simulated person sends a message, waits for the answer, and sends the next one. Prints
replies per second, latency percentiles and lost replies for both bots, and their ratio.

    python bench/bench_help.py                 # rate limit off: the CPU cost of our layers
    python bench/bench_help.py --rate-limit 20 # VK's 20 calls a second
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from loguru import logger
from vkbottle import API, Bot
from vkbottle.bot import Message

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import Application  # noqa: E402
from bot.config import Settings  # noqa: E402
from vk_sandbox import UserDriver, VKSandbox  # noqa: E402

GROUP_ID = 229000044
# A realistic mix of what people send: help, their duties, their chats, support, a list.
MIX = "/help|/duties|/chats|/support|/requests"


@dataclass
class Result:
    name: str
    sent: int
    answered: int
    seconds: float
    latencies: list[float]

    def row(self) -> str:
        lat = sorted(self.latencies) or [float("nan")]
        p50 = statistics.median(lat)
        p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        rate = self.answered / self.seconds if self.seconds else 0.0
        lost = self.sent - self.answered
        return (
            f"{self.name:<12} {self.sent:>6} {self.answered:>8} {lost:>5} "
            f"{rate:>10.1f} {p50 * 1000:>9.1f} {p95 * 1000:>9.1f} {p99 * 1000:>9.1f}"
        )

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


async def drive(users: list[UserDriver], text: str, rounds: int, wait: float) -> Result:
    """Each person sends, waits for the answer, sends again. `text` may be several commands
    separated by `|`: a person cycles through them (a realistic mix)."""
    commands = text.split("|")
    latencies: list[float] = []
    answered = 0

    async def person(user: UserDriver) -> None:
        nonlocal answered
        for index in range(rounds):
            started = time.perf_counter()
            await user.send(commands[index % len(commands)])
            try:
                await user.wait_reply(timeout=wait)
            except AssertionError:
                continue
            latencies.append(time.perf_counter() - started)
            answered += 1

    started = time.perf_counter()
    await asyncio.gather(*(person(user) for user in users))
    return Result("", len(users) * rounds, answered, time.perf_counter() - started, latencies)


async def run_echo(sandbox: VKSandbox, users: list[UserDriver], rounds: int, wait: float) -> Result:
    api = API(sandbox.token)
    api.API_URL = sandbox.api_url
    echo = Bot(api=api)

    @echo.on.message()
    async def answer(message: Message) -> None:
        await message.answer(message.text)

    task = asyncio.create_task(echo.run_polling())
    await asyncio.sleep(0.3)
    try:
        result = await drive(users, MIX, rounds, wait)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await api.http_client.close()
    result.name = "echo bot"
    return result


async def run_ours(
    sandbox: VKSandbox, users: list[UserDriver], rounds: int, wait: float, db: Path
) -> Result:
    # With the sandbox's limit off, our own limiter is lifted too: this run measures the
    # cost of our layers, not VK's limit.
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        vk_token=sandbox.token,
        vk_api_url=sandbox.api_url,
        database_path=db,
        vk_rps=sandbox.rate_limit or 1000,
        flood_limit=0,
    )
    app = Application(settings)
    await app.start()
    try:
        # Untimed: everyone has agreed to the processing of their data, as real users have.
        async def agree(user: UserDriver) -> None:
            await user.send("/agree")
            await user.wait_replies(2, timeout=60)

        await asyncio.gather(*(agree(user) for user in users))
        result = await drive(users, MIX, rounds, wait)
    finally:
        await app.stop()
    result.name = "sferum-bot"
    return result


async def main(args: argparse.Namespace) -> None:
    logger.remove()
    logger.add(sys.stderr, level=os.environ.get("BENCH_LOG", "CRITICAL"))
    print(f"people={args.people} rounds={args.rounds} rate_limit={args.rate_limit or 'off'}")
    header = ("bot", "sent", "answered", "lost", "replies/s", "p50 ms", "p95 ms", "p99 ms")
    print("{:<12} {:>6} {:>8} {:>5} {:>10} {:>9} {:>9} {:>9}".format(*header))
    async with VKSandbox(group_id=GROUP_ID, rate_limit=args.rate_limit) as sandbox:
        echo_users = [
            sandbox.add_user(first_name="Эхо", last_name=f"Тестов{i}") for i in range(args.people)
        ]
        echo = await run_echo(sandbox, echo_users, args.rounds, args.wait)
        print(echo.row())
        our_users = [
            sandbox.add_user(first_name="Анна", last_name=f"Тестова{i}") for i in range(args.people)
        ]
        with tempfile.TemporaryDirectory() as folder:
            ours = await run_ours(
                sandbox, our_users, args.rounds, args.wait, Path(folder) / "b.sqlite3"
            )
        print(ours.row())
    print(f"ratio (ours / echo, replies per second): {ours.rate / echo.rate:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--rate-limit", type=int, default=None)
    parser.add_argument("--wait", type=float, default=15.0, help="seconds to wait for a reply")
    asyncio.run(main(parser.parse_args()))
