"""Group chats the bot is in, and what they are bound to."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.conversation.identity import VK
from bot.storage.base import Repo
from bot.storage.timefmt import from_db_optional


@dataclass(frozen=True)
class ChatRow:
    peer_id: int
    title: str | None
    added_by: int | None
    kind: str | None
    sub_kind: str | None
    class_id: int | None
    class_name: str | None
    bound_by: int | None
    bot_admin: bool
    invite_link: str | None
    checked_at: datetime | None
    left: bool
    # Whose chat it is: its key (peer_id) is that messenger's own chat id.
    messenger: str = VK


class ChatsRepo(Repo):
    _SELECT = (
        "SELECT h.peer_id, h.title, h.added_by, h.kind, h.sub_kind, h.class_id,"
        " c.name AS class_name, h.bound_by, h.bot_admin, h.invite_link, h.checked_at, h.left_at,"
        " h.messenger"
        " FROM chats h LEFT JOIN classes c ON c.id = h.class_id"
    )

    @staticmethod
    def _row(row: sqlite3.Row) -> ChatRow:
        return ChatRow(
            peer_id=row["peer_id"],
            title=row["title"],
            added_by=row["added_by"],
            kind=row["kind"],
            sub_kind=row["sub_kind"],
            class_id=row["class_id"],
            class_name=row["class_name"],
            bound_by=row["bound_by"],
            bot_admin=bool(row["bot_admin"]),
            invite_link=row["invite_link"],
            checked_at=from_db_optional(row["checked_at"]),
            left=row["left_at"] is not None,
            messenger=row["messenger"],
        )

    async def added(self, peer_id: int, added_by: int | None, messenger: str) -> None:
        """Records the bot in a chat. A chat is keyed by its messenger's own id (VK's chat
        peers are above 2e9, MAX's group chats below zero): should two messengers ever give
        the same number, the chat already recorded stays as it is, never taken over by the
        other messenger's."""
        await self._conn.execute(
            "INSERT INTO chats (peer_id, added_by, added_at, messenger) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(peer_id) DO UPDATE SET added_by = excluded.added_by,"
            " added_at = excluded.added_at, left_at = NULL"
            " WHERE chats.messenger = excluded.messenger",
            (peer_id, added_by, self._now(), messenger),
        )

    async def get(self, peer_id: int) -> ChatRow | None:
        row = await self._one(f"{self._SELECT} WHERE h.peer_id = ?", (peer_id,))
        return None if row is None else self._row(row)

    async def holder_of(
        self, kind: str, class_id: int | None, sub_kind: str | None, messenger: str | None = None
    ) -> ChatRow | None:
        """The chat bound for a purpose that allows only one on each messenger: on
        `messenger`, or on any (the first of `holders_of`) when it is None."""
        holders = await self.holders_of(kind, class_id, sub_kind)
        for chat in holders:
            if messenger is None or chat.messenger == messenger:
                return chat
        return None

    async def holders_of(
        self, kind: str, class_id: int | None, sub_kind: str | None
    ) -> list[ChatRow]:
        """The chats bound for a purpose that allows one per messenger, by messenger."""
        if kind in ("students", "parents", "teachers"):
            rows = await self._all(
                f"{self._SELECT} WHERE h.kind = ? AND h.class_id = ? ORDER BY h.messenger",
                (kind, class_id),
            )
        else:
            rows = await self._all(
                f"{self._SELECT} WHERE h.kind = ? AND h.sub_kind = ? ORDER BY h.messenger",
                (kind, sub_kind),
            )
        return [self._row(row) for row in rows]

    async def bind(
        self,
        peer_id: int,
        kind: str,
        class_id: int | None,
        sub_kind: str | None,
        title: str,
        by: int,
    ) -> None:
        await self._conn.execute(
            "UPDATE chats SET kind = ?, class_id = ?, sub_kind = ?, title = ?, bound_by = ?,"
            " bound_at = ? WHERE peer_id = ?",
            (kind, class_id, sub_kind, title, by, self._now(), peer_id),
        )

    async def unbind(self, peer_id: int) -> None:
        await self._conn.execute(
            "UPDATE chats SET kind = NULL, class_id = NULL, sub_kind = NULL, bound_by = NULL,"
            " bound_at = NULL WHERE peer_id = ?",
            (peer_id,),
        )
        await self._conn.execute("DELETE FROM chat_members WHERE peer_id = ?", (peer_id,))

    async def set_access(self, peer_id: int, bot_admin: bool, link: str | None) -> None:
        await self._conn.execute(
            "UPDATE chats SET bot_admin = ?, invite_link = ?, checked_at = ? WHERE peer_id = ?",
            (int(bot_admin), link, self._now(), peer_id),
        )

    async def bound(self) -> list[ChatRow]:
        rows = await self._all(f"{self._SELECT} WHERE h.kind IS NOT NULL ORDER BY h.peer_id")
        return [self._row(row) for row in rows]

    async def of_classes(self, class_ids: Sequence[int]) -> list[ChatRow]:
        if not class_ids:
            return []
        marks = ",".join("?" * len(class_ids))
        rows = await self._all(
            f"{self._SELECT} WHERE h.kind IS NOT NULL AND h.class_id IN ({marks})"
            " ORDER BY h.class_id, h.kind",
            tuple(class_ids),
        )
        return [self._row(row) for row in rows]

    async def bound_by(self, person_id: int, kind: str) -> list[ChatRow]:
        rows = await self._all(
            f"{self._SELECT} WHERE h.bound_by = ? AND h.kind = ? ORDER BY h.peer_id",
            (person_id, kind),
        )
        return [self._row(row) for row in rows]

    async def set_members(self, peer_id: int, member_ids: Sequence[int]) -> None:
        await self._conn.execute("DELETE FROM chat_members WHERE peer_id = ?", (peer_id,))
        await self._conn.executemany(
            "INSERT OR IGNORE INTO chat_members (peer_id, member_id) VALUES (?, ?)",
            [(peer_id, member) for member in member_ids],
        )

    async def add_member(self, peer_id: int, member_id: int) -> None:
        """Notes a member of a bound chat; other chats' members are not kept."""
        await self._conn.execute(
            "INSERT OR IGNORE INTO chat_members (peer_id, member_id)"
            " SELECT peer_id, ? FROM chats WHERE peer_id = ? AND kind IS NOT NULL",
            (member_id, peer_id),
        )

    async def remove_member(self, peer_id: int, member_id: int) -> None:
        await self._conn.execute(
            "DELETE FROM chat_members WHERE peer_id = ? AND member_id = ?", (peer_id, member_id)
        )

    async def members(self, peer_id: int) -> list[int]:
        rows = await self._all(
            "SELECT member_id FROM chat_members WHERE peer_id = ? ORDER BY member_id", (peer_id,)
        )
        return [int(row[0]) for row in rows]

    async def is_member(self, peer_id: int, member_id: int) -> bool:
        row = await self._one(
            "SELECT 1 FROM chat_members WHERE peer_id = ? AND member_id = ?", (peer_id, member_id)
        )
        return row is not None

    async def bot_left(self, peer_id: int) -> None:
        await self._conn.execute(
            "UPDATE chats SET left_at = ?, bot_admin = 0 WHERE peer_id = ?", (self._now(), peer_id)
        )
