"""`/chats`: each person sees the chats their role must have or be in, with links."""

from __future__ import annotations

import asyncio

from loguru import logger

from bot.context import EventContext
from bot.conversation.identity import MESSENGER_TITLES
from bot.conversation.outgoing import OutgoingMessage, Person, unnamed
from bot.domain.chats import CHANNEL_KINDS, CLASS_KINDS, MANAGEMENT_KINDS
from bot.domain.roles import Role
from bot.handlers.args import class_from
from bot.handlers.routing import Router
from bot.render.chats import describe, describe_chat
from bot.storage.chats import ChatRow
from bot.texts import MESSENGER_WHERE, Who, t

router = Router()

PERSONAL_KIND = {Role.STUDENT: "students", Role.PARENT: "parents"}


def chat_line(what: str, chat: ChatRow | None) -> str:
    if chat is None:
        return t("chats_line_missing", what=what)
    if not chat.bot_admin or not chat.invite_link:
        return t("chats_line_no_admin", what=what)
    return t("chats_line_ok", what=what, link=chat.invite_link)


def mark(chat: ChatRow | None) -> str:
    if chat is None:
        return "❌"
    return "✅" if chat.bot_admin else "⚠"


@router.command("chats")
async def chats(event_ctx: EventContext) -> None:
    args = event_ctx.args
    who = event_ctx.who
    services = event_ctx.services
    if args.strip():
        await _class_detail(event_ctx, args)
        return
    sections: list[str] = []
    bound = await services.chats.all_bound()
    shown = _shown(event_ctx, bound)
    led = who.classes_as(Role.CLASS_TEACHER)
    if led:
        by_class = _index(await services.chats.class_chats(led))
        for grant in who.grants:
            if grant.role is Role.CLASS_TEACHER and grant.class_id in led:
                lines = [t("chats_class_header", class_name=grant.class_name)]
                for kind in CLASS_KINDS:
                    what = describe(kind, None, grant.class_name)
                    lines += _lines(event_ctx, shown, what, by_class, (grant.class_id, kind))
                sections.append("\n".join(lines))
    if who.has(Role.TEACHER, Role.CLASS_TEACHER):
        subject = await services.chats.subject_chats(event_ctx.person_id)
        lines = [t("chats_subject_header")]
        lines += [
            chat_line(_on(describe_chat(chat), chat.messenger, shown), chat) for chat in subject
        ] or [t("chats_subject_none")]
        taught = await services.teaching.of_teacher(event_ctx.person_id)
        lines.append(
            t("chats_teaching_line", classes=", ".join(row.class_name for row in taught))
            if taught
            else t("chats_teaching_none")
        )
        sections.append("\n".join(lines))
    purposes = _purposes(bound)
    if who.has(Role.DIRECTOR) or who.is_admin:
        lines = [t("chats_management_header")]
        for sub in MANAGEMENT_KINDS:
            what = describe("management", sub, None)
            lines += _lines(event_ctx, shown, what, purposes, ("management", sub))
        sections.append("\n".join(lines))
    if who.is_admin:
        sections.append(await _school_table(event_ctx, bound, shown))
    personal = [g for g in who.grants if g.role in PERSONAL_KIND and g.class_id is not None]
    if personal:
        class_chats = _index(
            await services.chats.class_chats([g.class_id for g in personal if g.class_id])
        )
        lines = [t("chats_yours_header")]
        for grant in personal:
            assert grant.class_id is not None
            for messenger in shown:
                chat = class_chats.get((grant.class_id, PERSONAL_KIND[grant.role], messenger))
                if chat is not None and chat.invite_link:
                    lines.append(chat_line(_on(describe_chat(chat), messenger, shown), chat))
        if len(lines) == 1:
            lines.append(t("chats_yours_none"))
        sections.append("\n".join(lines))
    event_ctx.reply("\n\n".join(sections) or t("chats_nothing"))


# Chats by what they are for and whose they are: (class id or kind, kind or sub-kind, messenger).
Index = dict[tuple[object, object, str], ChatRow]


