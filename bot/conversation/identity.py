"""Who a person is on a messenger, apart from who they are at school.

A person has an internal id (`people.id`), never reused; each messenger account they write
from is an `Account`, linked to that id in the `accounts` table. Only a messenger's adapter
knows what an account's external id means (for VK: the user id as a decimal string).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

VK: Final = "vk"
MAX: Final = "max"
# The messengers the bot knows; an account of any other is refused where it is read.
MESSENGERS: Final = frozenset({VK, MAX})
# How people see the messengers' names (settings, commands, the admin's figures).
MESSENGER_TITLES: Final = {VK: "ВКонтакте", MAX: "MAX"}


@dataclass(frozen=True, order=True)
class Account:
    """A person's account on one messenger: `Account("vk", "123")` is vk.com/id123."""

    messenger: str
    external_id: str

    def __str__(self) -> str:
        return f"{self.messenger}:{self.external_id}"


def vk_account(user_id: int) -> Account:
    return Account(VK, str(int(user_id)))


def max_account(user_id: int) -> Account:
    return Account(MAX, str(int(user_id)))


def parse_account(text: str) -> Account:
    """`vk:123`, `max:123` or a bare `123` (a VK user id, as settings always meant).
    ValueError on anything else: an unknown messenger, an id that is not a positive number."""
    text = text.strip()
    messenger, sep, external = text.partition(":")
    if not sep:
        messenger, external = VK, text
    messenger, external = messenger.strip().lower(), external.strip()
    if messenger not in MESSENGERS:
        raise ValueError(
            f"unknown messenger {messenger!r} (known: {', '.join(sorted(MESSENGERS))})"
        )
    if not external.isdigit() or int(external) <= 0:
        example = "max:12345" if messenger == MAX else "vk:12345"
        raise ValueError(f"a user id is a positive number, e.g. {example}")
    return Account(messenger, str(int(external)))
