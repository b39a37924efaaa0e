"""What MAX tells about people with each update, kept for the gateway and the sender:
their names (in memory: MAX gives no call to look a user up by id) and their dialogs' chat
ids (in the database too: a message whose answer was lost is looked for there after a
restart). No personal data reaches the logs from here."""

from __future__ import annotations

from collections.abc import Mapping

from loguru import logger

from bot.conversation.identity import MAX
from bot.storage import Database


class Directory:
    def __init__(self, db: Database) -> None:
        self._db = db
        self.names: dict[int, tuple[str, str]] = {}
        self._dialogs: dict[int, int] = {}

    def note_names(self, names: Mapping[int, tuple[str, str]]) -> None:
        for user_id, (first, last) in names.items():
            if first or last:
                self.names[user_id] = (first, last)

    async def note_dialogs(self, dialogs: Mapping[int, int]) -> None:
        """Keeps the dialogs' chat ids it did not know (one write for all of them)."""
        new = [
            (str(user), chat) for user, chat in dialogs.items() if self._dialogs.get(user) != chat
        ]
        if not new:
            return
        await self._db.write(lambda tx: tx.deliveries.set_dialogs_statement(MAX, new))
        for user, chat in new:
            self._dialogs[int(user)] = chat
        logger.debug("Learned {} MAX dialog(s)", len(new))

    async def dialog_of(self, user_id: int) -> int | None:
        known = self._dialogs.get(user_id)
        if known is not None:
            return known
        found = await self._db.reader.deliveries.dialogs(MAX, [str(user_id)])
        chat = found.get(str(user_id))
        if chat is not None:
            self._dialogs[user_id] = chat
        return chat
