"""Drains the outbox: every recipient gets each message once, packed into few API calls.

A reply is one `messages.send`; a broadcast goes out in `peer_ids` batches of up to 100; up
to 25 such calls share one `execute`. The random_id fixed in the outbox makes every retry a
duplicate VK drops, so a crash or an error never doubles a message."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from loguru import logger
from vkbottle import VKAPIError

from bot import faults
from bot.broadcasts import end_if_settled
from bot.conversation.identity import VK
from bot.conversation.outgoing import Address, Person, mentioned_people
from bot.outbox_loop import RETRY_PAUSE_CAP, RETRY_PAUSE_FIRST, OutboxLoop, Step
from bot.storage import Database
from bot.storage.outbox import OutboxRow, RecipientOutcome
from bot.vk.api import ResilientAPI, TransientAPIError
from bot.vk.outgoing import VKUsers, send_params, vk_peer_of
from bot.vk.people import vk_users_of

EXECUTE_MAX_CALLS = 25
PEER_IDS_MAX = 100
# Execute calls in flight at once; VK's limit spaces them out anyway.
LANES = 4
# Outbox rows read for one round: as many replies as its executes can carry.
READ_LIMIT = EXECUTE_MAX_CALLS * LANES
# Recipients of broadcasts taken in one round: four executes' worth.
BROADCAST_ROUND = EXECUTE_MAX_CALLS * PEER_IDS_MAX * LANES
# After a wake-up, replies committed within this many seconds go out in the same round: at a
# few people at a time it halves the calls (and the CPU) per reply, and nobody notices 2 ms.
LINGER = 0.002
# The person cannot receive messages from the community: mark and move on.
UNREACHABLE_ERRORS = frozenset({900, 901, 902})
# VK asks to wait (too many requests, flood control, internal or unknown error, rate limit),
# or the community's token is refused (5, 27, 28: the bot's trouble, not the message's):
# the message waits, however long it takes. Any other error ends the message.
RETRYABLE_ERRORS = frozenset({1, 6, 9, 10, 29, 5, 27, 28})
# A failure without an explanation (an answer of an unexpected shape, a fault of our own)
# is tried this many times, so one odd message cannot hold its recipient up for ever.
MAX_UNEXPLAINED_ATTEMPTS = 8


@dataclass(frozen=True)
class CallOutcome:
    ok: bool
    message_id: int | None = None
    error_code: int | None = None
    # VK could not be reached or asked to wait: not the message's fault, no attempt counted.
    transient: bool = False

    @property
    def final_state(self) -> str | None:
        """The recipient's state after this outcome, or None to try again."""
        if self.ok:
            return "sent"
        if self.error_code in UNREACHABLE_ERRORS:
            return "undeliverable"
        if self.transient or self.error_code is None or self.error_code in RETRYABLE_ERRORS:
            return None
        return "failed"

    @property
    def unexplained(self) -> bool:
        """A failure nobody explained: counted, and given up after a few."""
        return not self.ok and not self.transient and self.error_code is None


@dataclass(frozen=True)
class Rendered:
    """A stored message in VK's terms, rendered once however many calls carry it."""

    params: dict[str, Any]
    # The same parameters as a JSON object, spliced into `execute` code as they are.
    params_json: str

    @classmethod
    def of(cls, row: OutboxRow, users: VKUsers) -> Rendered:
        mentioned = tuple((person, users.get(person)) for person in _mentioned(row.body_json))
        return _rendered(row.body_json, mentioned)


_MARKS = ("\ue000", "\ue003", "\\ue000", "\\ue003")


@lru_cache(maxsize=1024)
def _mentioned(body_json: str) -> tuple[int, ...]:
    """The people a stored message mentions (their VK accounts are read with the round's)."""
    # The markers as they are, or as JSON escapes them (\ue000 mentions, \ue003 numbers).
    if not any(mark in body_json for mark in _MARKS):
        return ()
    return tuple(mentioned_people(str(json.loads(body_json).get("text", ""))))


