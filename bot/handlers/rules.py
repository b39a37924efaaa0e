"""Rules that decide which handler takes an event. Access comes from the command catalogue."""

from __future__ import annotations

from typing import Any

from vkbottle import ABCRule, BaseStateGroup
from vkbottle.bot import Message, MessageEvent
from vkbottle.dispatch.dispenser.base import get_state_repr

from bot.commands import (
    Community,
    ParsedCommand,
    known_commands,
    parse_command,
    payload_command,
    spec,
)
from bot.context import EventContext, current_event
from bot.domain.access import refusal_for
from bot.vk.outgoing import is_chat_peer


def _where_ok(where: str, peer_id: int) -> bool:
    in_chat = is_chat_peer(peer_id)
    return where == "any" or (where == "chat") == in_chat


def this_community(ctx: EventContext) -> Community:
    vk = ctx.services.vk
    return Community(vk.group_id, vk.screen_name)


def parsed_command(message: Message) -> ParsedCommand | None:
    """The command the message means; every rule asks, the message is parsed once."""
    ctx = current_event.get()
    if ctx.parsed is None:
        ctx.parsed = (parse_command(message.text, message.payload, this_community(ctx)),)
    return ctx.parsed[0]


class Command(ABCRule[Message]):
    """The message is command `name` (typed, a button label or a button payload) and the
    sender may use it here. Refusals are explained by the fallback, from the same catalogue."""

    def __init__(self, name: str) -> None:
        self.spec = spec(name)

    async def check(self, message: Message) -> dict[str, Any] | bool:
        ctx = current_event.get()
        parsed = parsed_command(message)
        if parsed is None or parsed.name != self.spec.name:
            return False
        if not _where_ok(self.spec.where, message.peer_id):
            return False
        if refusal_for(ctx.who, self.spec.roles) is not None:
            return False
        return {"args": parsed.args}


class Callback(ABCRule[MessageEvent]):
    """A callback button whose payload names command `name`, pressed by someone allowed."""

    def __init__(self, name: str) -> None:
        self.spec = spec(name)

    async def check(self, event: MessageEvent) -> dict[str, Any] | bool:
        parsed = payload_command(event.object.payload)
        if parsed is None or parsed[0] != self.spec.name:
            return False
        if refusal_for(current_event.get().who, self.spec.roles) is not None:
            return False
        return {"data": parsed[1]}


# The dialog payload's key for the command that began the dialog.
COMMAND = "command"


def revoked_dialog(message: Message) -> str | None:
    """The command whose dialog the sender is in but may no longer use (a role taken away
    since it began), or None."""
    peer = message.state_peer
    command = peer.payload.get(COMMAND) if peer is not None else None
    if not isinstance(command, str) or command not in known_commands():
        return None
    if refusal_for(current_event.get().who, spec(command).roles) is None:
        return None
    return command


class InDialog(ABCRule[Message]):
    """The sender is in this dialog step, writes where the dialog started, and may still use
    the command that began it (a refused step is explained by the fallback)."""

    def __init__(self, *states: BaseStateGroup) -> None:
        self.states = {get_state_repr(state) for state in states}

    async def check(self, message: Message) -> dict[str, Any] | bool:
        peer = message.state_peer
        if peer is None or str(peer.state) not in self.states:
            return False
        if peer.payload.get("origin_peer", message.peer_id) != message.peer_id:
            return False
        if revoked_dialog(message) is not None:
            return False
        return {"dialog": dict(peer.payload)}


class Private(ABCRule[Message]):
    async def check(self, message: Message) -> bool:
        return not is_chat_peer(message.peer_id)


class Consented(ABCRule[Message]):
    async def check(self, message: Message) -> bool:
        return current_event.get().who.has_consented


class Choice(ABCRule[Message]):
    """A dialog button: its payload names `cmd`, or the person typed its label."""

    def __init__(self, cmd: str, label: str) -> None:
        self.cmd = cmd
        self.label = label.casefold()

    async def check(self, message: Message) -> bool:
        parsed = payload_command(message.payload)
        if parsed is not None:
            return parsed[0] == self.cmd
        return (message.text or "").strip().casefold() == self.label
