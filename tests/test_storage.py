"""The database: migrations on start, transactions, inbox deduplication."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.conversation.outgoing import Person
from bot.domain.requests import DecisionOutcome, RequestService
from bot.domain.roles import Actor, Role, RoleGrant
from bot.runtime import Dispatcher, _Outcome
from bot.storage import Database, Repositories
from bot.storage.base import Statement
from bot.storage.inbox import InboxRow
from bot.storage.migrations import MIGRATIONS


def event(event_id: str, seq: int) -> InboxRow:
    return InboxRow(event_id, seq, 5, {"type": "message_new"})


async def test_migrations_run_once_and_create_the_staff_room(tmp_path: Path) -> None:
    path = tmp_path / "school.sqlite3"
    async with Database(path) as db:
        staff_room = await db.reader.classes.staff_room()
    async with Database(path) as db:
        again = await db.reader.classes.all()
        version = (await db.reader.people._conn.execute_fetchall("PRAGMA user_version"))[0][0]
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
        assert await db.write(
            lambda tx: tx.inbox.add_many_statement([event("e1", 1), event("e2", 2)])
        ) == [2]
        assert await db.write(
            lambda tx: tx.inbox.add_many_statement([event("e1", 3)]),
            lambda tx: tx.inbox.mark_done_statement(["e1"]),
        ) == [0, 1]
        assert await db.reader.inbox.placed_between(1, 3) == {"e1", "e2"}
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


async def test_writes_arriving_together_commit_together_and_fail_alone(tmp_path: Path) -> None:
    async with Database(tmp_path / "s.sqlite3") as db:

        def broken(tx: Repositories) -> Statement:
            # Its first row goes in, its second breaks the key: the statement fails half way.
            return Statement(
                "INSERT INTO settings_kv (key, value) VALUES (?, ?)",
                [("half", "written"), ("half", "twice")],
            )

        outcomes = await asyncio.gather(
            db.write(
                lambda tx: tx.kv.set_statement("a", "1"), lambda tx: tx.kv.set_statement("b", "2")
            ),
            db.write(lambda tx: tx.kv.set_statement("c", "3"), broken),
            db.write(lambda tx: tx.inbox.add_many_statement([event("e1", 1)])),
            return_exceptions=True,
        )
        assert outcomes[0] == [1, 1]
        assert isinstance(outcomes[1], sqlite3.IntegrityError)
        assert outcomes[2] == [1]
        # The failing caller's other change is undone; the other callers' are kept.
        assert [await db.reader.kv.get(key) for key in "abc"] == ["1", "2", None]
        assert await db.reader.kv.get("half") is None
        assert await db.reader.inbox.count_pending() == 1
        assert not db.in_transaction


async def test_a_write_whose_caller_gives_up_still_ends_its_transaction(tmp_path: Path) -> None:
    async with Database(tmp_path / "s.sqlite3") as db:
        rows = [event(f"e{n}", n) for n in range(1, 2001)]
        caller = asyncio.create_task(db.write(lambda tx: tx.inbox.add_many_statement(rows)))
        await asyncio.sleep(0)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        # Whatever was on its way finished as a whole; the writer is free for the next.
        await db.write(lambda tx: tx.kv.set_statement("after", "yes"))
        assert await db.reader.inbox.count_pending() in (0, len(rows))
        assert await db.reader.kv.get("after") == "yes"
        assert not db.in_transaction


async def test_the_inbox_knows_the_last_place_given(tmp_path: Path) -> None:
    async with Database(tmp_path / "s.sqlite3") as db:
        assert await db.reader.inbox.last_seq() == 0
        await db.write(lambda tx: tx.inbox.add_many_statement([event("e1", 1), event("e2", 2)]))
        assert await db.reader.inbox.last_seq() == 2


async def test_an_event_whose_outcome_cannot_be_written_does_not_cost_the_others_theirs(
    tmp_path: Path,
) -> None:
    async with Database(tmp_path / "s.sqlite3") as db:
        await db.write(lambda tx: tx.inbox.add_many_statement([event("good", 1), event("bad", 2)]))
        dispatcher = Dispatcher.__new__(Dispatcher)  # only its recording is exercised here
        dispatcher._db = db
        dispatcher._wake_sender = lambda: None
        good = _Outcome("good", replies=[(Person(5), 1, {"text": "Готово"})])
        # A body that cannot be stored (not JSON) fails the write the two events share.
        bad = _Outcome("bad", replies=[(Person(6), 2, {"text": object()})])
        recorded = await asyncio.gather(
            dispatcher._write_outcome(good), dispatcher._write_outcome(bad)
        )
        assert recorded == [True, False]
        pending = await db.reader.inbox.pending(after_seq=0, limit=10)
        assert [row.event_id for row in pending] == ["bad"]
        assert [row.peer_id for row in await db.reader.outbox.pending(0, 10)] == [5]


async def test_two_decisions_at_once_one_wins_and_only_its_role_and_record_are_written(
    tmp_path: Path,
) -> None:
    async with Database(tmp_path / "s.sqlite3") as db:
        async with db.transaction() as tx:
            await tx.classes.add("5А", 5, "А")
            five_a = await tx.classes.by_name("5А")
            assert five_a is not None
            await tx.people.ensure(40)
            await tx.people.record_consent(40, "Петрова Ольга")
        service = RequestService(db)
        submitted = await service.submit(40, Role.PARENT, five_a.id, "Петров Пётр")
        request_id = submitted.request.id

        def admin(vk_id: int) -> Actor:
            return Actor(vk_id, "Админ", grants=(RoleGrant(Role.ADMIN, None, None, True),))

        # Both decisions go into the same write: the rejection's statements run first.
        rejection, approval = await asyncio.gather(
            service.decide(admin(2), request_id, approve=False, reason="нет"),
            service.decide(admin(1), request_id, approve=True),
        )
        assert rejection.outcome is DecisionOutcome.DONE
        assert approval.outcome is DecisionOutcome.ALREADY
        assert approval.request is not None and approval.request.status == "rejected"
        # The approval that lost grants no role and leaves no record.
        assert (await db.reader.people.snapshot(40)).roles == []
        decided = [
            row for row in await db.reader.audit.latest(10) if row.action != "request_submitted"
        ]
        assert [(row.action, row.actor_id, row.details) for row in decided] == [
            ("request_rejected", 2, {"request": request_id})
        ]
        assert not db.in_transaction