# Keyed by the stored message and the VK accounts of the people it mentions: the same reply
# (a menu, a help text, a digest to every admin) is rendered once. Callers only read it.
@lru_cache(maxsize=1024)
def _rendered(body_json: str, mentioned: tuple[tuple[int, int | None], ...]) -> Rendered:
    users = {person: user for person, user in mentioned if user is not None}
    params = send_params(json.loads(body_json), users)
    return Rendered(params, json.dumps(params, ensure_ascii=False))


@dataclass(frozen=True)
class Call:
    """One `messages.send`: a reply to one address, or a broadcast to up to 100."""

    row: OutboxRow
    recipients: tuple[Address, ...]
    rendered: Rendered
    # The VK user ids of the people it addresses, read for the whole round.
    users: VKUsers

    @property
    def peers(self) -> tuple[int, ...]:
        return tuple(peer for peer in map(self._vk_peer, self.recipients) if peer is not None)

    def _vk_peer(self, to: Address) -> int | None:
        return vk_peer_of(to, self.users)

    def _vk_peer_ids(self) -> str:
        return ",".join(map(str, self.peers))

    def params(self) -> dict[str, Any]:
        target: dict[str, Any] = (
            {"peer_ids": self._vk_peer_ids()}
            if self.row.is_broadcast
            else {"peer_id": self._vk_peer(self.row.to)}
        )
        return {**target, "random_id": self.row.random_id, **self.rendered.params}

    def vkscript(self) -> str:
        """This call in `execute` code: the rendered parameters spliced in as they are."""
        target = (
            f'"peer_ids":"{self._vk_peer_ids()}"'
            if self.row.is_broadcast
            else f'"peer_id":{self._vk_peer(self.row.to)}'
        )
        head = f'API.messages.send({{{target},"random_id":{self.row.random_id}'
        rest = self.rendered.params_json[1:].strip()  # the object without its opening brace
        return f"{head}}})" if rest == "}" else f"{head},{rest})"

    def outcomes(self, result: Any) -> dict[Address, CallOutcome]:
        if not self.row.is_broadcast:
            message_id = result if isinstance(result, int) else None
            return {self.row.to: CallOutcome(ok=True, message_id=message_id)}
        outcomes = {to: CallOutcome(ok=False) for to in self.recipients}
        by_peer = {self._vk_peer(to): to for to in self.recipients}
        for item in result if isinstance(result, list) else []:
            to = by_peer.get(item.get("peer_id"))
            if to is None:
                continue
            error = item.get("error")
            outcomes[to] = (
                CallOutcome(ok=False, error_code=error.get("code"))
                if isinstance(error, dict)
                else CallOutcome(ok=True, message_id=item.get("message_id"))
            )
        return outcomes

    def failed(self, code: int | None, transient: bool = False) -> dict[Address, CallOutcome]:
        return {
            to: CallOutcome(ok=False, error_code=code, transient=transient)
            for to in self.recipients
        }


