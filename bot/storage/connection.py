"""One SQLite connection on a thread of its own, with the small async surface storage uses.

sqlite3 connections block; each one here lives on one thread that runs what it is given in
order, and the event loop awaits the results. `run` takes any function of the connection, so
several statements and the commit can go in one trip (what the group commit needs) without
reaching into a library's private names."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
_Job = tuple[Callable[[sqlite3.Connection], Any], asyncio.AbstractEventLoop, "asyncio.Future[Any]"]


@dataclass(frozen=True)
class Done:
    """What a statement left: the rows it changed and the last id it inserted."""

    rowcount: int
    lastrowid: int | None


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the caller gave up waiting
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class Connection:
    """A sqlite3 connection owned by one thread; every call is one trip to it."""

    def __init__(self, path: Path, isolation_level: str | None, cached_statements: int) -> None:
        self._path = path
        self._isolation_level = isolation_level
        self._cached_statements = cached_statements
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._conn: sqlite3.Connection | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    async def open(
        cls, path: Path, isolation_level: str | None, cached_statements: int = 128
    ) -> Connection:
        connection = cls(path, isolation_level, cached_statements)
        connection._thread = threading.Thread(
            target=connection._serve, name=f"sqlite:{path.name}", daemon=True
        )
        connection._thread.start()
        await connection.run(lambda conn: None)  # opened (or failed to) on its thread
        return connection

    def _serve(self) -> None:
        error: BaseException | None = None
        try:
            # The connection is made on the thread that uses it, and used by no other.
            self._conn = sqlite3.connect(
                self._path,
                isolation_level=self._isolation_level,  # type: ignore[arg-type]
                cached_statements=self._cached_statements,
            )
            self._conn.row_factory = sqlite3.Row
        except BaseException as opening:
            error = opening
        while True:
            job = self._jobs.get()
            if job is None:
                break
            work, loop, future = job
            result: Any = None
            failure = error
            if failure is None:
                assert self._conn is not None
                try:
                    result = work(self._conn)
                except BaseException as raised:
                    failure = raised
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits any more
                loop.call_soon_threadsafe(_settle, future, result, failure)
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(connection)` on the connection's thread, after what was given before it."""
        if self._thread is None or not self._thread.is_alive():
            raise ValueError("the connection is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((work, loop, future))
        return await future

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Done:
        def work(conn: sqlite3.Connection) -> Done:
            cursor = conn.execute(sql, parameters)
            try:
                return Done(cursor.rowcount, cursor.lastrowid)
            finally:
                cursor.close()

        return await self.run(work)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Done:
        rows = list(rows)

        def work(conn: sqlite3.Connection) -> Done:
            cursor = conn.executemany(sql, rows)
            try:
                return Done(cursor.rowcount, cursor.lastrowid)
            finally:
                cursor.close()

        return await self.run(work)

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[sqlite3.Row]:
        def work(conn: sqlite3.Connection) -> list[sqlite3.Row]:
            cursor = conn.execute(sql, parameters)
            try:
                return cursor.fetchall()
            finally:
                cursor.close()

        return await self.run(work)

    async def commit(self) -> None:
        await self.run(lambda conn: conn.commit())

    async def rollback(self) -> None:
        await self.run(lambda conn: conn.rollback())

    async def create_function(self, name: str, narg: int, func: Callable[..., Any]) -> None:
        await self.run(lambda conn: conn.create_function(name, narg, func, deterministic=True))

    async def backup(self, target: Path) -> None:
        def work(conn: sqlite3.Connection) -> None:
            destination = sqlite3.connect(target)
            try:
                conn.backup(destination)
            finally:
                destination.close()

        await self.run(work)

    @property
    def in_transaction(self) -> bool:
        # Read from the loop's thread: an attribute read, true between BEGIN and COMMIT.
        return self._conn is not None and self._conn.in_transaction

    async def close(self) -> None:
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        self._jobs.put(None)
        await asyncio.get_running_loop().run_in_executor(None, thread.join)
        self._thread = None
