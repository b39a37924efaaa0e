"""The outbox: messages to send, their recipients and what became of them.

A message is stored neutral (`OutgoingMessage.to_data()`: text, keyboard, files), its address
as an id and whether it is a group chat's; the messenger adapter renders it when it sends."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.conversation.identity import parse_account
from bot.conversation.outgoing import AccountAddress, Address, Chat, Person
from bot.storage.base import Repo, Statement


def _address(recipient_id: int, to_chat: int, to_account: str | None = None) -> Address:
    if to_account is not None:
        return AccountAddress(recipient_id, parse_account(to_account))
    return Chat(recipient_id) if to_chat else Person(recipient_id)


def _account_of(to: Address) -> str | None:
    return str(to.account) if isinstance(to, AccountAddress) else None


@dataclass(frozen=True)
class OutboxRow:
    id: int
    # The addressee's id (a person's, or a group chat's if `to_chat`); 0 for a broadcast,
    # whose recipients are listed apart.
    peer_id: int
    random_id: int
    # The neutral message as stored (a JSON object; see the module's top).
    body_json: str
    attempts: int
    report_to: int | None = None
    to_chat: bool = False
    # An account named outright (`vk:123`, see AccountAddress), or None.
    to_account: str | None = None

    @property
    def to(self) -> Address:
        return _address(self.peer_id, self.to_chat, self.to_account)

    @property
    def body(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body_json)
        return parsed

    @property
    def is_broadcast(self) -> bool:
        return self.peer_id == 0


@dataclass(frozen=True)
class DeliveryCounts:
    sent: int
    undeliverable: int
    failed: int
    pending: int
    # Why the failed ones failed: VK's error code (0 when none was given) and how many.
    failed_by_error: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RecipientOutcome:
    """What became of one recipient of an outbox message after a send."""

    outbox_id: int
    recipient: Address
    state: str  # 'sent', 'undeliverable' or 'failed'
    message_id: int | None = None
    error_code: int | None = None


def _pending_row(row: Any) -> OutboxRow:
    """An outbox row as the pending reads select it."""
    return OutboxRow(
        id=row["id"],
        peer_id=row["peer_id"],
        random_id=row["random_id"],
        body_json=row["body"],
        attempts=row["attempts"],
        report_to=row["report_to"],
        to_chat=bool(row["to_chat"]),
        to_account=row["to_account"],
    )


def in_turn(rows: Sequence[OutboxRow], per_peer: int) -> list[OutboxRow]:
    """Rows in id order, reordered so that peers take turns (see pending_in_turn)."""
    seen: dict[int, int] = {}
    turns: list[tuple[int, int, OutboxRow]] = []
    for row in rows:
        turn = seen[row.peer_id] = seen.get(row.peer_id, 0) + 1
        if turn <= per_peer:
            turns.append((turn, row.id, row))
    turns.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in turns]


class OutboxRepo(Repo):
    def add_replies_statement(
        self, replies: Sequence[tuple[Address, int, dict[str, Any]]]
    ) -> Statement | None:
        """Many (address, random_id, neutral message) in one statement."""
        if not replies:
            return None
        now = self._now()
        return Statement(
            "INSERT INTO outbox (peer_id, to_chat, to_account, random_id, body, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    to.id,
                    int(isinstance(to, Chat)),
                    _account_of(to),
                    random_id,
                    json.dumps(body, ensure_ascii=False),
                    now,
                )
                for to, random_id, body in replies
            ],
        )

    async def add_broadcast(
        self,
        recipients: Sequence[Address],
        random_id: int,
        body: dict[str, Any],
        report_to: int | None,
        unreachable: Sequence[Address] = (),
    ) -> int:
        """One message for many: the recipients who cannot receive are recorded as such."""
        cursor = await self._conn.execute(
            "INSERT INTO outbox (peer_id, random_id, body, created_at, report_to)"
            " VALUES (0, ?, ?, ?, ?)",
            (random_id, json.dumps(body, ensure_ascii=False), self._now(), report_to),
        )
        outbox_id = cursor.lastrowid
        assert outbox_id is not None
        blocked = set(unreachable)
        await self._conn.executemany(
            "INSERT OR IGNORE INTO outbox_recipients (outbox_id, peer_id, to_chat, state)"
            " VALUES (?, ?, ?, ?)",
            [
                (
                    outbox_id,
                    to.id,
                    int(isinstance(to, Chat)),
                    "undeliverable" if to in blocked else "pending",
                )
                for to in recipients
            ],
        )
        return outbox_id

    async def pending(self, after_id: int, limit: int) -> list[OutboxRow]:
        rows = await self._all(
            "SELECT id, peer_id, random_id, body, attempts, report_to, to_chat, to_account"
            " FROM outbox WHERE state = 'pending' AND id > ? ORDER BY id LIMIT ?",
            (after_id, limit),
        )
        return [_pending_row(row) for row in rows]

    async def pending_in_turn(self, limit: int, per_peer: int) -> list[OutboxRow]:
        """Pending messages, each peer's oldest first, peers taking turns: everyone's first
        message, then everyone's second, and so on, at most `per_peer` of each peer's.

        So one peer with thousands queued does not hold back another's reply. Usually all
        that is pending fits in one plain read, and the turns are taken here; only a pile
        larger than that makes SQLite number each peer's rows (a window over every pending
        row, twice the cost of the plain read)."""
        plain = await self.pending(after_id=0, limit=limit)
        if len(plain) < limit:
            return in_turn(plain, per_peer)
        rows = await self._all(
            "SELECT id, peer_id, random_id, body, attempts, report_to, to_chat, to_account"
            " FROM ("
            " SELECT *, ROW_NUMBER() OVER (PARTITION BY peer_id ORDER BY id) AS turn"
            " FROM outbox WHERE state = 'pending')"
            " WHERE turn <= ? ORDER BY turn, id LIMIT ?",
            (per_peer, limit),
        )
        return [_pending_row(row) for row in rows]

    async def pending_recipients(self, outbox_id: int, limit: int) -> list[Address]:
        rows = await self._all(
            "SELECT peer_id, to_chat FROM outbox_recipients"
            " WHERE outbox_id = ? AND state = 'pending' ORDER BY peer_id LIMIT ?",
            (outbox_id, limit),
        )
        return [_address(int(row[0]), int(row[1])) for row in rows]

    def set_recipients_statement(self, outcomes: Sequence[RecipientOutcome]) -> Statement | None:
        if not outcomes:
            return None
        return Statement(
            "UPDATE outbox_recipients SET state = ?, vk_message_id = ?, error_code = ?"
            " WHERE outbox_id = ? AND peer_id = ?",
            [(o.state, o.message_id, o.error_code, o.outbox_id, o.recipient.id) for o in outcomes],
        )

    async def delivery(self, outbox_id: int) -> DeliveryCounts:
        row = await self._one(
            "SELECT SUM(state = 'sent'), SUM(state = 'undeliverable'), SUM(state = 'failed'),"
            " SUM(state = 'pending') FROM outbox_recipients WHERE outbox_id = ?",
            (outbox_id,),
        )
        sent, undeliverable, failed, pending = (
            (int(value or 0) for value in row) if row else (0, 0, 0, 0)
        )
        reasons = await self._all(
            "SELECT COALESCE(error_code, 0), COUNT(*) FROM outbox_recipients"
            " WHERE outbox_id = ? AND state = 'failed' GROUP BY 1 ORDER BY 2 DESC, 1",
            (outbox_id,),
        )
        return DeliveryCounts(
            sent, undeliverable, failed, pending, {int(r[0]): int(r[1]) for r in reasons}
        )

    async def finish_broadcast(self, outbox_id: int) -> None:
        await self._conn.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?, body = NULL WHERE id = ?",
            (self._now(), outbox_id),
        )

    def mark_sent_statement(self, sent: Sequence[tuple[int, int | None]]) -> Statement | None:
        """(outbox_id, vk_message_id) of replies VK took."""
        if not sent:
            return None
        now = self._now()
        return Statement(
            "UPDATE outbox SET state = 'sent', sent_at = ?, vk_message_id = ?, body = NULL,"
            " attempts = attempts + 1 WHERE id = ?",
            [(now, message_id, outbox_id) for outbox_id, message_id in sent],
        )

    def mark_given_up_statement(self, given_up: Sequence[RecipientOutcome]) -> Statement | None:
        if not given_up:
            return None
        return Statement(
            "UPDATE outbox SET state = ?, error_code = ?, body = NULL, attempts = attempts + 1"
            " WHERE id = ?",
            [(o.state, o.error_code, o.outbox_id) for o in given_up],
        )

    async def count_by_state(self) -> dict[str, int]:
        rows = await self._all("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        return {row[0]: int(row[1]) for row in rows}