class OutboxSender(OutboxLoop):
    def __init__(
        self,
        db: Database,
        api: ResilientAPI,
        retry_pause_first: float = RETRY_PAUSE_FIRST,
        retry_pause_cap: float = RETRY_PAUSE_CAP,
    ) -> None:
        super().__init__(retry_pause_first, retry_pause_cap)
        self._db = db
        self._api = api
        self._attempts: dict[tuple[int, Address], int] = {}

    async def _before_round(self) -> None:
        # While VK's limit holds calls back, messages pile up: waiting for a free slot
        # before reading the outbox packs them into fewer, fuller calls.
        await self._api.limiter.wait_ready()
        if not self._stopping:
            await asyncio.sleep(LINGER)

    async def _round(self) -> Step:
        """Reads what is pending, peers taking turns, and sends one round of it."""
        rows = await self._db.reader.outbox.pending_in_turn(
            limit=READ_LIMIT, per_peer=EXECUTE_MAX_CALLS, messenger=VK
        )
        if not rows:
            return Step.IDLE
        self._idle.clear()
        retry, everything_sent, settled = await self._send_round(rows)
        if retry:
            return Step.PARTLY if settled else Step.RETRY
        per_peer = Counter(row.peer_id for row in rows)
        if (
            everything_sent
            and len(rows) < READ_LIMIT
            and max(per_peer.values()) < EXECUTE_MAX_CALLS
        ):
            return Step.DONE
        return Step.MORE

    async def _calls(
        self, rows: Sequence[OutboxRow]
    ) -> tuple[list[list[Call]], list[RecipientOutcome]]:
        """The round's calls, packed into as few execute-sized batches as possible, and the
        recipients nobody can write to on VK (a person without a VK account).

        One peer's replies all go into the same batch, which VK runs in order; a peer whose
        batch is full waits for the next round, so its messages never overtake each other.
        The VK accounts of everyone the round addresses or mentions are read in one query."""
        broadcasts: list[tuple[OutboxRow, list[Address]]] = []
        budget = BROADCAST_ROUND
        for row in rows:
            if not row.is_broadcast or budget <= 0:
                continue
            recipients = await self._db.reader.outbox.pending_recipients(row.id, budget, VK)
            if recipients:
                budget -= len(recipients)
                broadcasts.append((row, recipients))
        people = {row.to.id for row in rows if isinstance(row.to, Person) and row.peer_id}
        people |= {to.id for _, rs in broadcasts for to in rs if isinstance(to, Person)}
        people |= {person for row in rows for person in _mentioned(row.body_json)}
        users = await vk_users_of(self._db, people)
        nobody: list[RecipientOutcome] = []
        batches: list[list[Call]] = []
        batch_of_peer: dict[int, int] = {}
        deferred: set[int] = set()
        for row in rows:
            if row.is_broadcast or row.peer_id in deferred:
                continue
            if vk_peer_of(row.to, users) is None:
                nobody.append(RecipientOutcome(row.id, row.to, "undeliverable", None, None))
                continue
            index = batch_of_peer.get(row.peer_id)
            if index is None:
                if batches and len(batches[-1]) < EXECUTE_MAX_CALLS:
                    index = len(batches) - 1
                elif len(batches) < LANES:
                    batches.append([])
                    index = len(batches) - 1
            if index is None or len(batches[index]) >= EXECUTE_MAX_CALLS:
                deferred.add(row.peer_id)
                continue
            batch_of_peer[row.peer_id] = index
            batches[index].append(Call(row, (row.to,), Rendered.of(row, users), users))
        broadcast_calls: list[Call] = []
        for row, recipients in broadcasts:
            reachable = [to for to in recipients if vk_peer_of(to, users) is not None]
            nobody += [
                RecipientOutcome(row.id, to, "undeliverable", None, None)
                for to in recipients
                if vk_peer_of(to, users) is None
            ]
            rendered = Rendered.of(row, users)
            broadcast_calls += [
                Call(row, tuple(reachable[i : i + PEER_IDS_MAX]), rendered, users)
                for i in range(0, len(reachable), PEER_IDS_MAX)
            ]
        batches += [
            broadcast_calls[i : i + EXECUTE_MAX_CALLS]
            for i in range(0, len(broadcast_calls), EXECUTE_MAX_CALLS)
        ]
        return batches, nobody

    async def _send_round(self, rows: Sequence[OutboxRow]) -> tuple[bool, bool, bool]:
        """Sends what fits in one round; returns (some call should be retried, every row
        read was sent for good, no broadcast with recipients left among them, some
        recipient was settled for good)."""
        batches, nobody = await self._calls(rows)
        results = await asyncio.gather(*(self._send_batch(batch) for batch in batches))
        sent_rows = {call.row.id for batch in batches for call in batch}
        sent_rows |= {outcome.outbox_id for outcome in nobody}
        any_retry = False
        recorded: list[RecipientOutcome] = list(nobody)
        for batch, outcomes in zip(batches, results, strict=True):
            for call, by_recipient in zip(batch, outcomes, strict=True):
                for to, outcome in by_recipient.items():
                    state = outcome.final_state
                    key = (call.row.id, to)
                    if state is None:
                        any_retry = True
                        if not outcome.unexplained:
                            continue  # VK's trouble: the message waits as long as it lasts
                        self._attempts[key] = self._attempts.get(key, 0) + 1
                        if self._attempts[key] < MAX_UNEXPLAINED_ATTEMPTS:
                            continue
                        logger.error("Outbox row {} given up after retries", call.row.id)
                        state = "failed"
                    elif state == "failed":
                        logger.error(
                            "Outbox row {} refused by VK with error {}",
                            call.row.id,
                            outcome.error_code,
                        )
                    self._attempts.pop(key, None)
                    recorded.append(
                        RecipientOutcome(
                            call.row.id, to, state, outcome.message_id, outcome.error_code
                        )
                    )
        await self._record(rows, recorded)
        everything_sent = not any_retry and all(
            row.id in sent_rows and not row.is_broadcast for row in rows
        )
        return any_retry, everything_sent, bool(recorded)

    async def _record(
        self, rows: Sequence[OutboxRow], recorded: Sequence[RecipientOutcome]
    ) -> None:
        """Writes the round's outcomes in one transaction, then ends the broadcasts whose
        recipients are all settled."""
        broadcasts = {row.id for row in rows if row.is_broadcast}
        replies = [o for o in recorded if o.outbox_id not in broadcasts]
        unreachable = [
            o.recipient.id
            for o in recorded
            if o.state == "undeliverable" and isinstance(o.recipient, Person)
        ]
        sent = [(o.outbox_id, o.message_id) for o in replies if o.state == "sent"]
        given_up = [o for o in replies if o.state != "sent"]
        of_broadcasts = [o for o in recorded if o.outbox_id in broadcasts]
        faults.boundary(faults.SENT_UNRECORDED)
        await self._db.write(
            lambda tx: tx.outbox.mark_sent_statement(sent),
            lambda tx: tx.outbox.mark_given_up_statement(given_up),
            lambda tx: tx.outbox.set_recipients_statement(of_broadcasts),
            lambda tx: tx.people.set_unreachable_statement(unreachable),
        )
        # Every broadcast read, sent this round or not: one whose recipients were all
        # settled before (all unreachable, or its end failed last time) ends here too.
        for row in rows:
            if row.is_broadcast:
                await end_if_settled(self._db, row, self.on_broadcast_done)

    async def _send_batch(self, batch: Sequence[Call]) -> list[dict[Address, CallOutcome]]:
        try:
            if len(batch) == 1:
                return [await self._send_one(batch[0])]
            return await self._send_execute(batch)
        except TransientAPIError as error:
            return [call.failed(error.error_code, transient=True) for call in batch]
        except Exception:
            logger.exception("Sending a batch of {} calls failed", len(batch))
            return [call.failed(None) for call in batch]

    async def _send_one(self, call: Call) -> dict[Address, CallOutcome]:
        try:
            response = await self._api.request("messages.send", call.params())
        except VKAPIError as error:
            return call.failed(error.code)
        return call.outcomes(response.get("response"))

    async def _send_execute(self, batch: Sequence[Call]) -> list[dict[Address, CallOutcome]]:
        code = ",".join(call.vkscript() for call in batch)
        try:
            response = await self._api.request("execute", {"code": f"return [{code}];"})
        except VKAPIError as error:
            return [call.failed(error.code) for call in batch]
        results = response.get("response")
        if not isinstance(results, list) or len(results) != len(batch):
            logger.error("execute answered an unexpected shape; the batch will be retried")
            return [call.failed(None) for call in batch]
        # VK lists the failed calls' errors in order, one per `false` in the results.
        errors = iter(response.get("execute_errors") or [])
        outcomes: list[dict[Address, CallOutcome]] = []
        for call, result in zip(batch, results, strict=True):
            if result is False:
                call_error: dict[str, Any] = next(errors, {})
                outcomes.append(call.failed(call_error.get("error_code")))
            else:
                outcomes.append(call.outcomes(result))
        return outcomes
