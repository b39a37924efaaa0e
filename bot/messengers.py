"""Every messenger this process serves, as the one port the core calls (`Services.messengers`).

Each call goes to the adapter of the account, address or event it concerns: a profile to
the account's messenger, a file to the messenger the address is reached on, a button's
answer to the messenger it was pressed in. The core never picks a messenger itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.conversation.identity import Account
from bot.conversation.outgoing import AccountAddress, Address, Chat, File, Person, StoredFile
from bot.conversation.port import Messenger, names_only
from bot.parsing import PersonRef
from bot.russian import GenderCode
from bot.storage import Database


class Messengers:
    def __init__(self, db: Database, gateways: Mapping[str, Messenger]) -> None:
        if not gateways:
            raise ValueError("no messenger is switched on")
        self._db = db
        self._gateways = dict(gateways)
        # The first switched on (VK before MAX): where a call no account decides goes.
        self._first = next(iter(self._gateways.values()))

    @property
    def names(self) -> tuple[str, ...]:
        """The messengers switched on, VK first."""
        return tuple(self._gateways)

    def of(self, messenger: str) -> Messenger | None:
        return self._gateways.get(messenger)

    async def messenger_of(self, to: Address) -> str | None:
        """The messenger a message to `to` goes to (as the outbox routes it)."""
        if isinstance(to, AccountAddress):
            return to.account.messenger
        if isinstance(to, Chat):
            chat = await self._db.reader.chats.get(to.id)
            return None if chat is None else chat.messenger
        return (await self._db.reader.accounts.reach([to.id])).get(to.id)

    async def user_names(self, person_ids: list[int]) -> dict[int, tuple[str, str]]:
        return names_only(await self.user_profiles(person_ids))

    async def user_profiles(
        self, person_ids: list[int]
    ) -> dict[int, tuple[str, str, GenderCode | None]]:
        """Asked of each messenger for the people it knows, the ones left after the one
        before: someone on both is named by the first."""
        found: dict[int, tuple[str, str, GenderCode | None]] = {}
        for gateway in self._gateways.values():
            left = [person for person in person_ids if person not in found]
            if not left:
                break
            found |= await gateway.user_profiles(left)
        return found

    async def profile(self, account: Account | None) -> tuple[str, str, GenderCode | None]:
        gateway = self._for_account(account)
        return ("", "", None) if gateway is None else await gateway.profile(account)

    def placeholder_name(self, account: Account | None) -> str:
        gateway = self._for_account(account) or self._first
        return gateway.placeholder_name(account)

    async def account_of(self, ref: PersonRef) -> Account | None:
        """An account named outright (`max:123`) is that account; the other forms (`id123`,
        a vk.com link, a screen name) are VK's, asked of VK while it is on."""
        if ref.account is not None:
            return ref.account
        for gateway in self._gateways.values():
            account = await gateway.account_of(ref)
            if account is not None:
                return account
        return None

    async def resolve_screen_name(self, screen_name: str) -> int | None:
        for gateway in self._gateways.values():
            found = await gateway.resolve_screen_name(screen_name)
            if found is not None:
                return found
        return None

    async def upload(self, to: Address, file: File) -> StoredFile | None:
        """A file made ready for a message to `to`, on the messenger `to` is reached on."""
        messenger = await self.messenger_of(to)
        gateway = None if messenger is None else self._gateways.get(messenger)
        return None if gateway is None else await gateway.upload(to, file)

    async def upload_each(
        self, recipients: Sequence[Address], file: File
    ) -> dict[Address, StoredFile | None]:
        """One file for many recipients: uploaded once per messenger they are reached on
        (a file uploaded to one messenger means nothing to another)."""
        # The people's messengers in one read; chats and named accounts say theirs.
        people = [to.id for to in recipients if isinstance(to, Person)]
        reach = await self._db.reader.accounts.reach(people) if people else {}
        by_messenger: dict[str | None, list[Address]] = {}
        for to in recipients:
            messenger = reach.get(to.id) if isinstance(to, Person) else await self.messenger_of(to)
            by_messenger.setdefault(messenger, []).append(to)
        stored: dict[Address, StoredFile | None] = {}
        for messenger, group in by_messenger.items():
            gateway = None if messenger is None else self._gateways.get(messenger)
            uploaded = None if gateway is None else await gateway.upload(group[0], file)
            stored |= dict.fromkeys(group, uploaded)
        return stored

    async def download(
        self, url: str, max_bytes: int, messenger: str | None = None
    ) -> bytes | None:
        """A file a person sent on `messenger` (the one the event came from): only that
        messenger's adapter fetches it, from that messenger's file hosts."""
        gateway = self._gateways.get(messenger) if messenger else self._first
        return None if gateway is None else await gateway.download(url, max_bytes)

    def invitation_link(self, code: str, messenger: str | None = None) -> str:
        """The deep link to the bot on `messenger` (where the one who asks is), or on the
        first messenger switched on."""
        gateway = self._gateways.get(messenger or "", self._first)
        return gateway.invitation_link(code)

    def answer_callback_soon(
        self, event_id: str, account: Account | None, peer_id: int, snackbar: str | None
    ) -> None:
        gateway = self._for_account(account)
        if gateway is not None:
            gateway.answer_callback_soon(event_id, account, peer_id, snackbar)

    async def finish_answers(self) -> None:
        for gateway in self._gateways.values():
            await gateway.finish_answers()

    def _for_account(self, account: Account | None) -> Messenger | None:
        return None if account is None else self._gateways.get(account.messenger)
