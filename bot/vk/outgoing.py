"""Neutral messages in VK's terms: peers, `messages.send` parameters, keyboard JSON, mentions.

The only place that knows how VK numbers peers (a group chat is 2,000,000,000 + n) and how
it wants keyboards and mentions written. Person ids become VK ids here (`vk_peer_of`,
`vk_user_of`): when people get internal ids, these are what changes."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from bot.conversation.outgoing import (
    MENTION,
    Address,
    Button,
    ButtonColor,
    ButtonKind,
    Chat,
    Keyboard,
    Person,
    has_mentions,
)

CHAT_PEER_OFFSET = 2_000_000_000


def is_chat_peer(peer_id: int) -> bool:
    return peer_id > CHAT_PEER_OFFSET


def address_of_peer(peer_id: int) -> Address:
    """Where a VK event came from, as the core addresses it."""
    return Chat(peer_id) if is_chat_peer(peer_id) else Person(peer_id)


def vk_user_of(person_id: int) -> int:
    """A person's VK user id. Today the core's person id is the VK id."""
    return person_id


def vk_peer_of(address: Address) -> int:
    """The VK peer_id a message to `address` goes to."""
    if isinstance(address, Person):
        return vk_user_of(address.id)
    # The core knows a chat by its `chats` key, which today is the VK peer itself.
    return address.id


def render_text(text: str) -> str:
    """The text with its mentions in VK markup: `[id123|label]`."""
    if not has_mentions(text):
        return text
    return MENTION.sub(lambda m: f"[id{vk_user_of(int(m[1]))}|{m[2]}]", text)


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


def send_params(body: dict[str, Any]) -> dict[str, Any]:
    """`messages.send` parameters (without peer and random_id) for a stored message.

    A body written before messages were neutral (migration 13) holds VK's parameters under
    `vk`, and goes out as it was stored."""
    legacy = body.get("vk")
    if isinstance(legacy, dict):
        return legacy
    params: dict[str, Any] = {"message": render_text(str(body.get("text", "")))}
    keyboard = body.get("keyboard")
    if keyboard is not None:
        # Keyed by its stored form, which is the same for the same keyboard.
        params["keyboard"] = _stored_keyboard_json(json.dumps(keyboard, sort_keys=True))
    files = body.get("files")
    if files:
        params["attachment"] = ",".join(str(stored["ref"]) for stored in files)
    return params
