"""Which messenger's sender takes a message: fixed when it is queued, from the address."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.broadcasts import end_if_settled
from bot.clock import FrozenClock
from bot.conversation.identity import MAX, VK, max_account, vk_account
from bot.conversation.outgoing import AccountAddress, Chat, Person
from bot.storage import Database
from bot.storage.outbox import DeliveryCounts, OutboxRow

ANNA, BORIS, VERA = 1, 2, 3


async def _school(db: Database, clock: FrozenClock) -> None:
    """Anna is on VK only; Boris came to MAX after VK; Vera too, but chose VK."""
    async with db.transaction() as tx:
        for person in (ANNA, BORIS, VERA):
            await tx.people.ensure(person)
        await tx.accounts.link(vk_account(101), ANNA)
        await tx.accounts.link(vk_account(102), BORIS)
        await tx.accounts.link(vk_account(103), VERA)
    clock.advance(timedelta(days=1))
    async with db.transaction() as tx:
        await tx.accounts.link(max_account(202), BORIS)
        await tx.accounts.link(max_account(203), VERA)
        await tx.chats.added(2_000_000_001, None, VK)
        await tx.chats.added(-70_000_000_001, None, MAX)
    await db.writer.execute("UPDATE people SET messenger = 'vk' WHERE id = ?", (VERA,))
    await db.writer.commit()


async def _open(tmp_path: Path) -> tuple[Database, FrozenClock]:
    clock = FrozenClock(datetime(2026, 11, 30, 5, 0, tzinfo=UTC))
    db = Database(tmp_path / "route.sqlite3", clock)
    await db.open()
    await _school(db, clock)
    return db, clock


async def test_a_person_is_reached_where_they_linked_last_unless_they_chose(
    tmp_path: Path,
) -> None:
    db, _ = await _open(tmp_path)
    try:
        replies = [(Person(p), 10 + p, {"text": "Напоминание"}) for p in (ANNA, BORIS, VERA)]
        await db.write(lambda tx: tx.outbox.add_replies_statement(replies))
        rows = await db.reader.outbox.pending(after_id=0, limit=10)
        assert {row.peer_id: row.messenger for row in rows} == {ANNA: VK, BORIS: MAX, VERA: VK}
        assert await db.reader.accounts.reach([ANNA, BORIS, VERA, 99]) == {
            ANNA: VK,
            BORIS: MAX,
            VERA: VK,
        }
    finally:
        await db.close()


async def test_a_reply_goes_back_where_the_event_came_from_and_a_chat_is_its_messengers(
    tmp_path: Path,
) -> None:
    db, _ = await _open(tmp_path)
    try:
        replies = [
            (Person(BORIS), 1, {"text": "Ответ на письмо из ВКонтакте"}),
            (Chat(2_000_000_001), 2, {"text": "В беседу ВКонтакте"}),
            (Chat(-70_000_000_001), 3, {"text": "В чат MAX"}),
            (AccountAddress(ANNA, max_account(201)), 4, {"text": "Прощание"}),
        ]
        await db.write(lambda tx: tx.outbox.add_replies_statement(replies, via=[VK]))
        rows = await db.reader.outbox.pending(after_id=0, limit=10)
        assert [row.messenger for row in rows] == [VK, VK, MAX, MAX]
        assert [row.random_id for row in await db.reader.outbox.pending(0, 10, MAX)] == [3, 4]
        assert [row.random_id for row in await db.reader.outbox.pending(0, 10, VK)] == [1, 2]
    finally:
        await db.close()


async def test_each_sender_sees_a_broadcast_only_while_its_own_recipients_wait(
    tmp_path: Path,
) -> None:
    db, _ = await _open(tmp_path)
    try:
        async with db.transaction() as tx:
            outbox_id = await tx.outbox.add_broadcast(
                [Person(ANNA), Person(BORIS)], 77, {"text": "Собрание"}, report_to=ANNA
            )
        assert await db.reader.outbox.pending_recipients(outbox_id, 10, VK) == [Person(ANNA)]
        assert await db.reader.outbox.pending_recipients(outbox_id, 10, MAX) == [Person(BORIS)]
        await db.writer.execute(
            "UPDATE outbox_recipients SET state = 'sent' WHERE peer_id = ?", (ANNA,)
        )
        await db.writer.commit()
        # VK's share is done: its sender no longer reads the broadcast (it would spin on it).
        assert await db.reader.outbox.pending_in_turn(100, 25, VK) == []
        assert [row.id for row in await db.reader.outbox.pending_in_turn(100, 25, MAX)] == [
            outbox_id
        ]
    finally:
        await db.close()


async def test_two_senders_settling_the_last_recipients_at_once_report_the_broadcast_once(
    tmp_path: Path,
) -> None:
    db, _ = await _open(tmp_path)
    reports: list[DeliveryCounts] = []

    async def report(row: OutboxRow, counts: DeliveryCounts) -> None:
        reports.append(counts)
        await asyncio.sleep(0)

    try:
        async with db.transaction() as tx:
            outbox_id = await tx.outbox.add_broadcast(
                [Person(ANNA), Person(BORIS)], 78, {"text": "Собрание"}, report_to=ANNA
            )
        await db.writer.execute("UPDATE outbox_recipients SET state = 'sent'")
        await db.writer.commit()
        (row,) = await db.reader.outbox.pending(after_id=0, limit=10)
        await asyncio.gather(end_if_settled(db, row, report), end_if_settled(db, row, report))
        assert len(reports) == 1 and reports[0].sent == 2
        assert await db.reader.outbox.pending(after_id=0, limit=10) == []
        assert outbox_id == row.id
    finally:
        await db.close()
