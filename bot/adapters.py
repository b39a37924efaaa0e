"""What the wiring needs of each messenger it serves: the adapter's side of the bot.

An adapter turns its messenger's updates into `Incoming` records (stored through the shared
`InboxWriter`), sends the outbox rows routed to its messenger, and implements the `Messenger`
port and the chat operations for its own accounts and chats. The wiring (`bot/app.py`) runs
the loops of every adapter that is switched on, and the core never knows which ones are."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from bot.broadcasts import BroadcastDone
from bot.conversation.port import Messenger
from bot.domain.chats import ChatPlatform

Loop = Callable[[], Awaitable[None]]


class MessengerAdapter(Protocol):
    @property
    def name(self) -> str:
        """The messenger's name as accounts carry it (`bot.conversation.identity.VK`, `MAX`)."""
        ...

    @property
    def gateway(self) -> Messenger:
        """The port's calls on this messenger (valid once started)."""
        ...

    @property
    def chat_platform(self) -> ChatPlatform: ...

    async def start(self) -> None:
        """Learns who the bot is on the messenger and, on the very first start, where its
        stream of updates stands, so that nothing after start-up is missed."""
        ...

    def loops(self) -> Mapping[str, Loop]:
        """The loops that run while this process holds the events lease, by name: the
        sender, the intake (long poll or webhook), recovery if any. Each retries its own
        transient failures; the wiring restarts one that dies."""
        ...

    def forget_order(self) -> None:
        """Another process may have run meanwhile: what the adapter remembers of the
        inbox's or the outbox's order is read afresh."""
        ...

    def on_broadcast_done(self, report: BroadcastDone) -> None:
        """Who is told when a broadcast's recipients are all settled, on every messenger
        (the delivery report); told once, by whichever sender settles the last one."""
        ...

    def wake_sender(self) -> None:
        """The outbox has something new for this messenger."""
        ...

    async def drain(self, grace: float) -> bool:
        """Sends what is pending for this messenger and stops; False if time ran out."""
        ...

    async def close(self) -> None:
        """Closes the messenger's HTTP sessions (and the webhook listener)."""
        ...
