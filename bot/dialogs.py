"""Conversation state kept in SQLite, keyed by the sender, so a dialog survives a restart."""

from __future__ import annotations

import json
from typing import Any

from vkbottle import BaseStateGroup
from vkbottle.dispatch.dispenser.abc import ABCStateDispenser
from vkbottle.dispatch.dispenser.base import StatePeer, get_state_repr

from bot.context import current_event
from bot.storage import Database
from bot.storage.people import StateRow


def _peer(peer_id: int, row: StateRow | None) -> StatePeer | None:
    return None if row is None else StatePeer(peer_id=peer_id, state=row.state, payload=row.payload)


class Dialogs(ABCStateDispenser):
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, peer_id: int) -> StatePeer | None:
        # Within one event the state is read once: the dispatcher reads it together with
        # the person, before vkbottle asks for it.
        event = current_event.get(None)
        if event is not None and peer_id in event.dialogs_read:
            cached: StatePeer | None = event.dialogs_read[peer_id]
            return cached
        row = await self._db.reader.states.get(peer_id)
        self.remember(peer_id, row)
        return _peer(peer_id, row)

    @staticmethod
    def remember(peer_id: int, row: StateRow | None) -> None:
        """A state read elsewhere (with the person), kept for the rest of the event."""
        event = current_event.get(None)
        if event is not None:
            event.dialogs_read[peer_id] = _peer(peer_id, row)

    async def set(self, peer_id: int, state: BaseStateGroup | str, **payload: Any) -> None:
        name = get_state_repr(state) if isinstance(state, BaseStateGroup) else state
        event = current_event.get(None)
        if event is None:
            await self._db.write(
                lambda tx: tx.states.set_many_statement([(peer_id, name, payload)])
            )
            return
        # Written later with the replies: a payload that cannot be stored fails here, in
        # the handler that made it, rather than in the write shared with other events.
        json.dumps(payload, ensure_ascii=False)
        event.dialog_changes[peer_id] = (name, payload)
        event.dialogs_read[peer_id] = StatePeer(peer_id=peer_id, state=name, payload=payload)

    async def delete(self, peer_id: int) -> None:
        event = current_event.get(None)
        if event is None:
            await self._db.write(lambda tx: tx.states.delete_many_statement([peer_id]))
            return
        event.dialog_changes[peer_id] = None
        event.dialogs_read[peer_id] = None
