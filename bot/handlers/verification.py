"""Teacher verification (clause 2.1): the admin confirms the status «учитель»."""

from __future__ import annotations

from bot.context import EventContext
from bot.conversation.outgoing import Person, mention, unnamed
from bot.domain.school import Outcome
from bot.handlers.args import TEACHERS, known_person_from, person_and_rest
from bot.handlers.moving import typed_ref
from bot.handlers.routing import Router
from bot.keyboards import choice_keyboard
from bot.parsing import MAX_VK_ID, payload_int
from bot.render.paging import asked_page, page_choices, page_footer, page_of
from bot.texts import BUTTONS, format_date, t

router = Router()

BUTTONS_AT_ONCE = 5


@router.command("verify")
async def verify(event_ctx: EventContext) -> None:
    args = event_ctx.args
    if args.strip():
        person_text, _ = await person_and_rest(event_ctx, args)
        person_id, name = await known_person_from(event_ctx, person_text, prefer=TEACHERS)
        event_ctx.reply(await confirm_teacher(event_ctx, person_id, name))
        return
    await _waiting_page(event_ctx, None)


async def _waiting_page(event_ctx: EventContext, number: int | None) -> None:
    """One page of the teachers waiting for confirmation, a button to confirm each."""
    waiting = await event_ctx.services.school.waiting_teachers()
    if not waiting:
        event_ctx.reply(t("verify_empty"))
        return
    page = page_of(waiting, number)
    zone = event_ctx.services.settings.zone
    lines = [t("verify_header", count=len(waiting))]
    lines += [
        t(
            "verify_line",
            name=item.name,
            profile=mention(item.person_id, t("mention_profile")),
            vk_id=await typed_ref(event_ctx, item.person_id),
            since=format_date(item.since, zone),
        )
        for item in page.items
    ]
    footer = page_footer(page)
    if footer:
        lines.append(footer)
    keyboard = choice_keyboard(
        [
            (f"{BUTTONS['confirm_verify']}: {item.name}"[:40], "verify", {"person": item.person_id})
            for item in page.items[:BUTTONS_AT_ONCE]
        ]
        + page_choices(page, "verify"),
        per_row=1,
    )
    event_ctx.reply("\n".join(lines), keyboard=keyboard)


async def confirm_teacher(event_ctx: EventContext, person_id: int, name: str) -> str:
    outcome = await event_ctx.services.school.verify_teacher(event_ctx.person_id, person_id)
    if outcome is Outcome.ALREADY:
        return t("verify_already", name=name)
    if outcome is Outcome.NOT_FOUND:
        return t("verify_not_teacher", name=name)
    event_ctx.send(Person(person_id), t("verify_you"))
    return t("verify_done", name=name)


@router.button("verify")
async def verify_button(event_ctx: EventContext) -> None:
    data = event_ctx.data
    if "person" not in data and "page" in data:
        # «Назад» / «Дальше» under the list: the page asked for.
        await event_ctx.answer_callback(None)
        await _waiting_page(event_ctx, asked_page(data))
        return
    person_id = payload_int(data.get("person"), 1, MAX_VK_ID)
    if person_id is None:
        await event_ctx.answer_callback(t("stale_button"))
        return
    name = (await event_ctx.services.school.names([person_id])).get(person_id, unnamed(person_id))
    result = await confirm_teacher(event_ctx, person_id, name)
    await event_ctx.answer_callback(result)
    event_ctx.reply(result)
