"""Where the core's people meet VK's user ids: the one place that reads one for the other.

The core names a person by their internal id (`people.id`); VK names them by the user id
of their VK account, linked to the person in `accounts`. Whatever the VK adapter renders
(a message's peer, a mention, a broadcast's `peer_ids`) reads those accounts here, in one
query for everything it renders at once. What must stay true: nothing outside `bot/vk/`
turns a person's id into a VK user id or back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from bot.conversation.identity import VK, Account, vk_account
from bot.storage import Database


async def vk_users_of(db: Database, person_ids: Iterable[int]) -> dict[int, int]:
    """Each person's VK user id; a person without a VK account is left out."""
    people = {person for person in person_ids if person > 0}
    found = await db.reader.accounts.external_ids(VK, list(people)) if people else {}
    return {person: int(user) for person, user in found.items()}


async def people_of_vk_users(db: Database, user_ids: Iterable[int]) -> dict[int, int]:
    """The person behind each VK user (a community, a negative id, is no one's): a new
    person for a VK user the bot has not met, made in a transaction of its own, so that it
    never joins a unit of work (the caller is about to ask VK more, or has just asked)."""
    accounts = {user: vk_account(user) for user in set(user_ids) if user > 0}
    if not accounts:
        return {}

    async def made() -> dict[Account, int]:
        async with db.transaction() as tx:
            return await tx.accounts.people_for(list(accounts.values()))

    # A task of its own writes on its own (see bot.storage.unit).
    people = await asyncio.create_task(made())
    return {user: people[account] for user, account in accounts.items()}
