"""Where the core's people meet a messenger's numeric user ids, for any messenger.

The core names a person by their internal id (`people.id`); VK and MAX name them by the user
id of their account there, linked to the person in `accounts`. The mapping is the same for
both, so it is written once here, parametrised by messenger; each adapter calls it through its
own `bot/<messenger>/people.py`, which stays the only door: what must stay true is that nothing
outside an adapter turns a person's id into that messenger's user id or back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from bot.conversation.identity import Account
from bot.storage import Database


async def users_of(db: Database, messenger: str, person_ids: Iterable[int]) -> dict[int, int]:
    """Each person's user id on `messenger`; a person without an account there is left out."""
    people = {person for person in person_ids if person > 0}
    found = await db.reader.accounts.external_ids(messenger, list(people)) if people else {}
    return {person: int(user) for person, user in found.items()}


async def people_of_users(db: Database, messenger: str, user_ids: Iterable[int]) -> dict[int, int]:
    """The person behind each user of `messenger` (a VK community, a negative id, is no
    one's): a new person for a user the bot has not met, made in a transaction of its own, so
    that it never joins a unit of work (the caller is about to ask the messenger more, or has
    just asked)."""
    accounts = {user: Account(messenger, str(int(user))) for user in set(user_ids) if user > 0}
    if not accounts:
        return {}

    async def made() -> dict[Account, int]:
        async with db.transaction() as tx:
            return await tx.accounts.people_for(list(accounts.values()))

    # A task of its own writes on its own (see bot.storage.unit).
    people = await asyncio.create_task(made())
    return {user: people[account] for user, account in accounts.items()}


__all__ = ["people_of_users", "users_of"]
