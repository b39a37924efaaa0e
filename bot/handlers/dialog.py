"""Shared steps of the button dialogs: moving to the next step, reading the choice made."""

from __future__ import annotations

from typing import Any

from bot.context import EventContext
from bot.dialogs import Steps
from bot.handlers.routing import COMMAND, ORIGIN


async def next_step(event_ctx: EventContext, state: Steps, **data: Any) -> None:
    """Moves the sender's dialog to `state`, keeping `data`; it answers only where it began.

    The dialog remembers the command that began it: each later step is taken only while
    the sender may still use that command (see `Router.step`)."""
    fields = {key: value for key, value in data.items() if key not in (ORIGIN, COMMAND)}
    command = await _dialog_command(event_ctx)
    if command is not None:
        fields[COMMAND] = command
    await event_ctx.services.dialogs.set(
        event_ctx.person_id, state, origin_peer=event_ctx.peer_id, **fields
    )


async def _dialog_command(event_ctx: EventContext) -> str | None:
    """The command a dialog step belongs to: the one just typed, or the dialog's own."""
    parsed = event_ctx.incoming.command
    if parsed is not None and parsed.known:
        return parsed.name
    current = await event_ctx.services.dialogs.get(event_ctx.person_id)
    command = current.payload.get(COMMAND) if current is not None else None
    return command if isinstance(command, str) else None


def picked(event_ctx: EventContext, cmd: str, by_label: dict[str, Any]) -> Any | None:
    """The value a dialog button carried, or the one whose label the person typed."""
    parsed = event_ctx.incoming.button
    if parsed is not None and parsed[0] == cmd:
        return parsed[1].get("value")
    return by_label.get(event_ctx.incoming.text.strip().casefold())
