"""Settings, read from the environment and `.env` (environment wins)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.conversation.identity import MAX, MESSENGER_TITLES, VK, Account, parse_account

VK_API_URL_DEFAULT = "https://api.vk.com/method/"
MAX_API_URL_DEFAULT = "https://platform-api.max.ru"
MAX_WEBHOOK_LISTEN_DEFAULT = "0.0.0.0:8443"


def _parse_id_list(value: object) -> object:
    """`vk:123,max:456,789`: accounts, a bare number being a VK user id (as these settings always
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
                raise ValueError(
                    "accounts such as vk:12345, max:12345 or VK user ids such as 12345"
                )
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

    # VK, MAX or both: each is on when its token is set (none is a settings error).
    vk_token: SecretStr | None = Field(
        default=None, description="VK community access token (messages, manage)."
    )
    vk_group_id: int | None = Field(default=None, gt=0)
    vk_api_url: str = VK_API_URL_DEFAULT
    vk_rps: float = Field(default=20.0, gt=0, le=1000)
    max_token: SecretStr | None = Field(
        default=None, description="MAX bot token (from @MasterBot)."
    )
    max_api_url: str = MAX_API_URL_DEFAULT
    # Webhooks when set (the bot subscribes on start); long polling otherwise.
    max_webhook_url: str | None = None
    max_webhook_listen: str = MAX_WEBHOOK_LISTEN_DEFAULT
    # Above MAX's 30 only for a sandbox: a benchmark lifts the limiter out of the way with it.
    max_rps: float = Field(default=30.0, gt=0, le=100_000)
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

    @field_validator("max_api_url")
    @classmethod
    def _max_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("max_webhook_url")
    @classmethod
    def _webhook_url_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith("https://"):
            raise ValueError("MAX delivers webhooks only to https:// addresses")
        return value.strip()

    @field_validator("max_webhook_listen")
    @classmethod
    def _listen_shape(cls, value: str) -> str:
        host, sep, port = value.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be host:port, e.g. 0.0.0.0:8443")
        return value.strip()

    @field_validator("vk_token", "max_token")
    @classmethod
    def _empty_token_is_none(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    @model_validator(mode="after")
    def _some_messenger(self) -> Settings:
        if self.vk_token is None and self.max_token is None:
            raise ValueError("no messenger is switched on: set VK_TOKEN, MAX_TOKEN or both")
        return self

    @property
    def messengers(self) -> tuple[str, ...]:
        """The messengers switched on, VK first."""
        on = ((VK, self.vk_token), (MAX, self.max_token))
        return tuple(name for name, token in on if token is not None)

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
        shown: dict[str, str] = {
            "MESSENGERS": ", ".join(MESSENGER_TITLES[name] for name in self.messengers)
        }
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in ("vk_token", "max_token"):
                text = _masked(value)
            elif isinstance(value, list):
                text = ",".join(str(item) for item in value) or "(none)"
            elif value is None:
                text = "(resolved from VK)" if name == "vk_group_id" else "(none)"
                if name == "max_webhook_url":
                    text = "(none: long polling)"
            else:
                text = str(value)
            shown[name.upper()] = text
        return shown


def _masked(token: SecretStr | None) -> str:
    if token is None:
        return "(none: off)"
    text = token.get_secret_value()
    return (text[:4] + "…" + text[-2:]) if len(text) > 8 else "***"


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
