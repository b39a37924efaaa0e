"""A database from before MAX (schema 10, upgraded through every migration) keeps being VK's:
its chats, its queued messages and its people's accounts; a class may then have a chat of
each purpose on each messenger."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.conversation.identity import MAX, VK
from bot.storage import Database

FIXTURE = Path(__file__).parent / "data" / "schema10_school.sql"


async def _upgraded(tmp_path: Path) -> Database:
    path = tmp_path / "school.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    db = Database(path)
    await db.open()
    return db


async def test_what_was_there_stays_vks(tmp_path: Path) -> None:
    db = await _upgraded(tmp_path)
    try:
        chats = await db.reader.chats.bound()
        assert chats and {chat.messenger for chat in chats} == {VK}
        rows = await db.writer.execute_fetchall("SELECT DISTINCT messenger FROM outbox")
        assert [tuple(row) for row in rows] == [(VK,)]
        unlinked = await db.writer.execute_fetchall(
            "SELECT COUNT(*) FROM accounts WHERE linked_at IS NULL"
        )
        assert unlinked[0][0] == 0
        people = await db.writer.execute_fetchall("SELECT id FROM people")
        reach = await db.reader.accounts.reach([int(row[0]) for row in people])
        assert set(reach.values()) == {VK}
    finally:
        await db.close()


async def test_a_class_gets_its_max_chat_beside_the_vk_one_but_not_a_second_vk_one(
    tmp_path: Path,
) -> None:
    db = await _upgraded(tmp_path)
    try:
        (chat,) = [c for c in await db.reader.chats.bound() if c.class_id is not None]
        assert chat.kind is not None
        async with db.transaction() as tx:
            await tx.chats.added(-70_000_000_001, None, MAX)
            await tx.chats.bind(-70_000_000_001, chat.kind, chat.class_id, None, "MAX", 1)
        holders = await db.reader.chats.holders_of(chat.kind, chat.class_id, None)
        assert [(c.messenger, c.peer_id) for c in holders] == [
            (MAX, -70_000_000_001),
            (VK, chat.peer_id),
        ]
        assert (await db.reader.chats.holder_of(chat.kind, chat.class_id, None, VK)) == chat
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as tx:
                await tx.chats.added(2_000_000_099, None, VK)
                await tx.chats.bind(2_000_000_099, chat.kind, chat.class_id, None, "VK 2", 1)
    finally:
        await db.close()


async def test_a_chat_of_another_messenger_with_the_same_number_takes_nothing_over(
    tmp_path: Path,
) -> None:
    db = await _upgraded(tmp_path)
    try:
        (chat,) = [c for c in await db.reader.chats.bound() if c.class_id is not None]
        async with db.transaction() as tx:
            await tx.chats.added(chat.peer_id, 42, MAX)
        assert await db.reader.chats.get(chat.peer_id) == chat
    finally:
        await db.close()
