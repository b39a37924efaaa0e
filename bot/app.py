"""Wiring: builds the database, the VK adapter, the handlers and the loops, and runs them."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from loguru import logger

from bot.clock import Clock
from bot.commands import Community
from bot.config import Settings
from bot.context import Services
from bot.dialogs import Dialogs
from bot.domain.announcements import AnnouncementService
from bot.domain.chats import ChatService
from bot.domain.duties import DutyService
from bot.domain.events import EventService
from bot.domain.invitations import InvitationService
from bot.domain.movement import MovementService
from bot.domain.people import PeopleService
from bot.domain.reports import ReportService
from bot.domain.requests import RequestService
from bot.domain.roster_service import RosterService
from bot.domain.school import SchoolService
from bot.handlers import routers
from bot.handlers.routing import Router, Routes
from bot.lease import RENEW_EVERY, WAIT_CHECK, EventsLease
from bot.render.delivery import delivery_report
from bot.runtime import Dispatcher
from bot.storage import Database
from bot.storage.db import BUSY_TIMEOUT_MS
from bot.vk.api import BACKOFF, ResilientAPI
from bot.vk.chat_platform import VKChatPlatform
from bot.vk.gateway import VKGateway
from bot.vk.intake import Intake
from bot.vk.notifier import Notifier
from bot.vk.parse import parse_update
from bot.vk.sender import RETRY_PAUSE_CAP, OutboxSender
from scheduler import JobScheduler

SHUTDOWN_GRACE_SECONDS = 10.0
# Pauses before a background task that died is started again (the last one repeats); a task
# that then ran this long without dying starts the count afresh.
RESTART_PAUSES = (0.5, 1.0, 2.0, 5.0, 10.0)
HEALTHY_RUN_SECONDS = 60.0
GROUP_ID_KEY = "vk_group_id"


def build_routes(extra: Sequence[Router] = ()) -> Routes:
    """Every feature's handlers; handlers a test adds come before the fallback."""
    *features, fallback = routers()
    return Routes((*features, *extra, fallback))


async def resolve_group_id(api: ResilientAPI, settings: Settings, db: Database) -> int:
    if settings.vk_group_id is not None:
        return settings.vk_group_id
    response = await api.request("groups.getById", {})
    groups = response["response"]["groups"]
    if not groups:
        raise RuntimeError("VK_TOKEN is not a community token: groups.getById found no community")
    group_id = int(groups[0]["id"])
    async with db.transaction() as tx:
        await tx.kv.set(GROUP_ID_KEY, str(group_id))
    return group_id


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
    api: ResilientAPI = field(init=False)
    services: Services = field(init=False)
    dispatcher: Dispatcher = field(init=False)
    sender: OutboxSender = field(init=False)
    intake: Intake = field(init=False)
    scheduler: JobScheduler = field(init=False)
    lease: EventsLease = field(init=False)
    # Sender, dispatcher, long poll, recovery: running only while this process holds the lease.
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False)
    _leasing: asyncio.Task[None] | None = field(default=None, init=False)
    _routes: Routes = field(init=False)
    _community: Community = field(init=False)

    async def start(self) -> None:
        settings = self.settings
        self.db = Database(
            settings.database_path, self.clock, busy_timeout_ms=self.db_busy_timeout_ms
        )
        await self.db.open()
        self.api = ResilientAPI(
            settings.vk_token.get_secret_value(),
            settings.vk_api_url,
            settings.vk_rps,
            backoff=self.api_backoff,
        )
        group_id = await resolve_group_id(self.api, settings, self.db)
        dialogs = Dialogs(self.db)
        gateway = VKGateway(self.api, group_id, self.db)
        self.sender = OutboxSender(self.db, self.api, retry_pause_cap=self.send_retry_pause_cap)
        self.services = Services(
            settings=settings,
            clock=self.clock,
            db=self.db,
            notifier=Notifier(self.db, self.sender),
            people=PeopleService(self.db, settings.admin_ids, settings.director_ids),
            school=SchoolService(self.db),
            invitations=InvitationService(
                self.db, self.clock, settings.invitation_ttl, settings.stale_invitation_after
            ),
            requests=RequestService(self.db),
            movement=MovementService(self.db, (*settings.admin_ids, *settings.director_ids)),
            chats=ChatService(self.db, VKChatPlatform(self.api, self.db)),
            duties=DutyService(self.db, self.clock, settings.zone, settings.stale_invitation_after),
            reports=ReportService(self.db, self.clock, settings.stale_invitation_after),
            events=EventService(self.db, self.clock),
            announcements=AnnouncementService(self.db),
            roster=RosterService(self.db),
            vk=gateway,
            dialogs=dialogs,
        )
        await gateway.load_screen_name()
        self._community = Community(group_id, gateway.screen_name)
        self._routes = build_routes(self.extra_routers)
        services = self.services
        self.sender.on_broadcast_done = lambda row, counts: delivery_report(services, row, counts)
        self.intake = Intake(
            self.db, self.api, group_id, wait=self.longpoll_wait, community=self._community
        )
        self.dispatcher = self._new_dispatcher()
        self.intake.on_stored = self.dispatcher.accept
        await self.intake.prime()
        self.scheduler = JobScheduler(self.services, self.clock)
        if self.run_scheduler:
            self.scheduler.start()
        self.lease = EventsLease(self.db)
        if await self.lease.take():
            self._take_events()
        else:
            logger.info("Another process takes the events; this one waits to take over")
        self._leasing = _supervised("events-lease", self._keep_lease)
        logger.info("Bot started for community {}", group_id)

    def _take_events(self) -> None:
        """Starts polling, handling and sending; what another process stored and did not
        handle is read from the inbox."""
        self.intake.forget_order()
        self.dispatcher = self._new_dispatcher()
        self.intake.on_stored = self.dispatcher.accept
        self._tasks = [
            _supervised("sender", self.sender.run),
            _supervised("dispatcher", self.dispatcher.run),
            _supervised("long-poll", self.intake.poll_forever),
            _supervised("recovery", self.intake.recover_forever),
        ]

    def _new_dispatcher(self) -> Dispatcher:
        community = self._community
        return Dispatcher(
            self.db,
            self._routes.dispatch,
            self.services,
            self.sender,
            read_legacy=lambda body: parse_update(body, community),
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
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            self._tasks = []

    async def stop(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        """Stops taking events, finishes what is in progress, sends what is queued, closes."""
        await self._stop_leasing()
        await self.scheduler.shutdown()
        if self._tasks:
            send, dispatch, poll, recovery = self._tasks
            poll.cancel()
            recovery.cancel()
            await self.dispatcher.stop(grace=grace)
            dispatch.cancel()
            if not await self.sender.drain(grace=grace):
                logger.warning("Stopping with messages still queued; they go out on the next start")
            send.cancel()
        await self._close(release=True)
        logger.info("Bot stopped")

    async def crash(self) -> None:
        """Stops at once, as a killed process would: nothing is finished or drained."""
        await self._stop_leasing()
        await self.scheduler.shutdown()
        for task in self._tasks:
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
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if release:
            # Only now, with nothing left running here, may another process take the events.
            try:
                await self.lease.release()
            except Exception as error:
                logger.warning("The events lease was not released ({})", type(error).__name__)
        await self.services.vk.finish_answers()
        await self.api.close()
        await self.db.close()


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
