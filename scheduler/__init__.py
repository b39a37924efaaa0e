"""Scheduled jobs (digests, reminders), run by APScheduler inside the bot process."""

from scheduler.registry import JobScheduler

__all__ = ["JobScheduler"]
