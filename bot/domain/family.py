"""Families: a parent linked to a child as a relation, not by matching typed names.

A link names a registered student (`child_id`) or, until the child registers, the name the
parent gave; the class is the child's. Links are made by a named invitation, an approved
join request (the parent picked the child from the class's list, or typed a name the class
teacher confirmed), a student's registration that a name-only link names, or by hand
(`/family`). `family_links` is the one record of who is whose parent: movement, departures
and class lists read it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.roles import Actor, Role
from bot.parsing import name_key, name_matches
from bot.storage import Database, Repositories
from bot.storage.family import FamilyLinkRow


def names_agree(typed: str, full_name: str) -> bool:
    """Whether a name someone typed («белов михаил», «Белов») names the person `full_name`:
    the same name, or a surname and first name with one slip forgiven (`name_matches`)."""
    if not typed.strip() or not full_name.strip():
        return False
    if name_key(typed) == name_key(full_name):
        return True
    words = typed.split()
    # A typed name with a patronymic is compared by its surname and first name.
    return name_matches(" ".join(words[:2]), full_name) and len(words) >= 2


@dataclass(frozen=True)
class ClassChild:
    """A student of a class as a parent picks them: registered (`person_id`), or on the
    imported roster and not registered yet."""

    person_id: int | None
    name: str
    # Every name the student is known by (their register name, the name they gave).
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class StudentFamily:
    """A student of a class with their parents, for class lists."""

    child: ClassChild
    parents: list[int]
    # Parents linked by a name the class teacher has not confirmed (the child not registered).
    unconfirmed: bool = False


@dataclass(frozen=True)
class Family:
    """A person's links: as a parent (their children) and as a student (their parents)."""

    person_id: int
    as_parent: list[FamilyLinkRow]
    as_child: list[FamilyLinkRow]
    # The classes the person is a student or a parent of: whose class teacher may see them.
    classes: list[int] = field(default_factory=list)

    @property
    def links(self) -> list[FamilyLinkRow]:
        return [*self.as_parent, *self.as_child]


class LinkOutcome(StrEnum):
    DONE = "done"
    ALREADY = "already"
    NOT_ALLOWED = "not_allowed"
    NOT_STUDENT = "not_student"
    NOT_PARENT = "not_parent"
    SAME_PERSON = "same_person"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class LinkChange:
    outcome: LinkOutcome
    link: FamilyLinkRow | None = None
    class_name: str | None = None


def may_manage(actor: Actor, class_id: int | None) -> bool:
    """Adds and removes links of a class: its class teacher, or an admin."""
    if actor.is_admin:
        return True
    return class_id is not None and class_id in actor.classes_as(Role.CLASS_TEACHER)


def may_view(actor: Actor, family: Family) -> bool:
    """Sees a person's links: the person themselves, the director, an admin, or the class
    teacher of one of the person's classes (or of a linked child's)."""
    if actor.person_id == family.person_id or actor.is_admin or actor.has(Role.DIRECTOR):
        return True
    led = set(actor.classes_as(Role.CLASS_TEACHER))
    return bool(led & {*family.classes, *(link.class_id for link in family.links)})


async def registered_students(repos: Repositories, class_id: int) -> list[ClassChild]:
    grants = await repos.roles.in_class(class_id, Role.STUDENT.value)
    names = await repos.people.names([grant.person_id for grant in grants])
    children = []
    for grant in grants:
        known = [n for n in (names.get(grant.person_id), grant.stated_name) if n]
        if known:
            children.append(ClassChild(grant.person_id, str(known[0]), tuple(map(str, known))))
    return sorted(children, key=lambda child: name_key(child.name))


async def class_children(repos: Repositories, class_id: int) -> list[ClassChild]:
    """The registered students of a class, then the roster's students not registered yet."""
    registered = await registered_students(repos, class_id)
    known = {name_key(name) for child in registered for name in child.names}
    roster = [
        ClassChild(None, name, (name,))
        for name in await repos.roster.students_of(class_id)
        if name_key(name) not in known
    ]
    return [*registered, *sorted(roster, key=lambda child: name_key(child.name))]


async def link_child(
    repos: Repositories,
    parent_id: int,
    class_id: int,
    by: int | None,
    child_id: int | None = None,
    child_name: str | None = None,
) -> int | None:
    """Links a parent to a child (registered, or by name); a name the parent gave that names
    exactly one registered student of the class links to that student. None when the link
    was there already, or when it would link a student to themselves (a parent invitation
    for them, opened by them)."""
    if child_id is not None and child_id == parent_id:
        return None
    if child_id is None and child_name:
        matches = [
            child
            for child in await registered_students(repos, class_id)
            if any(names_agree(child_name, name) for name in child.names)
        ]
        if len(matches) == 1:
            child_id = matches[0].person_id
        else:
            for link in await repos.family.of_parent(parent_id):
                same = link.child_name and name_key(link.child_name) == name_key(child_name)
                if link.child_id is None and link.class_id == class_id and same:
                    return None
    return await repos.family.add(parent_id, class_id, by, child_id=child_id, child_name=child_name)


async def claim_links(
    repos: Repositories, student_id: int, class_id: int, names: Sequence[str]
) -> list[int]:
    """A student registered in a class: the name-only links of that class that name them
    now link to them. Returns the parents so linked."""
    parents = []
    for link in await repos.family.name_only_in([class_id]):
        if link.parent_id == student_id or not link.child_name or link.departed:
            continue
        named = any(names_agree(link.child_name, name) for name in names if name)
        if named and await repos.family.confirm_child(link.id, student_id):
            parents.append(link.parent_id)
    return parents


