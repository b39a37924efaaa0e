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


@dataclass(frozen=True)
class RoleGrant:
    role: Role
    class_id: int | None
    class_name: str | None
    verified: bool


@dataclass(frozen=True)
class Actor:
    """Whoever caused the event, with their roles loaded once per event."""

    vk_id: int
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
        return any(grant.role in roles for grant in self.grants)

    def ordered_roles(self) -> list[Role]:
        held = self.roles
        return [role for role in ROLE_ORDER if role in held]
