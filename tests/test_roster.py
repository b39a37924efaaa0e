"""The roster upload: reading XLSX/CSV, problems addressed by cell, checks, plan, templates."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Sequence

import pytest
from openpyxl import Workbook, load_workbook

from bot.domain import roster as roster_module
from bot.domain.roster import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    PROBLEM_CODES,
    Problem,
    Roster,
    RosterPlan,
    StaffEntry,
    StudentEntry,
    check_against,
    plan,
    read_roster,
    roster_from_json,
    roster_to_json,
)
from bot.files import export_workbook, roster_template

Rows = Sequence[Sequence[object]]


def xlsx(sheets: dict[str, Rows]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Rows, delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(delimiter.join(str(cell) for cell in row) for row in rows).encode(encoding)


STAFF_HEADER = ("ФИО", "Роль", "Классное руководство")
STUDENT_HEADER = ("ФИО", "Класс")


def problems_of(sheets: dict[str, Rows]) -> tuple[Problem, ...]:
    return read_roster("школа.xlsx", xlsx(sheets)).problems


def test_a_good_workbook_parses_with_normalised_names_classes_and_roles() -> None:
    data = xlsx(
        {
            "Классы": [("Класс",), ("5а",), ("6 Б",), ("7-В",)],
            # Any column order, an extra column, a header written differently.
            " сотрудники ": [
                ("Роль", "Примечание", "Ф.И.О.", "Классное руководство"),
                ("Классный руководитель", "с 2020", "смирнова елена петровна", "5А, 6 Б"),
                ("учитель", None, "Петров Пётр Петрович", None),
                ("Директор", None, "Иванова Анна Сергеевна", ""),
                ("заместитель директора по УВР", None, "Козлов Игорь Олегович", None),
                ("ЗАМЕСТИТЕЛЬ", None, "Римская-Корсакова Ольга", None),
                ("администратор", None, "Орлов Олег", None),
            ],
            "УЧЕНИКИ": [
                ("Класс", "ФИО"),
                ("5а", "белов михаил"),
                (),
                (None, None),
                ("6Б", "  Сидорова   Мария  "),
            ],
            "Лист1": [("что угодно",)],
        }
    )
    roster = read_roster("Школа.XLSX", data)
    assert roster.problems == ()
    assert roster.classes == ("5А", "6Б", "7В")
    assert roster.staff == (
        StaffEntry("Смирнова Елена Петровна", "class_teacher", ("5А", "6Б")),
        StaffEntry("Петров Пётр Петрович", "teacher", ()),
        StaffEntry("Иванова Анна Сергеевна", "director", ()),
        StaffEntry("Козлов Игорь Олегович", "director", ()),
        StaffEntry("Римская-Корсакова Ольга", "director", ()),
        StaffEntry("Орлов Олег", "admin", ()),
    )
    assert roster.students == (
        StudentEntry("Белов Михаил", "5А"),
        StudentEntry("Сидорова Мария", "6Б"),
    )
    assert (roster.students[1].sheet, roster.students[1].row) == ("УЧЕНИКИ", 5)
    assert roster.rows == 3 + 6 + 2


def test_a_latin_lookalike_class_repeats_its_cyrillic_twin() -> None:
    problems = problems_of({"Классы": [("Класс",), ("5А",), ("5A",)]})
    assert problems == (Problem("Классы", 3, "Класс", "duplicate", "строка 2"),)


def test_a_csv_of_students_with_semicolons_and_a_bom_parses() -> None:
    data = csv_bytes([STUDENT_HEADER, ("белов михаил", "5а"), ("", ""), ("Сидорова Мария", "6 Б")])
    assert data.startswith(b"\xef\xbb\xbf")
    roster = read_roster("ученики.CSV", data)
    assert roster.problems == ()
    assert roster.students == (
        StudentEntry("Белов Михаил", "5А"),
        StudentEntry("Сидорова Мария", "6Б"),
    )
    assert (roster.students[1].sheet, roster.students[1].row) == ("CSV", 4)
    assert roster.rows == 2


def test_a_csv_of_staff_with_commas_and_without_a_bom_parses() -> None:
    text = 'ФИО,Роль,Классное руководство\nСмирнова Елена,классный руководитель,"5А, 6Б"\n'
    roster = read_roster("staff.csv", text.encode("utf-8"))
    assert roster.problems == ()
    assert roster.staff == (StaffEntry("Смирнова Елена", "class_teacher", ("5А", "6Б")),)


def test_a_csv_of_classes_and_one_saved_by_russian_excel_in_cp1251_parse() -> None:
    roster = read_roster(
        "classes.csv", csv_bytes([("Класс",), ("5А",), ("11б",)], encoding="cp1251")
    )
    assert roster.problems == ()
    assert roster.classes == ("5А", "11Б")


def test_a_student_with_a_class_that_cannot_be_is_addressed_by_sheet_row_and_column() -> None:
    problems = problems_of(
        {
            "Ученики": [
                STUDENT_HEADER,
                ("Белов Михаил", "5А"),
                ("Белова Анна", "5А"),
                ("Ким Юна", "12Я"),
            ]
        }
    )
    assert problems == (Problem("Ученики", 4, "Класс", "class_invalid", "12Я"),)


def test_names_required_cells_and_roles_are_checked() -> None:
    problems = problems_of(
        {
            "Сотрудники": [
                STAFF_HEADER,
                ("Ivanov Ivan", "учитель", None),
                (None, "учитель", None),
                ("Петров Пётр", None, None),
                ("Сидоров Олег", "завхоз", None),
                ("Смирнова Елена", "классный руководитель", None),
                ("Орлова Ольга", "классный руководитель", "5А, 15Б"),
            ],
            "Ученики": [STUDENT_HEADER, ("Белов Михаил", None), ("Иванов", "5А")],
        }
    )
    assert problems == (
        Problem("Сотрудники", 2, "ФИО", "name_invalid", "Ivanov Ivan"),
        Problem("Сотрудники", 3, "ФИО", "empty_required"),
        Problem("Сотрудники", 4, "Роль", "empty_required"),
        Problem("Сотрудники", 5, "Роль", "role_unknown", "завхоз"),
        Problem("Сотрудники", 6, "Классное руководство", "classes_led_missing"),
        Problem("Сотрудники", 7, "Классное руководство", "class_invalid", "15Б"),
        Problem("Ученики", 2, "Класс", "empty_required"),
        Problem("Ученики", 3, "ФИО", "name_invalid", "Иванов"),
    )


def test_rows_with_problems_are_not_taken_as_entries() -> None:
    roster = read_roster(
        "школа.xlsx",
        xlsx(
            {
                "Сотрудники": [
                    STAFF_HEADER,
                    ("Смирнова Елена", "учитель", "5А, 99"),
                    ("Ким Юна", "учитель", ""),
                ],
                "Ученики": [STUDENT_HEADER, ("Белов Михаил", "0А"), ("Ким Юна", "5А")],
            }
        ),
    )
    assert [problem.code for problem in roster.problems] == ["class_invalid", "class_invalid"]
    assert roster.staff == (StaffEntry("Ким Юна", "teacher", ()),)
    assert roster.students == (StudentEntry("Ким Юна", "5А"),)


def test_a_teacher_may_list_classes_led_and_classes_led_accept_spaces_and_semicolons() -> None:
    roster = read_roster(
        "школа.xlsx",
        xlsx({"Сотрудники": [STAFF_HEADER, ("Смирнова Елена", "учитель", "5 А 6-Б; 7В, 5а")]}),
    )
    assert roster.problems == ()
    assert roster.staff == (StaffEntry("Смирнова Елена", "teacher", ("5А", "6Б", "7В")),)


def test_a_duplicate_names_the_row_it_repeats() -> None:
    problems = problems_of(
        {
            "Классы": [("Класс",), ("5А",), ("6Б",), ("5а",)],
            "Сотрудники": [
                STAFF_HEADER,
                ("Смирнова Елена", "учитель", None),
                ("СМИРНОВА  ЕЛЕНА", "директор", None),
            ],
            "Ученики": [
                STUDENT_HEADER,
                ("Белов Михаил", "5А"),
                ("Белов Михаил", "6Б"),  # a namesake in another class is someone else
                (None, None),
                ("белов михаил", "5 А"),
            ],
        }
    )
    assert problems == (
        Problem("Классы", 4, "Класс", "duplicate", "строка 2"),
        Problem("Сотрудники", 3, "ФИО", "duplicate", "строка 2"),
        Problem("Ученики", 5, "ФИО", "duplicate", "строка 2"),
    )


def test_a_sheet_without_a_required_column_is_a_sheet_level_problem() -> None:
    problems = problems_of(
        {
            "Ученики": [("ФИО", "Класс ученика"), ("Белов Михаил", "5А")],
            "Сотрудники": [],
        }
    )
    assert problems == (
        Problem("Ученики", 0, "Класс", "missing_sheet_columns"),
        Problem("Сотрудники", 0, "ФИО", "missing_sheet_columns"),
        Problem("Сотрудники", 0, "Роль", "missing_sheet_columns"),
    )


def test_a_csv_of_people_without_class_or_role_misses_a_column() -> None:
    roster = read_roster("люди.csv", csv_bytes([("ФИО",), ("Белов Михаил",)]))
    assert roster.problems == (Problem("CSV", 0, "Класс", "missing_sheet_columns"),)


def test_a_workbook_without_roster_sheets_has_no_sheets() -> None:
    roster = read_roster("школа.xlsx", xlsx({"Лист1": [("ФИО", "Класс")], "Лист2": []}))
    assert roster.problems == (Problem("", 0, "", "no_sheets", "Лист1, Лист2"),)


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("школа.xlsx", random.Random(7).randbytes(4096)),
        ("школа.xlsx", b""),
        ("школа.xls", xlsx({"Ученики": [STUDENT_HEADER]})),
        ("школа.pdf", b"%PDF-1.4"),
        ("список", csv_bytes([STUDENT_HEADER])),
        ("школа.csv", b"\x00\x01\x02 not text \x98\x98"),
        ("школа.csv", csv_bytes([("Фамилия", "Имя"), ("Белов", "Михаил")])),
    ],
)
def test_what_is_not_a_roster_table_is_not_a_table(filename: str, data: bytes) -> None:
    roster = read_roster(filename, data)
    assert [problem.code for problem in roster.problems] == ["not_a_table"]
    assert roster.problems[0].value == filename
    assert (roster.classes, roster.staff, roster.students, roster.rows) == ((), (), (), 0)


def test_a_zip_that_is_not_a_workbook_is_not_a_table() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert read_roster("a.xlsx", buffer.getvalue()).problems[0].code == "not_a_table"


def test_a_problem_value_is_cut_to_sixty_characters() -> None:
    long_role = "учитель " * 20
    (problem,) = problems_of({"Сотрудники": [STAFF_HEADER, ("Ким Юна", long_role, None)]})
    assert problem.code == "role_unknown"
    assert len(problem.value) == 60 and problem.value.endswith("…")


def _cyrillic_word(number: int) -> str:
    letters = "абвгдежзиклмнопрстуфхцчшэюя"
    word = ""
    while True:
        number, digit = divmod(number, len(letters))
        word += letters[digit]
        if number == 0:
            return word.capitalize()


def test_a_file_over_five_megabytes_is_refused_without_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [STUDENT_HEADER] + [(f"Иванов {_cyrillic_word(i)}", "5А") for i in range(260_000)]
    data = csv_bytes(rows)
    assert len(data) > MAX_FILE_BYTES

    def must_not_parse(text: str) -> str | None:
        raise AssertionError("a file over the limit was parsed")

    monkeypatch.setattr(roster_module, "parse_full_name", must_not_parse)
    roster = read_roster("ученики.csv", data)
    assert roster.problems == (Problem("", 0, "", "too_big", str(len(data))),)
    assert roster.rows == 0


def test_a_file_over_twenty_thousand_rows_stops_at_the_limit() -> None:
    rows = [STUDENT_HEADER] + [(f"Иванов {_cyrillic_word(i)}", "5А") for i in range(MAX_ROWS + 50)]
    rows.append(("Ivanov", "99"))  # past the limit: never read, so never reported
    roster = read_roster("ученики.csv", csv_bytes(rows))
    assert roster.problems == (Problem("CSV", MAX_ROWS + 2, "", "too_many_rows", str(MAX_ROWS)),)
    assert roster.rows == MAX_ROWS


def test_exactly_twenty_thousand_rows_are_fine() -> None:
    rows = [("Класс",)] + [("5А",)] * MAX_ROWS
    roster = read_roster("классы.csv", csv_bytes(rows))
    assert {problem.code for problem in roster.problems} == {"duplicate"}
    assert roster.rows == MAX_ROWS


def test_a_workbook_unpacking_too_large_is_too_big(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster_module, "MAX_UNPACKED_BYTES", 1000)
    roster = read_roster("школа.xlsx", xlsx({"Классы": [("Класс",), ("5А",)]}))
    assert [problem.code for problem in roster.problems] == ["too_big"]


def test_a_long_blank_run_ends_a_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster_module, "MAX_BLANK_RUN", 3)
    rows: list[tuple[str, ...]] = [("Класс",), ("5А",), (), ("6Б",), (), (), (), ("7В",)]
    assert read_roster("классы.csv", csv_bytes(rows)).classes == ("5А", "6Б")


def test_every_problem_code_is_declared() -> None:
    assert len(set(PROBLEM_CODES)) == 14
    assert "class_unknown" in PROBLEM_CODES


def test_check_against_finds_unknown_classes_and_accepts_those_added_in_the_file() -> None:
    roster = read_roster(
        "школа.xlsx",
        xlsx(
            {
                "Классы": [("Класс",), ("5А",)],
                "Сотрудники": [STAFF_HEADER, ("Смирнова Елена", "классный руководитель", "5А, 8Г")],
                "Ученики": [
                    STUDENT_HEADER,
                    ("Белов Михаил", "5А"),
                    ("Ким Юна", "6Б"),
                    ("Орлов Олег", "7В"),
                ],
            }
        ),
    )
    assert roster.problems == ()
    assert check_against(roster, ["6б"]) == (
        Problem("Сотрудники", 2, "Классное руководство", "class_unknown", "8Г"),
        Problem("Ученики", 4, "Класс", "class_unknown", "7В"),
    )
    assert check_against(roster, ["6Б", "7В", "8Г"]) == ()


def test_plan_counts_what_would_be_added_moved_and_changed() -> None:
    roster = Roster(
        classes=("5А", "6Б", "7В"),
        staff=(
            StaffEntry("Смирнова Елена", "class_teacher", ("5А", "6Б")),
            StaffEntry("Петров Пётр", "class_teacher", ("6Б",)),
            StaffEntry("Козлов Игорь", "director", ()),
            StaffEntry("Орлов Олег", "teacher", ()),
        ),
        students=(
            StudentEntry("Белов Михаил", "5А"),
            StudentEntry("Сидорова Мария", "6Б"),
            StudentEntry("Новиков Олег", "5А"),
            StudentEntry("Иванов Иван", "5А"),
            StudentEntry("Иванов Иван", "6Б"),
            StudentEntry("Ким Юна", "7В"),
            StudentEntry("Ким Юна", "6Б"),
        ),
        problems=(),
        rows=14,
    )
    result = plan(
        roster,
        existing_classes=["5а"],
        current_students={
            "Белов Михаил": "5А",
            "Сидорова Мария": "5А",
            "Иванов Иван": "5А",
            "Ким Юна": "5А",
            "Гоне Ушедший": "5А",
        },
        current_staff={
            "Смирнова Елена": ("class_teacher", ("6Б", "5А")),
            "Петров Пётр": ("teacher", ()),
            "Орлов Олег": ("teacher", ()),
        },
    )
    assert result == RosterPlan(
        classes_to_add=("6Б", "7В"),
        # Белов and Иванов in 5А stay; Сидорова moves; Ким moves once, her namesake is new.
        students_to_add=3,
        students_unchanged=2,
        students_moved=2,
        staff_to_add=1,
        staff_changed=1,
        staff_unchanged=2,
    )


def test_the_template_reads_back_as_its_example_rows_without_problems() -> None:
    data = roster_template()
    roster = read_roster("шаблон.xlsx", data)
    assert roster.problems == ()
    assert roster.classes == ("5А",)
    assert roster.staff == (StaffEntry("Смирнова Елена Петровна", "class_teacher", ("5А",)),)
    assert roster.students == (StudentEntry("Белов Михаил", "5А"),)
    assert check_against(roster, []) == ()

    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Классы", "Сотрудники", "Ученики", "Как заполнить"]
    staff = workbook["Сотрудники"]
    assert [cell.value for cell in staff[1]] == ["ФИО", "Роль", "Классное руководство"]
    assert all(cell.font.bold for cell in staff[1])
    assert staff.freeze_panes == "A2"
    assert staff.column_dimensions["A"].width >= 30
    howto = "\n".join(str(row[0]) for row in workbook["Как заполнить"].values if row[0])
    assert "5 МБ" in howto and "20 000" in howto and "классный руководитель" in howto


def test_the_export_has_a_summary_with_totals_and_a_sheet_per_class() -> None:
    data = export_workbook(
        [("5А", 3, 2, 1), ("6Б", 2, 2, 0)],
        {
            "5А": [
                ("Белов Михаил", "ученик", "присоединился"),
                ("=1+1", "родитель", "ещё нет"),
            ],
            "6Б": [],
        },
    )
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Сводка", "5А", "6Б"]
    summary = [list(row) for row in workbook["Сводка"].values]
    assert summary == [
        ["Класс", "Ожидается", "Присоединились", "Ещё нет"],
        ["5А", 3, 2, 1],
        ["6Б", 2, 2, 0],
        ["Итого", 5, 4, 1],
    ]
    people = [list(row) for row in workbook["5А"].values]
    assert people[0] == ["ФИО", "Роль", "Статус", "Родители"]
    assert people[1] == ["Белов Михаил", "ученик", "присоединился", None]
    assert workbook["5А"]["A3"].data_type == "s"  # text, never a formula
    assert [list(row) for row in workbook["6Б"].values] == [["ФИО", "Роль", "Статус", "Родители"]]


def test_an_empty_export_still_has_its_total_row() -> None:
    workbook = load_workbook(io.BytesIO(export_workbook([], {})))
    assert [list(row) for row in workbook["Сводка"].values][-1] == ["Итого", 0, 0, 0]


def test_a_roster_survives_json_with_its_cell_addresses() -> None:
    roster = read_roster(
        "школа.xlsx",
        xlsx(
            {
                "Классы": [("Класс",), ("5А",), ("5А",)],
                "Сотрудники": [STAFF_HEADER, ("Смирнова Елена", "классный руководитель", "5А")],
                "Ученики": [STUDENT_HEADER, ("Белов Михаил", "5А"), ("Ким", "5А")],
            }
        ),
    )
    assert len(roster.problems) == 2
    again = roster_from_json(roster_to_json(roster))
    assert again == roster
    assert [(s.sheet, s.row) for s in again.students] == [("Ученики", 2)]
    assert [(s.sheet, s.row) for s in again.staff] == [("Сотрудники", 2)]
    assert check_against(again, []) == check_against(roster, [])


@pytest.mark.parametrize("text", ["", "[]", '{"version": 99}', '{"version": 1, "classes": []}'])
def test_a_broken_stored_roster_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="roster"):
        roster_from_json(text)
