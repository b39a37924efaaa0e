"""Planned broadcasts, lessons and meetings: `/event` asks step by step, `/events` (with a
meeting's answers for its organiser), `/event_cancel`, and the «Приду» / «Не приду» buttons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.context import EventContext
from bot.conversation.outgoing import Address, Keyboard, unnamed
from bot.dialogs import Steps
from bot.domain.events import (
    AnswerOutcome,
    Audience,
    Kind,
    PlannedEvent,
    audiences_for,
    is_invited,
    may_plan,
    may_see_answers,
    plannable_class_ids,
)
from bot.domain.roles import Actor
from bot.handlers.dialog import next_step, picked
from bot.handlers.routing import Router
from bot.keyboards import choice_keyboard, main_menu, text_choices
from bot.parsing import parse_number, parse_when, payload_int
from bot.render.chats import describe_chat
from bot.render.events import event_message, event_messages, event_signature, rsvp_keyboard
from bot.render.paging import asked_page, page_choices, page_footer, page_of
from bot.storage.classes import ClassRow
from bot.storage.events import EventRow
from bot.texts import BUTTONS, format_moment, format_time_left, t

router = Router()

TITLE_LENGTH = (3, 120)
CHATS_OFFERED = 10


class EventDialog(Steps):
    TITLE = "title"
    WHEN = "when"
    AUDIENCE = "audience"
    CLASS = "class"
    CHAT = "chat"
    LINK = "link"


async def _taught(event_ctx: EventContext) -> list[int]:
    return await event_ctx.services.teaching.taught_ids(event_ctx.who)


@router.command("event")
async def event_start(event_ctx: EventContext) -> None:
    if not audiences_for(event_ctx.who, await _taught(event_ctx)):
        # A subject teacher the register gives no class yet: told how to get one.
        event_ctx.reply(t("event_no_classes"))
        return
    await next_step(event_ctx, EventDialog.TITLE)
    event_ctx.reply(t("event_ask_title"), keyboard=text_choices([]))


@router.step(EventDialog.TITLE)
async def event_title(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    title = (event_ctx.incoming.text or "").strip()
    if not TITLE_LENGTH[0] <= len(title) <= TITLE_LENGTH[1]:
        event_ctx.reply(t("event_title_invalid"))
        return
    await next_step(event_ctx, EventDialog.WHEN, **{**dialog, "title": title})
    event_ctx.reply(t("event_ask_when"), keyboard=text_choices([]))


@router.step(EventDialog.WHEN)
async def event_when(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    services = event_ctx.services
    now = services.clock.now()
    moment = parse_when(event_ctx.incoming.text or "", now, services.settings.zone)
    if moment is None:
        event_ctx.reply(t("event_when_invalid"))
        return
    if moment <= now:
        event_ctx.reply(t("event_when_past"))
        return
    await next_step(event_ctx, EventDialog.AUDIENCE, **{**dialog, "when": moment.isoformat()})
    keyboard = _audience_keyboard(event_ctx.who, await _taught(event_ctx))
    event_ctx.reply(t("event_ask_audience"), keyboard=keyboard)


AUDIENCE_BUTTONS = {
    Audience.SCHOOL: "audience_school",
    Audience.STAFF: "audience_staff",
    Audience.STUDENTS: "audience_students",
    Audience.PARENTS: "audience_parents",
    Audience.CLASS: "audience_class",
    Audience.CHAT: "audience_chat",
}


def _audience_keyboard(actor: Actor, taught: list[int]) -> Keyboard:
    # Only what the person may choose: a refusal after the choice would waste the dialog.
    return text_choices(
        [
            (BUTTONS[AUDIENCE_BUTTONS[audience]], "ev_aud", {"value": audience.value})
            for audience in audiences_for(actor, taught)
        ],
        per_row=2,
    )


async def _plannable_classes(event_ctx: EventContext) -> list[ClassRow]:
    classes = await event_ctx.services.school.pupil_classes()
    taught = await _taught(event_ctx)
    allowed = set(plannable_class_ids(event_ctx.who, [row.id for row in classes], taught))
    return [row for row in classes if row.id in allowed]


@router.step(EventDialog.AUDIENCE)
async def event_audience(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    taught = await _taught(event_ctx)
    allowed = audiences_for(event_ctx.who, taught)
    labels = {BUTTONS[AUDIENCE_BUTTONS[aud]].casefold(): aud.value for aud in allowed}
    value = picked(event_ctx, "ev_aud", labels)
    if value not in {audience.value for audience in allowed}:
        keyboard = _audience_keyboard(event_ctx.who, taught)
        event_ctx.reply(t("dialog_expects_button"), keyboard=keyboard)
        return
    audience = Audience(value)
    data = {**dialog, "audience": audience.value}
    services = event_ctx.services
    if audience in (Audience.STUDENTS, Audience.PARENTS, Audience.CLASS):
        classes = await _plannable_classes(event_ctx)
        await next_step(event_ctx, EventDialog.CLASS, **data)
        event_ctx.reply(
            t("event_ask_class"),
            keyboard=text_choices(
                [(row.name, "ev_class", {"value": row.id}) for row in classes[:30]], 4
            ),
        )
        return
    if audience is Audience.CHAT:
        chats = (await services.chats.all_bound())[:CHATS_OFFERED]
        if not chats:
            keyboard = _audience_keyboard(event_ctx.who, taught)
            event_ctx.reply(t("event_no_chats"), keyboard=keyboard)
            return
        await next_step(event_ctx, EventDialog.CHAT, **data)
        event_ctx.reply(
            t("event_ask_chat"),
            keyboard=text_choices(
                [(describe_chat(chat)[:40], "ev_chat", {"value": chat.peer_id}) for chat in chats],
                1,
            ),
        )
        return
    await _ask_link(event_ctx, data)


async def _ask_link(event_ctx: EventContext, data: dict[str, Any]) -> None:
    audience = Audience(data["audience"])
    class_id = data.get("class_id")
    taught = await _taught(event_ctx)
    if not may_plan(
        event_ctx.who, audience, class_id if isinstance(class_id, int) else None, taught
    ):
        await event_ctx.services.dialogs.delete(event_ctx.person_id)
        event_ctx.reply(t("event_not_allowed"), keyboard=main_menu(event_ctx.who))
        return
    await next_step(event_ctx, EventDialog.LINK, **data)
    event_ctx.reply(
        t("event_ask_link"),
        keyboard=text_choices([(BUTTONS["no_link"], "ev_nolink", {"value": 1})]),
    )


@router.step(EventDialog.CLASS)
async def event_class(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    classes = await _plannable_classes(event_ctx)
    class_id = picked(event_ctx, "ev_class", {row.name.casefold(): row.id for row in classes})
    if class_id not in {row.id for row in classes}:
        event_ctx.reply(t("dialog_expects_button"))
        return
    await _ask_link(event_ctx, {**dialog, "class_id": class_id})


@router.step(EventDialog.CHAT)
async def event_chat(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    chats = await event_ctx.services.chats.all_bound()
    peer = picked(
        event_ctx, "ev_chat", {describe_chat(c)[:40].casefold(): c.peer_id for c in chats}
    )
    if peer not in {chat.peer_id for chat in chats}:
        event_ctx.reply(t("dialog_expects_button"))
        return
    await _ask_link(event_ctx, {**dialog, "chat_peer": peer})


@router.step(EventDialog.LINK)
async def event_link(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    link: str | None = None
    if picked(event_ctx, "ev_nolink", {BUTTONS["no_link"].casefold(): 1}) != 1:
        link = (event_ctx.incoming.text or "").strip()
        if not link.startswith("https://") or " " in link or len(link) > 500:
            event_ctx.reply(t("event_link_invalid"))
            return
    services = event_ctx.services
    await services.dialogs.delete(event_ctx.person_id)
    class_id = payload_int(dialog.get("class_id"))
    taught = await _taught(event_ctx)
    if not may_plan(event_ctx.who, Audience(str(dialog["audience"])), class_id, taught):
        # Checked when the audience was chosen; the class may have been taken away since.
        event_ctx.reply(t("event_not_allowed"), keyboard=main_menu(event_ctx.who))
        return
    planned = PlannedEvent(
        title=str(dialog["title"]),
        starts_at=datetime.fromisoformat(str(dialog["when"])),
        audience=Audience(str(dialog["audience"])),
        class_id=dialog.get("class_id"),
        chat_peer=dialog.get("chat_peer"),
        link=link,
    )
    remind_before = services.settings.event_reminder_before
    event = await services.events.create(
        event_ctx.who, planned, remind_before, services.settings.zone, taught
    )
    recipients = await services.events.recipients(event)
    await send_about(event_ctx, event, "event_announce", recipients)
    event_ctx.reply(
        t(
            "event_created" if event.reminded_at is None else "event_created_soon",
            id=event.id,
            when=format_moment(event.starts_at, services.settings.zone),
            count=len(recipients),
            before=format_time_left(remind_before),
        ),
        keyboard=main_menu(event_ctx.who),
    )


async def send_about(
    event_ctx: EventContext, event: EventRow, key: str, recipients: list[Address]
) -> None:
    for message in await event_messages(key, event, event_ctx.services, recipients):
        event_ctx.send(message.to, message.text, keyboard=message.keyboard)


def audience_text(event: EventRow) -> str:
    key = f"audience_{event.audience}"
    return t(key, class_name=event.class_name or "")


@router.command("events")
async def events_list(event_ctx: EventContext) -> None:
    args = event_ctx.args.strip()
    if args:
        number = parse_number(args)
        if number is None:
            event_ctx.reply(t("events_usage_detail"))
            return
        await _answers(event_ctx, number, None)
        return
    await _events_page(event_ctx, None)


@router.button("events")
async def events_page(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(None)
    await _events_page(event_ctx, asked_page(event_ctx.data))


async def _events_page(event_ctx: EventContext, number: int | None) -> None:
    services = event_ctx.services
    upcoming = await services.events.visible_to(event_ctx.who)
    if not upcoming:
        # Only those who may plan are offered /event.
        taught = await _taught(event_ctx)
        empty = "events_empty" if audiences_for(event_ctx.who, taught) else "events_empty_for_you"
        event_ctx.reply(t(empty))
        return
    page = page_of(upcoming, number)
    zone = services.settings.zone
    lines = [t("events_header")]
    who_buttons: list[tuple[str, str, dict[str, Any]]] = []
    for event in page.items:
        line = t(
            "events_line",
            id=event.id,
            when=format_moment(event.starts_at, zone),
            title=event.title,
            audience=audience_text(event),
        )
        sender = await event_signature(event, services)
        if sender:
            line += t("events_line_from", sender=sender)
        if event.kind == Kind.MEETING.value and may_see_answers(event_ctx.who, event):
            answers = await services.events.answers(event)
            line += t(
                "event_answers_line",
                coming=len(answers.coming),
                not_coming=len(answers.not_coming),
                silent=len(answers.silent),
            )
            label = f"{BUTTONS['rsvp_who']}: №{event.id}"
            who_buttons.append((label, "rsvp_who", {"e": event.id}))
        lines.append(line)
    footer = page_footer(page)
    if footer:
        lines.append(footer)
    # A page holds PAGE_SIZE events: their answer buttons and the two to turn pages stay
    # within VK's ten buttons under a message when a page has few meetings; beyond, the
    # first meetings keep theirs (`/events N` shows any).
    turns = page_choices(page, "events")
    buttons = who_buttons[: 10 - len(turns)] + turns
    if buttons:
        event_ctx.reply("\n".join(lines), keyboard=choice_keyboard(buttons, per_row=1))
    else:
        event_ctx.reply("\n".join(lines))


@router.button("rsvp")
async def rsvp_pressed(event_ctx: EventContext) -> None:
    data = event_ctx.data
    event_id, answer = payload_int(data.get("e")), payload_int(data.get("a"), low=0)
    if event_id is None or answer not in (0, 1):
        await event_ctx.answer_callback(t("stale_button"))
        return
    outcome = await event_ctx.services.events.answer(event_ctx.who, event_id, bool(answer))
    if outcome is AnswerOutcome.DONE:
        await event_ctx.answer_callback(
            t("event_rsvp_coming" if answer else "event_rsvp_not_coming")
        )
    else:
        await event_ctx.answer_callback(t(f"event_rsvp_{outcome.value}"))


@router.button("rsvp_who")
async def rsvp_who_pressed(event_ctx: EventContext) -> None:
    event_id = payload_int(event_ctx.data.get("e"))
    await event_ctx.answer_callback(None)
    if event_id is None:
        event_ctx.reply(t("stale_button"))
        return
    await _answers(event_ctx, event_id, asked_page(event_ctx.data))


async def _answers(event_ctx: EventContext, event_id: int, page_number: int | None) -> None:
    """A meeting's answers for its organiser: the counts, then who comes, who does not and
    who has not answered, a page at a time."""
    services = event_ctx.services
    event = await services.events.get(event_id)
    if event is None or event.cancelled_at is not None:
        event_ctx.reply(t("event_not_found", id=event_id))
        return
    zone = services.settings.zone
    if event.kind != Kind.MEETING.value or not may_see_answers(event_ctx.who, event):
        # Anyone who is told of the event may read it again; answers are the organiser's.
        if not services.events.may_read(event_ctx.who, event):
            event_ctx.reply(t("event_not_found", id=event_id))
            return
        text = await event_message("event_announce", event, services)
        if event.kind == Kind.MEETING.value and is_invited(event_ctx.who, event):
            # Read again from the list, a meeting can be answered from here too.
            event_ctx.reply(text + t("event_meeting_hint"), keyboard=rsvp_keyboard(event))
        else:
            event_ctx.reply(text)
        return
    answers = await services.events.answers(event)
    names = await services.school.names(answers.coming + answers.not_coming + answers.silent)
    rows: list[str] = []
    for header, people in (
        ("event_answers_coming", answers.coming),
        ("event_answers_not_coming", answers.not_coming),
        ("event_answers_silent", answers.silent),
    ):
        rows.append(t(header))
        rows += [f"• {names.get(person, unnamed(person))}" for person in people] or [
            t("event_answers_nobody")
        ]
    page = page_of(rows, page_number)
    head = t(
        "event_answers_header",
        id=event.id,
        title=event.title,
        when=format_moment(event.starts_at, zone),
        coming=len(answers.coming),
        not_coming=len(answers.not_coming),
        silent=len(answers.silent),
    )
    text = "\n".join([head, *page.items])
    footer = page_footer(page)
    if footer:
        text += "\n" + footer
    choices = page_choices(page, "rsvp_who", e=event.id)
    event_ctx.reply(text, keyboard=choice_keyboard(choices) if choices else None)


@router.command("event_cancel")
async def event_cancel(event_ctx: EventContext) -> None:
    args = event_ctx.args
    number = parse_number(args) if args.strip() else None
    if number is None:
        event_ctx.reply(t("event_cancel_usage"))
        return
    services = event_ctx.services
    planned = await services.events.get(number)
    if planned and planned.cancelled_at is None and planned.starts_at <= services.clock.now():
        event_ctx.reply(t("event_cancel_started", id=number))
        return
    event = await services.events.cancel(event_ctx.who, number)
    if event is None:
        event_ctx.reply(t("event_cancel_not_found", id=number))
        return
    await send_about(event_ctx, event, "event_cancelled", await services.events.recipients(event))
    event_ctx.reply(t("event_cancel_done", id=number))
