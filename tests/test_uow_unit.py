"""What must stay true of a unit of work: everything it holds commits once or not at all, a
block that fails undoes only itself, the task reads its own writes, other tasks write on their
own, and no messenger call is made while it holds the writer."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.storage import Database
from bot.storage.unit import WriterHeldDuringCallError, current_unit
from bot.vk.api import ResilientAPI


async def _classes(db: Database) -> list[str]:
    return sorted(row.name for row in await db.reader.classes.all())


async def test_nothing_a_unit_held_is_kept_unless_it_commits(tmp_path: Path) -> None:
    async with Database(tmp_path / "u.sqlite3") as db:
        unit = db.unit("event")
        token = current_unit.set(unit)
        try:
            async with db.transaction() as tx:
                await tx.classes.add("5А", 5, "А")
            # The task reads what it wrote; nobody else sees it before the commit.
            assert "5А" in await _classes(db)
            with sqlite3.connect(db.path) as other:
                seen = [row[0] for row in other.execute("SELECT name FROM classes")]
            assert "5А" not in seen
        finally:
            current_unit.reset(token)
            await unit.close()  # killed, or the event failed to record: nothing kept
        assert "5А" not in await _classes(db)
        assert not db.in_transaction


async def test_a_unit_commits_its_changes_with_the_outcome_once(tmp_path: Path) -> None:
    async with Database(tmp_path / "u.sqlite3") as db:
        unit = db.unit("event")
        token = current_unit.set(unit)
        try:
            async with db.transaction() as tx:
                await tx.classes.add("5А", 5, "А")
            with pytest.raises(RuntimeError):
                async with db.transaction() as tx:
                    await tx.classes.add("5Б", 5, "Б")
                    raise RuntimeError("a block that fails undoes only itself")
            written = await db.write(lambda tx: tx.kv.set_statement("k", "v"))
            assert written == [1]
            await unit.commit()
        finally:
            current_unit.reset(token)
            await unit.close()
        names = await _classes(db)
        assert "5А" in names and "5Б" not in names
        assert await db.reader.kv.get("k") == "v"


async def test_another_task_does_not_join_the_unit_it_was_started_from(tmp_path: Path) -> None:
    async with Database(tmp_path / "u.sqlite3") as db:
        unit = db.unit("event")
        token = current_unit.set(unit)
        try:
            # A task started during the event (it inherits the context) writes on its own,
            # and commits at once: it does not wait for the event, nor does it die with it.
            await asyncio.create_task(db.write(lambda tx: tx.kv.set_statement("other", "1")))
            assert not unit.holds_writer
        finally:
            current_unit.reset(token)
            await unit.close()
        assert await db.reader.kv.get("other") == "1"


async def test_no_messenger_call_while_a_unit_holds_the_writer(tmp_path: Path) -> None:
    api = ResilientAPI("token", "http://127.0.0.1:9/method/", rps=20)
    async with Database(tmp_path / "u.sqlite3") as db:
        unit = db.unit("event")
        token = current_unit.set(unit)
        try:
            async with db.transaction() as tx:
                await tx.classes.add("5А", 5, "А")
            with pytest.raises(WriterHeldDuringCallError):
                await api.request("users.get", {"user_ids": "1"})
        finally:
            current_unit.reset(token)
            await unit.close()
        await api.http_client.close()


async def test_what_memory_keeps_follows_any_write_no_code_noted(tmp_path: Path) -> None:
    async with Database(tmp_path / "u.sqlite3") as db:
        async with db.transaction() as tx:
            await tx.people.ensure(5)
            await tx.people.record_consent(5, "Иванова Анна")
        kept = await db.person_snapshot(5)
        assert kept.person is not None and kept.person.full_name == "Иванова Анна"
        # Written by hand, as a migration or a repository nobody taught about memory would:
        # what the transaction touched is what the copies drop.
        async with db.transaction() as tx:
            await tx.people._conn.execute(
                "UPDATE people SET full_name = 'Петрова Анна' WHERE id = 5"
            )
        fresh = await db.person_snapshot(5)
        assert fresh.person is not None and fresh.person.full_name == "Петрова Анна"
        unit = db.unit("event")
        token = current_unit.set(unit)
        try:
            async with db.transaction() as tx:
                await tx.people._conn.execute(
                    "UPDATE people SET full_name = 'Сидорова Анна' WHERE id = 5"
                )
        finally:
            current_unit.reset(token)
            await unit.close()  # rolled back: memory keeps what the database keeps
        again = await db.person_snapshot(5)
        assert again.person is not None and again.person.full_name == "Петрова Анна"
