"""Documentation made from the code's own data: the access matrix in the README.

`python -m bot.docs` prints it, `python -m bot.docs --write README.md` puts it in the README;
a test keeps the README's copy current."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.commands import all_specs
from bot.domain.access import refusal_for
from bot.domain.roles import Actor, Role, RoleGrant

CONSENTED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def _actor(*roles: Role, verified: bool = True) -> Actor:
    grants = tuple(
        RoleGrant(
            role,
            2 if role in (Role.CLASS_TEACHER, Role.STUDENT, Role.PARENT) else None,
            "5А",
            verified,
        )
        for role in roles
    )
    return Actor(person_id=1, consented_at=CONSENTED_AT, grants=grants)


PERSONAS: tuple[tuple[str, Actor], ...] = (
    ("stranger", Actor(person_id=1)),
    ("no role", _actor()),
    ("parent", _actor(Role.PARENT)),
    ("student", _actor(Role.STUDENT)),
    ("teacher, unverified", _actor(Role.TEACHER, verified=False)),
    ("teacher", _actor(Role.TEACHER)),
    ("class teacher", _actor(Role.TEACHER, Role.CLASS_TEACHER)),
    ("director", _actor(Role.DIRECTOR)),
    ("admin", _actor(Role.ADMIN)),
)
WHERE = {"private": "private", "chat": "group chat", "any": "anywhere"}


def access_matrix() -> str:
    """Markdown: who may use which command (✅) and where; a refusal explains itself."""
    header = "| command | where | " + " | ".join(name for name, _ in PERSONAS) + " |"
    rule = "|" + "---|" * (len(PERSONAS) + 2)
    rows = [header, rule]
    for spec in all_specs():
        if spec.hidden:
            continue
        cells = ["✅" if refusal_for(actor, spec.roles) is None else "—" for _, actor in PERSONAS]
        rows.append(f"| `/{spec.name}` | {WHERE[spec.where]} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


START, END = "<!-- access-matrix:start -->", "<!-- access-matrix:end -->"


def update_readme(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{access_matrix()}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        update_readme(Path(sys.argv[2] if len(sys.argv) > 2 else "README.md"))
    else:
        print(access_matrix())
