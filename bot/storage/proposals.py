"""Proposed posts, published or declined by one decision."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.base import Repo


@dataclass(frozen=True)
class ProposalRow:
    id: int
    text: str
    proposed_by: int


class ProposalsRepo(Repo):
    async def create(self, text: str, by: int) -> int:
        cursor = await self._conn.execute(
            "INSERT INTO proposals (text, proposed_by, created_at) VALUES (?, ?, ?)",
            (text, by, self._now()),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def get(self, proposal_id: int) -> ProposalRow | None:
        row = await self._one(
            "SELECT id, text, proposed_by FROM proposals WHERE id = ?", (proposal_id,)
        )
        return None if row is None else ProposalRow(row[0], row[1] or "", row[2])

    async def decide(self, proposal_id: int, status: str, by: int) -> bool:
        cursor = await self._conn.execute(
            "UPDATE proposals SET status = ?, decided_by = ?, decided_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (status, by, self._now(), proposal_id),
        )
        return cursor.rowcount == 1
