"""Shared steps of the button dialogs: moving to the next step, reading the choice made."""

from __future__ import annotations

from typing import Any

from vkbottle import BaseStateGroup
from vkbottle.bot import Message

from bot.commands import payload_command
from bot.context import EventContext


async def next_step(event_ctx: EventContext, state: BaseStateGroup, **data: Any) -> None:
    """Moves the sender's dialog to `state`, keeping `data`; it answers only where it began."""
    fields = {key: value for key, value in data.items() if key != "origin_peer"}
    await event_ctx.services.dialogs.set(
        event_ctx.person_id, state, origin_peer=event_ctx.peer_id, **fields
    )


def picked(message: Message, cmd: str, by_label: dict[str, Any]) -> Any | None:
    """The value a dialog button carried, or the one whose label the person typed."""
    parsed = payload_command(message.payload)
    if parsed is not None and parsed[0] == cmd:
        return parsed[1].get("value")
    return by_label.get((message.text or "").strip().casefold())
