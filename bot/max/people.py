"""Where the core's people meet MAX's user ids: the one place that reads one for the other.

The core names a person by their internal id (`people.id`); MAX names them by the user id of
their MAX account, linked to the person in `accounts`. What must stay true: nothing outside
`bot/max/` turns a person's id into a MAX user id or back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from bot.conversation.identity import MAX, Account, max_account
from bot.storage import Database


async def max_users_of(db: Database, person_ids: Iterable[int]) -> dict[int, int]:
    """Each person's MAX user id; a person without a MAX account is left out."""
    people = {person for person in person_ids if person > 0}
    found = await db.reader.accounts.external_ids(MAX, list(people)) if people else {}
    return {person: int(user) for person, user in found.items()}


async def people_of_max_users(db: Database, user_ids: Iterable[int]) -> dict[int, int]:
    """The person behind each MAX user: a new person for a user the bot has not met, made
    in a transaction of its own (never inside a unit of work: the caller talks to MAX)."""
    accounts = {user: max_account(user) for user in set(user_ids) if user > 0}
    if not accounts:
        return {}

    async def made() -> dict[Account, int]:
        async with db.transaction() as tx:
            return await tx.accounts.people_for(list(accounts.values()))

    people = await asyncio.create_task(made())
    return {user: people[account] for user, account in accounts.items()}
