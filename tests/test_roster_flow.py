"""Rosters as files: a file with mistakes applies nothing and names each; a good one round-trips."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import ask, invitation_code, joined_by_code, roster_workbook, school_with_classes
from vk_sandbox import VKSandbox

ROOT = Path(__file__).resolve().parents[1]


def _document(sandbox: VKSandbox, attachment: str) -> bytes:
    owner, doc_id = attachment.removeprefix("doc").split("_")
    return sandbox.docs[(int(owner), int(doc_id))].data


async def test_a_file_with_mistakes_applies_nothing_and_names_each(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    data = roster_workbook(
        [("Белов Михаил", "5А"), ("Миша", "5А"), ("Орлова Анна", "12Я"), ("Белов Михаил", "5А")],
        ["5А", "5Б"],
    )
    await admin.send("", document=("spiski.xlsx", data))
    assert (await admin.wait_reply()).text == t("roster_reading")
    reply = await admin.wait_reply()
    assert reply.text.startswith("Файл не применён: найдено ошибок — 3.")
    assert "Лист «Ученики», строка 3, столбец «ФИО»: «Миша» — не ФИО" in reply.text
    assert "строка 4, столбец «Класс»: «12Я» — не название класса" in reply.text
    assert "строка 5, столбец «ФИО»: повтор: то же, что строка 2" in reply.text
    assert not reply.buttons
    assert await bot.db.reader.classes.by_name("5Б") is None
    assert await bot.db.reader.roster.students() == {}


async def test_a_good_import_then_export_round_trips(sandbox: VKSandbox, bot: BotRunner) -> None:
    admin = await school_with_classes(sandbox, "5А")
    data = roster_workbook([("Белов Михаил", "5А"), ("Орлова Анна", "5Б")], ["5А", "5Б"])
    await admin.send("", document=("spiski.xlsx", data))
    assert (await admin.wait_reply()).text == t("roster_reading")
    preview = await admin.wait_reply()
    assert "классов добавлено: 1" in preview.text and "учеников добавлено: 2" in preview.text
    await admin.press(preview.button(BUTTONS["apply"]))
    await admin.wait_event_answer()
    assert (await admin.wait_reply()).text == t("roster_applied", students=2, staff=1, classes=2)
    await admin.press(preview.button(BUTTONS["apply"]))
    await admin.wait_event_answer()
    assert (await admin.wait_reply()).text == t("roster_already_applied")

    code = invitation_code(await ask(admin, "/invite student 5А"))
    await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    # A mother invited for him: the export lists her beside him.
    code = invitation_code(await ask(admin, "/invite parent 5А Белов"))
    await joined_by_code(sandbox, code, "Ольга", "Белова", None)
    stats = (await ask(admin, "/stats")).text
    assert "5А: учеников 1 из 1 по списку, родителей (семей) 1 из 1, чаты: 0 из 3" in stats
    assert "5Б: учеников 0 из 1 по списку" in stats

    exported = await ask(admin, "/export")
    assert exported.text.startswith("Списки школы на")
    book = load_workbook(io.BytesIO(_document(sandbox, exported.attachments[0])))
    assert book.sheetnames[:3] == ["Сводка", "5А", "5Б"]
    rows_5a = [tuple(row) for row in book["5А"].iter_rows(values_only=True)]
    assert rows_5a[0] == ("ФИО", "Роль", "Статус", "Родители")
    assert ("Белов Михаил", "ученик", "присоединился", "Белова Ольга") in rows_5a
    assert ("Белова Ольга", "родитель", "присоединилась", None) in rows_5a
    rows_5b = [tuple(row) for row in book["5Б"].iter_rows(values_only=True)]
    assert ("Орлова Анна", "ученик", "ещё нет", None) in rows_5b


async def test_the_template_is_a_workbook_that_reads_back_cleanly(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    from bot.domain.roster import read_roster

    admin = await school_with_classes(sandbox, "5А")
    reply = await ask(admin, "/template")
    assert reply.text == t("roster_template_caption")
    roster = read_roster("template.xlsx", _document(sandbox, reply.attachments[0]))
    assert roster.problems == ()
    assert roster.students and roster.staff and roster.classes


def test_backup_writes_a_consistent_copy(tmp_path: Path) -> None:
    import asyncio

    from bot.storage import Database

    source = tmp_path / "live.sqlite3"

    async def prepare() -> None:
        async with Database(source) as db, db.transaction() as tx:
            await tx.classes.add("5А", 5, "А")

    asyncio.run(prepare())
    target = tmp_path / "backups" / "copy.sqlite3"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "backup", str(target)],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "VK_TOKEN": "x" * 20,
             "DATABASE_PATH": str(source)},
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    async def read_copy() -> list[str]:
        async with Database(target) as db:
            return [row.name for row in await db.reader.classes.all()]

    assert asyncio.run(read_copy()) == ["Учительская", "5А"]
