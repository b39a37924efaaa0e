"""Guidance for duties the bot cannot do itself: the registration request, safety, webinars."""

from __future__ import annotations

import re
from typing import Any

from vkbottle import BaseStateGroup
from vkbottle.bot import BotLabeler, Message

from bot.context import EventContext
from bot.handlers.dialog import next_step
from bot.handlers.rules import Command, InDialog
from bot.parsing import parse_full_name
from bot.texts import SUPPORT_EMAIL, SUPPORT_SITE, t

labeler = BotLabeler()

ORDER = re.compile(r"^\s*№?\s*([\w/-]{1,20})\s+от\s+(\d{1,2}\.\d{1,2}\.\d{4})\s*$", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[78]?[\d\-() ]{10,16}$")


class RegistrationDialog(BaseStateGroup):
    ORDER = "order"
    NAME = "name"
    CONTACTS = "contacts"


@labeler.message(Command("registration"))
async def registration(message: Message, event_ctx: EventContext) -> None:
    await next_step(event_ctx, RegistrationDialog.ORDER)
    event_ctx.reply(t("registration_ask_order"))


@labeler.message(InDialog(RegistrationDialog.ORDER))
async def registration_order(message: Message, event_ctx: EventContext) -> None:
    match = ORDER.match(message.text or "")
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


@labeler.message(InDialog(RegistrationDialog.NAME))
async def registration_name(
    message: Message, event_ctx: EventContext, dialog: dict[str, Any]
) -> None:
    name = parse_full_name(message.text or "")
    if name is None:
        event_ctx.reply(t("name_invalid"))
        return
    await next_step(event_ctx, RegistrationDialog.CONTACTS, **{**dialog, "admin_name": name})
    event_ctx.reply(t("registration_ask_contacts"))


@labeler.message(InDialog(RegistrationDialog.CONTACTS))
async def registration_contacts(
    message: Message, event_ctx: EventContext, dialog: dict[str, Any]
) -> None:
    # E-mail and phone come in one message and go straight into the letter: never stored.
    words = (message.text or "").split(maxsplit=1)
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


@labeler.message(Command("security"))
async def security(message: Message, event_ctx: EventContext) -> None:
    event_ctx.reply(t("security", email=SUPPORT_EMAIL, site=SUPPORT_SITE))


@labeler.message(Command("webinars"))
async def webinars(message: Message, event_ctx: EventContext) -> None:
    event_ctx.reply(t("webinars", email=SUPPORT_EMAIL, site=SUPPORT_SITE))
