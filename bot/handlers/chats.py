"""Group chats: the bot joins, is bound to a purpose, keeps quiet unless addressed (clause 2.3)."""

from __future__ import annotations

from bot.context import EventContext
from bot.conversation.incoming import BOT_ADDED, BOT_REMOVED, JOINED, LEFT
from bot.domain.chats import (
    CHANNEL_KINDS,
    CLASS_KINDS,
    MANAGEMENT_KINDS,
    Binding,
    BindOutcome,
    bindable_kinds,
)
from bot.handlers.args import ArgumentError, class_from
from bot.handlers.routing import Router
from bot.keyboards import choice_keyboard
from bot.parsing import payload_int
from bot.render.chats import describe, describe_chat
from bot.texts import t

router = Router()


@router.action(BOT_ADDED)
async def added_to_chat(event_ctx: EventContext) -> None:
    await event_ctx.services.chats.bot_added(
        event_ctx.peer_id, event_ctx.person_id, event_ctx.messenger
    )
    event_ctx.reply(t("chat_greeting", school=event_ctx.services.settings.school_name))


@router.action(JOINED)
async def member_joined(event_ctx: EventContext) -> None:
    action = event_ctx.incoming.action
    if action is not None and action.member is not None:
        await event_ctx.services.chats.member_joined(event_ctx.peer_id, action.member)


@router.action(BOT_REMOVED)
async def removed_from_chat(event_ctx: EventContext) -> None:
    await event_ctx.services.chats.bot_removed(event_ctx.peer_id)


@router.action(LEFT)
async def member_left(event_ctx: EventContext) -> None:
    action = event_ctx.incoming.action
    if action is not None and action.member is not None:
        await event_ctx.services.chats.member_left(event_ctx.peer_id, action.member)


async def parse_binding(event_ctx: EventContext, args: str) -> Binding:
    words = args.split()
    kind = words[0].lower() if words else ""
    rest = words[1:]
    if kind in CLASS_KINDS and rest:
        return Binding(kind, None, await class_from(event_ctx, "".join(rest)))
    if kind == "subject" and len(rest) >= 2:
        return Binding(kind, " ".join(rest[:-1])[:60], await class_from(event_ctx, rest[-1]))
    if kind == "management" and rest and rest[0].lower() in MANAGEMENT_KINDS:
        return Binding(kind, rest[0].lower())
    if kind == "channel" and rest and rest[0].lower() in CHANNEL_KINDS:
        return Binding(kind, rest[0].lower())
    if kind == "other" and rest:
        return Binding(kind, " ".join(rest)[:60])
    raise ArgumentError(t("bind_usage"))


@router.command("bind")
async def bind(event_ctx: EventContext) -> None:
    args = event_ctx.args
    if not args.strip():
        options = bindable_kinds(event_ctx.who)
        if not options:
            event_ctx.reply(t("bind_nothing_to_offer"))
            return
        event_ctx.reply(
            t("bind_choose"),
            keyboard=choice_keyboard(
                [
                    (
                        describe(
                            o.kind, o.sub_kind, o.school_class.name if o.school_class else None
                        )[:40],
                        "bind",
                        {"k": o.kind, "s": o.sub_kind, "c": o.class_id},
                    )
                    for o in options[:10]
                ],
                per_row=1,
            ),
        )
        return
    await _bind(event_ctx, await parse_binding(event_ctx, args))


@router.button("bind")
async def bind_button(event_ctx: EventContext) -> None:
    data = event_ctx.data
    await event_ctx.answer_callback(None)
    kind, sub, class_id = data.get("k"), data.get("s"), payload_int(data.get("c"))
    school_class = None
    if class_id is not None:
        school_class = await event_ctx.services.school.class_by_id(class_id)
    if not isinstance(kind, str) or (kind in CLASS_KINDS and school_class is None):
        event_ctx.reply(t("stale_button"))
        return
    await _bind(event_ctx, Binding(kind, sub if isinstance(sub, str) else None, school_class))


async def _bind(event_ctx: EventContext, binding: Binding) -> None:
    class_name = binding.school_class.name if binding.school_class else None
    what = describe(binding.kind, binding.sub_kind, class_name)
    result = await event_ctx.services.chats.bind(
        event_ctx.who, event_ctx.peer_id, binding, what, event_ctx.messenger
    )
    if result.outcome is BindOutcome.NOT_ALLOWED:
        why = {
            "management": "bind_why_management",
            "channel": "bind_why_channel",
            "subject": "bind_why_teacher",
            "other": "bind_why_teacher",
        }.get(binding.kind, "bind_why_class")
        event_ctx.reply(t("bind_not_allowed", what=what, why=t(why)))
    elif result.outcome is BindOutcome.NOT_CREATOR:
        event_ctx.reply(t("bind_not_creator"))
    elif result.outcome is BindOutcome.TAKEN:
        event_ctx.reply(t("bind_taken", what=what))
    else:
        chat = result.chat
        lines = [t("bind_done", what=what)]
        if chat is not None and chat.bot_admin and chat.invite_link:
            lines.append(t("bind_admin_ok", link=chat.invite_link))
        else:
            lines.append(t("bind_admin_missing"))
        event_ctx.reply("\n".join(lines))


@router.command("unbind")
async def unbind(event_ctx: EventContext) -> None:
    result = await event_ctx.services.chats.unbind(event_ctx.who, event_ctx.peer_id)
    if result.outcome is BindOutcome.NOT_FOUND or result.chat is None:
        event_ctx.reply(t("unbind_nothing"))
    elif result.outcome is BindOutcome.NOT_ALLOWED:
        event_ctx.reply(t("unbind_not_allowed"))
    else:
        event_ctx.reply(t("unbind_done", what=describe_chat(result.chat)))


@router.command("relink")
async def relink(event_ctx: EventContext) -> None:
    result = await event_ctx.services.chats.relink(
        event_ctx.who, event_ctx.peer_id, event_ctx.messenger
    )
    if result.outcome is BindOutcome.NOT_ALLOWED:
        event_ctx.reply(t("relink_not_allowed"))
        return
    chat = result.chat
    if chat is None or not chat.invite_link:
        event_ctx.reply(t("relink_failed"))
        return
    event_ctx.reply(t("relink_done", link=chat.invite_link))