def _index(chats: list[ChatRow]) -> Index:
    return {
        (chat.class_id, chat.kind, chat.messenger): chat
        for chat in chats
        if chat.class_id is not None and chat.kind is not None
    }


def _purposes(chats: list[ChatRow]) -> Index:
    return {(chat.kind, chat.sub_kind, chat.messenger): chat for chat in chats}


def _shown(event_ctx: EventContext, chats: list[ChatRow]) -> list[str]:
    """The messengers the lists cover: those switched on (what a class lacks is said for
    each), then any other that still has chats registered (those are shown, not asked for)."""
    shown = list(event_ctx.services.messengers.names)
    shown += sorted({chat.messenger for chat in chats} - set(shown))
    return shown


def _on(what: str, messenger: str, shown: list[str]) -> str:
    """`what`, labelled with its messenger while the lists cover more than one."""
    if len(shown) < 2:
        return what
    return t("chats_on", what=what, messenger=MESSENGER_TITLES.get(messenger, messenger))


def _lines(
    event_ctx: EventContext,
    shown: list[str],
    what: str,
    chats: Index,
    key: tuple[object, object],
) -> list[str]:
    """One purpose's line on each messenger: a chat bound there, or what is missing on a
    messenger switched on."""
    lines = []
    for messenger in shown:
        chat = chats.get((*key, messenger))
        if chat is None and messenger not in event_ctx.services.messengers.names:
            continue
        lines.append(chat_line(_on(what, messenger, shown), chat))
    return lines


async def _school_table(event_ctx: EventContext, bound: list[ChatRow], shown: list[str]) -> str:
    classes = await event_ctx.services.school.pupil_classes()
    by_class = _index(bound)
    switched_on = event_ctx.services.messengers.names
    lines = [t("chats_admin_header")]
    for row in classes:
        for messenger in shown:
            found = [by_class.get((row.id, kind, messenger)) for kind in CLASS_KINDS]
            if messenger not in switched_on and not any(found):
                continue
            marks = {kind: mark(chat) for kind, chat in zip(CLASS_KINDS, found, strict=True)}
            name = _on(row.name, messenger, shown)
            lines.append(t("chats_admin_line", class_name=name, **marks))
    purposes = _purposes(bound)
    lines.append(t("chats_channels_header"))
    for sub in CHANNEL_KINDS:
        what = describe("channel", sub, None)
        lines += _lines(event_ctx, shown, what, purposes, ("channel", sub))
    return "\n".join(lines)


async def _class_detail(event_ctx: EventContext, args: str) -> None:
    """`/chats 5А`: the class's chats and who is missing from them or should not be there."""
    school_class = await class_from(event_ctx, args.strip())
    who = event_ctx.who
    if not who.is_admin and school_class.id not in who.classes_as(Role.CLASS_TEACHER):
        event_ctx.reply(t("decision_not_allowed_class", class_name=school_class.name))
        return
    services = event_ctx.services
    registered = await services.chats.class_chats([school_class.id])
    chats = _index(registered)
    shown = _shown(event_ctx, registered)
    lines = [t("chats_class_header", class_name=school_class.name)]
    for kind, messenger in [(kind, m) for kind in CLASS_KINDS for m in shown]:
        chat = chats.get((school_class.id, kind, messenger))
        if chat is None and messenger not in services.messengers.names:
            continue
        what = _on(describe(kind, None, school_class.name), messenger, shown)
        lines.append(chat_line(what, chat))
        if chat is None:
            continue
        mismatch = await services.chats.mismatch(chat)
        if not mismatch.checked:
            lines.append("   " + t("chats_mismatch_unchecked"))
            continue
        names = await member_names(event_ctx, [*mismatch.missing, *mismatch.extra])
        if mismatch.missing:
            listed = ", ".join(names.get(i, unnamed(i)) for i in mismatch.missing)
            lines.append("   " + t("chats_mismatch_missing", names=listed))
        if mismatch.extra:
            listed = ", ".join(names.get(i, unnamed(i)) for i in mismatch.extra)
            lines.append("   " + t("chats_mismatch_extra", names=listed))
        if not mismatch.missing and not mismatch.extra:
            lines.append("   " + t("chats_mismatch_ok"))
    unreachable = await services.announcements.class_unreachable(school_class.id)
    if unreachable:
        names = await services.school.names(unreachable)
        listed = ", ".join(names.get(i, unnamed(i)) for i in unreachable)
        lines.append(t("unreachable_in_class", names=listed))
    event_ctx.reply("\n".join(lines))


