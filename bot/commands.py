"""The command catalogue: every command, who may use it, and where. Data, not code paths.

Handlers match commands by this catalogue; /help, the menu and refusals are rendered from it;
the access matrix in the docs is printed from it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.domain.roles import Role
from bot.texts import BUTTONS


@dataclass(frozen=True)
class CommandSpec:
    name: str
    summary: str
    usage: str
    # None: anyone (even before consent); an empty set: anyone who consented.
    roles: frozenset[Role] | None = frozenset()
    button: str | None = None
    where: str = "private"  # "private", "chat" or "any"
    in_menu: bool = False
    # Reached by a button only; not listed in /help.
    hidden: bool = False

    @property
    def needs_consent(self) -> bool:
        return self.roles is not None


ANYONE = None
CONSENTED: frozenset[Role] = frozenset()

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", "начать работу с ботом", "/start", ANYONE, BUTTONS["start"], "any"),
    CommandSpec("agree", "дать согласие на обработку данных", "/agree", ANYONE),
    CommandSpec("decline", "отказаться от обработки данных", "/decline", ANYONE, hidden=True),
    CommandSpec("help", "список команд", "/help", ANYONE, BUTTONS["help"], "any", in_menu=True),
    CommandSpec("menu", "показать кнопки меню", "/menu", CONSENTED, BUTTONS["menu"]),
    CommandSpec(
        "support",
        "поддержка платформы и администраторы школы",
        "/support",
        ANYONE,
        BUTTONS["support"],
        "any",
        in_menu=True,
    ),
    CommandSpec("cancel", "прервать текущий диалог", "/cancel", ANYONE, BUTTONS["cancel"], "any"),
    CommandSpec(
        "forget_me",
        "удалить мои персональные данные",
        "/forget_me",
        CONSENTED,
        BUTTONS["forget_me"],
    ),
)

_BY_NAME: dict[str, CommandSpec] = {spec.name: spec for spec in COMMANDS}
_BY_BUTTON: dict[str, CommandSpec] = {
    spec.button.casefold(): spec for spec in COMMANDS if spec.button is not None
}


def spec(name: str) -> CommandSpec:
    return _BY_NAME[name]


def known_commands() -> frozenset[str]:
    return frozenset(_BY_NAME)


def all_specs() -> list[CommandSpec]:
    return list(_BY_NAME.values())


@dataclass(frozen=True)
class ParsedCommand:
    name: str
    args: str
    known: bool


_MENTION = re.compile(r"^\s*\[(?:club|public)\d+\|[^\]]*\][\s,:]*")
_COMMAND = re.compile(r"^/([A-Za-z_]{1,32})(?:@\S+)?(?:\s+(.*))?$", re.DOTALL)


def strip_mention(text: str) -> str:
    return _MENTION.sub("", text, count=1).strip()


def payload_command(payload: Any) -> tuple[str, dict[str, Any]] | None:
    """A button payload `{"cmd": name, ...}` as (name, payload)."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return None
    if isinstance(payload, dict) and isinstance(payload.get("cmd"), str):
        return payload["cmd"], payload
    return None


def parse_command(text: str, payload: Any = None) -> ParsedCommand | None:
    """What command, if any, a message means: a button payload, `/name args`, or a label."""
    from_payload = payload_command(payload)
    if from_payload is not None:
        name, _ = from_payload
        return ParsedCommand(name, "", name in _BY_NAME)
    text = strip_mention(text or "")
    match = _COMMAND.match(text)
    if match:
        name = match.group(1).lower()
        return ParsedCommand(name, (match.group(2) or "").strip(), name in _BY_NAME)
    by_label = _BY_BUTTON.get(text.casefold())
    if by_label is not None:
        return ParsedCommand(by_label.name, "", True)
    return None
