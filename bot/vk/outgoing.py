"""Neutral messages in VK's terms: peers, `messages.send` parameters, keyboard JSON, mentions.

The only place that knows how VK numbers peers (a group chat is 2,000,000,000 + n) and how
it wants keyboards and mentions written. Person ids become VK user ids here (`vk_peer_of`,
`vk_user_of`, mentions), through `VKUsers`: the people's VK accounts as `accounts` links them,
read by the caller in one query for whatever it renders (`bot/vk/people.py`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from bot.conversation.identity import VK
from bot.conversation.outgoing import (
    MENTION,
    PERSON_NUMBER,
    AccountAddress,
    Address,
    Button,
    ButtonColor,
    ButtonKind,
    Keyboard,
    Person,
    has_mentions,
)

CHAT_PEER_OFFSET = 2_000_000_000


def is_chat_peer(peer_id: int) -> bool:
    return peer_id > CHAT_PEER_OFFSET


# People's VK user ids by person id (their VK accounts); a person missing has none.
VKUsers = Mapping[int, int]


def vk_user_of(person_id: int, users: VKUsers) -> int | None:
    """A person's VK user id; None for a person without a VK account."""
    return users.get(person_id)


def vk_peer_of(address: Address, users: VKUsers) -> int | None:
    """The VK peer_id a message to `address` goes to; None: the person has no VK account."""
    if isinstance(address, Person):
        return vk_user_of(address.id, users)
    if isinstance(address, AccountAddress):
        account = address.account
        return int(account.external_id) if account.messenger == VK else None
    # The core knows a chat by its `chats` key, which today is the VK peer itself.
    return address.id


def mentioned_people(text: str) -> list[int]:
    """The people a text mentions or shows the number of (`mention`, `person_number`)."""
    if not has_mentions(text):
        return []
    return [int(m[1]) for m in MENTION.finditer(text)] + [
        int(m[1]) for m in PERSON_NUMBER.finditer(text)
    ]


def _vk_mention(person_id: int, label: str, users: VKUsers) -> str:
    user = users.get(person_id)
    # Without a VK account there is no profile to link to: the label stays, as plain text.
    return label if user is None else f"[id{user}|{label}]"


def _vk_number(person_id: int, users: VKUsers) -> str:
    user = users.get(person_id)
    # A person without a VK account has no number anyone could type or look up.
    return "?" if user is None else str(user)


def render_text(text: str, users: VKUsers) -> str:
    """The text with its mentions in VK markup (`[id123|label]`) and people's numbers as
    their VK user ids (numbers first: a mention's label may hold one)."""
    if not has_mentions(text):
        return text
    text = PERSON_NUMBER.sub(lambda m: _vk_number(int(m[1]), users), text)
    return MENTION.sub(lambda m: _vk_mention(int(m[1]), m[2], users), text)


def _button_json(button: Button) -> dict[str, Any]:
    action: dict[str, Any]
    if button.kind is ButtonKind.LINK:
        action = {"type": "open_link", "link": button.url or "", "label": button.label}
        return {"action": action}
    action = {"label": button.label, "payload": dict(button.payload), "type": button.kind.value}
    data: dict[str, Any] = {"action": action}
    if button.color is not ButtonColor.DEFAULT:  # the default colour is left out, as VK's own
        data["color"] = button.color.value
    return data


def keyboard_json(keyboard: Keyboard) -> str:
    """VK's keyboard JSON, as vkbottle writes it."""
    return json.dumps(
        {
            "one_time": keyboard.one_time,
            "inline": keyboard.inline,
            "buttons": [[_button_json(button) for button in row] for row in keyboard.rows],
        }
    )


# Cached by the keyboard's stored form: the same few keyboards go out again and again.
@lru_cache(maxsize=512)
def _stored_keyboard_json(stored: str) -> str:
    return keyboard_json(Keyboard.from_data(json.loads(stored)))


def send_params(body: dict[str, Any], users: VKUsers) -> dict[str, Any]:
    """`messages.send` parameters (without peer and random_id) for a stored message.

    A body written before messages were neutral (migration 11) holds VK's parameters under
    `vk`, and goes out as it was stored."""
    legacy = body.get("vk")
    if isinstance(legacy, dict):
        return legacy
    params: dict[str, Any] = {"message": render_text(str(body.get("text", "")), users)}
    keyboard = body.get("keyboard")
    if keyboard is not None:
        # Keyed by its stored form, which is the same for the same keyboard.
        params["keyboard"] = _stored_keyboard_json(json.dumps(keyboard, sort_keys=True))
    # Files another messenger's gateway uploaded (`max:…`) mean nothing to VK.
    refs = [str(stored["ref"]) for stored in body.get("files") or () if ":" not in stored["ref"]]
    if refs:
        params["attachment"] = ",".join(refs)
    return params