async def parents_of(repos: Repositories, child_id: int) -> list[int]:
    """The parents still with the school."""
    links = await repos.family.of_child(child_id)
    return sorted({link.parent_id for link in links if not link.departed})


async def forget_name_only_links(
    repos: Repositories, class_ids: Sequence[int], names: Sequence[str]
) -> None:
    """A forgotten student's name goes from the name-only links of their classes too."""
    doomed = [
        link.id
        for link in await repos.family.name_only_in(class_ids)
        if link.child_name and any(names_agree(link.child_name, name) for name in names)
    ]
    await repos.family.remove_many(doomed)


class FamilyService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def class_children(self, class_id: int) -> list[ClassChild]:
        return await class_children(self._db.reader, class_id)

    async def registered_students(self, class_id: int) -> list[ClassChild]:
        return await registered_students(self._db.reader, class_id)

    async def matching_students(self, class_id: int, typed: str) -> list[ClassChild]:
        """The registered students of a class whose name is what someone typed."""
        return [
            child
            for child in await registered_students(self._db.reader, class_id)
            if any(name_matches(typed, name) or names_agree(typed, name) for name in child.names)
        ]

    async def family_of(self, person_id: int) -> Family:
        repos = self._db.reader
        roles = await repos.roles.active_for(person_id)
        classes = sorted(
            {
                r.class_id
                for r in roles
                if r.class_id is not None and r.role in (Role.STUDENT.value, Role.PARENT.value)
            }
        )
        return Family(
            person_id,
            [link for link in await repos.family.of_parent(person_id) if not link.departed],
            [link for link in await repos.family.of_child(person_id) if not link.departed],
            classes,
        )

    async def link(self, link_id: int) -> FamilyLinkRow | None:
        return await self._db.reader.family.get(link_id)

    async def add(self, actor: Actor, parent_id: int, child_id: int) -> LinkChange:
        """Links a parent to a registered student, in the student's class; the parent
        becomes a parent of that class if they were not."""
        if parent_id == child_id:
            return LinkChange(LinkOutcome.SAME_PERSON)
        async with self._db.transaction() as tx:
            student = next(
                (
                    r
                    for r in await tx.roles.active_for(child_id)
                    if r.role == Role.STUDENT.value and r.class_id is not None
                ),
                None,
            )
            if student is None or student.class_id is None:
                return LinkChange(LinkOutcome.NOT_STUDENT)
            if not may_manage(actor, student.class_id):
                return LinkChange(LinkOutcome.NOT_ALLOWED, class_name=student.class_name)
            parent_roles = await tx.roles.active_for(parent_id)
            if not any(r.role == Role.PARENT.value for r in parent_roles):
                return LinkChange(LinkOutcome.NOT_PARENT, class_name=student.class_name)
            link_id = await tx.family.add(parent_id, student.class_id, actor.person_id, child_id)
            if link_id is None:
                return LinkChange(LinkOutcome.ALREADY, class_name=student.class_name)
            await tx.roles.grant(
                parent_id, Role.PARENT.value, student.class_id, granted_by=actor.person_id
            )
            await tx.audit.write(
                "family_linked",
                actor.person_id,
                parent_id,
                {"child": child_id, "class": student.class_name},
            )
            return LinkChange(LinkOutcome.DONE, await tx.family.get(link_id), student.class_name)

    async def remove(self, actor: Actor, link_id: int) -> LinkChange:
        async with self._db.transaction() as tx:
            link = await tx.family.get(link_id)
            if link is None:
                return LinkChange(LinkOutcome.NOT_FOUND)
            if not may_manage(actor, link.class_id):
                return LinkChange(LinkOutcome.NOT_ALLOWED, link, link.class_name)
            await tx.family.remove(link_id)
            details: dict[str, object] = {"child": link.child_id, "class": link.class_name}
            if link.child_id is None:
                # A child known by a name only: not one whose data was deleted. The name
                # stays out of the log (it goes with its parent's data).
                details["unregistered"] = True
            await tx.audit.write("family_unlinked", actor.person_id, link.parent_id, details)
            return LinkChange(LinkOutcome.DONE, link, link.class_name)

    async def class_families(self, class_id: int) -> list[StudentFamily]:
        """Each student of a class (registered, then the roster's not registered yet) with
        their parents; a name-only link counts for the student it names, unconfirmed."""
        repos = self._db.reader
        children = await class_children(repos, class_id)
        links = [link for link in await repos.family.in_class(class_id) if not link.departed]
        families = []
        claimed: set[int] = set()
        for child in children:
            confirmed = [
                link.parent_id
                for link in links
                if child.person_id is not None and link.child_id == child.person_id
            ]
            by_name = [
                link
                for link in links
                if link.child_id is None
                and link.child_name
                and any(names_agree(link.child_name, name) for name in child.names)
            ]
            claimed |= {link.id for link in by_name}
            parents = [*confirmed, *(link.parent_id for link in by_name)]
            families.append(StudentFamily(child, sorted(set(parents)), unconfirmed=bool(by_name)))
        # Name-only links naming nobody on the list: a child the class teacher has yet to
        # add, shown once by the name the parents gave.
        unlisted: dict[str, tuple[str, set[int]]] = {}
        for link in links:
            if link.child_id is None and link.child_name and link.id not in claimed:
                name, parents_of_child = unlisted.setdefault(
                    name_key(link.child_name), (link.child_name, set())
                )
                parents_of_child.add(link.parent_id)
        for name, parent_ids in unlisted.values():
            families.append(
                StudentFamily(ClassChild(None, name, (name,)), sorted(parent_ids), unconfirmed=True)
            )
        return families
