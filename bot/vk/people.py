"""Where the core's people meet VK's user ids: the one place that reads one for the other.

The core names a person by their internal id (`people.id`); VK names them by the user id
of their VK account, linked to the person in `accounts`. Whatever the VK adapter renders
(a message's peer, a mention, a broadcast's `peer_ids`) reads those accounts here, in one
query for everything it renders at once. What must stay true: nothing outside `bot/vk/`
turns a person's id into a VK user id or back. (The mapping itself is messenger-neutral:
`bot.people_accounts`.)
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.conversation.identity import VK
from bot.people_accounts import people_of_users, users_of
from bot.storage import Database


async def vk_users_of(db: Database, person_ids: Iterable[int]) -> dict[int, int]:
    """Each person's VK user id; a person without a VK account is left out."""
    return await users_of(db, VK, person_ids)


async def people_of_vk_users(db: Database, user_ids: Iterable[int]) -> dict[int, int]:
    """The person behind each VK user (a community, a negative id, is no one's)."""
    return await people_of_users(db, VK, user_ids)
