"""Leases: which process holds one, until when (see bot/lease.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.storage.base import Repo
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class LeaseRow:
    owner: str
    until: datetime


class LeasesRepo(Repo):
    async def holder(self, name: str) -> LeaseRow | None:
        row = await self._one("SELECT owner, until FROM leases WHERE name = ?", (name,))
        return None if row is None else LeaseRow(row["owner"], from_db(row["until"]))

    async def take(self, name: str, owner: str, until: datetime, previous: str | None) -> bool:
        """Takes the lease from `previous` (None: from nobody); False if it changed hands
        since it was read."""
        if previous is None:
            sql = "INSERT INTO leases (name, owner, until) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
            cursor = await self._conn.execute(sql, (name, owner, to_db(until)))
        else:
            cursor = await self._conn.execute(
                "UPDATE leases SET owner = ?, until = ? WHERE name = ? AND owner = ?",
                (owner, to_db(until), name, previous),
            )
        return cursor.rowcount == 1

    async def release(self, name: str, owner: str) -> None:
        await self._conn.execute("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))
