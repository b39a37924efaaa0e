"""The school's roster as imported from its sheets."""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage.base import Repo


class RosterRepo(Repo):
    async def students(self) -> dict[str, str]:
        """The imported students: full name → class name."""
        rows = await self._all(
            "SELECT r.full_name, c.name FROM roster_students r JOIN classes c ON c.id = r.class_id"
        )
        return {row[0]: row[1] for row in rows}

    async def staff(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        rows = await self._all("SELECT full_name, role, classes_led FROM roster_staff")
        return {row[0]: (row[1], tuple(filter(None, row[2].split(",")))) for row in rows}

    async def upsert_student(self, full_name: str, class_id: int) -> None:
        await self._conn.execute("DELETE FROM roster_students WHERE full_name = ?", (full_name,))
        await self._conn.execute(
            "INSERT INTO roster_students (full_name, class_id) VALUES (?, ?)", (full_name, class_id)
        )

    async def upsert_staff(self, full_name: str, role: str, classes_led: Sequence[str]) -> None:
        await self._conn.execute(
            "INSERT INTO roster_staff (full_name, role, classes_led) VALUES (?, ?, ?)"
            " ON CONFLICT(full_name) DO UPDATE SET role = excluded.role,"
            " classes_led = excluded.classes_led",
            (full_name, role, ",".join(classes_led)),
        )

    async def expected_by_class(self) -> dict[int, int]:
        rows = await self._all("SELECT class_id, COUNT(*) FROM roster_students GROUP BY class_id")
        return {int(row[0]): int(row[1]) for row in rows}

    async def family_links_by_class(self) -> list[tuple[int, int | None, str | None]]:
        """Every family link of a parent and a child still at school, as (class id, child
        id, child name): a name only while the child is not registered. For the statistics,
        which count families (a child with at least one parent linked) per class."""
        rows = await self._all(
            "SELECT f.class_id, f.child_id, f.child_name FROM family_links f"
            " JOIN people p ON p.id = f.parent_id AND p.left_at IS NULL"
            " LEFT JOIN people c ON c.id = f.child_id"
            " WHERE f.class_id IS NOT NULL AND (f.child_id IS NULL OR c.left_at IS NULL)"
        )
        return [(int(row[0]), row[1], row[2]) for row in rows]

    async def students_of(self, class_id: int) -> list[str]:
        rows = await self._all(
            "SELECT full_name FROM roster_students WHERE class_id = ? ORDER BY full_name",
            (class_id,),
        )
        return [row[0] for row in rows]

    async def save_import(self, admin_id: int, payload: str) -> int:
        cursor = await self._conn.execute(
            "INSERT INTO roster_imports (admin_id, payload, created_at) VALUES (?, ?, ?)",
            (admin_id, payload, self._now()),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def take_import(self, import_id: int, admin_id: int) -> str | None:
        """The checked file, once: a second press finds nothing to apply."""
        row = await self._one(
            "SELECT payload FROM roster_imports"
            " WHERE id = ? AND admin_id = ? AND applied_at IS NULL",
            (import_id, admin_id),
        )
        if row is None:
            return None
        await self._conn.execute(
            "UPDATE roster_imports SET applied_at = ?, payload = '' WHERE id = ?",
            (self._now(), import_id),
        )
        return str(row[0])
