"""The bot as a real process, SIGKILLed at every commit boundary of a join request, a decision,
an invitation's redemption and a broadcast (the bot kills itself at the boundary a test names,
see `bot/faults.py`), then started again: every person is told exactly once, and every change
is recorded once."""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot import faults
from bot.storage import Database
from bot.texts import BUTTONS, t
from tests.conftest import ADMIN_ID
from tests.helpers import (
    ask,
    consented_user,
    drain,
    invitation_code,
    join_request_to_confirm,
    person_of,
)
from tests.test_crash_restart import BotProcess
from vk_sandbox import UserDriver, VKSandbox

BROADCAST = "Завтра родительское собрание в 18:00."


class KillableBot(BotProcess):
    """The bot with its kill point armed by writing a boundary's name into a file."""

    def __init__(self, sandbox: VKSandbox, database: Path) -> None:
        super().__init__(sandbox, database)
        self.kill_file = database.parent / "kill-at"
        self.env["SFERUM_KILL_FILE"] = str(self.kill_file)

    async def killed_at(self, boundary: str, action: Callable[[], Awaitable[object]]) -> None:
        """Arms `boundary`, does `action`, waits for the bot to kill itself there, restarts."""
        assert self.process is not None
        self.kill_file.write_text(boundary, encoding="utf-8")
        await action()
        await asyncio.wait_for(self.process.wait(), timeout=20)
        assert self.process.returncode == -signal.SIGKILL, "the bot did not die at " + boundary
        assert not self.kill_file.exists()
        await self.start()


async def told(sandbox: VKSandbox, since: int, people: dict[UserDriver, int]) -> None:
    """Waits until each person has had as many messages since `since` as given, then checks
    that nothing more comes: each is told exactly that many times."""
    for person, count in people.items():
        while len([m for m in sandbox.sent[since:] if m.peer_id == person.user_id]) < count:
            await person.wait_reply(timeout=20)
    await asyncio.sleep(1.0)  # anything sent twice would have come by now
    for person in people:
        await drain(person, within=0.05)  # read here from what VK keeps, not from each inbox
    counts = Counter(m.peer_id for m in sandbox.sent[since:])
    assert {p.user_id: counts[p.user_id] for p in people} == {
        p.user_id: n for p, n in people.items()
    }
    texts = Counter((m.peer_id, m.text) for m in sandbox.sent[since:])
    assert set(texts.values()) == {1}, texts


@pytest.mark.parametrize("boundary", faults.BOUNDARIES)
async def test_killed_at_each_boundary_everyone_is_told_once(
    sandbox: VKSandbox, tmp_path: Path, boundary: str
) -> None:
    database = tmp_path / "bot.sqlite3"
    async with Database(database) as db, db.transaction() as tx:
        await tx.classes.add("5А", 5, "А")
    bot = KillableBot(sandbox, database)
    await bot.start()
    try:
        admin = await consented_user(sandbox, "Ирина", "Петрова", user_id=ADMIN_ID)
        await drain(admin)
        parent = await consented_user(sandbox, "Ольга", "Белова")
        await drain(parent)

        # A join request: sent once, the parent and the admin told once.
        confirm = await join_request_to_confirm(parent, "5А")
        since = len(sandbox.sent)
        await bot.killed_at(boundary, lambda: parent.press(confirm.button(BUTTONS["send_request"])))
        await told(sandbox, since, {parent: 1, admin: 1})
        notice = next(m for m in sandbox.sent[since:] if m.peer_id == ADMIN_ID)

        # A decision: recorded once, the parent and the admin told once.
        since = len(sandbox.sent)
        await bot.killed_at(boundary, lambda: admin.press(notice.button(BUTTONS["approve"])))
        await told(sandbox, since, {parent: 1, admin: 1})
        heard = next(m for m in sandbox.sent[since:] if m.peer_id == parent.user_id)
        assert heard.text.startswith(
            t("decision_you_approved", id=1, role="родитель", class_name="5А")
        )

        # An invitation redeemed: the teacher joins once, the admin hears it once.
        code = invitation_code(await ask(admin, "/invite teacher"))
        teacher = await consented_user(sandbox, "Анна", "Смирнова")
        await drain(teacher)
        since = len(sandbox.sent)
        await bot.killed_at(boundary, lambda: teacher.send(f"/join {code}"))
        await told(sandbox, since, {teacher: 1, admin: 1})
        joined = next(m for m in sandbox.sent[since:] if m.peer_id == teacher.user_id)
        assert joined.text == t("join_teacher_done")

        # A broadcast: every parent of 5А gets it once, the admin one report.
        preview = await ask(admin, f"/announce parents 5А {BROADCAST}")
        since = len(sandbox.sent)
        await bot.killed_at(boundary, lambda: admin.press(preview.button(BUTTONS["send"])))
        await told(sandbox, since, {parent: 1, admin: 2})
        assert [m.text for m in sandbox.sent[since:] if m.peer_id == parent.user_id] == [
            "Объявление от Петровой Ирины, администратора, для 5А\n\n" + BROADCAST
        ]

        async with Database(database) as check:
            audit = Counter(row.action for row in await check.reader.audit.latest(100))
            requests = await check.reader.requests.pending(None, 10)
            request = await check.reader.requests.get(1)
            parent_roles = await check.reader.roles.active_for(await person_of(check, parent))
            teacher_roles = await check.reader.roles.active_for(await person_of(check, teacher))
        assert request is not None and request.status == "approved" and not requests
        assert audit["request_approved"] == 1
        assert [r.role for r in parent_roles] == ["parent"]
        assert [r.role for r in teacher_roles] == ["teacher"]
    finally:
        await bot.stop()
