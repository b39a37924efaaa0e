"""Inbox → handlers → outbox. One person's events in order, different people in parallel."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from loguru import logger

from bot.context import EventContext, Services, current_event
from bot.conversation.identity import Account
from bot.conversation.incoming import Incoming
from bot.conversation.outgoing import AccountAddress, Address, Chat, Person
from bot.conversation.port import CallScope, interactive_calls
from bot.flood import FloodGuard, Verdict
from bot.storage import Database
from bot.storage.db import Change
from bot.storage.inbox import InboxRow
from bot.storage.unit import UnitOfWork, current_unit
from bot.texts import t

MAX_PARALLEL_EVENTS = 64
# Accounts whose person is kept in memory; beyond it the memory starts afresh.
PEOPLE_KEPT = 100_000
FETCH_BATCH = 500
# How long a VK call made while a person waits may take, retries included (users.get for a
# greeting, a screen name to resolve): beyond it the handler goes on without the answer.
INTERACTIVE_DEADLINE = 4.0
# Pauses before an outcome the database refused (locked by another process, disk full for a
# moment) is written again; the last one repeats while the bot runs.
WRITE_RETRY_PAUSES = (0.2, 0.5, 1.0, 2.0, 5.0)


class Slots:
    """At most `size` holders at once, the others served in the order they came.

    asyncio.Semaphore (3.11) looks through all its waiters on every acquire; with hundreds
    of people waiting for a slot that showed in the profile."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the slot was handed over just as the wait was cancelled
            raise

    def release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes straight to the next in line
                return
        self._free += 1


class _Hold:
    """One worker's place among the events handled at once, given up while it waits for VK."""

    def __init__(self, slots: Slots) -> None:
        self._slots = slots
        self._held = False

    async def take(self) -> None:
        await self._slots.acquire()
        self._held = True

    def give_back(self) -> None:
        if self._held:
            self._held = False
            self._slots.release()


@dataclass
class _Outcome:
    """What one finished event leaves to be written."""

    event_id: str
    replies: list[tuple[Address, int, dict[str, Any]]] = field(default_factory=list)
    # The messenger each reply is fixed to (None: routed by its address; see OutboxRepo).
    via: list[str | None] = field(default_factory=list)
    dialog_steps: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    dialogs_ended: list[int] = field(default_factory=list)
    forgotten: list[int] = field(default_factory=list)
    # The messenger's keys of the forgotten people's events (the inbox keeps them by those).
    forgotten_lanes: list[int] = field(default_factory=list)
    # Who wrote to the community in private: VK lets it write to them again.
    reachable: list[int] = field(default_factory=list)


def _changes(outcome: _Outcome) -> list[Change]:
    return [
        lambda tx: tx.outbox.add_replies_statement(outcome.replies, outcome.via),
        lambda tx: tx.inbox.mark_done_statement([outcome.event_id]),
        lambda tx: tx.states.set_many_statement(outcome.dialog_steps),
        lambda tx: tx.states.delete_many_statement(outcome.dialogs_ended),
        lambda tx: tx.personal.leftover_events_statement(outcome.forgotten_lanes),
        lambda tx: tx.personal.leftover_replies_statement(outcome.forgotten),
        lambda tx: tx.people.set_reachable_statement(outcome.reachable),
    ]


class _HandleAgainError(Exception):
    """The event's unit of work could not commit: the event is handled again from scratch."""


