"""Spreadsheets the bot hands out: the roster template and the export of who has joined."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bot.domain.roster import (
    COLUMN_CLASS,
    COLUMN_CLASSES_LED,
    COLUMN_NAME,
    COLUMN_ROLE,
    MAX_FILE_BYTES,
    MAX_ROWS,
    ROLE_VALUES,
    SHEET_CLASSES,
    SHEET_COLUMNS,
    SHEET_STAFF,
    SHEET_STUDENTS,
)

SHEET_HOWTO = "Как заполнить"
SHEET_SUMMARY = "Сводка"
SUMMARY_HEADERS = ("Класс", "Ожидается", "Присоединились", "Ещё нет")
SUMMARY_TOTAL = "Итого"
PEOPLE_HEADERS = ("ФИО", "Роль", "Статус", "Родители")

_WIDTHS = {
    COLUMN_CLASS: 12,
    COLUMN_NAME: 40,
    COLUMN_ROLE: 26,
    COLUMN_CLASSES_LED: 24,
    "Статус": 24,
}
_BOLD = Font(bold=True)

TEMPLATE_EXAMPLES: dict[str, tuple[str, ...]] = {
    SHEET_CLASSES: ("5А",),
    SHEET_STAFF: ("Смирнова Елена Петровна", "классный руководитель", "5А"),
    SHEET_STUDENTS: ("Белов Михаил", "5А"),
}


def _megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)} МБ"


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")


TEMPLATE_HOWTO: tuple[str, ...] = (
    "Как заполнить список школы",
    "",
    f"1. Заполните листы «{SHEET_CLASSES}», «{SHEET_STAFF}» и «{SHEET_STUDENTS}». "
    "Лишние листы и столбцы бот не читает, этот лист можно не удалять.",
    "2. Первая строка каждого листа — заголовки. Не меняйте их текст; порядок столбцов любой.",
    f"3. Лист «{SHEET_CLASSES}», столбец «{COLUMN_CLASS}»: по одному классу в строке — "
    "номер от 1 до 11 и русская буква, например «5А».",
    f"4. «{COLUMN_NAME}»: фамилия, имя и, если есть, отчество русскими буквами, "
    "например «Смирнова Елена Петровна».",
    f"5. «{COLUMN_ROLE}»: одно из — {', '.join(ROLE_VALUES)}.",
    f"6. «{COLUMN_CLASSES_LED}»: классы через запятую, например «5А, 6Б». "
    "Обязательно для классного руководителя, для остальных можно оставить пустым.",
    f"7. Лист «{SHEET_STUDENTS}»: ФИО и класс ученика. Класс должен быть на листе "
    f"«{SHEET_CLASSES}» или уже заведён в боте.",
    "8. Не повторяйте строки: сотрудник указывается один раз, ученик — один раз в своём классе.",
    "9. Пустые строки пропускаются.",
    "10. Можно прислать и CSV-файл (UTF-8, разделитель «;» или «,») с одним списком: "
    "ученики (ФИО, Класс), сотрудники (ФИО, Роль) или классы (Класс).",
    f"11. Размер файла — не больше {_megabytes(MAX_FILE_BYTES)}, "
    f"строк с данными — не больше {_thousands(MAX_ROWS)}.",
    "12. Бот проверит файл и покажет ошибки с номерами строк, ничего не меняя, "
    "пока вы не нажмёте «Применить».",
)

# Characters Excel forbids in a sheet name, and its length limit.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_MAX = 31


def roster_template() -> bytes:
    """An .xlsx to fill in: the three roster sheets with an example row each, and instructions."""
    workbook = Workbook()
    first = workbook.active
    workbook.remove(first)
    for title, headers in SHEET_COLUMNS.items():
        sheet = workbook.create_sheet(title)
        _write_header(sheet, headers)
        _write_row(sheet, 2, TEMPLATE_EXAMPLES[title])
        if title == SHEET_STAFF:
            _offer_roles(sheet, headers.index(COLUMN_ROLE) + 1)
    howto = workbook.create_sheet(SHEET_HOWTO)
    for number, line in enumerate(TEMPLATE_HOWTO, start=1):
        howto.cell(row=number, column=1, value=line)
    howto["A1"].font = _BOLD
    howto.column_dimensions["A"].width = 110
    workbook.active = 0
    return _to_bytes(workbook)


def _offer_roles(sheet: Any, column: int) -> None:
    """A drop-down of the roles in «Роль»; other text stays allowed («заместитель директора…»)."""
    letter = get_column_letter(column)
    choice = DataValidation(
        type="list",
        formula1='"' + ",".join(ROLE_VALUES) + '"',
        allow_blank=True,
        showErrorMessage=False,
    )
    sheet.add_data_validation(choice)
    choice.add(f"{letter}2:{letter}{MAX_ROWS + 1}")


def export_workbook(
    summary: Sequence[tuple[str, int, int, int]],
    classes: Mapping[str, Sequence[Sequence[str | None]]],
) -> bytes:
    """«Сводка» (per class: expected, joined, not yet, and a total), then a sheet per class
    (each person: name, role, status and, for a student, their parents)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_SUMMARY
    _write_header(sheet, SUMMARY_HEADERS)
    totals = [0, 0, 0]
    row = 1
    for row, (name, expected, joined, not_yet) in enumerate(summary, start=2):
        _write_row(sheet, row, (name, expected, joined, not_yet))
        totals = [totals[0] + expected, totals[1] + joined, totals[2] + not_yet]
    _write_row(sheet, row + 1, (SUMMARY_TOTAL, *totals))
    for cell in sheet[row + 1]:
        cell.font = _BOLD

    used = {SHEET_SUMMARY.casefold()}
    for class_name, people in classes.items():
        class_sheet = workbook.create_sheet(_sheet_title(class_name, used))
        _write_header(class_sheet, PEOPLE_HEADERS)
        for number, person in enumerate(people, start=2):
            _write_row(class_sheet, number, person)
    return _to_bytes(workbook)


def table_workbook(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[int] = (),
) -> bytes:
    """One sheet: a bold header and the rows (the audit log's export); `widths` in
    characters, column by column, where the header's own would be too narrow."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(title, set())
    _write_header(sheet, headers)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for number, row in enumerate(rows, start=2):
        _write_row(sheet, number, row)
    return _to_bytes(workbook)


def _sheet_title(name: str, used: set[str]) -> str:
    """`name` as Excel accepts it for a sheet, unique in the workbook (case-insensitively)."""
    base = _SHEET_FORBIDDEN.sub("_", name).strip().strip("'")[:_SHEET_NAME_MAX] or "Класс"
    title, copy = base, 1
    while title.casefold() in used:
        copy += 1
        suffix = f" ({copy})"
        title = base[: _SHEET_NAME_MAX - len(suffix)] + suffix
    used.add(title.casefold())
    return title


def _write_header(sheet: Any, headers: Sequence[str]) -> None:
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column, value=header)
        cell.font = _BOLD
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS.get(
            header, max(14, len(header) + 4)
        )
    sheet.freeze_panes = "A2"


def _write_row(sheet: Any, row: int, values: Sequence[object]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str) and value.startswith("="):
            # Text that looks like a formula stays text: a name is never evaluated by Excel.
            cell.data_type = "s"


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
