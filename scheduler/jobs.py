"""The jobs themselves: plain async functions of the services and the run."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from loguru import logger

from bot.charts import joined_vs_expected
from bot.conversation.outgoing import File, OutgoingMessage, Person, StoredFile
from bot.keyboards import choice_keyboard
from bot.render.digest import render_digest
from bot.render.events import event_messages
from bot.render.questions import about, snippet
from bot.render.requests import applicant, decision_keyboard
from bot.render.stats import build_stats_text
from bot.texts import format_age, role_name, t

if TYPE_CHECKING:
    from bot.context import Services
    from bot.storage.questions import QuestionRow
    from scheduler.registry import JobRun

REMINDERS_PER_RUN = 200


async def daily_digest(services: Services, run: JobRun) -> None:
    """Every admin learns what waits for them (DIGEST_CRON)."""
    digest = await services.reports.digest(run.last_run)
    if digest.empty and not services.settings.digest_when_empty:
        return
    messages = render_digest(digest, services.settings.zone)
    outgoing = [
        OutgoingMessage(Person(admin), text, keyboard)
        for admin in await services.school.admin_ids()
        for text, keyboard in messages
    ]
    await services.notifier.send(outgoing, run.key)


async def weekly_report(services: Services, run: JobRun) -> None:
    """The director and the admins get the figures and a chart (REPORT_CRON, clause 2.1)."""
    stats = await services.reports.stats()
    text = t("report_header") + "\n\n" + await build_stats_text(services, stats)
    recipients = await services.reports.report_recipients()
    if not recipients:
        return
    chart = joined_vs_expected(stats.classes)
    addresses = [Person(peer) for peer in recipients]
    photos = await services.messengers.upload_each(addresses, File("chart.png", "image/png", chart))
    await services.notifier.send(
        [OutgoingMessage(to, text, files=_files(photos.get(to))) for to in addresses],
        run.key,
    )


def _files(photo: StoredFile | None) -> tuple[StoredFile, ...]:
    return () if photo is None else (photo,)


async def request_reminders(services: Services, run: JobRun) -> None:
    """A request waiting longer than REQUEST_REMINDER_AFTER reminds its decider once a period;
    past twice that it goes to the admins, saying whose desk it sat on."""
    period = services.settings.request_reminder_after
    now = run.now
    admins = await services.school.admin_ids()
    remind, escalate = await services.requests.overdue(
        now - period, now - 2 * period, REMINDERS_PER_RUN
    )
    escalated = {request.id for request in escalate}
    outgoing: list[OutgoingMessage] = []
    # The decider hears first, then the admins.
    for request in remind:
        text = t(
            "reminder_request",
            id=request.id,
            role=role_name(request.role),
            class_name=request.class_name,
            name=applicant(request),
            age=format_age(now - request.created_at),
        )
        deciders, to_class_teacher = await services.requests.deciders_for(request.class_id)
        if not to_class_teacher and request.id in escalated:
            continue  # the admins decide it themselves: the escalation below tells them
        for decider in deciders:
            outgoing.append(OutgoingMessage(Person(decider), text, decision_keyboard([request])))
        await services.requests.mark_reminded(request.id, escalated=False)
    for request in escalate:
        teacher = await services.requests.class_teacher_of(request.class_id)
        if teacher is not None:
            name = (await services.school.names([teacher])).get(teacher, f"id{teacher}")
            desk = t("escalation_desk_teacher", name=name)
        else:
            desk = t("escalation_desk_admins")
        text = t(
            "escalation_request",
            id=request.id,
            role=role_name(request.role),
            class_name=request.class_name,
            name=applicant(request),
            age=format_age(now - request.created_at),
            desk=desk,
        )
        outgoing += [OutgoingMessage(Person(a), text, decision_keyboard([request])) for a in admins]
        await services.requests.mark_reminded(request.id, escalated=True)
    if outgoing:
        await services.notifier.send(outgoing, run.key)


async def event_reminders(services: Services, run: JobRun) -> None:
    """The evening before (19:00 school time) and EVENT_REMINDER_BEFORE the start, the
    audience is reminded, each once: the messages and the mark that they went commit in
    the run's one unit of work, so a failed run sends nothing and is tried again."""
    before = services.settings.event_reminder_before
    for event in await services.events.due_evening_reminders():
        # Caught up so late that the reminder ahead of the start is due too: that one says it.
        if event.starts_at > run.now + before:
            recipients = await services.events.recipients(event)
            await services.notifier.send(
                await event_messages("event_evening_reminder", event, services, recipients),
                f"event:{event.id}:evening",
            )
        await services.events.mark_evening_reminded(event.id)
    for event in await services.events.due_reminders(before):
        recipients = await services.events.recipients(event)
        await services.notifier.send(
            await event_messages("event_reminder", event, services, recipients),
            f"event:{event.id}:reminder",
        )
        await services.events.mark_reminded(event.id)


