"""Marks that a duty was done."""

from __future__ import annotations

from bot.storage.base import Repo


class DutyMarksRepo(Repo):
    async def mark(self, person_id: int, key: str, class_id: int, period: str) -> None:
        await self._conn.execute(
            "INSERT OR IGNORE INTO duty_marks (person_id, duty_key, class_id, period, marked_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (person_id, key, class_id, period, self._now()),
        )

    async def unmark(self, person_id: int, key: str, class_id: int, period: str) -> None:
        await self._conn.execute(
            "DELETE FROM duty_marks WHERE person_id = ? AND duty_key = ? AND class_id = ?"
            " AND period = ?",
            (person_id, key, class_id, period),
        )

    async def of(self, person_id: int) -> set[tuple[str, int, str]]:
        rows = await self._all(
            "SELECT duty_key, class_id, period FROM duty_marks WHERE person_id = ?", (person_id,)
        )
        return {(row[0], int(row[1]), row[2]) for row in rows}
