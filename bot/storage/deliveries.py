"""Sending without an idempotency key: what was attempted, what the messenger made of it,
and each account's dialog where the messenger numbers it apart (migration 15).

A row (or a broadcast's recipient) is marked attempted before its call; once the messenger's
message is known (the call's answer, or the message found in the chat afterwards) its id is
recorded with the sent state, so no other row can take the same message for its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.base import Repo, Statement


@dataclass(frozen=True)
class Attempt:
    """One message to send: an outbox row (`peer_id` None) or a broadcast's recipient."""

    outbox_id: int
    peer_id: int | None = None


@dataclass(frozen=True)
class Delivered:
    """What became of an attempt: its final state and the messenger's message ids (joined
    by commas), or its error code."""

    attempt: Attempt
    state: str  # 'sent', 'undeliverable' or 'failed'
    message_ref: str | None = None
    error_code: int | None = None


class DeliveriesRepo(Repo):
    def attempted_statement(self, attempts: Sequence[Attempt], at_ms: int) -> Statement | None:
        """Marks the attempts as made at `at_ms` (before their calls go out)."""
        if not attempts:
            return None
        replies = [(at_ms, a.outbox_id) for a in attempts if a.peer_id is None]
        recipients = [(at_ms, a.outbox_id, a.peer_id) for a in attempts if a.peer_id is not None]
        # One statement a call: a round is all replies or one broadcast's recipients, and
        # whichever is empty changes nothing.
        if replies and recipients:
            raise ValueError("replies and recipients are marked apart")
        if replies:
            return Statement("UPDATE outbox SET attempted_at = ? WHERE id = ?", replies)
        return Statement(
            "UPDATE outbox_recipients SET attempted_at = ? WHERE outbox_id = ? AND peer_id = ?",
            recipients,
        )

    async def attempted_recipients(self, outbox_id: int, peer_ids: Sequence[int]) -> dict[int, int]:
        if not peer_ids:
            return {}
        marks = ",".join("?" * len(peer_ids))
        rows = await self._all(
            "SELECT peer_id, attempted_at FROM outbox_recipients WHERE outbox_id = ?"
            f" AND peer_id IN ({marks}) AND attempted_at IS NOT NULL",
            (outbox_id, *peer_ids),
        )
        return {int(row[0]): int(row[1]) for row in rows}

    async def claimed_since(self, since_ms: int) -> set[str]:
        """The messenger's message ids recorded for rows attempted since `since_ms`: taken."""
        rows = await self._all(
            "SELECT message_ref FROM outbox WHERE message_ref IS NOT NULL AND attempted_at >= ?"
            " UNION ALL SELECT message_ref FROM outbox_recipients"
            " WHERE message_ref IS NOT NULL AND attempted_at >= ?",
            (since_ms, since_ms),
        )
        return {mid for row in rows for mid in str(row[0]).split(",") if mid}

    def delivered_statements(self, outcomes: Sequence[Delivered]) -> list[Statement]:
        """The outcomes of replies and of broadcasts' recipients, as statements for one
        transaction. A reply's body goes once it is settled (as VK's sender does)."""
        now = self._now()
        replies = [o for o in outcomes if o.attempt.peer_id is None]
        recipients = [o for o in outcomes if o.attempt.peer_id is not None]
        statements = []
        if replies:
            statements.append(
                Statement(
                    "UPDATE outbox SET state = ?, message_ref = ?, error_code = ?,"
                    " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, body = NULL,"
                    " attempts = attempts + 1 WHERE id = ? AND state = 'pending'",
                    [
                        (o.state, o.message_ref, o.error_code, o.state, now, o.attempt.outbox_id)
                        for o in replies
                    ],
                )
            )
        if recipients:
            statements.append(
                Statement(
                    "UPDATE outbox_recipients SET state = ?, message_ref = ?, error_code = ?"
                    " WHERE outbox_id = ? AND peer_id = ?",
                    [
                        (
                            o.state,
                            o.message_ref,
                            o.error_code,
                            o.attempt.outbox_id,
                            o.attempt.peer_id,
                        )
                        for o in recipients
                    ],
                )
            )
        return statements

    # ------------------------------------------------------------------------ dialogs

    async def dialogs(self, messenger: str, external_ids: Sequence[str]) -> dict[str, int]:
        if not external_ids:
            return {}
        marks = ",".join("?" * len(external_ids))
        rows = await self._all(
            "SELECT external_id, chat_id FROM dialogs WHERE messenger = ?"
            f" AND external_id IN ({marks})",
            (messenger, *external_ids),
        )
        return {str(row[0]): int(row[1]) for row in rows}

    def set_dialogs_statement(
        self, messenger: str, chats: Sequence[tuple[str, int]]
    ) -> Statement | None:
        if not chats:
            return None
        return Statement(
            "INSERT INTO dialogs (messenger, external_id, chat_id) VALUES (?, ?, ?)"
            " ON CONFLICT(messenger, external_id) DO UPDATE SET chat_id = excluded.chat_id",
            [(messenger, external_id, chat_id) for external_id, chat_id in chats],
        )
