"""What the bot sends: a message for one peer, as the outbox stores it."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

VK_MESSAGE_LIMIT = 4096


@dataclass(frozen=True)
class OutgoingMessage:
    peer_id: int
    text: str
    keyboard: str | None = None
    attachment: str | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.text}
        if self.keyboard is not None:
            body["keyboard"] = self.keyboard
        if self.attachment:
            body["attachment"] = self.attachment
        return body


def derived_random_id(*parts: object) -> int:
    """A random_id fixed by what the message answers, so a replayed event is deduplicated
    by VK instead of answered twice. VK reads random_id as a signed 32-bit integer."""
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).digest()
    return (int.from_bytes(digest[:4], "big") & 0x7FFFFFFF) or 1


def fresh_random_id() -> int:
    return secrets.randbits(31) or 1


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def split_text(text: str, limit: int = VK_MESSAGE_LIMIT) -> list[str]:
    """Splits a long text at paragraph, then sentence, then word boundaries."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    for unit in _pack(text.split("\n\n"), "\n\n", limit):
        if len(unit) <= limit:
            parts.append(unit)
            continue
        for sentence_pack in _pack(_SENTENCE_END.split(unit), " ", limit):
            if len(sentence_pack) <= limit:
                parts.append(sentence_pack)
                continue
            for word_pack in _pack(sentence_pack.split(" "), " ", limit):
                parts.extend(word_pack[i : i + limit] for i in range(0, len(word_pack), limit))
    return [part for part in parts if part.strip()] or [text[:limit]]


def _pack(pieces: list[str], joiner: str, limit: int) -> list[str]:
    packed: list[str] = []
    current = ""
    for piece in pieces:
        candidate = piece if not current else current + joiner + piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            packed.append(current)
        current = piece
    if current:
        packed.append(current)
    return packed
