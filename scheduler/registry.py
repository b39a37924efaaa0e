"""The job registry and its runner.

APScheduler wakes the runner every few seconds; the runner decides from the database what is
due. Each job's last run is stored, so a job that fell due while the bot was down runs once on
start (never zero times, never twice), and a lease row lets only one of several processes on
one database run it."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from loguru import logger

from bot.clock import Clock
from bot.storage.unit import current_unit
from scheduler import jobs

if TYPE_CHECKING:
    from bot.context import Services

WAKE_EVERY_SECONDS = 15
LEASE = timedelta(minutes=5)
JobFunction = Callable[["Services", "JobRun"], Awaitable[None]]


@dataclass(frozen=True)
class JobRun:
    """One run: when the job last ran, when it fell due, and the time now."""

    name: str
    last_run: datetime
    due: datetime
    now: datetime

    @property
    def key(self) -> str:
        """Names this occasion: a retried run sends with the same random_ids."""
        return f"{self.name}:{self.due.isoformat()}"


@dataclass(frozen=True)
class JobSpec:
    name: str
    run: JobFunction
    cron: CronTrigger | None = None
    every: timedelta | None = None

    def next_due(self, last_run: datetime) -> datetime | None:
        if self.every is not None:
            return last_run + self.every
        assert self.cron is not None
        fire: datetime | None = self.cron.get_next_fire_time(
            None, last_run + timedelta(microseconds=1)
        )
        return fire


def job_specs(services: Services) -> list[JobSpec]:
    settings = services.settings
    zone = settings.zone
    return [
        JobSpec(
            "digest", jobs.daily_digest, cron=CronTrigger.from_crontab(settings.digest_cron, zone)
        ),
        JobSpec(
            "weekly_report",
            jobs.weekly_report,
            cron=CronTrigger.from_crontab(settings.report_cron, zone),
        ),
        JobSpec("request_reminders", jobs.request_reminders, every=timedelta(minutes=1)),
        JobSpec(
            "question_digest",
            jobs.question_digest,
            cron=CronTrigger.from_crontab(settings.digest_cron, zone),
        ),
        JobSpec("question_escalations", jobs.question_escalations, every=timedelta(minutes=1)),
        JobSpec("event_reminders", jobs.event_reminders, every=timedelta(minutes=1)),
        JobSpec("purge_departed", jobs.purge_departed, every=timedelta(hours=1)),
        JobSpec("forget_pending_refs", jobs.forget_pending_refs, every=timedelta(hours=1)),
        JobSpec("housekeeping", jobs.housekeeping, every=timedelta(hours=1)),
    ]


class JobScheduler:
    def __init__(self, services: Services, clock: Clock) -> None:
        self._services = services
        self._clock = clock
        self._jobs = job_specs(services)
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock = asyncio.Lock()
        self._ticking: asyncio.Task[object] | None = None
        self._scheduler = AsyncIOScheduler(timezone=services.settings.zone)
        self.runs: list[JobRun] = []

    def start(self) -> None:
        self._scheduler.add_job(
            self._tick_quietly,
            IntervalTrigger(seconds=WAKE_EVERY_SECONDS),
            id="tick",
            max_instances=1,
            coalesce=True,
            # The first tick runs at once: what fell due while the bot was down is caught up.
            next_run_time=datetime.now(self._services.settings.zone),
        )
        self._scheduler.start()

    async def shutdown(self) -> None:
        """Stops waking the runner and ends a tick in progress before the database closes."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        ticking = self._ticking
        if ticking is not None and not ticking.done():
            ticking.cancel()
            await asyncio.wait([ticking])

    async def _tick_quietly(self) -> None:
        # APScheduler would print a traceback of its own; a failed tick is logged here instead
        # and tried again at the next wake-up.
        self._ticking = asyncio.current_task()
        try:
            await self.tick()
        except asyncio.CancelledError:
            # Only shutdown() cancels a tick: the job's lease lapses and it runs next start.
            logger.debug("Scheduler tick cancelled by shutdown")
        except Exception as error:
            logger.warning("Scheduler tick failed: {}", type(error).__name__)
        finally:
            self._ticking = None

    async def tick(self) -> list[JobRun]:
        """Runs every job that is due now; returns the runs this process made."""
        done: list[JobRun] = []
        async with self._lock:
            for spec in self._jobs:
                run = await self._run_if_due(spec)
                if run is not None:
                    done.append(run)
        self.runs += done
        return done

    async def _run_if_due(self, spec: JobSpec) -> JobRun | None:
        db = self._services.db
        now = self._clock.now()
        last = await db.reader.job_runs.last_run(spec.name)
        if last is None:
            async with db.transaction() as tx:
                await tx.job_runs.baseline(spec.name, now)
            return None
        due = spec.next_due(last)
        if due is None or due > now:
            return None
        async with db.transaction() as tx:
            if not await tx.job_runs.acquire(spec.name, self._owner, last, now, now + LEASE):
                return None
        run = JobRun(spec.name, last, due, now)
        # One unit of work for the run: what the job changes (a reminder marked sent), the
        # messages it queues and the run's end commit together, or none of them does.
        unit = db.unit(f"job {spec.name}")
        token = current_unit.set(unit)
        try:
            await spec.run(self._services, run)
            async with db.transaction() as tx:
                await tx.job_runs.finish(spec.name, self._owner, now)
            await unit.commit()
        except Exception:
            # The lease stays until it lapses: the job is tried again then, not in a tight loop.
            logger.exception("Job {} failed; it is tried again in {}", spec.name, LEASE)
            return None
        finally:
            current_unit.reset(token)
            await unit.close()
        return run
