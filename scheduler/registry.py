"""The job registry: which job runs when."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.clock import Clock
from scheduler import jobs


@dataclass(frozen=True)
class JobSpec:
    name: str
    trigger: BaseTrigger
    run: Callable[[Any], Awaitable[None]]


JOBS: tuple[JobSpec, ...] = (
    JobSpec("purge_departed", IntervalTrigger(hours=1), jobs.purge_departed),
)


class JobScheduler:
    def __init__(self, services: Any, clock: Clock) -> None:
        self._services = services
        self._clock = clock
        self._scheduler = AsyncIOScheduler(timezone=services.settings.zone)

    def start(self) -> None:
        for job in JOBS:
            self._scheduler.add_job(job.run, job.trigger, args=[self._services], id=job.name)
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
