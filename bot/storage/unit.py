"""One unit of work: everything one event (or one background job) changes, committed once.

The dispatcher opens a unit for each event and a scheduler run for each job, and makes it the
task's current unit. While it is current, every change the task makes through the database
(`Database.transaction()`, `Database.write()`, what domain services do) joins it:

- Nothing changed yet: the unit holds nothing, and the event's outcome (its replies, dialog
  steps and done mark) is one deferred group of statements, committed with other events'
  in one trip (`Database.write`): the hot path.
- The first change takes the writer's transaction and keeps it until the unit commits; each
  `transaction()` block inside is a SAVEPOINT (a block that fails undoes only itself, as a
  transaction of its own did), reads in the task see the unit's own writes, and the outcome's
  statements run in it and COMMIT in the same trip. So a decision, the message telling the
  parent and the done mark of the event that made it are one transaction: a crash before the
  commit leaves none of them, and the replayed event decides and tells again; after it, all.

What must stay true: while a unit holds the writer no messenger call is made from its task
(the lock would wait on the network): `bot.vk.api` refuses one (`WriterHeldDuringCallError`).
Only the task that opened a unit joins it; a task started meanwhile writes on its own."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from bot import faults
from bot.storage.base import Statement
from bot.storage.memo import ChangeLog, touched

if TYPE_CHECKING:
    from bot.storage.db import Change, Database, Repositories


class WriterHeldDuringCallError(RuntimeError):
    """A messenger call was about to be made while the task's unit held the writer."""


class UnitOfWork:
    def __init__(self, db: Database, name: str) -> None:
        self.db = db
        self.name = name
        self._owner = asyncio.current_task()
        self._repos: Repositories | None = None
        self._depth = 0
        self._finished = False
        self._after_commit: list[Callable[[], None]] = []

    @property
    def holds_writer(self) -> bool:
        return self._repos is not None

    @property
    def repos(self) -> Repositories:
        if self._repos is None:
            raise RuntimeError("the unit holds no transaction")
        return self._repos

    def joins_here(self) -> bool:
        """Whether a change made now belongs to this unit: its own task, not yet finished."""
        return not self._finished and asyncio.current_task() is self._owner

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Called once the unit has committed (e.g. waking the sender for its messages)."""
        self._after_commit.append(callback)

    async def _take_writer(self) -> Repositories:
        if self._repos is None:
            self._repos = await self.db.begin_for_unit()
        return self._repos

    @asynccontextmanager
    async def step(self) -> AsyncIterator[Repositories]:
        """A block of changes inside the unit: kept if it finishes, undone if it raises."""
        repos = await self._take_writer()
        conn = self.db.writer
        self._depth += 1
        name = f"step_{self._depth}"
        try:
            await conn.run(lambda c: _savepoint(c, name))
            try:
                yield repos
            except BaseException:
                await asyncio.shield(conn.execute(f"ROLLBACK TO {name}"))
                await asyncio.shield(conn.execute(f"RELEASE {name}"))
                raise
            await conn.execute(f"RELEASE {name}")
        finally:
            self._depth -= 1

    async def run(self, changes: Sequence[Change]) -> list[int]:
        """Independent changes, in the unit's transaction, all or none, in one trip to the
        writer's thread; returns the rows each changed."""
        repos = await self._take_writer()
        statements = [c if isinstance(c, Statement) else c(repos) for c in changes]
        return await asyncio.shield(self.db.writer.run(lambda conn: _run_step(conn, statements)))

    async def commit(self, changes: Sequence[Change] = ()) -> list[int]:
        """The last changes (the event's outcome) and everything the unit holds, at once."""
        if self._finished:
            raise RuntimeError("the unit has finished")
        if self._repos is None:
            # Nothing held: the changes go with other callers' in one group commit.
            self._finished = True
            counts = await self.db.write(*changes) if changes else []
        else:
            repos = self._repos
            statements = [c if isinstance(c, Statement) else c(repos) for c in changes]
            faults.boundary(faults.BEFORE_COMMIT)
            try:
                counts, changed = await asyncio.shield(
                    self.db.writer.run(lambda conn: run_and_commit(conn, statements, True))
                )
            except BaseException:
                await self.close()
                raise
            self._finished = True
            self._repos = None
            self.db.end_for_unit(changed)
            faults.boundary(faults.AFTER_COMMIT)
        for callback in self._after_commit:
            callback()
        return counts

    async def close(self) -> None:
        """Ends the unit without committing (a no-op once committed): nothing it held stays."""
        self._finished = True
        repos, self._repos = self._repos, None
        if repos is not None:
            try:
                await asyncio.shield(self.db.writer.rollback())
            finally:
                self.db.end_for_unit(None)


def begin(conn: sqlite3.Connection) -> None:
    """On the database thread, at the start of each of a unit's trips: its transaction
    begins with the first (IMMEDIATE: the file's write lock at once, as the unit holds the
    writer from now on). The unit's later trips find it open."""
    if not conn.in_transaction:
        conn.execute("BEGIN IMMEDIATE")


def _savepoint(conn: sqlite3.Connection, name: str) -> None:
    begin(conn)
    conn.execute(f"SAVEPOINT {name}")


def _run_all(conn: sqlite3.Connection, statements: Sequence[Statement | None]) -> list[int]:
    """On the database thread: the statements one after the other; rows each changed."""
    return [
        0 if statement is None else conn.executemany(statement.sql, statement.rows).rowcount
        for statement in statements
    ]


def _run_step(conn: sqlite3.Connection, statements: Sequence[Statement | None]) -> list[int]:
    """On the database thread: the statements inside a savepoint, undone together if one
    fails (the unit's transaction goes on)."""
    begin(conn)
    conn.execute("SAVEPOINT run_step")
    try:
        counts = _run_all(conn, statements)
    except BaseException:
        conn.execute("ROLLBACK TO run_step")
        conn.execute("RELEASE run_step")
        raise
    conn.execute("RELEASE run_step")
    return counts


def run_and_commit(
    conn: sqlite3.Connection, statements: Sequence[Statement | None], unit: bool = False
) -> tuple[list[int], ChangeLog]:
    """On the database thread: the statements, then COMMIT, or ROLLBACK if one failed;
    the rows each changed, and what the transaction touched that memory keeps copies of."""
    try:
        if unit:
            begin(conn)
        counts = _run_all(conn, statements)
        changed = touched(conn)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return counts, changed


current_unit: contextvars.ContextVar[UnitOfWork | None] = contextvars.ContextVar(
    "current_unit", default=None
)
