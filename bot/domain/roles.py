"""Roles of the regulation and the person acting in an event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    DIRECTOR = "director"
    CLASS_TEACHER = "class_teacher"
    TEACHER = "teacher"
    STUDENT = "student"
    PARENT = "parent"


# The order in which a person's roles are shown (help, menus).
ROLE_ORDER: tuple[Role, ...] = (
    Role.ADMIN,
    Role.DIRECTOR,
    Role.CLASS_TEACHER,
    Role.TEACHER,
    Role.STUDENT,
    Role.PARENT,
)


# Roles that act only after an admin has confirmed the teacher status (clause 2.1).
NEEDS_VERIFICATION = frozenset({Role.TEACHER, Role.CLASS_TEACHER})


@dataclass(frozen=True)
class RoleGrant:
    role: Role
    class_id: int | None
    class_name: str | None
    verified: bool

    @property
    def active(self) -> bool:
        return self.verified or self.role not in NEEDS_VERIFICATION


@dataclass(frozen=True)
class Actor:
    """Whoever caused the event, with their roles loaded once per event."""

    person_id: int
    full_name: str | None = None
    consented_at: datetime | None = None
    pending_ref: str | None = None
    grants: tuple[RoleGrant, ...] = field(default_factory=tuple)

    @property
    def has_consented(self) -> bool:
        return self.consented_at is not None

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(grant.role for grant in self.grants)

    def has(self, *roles: Role) -> bool:
        """Holds one of `roles` and may act in it: a teacher only once verified."""
        return any(grant.role in roles and grant.active for grant in self.grants)

    def holds(self, *roles: Role) -> bool:
        """Holds one of `roles`, verified or not."""
        return any(grant.role in roles for grant in self.grants)

    def classes_as(self, role: Role) -> list[int]:
        return [
            grant.class_id
            for grant in self.grants
            if grant.role is role and grant.active and grant.class_id is not None
        ]

    @property
    def is_admin(self) -> bool:
        return self.has(Role.ADMIN)

    def ordered_roles(self) -> list[Role]:
        held = {grant.role for grant in self.grants if grant.active}
        return [role for role in ROLE_ORDER if role in held]
