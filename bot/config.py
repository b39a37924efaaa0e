"""Settings, read from the environment and `.env` (environment wins)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.conversation.identity import Account, parse_account

VK_API_URL_DEFAULT = "https://api.vk.com/method/"


def _parse_id_list(value: object) -> object:
    """`vk:123,456`: accounts, a bare number being a VK user id (as these settings always
    meant). A bad entry is a bad setting (exit code 2 with the others)."""
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",") if part.strip()]
    if isinstance(value, (int, Account)):
        value = [value]
    if isinstance(value, (list, tuple)):
        accounts: list[Account] = []
        for item in value:
            if isinstance(item, Account):
                accounts.append(item)
                continue
            if isinstance(item, bool) or not isinstance(item, (int, str)):
                raise ValueError("accounts such as vk:12345 or VK user ids such as 12345")
            try:
                accounts.append(parse_account(str(item)))
            except ValueError as error:
                raise ValueError(f"{item!r}: {error}") from None
        return accounts
    return value


def _seconds_or_iso(value: object) -> object:
    """Plain seconds (`86400`) become a duration here: pydantic reads a bare number only as ISO."""
    if isinstance(value, str):
        text = value.strip()
        try:
            seconds = float(text)
        except ValueError:
            seconds = None
        if seconds is not None:
            try:
                return timedelta(seconds=seconds)
            except (ValueError, OverflowError):
                raise ValueError("must be a positive number of seconds, e.g. 86400") from None
        if not text.upper().startswith("P"):
            raise ValueError("must be seconds or an ISO 8601 duration such as P7D or PT24H")
        return text.upper()
    return value


# Durations are written as seconds or in ISO 8601, as the README promises.
Duration = Annotated[timedelta, BeforeValidator(_seconds_or_iso)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    vk_token: SecretStr = Field(description="Community access token (messages, manage).")
    vk_group_id: int | None = Field(default=None, gt=0)
    vk_api_url: str = VK_API_URL_DEFAULT
    vk_rps: float = Field(default=20.0, gt=0, le=1000)
    database_path: Path = Path("data/sferum-bot.sqlite3")
    admin_ids: Annotated[list[Account], NoDecode] = Field(default_factory=list)
    director_ids: Annotated[list[Account], NoDecode] = Field(default_factory=list)
    school_name: str = Field(default="Школа", min_length=1, max_length=200)
    timezone: str = "Europe/Moscow"
    invitation_ttl: Duration = timedelta(days=14)
    stale_invitation_after: Duration = timedelta(days=7)
    departed_retention: Duration = timedelta(days=30)
    digest_cron: str = "0 8 * * mon-fri"
    digest_when_empty: bool = True
    request_reminder_after: Duration = timedelta(hours=24)
    event_reminder_before: Duration = timedelta(minutes=15)
    report_cron: str = "0 9 * * mon"
    flood_limit: int = Field(default=20, ge=0, le=1000)
    log_level: str = "INFO"

    @field_validator("admin_ids", "director_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        return _parse_id_list(value)

    @field_validator("vk_api_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value if value.endswith("/") else value + "/"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("digest_cron", "report_cron")
    @classmethod
    def _crontab(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value)
        except ValueError as error:
            raise ValueError(f"not a crontab expression ({error}); e.g. 0 8 * * mon-fri") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("one of DEBUG, INFO, WARNING, ERROR")
        return level

    @field_validator(
        "invitation_ttl",
        "stale_invitation_after",
        "departed_retention",
        "request_reminder_after",
        "event_reminder_before",
    )
    @classmethod
    def _positive_duration(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be a positive duration (seconds, or ISO 8601 such as P7D)")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def masked(self) -> dict[str, str]:
        """The effective settings as text, the token masked, for `check-config`."""
        token = self.vk_token.get_secret_value()
        shown: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name == "vk_token":
                text = (token[:4] + "…" + token[-2:]) if len(token) > 8 else "***"
            elif isinstance(value, list):
                text = ",".join(str(item) for item in value) or "(none)"
            elif value is None:
                text = "(resolved from VK)" if name == "vk_group_id" else "(none)"
            else:
                text = str(value)
            shown[name.upper()] = text
        return shown


class ConfigError(Exception):
    """Settings are missing or invalid; `lines` holds one readable line per bad field."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as error:
        raise ConfigError(describe_validation_error(error)) from None


def describe_validation_error(error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "settings"
        if item["type"] == "missing":
            message = "is required but not set"
        else:
            message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{field.upper()}: {message}")
    return lines
