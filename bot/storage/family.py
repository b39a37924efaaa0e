"""Families: a parent's links to their children (migration 17)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.storage.base import ALWAYS, Condition, Repo, Statement
from bot.storage.timefmt import from_db


@dataclass(frozen=True)
class FamilyLinkRow:
    id: int
    parent_id: int
    # The child in the register; None while the child is known only by the name the parent
    # gave (`child_name`), until the child registers or the class teacher confirms them.
    child_id: int | None
    child_name: str | None
    class_id: int | None
    class_name: str | None
    created_at: datetime
    # The parent or the child has left the school (their data waits for its deletion):
    # the link is no longer a relation within the school.
    departed: bool = False

    @property
    def confirmed(self) -> bool:
        return self.child_id is not None


class FamilyRepo(Repo):
    _SELECT = (
        "SELECT f.id, f.parent_id, f.child_id, f.child_name, f.class_id, c.name AS class_name,"
        " f.created_at, (pp.left_at IS NOT NULL OR cp.left_at IS NOT NULL) AS departed"
        " FROM family_links f LEFT JOIN classes c ON c.id = f.class_id"
        " LEFT JOIN people pp ON pp.id = f.parent_id LEFT JOIN people cp ON cp.id = f.child_id"
    )

    @staticmethod
    def _row(row: sqlite3.Row) -> FamilyLinkRow:
        return FamilyLinkRow(
            id=row["id"],
            parent_id=row["parent_id"],
            child_id=row["child_id"],
            child_name=row["child_name"],
            class_id=row["class_id"],
            class_name=row["class_name"],
            created_at=from_db(row["created_at"]),
            departed=bool(row["departed"]),
        )

    async def get(self, link_id: int) -> FamilyLinkRow | None:
        row = await self._one(f"{self._SELECT} WHERE f.id = ?", (link_id,))
        return None if row is None else self._row(row)

    async def of_parent(self, parent_id: int) -> list[FamilyLinkRow]:
        rows = await self._all(f"{self._SELECT} WHERE f.parent_id = ? ORDER BY f.id", (parent_id,))
        return [self._row(row) for row in rows]

    async def of_child(self, child_id: int) -> list[FamilyLinkRow]:
        rows = await self._all(f"{self._SELECT} WHERE f.child_id = ? ORDER BY f.id", (child_id,))
        return [self._row(row) for row in rows]

    async def in_class(self, class_id: int) -> list[FamilyLinkRow]:
        rows = await self._all(f"{self._SELECT} WHERE f.class_id = ? ORDER BY f.id", (class_id,))
        return [self._row(row) for row in rows]

    async def name_only_in(self, class_ids: Sequence[int]) -> list[FamilyLinkRow]:
        if not class_ids:
            return []
        marks = ",".join("?" * len(class_ids))
        rows = await self._all(
            f"{self._SELECT} WHERE f.child_id IS NULL AND f.class_id IN ({marks}) ORDER BY f.id",
            tuple(class_ids),
        )
        return [self._row(row) for row in rows]

    def add_statement(
        self,
        parent_id: int,
        class_id: int | None,
        created_by: int | None,
        child_id: int | None = None,
        child_name: str | None = None,
        only_if: Condition = ALWAYS,
    ) -> Statement:
        """A link, unless the parent is linked to this registered child already (or `only_if`
        does not hold when it runs). One of `child_id`, `child_name`."""
        condition, condition_params = only_if
        return Statement(
            "INSERT OR IGNORE INTO family_links"
            " (parent_id, child_id, child_name, class_id, created_by, created_at)"
            f" SELECT ?, ?, ?, ?, ?, ? WHERE {condition}",
            [
                (
                    parent_id,
                    child_id,
                    None if child_id is not None else child_name,
                    class_id,
                    created_by,
                    self._now(),
                    *condition_params,
                )
            ],
        )

    async def add(
        self,
        parent_id: int,
        class_id: int | None,
        created_by: int | None,
        child_id: int | None = None,
        child_name: str | None = None,
    ) -> int | None:
        """The new link's id; None when the parent was linked to this child already."""
        statement = self.add_statement(parent_id, class_id, created_by, child_id, child_name)
        cursor = await self._conn.execute(statement.sql, statement.rows[0])
        return cursor.lastrowid if cursor.rowcount == 1 else None

    async def remove(self, link_id: int) -> bool:
        cursor = await self._conn.execute("DELETE FROM family_links WHERE id = ?", (link_id,))
        return cursor.rowcount == 1

    async def remove_many(self, link_ids: Sequence[int]) -> None:
        await self._conn.executemany(
            "DELETE FROM family_links WHERE id = ?", [(link_id,) for link_id in link_ids]
        )

    async def confirm_child(self, link_id: int, child_id: int) -> bool:
        """A name-only link now names a registered child. A parent already linked to that
        child keeps the one link: the name-only one goes. False if it went."""
        cursor = await self._conn.execute(
            "UPDATE OR IGNORE family_links SET child_id = ?, child_name = NULL"
            " WHERE id = ? AND child_id IS NULL",
            (child_id, link_id),
        )
        if cursor.rowcount == 1:
            return True
        await self._conn.execute(
            "DELETE FROM family_links WHERE id = ? AND child_id IS NULL", (link_id,)
        )
        return False

    async def follow_child(self, child_id: int, class_id: int) -> None:
        """The child moved: their links are of the new class."""
        await self._conn.execute(
            "UPDATE family_links SET class_id = ? WHERE child_id = ?", (class_id, child_id)
        )
