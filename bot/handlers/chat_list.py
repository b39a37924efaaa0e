"""`/chats`: each person sees the chats their role must have or be in, with links."""

from __future__ import annotations

from bot.context import EventContext
from bot.conversation.outgoing import unnamed
from bot.domain.chats import CHANNEL_KINDS, CLASS_KINDS, MANAGEMENT_KINDS
from bot.domain.roles import Role
from bot.handlers.args import class_from
from bot.handlers.routing import Router
from bot.render.chats import describe, describe_chat
from bot.storage.chats import ChatRow
from bot.texts import Who, t

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
    led = who.classes_as(Role.CLASS_TEACHER)
    if led:
        by_class = _index(await services.chats.class_chats(led))
        for grant in who.grants:
            if grant.role is Role.CLASS_TEACHER and grant.class_id in led:
                lines = [t("chats_class_header", class_name=grant.class_name)]
                lines += [
                    chat_line(
                        describe(kind, None, grant.class_name), by_class.get((grant.class_id, kind))
                    )
                    for kind in CLASS_KINDS
                ]
                sections.append("\n".join(lines))
    if who.has(Role.TEACHER, Role.CLASS_TEACHER):
        subject = await services.chats.subject_chats(event_ctx.person_id)
        lines = [t("chats_subject_header")]
        lines += [chat_line(describe_chat(chat), chat) for chat in subject] or [
            t("chats_subject_none")
        ]
        sections.append("\n".join(lines))
    bound = await services.chats.all_bound()
    purposes = {(chat.kind, chat.sub_kind): chat for chat in bound}
    if who.has(Role.DIRECTOR) or who.is_admin:
        lines = [t("chats_management_header")]
        lines += [
            chat_line(describe("management", sub, None), purposes.get(("management", sub)))
            for sub in MANAGEMENT_KINDS
        ]
        sections.append("\n".join(lines))
    if who.is_admin:
        sections.append(await _school_table(event_ctx, bound))
    personal = [g for g in who.grants if g.role in PERSONAL_KIND and g.class_id is not None]
    if personal:
        class_chats = _index(
            await services.chats.class_chats([g.class_id for g in personal if g.class_id])
        )
        lines = [t("chats_yours_header")]
        for grant in personal:
            assert grant.class_id is not None
            chat = class_chats.get((grant.class_id, PERSONAL_KIND[grant.role]))
            if chat is not None and chat.invite_link:
                lines.append(chat_line(describe_chat(chat), chat))
        if len(lines) == 1:
            lines.append(t("chats_yours_none"))
        sections.append("\n".join(lines))
    event_ctx.reply("\n\n".join(sections) or t("chats_nothing"))


def _index(chats: list[ChatRow]) -> dict[tuple[int, str], ChatRow]:
    return {
        (chat.class_id, chat.kind): chat
        for chat in chats
        if chat.class_id is not None and chat.kind is not None
    }


async def _school_table(event_ctx: EventContext, bound: list[ChatRow]) -> str:
    classes = await event_ctx.services.school.pupil_classes()
    by_class = _index(bound)
    lines = [t("chats_admin_header")]
    for row in classes:
        marks = {kind: mark(by_class.get((row.id, kind))) for kind in CLASS_KINDS}
        lines.append(t("chats_admin_line", class_name=row.name, **marks))
    purposes = {(chat.kind, chat.sub_kind): chat for chat in bound}
    lines.append(t("chats_channels_header"))
    lines += [
        chat_line(describe("channel", sub, None), purposes.get(("channel", sub)))
        for sub in CHANNEL_KINDS
    ]
    return "\n".join(lines)


async def _class_detail(event_ctx: EventContext, args: str) -> None:
    """`/chats 5А`: the class's chats and who is missing from them or should not be there."""
    school_class = await class_from(event_ctx, args.strip())
    who = event_ctx.who
    if not who.is_admin and school_class.id not in who.classes_as(Role.CLASS_TEACHER):
        event_ctx.reply(t("decision_not_allowed_class", class_name=school_class.name))
        return
    services = event_ctx.services
    chats = _index(await services.chats.class_chats([school_class.id]))
    lines = [t("chats_class_header", class_name=school_class.name)]
    for kind in CLASS_KINDS:
        chat = chats.get((school_class.id, kind))
        what = describe(kind, None, school_class.name)
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


async def class_chat_text(event_ctx: EventContext, role: str, class_id: int) -> str:
    """What a new student or parent is told about their class chat: its link, or who adds them."""
    kind = PERSONAL_KIND.get(Role(role))
    link = await event_ctx.services.chats.link_for(class_id, kind) if kind else None
    if link is None:
        return t("chat_link_later")
    return t("chat_link_student" if role == Role.STUDENT.value else "chat_link_parent", link=link)


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
