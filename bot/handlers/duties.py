"""`/duties`: each person's checklist by the regulation, with the single next step."""

from __future__ import annotations

from typing import Any

from bot.commands import spec
from bot.context import EventContext
from bot.conversation.outgoing import Keyboard
from bot.domain.access import refusal_for
from bot.domain.duties import Checklist, ChecklistItem, MarkOutcome
from bot.domain.duty_catalogue import RIGHTS, Completion, Period
from bot.domain.roles import Role
from bot.handlers.routing import Router
from bot.keyboards import action_keyboard
from bot.parsing import parse_number, payload_int
from bot.texts import BUTTONS, role_name, t

router = Router()


def render_item(item: ChecklistItem) -> str:
    duty = item.duty
    optional = t("duties_optional") if duty.optional else ""
    weekly = t("duties_weekly") if duty.period is Period.WEEK else ""
    values = {
        "mark": "✅" if item.done else "⬜",
        "number": item.number,
        "title": duty.title,
        "clause": duty.clause,
        "optional": optional + weekly,
    }
    if item.class_name:
        return t("duties_item_class", class_name=item.class_name, **values)
    return t("duties_item", **values)


def next_step(checklists: list[Checklist]) -> ChecklistItem | None:
    """The first undone duty, the required ones before those «при необходимости»."""
    undone = [item for checklist in checklists for item in checklist.items if not item.done]
    required = [item for item in undone if not item.duty.optional]
    candidates = required or undone
    return candidates[0] if candidates else None


@router.command("duties")
async def duties(event_ctx: EventContext) -> None:
    services = event_ctx.services
    checklists = await services.duties.checklists(event_ctx.who)
    if not checklists:
        event_ctx.reply(t("duties_none"))
        return
    lines = [t("duties_header")]
    for checklist in checklists:
        lines.append(
            t(
                "duties_role",
                role=role_name(checklist.role).capitalize(),
                done=checklist.done_count,
                total=len(checklist.items),
            )
        )
        lines += [render_item(item) for item in checklist.items]
    if event_ctx.who.has(Role.DIRECTOR, Role.ADMIN):
        figures = await services.duties.figures()
        lines.append(
            t(
                "duties_figures",
                classes=figures.classes,
                with_teacher=figures.classes_with_teacher,
                bound=figures.bound_chats,
                required=figures.required_chats,
                requests=figures.pending_requests,
                waiting=figures.waiting_teachers,
                stale=figures.stale_invitations,
            )
        )
    step = next_step(checklists)
    keyboard = None
    if step is None:
        lines.append(t("duties_all_done"))
    else:
        lines.append(
            t("duties_next", number=step.number, title=step.duty.title, how_to=step.duty.how_to)
        )
        keyboard = _step_keyboard(event_ctx, step)
        if step.duty.completion is Completion.MANUAL:
            lines.append(t("duties_next_manual", number=step.number))
    held = set(event_ctx.who.ordered_roles())
    rights = [right for right in RIGHTS if held & set(right.roles)]
    if rights:
        lines.append(t("duties_rights"))
        lines += [t("duties_right", title=right.title, clause=right.clause) for right in rights]
    event_ctx.reply("\n".join(lines), keyboard=keyboard)


def _step_keyboard(event_ctx: EventContext, step: ChecklistItem) -> Keyboard | None:
    buttons: list[tuple[str, str, dict[str, Any]]] = []
    action = step.duty.action
    if action and action not in ("done", "bind"):
        command = spec(action)
        if command.where != "chat" and refusal_for(event_ctx.who, command.roles) is None:
            buttons.append(((command.button or command.usage)[:40], action, {}))
    if step.duty.completion is Completion.MANUAL:
        buttons.append((BUTTONS["mark_done"], "done", {"n": step.number}))
    return action_keyboard(buttons) if buttons else None


async def _mark(event_ctx: EventContext, number: int | None, done: bool) -> str:
    if number is None:
        return t("done_usage")
    outcome, duty = await event_ctx.services.duties.mark(event_ctx.who, number, done)
    if outcome is MarkOutcome.NOT_FOUND or duty is None:
        return t("done_not_found", number=number)
    if outcome is MarkOutcome.NOT_MANUAL:
        return t("done_not_manual", title=duty.title)
    return t("done_marked" if done else "done_unmarked", title=duty.title)


@router.command("done")
async def done(event_ctx: EventContext) -> None:
    args = event_ctx.args
    event_ctx.reply(await _mark(event_ctx, parse_number(args) if args.strip() else None, True))


@router.command("undone")
async def undone(event_ctx: EventContext) -> None:
    args = event_ctx.args
    event_ctx.reply(await _mark(event_ctx, parse_number(args) if args.strip() else None, False))


@router.button("done")
async def done_button(event_ctx: EventContext) -> None:
    data = event_ctx.data
    result = await _mark(event_ctx, payload_int(data.get("n")), True)
    await event_ctx.answer_callback(result)
    event_ctx.reply(result)
