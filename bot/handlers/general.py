"""Help, menu, support and leaving a dialog: for everyone."""

from __future__ import annotations

from bot.commands import CommandSpec, all_specs
from bot.context import EventContext
from bot.conversation.outgoing import mention, unnamed
from bot.domain.access import refusal_for
from bot.domain.roles import Actor
from bot.handlers.privacy import ForgetDialog
from bot.handlers.routing import Router
from bot.keyboards import main_menu, start_keyboard
from bot.texts import SUPPORT_EMAIL, SUPPORT_SITE, role_name, t

router = Router()

# Dialogs whose cancelling says more than that the dialog ended.
CANCEL_TEXTS = {ForgetDialog.CONFIRM.key: "forget_cancelled"}


def help_text(actor: Actor, two_messengers: bool = True) -> str:
    """The commands the person may use, grouped: everyone's first, then each role's. Those
    of a move between messengers only while the bot serves two."""
    usable = [spec for spec in all_specs() if refusal_for(actor, spec.roles) is None]
    usable = [spec for spec in usable if not spec.hidden and spec.name not in {"start", "agree"}]
    usable = [spec for spec in usable if two_messengers or not spec.two_messengers]
    general = [spec for spec in usable if not spec.roles]
    lines = [t("help_header"), t("help_section", title=t("help_general_title"))]
    lines += [_line(spec) for spec in general]
    listed: set[str] = set()
    for role in actor.ordered_roles():
        # A command of several of the person's roles is listed once, under the first.
        own = [spec for spec in usable if spec.roles and role in spec.roles]
        own = [spec for spec in own if spec.name not in listed]
        listed |= {spec.name for spec in own}
        if own:
            lines.append(t("help_section", title=role_name(role).capitalize()))
            lines += [_line(spec) for spec in own]
    lines.append(t("help_footer"))
    return "\n".join(lines)


def _line(spec: CommandSpec) -> str:
    return t("help_line", usage=spec.usage, summary=spec.summary)


@router.command("help")
async def show_help(event_ctx: EventContext) -> None:
    if not event_ctx.who.has_consented:
        event_ctx.reply(
            t("help_before_consent"), keyboard=None if event_ctx.in_chat else start_keyboard()
        )
        return
    event_ctx.reply(
        help_text(event_ctx.who, len(event_ctx.services.messengers.names) > 1),
        keyboard=None if event_ctx.in_chat else main_menu(event_ctx.who),
    )


@router.command("menu")
async def show_menu(event_ctx: EventContext) -> None:
    event_ctx.reply(t("menu"), keyboard=main_menu(event_ctx.who))


@router.command("support")
async def show_support(event_ctx: EventContext) -> None:
    admins = await event_ctx.services.people.admin_names()
    if admins:
        lines = "\n".join(
            t("support_admin_line", admin=mention(person_id, name or unnamed(person_id)))
            for person_id, name in admins
        )
        admin_text = t("support_admins", lines=lines)
    else:
        admin_text = t("support_no_admins")
    event_ctx.reply(t("support", email=SUPPORT_EMAIL, site=SUPPORT_SITE, admins=admin_text))


@router.command("cancel")
async def cancel(event_ctx: EventContext) -> None:
    state = event_ctx.dialog_state
    if state is None:
        event_ctx.reply(t("cancel_nothing"))
        return
    await event_ctx.services.dialogs.delete(event_ctx.person_id)
    keyboard = (
        main_menu(event_ctx.who) if event_ctx.who.has_consented and not event_ctx.in_chat else None
    )
    text = CANCEL_TEXTS.get(state.state, "cancel_done")
    event_ctx.reply(t(text), keyboard=keyboard)
