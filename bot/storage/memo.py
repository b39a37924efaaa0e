"""Copies in memory of what is read with nearly every event, kept exact.

What a transaction changed is not noted by the code that changes it: temporary triggers on
the writer's connection (`TOUCHED_SQL`) record, row by row, whose record, roles or dialog
step and whether the classes changed, and the commit reads that record in the same trip
(`touched`). After the commit the copies are updated or dropped; a transaction rolled back
(or a savepoint undone) takes its record with it. A read that a commit overtakes is not kept:
each read notes the change counter when it starts, and a copy is stored only if nothing it
covers changed since. Another process's commits (two bot processes overlap while a new
version takes over) are noticed by `Database` within a second, and then everything is read
afresh.

Measured on issue 13 (`bench/bench_help.py --people 10 --rounds 40`, two runs each,
alternating, on a shared machine): with the copies 0.70 and 0.76 of the echo bot, reading
straight from the reader 0.58 and 0.59; they earn their place."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from bot.storage.classes import ClassRow
from bot.storage.people import PersonSnapshot, StateRow
from bot.storage.timefmt import from_db

CAPACITY = 20_000  # people whose snapshot is kept; beyond it the copies start afresh


@dataclass
class ChangeLog:
    """What one transaction changed that the in-memory copies depend on."""

    people: set[int] = field(default_factory=set)  # their record or roles
    everyone: bool = False  # another process changed the database: anything may have changed
    dialogs: dict[int, tuple[str, str, str] | None] = field(default_factory=dict)
    classes: bool = False

    def __bool__(self) -> bool:
        return bool(self.people or self.everyone or self.dialogs or self.classes)


# Temporary (this connection's only, never in the database file): what a snapshot covers is
# the person's record (the columns `PeopleRepo.snapshot` reads), their roles, the classes'
# names and their dialog step. Every write to those, whichever code makes it, leaves a row.
TOUCHED_SQL = """
CREATE TEMP TABLE memo_people (person_id INTEGER);
CREATE TEMP TABLE memo_dialogs (person_id INTEGER, state TEXT, payload TEXT, updated_at TEXT);
CREATE TEMP TABLE memo_classes (changed INTEGER);
CREATE TEMP TRIGGER memo_people_in AFTER INSERT ON main.people
BEGIN INSERT INTO memo_people VALUES (NEW.id); END;
CREATE TEMP TRIGGER memo_people_up
AFTER UPDATE OF id, full_name, consent_at, pending_ref, created_at, left_at ON main.people
BEGIN INSERT INTO memo_people VALUES (OLD.id), (NEW.id); END;
CREATE TEMP TRIGGER memo_people_out AFTER DELETE ON main.people
BEGIN INSERT INTO memo_people VALUES (OLD.id); END;
CREATE TEMP TRIGGER memo_roles_in AFTER INSERT ON main.roles
BEGIN INSERT INTO memo_people VALUES (NEW.person_id); END;
CREATE TEMP TRIGGER memo_roles_up AFTER UPDATE ON main.roles
BEGIN INSERT INTO memo_people VALUES (OLD.person_id), (NEW.person_id); END;
CREATE TEMP TRIGGER memo_roles_out AFTER DELETE ON main.roles
BEGIN INSERT INTO memo_people VALUES (OLD.person_id); END;
CREATE TEMP TRIGGER memo_classes_in AFTER INSERT ON main.classes
BEGIN INSERT INTO memo_classes VALUES (1); END;
CREATE TEMP TRIGGER memo_classes_up AFTER UPDATE ON main.classes
BEGIN INSERT INTO memo_classes VALUES (1); END;
CREATE TEMP TRIGGER memo_classes_out AFTER DELETE ON main.classes
BEGIN INSERT INTO memo_classes VALUES (1); END;
CREATE TEMP TRIGGER memo_dialogs_in AFTER INSERT ON main.conversation_state
BEGIN INSERT INTO memo_dialogs VALUES (NEW.person_id, NEW.state, NEW.payload, NEW.updated_at);
END;
CREATE TEMP TRIGGER memo_dialogs_up AFTER UPDATE ON main.conversation_state
BEGIN
INSERT INTO memo_dialogs VALUES (OLD.person_id, NULL, NULL, NULL);
INSERT INTO memo_dialogs VALUES (NEW.person_id, NEW.state, NEW.payload, NEW.updated_at);
END;
CREATE TEMP TRIGGER memo_dialogs_out AFTER DELETE ON main.conversation_state
BEGIN INSERT INTO memo_dialogs VALUES (OLD.person_id, NULL, NULL, NULL); END;
"""


def touched(conn: sqlite3.Connection) -> ChangeLog:
    """On the writer's thread, inside the transaction, just before COMMIT: what it changed
    (and the record cleared, so the next transaction starts with none)."""
    log = ChangeLog()
    rows = conn.execute(
        "SELECT 0, person_id, NULL, NULL, NULL, rowid FROM memo_people"
        " UNION ALL SELECT 1, NULL, NULL, NULL, NULL, rowid FROM memo_classes"
        " UNION ALL SELECT 2, person_id, state, payload, updated_at, rowid FROM memo_dialogs"
        " ORDER BY 1, 6"
    ).fetchall()
    if not rows:
        return log
    for kind, person, state, payload, updated_at, _ in rows:
        if kind == 0:
            log.people.add(int(person))
        elif kind == 1:
            log.classes = True
        else:
            log.dialogs[int(person)] = None if state is None else (state, payload, updated_at)
    conn.execute("DELETE FROM memo_people")
    conn.execute("DELETE FROM memo_classes")
    conn.execute("DELETE FROM memo_dialogs")
    return log


class Memo:
    """The person snapshots and the class list, as the last commits left them."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._snapshots: dict[int, PersonSnapshot] = {}
        self._classes: list[ClassRow] | None = None
        self._counter = 0
        self._reads_in_flight = 0
        # When each person, everyone, and the classes last changed (by the counter); only
        # needed while reads are in flight.
        self._changed_at: dict[int, int] = {}
        self._everyone_changed_at = 0
        self._classes_changed_at = 0

    async def snapshot(
        self, person_id: int, read: Callable[[int], Awaitable[PersonSnapshot]]
    ) -> PersonSnapshot:
        kept = self._snapshots.get(person_id)
        if kept is not None:
            return kept
        started = self._counter
        self._reads_in_flight += 1
        try:
            snapshot = await read(person_id)
        finally:
            self._reads_in_flight -= 1
        if self._changed_at.get(person_id, 0) <= started and self._everyone_changed_at <= started:
            if len(self._snapshots) >= self._capacity:
                self._snapshots.clear()
            self._snapshots[person_id] = snapshot
        return snapshot

    async def classes(self, read: Callable[[], Awaitable[list[ClassRow]]]) -> list[ClassRow]:
        if self._classes is not None:
            return list(self._classes)
        started = self._counter
        self._reads_in_flight += 1
        try:
            rows = await read()
        finally:
            self._reads_in_flight -= 1
        if self._classes_changed_at <= started:
            self._classes = rows
        return list(rows)

    def forget_all(self) -> None:
        """Another process changed the database: nothing kept is known to be current."""
        self.apply(ChangeLog(everyone=True, classes=True))

    def apply(self, log: ChangeLog) -> None:
        """A committed transaction's changes."""
        if not log:
            return
        self._counter += 1
        track = self._reads_in_flight > 0
        if not track:
            self._changed_at.clear()
        if log.classes:
            self._classes = None
            self._classes_changed_at = self._counter
        if log.everyone or log.classes:  # a class changed: the class names in roles too
            self._snapshots.clear()
            self._everyone_changed_at = self._counter
            return
        for person in log.people:
            self._snapshots.pop(person, None)
            if track:
                self._changed_at[person] = self._counter
        for person, step in log.dialogs.items():
            if track:
                self._changed_at[person] = self._counter
            kept = self._snapshots.get(person)
            if kept is None or person in log.people:
                continue
            # As a read would now find it: the stored JSON read back, the stored time.
            dialog = (
                None
                if step is None
                else StateRow(person, step[0], json.loads(step[1]), from_db(step[2]))
            )
            self._snapshots[person] = replace(kept, dialog=dialog)
