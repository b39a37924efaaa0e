"""Messages the bot starts itself (digests, reminders): written to the outbox in one go."""

from __future__ import annotations

from collections.abc import Sequence

from bot.storage import Database
from bot.vk.outgoing import OutgoingMessage, derived_random_id, split_text
from bot.vk.sender import OutboxSender

BROADCAST_MIN = 2


class Notifier:
    def __init__(self, db: Database, sender: OutboxSender) -> None:
        self._db = db
        self._sender = sender

    async def send(self, messages: Sequence[OutgoingMessage], key: str) -> None:
        """`key` names the occasion (e.g. the job and its due time): sending the same
        occasion again reuses the random_ids, so VK delivers it once."""
        parts: list[OutgoingMessage] = []
        for message in messages:
            texts = split_text(message.text)
            for index, text in enumerate(texts):
                last = index == len(texts) - 1
                parts.append(
                    OutgoingMessage(
                        message.peer_id,
                        text,
                        message.keyboard if last else None,
                        message.attachment if last else None,
                    )
                )
        replies = [
            (message.peer_id, derived_random_id(key, index, message.peer_id), message.body())
            for index, message in enumerate(parts)
        ]
        # Inside a unit of work (an event, a job) the messages commit with what they tell.
        await self._db.write(lambda tx: tx.outbox.add_replies_statement(replies))
        self._db.after_commit(self._sender.wake)

    async def send_now(self, messages: Sequence[OutgoingMessage], key: str) -> None:
        """Messages that go before the event is done (a long file's progress): queued at
        once, not with the event's outcome."""
        async with self._db.detached():
            await self.send(messages, key)

    async def broadcast(
        self,
        peer_ids: Sequence[int],
        text: str,
        key: str,
        report_to: int | None = None,
        attachment: str | None = None,
    ) -> int:
        """One text for many people: sent in peer_ids batches; people known to refuse
        messages are recorded as undeliverable at once. Returns how many cannot receive."""
        peers = sorted(set(peer_ids))
        unreachable = await self._db.reader.people.unreachable(peers)
        parts = split_text(text)
        async with self._db.transaction() as tx:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                body = OutgoingMessage(0, part, None, attachment if last else None).body()
                await tx.outbox.add_broadcast(
                    peers,
                    derived_random_id(key, index),
                    body,
                    report_to if last else None,
                    sorted(unreachable),
                )
        self._db.after_commit(self._sender.wake)
        return len(unreachable)
