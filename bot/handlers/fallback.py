"""Last in line: whatever no handler took gets an answer, never silence in private."""

from __future__ import annotations

from bot.commands import known_commands, spec
from bot.context import EventContext
from bot.domain.access import Refusal, refusal_for
from bot.handlers.routing import Router, revoked_dialog
from bot.handlers.start import offer_consent
from bot.keyboards import main_menu, start_keyboard
from bot.texts import role_name, t

router = Router()

# Longer than VK lets a person type in one message: answered without reading it.
MAX_TEXT = 4096


def refusal_text(event_ctx: EventContext, name: str) -> str:
    command = spec(name)
    if command.where == "private" and event_ctx.in_chat:
        return t("private_only")
    if command.where == "chat" and not event_ctx.in_chat:
        return t("chat_only")
    refusal = refusal_for(event_ctx.who, command.roles)
    if refusal is Refusal.NEEDS_CONSENT:
        return t("consent_needed_in_chat") if event_ctx.in_chat else t("consent_needed")
    if refusal is Refusal.UNVERIFIED:
        return t("unverified_refused", command=name)
    if refusal is Refusal.ROLE and command.roles:
        roles = ", ".join(role_name(role) for role in sorted(command.roles))
        return t("role_refused", command=name, roles=roles)
    return t("unknown_command", command="/" + name)


@router.message()
async def anything_else(event_ctx: EventContext) -> None:
    if event_ctx.replies:
        # A handler before this one answered already (e.g. explained a bad argument).
        return
    text = event_ctx.incoming.text
    parsed = event_ctx.incoming.command
    revoked = revoked_dialog(event_ctx)
    if revoked is not None and (parsed is None or not parsed.known):
        # The role that began the dialog is gone: its step would act without the right.
        await event_ctx.services.dialogs.delete(event_ctx.person_id)
        event_ctx.reply(
            t("dialog_revoked", command="/" + revoked) + "\n" + refusal_text(event_ctx, revoked),
            keyboard=main_menu(event_ctx.who) if event_ctx.who.has_consented else None,
        )
        return
    addressed = parsed is not None or event_ctx.incoming.mentions_me
    if event_ctx.in_chat and not addressed:
        return
    if parsed is not None and parsed.known:
        keyboard = None
        if (
            not event_ctx.in_chat
            and refusal_for(event_ctx.who, spec(parsed.name).roles) is Refusal.NEEDS_CONSENT
        ):
            keyboard = start_keyboard()
        event_ctx.reply(refusal_text(event_ctx, parsed.name), keyboard=keyboard)
        return
    if not event_ctx.in_chat and not event_ctx.who.has_consented:
        await offer_consent(event_ctx, event_ctx.incoming.start_payload)
        return
    if parsed is not None:
        event_ctx.reply(t("unknown_command", command="/" + parsed.name[:40]))
    elif len(text) > MAX_TEXT:
        event_ctx.reply(t("too_long"))
    elif event_ctx.incoming.files and not event_ctx.in_chat:
        # A file is never «not understood»: the person hears what files are for.
        event_ctx.reply(t("files_elsewhere"))
    elif not text.strip():
        event_ctx.reply(t("no_text"))
    else:
        event_ctx.reply(t("unknown_text"))


@router.any_button()
async def stale_or_refused_button(event_ctx: EventContext) -> None:
    parsed = event_ctx.incoming.button
    text = t("stale_button")
    if (
        parsed is not None
        and parsed[0] in known_commands()
        and refusal_for(event_ctx.who, spec(parsed[0]).roles) is not None
    ):
        text = refusal_text(event_ctx, parsed[0])
    await event_ctx.answer_callback(text)
