"""Rosters as files (clause 2.1): an admin sends XLSX/CSV, checks, applies; /template, /export."""

from __future__ import annotations

from bot.context import EventContext
from bot.conversation.outgoing import File, OutgoingMessage, unnamed
from bot.conversation.port import FileTooBigError
from bot.domain.roles import Role
from bot.domain.roster import MAX_FILE_BYTES, Problem
from bot.files import export_workbook, roster_template
from bot.handlers.routing import Router
from bot.keyboards import choice_keyboard
from bot.parsing import name_key, payload_int
from bot.texts import BUTTONS, format_date, role_name, t

router = Router()

PROBLEMS_SHOWN = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


PICTURES = frozenset({"jpg", "jpeg", "png", "gif", "webp", "heic"})


def only_pictures(event_ctx: EventContext) -> bool:
    """Photos only: never a roster (they go where anyone's photos go)."""
    files = event_ctx.incoming.files
    return bool(files) and all(ref.type.lower() in PICTURES for ref in files)


def document_from_admin(event_ctx: EventContext) -> bool:
    """A file an admin sent in private: a roster to check."""
    return (
        not event_ctx.in_chat
        and event_ctx.who.is_admin
        and bool(event_ctx.incoming.files)
        and not only_pictures(event_ctx)
    )


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


@router.message(document_from_admin)
async def roster_file(event_ctx: EventContext) -> None:
    doc = event_ctx.incoming.files[0]
    if doc.size > MAX_FILE_BYTES:
        event_ctx.reply(t("roster_too_big"))
        return
    services = event_ctx.services

    async def say_now(text: str, occasion: str) -> None:
        # Not queued with the event's replies: those go only once the file is checked.
        outgoing = OutgoingMessage(event_ctx.where, text)
        await services.notifier.send_now([outgoing], f"{event_ctx.event_id}:{occasion}")

    async def progress(rows: int) -> None:
        await say_now(t("roster_progress", rows=f"{rows:,}".replace(",", " ")), f"rows{rows}")

    await say_now(t("roster_reading"), "reading")
    try:
        data = await services.messengers.download(doc.ref, MAX_FILE_BYTES, event_ctx.messenger)
    except FileTooBigError:
        event_ctx.reply(t("roster_too_big"))
        return
    if data is None:
        event_ctx.reply(t("roster_download_failed"))
        return
    filename = doc.name or f"file.{doc.type}"
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


@router.button("roster_apply")
async def roster_apply(event_ctx: EventContext) -> None:
    data = event_ctx.data
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


@router.command("template")
async def template(event_ctx: EventContext) -> None:
    attachment = await event_ctx.services.messengers.upload(
        event_ctx.where, File("sferum-spiski-shablon.xlsx", XLSX, roster_template())
    )
    if attachment is None:
        event_ctx.reply(t("roster_file_failed"))
        return
    event_ctx.reply(t("roster_template_caption"), files=(attachment,))


@router.command("export")
async def export(event_ctx: EventContext) -> None:
    services = event_ctx.services
    stats = await services.reports.stats()
    summary = [
        (row.name, row.expected, row.joined, max(row.expected - row.joined, 0))
        for row in stats.classes
    ]
    classes: dict[str, list[tuple[str, str, str, str | None]]] = {}
    for school_class in await services.school.pupil_classes():
        rows = await services.roster.class_rows(school_class.id)
        parents = await _parents_by_child(event_ctx, school_class.id)
        classes[school_class.name] = [
            (
                row.name,
                role_name(row.role),
                t(f"status_{row.status}", name=row.name),
                parents.get(name_key(row.name)) if row.role == Role.STUDENT.value else None,
            )
            for row in rows
        ]
    date = format_date(services.clock.now(), services.settings.zone)
    attachment = await services.messengers.upload(
        event_ctx.where, File(f"sferum-spiski-{date}.xlsx", XLSX, export_workbook(summary, classes))
    )
    if attachment is None:
        event_ctx.reply(t("roster_file_failed"))
        return
    event_ctx.reply(t("roster_export_caption", date=date), files=(attachment,))


async def _parents_by_child(event_ctx: EventContext, class_id: int) -> dict[str, str]:
    """A class's students' parents for the export, by every name a student is known by."""
    services = event_ctx.services
    families = await services.family.class_families(class_id)
    names = await services.school.names([p for family in families for p in family.parents])
    by_child: dict[str, str] = {}
    for family in families:
        if not family.parents:
            continue
        listed = ", ".join(names.get(p, unnamed(p)) for p in family.parents)
        if family.unconfirmed:
            listed += t("class_list_unconfirmed")
        for name in family.child.names:
            by_child.setdefault(name_key(name), listed)
    return by_child
