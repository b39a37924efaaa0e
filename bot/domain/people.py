"""First contact, consent (152-FZ) and withdrawal of consent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.conversation.identity import Account
from bot.domain.invitations import hash_code
from bot.domain.movement import forget_person
from bot.domain.roles import Actor, Role, RoleGrant
from bot.russian import GenderCode
from bot.storage import Database
from bot.storage.people import StateRow

REF_CODE_MAX = 64


@dataclass(frozen=True)
class ConsentResult:
    actor: Actor
    newly_consented: bool
    granted: tuple[Role, ...]
    # The hash of the invitation code the person came with, if any.
    pending_ref: str | None


class PeopleService:
    def __init__(
        self, db: Database, admins: Iterable[Account], directors: Iterable[Account]
    ) -> None:
        self._db = db
        self._admins = frozenset(admins)
        self._directors = frozenset(directors)

    async def load_actor(self, person_id: int) -> Actor:
        actor, _ = await self.load_actor_and_dialog(person_id)
        return actor

    async def load_actor_and_dialog(self, person_id: int) -> tuple[Actor, StateRow | None]:
        """The person acting and the dialog step they are at, in one read."""
        snapshot = await self._db.person_snapshot(person_id)
        person = snapshot.person
        if person is None:
            return Actor(person_id=person_id), snapshot.dialog
        grants = tuple(
            RoleGrant(
                role=Role(row.role),
                class_id=row.class_id,
                class_name=row.class_name,
                verified=row.verified_at is not None,
            )
            for row in snapshot.roles
        )
        actor = Actor(
            person_id=person_id,
            full_name=person.full_name,
            consented_at=person.consent_at,
            pending_ref=person.pending_ref,
            grants=grants,
        )
        return actor, snapshot.dialog

    async def person_of(self, account: Account) -> int | None:
        """Whom the account belongs to; None: nobody the bot knows."""
        return await self._db.reader.accounts.person_of(account)

    async def note_profile(
        self, person_id: int, full_name: str, gender: GenderCode | None, placeholder: str
    ) -> None:
        """What VK says of a consented person who comes back: their gender, if not kept yet
        (people who consented before genders were kept), and their name, if consent was
        given while VK did not answer and only the placeholder was kept."""
        async with self._db.transaction() as tx:
            if gender is not None:
                await tx.people.record_gender(person_id, gender)
            if full_name:
                await tx.people.replace_placeholder_name(person_id, placeholder, full_name)

    async def remember_ref(self, person_id: int, code: str, account: Account | None = None) -> None:
        """Before consent only the account and the invitation code's hash are kept."""
        code = code.strip()[:REF_CODE_MAX]
        if not code:
            return
        async with self._db.transaction() as tx:
            await tx.people.ensure(person_id)
            if account is not None:
                await tx.accounts.link(account, person_id)
            await tx.people.set_pending_ref(person_id, hash_code(code))

    async def forget_pending_refs(self, before: datetime) -> int:
        """Codes of people who came before `before` and never consented are forgotten."""
        async with self._db.transaction() as tx:
            return await tx.people.forget_pending_refs(before)

    async def consent(
        self,
        person_id: int,
        full_name: str,
        gender: GenderCode | None = None,
        account: Account | None = None,
    ) -> ConsentResult:
        """Records consent, and links the account the person wrote from. ADMIN_IDS /
        DIRECTOR_IDS grant their role once per account, here; after that the database
        decides, so a removal sticks across a new consent (a forgotten person who comes
        back is a new person with the same account)."""
        async with self._db.transaction() as tx:
            person = await tx.people.ensure(person_id)
            if account is not None:
                await tx.accounts.link(account, person_id)
            accounts = await tx.accounts.of_person(person_id)
            newly = person.consent_at is None
            granted: list[Role] = []
            if newly:
                await tx.people.record_consent(person_id, full_name, gender)
                await tx.audit.write("consent_given", actor_id=person_id, subject_id=person_id)
            seeded = await tx.roles.seeded(accounts)
            for role, listed in (
                (Role.DIRECTOR, self._directors),
                (Role.ADMIN, self._admins),
            ):
                by = [account for account in accounts if account in listed]
                if by and role.value not in seeded:
                    await tx.roles.grant(person_id, role.value, verified=True)
                    await tx.roles.record_seeded(by[0], role.value)
                    granted.append(role)
            pending_ref = person.pending_ref
            if pending_ref is not None:
                await tx.people.set_pending_ref(person_id, None)
        actor = await self.load_actor(person_id)
        return ConsentResult(
            actor=actor,
            newly_consented=newly,
            granted=tuple(granted),
            pending_ref=pending_ref,
        )

    async def forget(self, person_id: int) -> None:
        """Withdrawal of consent: the person's data goes; audit rows stay, holding no name."""
        async with self._db.transaction() as tx:
            await tx.audit.write("consent_withdrawn", actor_id=person_id, subject_id=person_id)
            await forget_person(tx, person_id, listed=self._admins | self._directors)

    async def admin_names(self) -> list[tuple[int, str]]:
        """The school's admins as (person id, name), for the support page."""
        repos = self._db.reader
        holders = await repos.roles.holders(Role.ADMIN.value)
        ids = sorted({row.person_id for row in holders})
        names = await repos.people.names(ids)
        return [(person_id, names.get(person_id, "")) for person_id in ids]
