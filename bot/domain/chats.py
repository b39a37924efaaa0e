"""The chat register (clauses 2.2–2.4): which VK chat serves which class and purpose."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from bot.domain.roles import Actor, Role
from bot.storage import Database, Repositories
from bot.storage.chats import ChatRow
from bot.storage.classes import ClassRow

CLASS_KINDS = ("students", "parents", "teachers")
MANAGEMENT_KINDS = ("deputies", "teachers", "parents_council", "students_council")
CHANNEL_KINDS = ("school", "staff")


@dataclass(frozen=True)
class ChatMember:
    member_id: int
    is_owner: bool


class ChatPlatform(Protocol):
    """What the messenger lets the bot do in a chat; None/False where it lacks admin rights."""

    async def invite_link(self, peer_id: int, reset: bool) -> str | None: ...

    async def members(self, peer_id: int) -> list[ChatMember] | None: ...

    async def remove(self, peer_id: int, person_id: int) -> bool: ...

    async def add(self, peer_id: int, person_id: int) -> bool:
        """Adds a person to the chat; False where the messenger does not let the bot (VK's
        community bots cannot add people: they are given the chat's link instead)."""
        ...


class BindOutcome(StrEnum):
    BOUND = "bound"
    NOT_ALLOWED = "not_allowed"
    NOT_CREATOR = "not_creator"
    TAKEN = "taken"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Binding:
    kind: str
    sub_kind: str | None = None
    school_class: ClassRow | None = None

    @property
    def class_id(self) -> int | None:
        return None if self.school_class is None else self.school_class.id


@dataclass(frozen=True)
class BindResult:
    outcome: BindOutcome
    chat: ChatRow | None = None
    other: ChatRow | None = None


@dataclass(frozen=True)
class Mismatch:
    """Who of the class should be in a chat and is not, and who is there and is not of it."""

    chat: ChatRow
    checked: bool
    missing: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Removal:
    removed: list[ChatRow] = field(default_factory=list)
    failed: list[ChatRow] = field(default_factory=list)


def may_bind(actor: Actor, binding: Binding) -> bool:
    if actor.is_admin:
        return True
    if binding.kind in CLASS_KINDS:
        return binding.class_id in actor.classes_as(Role.CLASS_TEACHER)
    if binding.kind == "subject":
        return actor.has(Role.TEACHER, Role.CLASS_TEACHER)
    if binding.kind == "management":
        return actor.has(Role.DIRECTOR)
    if binding.kind == "other":
        return actor.has(Role.TEACHER, Role.CLASS_TEACHER, Role.DIRECTOR)
    return False


def may_manage(actor: Actor, chat: ChatRow) -> bool:
    """Unbinding a chat or replacing its link: whoever may bind it so, or bound it."""
    if chat.kind is None:
        return actor.is_admin or chat.added_by == actor.person_id
    binding = Binding(chat.kind, chat.sub_kind, _class_of(chat))
    return may_bind(actor, binding) or chat.bound_by == actor.person_id


def bindable_kinds(actor: Actor) -> list[Binding]:
    """The bindings a person may offer by buttons, for the classes they lead."""
    options: list[Binding] = []
    for grant in actor.grants:
        if grant.role is Role.CLASS_TEACHER and grant.active and grant.class_id is not None:
            school_class = ClassRow(grant.class_id, grant.class_name or "", None, None, False)
            options += [Binding(kind, None, school_class) for kind in CLASS_KINDS]
    if actor.has(Role.DIRECTOR) or actor.is_admin:
        options += [Binding("management", sub) for sub in MANAGEMENT_KINDS]
    if actor.is_admin:
        options += [Binding("channel", sub) for sub in CHANNEL_KINDS]
    return options


class ChatService:
    def __init__(self, db: Database, platforms: Mapping[str, ChatPlatform]) -> None:
        self._db = db
        # Each messenger's chat operations, by the messenger's name (see ChatRow.messenger).
        self._platforms = platforms

    def _platform(self, messenger: str) -> ChatPlatform:
        platform = self._platforms.get(messenger)
        return _SwitchedOff() if platform is None else platform

    async def bot_added(self, peer_id: int, added_by: int | None, messenger: str) -> None:
        async with self._db.transaction() as tx:
            await tx.chats.added(peer_id, added_by, messenger)

    async def bot_removed(self, peer_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.chats.bot_left(peer_id)

    async def member_joined(self, peer_id: int, member_id: int) -> None:
        """Someone was added to a chat or joined it by its link (the chat's own event)."""
        async with self._db.transaction() as tx:
            await tx.chats.add_member(peer_id, member_id)

    async def member_left(self, peer_id: int, member_id: int) -> None:
        """Someone left a chat or was removed from it (the chat's own event)."""
        async with self._db.transaction() as tx:
            await tx.chats.remove_member(peer_id, member_id)

    async def get(self, peer_id: int) -> ChatRow | None:
        return await self._db.reader.chats.get(peer_id)

    async def bind(
        self, actor: Actor, peer_id: int, binding: Binding, title: str, messenger: str
    ) -> BindResult:
        if not may_bind(actor, binding):
            return BindResult(BindOutcome.NOT_ALLOWED)
        platform = self._platform(messenger)
        # The messenger is asked first: nothing the event changes is written before it, so
        # the event's unit of work never holds the writer while the messenger answers.
        members = await platform.members(peer_id)
        chat = await self._db.reader.chats.get(peer_id)
        if chat is None:
            async with self._db.observation() as tx:
                await tx.chats.added(peer_id, None, messenger)
            chat = await self._db.reader.chats.get(peer_id)
            assert chat is not None
        owners = {m.member_id for m in members or [] if m.is_owner}
        if not actor.is_admin and actor.person_id not in owners | {chat.added_by}:
            return BindResult(BindOutcome.NOT_CREATOR, chat)
        unique = binding.kind in CLASS_KINDS or binding.kind in ("management", "channel")
        if unique:
            other = await self._db.reader.chats.holder_of(
                binding.kind, binding.class_id, binding.sub_kind, messenger
            )
            if other is not None and other.peer_id != peer_id:
                return BindResult(BindOutcome.TAKEN, chat, other)
        link = await platform.invite_link(peer_id, reset=False)
        async with self._db.transaction() as tx:
            if unique:
                # Read again in the transaction: another chat may have been bound meanwhile.
                other = await tx.chats.holder_of(
                    binding.kind, binding.class_id, binding.sub_kind, messenger
                )
                if other is not None and other.peer_id != peer_id:
                    return BindResult(BindOutcome.TAKEN, chat, other)
            await tx.chats.bind(
                peer_id, binding.kind, binding.class_id, binding.sub_kind, title, actor.person_id
            )
            implies_teaching = binding.kind == "subject" and binding.class_id is not None
            if implies_teaching and actor.has(Role.TEACHER, Role.CLASS_TEACHER):
                # A teacher who binds a subject chat for a class teaches it (clause 2.4): the
                # class becomes theirs to announce to, unless the admin said otherwise.
                assert binding.class_id is not None
                await tx.teaching.teach(
                    actor.person_id,
                    binding.class_id,
                    binding.sub_kind,
                    "chat",
                    actor.person_id,
                    replace=False,
                )
            await tx.audit.write(
                "chat_bound",
                actor.person_id,
                details={"peer": peer_id, "kind": binding.kind, "sub": binding.sub_kind},
            )
            await self._store_access(tx, peer_id, members, link, messenger, known=True)
        bound = await self._db.reader.chats.get(peer_id)
        return BindResult(BindOutcome.BOUND, bound)

    async def unbind(self, actor: Actor, peer_id: int) -> BindResult:
        chat = await self._db.reader.chats.get(peer_id)
        if chat is None or chat.kind is None:
            return BindResult(BindOutcome.NOT_FOUND, chat)
        if not may_manage(actor, chat):
            return BindResult(BindOutcome.NOT_ALLOWED, chat)
        async with self._db.transaction() as tx:
            await tx.chats.unbind(peer_id)
            if chat.kind == "subject" and chat.bound_by and chat.class_id is not None:
                # What the chat implied goes with it, unless another of their subject chats
                # for the class still implies it (what the admin set stays).
                still = [
                    other
                    for other in await tx.chats.bound_by(chat.bound_by, "subject")
                    if other.class_id == chat.class_id and other.peer_id != peer_id
                ]
                if not still:
                    await tx.teaching.stop(chat.bound_by, [chat.class_id], source="chat")
            await tx.audit.write("chat_unbound", actor.person_id, details={"peer": peer_id})
        return BindResult(BindOutcome.BOUND, chat)

    async def relink(self, actor: Actor, peer_id: int, messenger: str) -> BindResult:
        """A new invitation link kills the old one that people were given: the same rule
        as unbinding decides who may."""
        chat = await self._db.reader.chats.get(peer_id)
        allowed = actor.is_admin if chat is None else may_manage(actor, chat)
        if not allowed:
            return BindResult(BindOutcome.NOT_ALLOWED, chat)
        refreshed = await self.refresh(peer_id, reset_link=True, messenger=messenger)
        return BindResult(BindOutcome.BOUND, refreshed)

    async def refresh(
        self,
        peer_id: int,
        members: list[ChatMember] | None = None,
        reset_link: bool = False,
        messenger: str | None = None,
    ) -> ChatRow | None:
        """Asks the messenger for the chat's link and members: both need admin rights.
        `messenger` is needed only for a chat not yet recorded."""
        known = await self._db.reader.chats.get(peer_id)
        whose = known.messenger if known is not None else messenger
        if whose is None:
            return None
        platform = self._platform(whose)
        if members is None:
            members = await platform.members(peer_id)
        link = await platform.invite_link(peer_id, reset=reset_link)
        async with self._db.observation() as tx:
            await self._store_access(tx, peer_id, members, link, whose, known is not None)
        return await self._db.reader.chats.get(peer_id)

    @staticmethod
    async def _store_access(
        tx: Repositories,
        peer_id: int,
        members: list[ChatMember] | None,
        link: str | None,
        messenger: str,
        known: bool,
    ) -> None:
        if not known:
            # The bot was added while nobody recorded it (before it ran, or beyond the
            # long poll's memory): it is in the chat, so the chat is recorded now.
            await tx.chats.added(peer_id, None, messenger)
        admin = members is not None and link is not None
        await tx.chats.set_access(peer_id, admin, link)
        if members is not None:
            await tx.chats.set_members(peer_id, [m.member_id for m in members])

    async def class_chats(self, class_ids: list[int]) -> list[ChatRow]:
        return await self._db.reader.chats.of_classes(class_ids)

    async def all_bound(self) -> list[ChatRow]:
        return await self._db.reader.chats.bound()

    async def subject_chats(self, person_id: int) -> list[ChatRow]:
        return await self._db.reader.chats.bound_by(person_id, "subject")

    async def mismatch(self, chat: ChatRow) -> Mismatch:
        """Compares a class chat's members with the register."""
        refreshed = await self.refresh(chat.peer_id)
        if refreshed is None or not refreshed.bot_admin or chat.class_id is None:
            return Mismatch(chat, checked=False)
        repos = self._db.reader
        present = set(await repos.chats.members(chat.peer_id))
        teacher = await repos.roles.class_teacher_of(chat.class_id)
        expected: set[int] = set()
        if chat.kind == "students":
            expected = {r.person_id for r in await repos.roles.in_class(chat.class_id, "student")}
        elif chat.kind == "parents":
            expected = {r.person_id for r in await repos.roles.in_class(chat.class_id, "parent")}
        elif chat.kind == "teachers":
            subject = await repos.chats.of_classes([chat.class_id])
            expected = {c.bound_by for c in subject if c.kind == "subject" and c.bound_by}
        staff = {teacher} if teacher else set()
        admins = {r.person_id for r in await repos.roles.holders(Role.ADMIN.value)}
        allowed = expected | staff | admins
        missing = sorted(expected - present)
        extra = sorted(member for member in present - allowed if member > 0)
        return Mismatch(refreshed, True, missing, extra)

    async def link_for(self, class_id: int, kind: str, messenger: str | None = None) -> str | None:
        """The link of a class's chat: on `messenger` if it has one there, else any."""
        chats = await self._db.reader.chats.holders_of(kind, class_id, None)
        chats.sort(key=lambda chat: chat.messenger != messenger)
        return next((chat.invite_link for chat in chats if chat.invite_link), None)

    async def add_to_class(self, person_id: int, class_id: int, kind: str) -> ChatRow | None:
        """Adds a person who just joined a class to its chat of `kind` on the messenger they
        are reached on, where the bot is the chat's admin and the messenger lets it; the
        chat if they were added. Called with no unit holding the writer (it asks the
        messenger)."""
        repos = self._db.reader
        messenger = (await repos.accounts.reach([person_id])).get(person_id)
        if messenger is None:
            return None
        chat = await repos.chats.holder_of(kind, class_id, None, messenger)
        if chat is None or not chat.bot_admin or chat.left:
            return None
        if await repos.chats.is_member(chat.peer_id, person_id):
            return None
        if not await self._platform(messenger).add(chat.peer_id, person_id):
            return None
        async with self._db.observation() as tx:
            await tx.chats.add_member(chat.peer_id, person_id)
        return chat

    async def remove_from_class(self, person_id: int, class_id: int) -> Removal:
        """Takes a person out of a class's chats where the bot is an admin."""
        removed: list[ChatRow] = []
        failed: list[ChatRow] = []
        for chat in await self._db.reader.chats.of_classes([class_id]):
            # The register may lag behind the chat (events missed, rights given later): the
            # members are read from the messenger first, where it lets the bot.
            platform = self._platform(chat.messenger)
            members = await platform.members(chat.peer_id)
            if members is not None:
                chat = await self.refresh(chat.peer_id, members) or chat
                present = person_id in {member.member_id for member in members}
            else:
                present = await self._db.reader.chats.is_member(chat.peer_id, person_id)
            if not present:
                continue
            if chat.bot_admin and await platform.remove(chat.peer_id, person_id):
                removed.append(chat)
                async with self._db.observation() as tx:
                    await tx.chats.remove_member(chat.peer_id, person_id)
            else:
                failed.append(chat)
        return Removal(removed, failed)


class _SwitchedOff:
    """A messenger whose token is not set any more: its chats stay in the register, and
    the bot can do nothing in them until it is switched on again."""

    async def invite_link(self, peer_id: int, reset: bool) -> str | None:
        return None

    async def members(self, peer_id: int) -> list[ChatMember] | None:
        return None

    async def remove(self, peer_id: int, person_id: int) -> bool:
        return False

    async def add(self, peer_id: int, person_id: int) -> bool:
        return False


def _class_of(chat: ChatRow) -> ClassRow | None:
    if chat.class_id is None:
        return None
    return ClassRow(chat.class_id, chat.class_name or "", None, None, False)
