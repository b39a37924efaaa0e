"""An upgrade while messages wait in the outbox: what an earlier version queued (VK's own
`messages.send` parameters, to VK peers) is sent after the upgrade, once, as it was queued,
to people and to group chats; and new rows go out beside it."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.conversation.outgoing import Chat, OutgoingMessage, Person
from bot.keyboards import start_keyboard
from bot.notifier import Notifier
from bot.storage import Database
from bot.storage.migrations import MIGRATIONS, _code_hash, _split_statements
from bot.vk.api import ResilientAPI
from bot.vk.outgoing import keyboard_json
from bot.vk.sender import OutboxSender
from tests.helpers import seeded_person
from vk_sandbox import VKSandbox

NEUTRAL_OUTBOX = next(m.number for m in MIGRATIONS if "no messenger's terms" in m.name)
BEFORE = max(m.number for m in MIGRATIONS if m.number < NEUTRAL_OUTBOX)
NOW = "2026-11-01T08:00:00.000000Z"
# The keyboard an earlier version stored (vkbottle's JSON for the start button).
START_JSON = (
    '{"one_time": true, "inline": false, "buttons": [[{"action": {"label": '
    '"\\u041d\\u0430\\u0447\\u0430\\u0442\\u044c", "payload": {"cmd": "start"}, "type": '
    '"text"}, "color": "primary"}]]}'
)


@pytest.fixture
async def sandbox() -> AsyncIterator[VKSandbox]:
    sb = VKSandbox(group_id=1, token="t", rate_limit=None)
    await sb.start(host="127.0.0.1", port=0)
    try:
        yield sb
    finally:
        await sb.stop()


def _database_of_an_earlier_version(path: Path, anna: int, oleg: int, chat_peer: int) -> None:
    with sqlite3.connect(path) as conn:
        conn.create_function("code_hash", 1, _code_hash, deterministic=True)
        for migration in MIGRATIONS:
            if migration.number <= BEFORE:
                for statement in _split_statements(migration.sql):
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {BEFORE}")
        rows = [
            (anna, 11, {"message": "Нажмите «Начать»", "keyboard": START_JSON}),
            (chat_peer, 12, {"message": "Беседа привязана"}),
            (anna, 13, {"message": "Второе"}),
        ]
        conn.executemany(
            "INSERT INTO outbox (peer_id, random_id, body, created_at) VALUES (?, ?, ?, ?)",
            [(peer, rid, json.dumps(body, ensure_ascii=False), NOW) for peer, rid, body in rows],
        )
        conn.execute(
            "INSERT INTO outbox (peer_id, random_id, body, state, created_at)"
            " VALUES (?, 14, NULL, 'sent', ?)",
            (anna, NOW),
        )
        cursor = conn.execute(
            "INSERT INTO outbox (peer_id, random_id, body, created_at) VALUES (0, 15, ?, ?)",
            (json.dumps({"message": "Собрание в пятницу"}, ensure_ascii=False), NOW),
        )
        conn.executemany(
            "INSERT INTO outbox_recipients (outbox_id, peer_id, state) VALUES (?, ?, ?)",
            [
                (cursor.lastrowid, anna, "sent"),  # went out before the upgrade
                (cursor.lastrowid, oleg, "pending"),
                (cursor.lastrowid, chat_peer, "pending"),
            ],
        )


async def test_messages_queued_before_the_upgrade_are_sent_once_as_they_were_queued(
    tmp_path: Path, sandbox: VKSandbox
) -> None:
    anna, oleg = sandbox.add_user("Анна", "Кузнецова"), sandbox.add_user("Олег", "Белов")
    for user in (anna, oleg):
        user.state.can_write = True
    chat = sandbox.create_chat("Родители 5А", owner=anna, members=[oleg], bot_member=True)
    path = tmp_path / "old.sqlite3"
    _database_of_an_earlier_version(path, anna.user_id, oleg.user_id, chat.peer_id)

    api = ResilientAPI(sandbox.token, sandbox.api_url, rps=1000)
    try:
        async with Database(path) as db:
            with sqlite3.connect(path) as conn:
                flags = conn.execute(
                    "SELECT peer_id, to_chat FROM outbox WHERE peer_id != 0 ORDER BY id"
                ).fetchall()
                recipient_flags = conn.execute(
                    "SELECT peer_id, to_chat FROM outbox_recipients ORDER BY peer_id"
                ).fetchall()
            sender = OutboxSender(db, api)
            # A message queued by the new version waits behind the old ones.
            await Notifier(db, sender.wake).send(
                [OutgoingMessage(Person(anna.user_id), "Новое", start_keyboard())], "new"
            )
            running = asyncio.create_task(sender.run())
            try:
                assert await sender.drain(10)
            finally:
                running.cancel()
            counts = await db.reader.outbox.count_by_state()
    finally:
        await api.http_client.close()

    assert flags == [(anna.user_id, 0), (chat.peer_id, 1), (anna.user_id, 0), (anna.user_id, 0)]
    assert sorted(recipient_flags) == sorted(
        [(anna.user_id, 0), (oleg.user_id, 0), (chat.peer_id, 1)]
    )
    assert [(m.text, m.random_id) for m in anna.messages] == [
        ("Нажмите «Начать»", 11),
        ("Второе", 13),
        ("Новое", anna.messages[-1].random_id),
    ]
    # The stored keyboard as it was, and the new one rendered the same way.
    assert anna.messages[0].keyboard == anna.messages[2].keyboard is not None
    assert keyboard_json(start_keyboard()) == START_JSON
    assert [m.text for m in oleg.messages] == ["Собрание в пятницу"]
    assert [m.text for m in chat.messages] == ["Беседа привязана", "Собрание в пятницу"]
    assert counts == {"sent": 6}


async def test_a_reply_to_a_group_chat_reaches_the_chat_and_a_broadcast_reaches_chats_too(
    tmp_path: Path, sandbox: VKSandbox
) -> None:
    anna = sandbox.add_user("Анна", "Кузнецова")
    anna.state.can_write = True
    chat = sandbox.create_chat("Учителя", owner=anna, bot_member=True)
    api = ResilientAPI(sandbox.token, sandbox.api_url, rps=1000)
    try:
        async with Database(tmp_path / "new.sqlite3") as db:
            sender = OutboxSender(db, api)
            notifier = Notifier(db, sender.wake)
            async with db.transaction() as tx:
                anna_id = await seeded_person(tx, anna)
            await notifier.send([OutgoingMessage(Chat(chat.peer_id), "В беседу")], "reply")
            await notifier.broadcast([Person(anna_id), Chat(chat.peer_id)], "Всем", "all")
            running = asyncio.create_task(sender.run())
            try:
                assert await sender.drain(10)
            finally:
                running.cancel()
    finally:
        await api.http_client.close()
    assert [m.text for m in chat.messages] == ["В беседу", "Всем"]
    assert [m.text for m in anna.messages] == ["Всем"]
