"""Rosters as files (clause 2.1): an admin sends XLSX/CSV, checks, applies; /template, /export."""

from __future__ import annotations

from typing import Any

from vkbottle import ABCRule
from vkbottle.bot import BotLabeler, Message, MessageEvent
from vkbottle_types.events import GroupEventType

from bot.context import EventContext, current_event
from bot.domain.roster import MAX_FILE_BYTES, Problem
from bot.files import export_workbook, roster_template
from bot.handlers.rules import Callback, Command, Private
from bot.keyboards import choice_keyboard
from bot.parsing import payload_int
from bot.texts import BUTTONS, format_date, role_name, t
from bot.vk.gateway import FileTooBigError
from bot.vk.outgoing import OutgoingMessage

labeler = BotLabeler()

PROBLEMS_SHOWN = 30


class DocumentFromAdmin(ABCRule[Message]):
    async def check(self, message: Message) -> dict[str, Any] | bool:
        if not current_event.get().who.is_admin:
            return False
        for attachment in message.attachments or []:
            doc = getattr(attachment, "doc", None)
            if doc is not None:
                return {"doc": doc}
        return False


def problem_line(problem: Problem) -> str:
    if problem.row and problem.column:
        where = t("roster_where", sheet=problem.sheet, row=problem.row, column=problem.column)
    elif problem.row:
        where = t("roster_where_row", sheet=problem.sheet, row=problem.row)
    elif problem.sheet:
        where = t("roster_where_sheet", sheet=problem.sheet)
    else:
        where = ""
    what = t(f"roster_problem_{problem.code}", value=problem.value, column=problem.column)
    return "• " + where + what


@labeler.message(Private(), DocumentFromAdmin())
async def roster_file(message: Message, event_ctx: EventContext, doc: Any) -> None:
    if (doc.size or 0) > MAX_FILE_BYTES:
        event_ctx.reply(t("roster_too_big"))
        return
    services = event_ctx.services

    async def say_now(text: str, occasion: str) -> None:
        # Not queued with the event's replies: those go only once the file is checked.
        outgoing = OutgoingMessage(event_ctx.peer_id, text)
        await services.notifier.send_now([outgoing], f"{event_ctx.event_id}:{occasion}")

    async def progress(rows: int) -> None:
        await say_now(t("roster_progress", rows=f"{rows:,}".replace(",", " ")), f"rows{rows}")

    await say_now(t("roster_reading"), "reading")
    try:
        data = await services.vk.download(doc.url or "", MAX_FILE_BYTES)
    except FileTooBigError:
        event_ctx.reply(t("roster_too_big"))
        return
    if data is None:
        event_ctx.reply(t("roster_download_failed"))
        return
    filename = doc.title or f"file.{doc.ext or ''}"
    check = await services.roster.check(event_ctx.person_id, filename, data, progress)
    if check.problems:
        lines = [problem_line(problem) for problem in check.problems[:PROBLEMS_SHOWN]]
        if len(check.problems) > PROBLEMS_SHOWN:
            lines.append(t("roster_problem_more", count=len(check.problems) - PROBLEMS_SHOWN))
        event_ctx.reply(t("roster_problems", count=len(check.problems), lines="\n".join(lines)))
        return
    plan = check.plan
    assert plan is not None
    assert check.import_id is not None
    event_ctx.reply(
        t(
            "roster_preview",
            classes=len(plan.classes_to_add),
            students_add=plan.students_to_add,
            students_moved=plan.students_moved,
            students_same=plan.students_unchanged,
            staff_add=plan.staff_to_add,
            staff_changed=plan.staff_changed,
            staff_same=plan.staff_unchanged,
        ),
        keyboard=choice_keyboard([(BUTTONS["apply"], "roster_apply", {"id": check.import_id})]),
    )


@labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent, Callback("roster_apply"))
async def roster_apply(event: MessageEvent, event_ctx: EventContext, data: dict[str, Any]) -> None:
    await event_ctx.answer_callback(None)
    import_id = payload_int(data.get("id"))
    roster = (
        await event_ctx.services.roster.apply(event_ctx.person_id, import_id)
        if import_id is not None
        else None
    )
    if roster is None:
        event_ctx.reply(t("roster_already_applied"))
        return
    event_ctx.reply(
        t(
            "roster_applied",
            students=len(roster.students),
            staff=len(roster.staff),
            classes=len(roster.classes),
        )
    )


@labeler.message(Command("template"))
async def template(message: Message, event_ctx: EventContext) -> None:
    attachment = await event_ctx.services.vk.upload_document(
        event_ctx.peer_id, "sferum-spiski-shablon.xlsx", roster_template()
    )
    if attachment is None:
        event_ctx.reply(t("roster_file_failed"))
        return
    event_ctx.reply(t("roster_template_caption"), attachment=attachment)


@labeler.message(Command("export"))
async def export(message: Message, event_ctx: EventContext) -> None:
    services = event_ctx.services
    stats = await services.reports.stats()
    summary = [
        (row.name, row.expected, row.joined, max(row.expected - row.joined, 0))
        for row in stats.classes
    ]
    classes = {}
    for school_class in await services.school.pupil_classes():
        rows = await services.roster.class_rows(school_class.id)
        classes[school_class.name] = [
            (row.name, role_name(row.role), t(f"status_{row.status}", name=row.name))
            for row in rows
        ]
    date = format_date(services.clock.now(), services.settings.zone)
    attachment = await services.vk.upload_document(
        event_ctx.peer_id, f"sferum-spiski-{date}.xlsx", export_workbook(summary, classes)
    )
    if attachment is None:
        event_ctx.reply(t("roster_file_failed"))
        return
    event_ctx.reply(t("roster_export_caption", date=date), attachment=attachment)
