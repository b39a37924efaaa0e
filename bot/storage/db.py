"""The database: one writer connection behind a lock, one reader connection (WAL).

Changes go through `transaction()` (any statements, reads among them) or, on the hot paths,
through `write()` (independent statements, grouped with other callers' into one transaction
run in one trip to the database thread)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from bot.clock import Clock
from bot.storage.accounts import AccountsRepo
from bot.storage.audit import AuditRepo
from bot.storage.base import Statement
from bot.storage.chats import ChatsRepo
from bot.storage.classes import ClassesRepo, ClassRow
from bot.storage.connection import Connection
from bot.storage.deliveries import DeliveriesRepo
from bot.storage.duties import DutyMarksRepo
from bot.storage.events import EventsRepo
from bot.storage.family import FamilyRepo
from bot.storage.inbox import InboxRepo
from bot.storage.invitations import InvitationsRepo
from bot.storage.job_runs import JobRunsRepo
from bot.storage.kv import KeyValueRepo
from bot.storage.leases import LeasesRepo
from bot.storage.links import AccountLinksRepo
from bot.storage.memo import TOUCHED_SQL, ChangeLog, Memo, touched
from bot.storage.migrations import migrate
from bot.storage.outbox import OutboxRepo
from bot.storage.people import PeopleRepo, PersonSnapshot, RolesRepo, StatesRepo
from bot.storage.personal import PersonalDataRepo
from bot.storage.proposals import ProposalsRepo
from bot.storage.questions import QuestionsRepo
from bot.storage.requests import RequestsRepo
from bot.storage.roster import RosterRepo
from bot.storage.teaching import TeachingRepo
from bot.storage.unit import UnitOfWork, current_unit, run_and_commit

BUSY_TIMEOUT_MS = 5000
# How often the writer asks whether another process committed (a second bot process on the
# same database while a new version takes over): what memory keeps is then read afresh.
OTHER_WRITERS_CHECK = 1.0


class Repositories:
    """Every repository, bound to one connection (a transaction's, or the reader's)."""

    def __init__(self, conn: Connection, clock: Clock) -> None:
        self.people = PeopleRepo(conn, clock)
        self.accounts = AccountsRepo(conn, clock)
        self.roles = RolesRepo(conn, clock)
        self.classes = ClassesRepo(conn, clock)
        self.audit = AuditRepo(conn, clock)
        self.states = StatesRepo(conn, clock)
        self.inbox = InboxRepo(conn, clock)
        self.outbox = OutboxRepo(conn, clock)
        self.kv = KeyValueRepo(conn, clock)
        self.invitations = InvitationsRepo(conn, clock)
        self.requests = RequestsRepo(conn, clock)
        self.chats = ChatsRepo(conn, clock)
        self.duty_marks = DutyMarksRepo(conn, clock)
        self.personal = PersonalDataRepo(conn, clock)
        self.job_runs = JobRunsRepo(conn, clock)
        self.events = EventsRepo(conn, clock)
        self.proposals = ProposalsRepo(conn, clock)
        self.roster = RosterRepo(conn, clock)
        self.leases = LeasesRepo(conn, clock)
        self.deliveries = DeliveriesRepo(conn, clock)
        self.account_links = AccountLinksRepo(conn, clock)
        self.teaching = TeachingRepo(conn, clock)
        self.family = FamilyRepo(conn, clock)
        self.questions = QuestionsRepo(conn, clock)


# A hot-path change: a statement, or what builds it from a repository (None: nothing to do).
Change = Statement | Callable[[Repositories], Statement | None]
_QueuedWrite = tuple[Sequence[Change], "asyncio.Future[list[int]]"]


def _settle(
    future: asyncio.Future[list[int]],
    result: list[int] | None = None,
    error: BaseException | None = None,
) -> None:
    if future.done():  # the caller gave up waiting
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result or [])


async def _connect(
    path: Path,
    isolation_level: str | None,
    cached_statements: int = 128,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
) -> Connection:
    conn = await Connection.open(path, isolation_level, cached_statements)
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    await conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _note_and_commit(conn: sqlite3.Connection) -> ChangeLog:
    changed = touched(conn)
    conn.commit()
    return changed


class Database:
    """Owns the connections. Reads go to `reader`; changes through `transaction()` or
    `write()`."""

    def __init__(
        self,
        path: Path,
        clock: Clock | None = None,
        other_writers_check: float = OTHER_WRITERS_CHECK,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> None:
        self.path = path
        # How long a change waits for another process's write lock before it fails.
        self._busy_timeout_ms = busy_timeout_ms
        self.clock = clock or Clock()
        self._writer: Connection | None = None
        self._reader_conn: Connection | None = None
        self._reader: Repositories | None = None
        self._write_lock = asyncio.Lock()
        self._queued: list[_QueuedWrite] = []
        self._flusher: asyncio.Task[None] | None = None
        self._memo = Memo()
        self._other_writers_check = other_writers_check
        self._watcher: asyncio.Task[None] | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The writer begins a transaction by itself before a change made outside one, so
        # that neither `transaction()` nor `write()` spends a trip on BEGIN. Every change
        # goes through one of them (or a unit of work), and each ends what it begins.
        self._writer = await _connect(self.path, "IMMEDIATE", busy_timeout_ms=self._busy_timeout_ms)
        await migrate(self._writer)
        # What each transaction touches, recorded by the writer's temporary triggers.
        await self._writer.run(lambda conn: conn.executescript(TOUCHED_SQL))
        self._reader_conn = await _connect(self.path, None, busy_timeout_ms=self._busy_timeout_ms)
        self._reader = Repositories(self._reader_conn, self.clock)
        self._watcher = asyncio.create_task(self._watch_other_writers(), name="other-writers")

    async def _watch_other_writers(self) -> None:
        """Forgets what memory keeps when another connection has committed.

        `PRAGMA data_version` on a connection changes only with other connections' commits;
        the writer is this process's only writing connection, so a change there is another
        process's."""
        seen: int | None = None
        while self._writer is not None:
            try:
                rows = list(await self._writer.execute_fetchall("PRAGMA data_version"))
            except (sqlite3.Error, OSError, ValueError):
                # A moment's disk error; or the connection closing under it (ValueError).
                # Memory is not trusted meanwhile, and the watch goes on.
                self._memo.forget_all()
                seen = None
            else:
                version = int(rows[0][0])
                if seen is not None and version != seen:
                    self._memo.forget_all()
                seen = version
            await asyncio.sleep(self._other_writers_check)

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        if self._flusher is not None and not self._flusher.done():
            await asyncio.wait([self._flusher])
        async with self._write_lock:
            for conn in (self._reader_conn, self._writer):
                if conn is not None:
                    await conn.close()
            self._reader_conn = self._writer = None
            self._reader = None

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def writer(self) -> Connection:
        if self._writer is None:
            raise RuntimeError("database is not open")
        return self._writer

    def _unit_here(self) -> UnitOfWork | None:
        """The current task's unit of work on this database, if it has one."""
        unit = current_unit.get()
        if unit is not None and unit.db is self and unit.joins_here():
            return unit
        return None

    def unit(self, name: str) -> UnitOfWork:
        """A unit of work for the current task (make it current with `current_unit`)."""
        return UnitOfWork(self, name)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """`callback` once what the task changed so far is committed (at once outside a unit)."""
        unit = self._unit_here()
        if unit is None:
            callback()
        else:
            unit.after_commit(callback)

    async def begin_for_unit(self) -> Repositories:
        """The writer for a unit of work, held until `end_for_unit`. Its transaction begins
        in the unit's first trip to the writer's thread, with its first statements (see
        `unit.begin`): a trip of its own would hold the writer a loop turn longer."""
        await self._write_lock.acquire()
        try:
            conn = self.writer
        except BaseException:
            self._write_lock.release()
            raise
        return Repositories(conn, self.clock)

    def end_for_unit(self, changed: ChangeLog | None) -> None:
        """The unit's transaction ended: committed (`changed` what it touched) or not."""
        if changed is not None:
            self._memo.apply(changed)
        self._write_lock.release()

    @property
    def reader(self) -> Repositories:
        """Where reads go: the reader connection; inside a unit that holds the writer, the
        unit's transaction, so a task reads what it has written."""
        unit = self._unit_here()
        if unit is not None and unit.holds_writer:
            return unit.repos
        if self._reader is None:
            raise RuntimeError("database is not open")
        return self._reader

    async def person_snapshot(self, person_id: int) -> PersonSnapshot:
        """`reader.people.snapshot`, from memory while nothing it covers has changed."""
        unit = self._unit_here()
        if unit is not None and unit.holds_writer:
            return await unit.repos.people.snapshot(person_id)
        return await self._memo.snapshot(person_id, self.reader.people.snapshot)

    async def classes(self) -> list[ClassRow]:
        """`reader.classes.all`, from memory while the classes have not changed."""
        unit = self._unit_here()
        if unit is not None and unit.holds_writer:
            return await unit.repos.classes.all()
        return await self._memo.classes(self.reader.classes.all)

    @asynccontextmanager
    async def detached(self) -> AsyncIterator[None]:
        """Changes made in the block commit at once, on their own, not with the task's unit
        of work: what the messenger reported (see `observation`), a message that must go
        before the event is done (a long file's progress). Inside a unit that already holds
        the writer they join it (the writer runs one transaction at a time)."""
        unit = self._unit_here()
        if unit is not None and unit.holds_writer:
            yield
            return
        token = current_unit.set(None)
        try:
            yield
        finally:
            current_unit.reset(token)

    @asynccontextmanager
    async def observation(self) -> AsyncIterator[Repositories]:
        """Records what the messenger reported (a chat's members, its link, whether the bot
        is its admin) in a transaction of its own (see `detached`): it is no effect of the
        event, a replay records it again harmlessly, and a handler may go on asking the
        messenger afterwards."""
        async with self.detached(), self.transaction() as repos:
            yield repos

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        """One atomic change: all statements commit together or none do. Inside a unit of
        work, a step of it (committed with the unit)."""
        unit = self._unit_here()
        if unit is not None:
            async with unit.step() as repos:
                yield repos
            return
        if self._writer is None:
            raise RuntimeError("database is not open")
        async with self._write_lock:
            conn = self._writer
            repos = Repositories(conn, self.clock)
            try:
                # No BEGIN of its own: the writer begins before the first change. Reads made
                # before it are just as consistent, as every writer waits for this lock.
                yield repos
            except BaseException:
                # Also when cancelled half-way (while the writer's thread still runs a
                # statement): the rollback is queued behind it, so the connection is never
                # left inside a transaction for the next one to trip over.
                await asyncio.shield(conn.rollback())
                raise
            self._memo.apply(await conn.run(_note_and_commit))

    async def write(self, *changes: Change) -> list[int]:
        """Independent changes that commit together or not at all; returns how many rows
        each changed.

        For the hot paths (events stored, replies queued, sends recorded). Writes that
        arrive while one is being committed are grouped into the next transaction, so the
        single writer commits once a round rather than once a caller, and each round is one
        trip to the database thread however many statements it carries: the write lock,
        which handlers' transactions wait for too, is held as briefly as it can be. One
        caller's changes run in the order given, one after the other; they must not depend
        on what other callers write. A group that fails is tried again caller by caller, so
        one caller's failure is not another's."""
        unit = self._unit_here()
        if unit is not None:
            return await unit.run(changes)
        future: asyncio.Future[list[int]] = asyncio.get_running_loop().create_future()
        self._queued.append((changes, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="group-commit")
        return await future

    async def _flush(self) -> None:
        while self._queued:
            group: list[_QueuedWrite] = []
            try:
                # What is queued is taken once the writer is free: the writes that came
                # while a unit of work held it go in this trip, not in one more after it.
                async with self._write_lock:
                    group, self._queued = self._queued, []
                    await self._commit_group(group)
            except BaseException:
                # Cancelled (the loop is going down): nobody is left waiting for ever.
                for _, future in (*group, *self._queued):
                    if not future.done():
                        future.cancel()
                raise

    async def _commit_group(self, group: list[_QueuedWrite]) -> None:
        try:
            results = await self._write_now([c for changes, _ in group for c in changes])
        except Exception as error:
            if len(group) == 1:
                _settle(group[0][1], error=error)
                return
            for changes, future in group:
                try:
                    _settle(future, await self._write_now(changes))
                except Exception as own_error:
                    _settle(future, error=own_error)
            return
        start = 0
        for changes, future in group:
            _settle(future, results[start : start + len(changes)])
            start += len(changes)

    async def _write_now(self, changes: Sequence[Change]) -> list[int]:
        """All the changes in one transaction, in one trip to the database thread: every
        statement, then COMMIT, or ROLLBACK if one failed. The caller holds the write lock."""
        if self._writer is None:
            raise RuntimeError("database is not open")
        conn = self._writer
        repos = Repositories(conn, self.clock)
        # Built: nothing runs yet.
        statements = [c if isinstance(c, Statement) else c(repos) for c in changes]
        # Shielded: once on its way the trip finishes, commit or rollback, even if the
        # caller is cancelled, so the writer is never left inside a transaction.
        counts, changed = await asyncio.shield(conn.run(lambda c: run_and_commit(c, statements)))
        self._memo.apply(changed)
        return counts

    @property
    def in_transaction(self) -> bool:
        return self._writer is not None and self._writer.in_transaction

    async def backup(self, target: Path) -> None:
        """A consistent copy of the live database (SQLite online backup)."""
        if self._writer is None:
            raise RuntimeError("database is not open")
        target.parent.mkdir(parents=True, exist_ok=True)
        async with self._write_lock:
            # Under the lock: the writer is never inside a transaction while it is copied.
            await self._writer.backup(target)
