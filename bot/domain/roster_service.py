"""Importing the school's lists (clauses 2.1, 2.2): check everything first, apply all or nothing."""

from __future__ import annotations

from dataclasses import dataclass

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


class RosterService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def check(self, admin_id: int, filename: str, data: bytes) -> ImportCheck:
        roster = read_roster(filename, data)
        existing = [row.name for row in await self._db.reader.classes.all()]
        problems = roster.problems + check_against(roster, existing)
        if problems:
            return ImportCheck(problems, None, None)
        repos = self._db.reader
        preview = plan(roster, existing, await repos.roster.students(), await repos.roster.staff())
        async with self._db.transaction() as tx:
            import_id = await tx.roster.save_import(admin_id, roster_to_json(roster))
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
