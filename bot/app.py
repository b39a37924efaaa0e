"""Wiring: builds the database, the VK adapter, the handlers and the loops, and runs them."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from loguru import logger

from bot.adapters import MessengerAdapter
from bot.clock import Clock
from bot.config import Settings
from bot.context import Services
from bot.conversation.identity import MAX, VK
from bot.conversation.incoming import Incoming
from bot.dialogs import Dialogs
from bot.domain.announcements import AnnouncementService
from bot.domain.chats import ChatService
from bot.domain.duties import DutyService
from bot.domain.events import EventService
from bot.domain.family import FamilyService
from bot.domain.invitations import InvitationService
from bot.domain.movement import MovementService
from bot.domain.moving import MovingService
from bot.domain.people import PeopleService
from bot.domain.questions import QuestionService
from bot.domain.reports import ReportService
from bot.domain.requests import RequestService
from bot.domain.roster_service import RosterService
from bot.domain.school import SchoolService
from bot.domain.teaching import TeachingService
from bot.handlers import routers
from bot.handlers.routing import Router, Routes
from bot.intake import InboxWriter
from bot.lease import RENEW_EVERY, WAIT_CHECK, EventsLease
from bot.max.adapter import MaxAdapter
from bot.messengers import Messengers
from bot.notifier import Notifier
from bot.outbox_loop import RETRY_PAUSE_CAP
from bot.render.delivery import delivery_report
from bot.runtime import Dispatcher
from bot.storage import Database
from bot.storage.db import BUSY_TIMEOUT_MS
from bot.vk.adapter import VKAdapter
from bot.vk.api import BACKOFF
from bot.vk.intake import Intake
from scheduler import JobScheduler

SHUTDOWN_GRACE_SECONDS = 10.0
# Pauses before a background task that died is started again (the last one repeats); a task
# that then ran this long without dying starts the count afresh.
RESTART_PAUSES = (0.5, 1.0, 2.0, 5.0, 10.0)
HEALTHY_RUN_SECONDS = 60.0


def build_routes(extra: Sequence[Router] = ()) -> Routes:
    """Every feature's handlers; handlers a test adds come before the fallback."""
    *features, fallback = routers()
    return Routes((*features, *extra, fallback))


