"""The job registry. Jobs are plain async functions of the services; none yet."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

from bot.clock import Clock


@dataclass(frozen=True)
class JobSpec:
    name: str
    trigger: BaseTrigger
    run: Callable[[Any], Awaitable[None]]


JOBS: tuple[JobSpec, ...] = ()


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
