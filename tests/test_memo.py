"""What the bot keeps in memory of people and classes is always what the database holds."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.storage import Database, Repositories

PEOPLE = (101, 102, 103)
CLASSES = ("5А", "5Б", "6В")
ROLES = ("parent", "student", "teacher", "class_teacher")
EXAMPLES = int(os.environ.get("MEMO_EXAMPLES", "40"))

person = st.sampled_from(PEOPLE)
class_name = st.sampled_from(CLASSES)
operation = st.one_of(
    st.tuples(st.just("consent"), person),
    st.tuples(st.just("grant"), person, st.sampled_from(ROLES), st.none() | class_name),
    st.tuples(st.just("end_role"), person, st.sampled_from(ROLES)),
    st.tuples(st.just("end_by_id"), person),
    st.tuples(st.just("verify"), person),
    st.tuples(st.just("step"), person, st.sampled_from(("a", "b")), st.integers(0, 3)),
    st.tuples(st.just("step_in_transaction"), person, st.sampled_from(("a", "b"))),
    st.tuples(st.just("end_dialog"), person),
    st.tuples(st.just("add_class"), class_name),
    st.tuples(st.just("remove_class"), class_name),
    st.tuples(st.just("leave"), person),
    st.tuples(st.just("forget"), person),
    st.tuples(st.just("failed_grant"), person),
)


async def _class_id(tx: Repositories, name: str | None) -> int | None:
    if name is None:
        return None
    row = await tx.classes.by_name(name)
    return None if row is None else row.id


async def _apply(db: Database, op: tuple[Any, ...]) -> None:
    kind, *args = op
    if kind == "step":
        who, state, value = args
        steps = [(who, state, {"n": value, "k": [value]})]
        await db.write(lambda tx: tx.states.set_many_statement(steps))
        return
    if kind == "end_dialog":
        await db.write(lambda tx: tx.states.delete_many_statement([args[0]]))
        return
    if kind == "failed_grant":
        try:
            async with db.transaction() as tx:
                await tx.people.ensure(args[0])
                await tx.roles.grant(args[0], "admin")
                raise RuntimeError("changed my mind")
        except RuntimeError:
            pass
        return
    async with db.transaction() as tx:
        if kind == "consent":
            await tx.people.ensure(args[0])
            await tx.people.record_consent(args[0], f"Человек {args[0]}")
        elif kind == "grant":
            who, role, name = args
            await tx.people.ensure(who)
            await tx.roles.grant(who, role, await _class_id(tx, name))
        elif kind == "end_role":
            await tx.roles.end_role(args[0], args[1])
        elif kind == "end_by_id":
            snapshot = await tx.people.snapshot(args[0])
            if snapshot.roles:
                await tx.roles.end(snapshot.roles[0].id)
        elif kind == "verify":
            await tx.roles.verify_teacher(args[0])
        elif kind == "step_in_transaction":
            await tx.people.ensure(args[0])
            await tx.states.set(args[0], args[1], {"in": "transaction"})
        elif kind == "add_class":
            name = args[0]
            await tx.classes.add(name, int(name[:-1]), name[-1])
        elif kind == "remove_class":
            class_id = await _class_id(tx, args[0])
            if class_id is not None:
                await tx.classes.purge_history(class_id)
                await tx.classes.remove(class_id)
        elif kind == "leave":
            await tx.people.mark_left(args[0])
            await tx.roles.end_all(args[0])
        elif kind == "forget":
            await tx.roles.forget_person(args[0])
            await tx.states.delete(args[0])
            await tx.people.delete(args[0])


async def _agrees_with_the_database(db: Database) -> None:
    for who in PEOPLE:
        assert await db.person_snapshot(who) == await db.reader.people.snapshot(who), who
    assert await db.classes() == await db.reader.classes.all()


async def _run(operations: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with Database(Path(folder) / "memo.sqlite3") as db:
            await _agrees_with_the_database(db)
            for op in operations:
                await _apply(db, op)
                await _agrees_with_the_database(db)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(operations=st.lists(operation, max_size=25))
def test_what_is_kept_in_memory_follows_every_change(operations: list[tuple[Any, ...]]) -> None:
    asyncio.run(_run(operations))


async def test_a_read_that_a_change_overtakes_is_not_kept(tmp_path: Path) -> None:
    async with Database(tmp_path / "memo.sqlite3") as db:
        async with db.transaction() as tx:
            await tx.people.ensure(7)
            await tx.people.record_consent(7, "Иванова Анна")
        for round_number in range(30):
            role = ROLES[round_number % len(ROLES)]

            async def grant(role: str = role) -> None:
                async with db.transaction() as tx:
                    await tx.roles.grant(7, role)

            # The read and the change race; whichever wins, what is kept afterwards is
            # what the database holds.
            await asyncio.gather(db.person_snapshot(7), grant(), db.person_snapshot(7))
            assert await db.person_snapshot(7) == await db.reader.people.snapshot(7)
        assert len((await db.person_snapshot(7)).roles) == len(ROLES)


async def test_a_dialog_step_is_kept_as_the_database_returns_it(tmp_path: Path) -> None:
    async with Database(tmp_path / "memo.sqlite3") as db:
        await db.person_snapshot(9)  # kept: nobody yet
        step = (9, "asking", {"ids": (1, 2), 3: "x"})
        await db.write(lambda tx: tx.states.set_many_statement([step]))
        kept = await db.person_snapshot(9)
        assert kept.dialog is not None
        assert kept.dialog.payload == {"ids": [1, 2], "3": "x"}  # as JSON gives it back
        assert kept == await db.reader.people.snapshot(9)


async def test_a_change_made_by_another_process_is_seen_soon(tmp_path: Path) -> None:
    path = tmp_path / "memo.sqlite3"
    async with (
        Database(path, other_writers_check=0.05) as ours,
        Database(path, other_writers_check=0.05) as theirs,
    ):
        async with ours.transaction() as tx:
            await tx.people.ensure(5)
            await tx.people.record_consent(5, "Петров Пётр")
        assert (await ours.person_snapshot(5)).roles == []  # kept in memory now
        async with theirs.transaction() as tx:
            await tx.roles.grant(5, "teacher")
        for _ in range(40):
            if (await ours.person_snapshot(5)).roles:
                break
            await asyncio.sleep(0.05)
        assert [role.role for role in (await ours.person_snapshot(5)).roles] == ["teacher"]
