"""Writes tests/data/schema10_school.sql: a school's database as the bot before people had
internal ids (main at 7a19ec7, schema version 10) leaves it after a short story.

Run with THAT version of the bot on the path (its tests/ and vk_sandbox/ too), e.g.
    git worktree add /tmp/v10 7a19ec7
    cd /tmp/v10 && PYTHONPATH=/tmp/v10 python /path/to/this/script.py /path/to/schema10_school.sql
The story runs through the VK sandbox as people would write; nothing is inserted by hand.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
from pathlib import Path

from bot.logs import configure
from bot.texts import BUTTONS
from tests.conftest import GROUP_ID, BotRunner, make_settings
from tests.helpers import (
    ask,
    class_teacher,
    drain,
    invitation_code,
    joined_by_code,
    school_with_classes,
    submit_join_request,
)
from vk_sandbox import VKSandbox

# Who the story's people are in VK: the upgrade test gives the sandbox's people these ids.
PEOPLE = {
    "Ирина Петрова (admin)": 1001,
    "Людмила Дровосекова (director)": 1002,
    "Елена Смирнова (class teacher 5А)": 500000001,
    "Ольга Белова (parent 5А)": 500000002,
    "Анна Кузнецова (pending request 6Б)": 1005,
    "Пётр Орлов (in the middle of /request)": 1006,
}


async def story(database: Path) -> None:
    async with VKSandbox(group_id=GROUP_ID, group_name="Гимназия № 44 г. Твери") as sandbox:
        runner = BotRunner(make_settings(sandbox, database, flood_limit=0))
        await runner.start()
        admin = await school_with_classes(sandbox, "5А", "6Б")
        director = sandbox.add_user("Людмила", "Дровосекова", user_id=1002)
        await director.send("Начать")
        replies = await director.wait_replies(2)
        await director.press(replies[-1].button(BUTTONS["agree"]))
        await drain(director)
        elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
        code = invitation_code(await ask(elena, "/invite parent 5А"))
        olga = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Михаил")
        await drain(elena)
        chat = sandbox.create_chat(title="5А родители", owner=elena, members=[olga], bot_admin=True)
        await elena.send("/bind parents 5А", chat=chat)
        await chat.wait_message()
        # An invitation still open, and a parents' meeting planned for 5А.
        await ask(admin, "/invite teacher")
        await ask(elena, "/event")
        await ask(elena, "Родительское собрание")
        audience = await ask(elena, "01.12 18:00")
        await elena.press(audience.button(BUTTONS["audience_parents"]))
        await elena.press((await elena.wait_reply()).button("5А"))
        await elena.press((await elena.wait_reply()).button(BUTTONS["no_link"]))
        await drain(elena)
        # Anna's request for 6Б waits for the admin (6Б has no class teacher).
        anna = sandbox.add_user("Анна", "Кузнецова", user_id=1005)
        await anna.send("Начать")
        replies = await anna.wait_replies(2)
        await anna.press(replies[-1].button(BUTTONS["agree"]))
        await drain(anna)
        await submit_join_request(anna, "6Б", "Кузнецов Иван")
        await drain(admin)
        # Пётр stops in the middle of his request: a dialog step is kept.
        petr = sandbox.add_user("Пётр", "Орлов", user_id=1006)
        await petr.send("Начать")
        replies = await petr.wait_replies(2)
        await petr.press(replies[-1].button(BUTTONS["agree"]))
        await drain(petr)
        await ask(petr, "/request")
        await drain(olga)
        await runner.stop()


def main() -> None:
    configure("INFO")
    out = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bot.sqlite3"
        asyncio.run(story(database))
        with sqlite3.connect(database) as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            lines = [
                f"-- Written by tests/data/{Path(__file__).name} with the bot at schema {version}.",
                f"PRAGMA user_version = {version};",
                *conn.iterdump(),
            ]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
