"""The school roster uploaded as a spreadsheet: classes, staff and students, checked row by row.

Pure: bytes in, a `Roster` out. Nothing here touches the database or says anything to a user;
problems are returned as codes addressed like a cell in Excel, and the handler words them.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import time
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import openpyxl

from bot.domain.roles import Role
from bot.parsing import ClassNameError, parse_class_name, parse_full_name

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# An .xlsx is a zip archive: its unpacked parts are bounded too, so that a file within
# MAX_FILE_BYTES cannot unpack into gigabytes of XML.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Columns further right are not looked at (notes, formulas, a stray cell at XFD1).
MAX_COLUMNS = 50
# A run of this many blank rows ends a sheet: formatting dragged down to row 1 048 576.
# Rows a sheet leaves out count as blank ones, at no cost.
MAX_BLANK_RUN = 1_000
# How many skipped rows in a row are passed before the time limit is checked again.
BLANK_ROWS_PER_CHECK = 4_096
# Cells holding a value within MAX_COLUMNS, in the whole file: 20 000 rows of 50 columns fit.
MAX_CELLS = 1_000_000
# A file not read within this many seconds is refused rather than holding its reader.
MAX_SECONDS = 60.0
# A reader is told the count of data rows read after every this many.
PROGRESS_ROWS = 1_000
# Problem.value is cut to this many characters.
VALUE_LIMIT = 60

# The file format, as users see it in Excel.
SHEET_CLASSES = "Классы"
SHEET_STAFF = "Сотрудники"
SHEET_STUDENTS = "Ученики"
CSV_SHEET = "CSV"
COLUMN_CLASS = "Класс"
COLUMN_NAME = "ФИО"
COLUMN_ROLE = "Роль"
COLUMN_CLASSES_LED = "Классное руководство"

# Each sheet's columns in template order, and those a sheet cannot be read without.
SHEET_COLUMNS: dict[str, tuple[str, ...]] = {
    SHEET_CLASSES: (COLUMN_CLASS,),
    SHEET_STAFF: (COLUMN_NAME, COLUMN_ROLE, COLUMN_CLASSES_LED),
    SHEET_STUDENTS: (COLUMN_NAME, COLUMN_CLASS),
}
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    SHEET_CLASSES: (COLUMN_CLASS,),
    SHEET_STAFF: (COLUMN_NAME, COLUMN_ROLE),
    SHEET_STUDENTS: (COLUMN_NAME, COLUMN_CLASS),
}

# «Роль» cell text (compared case-insensitively, ё = е) → role.
ROLE_VALUES: dict[str, str] = {
    "учитель": Role.TEACHER.value,
    "классный руководитель": Role.CLASS_TEACHER.value,
    "администратор": Role.ADMIN.value,
    "директор": Role.DIRECTOR.value,
    "заместитель": Role.DIRECTOR.value,
}
# «заместитель директора по УВР» is a deputy as well.
_DEPUTY_PREFIX = "заместитель "

PROBLEM_CODES: tuple[str, ...] = (
    "missing_sheet_columns",
    "empty_required",
    "class_invalid",
    "class_unknown",
    "name_invalid",
    "role_unknown",
    "duplicate",
    "classes_led_missing",
    "too_many_rows",
    "too_big",
    "not_a_table",
    "no_sheets",
    "too_many_cells",
    "too_slow",
)

_JSON_VERSION = 1


@dataclass(frozen=True)
class Problem:
    """One mistake, addressed as a person would find it in Excel.

    `sheet` is the sheet's name as in the file, "CSV" for a CSV file, or "" for a problem with
    the file as a whole (too_big, not_a_table, no_sheets, too_many_cells, too_slow). `row`
    is 1-based (the header is row 1), 0 for sheet- and file-level problems. `column` is the
    Russian header, or "".
    """

    sheet: str
    row: int
    column: str
    code: str
    value: str = ""


@dataclass(frozen=True)
class StaffEntry:
    full_name: str
    role: str  # "teacher" | "class_teacher" | "admin" | "director"
    classes_led: tuple[str, ...]
    # Where the row is, for problems found later (check_against); not part of equality.
    sheet: str = field(default="", compare=False)
    row: int = field(default=0, compare=False)


@dataclass(frozen=True)
class StudentEntry:
    full_name: str
    class_name: str
    sheet: str = field(default="", compare=False)
    row: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Roster:
    classes: tuple[str, ...]
    staff: tuple[StaffEntry, ...]
    students: tuple[StudentEntry, ...]
    problems: tuple[Problem, ...]
    rows: int


@dataclass(frozen=True)
class RosterPlan:
    """What applying a roster would do, for a preview."""

    classes_to_add: tuple[str, ...]
    students_to_add: int
    students_unchanged: int
    students_moved: int
    staff_to_add: int
    staff_changed: int
    staff_unchanged: int


# ---------------------------------------------------------------------------------------------
# Reading


class _OverBudgetError(Exception):
    """Reading a file went past MAX_CELLS or its time: the file is refused as a whole."""

    def __init__(self, code: str, value: str) -> None:
        super().__init__(code)
        self.problem = Problem("", 0, "", code, value)


class _Budget:
    """What reading one file may spend, and whom to tell how far it got."""

    def __init__(self, seconds: float, progress: Callable[[int], None] | None) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.cells = 0
        self.progress = progress

    def spend(self, cells: int) -> None:
        """Counts a row's cells; raises _OverBudgetError past a limit."""
        self.cells += cells
        if self.cells > MAX_CELLS:
            raise _OverBudgetError("too_many_cells", str(MAX_CELLS))
        if time.monotonic() > self.deadline:
            raise _OverBudgetError("too_slow", str(round(self.seconds)))


