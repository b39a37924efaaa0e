"""The drivers' waits for what the bot wrote: one message, several, or silence.

The failures are AssertionErrors that say whom the story waited on and what came instead, so a
failing story reads as the conversation that went wrong.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

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


class InboxReader(Generic[M]):
    """What a driver (a user, a chat) reads of the bot's messages to it; the driver says
    which inbox is its own (`_inbox`)."""

    @property
    def _inbox(self) -> Inbox[M]:
        raise NotImplementedError

    @property
    def messages(self) -> list[M]:
        return list(self._inbox.items)

    @property
    def unread(self) -> list[M]:
        return list(self._inbox.unread)

    async def expect_silence(self, within: float = 0.5) -> None:
        await silence(self._inbox, repr(self), within)


class UserInbox(InboxReader[M]):
    """A user waits for the bot's replies, and for its answers to their button presses
    (the driver says where those are kept: `_answers`)."""

    @property
    def _answers(self) -> Inbox[dict[str, Any]]:
        raise NotImplementedError

    @property
    def event_answers(self) -> list[dict[str, Any]]:
        return list(self._answers.items)

    async def wait_event_answer(self, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The bot's answer to this user's press, as the sandbox recorded it."""
        taken = await self._answers.take(1, timeout)
        if taken is None:
            raise AssertionError(f"the bot did not answer {self!r}'s button within {timeout:.1f}s")
        return taken[0]

    async def wait_reply(self, timeout: float = 5.0) -> M:  # noqa: ASYNC109
        return await take_one(self._inbox, repr(self), timeout)

    async def wait_replies(self, n: int, timeout: float = 5.0) -> list[M]:  # noqa: ASYNC109
        return await take_many(self._inbox, n, repr(self), timeout)


class ChatInbox(InboxReader[M]):
    """A chat waits for the bot's messages in it."""

    async def wait_message(self, timeout: float = 5.0) -> M:  # noqa: ASYNC109
        return await take_one(self._inbox, repr(self), timeout)

    async def wait_messages(self, n: int, timeout: float = 5.0) -> list[M]:  # noqa: ASYNC109
        return await take_many(self._inbox, n, repr(self), timeout)


__all__ = [
    "ChatInbox",
    "InboxReader",
    "UserInbox",
    "Written",
    "describe",
    "silence",
    "take_many",
    "take_one",
]
