"""Times are stored as UTC text in one sortable format."""

from __future__ import annotations

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_db(moment: datetime) -> str:
    """As `_FORMAT` (isoformat is the fast way to write it)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_db(text: str) -> datetime:
    # fromisoformat reads `_FORMAT` (the trailing Z included) many times faster than
    # strptime, which showed in the profile of every event.
    return datetime.fromisoformat(text).astimezone(UTC)


def from_db_optional(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)
