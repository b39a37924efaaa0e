"""Withdrawal of consent: `/forget_me` deletes the person's data after a confirmation."""

from __future__ import annotations

from vkbottle import BaseStateGroup
from vkbottle.bot import BotLabeler, Message

from bot.context import EventContext
from bot.handlers.dialog import next_step
from bot.handlers.rules import Choice, Command, InDialog
from bot.keyboards import confirm_keyboard, empty_keyboard, main_menu
from bot.texts import BUTTONS, t

labeler = BotLabeler()


class ForgetDialog(BaseStateGroup):
    CONFIRM = "confirm"


@labeler.message(Command("forget_me"))
async def forget_me(message: Message, event_ctx: EventContext) -> None:
    await next_step(event_ctx, ForgetDialog.CONFIRM)
    event_ctx.reply(
        t("forget_confirm", button=BUTTONS["forget_confirm"]),
        keyboard=confirm_keyboard(BUTTONS["forget_confirm"], "forget_confirm"),
    )


@labeler.message(
    InDialog(ForgetDialog.CONFIRM), Choice("forget_confirm", BUTTONS["forget_confirm"])
)
async def forget_confirmed(message: Message, event_ctx: EventContext) -> None:
    await event_ctx.services.people.forget(event_ctx.person_id)
    event_ctx.forgotten.append(event_ctx.person_id)
    event_ctx.reply(t("forget_done"), keyboard=empty_keyboard())


@labeler.message(InDialog(ForgetDialog.CONFIRM), Choice("cancel", BUTTONS["cancel"]))
async def forget_cancelled(message: Message, event_ctx: EventContext) -> None:
    await event_ctx.services.dialogs.delete(event_ctx.person_id)
    event_ctx.reply(t("forget_cancelled"), keyboard=main_menu(event_ctx.who))


@labeler.message(InDialog(ForgetDialog.CONFIRM))
async def forget_unclear(message: Message, event_ctx: EventContext) -> None:
    event_ctx.reply(
        t("dialog_expects_button"),
        keyboard=confirm_keyboard(BUTTONS["forget_confirm"], "forget_confirm"),
    )
