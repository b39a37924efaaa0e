"""The drivers' waits for what the bot wrote: one message, several, or silence.

The failures are AssertionErrors that say whom the story waited on and what came instead, so a
failing story reads as the conversation that went wrong.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol, TypeVar

from .inbox import Inbox


class Written(Protocol):
    """What a sandbox records of a bot's message: enough to describe it in a failure."""

    @property
    def id(self) -> int | str: ...

    @property
    def text(self) -> str: ...


M = TypeVar("M", bound=Written)


def describe(messages: Sequence[Written]) -> str:
    if not messages:
        return "nothing"
    return "; ".join(f"#{m.id} {m.text[:60]!r}" for m in messages)


async def take_one(inbox: Inbox[M], who: str, timeout: float) -> M:  # noqa: ASYNC109
    taken = await inbox.take(1, timeout)
    if taken is None:
        raise AssertionError(f"the bot did not write to {who} within {timeout:.1f}s")
    return taken[0]


async def take_many(
    inbox: Inbox[M],
    n: int,
    who: str,
    timeout: float,  # noqa: ASYNC109
) -> list[M]:
    taken = await inbox.take(n, timeout)
    if taken is None:
        got = inbox.unread
        raise AssertionError(
            f"expected {n} messages from the bot to {who} within {timeout:.1f}s, "
            f"got {len(got)}: {describe(got)}"
        )
    return taken


async def silence(inbox: Inbox[M], who: str, within: float) -> None:
    before = len(inbox.items)
    await asyncio.sleep(within)
    new = inbox.items[before:]
    if new:
        raise AssertionError(
            f"expected silence to {who} for {within:.1f}s, the bot wrote: {describe(new)}"
        )


__all__ = ["Written", "describe", "silence", "take_many", "take_one"]
