"""Messages the bot starts itself (digests, reminders, broadcasts): written to the outbox in
one go, in the messenger-neutral form the adapter's sender renders."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.conversation.outgoing import (
    Address,
    Chat,
    OutgoingMessage,
    StoredFile,
    derived_random_id,
    message_data,
    split_message,
    split_text,
)
from bot.storage import Database


class Notifier:
    def __init__(self, db: Database, wake_sender: Callable[[], None]) -> None:
        self._db = db
        # Tells the messenger's sender that the outbox has something new.
        self._wake_sender = wake_sender

    async def send(self, messages: Sequence[OutgoingMessage], key: str) -> None:
        """`key` names the occasion (e.g. the job and its due time): sending the same
        occasion again reuses the random_ids, so VK delivers it once."""
        parts = [part for message in messages for part in split_message(message)]
        replies = [
            (message.to, derived_random_id(key, index, message.to.id), message.to_data())
            for index, message in enumerate(parts)
        ]
        # Inside a unit of work (an event, a job) the messages commit with what they tell.
        await self._db.write(lambda tx: tx.outbox.add_replies_statement(replies))
        self._db.after_commit(self._wake_sender)

    async def send_now(self, messages: Sequence[OutgoingMessage], key: str) -> None:
        """Messages that go before the event is done (a long file's progress): queued at
        once, not with the event's outcome."""
        async with self._db.detached():
            await self.send(messages, key)

    async def broadcast(
        self,
        recipients: Sequence[Address],
        text: str,
        key: str,
        report_to: int | None = None,
        files: tuple[StoredFile, ...] = (),
    ) -> int:
        """One text for many people: sent in peer_ids batches; people known to refuse
        messages are recorded as undeliverable at once. Returns how many cannot receive."""
        everyone = sorted(set(recipients), key=lambda to: (type(to).__name__, to.id))
        unreachable = await self._db.reader.people.unreachable(
            [to.id for to in everyone if not isinstance(to, Chat)]
        )
        blocked = [to for to in everyone if not isinstance(to, Chat) and to.id in unreachable]
        parts = split_text(text)
        async with self._db.transaction() as tx:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                await tx.outbox.add_broadcast(
                    everyone,
                    derived_random_id(key, index),
                    message_data(part, None, files if last else ()),
                    report_to if last else None,
                    blocked,
                )
        self._db.after_commit(self._wake_sender)
        return len(unreachable)
