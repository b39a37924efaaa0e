"""The community's message history, per peer (messages.getConversations / getHistory).

A conversation keeps, oldest first, every message the community can see in it: the users'
messages exactly as they went into ``message_new`` (plain dicts, ``out: 0``) and the
community's own messages (``BotMessage``, rendered when read, so edits show).

Read state follows VK's watermarks, kept as conversation_message_ids: whoever writes has read
everything before. Sending a message moves the community's ``in_read`` up to it; a user's
message moves ``out_read`` (the peer has read the community's messages) up to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import BotMessage

HistoryItem = dict[str, Any] | BotMessage


def cmid_of(item: HistoryItem) -> int:
    if isinstance(item, BotMessage):
        return item.conversation_message_id
    return int(item["conversation_message_id"])


def id_of(item: HistoryItem) -> int:
    """The message id the community sees (0 for users' messages in chats)."""
    if isinstance(item, BotMessage):
        return item.id
    return int(item["id"])


def is_incoming(item: HistoryItem) -> bool:
    return not isinstance(item, BotMessage)


@dataclass
class Conversation:
    peer_id: int
    items: list[HistoryItem] = field(default_factory=list)
    in_read_cmid: int = 0  # the community has read everything up to this message
    out_read_cmid: int = 0  # the peer has read everything up to this message
    sort_key: int = 0  # the version the last message had when it arrived (edits don't move it)

    def add_incoming(self, message: dict[str, Any]) -> None:
        self.items.append(message)
        self.out_read_cmid = max(self.out_read_cmid, cmid_of(message))
        self.sort_key = int(message["version"])

    def add_outgoing(self, message: BotMessage) -> None:
        self.items.append(message)
        self.in_read_cmid = max(self.in_read_cmid, message.conversation_message_id)
        self.sort_key = message.version

    @property
    def last(self) -> HistoryItem:
        return self.items[-1]

    @property
    def unanswered(self) -> bool:
        """For a community: the last message is an incoming one (no reply after it yet)."""
        return bool(self.items) and is_incoming(self.last)

    @property
    def unread_count(self) -> int:
        return sum(
            1 for item in self.items if is_incoming(item) and cmid_of(item) > self.in_read_cmid
        )

    def id_at(self, cmid: int) -> int:
        """The id of the message with this conversation_message_id (0 if none)."""
        for item in reversed(self.items):
            if cmid_of(item) == cmid:
                return id_of(item)
        return 0


__all__ = ["Conversation", "HistoryItem", "cmid_of", "id_of", "is_incoming"]
