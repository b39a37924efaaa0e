"""Durations in the settings: seconds or ISO 8601, as the README promises."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import ConfigError, load_settings

DURATIONS = (
    "INVITATION_TTL",
    "STALE_INVITATION_AFTER",
    "DEPARTED_RETENTION",
    "REQUEST_REMINDER_AFTER",
    "EVENT_REMINDER_BEFORE",
)


@pytest.mark.parametrize("name", DURATIONS)
@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("86400", timedelta(days=1)),
        (" 900 ", timedelta(minutes=15)),
        ("90.5", timedelta(seconds=90.5)),
        ("P14D", timedelta(days=14)),
        ("PT24H", timedelta(hours=24)),
    ],
)
def test_a_duration_is_read_from_the_environment_as_seconds_or_iso(
    monkeypatch: pytest.MonkeyPatch, name: str, written: str, meant: timedelta
) -> None:
    monkeypatch.setenv("VK_TOKEN", "token")
    monkeypatch.setenv(name, written)

    settings = load_settings(env_file=None)

    assert getattr(settings, name.lower()) == meant


@pytest.mark.parametrize("written", ["0", "-60", "soon", "inf", "24h"])
def test_a_bad_duration_stops_with_one_readable_line(
    monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    monkeypatch.setenv("VK_TOKEN", "token")
    monkeypatch.setenv("INVITATION_TTL", written)

    with pytest.raises(ConfigError) as raised:
        load_settings(env_file=None)

    assert len(raised.value.lines) == 1
    line = raised.value.lines[0]
    assert line.startswith("INVITATION_TTL: ")
    assert "seconds" in line
