"""People looked up by name, within what the one who looks may see.

Who sees whom (the README's «Who may do what» says the same):
- an admin and the director: everyone who consented (and, where a command asks, people who
  have left);
- a class teacher: the students and parents of their classes, and the staff;
- anyone else holding a role: the staff (teachers, class teachers, admins, the director);
- everyone: themselves.
A person is named by `people.full_name` or, for a student, the name they joined with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.domain.roles import Actor, Role
from bot.parsing import name_matcher
from bot.russian import Who
from bot.storage.people import DirectoryRow, NameEntry

STAFF_ROLES = frozenset({Role.ADMIN, Role.DIRECTOR, Role.CLASS_TEACHER, Role.TEACHER})
PUPIL_ROLES = frozenset({Role.STUDENT, Role.PARENT})
# More matches than this are not offered as buttons: the person is asked to be more precise.
MAX_CHOICES = 8
# People a name found whose roles are read (IN (...) of one statement): far more than any
# surname in a school of 3,000.
READ_AT_MOST = 500


@dataclass(frozen=True)
class RoleHeld:
    role: Role
    # None for the staff room and roles without a class (admin, director).
    class_name: str | None
    class_id: int | None


@dataclass(frozen=True)
class NamedPerson:
    """Someone a name found: enough to act on them and to tell them from a namesake."""

    person_id: int
    name: Who
    departed: bool
    roles: tuple[RoleHeld, ...]
    # Names besides `name` they are found by (a student's name from joining).
    other_names: tuple[str, ...] = ()

    @property
    def is_staff(self) -> bool:
        return any(held.role in STAFF_ROLES for held in self.roles)


def people_of(rows: Iterable[DirectoryRow]) -> list[NamedPerson]:
    """The directory's rows (one per role) gathered into people, in the order read."""
    gathered: dict[int, tuple[DirectoryRow, list[RoleHeld], list[str]]] = {}
    for row in rows:
        first, held, others = gathered.setdefault(row.person_id, (row, [], []))
        if row.role is not None:
            class_name = None if row.is_staff_room else row.class_name
            held.append(RoleHeld(Role(row.role), class_name, row.class_id))
        if row.stated_name and row.stated_name != first.full_name and row.stated_name not in others:
            others.append(row.stated_name)
    return [
        NamedPerson(
            person_id=first.person_id,
            name=Who(first.full_name, first.gender),
            departed=first.departed,
            roles=tuple(held),
            other_names=tuple(others),
        )
        for first, held, others in gathered.values()
    ]


def sees(actor: Actor, person: NamedPerson) -> bool:
    """Whether `actor` may find `person` by name (and so act on them through a name)."""
    if person.person_id == actor.person_id:
        return True
    if actor.has(Role.ADMIN, Role.DIRECTOR):
        return True
    if person.departed:
        return False
    classes = set(actor.classes_as(Role.CLASS_TEACHER))
    if classes and any(
        held.role in PUPIL_ROLES and held.class_id in classes for held in person.roles
    ):
        return True
    has_any_role = any(grant.active for grant in actor.grants)
    return has_any_role and person.is_staff


def named_by(entries: Iterable[NameEntry], typed: str) -> set[int]:
    """The people whom `typed` names, among everyone's names (before who may see whom)."""
    matches = name_matcher(typed)
    return {entry.person_id for entry in entries if matches(entry.name)}


def find(actor: Actor, people: Iterable[NamedPerson], typed: str) -> list[NamedPerson]:
    """Everyone `actor` may see whom `typed` names, by surname order then name."""
    matches = name_matcher(typed)
    found = [
        person
        for person in people
        if (matches(person.name) or any(matches(other) for other in person.other_names))
        and sees(actor, person)
    ]
    return sorted(found, key=lambda person: (person.name.casefold(), person.person_id))
