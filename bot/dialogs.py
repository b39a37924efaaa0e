"""Conversation state kept in SQLite, keyed by the sender, so a dialog survives a restart."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.context import current_event
from bot.storage import Database
from bot.storage.people import StateRow


class Steps(StrEnum):
    """A dialog's steps. A step is stored as `Group:value` (`RequestDialog:role`): the
    strings databases already hold, so a dialog begun before an upgrade goes on after it."""

    @property
    def key(self) -> str:
        return f"{type(self).__name__}:{self.value}"

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class DialogState:
    state: str
    payload: dict[str, Any] = field(default_factory=dict)


def _state(row: StateRow | None) -> DialogState | None:
    return None if row is None else DialogState(row.state, row.payload)


class Dialogs:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, person_id: int) -> DialogState | None:
        # Within one event the state is read once: the dispatcher reads it together with
        # the person, before routing asks for it.
        event = current_event.get(None)
        if event is not None and person_id in event.dialogs_read:
            cached: DialogState | None = event.dialogs_read[person_id]
            return cached
        row = await self._db.reader.states.get(person_id)
        self.remember(person_id, row)
        return _state(row)

    @staticmethod
    def remember(person_id: int, row: StateRow | None) -> None:
        """A state read elsewhere (with the person), kept for the rest of the event."""
        event = current_event.get(None)
        if event is not None:
            event.dialogs_read[person_id] = _state(row)

    async def set(self, person_id: int, state: Steps | str, **payload: Any) -> None:
        name = state.key if isinstance(state, Steps) else state
        event = current_event.get(None)
        if event is None:
            await self._db.write(
                lambda tx: tx.states.set_many_statement([(person_id, name, payload)])
            )
            return
        # Written later with the replies: a payload that cannot be stored fails here, in
        # the handler that made it, rather than in the write shared with other events.
        json.dumps(payload, ensure_ascii=False)
        event.dialog_changes[person_id] = (name, payload)
        event.dialogs_read[person_id] = DialogState(name, payload)

    async def delete(self, person_id: int) -> None:
        event = current_event.get(None)
        if event is None:
            await self._db.write(lambda tx: tx.states.delete_many_statement([person_id]))
            return
        event.dialog_changes[person_id] = None
        event.dialogs_read[person_id] = None
