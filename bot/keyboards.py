"""Keyboard builders, as neutral keyboards (the messenger adapter renders them). Every button
carries a payload `{"cmd": ...}` the rules understand."""

from __future__ import annotations

from typing import Any

from bot.commands import CommandSpec, all_specs
from bot.conversation.outgoing import Button, ButtonColor, ButtonKind, Keyboard, KeyboardBuilder
from bot.domain.access import refusal_for
from bot.domain.roles import Actor
from bot.texts import BUTTONS

MENU_ROW_WIDTH = 2


def _text(label: str, payload: dict[str, Any]) -> Button:
    return Button(label, payload, ButtonKind.TEXT)


def _callback(label: str, payload: dict[str, Any]) -> Button:
    return Button(label, payload, ButtonKind.CALLBACK)


def _coloured(button: Button, color: ButtonColor) -> Button:
    return Button(button.label, button.payload, button.kind, color)


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


def main_menu(actor: Actor) -> Keyboard:
    keyboard = KeyboardBuilder(one_time=False, inline=False)
    specs = menu_specs(actor)
    for index, spec in enumerate(specs):
        if index and index % MENU_ROW_WIDTH == 0:
            keyboard.row()
        assert spec.button is not None
        keyboard.add(_text(spec.button, payload=_payload(spec.name)))
    return keyboard.build()


def consent_keyboard() -> Keyboard:
    keyboard = KeyboardBuilder(inline=True)
    keyboard.add(
        _coloured(_callback(BUTTONS["agree"], payload=_payload("agree")), ButtonColor.POSITIVE)
    )
    keyboard.add(_callback(BUTTONS["decline"], payload=_payload("decline")))
    return keyboard.build()


def start_keyboard() -> Keyboard:
    keyboard = KeyboardBuilder(one_time=True)
    keyboard.add(_coloured(_text(BUTTONS["start"], payload=_payload("start")), ButtonColor.PRIMARY))
    return keyboard.build()


def confirm_keyboard(confirm_label: str, confirm_cmd: str) -> Keyboard:
    keyboard = KeyboardBuilder(one_time=True)
    keyboard.add(
        _coloured(_text(confirm_label, payload=_payload(confirm_cmd)), ButtonColor.NEGATIVE)
    )
    keyboard.add(_text(BUTTONS["cancel"], payload=_payload("cancel")))
    return keyboard.build()


def empty_keyboard() -> Keyboard:
    return Keyboard()


# VK refuses (error 911) an inline keyboard of more rows: longer lists go two to a row.
INLINE_ROWS = 6


def _inline_per_row(count: int, per_row: int) -> int:
    return max(per_row, -(-count // INLINE_ROWS))


def choice_keyboard(choices: list[tuple[str, str, dict[str, Any]]], per_row: int = 2) -> Keyboard:
    """Inline callback buttons under a message: (label, command, payload extras)."""
    keyboard = KeyboardBuilder(inline=True)
    per_row = _inline_per_row(len(choices), per_row)
    for index, (label, cmd, extra) in enumerate(choices):
        if index and index % per_row == 0:
            keyboard.row()
        keyboard.add(_callback(label, payload=_payload(cmd, **extra)))
    return keyboard.build()


def text_choices(labels: list[tuple[str, str, dict[str, Any]]], per_row: int = 3) -> Keyboard:
    """One-time reply buttons for a dialog step: (label, command, payload extras)."""
    keyboard = KeyboardBuilder(one_time=True)
    for index, (label, cmd, extra) in enumerate(labels):
        if index and index % per_row == 0:
            keyboard.row()
        keyboard.add(_text(label, payload=_payload(cmd, **extra)))
    keyboard.row()
    keyboard.add(_text(BUTTONS["cancel"], payload=_payload("cancel")))
    return keyboard.build()


def action_keyboard(buttons: list[tuple[str, str, dict[str, Any]]]) -> Keyboard:
    """Inline buttons under a message that run commands: text buttons for commands, so the
    press reads like typing the command; `done` marks are callbacks."""
    keyboard = KeyboardBuilder(inline=True)
    per_row = _inline_per_row(len(buttons), 1)
    for index, (label, cmd, extra) in enumerate(buttons):
        if index and index % per_row == 0:
            keyboard.row()
        action = _callback if extra else _text
        keyboard.add(action(label, payload=_payload(cmd, **extra)))
    return keyboard.build()