QUESTION_DIGEST_AFTER = timedelta(days=1)
QUESTION_ESCALATION_AFTER = timedelta(days=3)
QUESTIONS_PER_RUN = 200
QUESTION_BUTTONS = 5


async def question_digest(services: Services, run: JobRun) -> None:
    """Each class teacher's morning (DIGEST_CRON): the questions asked of them a day ago or
    more and still unanswered, in one message; a teacher with none gets nothing."""
    questions = await services.questions.unanswered(
        run.now - QUESTION_DIGEST_AFTER, QUESTIONS_PER_RUN
    )
    by_teacher: dict[int, list[QuestionRow]] = {}
    for question in questions:
        if question.teacher_id is not None:
            by_teacher.setdefault(question.teacher_id, []).append(question)
    if not by_teacher:
        return
    askers = await services.questions.askers(questions)
    texts = await services.questions.first_texts([question.id for question in questions])
    outgoing = []
    for teacher, own in by_teacher.items():
        lines = [t("questions_digest", count=len(own))]
        for question in own:
            asker = askers.get(question.id)
            if asker is None:
                continue
            lines.append(
                t(
                    "questions_digest_line",
                    id=question.id,
                    asker=asker.who,
                    about=about(asker),
                    age=format_age(run.now - question.created_at),
                    text=snippet(texts.get(question.id, "")),
                )
            )
        keyboard = choice_keyboard(
            [
                (t("questions_reply_label", id=question.id), "question_reply", {"id": question.id})
                for question in own[:QUESTION_BUTTONS]
            ]
        )
        outgoing.append(OutgoingMessage(Person(teacher), "\n".join(lines), keyboard))
    await services.notifier.send(outgoing, run.key)


async def question_escalations(services: Services, run: JobRun) -> None:
    """A question unanswered QUESTION_ESCALATION_AFTER goes to the admins, once: marked in
    the run's unit of work together with the messages it queues."""
    questions = await services.questions.to_escalate(
        run.now - QUESTION_ESCALATION_AFTER, QUESTIONS_PER_RUN
    )
    if not questions:
        return
    admins = await services.school.admin_ids()
    askers = await services.questions.askers(questions)
    texts = await services.questions.first_texts([question.id for question in questions])
    teachers = await services.questions.names(
        [q.teacher_id for q in questions if q.teacher_id is not None]
    )
    outgoing = []
    for question in questions:
        if not await services.questions.mark_escalated(question.id):
            continue
        asker = askers.get(question.id)
        if asker is None:
            continue
        teacher = teachers.get(question.teacher_id) if question.teacher_id is not None else None
        # No teacher: the one it went to left and the class has no class teacher yet.
        text = t(
            "questions_escalation" if teacher else "questions_escalation_nobody",
            id=question.id,
            asker=asker.who,
            about=about(asker),
            teacher=teacher,
            class_name=question.class_name or "",
            age=format_age(run.now - question.created_at),
            text=snippet(texts.get(question.id, "")),
        )
        outgoing += [OutgoingMessage(Person(admin), text) for admin in admins]
    if outgoing:
        await services.notifier.send(outgoing, run.key)


async def purge_departed(services: Services, run: JobRun) -> None:
    """Personal data of people who left is deleted after DEPARTED_RETENTION (152-FZ)."""
    before = run.now - services.settings.departed_retention
    purged = await services.movement.purge_departed(before)
    if purged:
        logger.info("Deleted the data of {} departed people", purged)


async def forget_pending_refs(services: Services, run: JobRun) -> None:
    """The code a person came with is kept for their consent; one who has not consented
    within INVITATION_TTL (the code has expired by then) has it forgotten."""
    forgotten = await services.people.forget_pending_refs(
        run.now - services.settings.invitation_ttl
    )
    if forgotten:
        logger.info("Forgot the invitation codes of {} people who did not consent", forgotten)


INBOX_KEPT = timedelta(days=7)


async def housekeeping(services: Services, run: JobRun) -> None:
    """Handled events are remembered a week (to recognise a late duplicate), then forgotten."""
    async with services.db.transaction() as tx:
        await tx.inbox.purge_done_before(run.now - INBOX_KEPT)
