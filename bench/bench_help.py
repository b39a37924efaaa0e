"""A realistic mix end to end through the local VK sandbox, beside a bare vkbottle echo bot.

Each simulated person (a parent) does a step, waits for the bot's answer, and does the next:
/help, /duties, a join request through its dialog (buttons, the child's name, confirmation)
whose class teacher approves it at once, /chats and /requests. Class teachers (one per ten
people, up to 24 classes) are simulated too. The echo bot gets the same texts. Prints
replies per second (every message the simulated users received), latency percentiles per
step and lost replies for both bots, and their ratio.

    python bench/bench_help.py                 # rate limit off: the CPU cost of our layers
    python bench/bench_help.py --rate-limit 20 # VK's 20 calls a second
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
from pathlib import Path

from loguru import logger
from vkbottle import API, Bot
from vkbottle.bot import Message

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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
from bot.conversation.identity import vk_account  # noqa: E402
from vk_sandbox import UserDriver, VKSandbox  # noqa: E402

GROUP_ID = 229000044


async def run_echo(
    sandbox: VKSandbox,
    users: list[UserDriver],
    classes: list[str],
    rounds: int,
    wait: float,
    light: bool,
) -> Result:
    api = API(sandbox.token)
    api.API_URL = sandbox.api_url
    echo = Bot(api=api)

    @echo.on.message()
    async def answer(message: Message) -> None:
        await message.answer(message.text)

    task = asyncio.create_task(echo.run_polling())
    await asyncio.sleep(0.3)
    try:
        if sandbox.rate_limit is None:
            # Untimed, as our bot's consent round is: everyone's first message and its
            # answer, so neither bot's timed run pays for first-time work (imports, model
            # schemas). Not under VK's limit, where the echo bot loses some of them.
            await asyncio.gather(*(user.send("/start") for user in users))
            await asyncio.gather(*(user.wait_reply(timeout=60) for user in users))
        tally, seconds = await drive(users, classes, rounds, wait, echo=True, light=light)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await api.http_client.close()
    sent = len(users) * rounds * len(one_round(0, 0, classes, light))
    return Result("echo bot", sent, tally.answered, seconds, tally.latencies, tally.cpu_seconds)


async def run_ours(
    sandbox: VKSandbox,
    users: list[UserDriver],
    teachers: list[UserDriver],
    classes: list[str],
    rounds: int,
    wait: float,
    db: Path,
    light: bool,
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
        await seed_school(app, classes, teachers, vk_account)

        # Untimed: everyone has agreed to the processing of their data, as real users have.
        async def agree(user: UserDriver) -> None:
            await user.send("/agree")
            await user.wait_replies(2, timeout=60)

        async def say_hello(teacher: UserDriver) -> None:
            await teacher.send("/help")
            await teacher.wait_reply(timeout=60)

        await asyncio.gather(*(agree(user) for user in users), *map(say_hello, teachers))
        done = asyncio.Event()
        staff = Tally()
        deciding = [
            asyncio.create_task(decide_requests(teacher, staff, done)) for teacher in teachers
        ]
        tally, seconds = await drive(users, classes, rounds, wait, echo=False, light=light)
        await wait_for_staff(staff, wait)
        done.set()
        await asyncio.gather(*deciding)
    finally:
        await app.stop()
    sent = tally.expected + staff.expected
    answered = tally.answered + staff.answered
    return Result("sferum-bot", sent, answered, seconds, tally.latencies, tally.cpu_seconds)


async def main(args: argparse.Namespace) -> None:
    logger.remove()
    logger.add(sys.stderr, level=os.environ.get("BENCH_LOG", "CRITICAL"))
    mix = "light" if args.light else "full"
    print(
        f"people={args.people} rounds={args.rounds} rate_limit={args.rate_limit or 'off'} mix={mix}"
    )
    print_header()
    classes = class_names(args.people)
    async with VKSandbox(group_id=GROUP_ID, rate_limit=args.rate_limit) as sandbox:
        echo_users = [
            sandbox.add_user(first_name="Эхо", last_name=f"Тестов{i}") for i in range(args.people)
        ]
        echo = await run_echo(sandbox, echo_users, classes, args.rounds, args.wait, args.light)
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
                sandbox,
                our_users,
                teachers,
                classes,
                args.rounds,
                args.wait,
                Path(folder) / "b.sqlite3",
                args.light,
            )
        print(ours.row())
    print(f"ratio (ours / echo, replies per second): {ours.rate / echo.rate:.2f}")
    print(f"ratio (echo / ours, CPU per reply): {echo.cpu_per_reply / ours.cpu_per_reply:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--rate-limit", type=int, default=None)
    parser.add_argument(
        "--light", action="store_true", help="leave the join request and its decision out"
    )
    parser.add_argument("--wait", type=float, default=15.0, help="seconds to wait for a reply")
    asyncio.run(main(parser.parse_args()))