class Dispatcher:
    def __init__(
        self,
        db: Database,
        route: Callable[[EventContext], Awaitable[None]],
        services: Services,
        wake_sender: Callable[[], None],
        read_legacy: Callable[[dict[str, Any]], Incoming],
        max_parallel: int = MAX_PARALLEL_EVENTS,
    ) -> None:
        self._db = db
        # The router: runs the handler an event is for.
        self._route = route
        # Inbox rows stored before the inbox kept records hold the messenger's own update;
        # its adapter reads them (they are few: those pending at an upgrade).
        self._read_legacy = read_legacy
        self._services = services
        # Tells the messenger's sender that replies were queued.
        self._wake_sender = wake_sender
        self._slots = Slots(max_parallel)
        self._lanes: dict[int, deque[InboxRow]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._accepting = True
        self._arrivals: list[InboxRow] = []
        self._arrived = asyncio.Event()
        self._last_seq = 0
        self._caught_up = False
        limit = services.settings.flood_limit
        self._flood = FloodGuard(limit=limit) if limit else None
        self._people: dict[Account, int] = {}  # account -> person id
        self.handled = 0

    def accept(self, rows: list[InboxRow]) -> None:
        """Events just stored by the intake."""
        self._arrivals += rows
        self._arrived.set()

    async def run(self) -> None:
        # What was stored but not handled before this start is read from the inbox; from
        # then on the intake hands over what it stores. An event in both is taken once.
        # The position is kept across a restart of this loop, which hands nothing out twice.
        while not self._caught_up:
            rows = await self._db.reader.inbox.pending(after_seq=self._last_seq, limit=FETCH_BATCH)
            for row in rows:
                self._last_seq = row.seq
                self._submit(row)
            self._caught_up = len(rows) < FETCH_BATCH
        while self._accepting:
            await self._arrived.wait()
            self._arrived.clear()
            arrivals, self._arrivals = self._arrivals, []
            for row in arrivals:
                if row.seq > self._last_seq and self._accepting:
                    self._last_seq = row.seq
                    self._submit(row)

    async def stop(self, grace: float) -> None:
        """Takes no new events and lets the ones in progress finish."""
        self._accepting = False
        self._arrived.set()
        for lane in self._lanes.values():
            # Queued but not started: left pending in the inbox for the next start.
            while len(lane) > 1:
                lane.pop()
        if self._workers:
            await asyncio.wait(self._workers, timeout=grace)

    def _submit(self, row: InboxRow) -> None:
        lane = self._lanes.get(row.person_key)
        if lane is not None:
            lane.append(row)
            return
        lane = self._lanes[row.person_key] = deque([row])
        worker = asyncio.create_task(self._drain_lane(row.person_key, lane))
        self._workers.add(worker)
        worker.add_done_callback(self._workers.discard)

    async def _drain_lane(self, key: int, lane: deque[InboxRow]) -> None:
        hold = _Hold(self._slots)
        task = asyncio.current_task()
        assert task is not None
        interactive_calls.set(CallScope(task, INTERACTIVE_DEADLINE, hold.give_back, hold.take))
        try:
            while lane:
                await hold.take()
                try:
                    await self.handle(lane[0])
                except Exception:
                    # Not recorded, so still pending in the inbox for the next start; the
                    # person's later events go on being handled meanwhile.
                    logger.exception("Event {} could not be finished", lane[0].event_id)
                finally:
                    hold.give_back()
                lane.popleft()
        finally:
            self._lanes.pop(key, None)

    def incoming(self, row: InboxRow) -> Incoming:
        if Incoming.is_stored(row.body):
            return Incoming.from_stored(row.body)
        return self._read_legacy(row.body)

    async def handle(self, row: InboxRow) -> None:
        """Handles the event in a unit of work of its own: what it changes, the messages it
        sends, its dialog steps and its done mark commit together, once. A unit that could
        not commit is handled again from scratch (its changes were never kept)."""
        failures = 0
        while True:
            try:
                # Before the unit: a stranger's person is made in a transaction of its own
                # (finding the same person again on a replay), so the event's handler may
                # still ask the messenger (a name for a greeting) before it changes data.
                incoming = await self._with_people(self.incoming(row))
            except (sqlite3.OperationalError, OSError) as error:
                if not self._accepting:
                    logger.warning("Event {} left for the next start", row.event_id)
                    return
                again: Exception = _HandleAgainError(f"{type(error).__name__}: {error}")
            else:
                unit = self._db.unit(f"event {row.event_id}")
                token = current_unit.set(unit)
                try:
                    await self._handle_in(unit, row, incoming)
                    return
                except _HandleAgainError as error:
                    again = error
                finally:
                    current_unit.reset(token)
                    await unit.close()
            pause = WRITE_RETRY_PAUSES[min(failures, len(WRITE_RETRY_PAUSES) - 1)]
            failures += 1
            logger.warning(
                "Recording event {} failed ({}); handling it again in {} s",
                row.event_id,
                again,
                pause,
            )
            await asyncio.sleep(pause)

    async def _with_people(self, incoming: Incoming) -> Incoming:
        """The record with its sender (and whoever joined or left a chat) as the people the
        core knows them by: their accounts' people, kept in memory once read (an account's
        person changes only when that person is deleted, and then `_record` drops it). A
        stranger's account gets a new person at once: no messenger's id stands in for one."""
        sender, action = incoming.sender, incoming.action
        wanted: list[Account] = []
        if sender.external_id > 0:
            wanted.append(Account(sender.messenger, str(sender.external_id)))
        if action is not None and action.member is not None and action.member > 0:
            wanted.append(Account(sender.messenger, str(action.member)))
        people = {account: self._people[account] for account in wanted if account in self._people}
        missing = [account for account in wanted if account not in people]
        if missing:
            async with self._db.transaction() as tx:
                found = await tx.accounts.people_for(missing)
            if len(self._people) + len(found) > PEOPLE_KEPT:
                self._people.clear()
            self._people.update(found)
            people.update(found)
        if sender.external_id > 0:
            person = people[Account(sender.messenger, str(sender.external_id))]
            incoming = replace(incoming, sender=replace(sender, person=person))
        if action is not None and action.member is not None and action.member > 0:
            member = people[Account(sender.messenger, str(action.member))]
            incoming = replace(incoming, action=replace(action, member=member))
        return incoming

    async def _handle_in(self, unit: UnitOfWork, row: InboxRow, incoming: Incoming) -> None:
        event_type = incoming.kind
        person = incoming.person
        ctx = EventContext(
            event_id=row.event_id,
            event_type=event_type,
            person_id=person,
            peer_id=incoming.place.chat_id,
            where=(Chat(incoming.place.chat_id) if incoming.place.is_chat else Person(person)),
            services=self._services,
            incoming=incoming,
            callback_event_id=incoming.callback_id,
            account=Account(incoming.sender.messenger, str(incoming.sender.external_id)),
        )
        logger.debug("Handling {} event {}", event_type, row.event_id)
        verdict = self._flood_verdict(ctx)
        if verdict is not Verdict.PASS:
            if verdict is Verdict.WARN:
                ctx.reply(t("flood_slow_down"))
                if event_type == "button":
                    await ctx.answer_callback(None)
            # Ignored presses are not answered either: a storm of them would spend VK's
            # limit, which everyone's replies share, on stopping spinners.
            await self._record(row, ctx, unit)
            return
        token = current_event.set(ctx)
        try:
            await self._preload(ctx)
            await self._route(ctx)
        except Exception:
            ctx.failed = True
            logger.exception("Handling {} event {} failed", event_type, row.event_id)
        finally:
            current_event.reset(token)
        if ctx.failed:
            # A handler that failed half-way leaves nothing: what it changed is undone, and
            # the dialog step it took and the people it forgot with it; its replies give
            # way to the apology (see _answer_if_silent).
            await unit.close()
            ctx.dialog_changes.clear()
            ctx.forgotten.clear()
        await self._answer_if_silent(ctx)
        await self._record(row, ctx, unit)

    async def _preload(self, ctx: EventContext) -> None:
        """The person and their dialog state, in one read rather than one after the other."""
        services = self._services
        ctx.actor, dialog = await services.people.load_actor_and_dialog(ctx.person_id)
        services.dialogs.remember(ctx.person_id, dialog)

    @staticmethod
    def _reachable_address(ctx: EventContext, to: Address) -> Address:
        """Where a reply goes: a person this very event forgot has no accounts left to be
        found by, so a reply to them (the farewell) names the account they wrote from."""
        sender = ctx.incoming.sender
        if isinstance(to, Person) and to.id in ctx.forgotten and to.id == ctx.person_id:
            return AccountAddress(to.id, Account(sender.messenger, str(sender.external_id)))
        return to

    async def _record(self, row: InboxRow, ctx: EventContext, unit: UnitOfWork) -> None:
        """Queues the event's replies, keeps its dialog steps and marks it done, in the
        event's unit of work: with what the handler changed, or, when it changed nothing,
        in one transaction shared with the other events finishing meanwhile (see
        Database.write)."""
        outcome = _Outcome(row.event_id)
        outcome.replies = [
            (self._reachable_address(ctx, message.to), random_id, message.to_data())
            for message, random_id in ctx.outgoing_with_ids()
        ]
        # What answers the event itself (in its place, or to whoever acted) goes back on
        # the messenger it came from; anyone else is reached where they are reached.
        came_from = ctx.incoming.place.messenger
        answered = {ctx.where, Person(ctx.person_id)}
        outcome.via = [came_from if to in answered else None for to, _, _ in outcome.replies]
        for peer, step in ctx.dialog_changes.items():
            if step is None:
                outcome.dialogs_ended.append(peer)
            else:
                outcome.dialog_steps.append((peer, *step))
        outcome.forgotten = ctx.forgotten
        if ctx.person_id in ctx.forgotten:
            outcome.forgotten_lanes = [row.person_key]
        if ctx.forgotten:
            # Their accounts went with them: whoever writes from one is someone new.
            self._people = {k: v for k, v in self._people.items() if v not in ctx.forgotten}
        for account in ctx.relinked:
            # Linked to another person (a move between messengers): read afresh.
            self._people.pop(account, None)
        if ctx.event_type == "message" and not ctx.in_chat and ctx.person_id > 0:
            outcome.reachable.append(ctx.person_id)
        if unit.holds_writer:
            try:
                await unit.commit(_changes(outcome))
            except (sqlite3.OperationalError, OSError) as error:
                # The database is locked or the disk full for a while: the event's changes
                # went with its outcome, so it is handled afresh once the database is back.
                if not self._accepting:
                    logger.warning("Event {} left for the next start", outcome.event_id)
                    return
                raise _HandleAgainError(f"{type(error).__name__}: {error}") from error
            self._wake_sender()
            self.handled += 1
            return
        if await self._write_outcome(outcome, unit):
            self.handled += 1

    async def _write_outcome(self, outcome: _Outcome, unit: UnitOfWork | None = None) -> bool:
        # The unit changed nothing: it ends here, and the outcome goes with other events'.
        if unit is not None:
            await unit.close()
        failures = 0
        while True:
            try:
                # A write that fails with others' is tried again alone: one event's outcome
                # that cannot be written does not cost the others theirs.
                await self._db.write(*_changes(outcome))
                break
            except (sqlite3.OperationalError, OSError) as error:
                # The database is locked or the disk full for a while: the replies wait
                # for it (and the person's next events behind them) unless the bot stops.
                if not self._accepting:
                    logger.warning("Outcome of event {} left for the next start", outcome.event_id)
                    return False
                pause = WRITE_RETRY_PAUSES[min(failures, len(WRITE_RETRY_PAUSES) - 1)]
                failures += 1
                logger.warning(
                    "Recording event {} failed ({}: {}); trying again in {} s",
                    outcome.event_id,
                    type(error).__name__,
                    error,
                    pause,
                )
                await asyncio.sleep(pause)
            except Exception:
                # Left pending in the inbox: it is handled again on the next start.
                logger.exception("Recording the outcome of event {} failed", outcome.event_id)
                return False
        self._wake_sender()
        return True

    def _flood_verdict(self, ctx: EventContext) -> Verdict:
        """Messages and button presses count alike: either can flood the outbox."""
        if not ctx.incoming.counts_for_flood or self._flood is None:
            return Verdict.PASS
        # A press carries no time of its own: it is judged by when it is handled.
        written_at = ctx.incoming.written_at or time.time()
        return self._flood.judge(ctx.person_id, written_at)

    async def _answer_if_silent(self, ctx: EventContext) -> None:
        """A person never meets a traceback or silence: an apology when a handler failed."""
        if ctx.event_type == "button":
            if not ctx.callback_answered:
                await ctx.answer_callback(t("error_apology") if ctx.failed else None)
            if ctx.failed:
                ctx.replies.clear()
                ctx.reply(t("error_apology"))
            return
        if not ctx.incoming.in_conversation:
            return
        if ctx.failed and (not ctx.in_chat or ctx.replies):
            ctx.replies.clear()
            ctx.reply(t("error_apology"))
        elif not ctx.in_chat and not ctx.replies:
            logger.error("No handler answered private event {}", ctx.event_id)
            ctx.reply(t("error_apology"))
