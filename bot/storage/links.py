"""Moving between messengers: one-time links that join accounts, where people are reached,
and how many of each class have an account on which messenger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.conversation.identity import MAX, VK, Account
from bot.storage.base import Repo
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class LinkRow:
    person_id: int
    # The messenger the link opens on: the account to link is one of that messenger's.
    messenger: str
    expires_at: datetime
    used: bool


@dataclass(frozen=True)
class ClassReach:
    """A class's people (anyone with a role in it) by the messengers they have accounts on."""

    class_id: int
    class_name: str
    is_staff_room: bool
    vk_only: int
    max_only: int
    both: int
    neither: int


# Each person with whether they have an account on VK, on MAX (parameters: VK, MAX).
_HAS_ACCOUNTS = (
    "SELECT p.id,"
    " EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id AND a.messenger = ?) AS vk,"
    " EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id AND a.messenger = ?) AS mx"
    " FROM people p"
)


class AccountLinksRepo(Repo):
    async def issue(
        self, code_hash: str, person_id: int, messenger: str, expires_at: datetime
    ) -> None:
        await self._conn.execute(
            "INSERT INTO account_links (code_hash, person_id, messenger, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (code_hash, person_id, messenger, self._now(), to_db(expires_at)),
        )

    async def get(self, code_hash: str) -> LinkRow | None:
        row = await self._one(
            "SELECT person_id, messenger, expires_at, used_at FROM account_links"
            " WHERE code_hash = ?",
            (code_hash,),
        )
        if row is None:
            return None
        return LinkRow(
            int(row["person_id"]),
            str(row["messenger"]),
            from_db(row["expires_at"]),
            row["used_at"] is not None,
        )

    async def use(self, code_hash: str) -> bool:
        """Marks the link used; False if it was used already (the first one wins)."""
        rows = list(
            await self._all(
                "UPDATE account_links SET used_at = ? WHERE code_hash = ? AND used_at IS NULL"
                " RETURNING code_hash",
                (self._now(), code_hash),
            )
        )
        return bool(rows)

    async def forget_old(self, before: datetime) -> None:
        """Links that can no longer be used say nothing worth keeping."""
        await self._conn.execute("DELETE FROM account_links WHERE expires_at < ?", (to_db(before),))

    async def move_account(self, account: Account, person_id: int) -> None:
        """The account now belongs to `person_id`, linked now (so reached there by default)."""
        await self._conn.execute(
            "UPDATE accounts SET person_id = ?, linked_at = ?"
            " WHERE messenger = ? AND external_id = ?",
            (person_id, self._now(), account.messenger, account.external_id),
        )

    async def set_reached_on(self, person_id: int, messenger: str | None) -> None:
        """The messenger a person chose to be reached on (None: the one linked last)."""
        await self._conn.execute(
            "UPDATE people SET messenger = ? WHERE id = ?", (messenger, person_id)
        )

    async def chosen(self, person_id: int) -> str | None:
        row = await self._one("SELECT messenger FROM people WHERE id = ?", (person_id,))
        return None if row is None or row[0] is None else str(row[0])

    async def school_reach(self) -> ClassReach:
        """Everyone with a role, each once, by the messengers their accounts are on (as a
        `ClassReach` of no class)."""
        row = await self._one(
            "SELECT COALESCE(SUM(q.vk AND NOT q.mx), 0), COALESCE(SUM(q.mx AND NOT q.vk), 0),"
            " COALESCE(SUM(q.vk AND q.mx), 0), COALESCE(SUM(NOT q.vk AND NOT q.mx), 0)"
            " FROM (SELECT DISTINCT person_id FROM roles WHERE ended_at IS NULL) m"
            f" JOIN ({_HAS_ACCOUNTS}) q ON q.id = m.person_id",
            (VK, MAX),
        )
        assert row is not None
        return ClassReach(0, "", False, int(row[0]), int(row[1]), int(row[2]), int(row[3]))

    async def class_reach(self) -> list[ClassReach]:
        """Every class with anyone in it (the staff room first), its people counted once
        each by the messengers their accounts are on."""
        rows = await self._all(
            "SELECT c.id, c.name, c.is_staff_room,"
            " SUM(q.vk AND NOT q.mx) AS vk_only, SUM(q.mx AND NOT q.vk) AS max_only,"
            " SUM(q.vk AND q.mx) AS both_, SUM(NOT q.vk AND NOT q.mx) AS neither"
            " FROM classes c"
            " JOIN (SELECT DISTINCT class_id, person_id FROM roles"
            "       WHERE ended_at IS NULL AND class_id IS NOT NULL) m ON m.class_id = c.id"
            f" JOIN ({_HAS_ACCOUNTS}) q ON q.id = m.person_id"
            " GROUP BY c.id ORDER BY c.is_staff_room DESC, c.grade, c.letter",
            (VK, MAX),
        )
        return [
            ClassReach(
                int(row["id"]),
                str(row["name"]),
                bool(row["is_staff_room"]),
                int(row["vk_only"]),
                int(row["max_only"]),
                int(row["both_"]),
                int(row["neither"]),
            )
            for row in rows
        ]
