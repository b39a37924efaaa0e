"""Drains the outbox rows routed to MAX: one message a request, each exactly once.

MAX takes no idempotency key, so a send whose answer is lost cannot simply be repeated.
Each message is recorded as attempted (its time) before its call; after an ambiguous failure
(a 5xx, a dropped connection, a timeout), and after a restart for whatever was attempted and
not recorded as sent, the chat is read back (GET /messages) and the message looked for: the
bot's, with the same text, sent since the attempt and not claimed by another row. Found, it
is recorded as sent; not found, it goes again. Nobody gets a message twice, nobody misses
one."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from loguru import logger

from bot import faults
from bot.broadcasts import end_if_settled
from bot.conversation.identity import MAX
from bot.conversation.outgoing import (
    Address,
    Chat,
    Person,
    derived_random_id,
    mentioned_people,
    message_data,
)
from bot.max.api import AmbiguousSendError, MaxAPI, MaxAPIError, TransientMaxError
from bot.max.directory import Directory
from bot.max.outgoing import Part, Target, render, target_of
from bot.max.people import max_users_of
from bot.outbox_loop import RETRY_PAUSE_CAP, RETRY_PAUSE_FIRST, OutboxLoop, Step
from bot.storage import Database
from bot.storage.deliveries import Attempt, Delivered
from bot.storage.outbox import OutboxRow
from bot.texts import t

# Rows read for one round, and at most this many of one peer's (they go in order).
READ_LIMIT = 60
PER_PEER = 5
# A broadcast's recipients taken in one round: about a second's worth at MAX's limit, so
# its progress is recorded every second or so.
BROADCAST_ROUND = 30
# Calls in flight at once; the limiter spaces them anyway.
LANES = 8
# After a wake-up, replies committed within this many seconds go out in the same round (as
# on VK): fuller rounds, fewer reads and records per reply, and nobody notices 2 ms.
LINGER = 0.002
# A failure nobody explained is tried this many times, then given up.
MAX_UNEXPLAINED_ATTEMPTS = 8
# How far before its attempt a message read back may be stamped (MAX's clock and ours).
CLOCK_MARGIN_MS = 2000
READ_BACK = 50
# A broadcast this large tells its sender how far it got, this often.
PROGRESS_MIN_RECIPIENTS = 300
PROGRESS_EVERY = 15.0
# Delivery reports name reasons by code (bot/texts.py, VK's numbers): the bot is not in the
# chat (917), the message is too long (914); anything else is a plain failure (0).
NOT_IN_CHAT = 917
TOO_LONG = 914


@dataclass
class Job:
    """One message to one address: a reply row, or a broadcast's recipient."""

    row: OutboxRow
    to: Address
    attempt: Attempt
    attempted_at: int | None


@dataclass(frozen=True)
class Outcome:
    """None `state`: try again later (`unexplained` counts towards giving up)."""

    state: str | None
    refs: tuple[str, ...] = ()
    error_code: int | None = None
    unexplained: bool = False


RETRY = Outcome(None)


def _refused(error: MaxAPIError, to: Address) -> Outcome:
    """A refusal in MAX's words, as a final state or a retry."""
    if error.status == 401 or error.code == "attachment.not.ready":
        return RETRY  # the bot's token, or a file MAX is still processing: not the message's
    if error.status in (403, 404):
        if isinstance(to, Chat):
            return Outcome("failed", error_code=NOT_IN_CHAT)
        return Outcome("undeliverable", error_code=error.status)
    if error.code == "text.too.long":
        return Outcome("failed", error_code=TOO_LONG)
    return Outcome("failed", error_code=0)


