"""A school moving from VK to MAX: a person's accounts on both messengers joined by a
one-time link, where each person is reached, and how far each class has moved."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.conversation.identity import Account
from bot.domain.invitations import hash_code
from bot.domain.movement import forget_person
from bot.storage import Database
from bot.storage.links import ClassReach

# A link's payload starts with this, so it can never be taken for an invitation code (those
# are 22 characters of `secrets.token_urlsafe`) and an invitation code never for a link.
LINK_PREFIX = "link_"
LINK_TTL = timedelta(minutes=30)
LINK_BYTES = 16
# Used and expired links are kept this long after they lapse, then forgotten.
LINK_KEPT = timedelta(days=1)


def is_link_payload(payload: str | None) -> bool:
    return bool(payload) and str(payload).strip().startswith(LINK_PREFIX)


class LinkStatus(StrEnum):
    LINKED = "linked"
    # Unknown, expired or used.
    WRONG = "wrong"
    # Opened on the messenger it was given on, not the other one.
    WRONG_MESSENGER = "wrong_messenger"
    # The account is already this person's.
    SAME = "same"
    # The person already has another account on that messenger.
    ALREADY_HAS = "already_has"
    # The account belongs to someone who consented or holds roles.
    TAKEN = "taken"


@dataclass(frozen=True)
class LinkResult:
    status: LinkStatus
    # The person the link was given to.
    person_id: int | None = None
    # The person's accounts after linking, by messenger.
    accounts: dict[str, Account] = field(default_factory=dict)


class MovingService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def accounts(self, person_id: int) -> dict[str, Account]:
        """The person's accounts, by messenger."""
        found = await self._db.reader.accounts.of_person(person_id)
        return {account.messenger: account for account in found}

    async def reached_on(self, person_id: int) -> str | None:
        """The messenger messages to the person go to (see REACH_SQL)."""
        return (await self._db.reader.accounts.reach([person_id])).get(person_id)

    async def chosen(self, person_id: int) -> str | None:
        return await self._db.reader.account_links.chosen(person_id)

    async def issue_link(self, person_id: int, messenger: str) -> str:
        """A one-time payload for the deep link to the bot on `messenger`: opened there, it
        links the account that opens it to this person. Only its hash is kept."""
        payload = LINK_PREFIX + secrets.token_urlsafe(LINK_BYTES)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await tx.account_links.forget_old(now - LINK_KEPT)
            await tx.account_links.issue(hash_code(payload), person_id, messenger, now + LINK_TTL)
        return payload

    async def redeem_link(self, account: Account, holder_id: int, payload: str) -> LinkResult:
        """The link opened from `account` (whose person is now `holder_id`). Linked only if
        the account's person is the bare one made at first contact (no consent, no role):
        that person goes, and the account joins the link's person with everything theirs."""
        code_hash = hash_code(payload)
        async with self._db.transaction() as tx:
            row = await tx.account_links.get(code_hash)
            if row is None or row.used or row.expires_at <= self._clock.now():
                return LinkResult(LinkStatus.WRONG)
            target = row.person_id
            if account.messenger != row.messenger:
                return LinkResult(LinkStatus.WRONG_MESSENGER, target)
            owned = {a.messenger: a for a in await tx.accounts.of_person(target)}
            if holder_id == target:
                return LinkResult(LinkStatus.SAME, target, accounts=owned)
            if account.messenger in owned:
                return LinkResult(LinkStatus.ALREADY_HAS, target, accounts=owned)
            holder = await tx.people.get(holder_id)
            roles = await tx.roles.active_for(holder_id)
            if (holder is not None and holder.consent_at is not None) or roles:
                return LinkResult(LinkStatus.TAKEN, target, accounts=owned)
            if not await tx.account_links.use(code_hash):
                return LinkResult(LinkStatus.WRONG)
            await tx.account_links.move_account(account, target)
            # Linking is choosing anew: the person is reached where they linked last.
            await tx.account_links.set_reached_on(target, None)
            if holder is not None:
                await forget_person(tx, holder_id)
            await tx.audit.write(
                "account_linked",
                actor_id=target,
                subject_id=target,
                details={"messenger": account.messenger},
            )
            owned[account.messenger] = account
        return LinkResult(LinkStatus.LINKED, target, owned)

    async def choose(self, person_id: int, messenger: str) -> bool:
        """The person will be reached on `messenger`; False if they have no account there."""
        async with self._db.transaction() as tx:
            owned = {a.messenger for a in await tx.accounts.of_person(person_id)}
            if messenger not in owned:
                return False
            await tx.account_links.set_reached_on(person_id, messenger)
        return True

    async def class_reach(self) -> list[ClassReach]:
        return await self._db.reader.account_links.class_reach()

    async def school_reach(self) -> ClassReach:
        return await self._db.reader.account_links.school_reach()
