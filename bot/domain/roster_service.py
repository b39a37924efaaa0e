"""Importing the school's lists (clauses 2.1, 2.2): check everything first, apply all or nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.domain import roster as roster_rules
from bot.domain.roles import Role
from bot.domain.roster import (
    Problem,
    Roster,
    RosterPlan,
    check_against,
    plan,
    read_roster,
    roster_from_json,
    roster_to_json,
)
from bot.parsing import parse_class_name
from bot.storage import Database

# How long past the reader's own time limit its thread is waited for before the file is
# refused anyway (a workbook's shared strings are read before the reader can check time).
READ_GRACE_SECONDS = 5.0
# A long check tells the person how far it got, at most this often.
PROGRESS_SECONDS = 5.0

# Told the count of data rows read so far.
Progress = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class ImportCheck:
    problems: tuple[Problem, ...]
    plan: RosterPlan | None
    import_id: int | None


@dataclass(frozen=True)
class ClassRosterRow:
    name: str
    role: str
    status: str  # "joined", "requested", "not_yet"


_Examined = tuple[tuple[Problem, ...], RosterPlan | None, str]


def _examine(
    filename: str,
    data: bytes,
    existing: Sequence[str],
    students: Mapping[str, str],
    staff: Mapping[str, tuple[str, tuple[str, ...]]],
    report: Callable[[int], None],
) -> _Examined:
    """Everything CPU-bound about a file, for a worker thread: problems, or a plan and the
    roster as it is stored until applied."""
    roster = read_roster(filename, data, progress=report)
    problems = roster.problems + check_against(roster, existing)
    if problems:
        return problems, None, ""
    return (), plan(roster, existing, students, staff), roster_to_json(roster)


class RosterService:
    def __init__(self, db: Database) -> None:
        self._db = db
        # One file is read at a time: a second waits rather than halving the CPU left over
        # for everyone else's messages.
        self._reading = asyncio.Semaphore(1)

    async def check(
        self, admin_id: int, filename: str, data: bytes, progress: Progress | None = None
    ) -> ImportCheck:
        """Reads and checks a file off the event loop; saves it for `apply` if it is clean."""
        repos = self._db.reader
        existing = [row.name for row in await repos.classes.all()]
        students = await repos.roster.students()
        staff = await repos.roster.staff()
        async with self._reading:
            examined = await _off_the_loop(
                lambda report: _examine(filename, data, existing, students, staff, report),
                progress,
            )
        if examined is None:
            seconds = str(round(roster_rules.MAX_SECONDS))
            return ImportCheck((Problem("", 0, "", "too_slow", seconds),), None, None)
        problems, preview, payload = examined
        if problems:
            return ImportCheck(problems, None, None)
        async with self._db.transaction() as tx:
            import_id = await tx.roster.save_import(admin_id, payload)
        return ImportCheck((), preview, import_id)

    async def apply(self, admin_id: int, import_id: int) -> Roster | None:
        """Applies a checked import in one transaction; None if it was applied already."""
        async with self._db.transaction() as tx:
            payload = await tx.roster.take_import(import_id, admin_id)
            if payload is None:
                return None
            roster = roster_from_json(payload)
            for name in roster.classes:
                parsed = parse_class_name(name)
                await tx.classes.add(parsed.name, parsed.grade, parsed.letter)
            class_ids = {row.name: row.id for row in await tx.classes.all()}
            for student in roster.students:
                await tx.roster.upsert_student(student.full_name, class_ids[student.class_name])
            for member in roster.staff:
                await tx.roster.upsert_staff(member.full_name, member.role, member.classes_led)
            await tx.audit.write(
                "roster_imported",
                admin_id,
                details={
                    "classes": len(roster.classes),
                    "staff": len(roster.staff),
                    "students": len(roster.students),
                },
            )
        return roster

    async def class_rows(self, class_id: int) -> list[ClassRosterRow]:
        """Everyone of a class for the export: who joined, who asked, who is not here yet."""
        repos = self._db.reader
        rows: list[ClassRosterRow] = []
        joined_students: set[str] = set()
        for role in (Role.STUDENT, Role.PARENT):
            grants = await repos.roles.in_class(class_id, role.value)
            names = await repos.people.names([grant.person_id for grant in grants])
            for grant in grants:
                name = grant.stated_name or names.get(grant.person_id) or f"id{grant.person_id}"
                if role is Role.STUDENT:
                    joined_students.add(name.casefold())
                rows.append(ClassRosterRow(name, role.value, "joined"))
        requested = {
            (request.full_name or "").casefold()
            for request in await repos.requests.pending([class_id], 10_000)
        }
        for name in await repos.roster.students_of(class_id):
            if name.casefold() in joined_students:
                continue
            status = "requested" if name.casefold() in requested else "not_yet"
            rows.append(ClassRosterRow(name, Role.STUDENT.value, status))
        return rows


async def _off_the_loop(
    work: Callable[[Callable[[int], None]], _Examined], progress: Progress | None
) -> _Examined | None:
    """Runs `work` in a thread, passing on its progress reports at most every
    PROGRESS_SECONDS; None if it has not finished in the reader's time and a grace."""
    loop = asyncio.get_running_loop()
    reports: asyncio.Queue[int] = asyncio.Queue()

    def report(rows: int) -> None:
        loop.call_soon_threadsafe(reports.put_nowait, rows)

    worker = asyncio.ensure_future(asyncio.to_thread(work, report))
    # Retrieved even when nobody waits for it any more, so a late failure is not reported as
    # "never retrieved".
    worker.add_done_callback(lambda done: done.cancelled() or done.exception())
    deadline = loop.time() + roster_rules.MAX_SECONDS + READ_GRACE_SECONDS
    told = loop.time()
    while True:
        next_report = asyncio.ensure_future(reports.get())
        try:
            done, _ = await asyncio.wait(
                {worker, next_report},
                timeout=max(0.0, deadline - loop.time()),
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            if not next_report.done():
                next_report.cancel()
        if next_report in done:
            # Reports are queued before the worker's result, so all are passed on first.
            if progress is not None and loop.time() - told >= PROGRESS_SECONDS:
                told = loop.time()
                await progress(next_report.result())
            continue
        if worker in done:
            return worker.result()
        # The thread stops at the reader's own deadline; nobody waits for it.
        return None
