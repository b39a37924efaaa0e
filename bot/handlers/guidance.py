"""Guidance for duties the bot cannot do itself: the registration request, safety, webinars."""

from __future__ import annotations

import re

from bot.context import EventContext
from bot.dialogs import Steps
from bot.handlers.dialog import next_step
from bot.handlers.routing import Router
from bot.parsing import parse_full_name
from bot.texts import SUPPORT_EMAIL, SUPPORT_SITE, t, t_on

router = Router()

ORDER = re.compile(r"^\s*№?\s*([\w/-]{1,20})\s+от\s+(\d{1,2}\.\d{1,2}\.\d{4})\s*$", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[78]?[\d\-() ]{10,16}$")


class RegistrationDialog(Steps):
    ORDER = "order"
    NAME = "name"
    CONTACTS = "contacts"


@router.command("registration")
async def registration(event_ctx: EventContext) -> None:
    await next_step(event_ctx, RegistrationDialog.ORDER)
    event_ctx.reply(t("registration_ask_order"))


@router.step(RegistrationDialog.ORDER)
async def registration_order(event_ctx: EventContext) -> None:
    match = ORDER.match(event_ctx.incoming.text or "")
    if match is None:
        event_ctx.reply(t("registration_order_invalid"))
        return
    await next_step(
        event_ctx,
        RegistrationDialog.NAME,
        order_number=match.group(1),
        order_date=match.group(2),
    )
    event_ctx.reply(t("registration_ask_name"))


@router.step(RegistrationDialog.NAME)
async def registration_name(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    name = parse_full_name(event_ctx.incoming.text or "")
    if name is None:
        event_ctx.reply(t("name_invalid"))
        return
    await next_step(event_ctx, RegistrationDialog.CONTACTS, **{**dialog, "admin_name": name})
    event_ctx.reply(t("registration_ask_contacts"))


@router.step(RegistrationDialog.CONTACTS)
async def registration_contacts(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    # E-mail and phone come in one message and go straight into the letter: never stored.
    words = (event_ctx.incoming.text or "").split(maxsplit=1)
    email = words[0] if words else ""
    phone = words[1].strip() if len(words) > 1 else ""
    if not EMAIL.match(email) or not PHONE.match(phone):
        event_ctx.reply(t("registration_contacts_invalid"))
        return
    await event_ctx.services.dialogs.delete(event_ctx.person_id)
    event_ctx.reply(
        t(
            "registration_letter",
            school=event_ctx.services.settings.school_name,
            order_number=dialog["order_number"],
            order_date=dialog["order_date"],
            admin_name=dialog["admin_name"],
            email=email,
            phone=phone,
        )
    )


@router.command("security")
async def security(event_ctx: EventContext) -> None:
    event_ctx.reply(t_on(event_ctx.messenger, "security", email=SUPPORT_EMAIL, site=SUPPORT_SITE))


@router.command("webinars")
async def webinars(event_ctx: EventContext) -> None:
    event_ctx.reply(t("webinars", email=SUPPORT_EMAIL, site=SUPPORT_SITE))
