"""What every repository shares: the connection it runs on, the statements it builds for
the hot writes, and the note of what a transaction changed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.storage.connection import Connection
from bot.storage.timefmt import to_db


@dataclass
class ChangeLog:
    """What one transaction changed that the in-memory copies depend on."""

    people: set[int] = field(default_factory=set)  # their record or roles
    everyone: bool = False  # roles of people not known by id (a role ended by its id)
    dialogs: dict[int, tuple[str, str, str] | None] = field(default_factory=dict)
    classes: bool = False

    def dialog_set(self, person_id: int, state: str, payload_json: str, updated_at: str) -> None:
        self.dialogs[person_id] = (state, payload_json, updated_at)

    def dialog_ended(self, person_id: int) -> None:
        self.dialogs[person_id] = None

    def __bool__(self) -> bool:
        return bool(self.people or self.everyone or self.dialogs or self.classes)

    def merge(self, other: ChangeLog) -> None:
        self.people |= other.people
        self.everyone = self.everyone or other.everyone
        self.dialogs.update(other.dialogs)
        self.classes = self.classes or other.classes


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
    changes: ChangeLog | None = None  # what it changes that copies in memory depend on


# Rows per statement where a list of ids goes into one IN (...).
SQL_BATCH = 500


class Repo:
    def __init__(self, conn: Connection, clock: Clock, changes: ChangeLog) -> None:
        self._conn = conn
        self._clock = clock
        # What this transaction changed that copies in memory depend on (see memo.py).
        self._changes = changes

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
        if statement.changes is not None:
            self._changes.merge(statement.changes)
        return done.rowcount