def read_roster(
    filename: str,
    data: bytes,
    *,
    seconds: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> Roster:
    """Reads an .xlsx or .csv roster and checks every row. Never raises on bad input.

    CPU-bound for a big file: call it off the event loop. It gives up after `seconds`
    (MAX_SECONDS by default); `progress` is called with the count of data rows read after
    every PROGRESS_ROWS of them, on the reading thread."""
    shown_name = _clip(filename)
    if len(data) > MAX_FILE_BYTES:
        return _refused(Problem("", 0, "", "too_big", str(len(data))))
    ending = filename.strip().lower()
    budget = _Budget(MAX_SECONDS if seconds is None else seconds, progress)
    try:
        if ending.endswith(".xlsx"):
            return _read_xlsx(shown_name, data, budget)
        if ending.endswith(".csv"):
            return _read_csv(shown_name, data, budget)
    except _OverBudgetError as over:
        return _refused(over.problem)
    return _refused(Problem("", 0, "", "not_a_table", shown_name))


def _refused(problem: Problem) -> Roster:
    return Roster(classes=(), staff=(), students=(), problems=(problem,), rows=0)


def _read_xlsx(shown_name: str, data: bytes, budget: _Budget) -> Roster:
    not_a_table = _refused(Problem("", 0, "", "not_a_table", shown_name))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return not_a_table
    if unpacked > MAX_UNPACKED_BYTES:
        return _refused(Problem("", 0, "", "too_big", str(unpacked)))
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles, extensions and the like it does not read.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return _read_workbook(workbook, budget)
            finally:
                workbook.close()
    except _OverBudgetError:
        raise
    except Exception:
        # A corrupt archive, broken XML, a password-protected file saved as .xlsx: whatever
        # openpyxl raises, the answer for the user is the same.
        return not_a_table


def _read_workbook(workbook: Any, budget: _Budget) -> Roster:
    collector = _Collector(budget)
    titles: list[str] = []
    found = False
    for sheet in workbook.worksheets:
        title = str(sheet.title)
        titles.append(title)
        kind = _SHEET_KINDS.get(_header_key(title))
        if kind is None:
            continue
        found = True
        rows = _sheet_rows(sheet, budget)
        first = next(rows, None)
        # The header is row 1; a sheet whose first row is further down has none.
        header = first[1] if first is not None and first[0] == 1 else None
        if first is not None and header is None:
            rows = itertools.chain((first,), rows)
        collector.read_sheet(title, kind, _find_columns(header, SHEET_COLUMNS[kind]), rows)
        if collector.stopped:
            break
    if not found:
        return _refused(Problem("", 0, "", "no_sheets", ", ".join(titles)))
    return collector.roster()


def _sheet_rows(sheet: Any, budget: _Budget) -> Iterator[tuple[int, Sequence[object]]]:
    """(row number, values of its first MAX_COLUMNS columns) of each row that holds a value.

    openpyxl yields one shared empty tuple for every row number a file skips: a gap costs a
    loop step per row and no cells, and the reader sees it as a jump in the numbers. The
    sheet's stated dimensions are dropped first, as a file may state them wrong."""
    sheet.reset_dimensions()
    rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    for number, values in enumerate(rows, start=1):
        empty = values.count(None)
        if empty == len(values):
            if number % BLANK_ROWS_PER_CHECK == 0:
                budget.spend(0)  # the time limit holds through a long gap too
            continue
        budget.spend(len(values) - empty)
        yield number, values


def _csv_rows(reader: Iterator[list[str]], budget: _Budget) -> Iterator[tuple[int, list[str]]]:
    for number, raw in enumerate(reader, start=2):
        budget.spend(len(raw))
        yield number, raw


def _read_csv(shown_name: str, data: bytes, budget: _Budget) -> Roster:
    not_a_table = _refused(Problem("", 0, "", "not_a_table", shown_name))
    text = _decode(data)
    if text is None or "\x00" in text:
        return not_a_table
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    collector = _Collector(budget)
    try:
        header = next(reader, None)
        every = _find_columns(header, (COLUMN_NAME, COLUMN_CLASS, COLUMN_ROLE, COLUMN_CLASSES_LED))
        if COLUMN_NAME in every and COLUMN_CLASS in every:
            kind = SHEET_STUDENTS
        elif COLUMN_NAME in every and COLUMN_ROLE in every:
            kind = SHEET_STAFF
        elif COLUMN_CLASS in every:
            kind = SHEET_CLASSES
        elif COLUMN_NAME in every:
            # A list of people without «Класс» or «Роль»: most likely students missing a column.
            return _refused(Problem(CSV_SHEET, 0, COLUMN_CLASS, "missing_sheet_columns"))
        else:
            return not_a_table
        columns = {column: every[column] for column in SHEET_COLUMNS[kind] if column in every}
        collector.read_sheet(CSV_SHEET, kind, columns, _csv_rows(reader, budget))
    except csv.Error:
        return not_a_table
    return collector.roster()


def _decode(data: bytes) -> str | None:
    """UTF-8 with or without a BOM; else Windows-1251, which Excel uses for «CSV» in Russia."""
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _header_key(value: object) -> str:
    """«  Ф.И.О. », «фио», «ФИО» → the same key."""
    return " ".join(_cell_text(value).replace(".", "").split()).casefold().replace("ё", "е")


def _find_columns(header: Sequence[object] | None, wanted: Iterable[str]) -> dict[str, int]:
    """Column header → its 0-based position; the first of repeated headers wins."""
    keys = {_header_key(column): column for column in wanted}
    positions: dict[str, int] = {}
    for index, value in enumerate(header or ()):
        column = keys.get(_header_key(value))
        if column is not None and column not in positions:
            positions[column] = index
    return positions


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_SHEET_KINDS = {_header_key(kind): kind for kind in SHEET_COLUMNS}


def _clip(text: str) -> str:
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def _role_of(text: str) -> str | None:
    key = " ".join(text.casefold().replace("ё", "е").split()).rstrip(".")
    if key in ROLE_VALUES:
        return ROLE_VALUES[key]
    if key.startswith(_DEPUTY_PREFIX):
        return Role.DIRECTOR.value
    return None


# «5А, 6Б», «5 А 6 Б», «5-А; 6Б»: a number with the letter after it, or any other word.
_CLASS_TOKEN = re.compile(r"\d+\s*[-‐–—]?\s*[^\s\d,;]+|[^\s,;]+")


def _parse_class_list(text: str) -> tuple[list[str], list[str]]:
    """Normalised class names (de-duplicated, in order) and the pieces that are not classes."""
    names: list[str] = []
    bad: list[str] = []
    for token in _CLASS_TOKEN.findall(text):
        try:
            name = parse_class_name(token).name
        except ClassNameError:
            bad.append(token)
            continue
        if name not in names:
            names.append(name)
    return names, bad


def _where(sheet: str, row: int, current_sheet: str) -> str:
    """The earlier row a duplicate repeats: «строка 3», or with its sheet if that differs."""
    return f"строка {row}" if sheet == current_sheet else f"лист «{sheet}», строка {row}"


class _Collector:
    """Accumulates entries and problems over the sheets of one file."""

    def __init__(self, budget: _Budget) -> None:
        self._budget = budget
        self.problems: list[Problem] = []
        self.rows = 0
        self.stopped = False
        self._classes: dict[str, tuple[str, int]] = {}
        self._staff: dict[str, tuple[str, int]] = {}
        self._students: dict[tuple[str, str], tuple[str, int]] = {}
        self._staff_entries: list[StaffEntry] = []
        self._student_entries: list[StudentEntry] = []

    def roster(self) -> Roster:
        return Roster(
            classes=tuple(self._classes),
            staff=tuple(self._staff_entries),
            students=tuple(self._student_entries),
            problems=tuple(self.problems),
            rows=self.rows,
        )

    def _add(self, sheet: str, row: int, column: str, code: str, value: str = "") -> None:
        self.problems.append(Problem(sheet, row, column, code, _clip(value)))

    def read_sheet(
        self,
        sheet: str,
        kind: str,
        columns: Mapping[str, int],
        rows: Iterable[tuple[int, Sequence[object]]],
    ) -> None:
        """Reads numbered rows after the header (row 1); numbers skipped are blank rows."""
        missing = [column for column in REQUIRED_COLUMNS[kind] if column not in columns]
        for column in missing:
            self._add(sheet, 0, column, "missing_sheet_columns")
        if missing:
            return
        read_row = {
            SHEET_CLASSES: self._class_row,
            SHEET_STAFF: self._staff_row,
            SHEET_STUDENTS: self._student_row,
        }[kind]
        blank_run = 0
        previous = 1
        for number, raw in rows:
            blank_run += number - previous - 1
            previous = number
            if blank_run >= MAX_BLANK_RUN:
                return
            cells = {
                column: _cell_text(raw[index]) if index < len(raw) else ""
                for column, index in columns.items()
            }
            if not any(cells.values()):
                blank_run += 1
                if blank_run >= MAX_BLANK_RUN:
                    return
                continue
            blank_run = 0
            if self.rows >= MAX_ROWS:
                self._add(sheet, number, "", "too_many_rows", str(MAX_ROWS))
                self.stopped = True
                return
            self.rows += 1
            read_row(sheet, number, cells)
            if self._budget.progress is not None and self.rows % PROGRESS_ROWS == 0:
                self._budget.progress(self.rows)

    def _class_row(self, sheet: str, number: int, cells: Mapping[str, str]) -> None:
        text = cells[COLUMN_CLASS]
        try:
            name = parse_class_name(text).name
        except ClassNameError:
            self._add(sheet, number, COLUMN_CLASS, "class_invalid", text)
            return
        earlier = self._classes.get(name)
        if earlier is not None:
            self._add(sheet, number, COLUMN_CLASS, "duplicate", _where(*earlier, sheet))
            return
        self._classes[name] = (sheet, number)

    def _name(self, sheet: str, number: int, cells: Mapping[str, str]) -> str | None:
        text = cells[COLUMN_NAME]
        if not text:
            self._add(sheet, number, COLUMN_NAME, "empty_required")
            return None
        name = parse_full_name(text)
        if name is None:
            self._add(sheet, number, COLUMN_NAME, "name_invalid", text)
        return name

    def _staff_row(self, sheet: str, number: int, cells: Mapping[str, str]) -> None:
        problems_before = len(self.problems)
        name = self._name(sheet, number, cells)
        if name is not None:
            earlier = self._staff.get(name)
            if earlier is not None:
                self._add(sheet, number, COLUMN_NAME, "duplicate", _where(*earlier, sheet))
            else:
                self._staff[name] = (sheet, number)
        role_text = cells[COLUMN_ROLE]
        role = _role_of(role_text)
        if not role_text:
            self._add(sheet, number, COLUMN_ROLE, "empty_required")
        elif role is None:
            self._add(sheet, number, COLUMN_ROLE, "role_unknown", role_text)
        led, bad = _parse_class_list(cells.get(COLUMN_CLASSES_LED, ""))
        for token in bad:
            self._add(sheet, number, COLUMN_CLASSES_LED, "class_invalid", token)
        if role == Role.CLASS_TEACHER.value and not led and not bad:
            self._add(sheet, number, COLUMN_CLASSES_LED, "classes_led_missing")
        if name is not None and role is not None and len(self.problems) == problems_before:
            self._staff_entries.append(StaffEntry(name, role, tuple(led), sheet, number))

    def _student_row(self, sheet: str, number: int, cells: Mapping[str, str]) -> None:
        name = self._name(sheet, number, cells)
        class_text = cells[COLUMN_CLASS]
        class_name: str | None = None
        if not class_text:
            self._add(sheet, number, COLUMN_CLASS, "empty_required")
        else:
            try:
                class_name = parse_class_name(class_text).name
            except ClassNameError:
                self._add(sheet, number, COLUMN_CLASS, "class_invalid", class_text)
        if name is None or class_name is None:
            return
        earlier = self._students.get((name, class_name))
        if earlier is not None:
            self._add(sheet, number, COLUMN_NAME, "duplicate", _where(*earlier, sheet))
            return
        self._students[(name, class_name)] = (sheet, number)
        self._student_entries.append(StudentEntry(name, class_name, sheet, number))


# ---------------------------------------------------------------------------------------------
# Checking against the school and planning


def _class_key(name: str) -> str:
    try:
        return parse_class_name(name).name
    except ClassNameError:
        return name.strip()


def _name_key(name: str) -> str:
    return parse_full_name(name) or " ".join(name.split())


def check_against(roster: Roster, existing_classes: Iterable[str]) -> tuple[Problem, ...]:
    """Class references that name neither an existing class nor one of the roster's «Классы»."""
    known = {_class_key(name) for name in existing_classes} | set(roster.classes)
    problems: list[Problem] = []
    for member in roster.staff:
        problems.extend(
            Problem(member.sheet, member.row, COLUMN_CLASSES_LED, "class_unknown", name)
            for name in member.classes_led
            if name not in known
        )
    for student in roster.students:
        if student.class_name not in known:
            cell = (student.sheet, student.row, COLUMN_CLASS)
            problems.append(Problem(*cell, "class_unknown", student.class_name))
    return tuple(problems)


def plan(
    roster: Roster,
    existing_classes: Iterable[str],
    current_students: Mapping[str, str],
    current_staff: Mapping[str, tuple[str, tuple[str, ...]]],
) -> RosterPlan:
    """Counts what applying `roster` would add and change against what is stored today."""
    existing = {_class_key(name) for name in existing_classes}
    classes_to_add = tuple(name for name in roster.classes if name not in existing)

    stored_students = {_name_key(name): _class_key(cls) for name, cls in current_students.items()}
    # A name found in its stored class is unchanged; each stored person accounts for one move
    # at most, so a namesake in another class is someone new rather than a second move.
    in_place = {
        student.full_name
        for student in roster.students
        if stored_students.get(student.full_name) == student.class_name
    }
    moved_names: set[str] = set()
    added = unchanged = moved = 0
    for student in roster.students:
        stored_class = stored_students.get(student.full_name)
        if stored_class == student.class_name:
            unchanged += 1
        elif (
            stored_class is not None
            and student.full_name not in in_place
            and student.full_name not in moved_names
        ):
            moved_names.add(student.full_name)
            moved += 1
        else:
            added += 1

    stored_staff = {
        _name_key(name): (role, frozenset(_class_key(cls) for cls in led))
        for name, (role, led) in current_staff.items()
    }
    staff_added = staff_changed = staff_unchanged = 0
    for member in roster.staff:
        stored = stored_staff.get(member.full_name)
        if stored is None:
            staff_added += 1
        elif stored == (member.role, frozenset(member.classes_led)):
            staff_unchanged += 1
        else:
            staff_changed += 1

    return RosterPlan(
        classes_to_add=classes_to_add,
        students_to_add=added,
        students_unchanged=unchanged,
        students_moved=moved,
        staff_to_add=staff_added,
        staff_changed=staff_changed,
        staff_unchanged=staff_unchanged,
    )


# ---------------------------------------------------------------------------------------------
# Storing a checked import until it is applied


def roster_to_json(roster: Roster) -> str:
    document = {
        "version": _JSON_VERSION,
        "classes": list(roster.classes),
        "staff": [
            {
                "full_name": member.full_name,
                "role": member.role,
                "classes_led": list(member.classes_led),
                "sheet": member.sheet,
                "row": member.row,
            }
            for member in roster.staff
        ],
        "students": [
            {
                "full_name": student.full_name,
                "class_name": student.class_name,
                "sheet": student.sheet,
                "row": student.row,
            }
            for student in roster.students
        ],
        "problems": [
            {
                "sheet": problem.sheet,
                "row": problem.row,
                "column": problem.column,
                "code": problem.code,
                "value": problem.value,
            }
            for problem in roster.problems
        ],
        "rows": roster.rows,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def roster_from_json(text: str) -> Roster:
    """The inverse of `roster_to_json`; ValueError if `text` is not such a document."""
    try:
        document = json.loads(text)
        if document.get("version") != _JSON_VERSION:
            raise ValueError(f"unsupported roster document version: {document.get('version')!r}")
        return Roster(
            classes=tuple(str(name) for name in document["classes"]),
            staff=tuple(
                StaffEntry(
                    full_name=str(item["full_name"]),
                    role=str(item["role"]),
                    classes_led=tuple(str(name) for name in item["classes_led"]),
                    sheet=str(item["sheet"]),
                    row=int(item["row"]),
                )
                for item in document["staff"]
            ),
            students=tuple(
                StudentEntry(
                    full_name=str(item["full_name"]),
                    class_name=str(item["class_name"]),
                    sheet=str(item["sheet"]),
                    row=int(item["row"]),
                )
                for item in document["students"]
            ),
            problems=tuple(
                Problem(
                    sheet=str(item["sheet"]),
                    row=int(item["row"]),
                    column=str(item["column"]),
                    code=str(item["code"]),
                    value=str(item["value"]),
                )
                for item in document["problems"]
            ),
            rows=int(document["rows"]),
        )
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
        raise ValueError(f"not a stored roster: {error}") from error
