"""Keyboard builders. Every button carries a payload `{"cmd": ...}` the rules understand."""

from __future__ import annotations

from typing import Any

from vkbottle import Callback, Keyboard, KeyboardButtonColor, Text

from bot.commands import CommandSpec, all_specs
from bot.domain.access import refusal_for
from bot.domain.roles import Actor
from bot.texts import BUTTONS

MENU_ROW_WIDTH = 2


def _payload(cmd: str, **extra: Any) -> dict[str, Any]:
    return {"cmd": cmd, **extra}


def menu_specs(actor: Actor) -> list[CommandSpec]:
    return [
        spec
        for spec in all_specs()
        if spec.in_menu
        and spec.button
        and refusal_for(actor, spec.roles) is None
        and not actor.holds(*spec.not_in_menu_for)
    ]


def main_menu(actor: Actor) -> str:
    keyboard = Keyboard(one_time=False, inline=False)
    specs = menu_specs(actor)
    for index, spec in enumerate(specs):
        if index and index % MENU_ROW_WIDTH == 0:
            keyboard.row()
        assert spec.button is not None
        keyboard.add(Text(spec.button, payload=_payload(spec.name)))
    return keyboard.get_json()


def consent_keyboard() -> str:
    keyboard = Keyboard(inline=True)
    keyboard.add(
        Callback(BUTTONS["agree"], payload=_payload("agree")), KeyboardButtonColor.POSITIVE
    )
    keyboard.add(Callback(BUTTONS["decline"], payload=_payload("decline")))
    return keyboard.get_json()


def start_keyboard() -> str:
    keyboard = Keyboard(one_time=True)
    keyboard.add(Text(BUTTONS["start"], payload=_payload("start")), KeyboardButtonColor.PRIMARY)
    return keyboard.get_json()


def confirm_keyboard(confirm_label: str, confirm_cmd: str) -> str:
    keyboard = Keyboard(one_time=True)
    keyboard.add(Text(confirm_label, payload=_payload(confirm_cmd)), KeyboardButtonColor.NEGATIVE)
    keyboard.add(Text(BUTTONS["cancel"], payload=_payload("cancel")))
    return keyboard.get_json()


def empty_keyboard() -> str:
    return Keyboard().get_json()


# VK refuses (error 911) an inline keyboard of more rows: longer lists go two to a row.
INLINE_ROWS = 6


def _inline_per_row(count: int, per_row: int) -> int:
    return max(per_row, -(-count // INLINE_ROWS))


def choice_keyboard(choices: list[tuple[str, str, dict[str, Any]]], per_row: int = 2) -> str:
    """Inline callback buttons under a message: (label, command, payload extras)."""
    keyboard = Keyboard(inline=True)
    per_row = _inline_per_row(len(choices), per_row)
    for index, (label, cmd, extra) in enumerate(choices):
        if index and index % per_row == 0:
            keyboard.row()
        keyboard.add(Callback(label, payload=_payload(cmd, **extra)))
    return keyboard.get_json()


def text_choices(labels: list[tuple[str, str, dict[str, Any]]], per_row: int = 3) -> str:
    """One-time reply buttons for a dialog step: (label, command, payload extras)."""
    keyboard = Keyboard(one_time=True)
    for index, (label, cmd, extra) in enumerate(labels):
        if index and index % per_row == 0:
            keyboard.row()
        keyboard.add(Text(label, payload=_payload(cmd, **extra)))
    keyboard.row()
    keyboard.add(Text(BUTTONS["cancel"], payload=_payload("cancel")))
    return keyboard.get_json()


def action_keyboard(buttons: list[tuple[str, str, dict[str, Any]]]) -> str:
    """Inline buttons under a message that run commands: text buttons for commands, so the
    press reads like typing the command; `done` marks are callbacks."""
    keyboard = Keyboard(inline=True)
    per_row = _inline_per_row(len(buttons), 1)
    for index, (label, cmd, extra) in enumerate(buttons):
        if index and index % per_row == 0:
            keyboard.row()
        action = Callback if extra else Text
        keyboard.add(action(label, payload=_payload(cmd, **extra)))
    return keyboard.get_json()
