"""Where the core's people meet MAX's user ids: the one place that reads one for the other.

The core names a person by their internal id (`people.id`); MAX names them by the user id of
their MAX account, linked to the person in `accounts`. What must stay true: nothing outside
`bot/max/` turns a person's id into a MAX user id or back. (The mapping itself is
messenger-neutral: `bot.people_accounts`.)"""

from __future__ import annotations

from collections.abc import Iterable

from bot.conversation.identity import MAX
from bot.people_accounts import people_of_users, users_of
from bot.storage import Database


async def max_users_of(db: Database, person_ids: Iterable[int]) -> dict[int, int]:
    """Each person's MAX user id; a person without a MAX account is left out."""
    return await users_of(db, MAX, person_ids)


async def people_of_max_users(db: Database, user_ids: Iterable[int]) -> dict[int, int]:
    """The person behind each MAX user: a new person for a user the bot has not met."""
    return await people_of_users(db, MAX, user_ids)