@dataclass
class Application:
    """Everything that runs, so tests and the CLI can start and stop it the same way."""

    settings: Settings
    clock: Clock = field(default_factory=Clock)
    longpoll_wait: int = 25
    # Tests add handlers of their own (before the fallback) to provoke failures.
    extra_routers: Sequence[Router] = ()
    # Tests drive the scheduler's ticks themselves, with a clock they control.
    run_scheduler: bool = True
    # Tests shorten the waits between retries, so that an outage outlasting every retry of a
    # call takes seconds rather than minutes.
    api_backoff: tuple[float, ...] = BACKOFF
    send_retry_pause_cap: float = RETRY_PAUSE_CAP
    # Tests make a write give up on another process's lock sooner.
    db_busy_timeout_ms: int = BUSY_TIMEOUT_MS
    db: Database = field(init=False)
    # The messengers switched on, by name (VK first).
    adapters: dict[str, MessengerAdapter] = field(init=False)
    writer: InboxWriter = field(init=False)
    services: Services = field(init=False)
    dispatcher: Dispatcher = field(init=False)
    scheduler: JobScheduler = field(init=False)
    lease: EventsLease = field(init=False)
    # The dispatcher and every adapter's senders and intakes, by name: running only while
    # this process holds the lease.
    _tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict, init=False)
    _leasing: asyncio.Task[None] | None = field(default=None, init=False)
    _routes: Routes = field(init=False)

    @property
    def vk(self) -> VKAdapter:
        adapter = self.adapters.get(VK)
        assert isinstance(adapter, VKAdapter), "VK is off"
        return adapter

    @property
    def intake(self) -> Intake:
        return self.vk.intake

    async def start(self) -> None:
        settings = self.settings
        self.db = Database(
            settings.database_path, self.clock, busy_timeout_ms=self.db_busy_timeout_ms
        )
        await self.db.open()
        self.writer = InboxWriter(self.db)
        self.adapters = {}
        # VK first: where a call no account decides goes (see Messengers).
        switched: list[tuple[str, bool, Callable[..., MessengerAdapter]]] = [
            (VK, settings.vk_token is not None, VKAdapter),
            (MAX, settings.max_token is not None, MaxAdapter),
        ]
        for name, on, adapter_class in switched:
            if on:
                self.adapters[name] = adapter_class(
                    settings,
                    self.db,
                    self.writer,
                    longpoll_wait=self.longpoll_wait,
                    api_backoff=self.api_backoff,
                    send_retry_pause_cap=self.send_retry_pause_cap,
                )
        for adapter in self.adapters.values():
            await adapter.start()
        adapters = self.adapters
        self.services = Services(
            settings=settings,
            clock=self.clock,
            db=self.db,
            notifier=Notifier(self.db, self._wake_senders),
            people=PeopleService(self.db, settings.admin_ids, settings.director_ids),
            school=SchoolService(self.db),
            invitations=InvitationService(
                self.db, self.clock, settings.invitation_ttl, settings.stale_invitation_after
            ),
            requests=RequestService(self.db),
            family=FamilyService(self.db),
            movement=MovementService(self.db, (*settings.admin_ids, *settings.director_ids)),
            chats=ChatService(self.db, {name: a.chat_platform for name, a in adapters.items()}),
            duties=DutyService(self.db, self.clock, settings.zone, settings.stale_invitation_after),
            reports=ReportService(self.db, self.clock, settings.stale_invitation_after),
            events=EventService(self.db, self.clock),
            announcements=AnnouncementService(self.db),
            roster=RosterService(self.db),
            messengers=Messengers(self.db, {name: a.gateway for name, a in adapters.items()}),
            dialogs=Dialogs(self.db),
            moving=MovingService(self.db, self.clock),
            teaching=TeachingService(self.db),
            questions=QuestionService(self.db),
        )
        self._routes = build_routes(self.extra_routers)
        services = self.services
        for adapter in self.adapters.values():
            adapter.on_broadcast_done(lambda row, counts: delivery_report(services, row, counts))
        self.dispatcher = self._new_dispatcher()
        self.writer.on_stored = self.dispatcher.accept
        self.scheduler = JobScheduler(self.services, self.clock)
        if self.run_scheduler:
            self.scheduler.start()
        self.lease = EventsLease(self.db)
        if await self.lease.take():
            self._take_events()
        else:
            logger.info("Another process takes the events; this one waits to take over")
        self._leasing = _supervised("events-lease", self._keep_lease)
        logger.info("Bot started on {}", ", ".join(self.adapters))

    def _wake_senders(self) -> None:
        for adapter in self.adapters.values():
            adapter.wake_sender()

    def _take_events(self) -> None:
        """Starts polling, handling and sending; what another process stored and did not
        handle is read from the inbox."""
        self.writer.forget_order()
        for adapter in self.adapters.values():
            adapter.forget_order()
        self.dispatcher = self._new_dispatcher()
        self.writer.on_stored = self.dispatcher.accept
        self._tasks = {"dispatcher": _supervised("dispatcher", self.dispatcher.run)}
        for adapter in self.adapters.values():
            for name, loop in adapter.loops().items():
                self._tasks[name] = _supervised(name, loop)

    def _new_dispatcher(self) -> Dispatcher:
        vk = self.adapters.get(VK)
        return Dispatcher(
            self.db,
            self._routes.dispatch,
            self.services,
            self._wake_senders,
            read_legacy=vk.read_legacy if isinstance(vk, VKAdapter) else _no_legacy,
        )

    async def _keep_lease(self) -> None:
        while True:
            await asyncio.sleep(RENEW_EVERY if self._tasks else WAIT_CHECK)
            await self.check_lease()

    async def check_lease(self) -> None:
        """Renews the lease while this process takes the events; takes them once it is free;
        stands back if another process took it meanwhile."""
        try:
            held = await self.lease.take()
        except Exception as error:
            logger.warning("The events lease could not be checked ({})", type(error).__name__)
            return
        if held and not self._tasks:
            logger.info("Took over the events from the process before")
            self._take_events()
        elif not held and self._tasks:
            # This process stalled past the lease and another took over: it stands back at
            # once; what it had started is deduplicated by VK's random_id.
            logger.error("Another process took over the events; this one stands back")
            for task in self._tasks.values():
                task.cancel()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            self._tasks = {}

    async def stop(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        """Stops taking events, finishes what is in progress, sends what is queued, closes."""
        await self._stop_leasing()
        await self.scheduler.shutdown()
        if self._tasks:
            # Intakes first (nothing new comes in), then the events in progress, then what
            # they queued goes out.
            for name, task in self._tasks.items():
                if name != "dispatcher" and not name.endswith("-sender"):
                    task.cancel()
            await self.dispatcher.stop(grace=grace)
            self._tasks["dispatcher"].cancel()
            drained = await asyncio.gather(
                *(adapter.drain(grace) for adapter in self.adapters.values())
            )
            if not all(drained):
                logger.warning("Stopping with messages still queued; they go out on the next start")
            for task in self._tasks.values():
                task.cancel()
        await self._close(release=True)
        logger.info("Bot stopped")

    async def crash(self) -> None:
        """Stops at once, as a killed process would: nothing is finished or drained."""
        await self._stop_leasing()
        await self.scheduler.shutdown()
        for task in self._tasks.values():
            task.cancel()
        self.lease.abandon()
        await self._close(release=False)

    async def _stop_leasing(self) -> None:
        if self._leasing is not None:
            self._leasing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._leasing
            self._leasing = None

    async def _close(self, release: bool) -> None:
        # Whatever a task ended with was logged by its supervisor: closing goes on regardless.
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        if release:
            # Only now, with nothing left running here, may another process take the events.
            try:
                await self.lease.release()
            except Exception as error:
                logger.warning("The events lease was not released ({})", type(error).__name__)
        for adapter in self.adapters.values():
            await adapter.close()
        await self.db.close()


def _no_legacy(body: dict[str, Any]) -> Incoming:
    raise ValueError("an inbox row from before the neutral record, and VK is off")


def _supervised(name: str, run: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
    """Runs a background loop as a task that outlives the loop's death: each loop retries
    its own transient failures, and should one escape anyway (a locked database, a full
    disk, a bug), the loop is logged and started again after a pause, not left dead while
    the rest of the bot carries on. Only cancelling ends the task."""

    async def supervise() -> None:
        loop = asyncio.get_running_loop()
        deaths = 0
        while True:
            started = loop.time()
            try:
                await run()
                return
            except Exception:
                if loop.time() - started >= HEALTHY_RUN_SECONDS:
                    deaths = 0
                pause = RESTART_PAUSES[min(deaths, len(RESTART_PAUSES) - 1)]
                deaths += 1
                logger.opt(exception=True).critical(
                    "Task {} died; starting it again in {} s", name, pause
                )
                await asyncio.sleep(pause)

    return asyncio.create_task(supervise(), name=name)


async def run_until_stopped(settings: Settings) -> None:
    """The production entry: runs until SIGTERM or Ctrl+C, then stops cleanly."""
    app = Application(settings)
    await app.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        logger.info("Stopping: finishing the events in progress")
        await app.stop()
