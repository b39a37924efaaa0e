"""Conversation state kept in SQLite, keyed by the sender, so a dialog survives a restart."""

from __future__ import annotations

from typing import Any

from vkbottle import BaseStateGroup
from vkbottle.dispatch.dispenser.abc import ABCStateDispenser
from vkbottle.dispatch.dispenser.base import StatePeer, get_state_repr

from bot.storage import Database


class Dialogs(ABCStateDispenser):
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, peer_id: int) -> StatePeer | None:
        row = await self._db.reader.states.get(peer_id)
        if row is None:
            return None
        return StatePeer(peer_id=peer_id, state=row.state, payload=row.payload)

    async def set(self, peer_id: int, state: BaseStateGroup | str, **payload: Any) -> None:
        name = get_state_repr(state) if isinstance(state, BaseStateGroup) else state
        async with self._db.transaction() as tx:
            await tx.states.set(peer_id, name, payload)

    async def delete(self, peer_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.states.delete(peer_id)