class MaxSender(OutboxLoop):
    log_name = "MAX outbox"

    def __init__(
        self,
        db: Database,
        api: MaxAPI,
        directory: Directory,
        bot_id: Callable[[], int],
        retry_pause_first: float = RETRY_PAUSE_FIRST,
        retry_pause_cap: float = RETRY_PAUSE_CAP,
        progress_every: float = PROGRESS_EVERY,
        progress_min: int = PROGRESS_MIN_RECIPIENTS,
    ) -> None:
        super().__init__(retry_pause_first, retry_pause_cap)
        self._db = db
        self._api = api
        self._directory = directory
        self._bot_id = bot_id
        self.progress_every = progress_every
        self.progress_min = progress_min
        self._unexplained: dict[Attempt, int] = {}
        self._last_progress: dict[int, float] = {}
        self._lanes = asyncio.Semaphore(LANES)

    # ------------------------------------------------------------------------ a round

    async def _before_round(self) -> None:
        if not self._stopping:
            await asyncio.sleep(LINGER)

    async def _round(self) -> Step:
        rows = await self._db.reader.outbox.pending_in_turn(
            limit=READ_LIMIT, per_peer=PER_PEER, messenger=MAX
        )
        if not rows:
            return Step.IDLE
        self._idle.clear()
        jobs = await self._jobs(rows)
        people = {to.id for job in jobs for to in [job.to] if isinstance(to, Person)}
        people |= {
            person
            for row in rows
            if row.body_json
            for person in mentioned_people(str(row.body.get("text", "")))
        }
        users = await max_users_of(self._db, people)
        claimed = await self._claimed(jobs)
        await self._mark_attempted(jobs)
        outcomes = await self._send_all(jobs, users, claimed)
        retry, settled = await self._record(rows, jobs, outcomes)
        for row in rows:
            if row.is_broadcast:
                await self._progress(row)
        if retry:
            return Step.PARTLY if settled else Step.RETRY
        per_peer = Counter(row.peer_id for row in rows)
        if (
            any(row.is_broadcast for row in rows)
            or len(rows) >= READ_LIMIT
            or max(per_peer.values()) >= PER_PEER  # a peer's later ones were not read
        ):
            return Step.MORE
        return Step.DONE

    async def _jobs(self, rows: Sequence[OutboxRow]) -> list[Job]:
        # A reply's last attempt comes with its row (no read of its own).
        jobs = [
            Job(row, row.to, Attempt(row.id), row.attempted_at)
            for row in rows
            if not row.is_broadcast
        ]
        for row in rows:
            if not row.is_broadcast:
                continue
            # Its progress is counted from the round it was first seen in.
            self._last_progress.setdefault(row.id, time.monotonic())
            recipients = await self._db.reader.outbox.pending_recipients(
                row.id, BROADCAST_ROUND, MAX
            )
            marks = await self._db.reader.deliveries.attempted_recipients(
                row.id, [to.id for to in recipients]
            )
            jobs += [Job(row, to, Attempt(row.id, to.id), marks.get(to.id)) for to in recipients]
        return jobs

    async def _mark_attempted(self, jobs: Sequence[Job]) -> None:
        """Marks the round's first attempts in one write, before any of their calls: a mark
        for one that then does not go (its peer's earlier one failed) only makes it be
        looked for in its chat before it goes. A job attempted before keeps its old mark
        until it has been looked for (see _deliver): the look reaches back to that mark."""
        fresh = [job.attempt for job in jobs if job.attempted_at is None]
        if not fresh:
            return
        now = _now_ms()
        replies = [a for a in fresh if a.peer_id is None]
        recipients = [a for a in fresh if a.peer_id is not None]
        await self._db.write(
            lambda tx: tx.deliveries.attempted_statement(replies, now),
            lambda tx: tx.deliveries.attempted_statement(recipients, now),
        )

    async def _claimed(self, jobs: Sequence[Job]) -> set[str]:
        """Messages other rows already took, for the rows that will be looked for."""
        times = [job.attempted_at for job in jobs if job.attempted_at is not None]
        if not times:
            return set()
        return await self._db.reader.deliveries.claimed_since(min(times) - CLOCK_MARGIN_MS)

    async def _send_all(
        self, jobs: Sequence[Job], users: dict[int, int], claimed: set[str]
    ) -> dict[Attempt, Outcome]:
        """Each peer's replies in order (one stopped, the rest of that peer's wait), peers and
        a broadcast's recipients side by side."""
        lanes: dict[tuple[int, int], list[Job]] = defaultdict(list)
        for job in jobs:
            key = (job.row.id, job.to.id) if job.row.is_broadcast else (0, job.row.peer_id)
            lanes[key].append(job)
        outcomes: dict[Attempt, Outcome] = {}

        async def lane(queue: list[Job]) -> None:
            for job in queue:
                async with self._lanes:
                    outcome = await self._deliver(job, users, claimed)
                outcomes[job.attempt] = outcome
                if outcome.state is None:
                    return  # the next ones of this peer wait: they must not overtake it

        await asyncio.gather(*(lane(queue) for queue in lanes.values()))
        return outcomes

    async def _deliver(self, job: Job, users: dict[int, int], claimed: set[str]) -> Outcome:
        target = target_of(job.to, users)
        if target is None:
            return Outcome("undeliverable")
        parts = render(job.row.body, users) if job.row.body_json else []
        if not parts:
            return Outcome("sent")  # nothing MAX can show (another messenger's file only)
        try:
            refs: list[str] = []
            if job.attempted_at is not None:
                found = await self._look_for(job, target, parts, claimed)
                if found is None:
                    return RETRY  # the chat cannot be read now: looked for again later
                refs, claimed_now = found, set(found)
                claimed |= claimed_now
                parts = parts[len(refs) :]
                if not parts:
                    logger.info("MAX outbox row {}: found sent, not sending again", job.row.id)
                    return Outcome("sent", tuple(refs))
                # Looked for and not all found: marked anew before the rest goes.
                await self._db.write(
                    lambda tx: tx.deliveries.attempted_statement([job.attempt], _now_ms())
                )
            for part in parts:
                answer = await self._api.request(
                    "POST", "/messages", target.params, part.body, repeatable=False
                )
                message = answer.get("message") if isinstance(answer, dict) else None
                mid = str(((message or {}).get("body") or {}).get("mid") or "")
                refs.append(mid)
                claimed.add(mid)
                await self._learn_dialog(target, message)
            return Outcome("sent", tuple(refs))
        except AmbiguousSendError as error:
            logger.warning("MAX send of row {} may have gone ({})", job.row.id, error.reason)
            return RETRY
        except TransientMaxError as error:
            logger.warning("MAX send of row {} failed for now ({})", job.row.id, error.reason)
            return RETRY
        except MaxAPIError as error:
            outcome = _refused(error, job.to)
            if outcome.state is not None:
                logger.warning(
                    "MAX refused row {}: HTTP {} {}", job.row.id, error.status, error.code
                )
            return outcome
        except (sqlite3.Error, OSError):
            raise
        except Exception:
            logger.exception("Sending MAX outbox row {} failed", job.row.id)
            return Outcome(None, unexplained=True)

    async def _learn_dialog(self, target: Target, message: Any) -> None:
        if target.user_id is None or not isinstance(message, dict):
            return
        recipient = message.get("recipient") or {}
        chat_id = recipient.get("chat_id")
        if isinstance(chat_id, int) and recipient.get("chat_type") == "dialog":
            await self._directory.note_dialogs({target.user_id: chat_id})

    async def _look_for(
        self, job: Job, target: Target, parts: Sequence[Part], claimed: set[str]
    ) -> list[str] | None:
        """The messages of the row's parts found in the chat, in order, up to the first one
        missing; None if the chat cannot be read (then nothing is sent now either)."""
        chat_id = (
            target.chat_id
            if target.user_id is None
            else await self._directory.dialog_of(target.user_id)
        )
        if chat_id is None:
            # A dialog the bot never learned (its database predates it): nothing to read,
            # so the message goes again rather than never.
            logger.warning("MAX outbox row {}: no dialog to look in; sending", job.row.id)
            return []
        assert job.attempted_at is not None
        try:
            answer = await self._api.request(
                "GET", "/messages", {"chat_id": chat_id, "count": READ_BACK}
            )
        except (TransientMaxError, MaxAPIError) as error:
            logger.warning("MAX outbox row {}: the chat could not be read ({})", job.row.id, error)
            return None
        since = job.attempted_at - CLOCK_MARGIN_MS
        bot_id = self._bot_id()
        mine = [
            message
            for message in reversed(answer.get("messages") or [])  # oldest first
            if isinstance(message, dict)
            and ((message.get("sender") or {}).get("user_id") == bot_id)
            and int(message.get("timestamp") or 0) >= since
        ]
        found: list[str] = []
        for part in parts:
            wanted = {part.shown, str(part.body.get("text", ""))}
            match = next(
                (
                    message
                    for message in mine
                    if str((message.get("body") or {}).get("mid")) not in claimed
                    and str((message.get("body") or {}).get("text") or "") in wanted
                ),
                None,
            )
            if match is None:
                break
            mid = str(match["body"]["mid"])
            claimed.add(mid)
            found.append(mid)
            mine = mine[mine.index(match) + 1 :]
        return found

    # ------------------------------------------------------------------------ outcomes

    async def _record(
        self, rows: Sequence[OutboxRow], jobs: Sequence[Job], outcomes: dict[Attempt, Outcome]
    ) -> tuple[bool, bool]:
        """Writes the round's outcomes in one transaction, ends the broadcasts whose
        recipients are all settled; returns (some are to be tried again, some settled)."""
        delivered: list[Delivered] = []
        unreachable: list[int] = []
        retry = False
        for job in jobs:
            outcome = outcomes.get(job.attempt)
            if outcome is None or outcome.state is None:
                retry = True
                if outcome is None or not outcome.unexplained:
                    continue
                count = self._unexplained[job.attempt] = self._unexplained.get(job.attempt, 0) + 1
                if count < MAX_UNEXPLAINED_ATTEMPTS:
                    continue
                logger.error("MAX outbox row {} given up after retries", job.row.id)
                outcome = Outcome("failed", error_code=0)
            self._unexplained.pop(job.attempt, None)
            if outcome.state == "undeliverable" and isinstance(job.to, Person):
                unreachable.append(job.to.id)
            delivered.append(
                Delivered(
                    job.attempt,
                    outcome.state or "failed",
                    ",".join(outcome.refs) or None,
                    outcome.error_code,
                )
            )
        faults.boundary(faults.SENT_UNRECORDED)
        statements = self._db.reader.deliveries.delivered_statements(delivered)
        await self._db.write(
            *statements, lambda tx: tx.people.set_unreachable_statement(unreachable)
        )
        for row in rows:
            if row.is_broadcast:
                await end_if_settled(self._db, row, self.on_broadcast_done)
        return retry, bool(delivered)

    async def _progress(self, row: OutboxRow) -> None:
        """Tells a large broadcast's sender how far it got, every so often."""
        if row.report_to is None:
            return
        now = time.monotonic()
        if now - self._last_progress.get(row.id, now) < self.progress_every:
            return
        counts = await self._db.reader.outbox.delivery(row.id)
        total = counts.sent + counts.undeliverable + counts.failed + counts.pending
        if counts.pending == 0:
            self._last_progress.pop(row.id, None)
            return
        if total < self.progress_min:
            return
        self._last_progress[row.id] = now
        text = t("broadcast_progress", sent=counts.sent, total=total)
        key = derived_random_id("progress", row.id, counts.sent)
        to = Person(row.report_to)
        await self._db.write(
            lambda tx: tx.outbox.add_replies_statement([(to, key, message_data(text))])
        )
        # On another messenger (the sender reached there), its sender finds it within
        # seconds: it looks at the outbox every few seconds anyway.
        self.wake()


def _now_ms() -> int:
    return int(time.time() * 1000)
