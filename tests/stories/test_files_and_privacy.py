"""Roster files in and out, and `/forget_me`, on both messengers.

A file reaches the bot as VK's `doc` attachment (its url on VK's storage) or MAX's `file`
attachment (its payload's url); the bot's export goes back through VK's
docs.getMessagesUploadServer and docs.save, or MAX's POST /uploads?type=file."""

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
    person_of,
    roster_workbook,
    rows_mentioning,
    school_with_classes,
)


async def test_a_roster_file_with_mistakes_applies_nothing_and_names_each(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    data = roster_workbook([("Белов Михаил", "5А"), ("Миша", "5А")], ["5А", "5Б"])
    await admin.send("", document=("spiski.xlsx", data))
    assert (await admin.wait_reply()).text == t("roster_reading")
    reply = await admin.wait_reply()
    assert reply.text.startswith("Файл не применён: найдено ошибок — 1.")
    assert "Лист «Ученики», строка 3, столбец «ФИО»: «Миша» — не ФИО" in reply.text
    assert await bot.db.reader.classes.by_name("5Б") is None


async def test_a_roster_file_in_then_the_export_file_out(sandbox: Sandbox, bot: BotRunner) -> None:
    admin = await school_with_classes(sandbox, "5А")
    data = roster_workbook([("Белов Михаил", "5А"), ("Орлова Анна", "5Б")], ["5А", "5Б"])
    await admin.send("", document=("spiski.xlsx", data))
    assert (await admin.wait_reply()).text == t("roster_reading")
    preview = await admin.wait_reply()
    assert "учеников добавлено: 2" in preview.text
    await admin.press(preview.button(BUTTONS["apply"]))
    await admin.wait_event_answer()
    assert (await admin.wait_reply()).text == t("roster_applied", students=2, staff=1, classes=2)

    code = invitation_code(await ask(admin, "/invite student 5А"))
    await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    exported = await ask(admin, "/export")
    assert exported.text.startswith("Списки школы на")
    book = load_workbook(io.BytesIO(file_bytes(sandbox, exported)))
    assert book.sheetnames[:3] == ["Сводка", "5А", "5Б"]
    rows_5a = [tuple(row) for row in book["5А"].iter_rows(values_only=True)]
    assert ("Белов Михаил", "ученик", "присоединился", None) in rows_5a


async def test_forget_me_deletes_personal_data_after_confirmation(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    confirm = await ask(anna, "/forget_me")
    assert BUTTONS["forget_confirm"] in confirm.labels
    await anna.press(confirm.button(BUTTONS["forget_confirm"]))
    assert (await anna.wait_reply()).text == t("forget_done")

    assert await bot.db.reader.people.get(await person_of(bot.db, anna)) is None
    actions = [row.action for row in await bot.db.reader.audit.latest(10)]
    assert "consent_withdrawn" in actions
    # Nothing keeps the name: on MAX neither the record of messages sent (kept to send each
    # exactly once) nor the polling marker's row.
    assert rows_mentioning(str(bot.settings.database_path), "Кузнецова") == []
