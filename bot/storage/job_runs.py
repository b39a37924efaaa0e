"""The scheduler's jobs: when each last ran, and which process runs it now."""

from __future__ import annotations

from datetime import datetime

from bot.storage.base import Repo
from bot.storage.timefmt import from_db, to_db


class JobRunsRepo(Repo):
    async def last_run(self, name: str) -> datetime | None:
        row = await self._one("SELECT last_run_at FROM job_runs WHERE name = ?", (name,))
        return None if row is None else from_db(row[0])

    async def baseline(self, name: str, moment: datetime) -> None:
        """A job seen for the first time starts counting from now, not from the epoch."""
        await self._conn.execute(
            "INSERT INTO job_runs (name, last_run_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
            (name, to_db(moment)),
        )

    async def acquire(
        self, name: str, owner: str, last_run: datetime, now: datetime, until: datetime
    ) -> bool:
        """Takes the job's lease, only if nobody ran it since `last_run` and no lease is live:
        of two processes on one database, exactly one runs each due job."""
        cursor = await self._conn.execute(
            "UPDATE job_runs SET lease_owner = ?, lease_until = ?"
            " WHERE name = ? AND last_run_at = ? AND (lease_until IS NULL OR lease_until < ?)",
            (owner, to_db(until), name, to_db(last_run), to_db(now)),
        )
        return cursor.rowcount == 1

    async def finish(self, name: str, owner: str, ran_at: datetime) -> None:
        await self._conn.execute(
            "UPDATE job_runs SET last_run_at = ?, lease_owner = NULL, lease_until = NULL"
            " WHERE name = ? AND lease_owner = ?",
            (to_db(ran_at), name, owner),
        )

    async def release(self, name: str, owner: str) -> None:
        await self._conn.execute(
            "UPDATE job_runs SET lease_owner = NULL, lease_until = NULL"
            " WHERE name = ? AND lease_owner = ?",
            (name, owner),
        )
