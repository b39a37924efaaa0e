"""Copies in memory of what is read with nearly every event, kept exact.

Every write through a transaction or `Database.write` notes in its `ChangeLog` which people
(their record, roles or dialog step) and whether the classes it changed; after the commit the
copies are updated or dropped. A read that a commit overtakes is not kept: each read notes
the change counter when it starts, and a copy is stored only if nothing it covers changed
since. Another process's commits (two bot processes overlap while a new version takes over)
are noticed by `Database` within a second, and then everything is read afresh."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.storage.base import ChangeLog
from bot.storage.classes import ClassRow
from bot.storage.people import PersonSnapshot, StateRow
from bot.storage.timefmt import from_db

CAPACITY = 20_000  # people whose snapshot is kept; beyond it the copies start afresh


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
