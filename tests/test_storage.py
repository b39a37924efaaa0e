"""The database: migrations on start, transactions, inbox deduplication."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage import Database
from bot.storage.migrations import MIGRATIONS


async def test_migrations_run_once_and_create_the_staff_room(tmp_path: Path) -> None:
    path = tmp_path / "school.sqlite3"
    async with Database(path) as db:
        staff_room = await db.reader.classes.staff_room()
    async with Database(path) as db:
        again = await db.reader.classes.all()
        async with db.reader.people._conn.execute("PRAGMA user_version") as cursor:
            version = (await cursor.fetchone())[0]
    assert staff_room.name == "Учительская"
    assert [c.name for c in again] == ["Учительская"]
    assert version == MIGRATIONS[-1].number


async def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    async with Database(tmp_path / "s.sqlite3") as db:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.people.ensure(7)
                await tx.people.record_consent(7, "Иванов Иван")
                raise RuntimeError("half way")
        assert await db.reader.people.get(7) is None
        assert not db.in_transaction


async def test_inbox_ignores_an_event_it_already_has(tmp_path: Path) -> None:
    async with Database(tmp_path / "s.sqlite3") as db:
        async with db.transaction() as tx:
            assert await tx.inbox.add_many([("e1", 5, {"type": "x"}), ("e2", 5, {})]) == 2
        async with db.transaction() as tx:
            assert await tx.inbox.add_many([("e1", 5, {"type": "x"})]) == 0
            await tx.inbox.mark_done(["e1"])
        pending = await db.reader.inbox.pending(after_seq=0, limit=10)
        assert [row.event_id for row in pending] == ["e2"]


async def test_roles_are_not_granted_twice(tmp_path: Path) -> None:
    async with Database(tmp_path / "s.sqlite3") as db:
        async with db.transaction() as tx:
            await tx.people.ensure(9)
            await tx.roles.grant(9, "admin")
            await tx.roles.grant(9, "admin")
        assert len(await db.reader.roles.active_for(9)) == 1


async def test_a_transaction_cancelled_half_way_leaves_the_connection_clean(
    tmp_path: Path,
) -> None:
    import asyncio

    async with Database(tmp_path / "s.sqlite3") as db:

        async def slow_change() -> None:
            async with db.transaction() as tx:
                await tx.people.ensure(11)
                await asyncio.sleep(10)

        task = asyncio.create_task(slow_change())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with db.transaction() as tx:
            await tx.people.ensure(12)
        assert await db.reader.people.get(11) is None
        assert await db.reader.people.get(12) is not None
