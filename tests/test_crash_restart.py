"""The bot as a real process, killed with SIGKILL in the middle of a dialog, a decision and a
broadcast, and started again: the database stays consistent, the dialog resumes, the decision
is recorded once, the broadcast finishes with no duplicate, and what was written meanwhile is
answered."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path

from bot.storage import Database
from bot.texts import BUTTONS, t
from tests.conftest import ADMIN_ID
from tests.helpers import ask, consented_user, drain, seeded_person
from vk_sandbox import VKSandbox

ROOT = Path(__file__).resolve().parents[1]
PARENTS = 600
BROADCAST = "Завтра занятия начинаются в 9:00."
# What the parents get: the announcement signed with its sender and class.
SIGNED = "Объявление от Петровой Ирины, администратора, для 5А\n\n"


class BotProcess:
    def __init__(self, sandbox: VKSandbox, database: Path) -> None:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("VK_", "ADMIN_"))}
        self.env = {
            **clean,
            "PYTHONPATH": str(ROOT),
            "VK_TOKEN": sandbox.token,
            "VK_API_URL": sandbox.api_url,
            "DATABASE_PATH": str(database),
            "ADMIN_IDS": str(ADMIN_ID),
            "FLOOD_LIMIT": "0",
        }
        self.cwd = database.parent
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", env=self.env, cwd=self.cwd,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert self.process.stderr is not None
        seen = b""
        while b"Bot started" not in seen:
            line = await asyncio.wait_for(self.process.stderr.readline(), timeout=30)
            assert line, "the bot exited before starting: " + seen.decode(errors="replace")
            seen += line
        asyncio.get_running_loop().create_task(self._drain_stderr())

    async def _drain_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while await self.process.stderr.readline():
            pass

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), timeout=20)


async def test_sigkill_in_a_dialog_a_decision_and_a_broadcast(
    sandbox: VKSandbox, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    async with Database(database) as db, db.transaction() as tx:
        await tx.classes.add("5А", 5, "А")
    bot = BotProcess(sandbox, database)
    await bot.start()
    try:
        admin = await consented_user(sandbox, "Ирина", "Петрова", user_id=ADMIN_ID)
        await drain(admin)

        # 1. Killed in the middle of a dialog: it resumes where it was.
        parent = await consented_user(sandbox, "Ольга", "Белова")
        await drain(parent)
        question = await ask(parent, "/request")
        await parent.press(question.button(BUTTONS["i_am_parent"]))
        class_question = await parent.wait_reply()
        await bot.kill()
        await parent.press(class_question.button("5А"))  # written while the bot is down
        await bot.start()
        assert (await parent.wait_reply(timeout=20)).text == t("request_ask_child_name")
        confirm = await ask(parent, "Белов Миша")
        await parent.press(confirm.button(BUTTONS["send_request"]))
        await parent.wait_reply()
        notice = await admin.wait_reply()

        # 2. Killed right after a decision: it is recorded once, the parent hears it once.
        await admin.press(notice.button(BUTTONS["approve"]))
        await asyncio.sleep(0.05)
        await bot.kill()
        await bot.start()
        heard = await parent.wait_reply(timeout=20)
        assert heard.text.startswith(
            t("decision_you_approved", id=1, role="родитель", class_name="5А")
        )
        await parent.expect_silence(within=1.0)
        async with Database(database) as check:
            request = await check.reader.requests.get(1)
            audit = [row.action for row in await check.reader.audit.latest(100)]
        assert request is not None and request.status == "approved"
        assert audit.count("request_approved") == 1

        # 3. Killed while a broadcast is on its way: it finishes with no duplicate.
        await bot.stop()
        async with Database(database) as db, db.transaction() as tx:
            school_class = await tx.classes.by_name("5А")
            assert school_class is not None
            for n in range(PARENTS):
                parent_id = await seeded_person(tx, 800_000 + n)
                await tx.people.record_consent(parent_id, f"Родитель{n} Тестовый")
                await tx.roles.grant(parent_id, "parent", school_class.id, child_name="Ребёнок")
        recipients = [
            sandbox.add_user(first_name="Родитель", last_name=str(n), user_id=800_000 + n)
            for n in range(PARENTS)
        ]
        for recipient in recipients:
            recipient.state.can_write = True
        await bot.start()
        await drain(admin)
        preview = await ask(admin, f"/announce parents 5А {BROADCAST}")
        sandbox.faults.slow(1.5, times=1, methods=["execute"])
        await admin.press(preview.button(BUTTONS["send"]))
        await asyncio.sleep(1.0)
        await bot.kill()
        await bot.start()
        await recipients[-1].wait_reply(timeout=30)
        report = None
        for _ in range(4):
            message = await admin.wait_reply(timeout=30)
            if message.text.startswith("Отчёт о доставке"):
                report = message
                break
        assert report is not None
        copies = Counter(
            message.peer_id for message in sandbox.sent if message.text == SIGNED + BROADCAST
        )
        assert len(copies) == PARENTS + 1  # every parent, and Olga (a parent of 5А too)
        assert set(copies.values()) == {1}
    finally:
        await bot.stop()
