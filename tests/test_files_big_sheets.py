"""Big and sparse spreadsheets: read off the event loop, within limits, with progress shown."""

from __future__ import annotations

import asyncio
import io
import threading

import pytest
from openpyxl import Workbook

from bot.domain import roster as roster_module
from bot.domain import roster_service
from bot.domain.roster import Problem, read_roster
from bot.parsing import parse_full_name
from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import ask, consented_user, drain, school_with_classes
from tests.test_files_download import _word
from vk_sandbox import VKSandbox

GAP = 999


def sparse_students(count: int, gap: int = GAP, bad_at: int | None = None) -> bytes:
    """Students of 5А whose rows are `gap` numbers apart (row 2, 2 + gap, …)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Ученики"
    sheet.cell(row=1, column=1, value="ФИО")
    sheet.cell(row=1, column=2, value="Класс")
    for index in range(count):
        row = 2 + index * gap
        name = "Миша" if row == bad_at else f"Иванов {_word(index)}"
        sheet.cell(row=row, column=1, value=name)
        sheet.cell(row=row, column=2, value="5А")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def students_csv(count: int) -> bytes:
    lines = ["ФИО;Класс", *(f"Иванов {_word(index)};5А" for index in range(count))]
    return "\r\n".join(lines).encode("utf-8")


def test_rows_far_apart_cost_their_rows_not_the_gaps(monkeypatch: pytest.MonkeyPatch) -> None:
    cells_read = 0
    cell_text = roster_module._cell_text

    def counting(value: object) -> str:
        nonlocal cells_read
        cells_read += 1
        return cell_text(value)

    monkeypatch.setattr(roster_module, "_cell_text", counting)
    bad_row = 2 + 40 * GAP
    roster = read_roster("школа.xlsx", sparse_students(60, bad_at=bad_row))
    assert len(roster.students) == 59
    # Mistakes keep the row numbers Excel shows.
    assert roster.problems == (Problem("Ученики", bad_row, "ФИО", "name_invalid", "Миша"),)
    # Two columns of 60 rows and the header, not of the 59 000 rows between them.
    assert cells_read < 1_000


def test_a_gap_counts_as_a_blank_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster_module, "MAX_BLANK_RUN", 10)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Классы"
    for row, value in ((1, "Класс"), (2, "5А"), (11, "6Б"), (22, "7В")):
        sheet.cell(row=row, column=1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    # 8 rows left out before 6Б are fewer than 10; the 10 before 7В end the sheet.
    assert read_roster("классы.xlsx", buffer.getvalue()).classes == ("5А", "6Б")


def test_a_sheet_without_row_one_has_no_header() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Классы"
    sheet.cell(row=2, column=1, value="Класс")
    sheet.cell(row=3, column=1, value="5А")
    buffer = io.BytesIO()
    book.save(buffer)
    roster = read_roster("классы.xlsx", buffer.getvalue())
    assert roster.problems == (Problem("Классы", 0, "Класс", "missing_sheet_columns"),)


@pytest.mark.parametrize(
    ("filename", "data"),
    [("ученики.xlsx", sparse_students(30, gap=1)), ("ученики.csv", students_csv(30))],
)
def test_a_file_with_too_many_cells_is_refused(
    monkeypatch: pytest.MonkeyPatch, filename: str, data: bytes
) -> None:
    monkeypatch.setattr(roster_module, "MAX_CELLS", 40)
    roster = read_roster(filename, data)
    assert roster.problems == (Problem("", 0, "", "too_many_cells", "40"),)
    assert roster.students == ()


@pytest.mark.parametrize(
    ("filename", "data"),
    [("ученики.xlsx", sparse_students(3, gap=1)), ("ученики.csv", students_csv(3))],
)
def test_a_file_not_read_in_its_time_is_refused(filename: str, data: bytes) -> None:
    roster = read_roster(filename, data, seconds=-1)
    assert [problem.code for problem in roster.problems] == ["too_slow"]
    assert roster.students == ()


def test_progress_is_reported_every_thousand_rows() -> None:
    told: list[int] = []
    roster = read_roster("ученики.csv", students_csv(2_500), progress=told.append)
    assert len(roster.students) == 2_500
    assert told == [1_000, 2_000]


async def test_a_sparse_roster_is_checked_with_true_row_numbers(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    bad_row = 2 + 70 * GAP
    await admin.send("", document=("spiski.xlsx", sparse_students(90, bad_at=bad_row)))
    assert (await admin.wait_reply()).text == t("roster_reading")
    reply = await admin.wait_reply(timeout=30)
    assert reply.text.startswith("Файл не применён: найдено ошибок — 1.")
    assert f"Лист «Ученики», строка {bad_row}, столбец «ФИО»: «Миша» — не ФИО" in reply.text


async def test_another_persons_help_is_answered_while_a_big_file_is_read(
    sandbox: VKSandbox, bot: BotRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    parent = await consented_user(sandbox, "Анна", "Белова")
    await drain(parent)
    reading = threading.Event()
    go_on = threading.Event()
    outcome: list[bool] = []

    def held_parse(text: str) -> str | None:
        # The reader stops at its first row until the test lets it go on; were it holding
        # the event loop, nobody else would be answered meanwhile and the wait would lapse.
        if not reading.is_set():
            reading.set()
            outcome.append(go_on.wait(timeout=30))
        return parse_full_name(text)

    monkeypatch.setattr(roster_module, "parse_full_name", held_parse)
    await admin.send("", document=("ученики.csv", students_csv(3)))
    assert (await admin.wait_reply()).text == t("roster_reading")
    assert await asyncio.to_thread(reading.wait, 30)
    help_reply = await ask(parent, "/help")
    go_on.set()
    assert help_reply.text
    preview = await admin.wait_reply(timeout=30)
    assert "учеников добавлено: 3" in preview.text, preview.text
    assert outcome == [True]


async def test_a_long_check_shows_progress_then_the_result(
    sandbox: VKSandbox, bot: BotRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roster_service, "PROGRESS_SECONDS", 0.0)
    admin = await school_with_classes(sandbox, "5А")
    await admin.send("", document=("ученики.csv", students_csv(2_500)))
    replies = await admin.wait_replies(4, timeout=30)
    assert [reply.text for reply in replies[:3]] == [
        t("roster_reading"),
        t("roster_progress", rows="1 000"),
        t("roster_progress", rows="2 000"),
    ]
    assert "учеников добавлено: 2500" in replies[3].text, replies[3].text


@pytest.mark.parametrize(
    ("limit", "value", "text_key"),
    [
        ("MAX_CELLS", 10, "roster_problem_too_many_cells"),
        ("MAX_SECONDS", -1.0, "roster_problem_too_slow"),
    ],
)
async def test_each_limit_is_named_to_the_admin(
    sandbox: VKSandbox,
    bot: BotRunner,
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
    value: float,
    text_key: str,
) -> None:
    monkeypatch.setattr(roster_module, limit, value)
    admin = await school_with_classes(sandbox, "5А")
    await admin.send("", document=("ученики.csv", students_csv(30)))
    assert (await admin.wait_reply()).text == t("roster_reading")
    reply = await admin.wait_reply(timeout=30)
    assert reply.text == t("roster_problems", count=1, lines="• " + t(text_key))


async def test_a_reader_stuck_past_its_time_is_not_waited_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(roster_module, "MAX_SECONDS", 0.0)
    monkeypatch.setattr(roster_service, "READ_GRACE_SECONDS", 0.0)
    stuck = threading.Event()

    def work(report: object) -> tuple[tuple[Problem, ...], None, str]:
        stuck.wait(timeout=30)
        return (), None, ""

    try:
        assert await roster_service._off_the_loop(work, None) is None
    finally:
        stuck.set()
