"""What every repository shares: the connection it runs on and the statements it builds for
the hot writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.storage.connection import Connection
from bot.storage.timefmt import to_db

# An SQL condition and its parameters, for a statement that must change nothing unless it
# holds (checked in the same transaction, when the statement runs).
Condition = tuple[str, tuple[Any, ...]]


ALWAYS: Condition = ("1", ())


@dataclass(frozen=True)
class Statement:
    """One statement over many rows, built without running it, for the hot writes: the
    repository runs it alone, `Database.write` runs many callers' together with the commit
    in one trip to the database thread."""

    sql: str
    rows: list[tuple[Any, ...]]


# Rows per statement where a list of ids goes into one IN (...).
SQL_BATCH = 500


class Repo:
    def __init__(self, conn: Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock

    def _now(self) -> str:
        return to_db(self._clock.now())

    # execute_fetchall runs the statement and reads its rows in one trip to the
    # connection's thread.
    async def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        rows = list(await self._conn.execute_fetchall(sql, params))
        return rows[0] if rows else None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> Iterable[sqlite3.Row]:
        return await self._conn.execute_fetchall(sql, params)

    async def _run(self, statement: Statement | None) -> int:
        """Runs a built statement in this transaction; returns the rows it changed."""
        if statement is None:
            return 0
        done = await self._conn.executemany(statement.sql, statement.rows)
        return done.rowcount
