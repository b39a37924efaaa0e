"""Which person each messenger account belongs to."""

from __future__ import annotations

from collections.abc import Sequence

from bot.conversation.identity import Account
from bot.storage.base import SQL_BATCH, Repo

# The messenger a person is reached on, as an SQL expression of their id (`{person}`): the
# one they chose (people.messenger) if they still have an account there, else the one they
# linked last. NULL for someone with no account at all. One definition, read by the outbox
# when it routes a message and by the adapters' callers (an upload for a person).
REACH_SQL = (
    "(SELECT a.messenger FROM accounts a JOIN people r ON r.id = a.person_id"
    " WHERE a.person_id = {person}"
    " ORDER BY CASE WHEN a.messenger = r.messenger THEN 0 ELSE 1 END,"
    " a.linked_at DESC, a.messenger LIMIT 1)"
)


class AccountsRepo(Repo):
    async def person_of(self, account: Account) -> int | None:
        row = await self._one(
            "SELECT person_id FROM accounts WHERE messenger = ? AND external_id = ?",
            (account.messenger, account.external_id),
        )
        return None if row is None else int(row[0])

    async def people_of(self, accounts: Sequence[Account]) -> dict[Account, int]:
        """The people behind those of `accounts` the bot knows."""
        found: dict[Account, int] = {}
        by_messenger: dict[str, list[str]] = {}
        for account in accounts:
            by_messenger.setdefault(account.messenger, []).append(account.external_id)
        for messenger, external_ids in by_messenger.items():
            for start in range(0, len(external_ids), SQL_BATCH):
                chunk = external_ids[start : start + SQL_BATCH]
                rows = await self._all(
                    "SELECT external_id, person_id FROM accounts WHERE messenger = ?"
                    f" AND external_id IN ({','.join('?' * len(chunk))})",
                    (messenger, *chunk),
                )
                found |= {Account(messenger, row[0]): int(row[1]) for row in rows}
        return found

    async def of_person(self, person_id: int) -> list[Account]:
        rows = await self._all(
            "SELECT messenger, external_id FROM accounts WHERE person_id = ?"
            " ORDER BY messenger, external_id",
            (person_id,),
        )
        return [Account(row[0], row[1]) for row in rows]

    async def external_ids(self, messenger: str, person_ids: Sequence[int]) -> dict[int, str]:
        """Each person's account on `messenger` (a person has at most one there)."""
        found: dict[int, str] = {}
        ids = list(dict.fromkeys(person_ids))
        for start in range(0, len(ids), SQL_BATCH):
            chunk = ids[start : start + SQL_BATCH]
            rows = await self._all(
                "SELECT person_id, external_id FROM accounts WHERE messenger = ?"
                f" AND person_id IN ({','.join('?' * len(chunk))})",
                (messenger, *chunk),
            )
            found |= {int(row[0]): str(row[1]) for row in rows}
        return found

    async def people_for(self, accounts: Sequence[Account]) -> dict[Account, int]:
        """The people behind `accounts`, a new person made for each account nobody has: an
        id allocated by the database (never reused, never a messenger's id) and the account
        linked to it. Such a person is only an account until they consent."""
        found = await self.people_of(accounts)
        for account in dict.fromkeys(accounts):
            if account in found:
                continue
            rows = list(
                await self._all(
                    "INSERT INTO people (created_at) VALUES (?) RETURNING id", (self._now(),)
                )
            )
            found[account] = person_id = int(rows[0][0])
            await self._conn.execute(
                "INSERT INTO accounts (messenger, external_id, person_id, linked_at)"
                " VALUES (?, ?, ?, ?)",
                (account.messenger, account.external_id, person_id, self._now()),
            )
        return found

    async def link(self, account: Account, person_id: int) -> None:
        """Links an account to a person; an account already linked keeps its person."""
        await self._conn.execute(
            "INSERT INTO accounts (messenger, external_id, person_id, linked_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (messenger, external_id) DO NOTHING",
            (account.messenger, account.external_id, person_id, self._now()),
        )

    async def reach(self, person_ids: Sequence[int]) -> dict[int, str]:
        """The messenger each person is reached on (see REACH_SQL); people without any
        account are left out."""
        found: dict[int, str] = {}
        ids = list(dict.fromkeys(person_ids))
        for start in range(0, len(ids), SQL_BATCH):
            chunk = ids[start : start + SQL_BATCH]
            rows = await self._all(
                f"SELECT p.id, {REACH_SQL.format(person='p.id')} FROM people p"
                f" WHERE p.id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            found |= {int(row[0]): str(row[1]) for row in rows if row[1] is not None}
        return found
