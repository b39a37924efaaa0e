"""The database: one writer connection behind a lock, one reader connection (WAL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.clock import Clock
from bot.storage.migrations import migrate
from bot.storage.repositories import Repositories

BUSY_TIMEOUT_MS = 5000


async def _connect(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA synchronous = NORMAL")
    return conn


class Database:
    """Owns the connections. Reads go to `reader`; every change goes through `transaction()`."""

    def __init__(self, path: Path, clock: Clock | None = None) -> None:
        self.path = path
        self.clock = clock or Clock()
        self._writer: aiosqlite.Connection | None = None
        self._reader_conn: aiosqlite.Connection | None = None
        self._reader: Repositories | None = None
        self._write_lock = asyncio.Lock()

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await _connect(self.path)
        await migrate(self._writer)
        self._reader_conn = await _connect(self.path)
        self._reader = Repositories(self._reader_conn, self.clock)

    async def close(self) -> None:
        async with self._write_lock:
            for conn in (self._reader_conn, self._writer):
                if conn is not None:
                    await conn.close()
            self._reader_conn = self._writer = None
            self._reader = None

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def reader(self) -> Repositories:
        if self._reader is None:
            raise RuntimeError("database is not open")
        return self._reader

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        """One atomic change: all statements commit together or none do."""
        if self._writer is None:
            raise RuntimeError("database is not open")
        async with self._write_lock:
            conn = self._writer
            try:
                await conn.execute("BEGIN IMMEDIATE")
                yield Repositories(conn, self.clock)
            except BaseException:
                # Also when cancelled half-way (even during BEGIN, which aiosqlite's thread
                # still runs): the rollback is queued behind it, so the connection is never
                # left inside a transaction for the next one to trip over.
                await asyncio.shield(conn.rollback())
                raise
            await conn.commit()

    @property
    def in_transaction(self) -> bool:
        return self._writer is not None and self._writer.in_transaction

    async def backup(self, target: Path) -> None:
        """A consistent copy of the live database (SQLite online backup)."""
        if self._writer is None:
            raise RuntimeError("database is not open")
        target.parent.mkdir(parents=True, exist_ok=True)
        async with aiosqlite.connect(target) as destination:
            await self._writer.backup(destination)