async def member_names(event_ctx: EventContext, person_ids: list[int]) -> dict[int, Who]:
    """Names from the register; people it does not know (strangers in a chat) by their VK
    profile, as the register writes names: surname first."""
    names = await event_ctx.services.school.names(person_ids)
    unknown = [person_id for person_id in person_ids if person_id not in names]
    profiles = await event_ctx.services.messengers.user_profiles(unknown)
    for person_id, (first, last, gender) in profiles.items():
        names[person_id] = Who(f"{last} {first}".strip() or unnamed(person_id), gender)
    return names


async def class_chat_text(
    event_ctx: EventContext, role: str, class_id: int, person_id: int | None = None
) -> str:
    """What a new student or parent (`person_id`, by default whoever acts) is told about
    their class chat: its link on the messenger they are reached on, or who adds them."""
    kind = PERSONAL_KIND.get(Role(role))
    if kind is None:
        return t("chat_link_later")
    person = event_ctx.person_id if person_id is None else person_id
    services = event_ctx.services
    messenger = await services.moving.reached_on(person)
    link = await services.chats.link_for(class_id, kind, messenger)
    if link is None:
        return t("chat_link_later")
    return t("chat_link_student" if role == Role.STUDENT.value else "chat_link_parent", link=link)


# The additions to chats under way, kept referenced until they finish.
_ADDING: set[asyncio.Task[None]] = set()


def add_to_class_chat_soon(
    event_ctx: EventContext, person_id: int, role: str, class_id: int
) -> None:
    """Once the event that put a person in a class is committed, the bot adds them to the
    class's chat on the messenger they are reached on, where it may (it is the chat's admin
    and the messenger lets bots add people: MAX, not VK), and tells them. Not before: no
    messenger call is made while the event's unit holds the writer, and a person is added
    only to a class they are in. The link they were given stays good either way."""
    kind = PERSONAL_KIND.get(Role(role))
    if kind is None:
        return
    services = event_ctx.services

    async def add_and_tell() -> None:
        try:
            chat = await services.chats.add_to_class(person_id, class_id, kind)
            if chat is None:
                return
            text = t(
                "chat_added_to",
                what=describe_chat(chat),
                where=MESSENGER_WHERE.get(chat.messenger, chat.messenger),
            )
            await services.notifier.send(
                [OutgoingMessage(Person(person_id), text)], f"chat-added:{chat.peer_id}:{person_id}"
            )
        except Exception:
            logger.exception("Adding a person to a class chat failed")

    def start() -> None:
        task = asyncio.get_running_loop().create_task(add_and_tell())
        _ADDING.add(task)
        task.add_done_callback(_ADDING.discard)

    services.db.after_commit(start)


async def removal_report(
    event_ctx: EventContext, person_ids: list[int], class_ids: list[int]
) -> str:
    """Takes people out of their old class chats; says which chats must be cleaned by hand."""
    removed: list[str] = []
    failed: list[str] = []
    for person_id in person_ids:
        for class_id in class_ids:
            result = await event_ctx.services.chats.remove_from_class(person_id, class_id)
            removed += [describe_chat(chat) for chat in result.removed]
            failed += [describe_chat(chat) for chat in result.failed]
    lines = []
    if removed:
        lines.append(t("chats_removed", titles=", ".join(sorted(set(removed)))))
    if failed:
        lines.append(t("chats_not_removed", titles=", ".join(sorted(set(failed)))))
    return "\n".join(lines)
