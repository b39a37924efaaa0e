"""The outbox: messages to send, their recipients and what became of them.

A message is stored neutral (`OutgoingMessage.to_data()`: text, keyboard, files), its address
as an id and whether it is a group chat's; the messenger adapter renders it when it sends."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.conversation.identity import VK, parse_account
from bot.conversation.outgoing import AccountAddress, Address, Chat, Person
from bot.storage.accounts import REACH_SQL
from bot.storage.base import Repo, Statement

# The messenger a message is routed to, when the caller does not fix it: the chat's for a
# chat, the person's (REACH_SQL) for a person; VK's for someone with no account left (its
# sender records them as undeliverable, as it always did).
_ROUTE_SQL = (
    "COALESCE(?, CASE WHEN ? = 1 THEN (SELECT h.messenger FROM chats h WHERE h.peer_id = ?)"
    f" ELSE {REACH_SQL.format(person='?')} END, '{VK}')"
)
_PENDING_COLUMNS = (
    "id, peer_id, random_id, body, attempts, report_to, to_chat, to_account, messenger,"
    " attempted_at"
)
# A sender's share of what is pending: its messenger's replies, and the broadcasts with
# recipients of its messenger still to be sent (`{messenger}` is one parameter, twice).
_FOR_MESSENGER = (
    " AND (peer_id <> 0 AND messenger = ? OR peer_id = 0 AND EXISTS ("
    "SELECT 1 FROM outbox_recipients r WHERE r.outbox_id = outbox.id"
    " AND r.state = 'pending' AND r.messenger = ?))"
)


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
    # The messenger whose sender takes it (a broadcast's recipients each have their own).
    messenger: str = VK
    # When a sender without an idempotency key (MAX's) last attempted it, in ms; read with
    # the row so that the sender needs no second read to know it.
    attempted_at: int | None = None

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
        messenger=row["messenger"],
        attempted_at=row["attempted_at"],
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
        self,
        replies: Sequence[tuple[Address, int, dict[str, Any]]],
        via: Sequence[str | None] = (),
    ) -> Statement | None:
        """Many (address, random_id, neutral message) in one statement. `via[i]`, where
        given, fixes reply i's messenger (an event's replies go back where it came from);
        otherwise the address decides (see _ROUTE_SQL)."""
        if not replies:
            return None
        now = self._now()
        fixed = list(via) + [None] * (len(replies) - len(via))
        return Statement(
            "INSERT INTO outbox"
            " (peer_id, to_chat, to_account, random_id, body, created_at, messenger)"
            f" VALUES (?, ?, ?, ?, ?, ?, {_ROUTE_SQL})",
            [
                (
                    to.id,
                    int(isinstance(to, Chat)),
                    _account_of(to),
                    random_id,
                    json.dumps(body, ensure_ascii=False),
                    now,
                    to.account.messenger if isinstance(to, AccountAddress) else messenger,
                    int(isinstance(to, Chat)),
                    to.id,
                    to.id,
                )
                for (to, random_id, body), messenger in zip(replies, fixed, strict=True)
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
            "INSERT OR IGNORE INTO outbox_recipients"
            " (outbox_id, peer_id, to_chat, state, messenger)"
            f" VALUES (?, ?, ?, ?, {_ROUTE_SQL})",
            [
                (
                    outbox_id,
                    to.id,
                    int(isinstance(to, Chat)),
                    "undeliverable" if to in blocked else "pending",
                    None,
                    int(isinstance(to, Chat)),
                    to.id,
                    to.id,
                )
                for to in recipients
            ],
        )
        return outbox_id

    async def pending(
        self, after_id: int, limit: int, messenger: str | None = None
    ) -> list[OutboxRow]:
        """What is pending, oldest first: all of it, or one messenger's share."""
        share, params = ("", ()) if messenger is None else (_FOR_MESSENGER, (messenger,) * 2)
        rows = await self._all(
            f"SELECT {_PENDING_COLUMNS} FROM outbox WHERE state = 'pending' AND id > ?{share}"
            " ORDER BY id LIMIT ?",
            (after_id, *params, limit),
        )
        return [_pending_row(row) for row in rows]

    async def pending_in_turn(
        self, limit: int, per_peer: int, messenger: str | None = None
    ) -> list[OutboxRow]:
        """Pending messages, each peer's oldest first, peers taking turns: everyone's first
        message, then everyone's second, and so on, at most `per_peer` of each peer's.

        So one peer with thousands queued does not hold back another's reply. Usually all
        that is pending fits in one plain read, and the turns are taken here; only a pile
        larger than that makes SQLite number each peer's rows (a window over every pending
        row, twice the cost of the plain read)."""
        plain = await self.pending(after_id=0, limit=limit, messenger=messenger)
        if len(plain) < limit:
            return in_turn(plain, per_peer)
        share, params = ("", ()) if messenger is None else (_FOR_MESSENGER, (messenger,) * 2)
        rows = await self._all(
            f"SELECT {_PENDING_COLUMNS} FROM ("
            " SELECT *, ROW_NUMBER() OVER (PARTITION BY peer_id ORDER BY id) AS turn"
            f" FROM outbox WHERE state = 'pending'{share})"
            " WHERE turn <= ? ORDER BY turn, id LIMIT ?",
            (*params, per_peer, limit),
        )
        return [_pending_row(row) for row in rows]

    async def pending_recipients(
        self, outbox_id: int, limit: int, messenger: str | None = None
    ) -> list[Address]:
        """A broadcast's recipients still to be sent: all of them, or one messenger's."""
        share, params = ("", ()) if messenger is None else (" AND messenger = ?", (messenger,))
        rows = await self._all(
            "SELECT peer_id, to_chat FROM outbox_recipients"
            f" WHERE outbox_id = ? AND state = 'pending'{share} ORDER BY peer_id LIMIT ?",
            (outbox_id, *params, limit),
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

    async def finish_broadcast(self, outbox_id: int) -> bool:
        """Ends a broadcast; False if it had ended already (another messenger's sender
        settled its last recipient first): its end is reported by whoever ends it."""
        cursor = await self._conn.execute(
            "UPDATE outbox SET state = 'sent', sent_at = ?, body = NULL"
            " WHERE id = ? AND state = 'pending'",
            (self._now(), outbox_id),
        )
        return bool(cursor.rowcount)

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
