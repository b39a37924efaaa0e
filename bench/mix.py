"""The realistic mix the end-to-end benchmarks share (bench_help.py on VK, bench_max.py on MAX):
the steps each simulated person takes, the closed loop that drives them, the class teachers
who decide, the seeding of the school and the printed row of figures.

The sandboxes' drivers have one interface (send, press, wait_replies, a message's buttons),
so the loop runs on either messenger."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.app import Application
from bot.conversation.identity import Account
from bot.domain.roles import Role
from bot.texts import BUTTONS
from max_sandbox import BotMessage as MaxMessage
from max_sandbox import UserDriver as MaxUser
from vk_sandbox import UserDriver as VKUser
from vk_sandbox.models import BotMessage as VKMessage

UserDriver = VKUser | MaxUser
BotMessage = VKMessage | MaxMessage

# How often the end of a run looks whether the last confirmations have come.
POLL_SECONDS = 0.05
CHILDREN = ("Белов Миша", "Белова Маша", "Орлов Петя", "Орлова Катя", "Соколов Ваня")
CLASSES_MAX = 24  # the request dialog offers up to 24 classes as buttons at once
HEADER = ("bot", "expected", "answered", "lost", "replies/s", "p50 ms", "p95 ms", "p99 ms")


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


def class_names(people: int) -> list[str]:
    """One class per ten people, up to CLASSES_MAX: 5А, 5Б, ..."""
    count = min(CLASSES_MAX, max(1, people // 10))
    return [f"{5 + i // 4}{'АБВГ'[i % 4]}" for i in range(count)]


def print_header() -> None:
    print("{:<12} {:>8} {:>8} {:>5} {:>10} {:>9} {:>9} {:>9} {:>9}".format(*HEADER, "CPU ms/r"))


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
    def lost(self) -> int:
        return self.sent - self.answered

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


def _button(message: BotMessage | None, label: str) -> object | None:
    """The button of `message` with this label, if it has one."""
    if message is None:
        return None
    return next((b for b in message.buttons if b.label == label), None)


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
                button = _button(last, step.text) if step.press and not echo else None
                if button is not None:
                    await user.press(button)  # type: ignore[arg-type]
                else:
                    # Typed, also when the last answer was lost or came late (then another
                    # message took its place): the bot explains, and the loop goes on.
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
            await teacher.press(message.button(BUTTONS["approve"]))  # type: ignore[arg-type]


async def wait_for_staff(staff: Tally, wait: float) -> None:
    """The last decisions' confirmations may still be on their way: peers take turns in the
    outbox, so under a rate limit a teacher's fifth message waits for everyone's first. They
    count as lost only if they do not come within the same `wait`."""
    for _ in range(int(wait / POLL_SECONDS)):
        if staff.answered >= staff.expected:
            break
        await asyncio.sleep(POLL_SECONDS)


async def seed_school(
    app: Application,
    classes: list[str],
    teachers: list[UserDriver],
    account_of: Callable[[int], Account],
) -> None:
    """Untimed: the classes, each with its verified class teacher."""
    async with app.db.transaction() as tx:
        for name, teacher in zip(classes, teachers, strict=True):
            await tx.classes.add(name, int(name[:-1]), name[-1])
            row = await tx.classes.by_name(name)
            assert row is not None
            # The teacher's person, linked to her account (ids are the school's own).
            account = account_of(teacher.user_id)
            person = (await tx.accounts.people_for([account]))[account]
            await tx.people.record_consent(person, f"{teacher.last_name} {teacher.first_name}")
            await tx.roles.grant(person, Role.TEACHER.value, verified=True)
            await tx.roles.grant(person, Role.CLASS_TEACHER.value, row.id, verified=True)
