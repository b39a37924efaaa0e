"""What keeps a unit of work cheap: while it holds the writer every other event's commit waits,
so its changes begin its transaction in the same trip to the writer's thread (measured in
BENCHMARKS.md, "After issue 13"); and that transaction still takes the file's write lock at
once, so another process's write cannot slip in between the unit's reads and its changes."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.storage import Database
from bot.storage.connection import Connection
from bot.storage.unit import current_unit


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function sent to a connection's thread, in order (but the
    database's look for other processes' commits, which comes when it will)."""
    sent: list[str] = []
    run = Connection.run

    async def counted(self: Connection, work: Callable[[sqlite3.Connection], Any]) -> Any:
        task = asyncio.current_task()
        if task is None or task.get_name() != "other-writers":
            sent.append(getattr(work, "__qualname__", repr(work)))
        return await run(self, work)

    monkeypatch.setattr(Connection, "run", counted)
    return sent


async def test_a_units_first_change_is_one_trip_and_its_commit_another(
    tmp_path: Path, trips: list[str]
) -> None:
    async with Database(tmp_path / "u.sqlite3") as db:
        unit = db.unit("event")
        token = current_unit.set(unit)
        try:
            trips.clear()
            assert await db.write(lambda tx: tx.kv.set_statement("k", "v")) == [1]
            assert len(trips) == 1  # BEGIN, the change, no trip of its own for BEGIN
            await unit.commit([lambda tx: tx.kv.set_statement("done", "1")])
            assert len(trips) == 2
        finally:
            current_unit.reset(token)
            await unit.close()
        assert await db.reader.kv.get("k") == "v"
        assert await db.reader.kv.get("done") == "1"


async def test_a_units_transaction_holds_the_files_write_lock_from_its_first_step(
    tmp_path: Path,
) -> None:
    async with Database(tmp_path / "u.sqlite3") as db:
        unit = db.unit("event")
        token = current_unit.set(unit)
        try:
            async with db.transaction() as tx:
                # Nothing written yet, but the unit's reads must stay true until it
                # commits: another process cannot write meanwhile.
                assert await tx.kv.get("k") is None
                with (
                    sqlite3.connect(db.path, timeout=0) as other,
                    pytest.raises(sqlite3.OperationalError, match="locked"),
                ):
                    other.execute("INSERT INTO settings_kv (key, value) VALUES ('k', 'other')")
                await db.write(lambda tx: tx.kv.set_statement("k", "ours"))
            await unit.commit()
        finally:
            current_unit.reset(token)
            await unit.close()
        assert await db.reader.kv.get("k") == "ours"


async def test_writes_that_wait_for_a_unit_go_together_once_it_commits(
    tmp_path: Path, trips: list[str]
) -> None:
    async with Database(tmp_path / "u.sqlite3") as db:
        unit = db.unit("event")
        token = current_unit.set(unit)
        try:
            await db.write(lambda tx: tx.kv.set_statement("unit", "1"))
            # Other events finish one loop turn apart while the unit holds the writer.
            first = asyncio.create_task(db.write(lambda tx: tx.kv.set_statement("a", "1")))
            for _ in range(3):
                await asyncio.sleep(0)
            second = asyncio.create_task(db.write(lambda tx: tx.kv.set_statement("b", "1")))
            for _ in range(3):
                await asyncio.sleep(0)
            trips.clear()
            await unit.commit()
        finally:
            current_unit.reset(token)
            await unit.close()
        assert await first == [1] and await second == [1]
        groups = [name for name in trips if name.startswith("Database._write_now")]
        assert len(groups) == 1  # one trip for both, not one each
        assert [await db.reader.kv.get(key) for key in ("unit", "a", "b")] == ["1", "1", "1"]
