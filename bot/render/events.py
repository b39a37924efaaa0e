"""A planned event's announcement, reminder and cancellation."""

from __future__ import annotations

from bot.context import Services
from bot.storage.events import EventRow
from bot.texts import format_moment, format_time_left, t


def event_text(key: str, event: EventRow, services: Services) -> str:
    link = t("event_link_line", link=event.link) if event.link else ""
    return t(
        key,
        title=event.title,
        when=format_moment(event.starts_at, services.settings.zone),
        link=link,
        before=format_time_left(event.starts_at - services.clock.now()),
    )
