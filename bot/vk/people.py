"""Where the core's people meet VK's user ids: the one place that turns one into the other.

The core names a person by their internal id (`people.id`) and a group chat by its chat id;
VK names both by a peer. A person's VK peer is their VK account's user id. A person
without a VK account in `accounts` is someone the bot has no record of yet (a stranger
writing for the first time): the core then calls them by the id the event came with, and
that is their VK id, and their consent creates their person under it (`people.ensure`
with the event's person id, and their account linked). So today a new person's internal id
is their VK id, and a stranger's id cannot be someone else's. Once internal ids are
allocated apart from VK ids (AUTOINCREMENT), a stranger must get a person and an account at
first contact instead of `stranger_id`, and texts that show a person's id (mentions,
`/verify N`) must be rendered here to the VK id. What must stay true: nothing outside
`bot/vk/` turns a person's id into a VK peer or back.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.conversation.identity import VK, vk_account
from bot.storage import Database
from bot.vk.chat_platform import CHAT_PEER_OFFSET


def is_chat(address: int) -> bool:
    return address > CHAT_PEER_OFFSET


async def vk_peers_of(db: Database, addresses: Iterable[int]) -> dict[int, int]:
    """Each address's VK peer: a person's VK user id, a chat's peer as it is."""
    addresses = set(addresses)
    people = [address for address in addresses if 0 < address <= CHAT_PEER_OFFSET]
    found = await db.reader.accounts.external_ids(VK, people) if people else {}
    return {address: int(found[address]) if address in found else address for address in addresses}


async def person_of_vk_user(db: Database, user_id: int) -> int | None:
    """The person a VK user is to the school; None for a stranger (see `stranger_id`)."""
    if user_id <= 0:
        return None
    return await db.reader.accounts.person_of(vk_account(user_id))


def stranger_id(user_id: int) -> int:
    """How the core calls a VK user it has no record of (see the module's note)."""
    return user_id
