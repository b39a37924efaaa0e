"""Where the core's people meet VK's user ids: the one place that reads one for the other.

The core names a person by their internal id (`people.id`); VK names them by the user id
of their VK account, linked to the person in `accounts`. Whatever the VK adapter renders
(a message's peer, a mention, a broadcast's `peer_ids`) reads those accounts here, in one
query for everything it renders at once. What must stay true: nothing outside `bot/vk/`
turns a person's id into a VK user id or back.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.conversation.identity import VK, vk_account
from bot.storage import Database


async def people_of_vk_users(db: Database, user_ids: Iterable[int]) -> dict[int, int]:
    """The person behind each VK user (a community, a negative id, is no one's).

    Until internal ids are allocated apart from VK ids, a VK user the bot has no account
    of (a stranger in a chat) is called by their VK id, as `vk_users_of` reads it back."""
    accounts = {user: vk_account(user) for user in set(user_ids) if user > 0}
    found = await db.reader.accounts.people_of(list(accounts.values())) if accounts else {}
    return {user: found.get(account, user) for user, account in accounts.items()}


async def vk_users_of(db: Database, person_ids: Iterable[int]) -> dict[int, int]:
    """Each person's VK user id; a person without a VK account is left out.

    Until internal ids are allocated apart from VK ids, a person without an account (a
    stranger who has not consented yet) is called by the id the event came with, which
    is their VK id."""
    people = {person for person in person_ids if person > 0}
    found = await db.reader.accounts.external_ids(VK, list(people)) if people else {}
    return {person: int(found[person]) if person in found else person for person in people}
