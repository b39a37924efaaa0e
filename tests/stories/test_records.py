"""Readable records on both messengers: the audit log in Russian with names, filtered, paged
and exported as an XLSX file; `/stats` against the imported roster."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    Sandbox,
    ask,
    consented_user,
    drain,
    file_bytes,
    invitation_code,
    joined_by_code,
    roster_workbook,
    school_with_classes,
    submit_join_request,
)


async def test_an_admin_reads_the_log_in_russian_filters_pages_and_exports_it(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "5Б")
    student_code = invitation_code(await ask(admin, "/invite student 5А"))
    parent_code = invitation_code(await ask(admin, "/invite parent 5А"))
    misha = await joined_by_code(sandbox, student_code, "Миша", "Белов", "Белов Михаил")
    await joined_by_code(sandbox, parent_code, "Ольга", "Белова", "Белов Михаил")
    # Her child is picked by name: the move asks about her, and she goes too.
    question = await ask(admin, f"/move {misha.ref} 5Б")
    await admin.press(question.button(BUTTONS["move_with_parents"]))
    await drain(admin)
    anna = await consented_user(sandbox, "Анна", "Орлова")
    await drain(anna)
    await submit_join_request(anna, "5А", "Орлов Пётр")
    await admin.wait_reply()  # the request reaches the admin (no class teacher yet)
    assert (await ask(admin, "/approve 1")).text.startswith("Заявка №1 принята")
    await drain(admin)

    log = await ask(admin, "/audit")
    lines = log.text.splitlines()
    assert lines[0].startswith("Журнал действий: ") and lines[-1] == "Страница 1 из 2"
    moved = "Петрова И. перевела Белова Мишу из 5А в 5Б (с родителями: 1)"
    assert any(line.endswith(f" — {moved}") for line in lines), log.text
    assert any(
        line.endswith(" — Петрова И. приняла заявку №1 от Орловой Анны, 5А") for line in lines
    )
    assert any(line.endswith(" — Орлова А. подала заявку №1 (родитель), 5А") for line in lines)
    assert "_" not in log.text  # no action's code shows through

    # The next page: older rows, and the buttons back.
    await admin.press(log.button(BUTTONS["page_next"]))
    await admin.wait_event_answer()
    older = await admin.wait_reply()
    assert older.text.splitlines()[-1] == "Страница 2 из 2"
    assert "Петрова И. добавила класс 5А" in older.text
    assert BUTTONS["page_back"] in older.labels

    # Filters in any order: the person (as each messenger names them), the class, the day.
    mine = await ask(admin, f"5Б сегодня {misha.ref}".join(["/audit ", ""]))
    assert mine.text.splitlines()[0].startswith("Журнал действий (Белов Миша, 5Б, за ")
    assert mine.text.splitlines()[1:] == [mine.text.splitlines()[1]]
    assert mine.text.endswith(moved)
    by_class = await ask(admin, "/audit 5Б")
    assert moved in by_class.text and "Орловой Анны" not in by_class.text
    assert (await ask(admin, "/audit 01.01.2020")).text.startswith(
        t("audit_header_empty", filters=" (за 01.01.2020)")
    )
    assert (await ask(admin, "/audit 31.02")).text == t("audit_date_invalid", text="31.02")

    # The export of the class's rows opens with a row per record.
    await admin.press(by_class.button(BUTTONS["audit_export"]))
    await admin.wait_event_answer()
    exported = await admin.wait_reply()
    assert exported.text.startswith("Журнал действий (5Б): ")
    sheet = load_workbook(io.BytesIO(file_bytes(sandbox, exported))).active
    assert sheet is not None
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("Когда", "Кто", "Действие", "Кого", "Класс", "Подробности")
    assert any(
        row[1:] == ("Петрова Ирина", "Перевод в другой класс", "Белов Миша", "5Б", moved)
        for row in rows[1:]
    ), rows
    assert all(row[4] == "5Б" for row in rows[1:])
    typed = await ask(admin, "/audit_export")
    assert (
        len(load_workbook(io.BytesIO(file_bytes(sandbox, typed))).active["A"])
        == len(lines) + len(older.text.splitlines()) - 4 + 1
    )  # the rows of both pages, and the header


async def test_stats_compare_each_class_with_the_imported_roster(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    before = await ask(admin, "/stats")
    assert t("stats_class_no_roster", name="5А", students=0, families=0, chats=0, required=3) in (
        before.text
    )
    data = roster_workbook(
        [("Белов Михаил", "5А"), ("Орлова Анна", "5А"), ("Кузнецов Иван", "5Б")], ["5А", "5Б"]
    )
    await admin.send("", document=("spiski.xlsx", data))
    await admin.wait_reply()
    preview = await admin.wait_reply()
    await admin.press(preview.button(BUTTONS["apply"]))
    await admin.wait_event_answer()
    await admin.wait_reply()
    code = invitation_code(await ask(admin, "/invite student 5А"))
    await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    await drain(admin)

    stats = (await ask(admin, "/stats")).text
    lines = stats.splitlines()
    # Families are counted from the links of parents and children: tests/test_stats_roster.py.
    assert "5А: учеников 1 из 2 по списку, родителей (семей) 0 из 2, чаты: 0 из 3" in lines, stats
    assert "5Б: учеников 0 из 1 по списку, родителей (семей) 0 из 1, чаты: 0 из 3" in lines
    assert "Всего по школе: учеников 1 из 3 по списку, родителей (семей) 0 из 3." in lines
    assert " из 60" not in stats and "не загружен" not in stats
