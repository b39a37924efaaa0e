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
# How often the end of a run looks whether the last confirmations have come.
POLL_SECONDS = 0.05
sys.path.insert(0, str(ROOT))

from bot.app import Application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.conversation.identity import vk_account  # noqa: E402
from bot.domain.roles import Role  # noqa: E402
from bot.texts import BUTTONS  # noqa: E402
from vk_sandbox import UserDriver, VKSandbox  # noqa: E402
from vk_sandbox.models import BotMessage  # noqa: E402

GROUP_ID = 229000044
CHILDREN = ("Белов Миша", "Белова Маша", "Орлов Петя", "Орлова Катя", "Соколов Ваня")
CLASSES_MAX = 24  # the request dialog offers up to 24 classes as buttons at once


@dataclass(frozen=True)
class Step:
    """One thing a person does, and how many messages from the bot it brings them."""

    text: str
    press: bool = False  # a button of the last message, rather than typed text
    replies: int = 1


def one_round(index: int, person: int, classes: list[str], light: bool = False) -> list[Step]:
    """A realistic mix: help, duties, a join request (dialog, decision), their chats, a list.

    The request goes to a different class each round; its class teacher approves it, and the
    parent waits for both the confirmation and the decision. `light` leaves the request out."""
    request = [
        Step("/request"),
        Step(BUTTONS["i_am_parent"], press=True),
        Step(classes[(person + index) % len(classes)], press=True),
        Step(CHILDREN[index % len(CHILDREN)]),
        Step(BUTTONS["send_request"], press=True, replies=2),
    ]
    return [
        Step("/help"),
        Step("/duties"),
        *([] if light else request),
        Step("/chats"),
        Step("/requests"),
    ]


@dataclass
class Result:
    name: str
    sent: int
    answered: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float  # of the whole process: bot, sandbox and simulated people alike

    def row(self) -> str:
        lat = sorted(self.latencies) or [float("nan")]
        p50 = statistics.median(lat)
        p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        lost = self.sent - self.answered
        return (
            f"{self.name:<12} {self.sent:>8} {self.answered:>8} {lost:>5} "
            f"{self.rate:>10.1f} {p50 * 1000:>9.1f} {p95 * 1000:>9.1f} {p99 * 1000:>9.1f}"
            f" {self.cpu_per_reply * 1000:>9.2f}"
        )

    @property
    def cpu_per_reply(self) -> float:
        return self.cpu_seconds / self.answered if self.answered else float("nan")

    @property
    def rate(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0


class Tally:
    def __init__(self) -> None:
        self.expected = 0
        self.answered = 0
        self.cpu_seconds = 0.0
        self.latencies: list[float] = []


async def drive(
    users: list[UserDriver], classes: list[str], rounds: int, wait: float, echo: bool, light: bool
) -> tuple[Tally, float]:
    """Each person does a step, waits for the bot's answer, does the next.

    The echo bot gets the same texts (a button's label where ours gets the press) and
    answers each with one message."""
    tally = Tally()

    async def person(number: int, user: UserDriver) -> None:
        last: BotMessage | None = None
        for index in range(rounds):
            for step in one_round(index, number, classes, light):
                replies = 1 if echo else step.replies
                tally.expected += replies
                started = time.perf_counter()
                if step.press and not echo and last is not None:
                    await user.press(last.button(step.text))
                else:
                    await user.send(step.text)
                try:
                    got = await user.wait_replies(replies, timeout=wait)
                except AssertionError:
                    last = None
                    continue
                tally.latencies.append(time.perf_counter() - started)
                tally.answered += replies
                last = got[0]

    started, cpu_started = time.perf_counter(), time.process_time()
    await asyncio.gather(*(person(number, user) for number, user in enumerate(users)))
    tally.cpu_seconds = time.process_time() - cpu_started
    return tally, time.perf_counter() - started


async def decide_requests(teacher: UserDriver, tally: Tally, done: asyncio.Event) -> None:
    """A class teacher approves every request that reaches them, as soon as it arrives."""
    while not done.is_set():
        try:
            message = await teacher.wait_reply(timeout=0.2)
        except AssertionError:
            continue
        tally.answered += 1
        if BUTTONS["approve"] in message.labels:
            tally.expected += 2  # this notice, and the confirmation of the decision
            await teacher.press(message.button(BUTTONS["approve"]))


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


async def seed_school(app: Application, classes: list[str], teachers: list[UserDriver]) -> None:
    """Untimed: the classes, each with its verified class teacher."""
    async with app.db.transaction() as tx:
        for name, teacher in zip(classes, teachers, strict=True):
            await tx.classes.add(name, int(name[:-1]), name[-1])
            row = await tx.classes.by_name(name)
            assert row is not None
            # The teacher's person, linked to her VK account (ids are the school's own).
            account = vk_account(teacher.user_id)
            person = (await tx.accounts.people_for([account]))[account]
            await tx.people.record_consent(person, f"{teacher.last_name} {teacher.first_name}")
            await tx.roles.grant(person, Role.TEACHER.value, verified=True)
            await tx.roles.grant(person, Role.CLASS_TEACHER.value, row.id, verified=True)


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
        await seed_school(app, classes, teachers)

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
        # The last decisions' confirmations may still be on their way: peers take turns in
        # the outbox, so under VK's limit a teacher's fifth message waits for everyone's
        # first. They count as lost only if they do not come within the same `wait`.
        for _ in range(int(wait / POLL_SECONDS)):
            if staff.answered >= staff.expected:
                break
            await asyncio.sleep(POLL_SECONDS)
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
    header = ("bot", "expected", "answered", "lost", "replies/s", "p50 ms", "p95 ms", "p99 ms")
    print("{:<12} {:>8} {:>8} {:>5} {:>10} {:>9} {:>9} {:>9} {:>9}".format(*header, "CPU ms/r"))
    classes = [
        f"{5 + i // 4}{'АБВГ'[i % 4]}" for i in range(min(CLASSES_MAX, max(1, args.people // 10)))
    ]
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
