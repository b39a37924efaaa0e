"""Withdrawal of consent: `/forget_me` deletes the person's data after a confirmation."""

from __future__ import annotations

from bot.context import EventContext
from bot.dialogs import Steps
from bot.handlers.dialog import next_step
from bot.handlers.routing import Router
from bot.keyboards import confirm_keyboard, empty_keyboard, main_menu
from bot.texts import BUTTONS, t

router = Router()


class ForgetDialog(Steps):
    CONFIRM = "confirm"


@router.command("forget_me")
async def forget_me(event_ctx: EventContext) -> None:
    await next_step(event_ctx, ForgetDialog.CONFIRM)
    event_ctx.reply(
        t("forget_confirm", button=BUTTONS["forget_confirm"]),
        keyboard=confirm_keyboard(BUTTONS["forget_confirm"], "forget_confirm"),
    )


@router.step(ForgetDialog.CONFIRM, choice=("forget_confirm", BUTTONS["forget_confirm"]))
async def forget_confirmed(event_ctx: EventContext) -> None:
    await event_ctx.services.people.forget(event_ctx.person_id)
    event_ctx.forgotten.append(event_ctx.person_id)
    event_ctx.reply(t("forget_done"), keyboard=empty_keyboard())


@router.step(ForgetDialog.CONFIRM, choice=("cancel", BUTTONS["cancel"]))
async def forget_cancelled(event_ctx: EventContext) -> None:
    await event_ctx.services.dialogs.delete(event_ctx.person_id)
    event_ctx.reply(t("forget_cancelled"), keyboard=main_menu(event_ctx.who))


@router.step(ForgetDialog.CONFIRM)
async def forget_unclear(event_ctx: EventContext) -> None:
    event_ctx.reply(
        t("dialog_expects_button"),
        keyboard=confirm_keyboard(BUTTONS["forget_confirm"], "forget_confirm"),
    )
