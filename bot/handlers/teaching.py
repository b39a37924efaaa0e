"""`/teaches`, `/teaches_remove`: which classes a subject teacher teaches (clause 2.4)."""

from __future__ import annotations

from bot.context import EventContext
from bot.domain.teaching import SUBJECT_LENGTH, TEACHING_ROLES, TeachOutcome
from bot.handlers.args import class_from, known_person_from
from bot.handlers.routing import Router
from bot.render.events import class_names_text
from bot.storage.classes import ClassRow
from bot.texts import t

router = Router()

# A surname a teacher shares with a student (often their own child) names the teacher here.
TEACHERS = frozenset(TEACHING_ROLES)


def split_teaching_args(args: str) -> tuple[str, list[str], str]:
    """«Орлов Пётр 5А 5Б математика» → the person, the class words, the subject: the person
    is everything before the first word that starts with a digit (after the first word)."""
    words = args.split()
    # A bare number first is a person (a VK id), as everywhere a command names one.
    first = 1 if words and words[0].isdigit() else 0
    start = next(
        (i for i, word in enumerate(words) if i >= first and word[:1].isdigit()), len(words)
    )
    end = start
    while end < len(words) and words[end][:1].isdigit():
        end += 1
    return " ".join(words[:start]), words[start:end], " ".join(words[end:])


async def _classes(event_ctx: EventContext, words: list[str]) -> list[ClassRow]:
    classes: list[ClassRow] = []
    for word in words:
        row = await class_from(event_ctx, word.strip(","))
        if row not in classes:
            classes.append(row)
    return classes


@router.command("teaches")
async def teaches(event_ctx: EventContext) -> None:
    person_text, class_words, subject = split_teaching_args(event_ctx.args)
    if not person_text:
        event_ctx.reply(t("teaches_usage"))
        return
    person_id, name = await known_person_from(event_ctx, person_text, prefer=TEACHERS)
    services = event_ctx.services
    if not class_words:
        rows = await services.teaching.of_teacher(person_id)
        if not rows:
            event_ctx.reply(t("teaches_list_none", name=name))
            return
        listed = [
            t(
                "teaching_class",
                class_name=row.class_name,
                subject=t("teaches_subject", subject=row.subject) if row.subject else "",
            )
            for row in rows
        ]
        event_ctx.reply(t("teaches_list", name=name, classes=", ".join(listed)))
        return
    classes = await _classes(event_ctx, class_words)
    subject_text = subject.strip()[:SUBJECT_LENGTH] or None
    result = await services.teaching.assign(event_ctx.who, person_id, classes, subject_text)
    if result.outcome is TeachOutcome.NOT_TEACHER:
        event_ctx.reply(t("teaches_not_teacher", name=name))
        return
    event_ctx.reply(
        t(
            "teaches_done",
            name=name,
            classes=class_names_text(result.classes),
            subject=t("teaches_subject", subject=subject_text) if subject_text else "",
        )
    )


@router.command("teaches_remove")
async def teaches_remove(event_ctx: EventContext) -> None:
    person_text, class_words, _subject = split_teaching_args(event_ctx.args)
    if not person_text:
        event_ctx.reply(t("teaches_remove_usage"))
        return
    person_id, name = await known_person_from(event_ctx, person_text, prefer=TEACHERS)
    classes = await _classes(event_ctx, class_words) if class_words else None
    result = await event_ctx.services.teaching.remove(event_ctx.who, person_id, classes)
    if result.outcome is TeachOutcome.NOTHING:
        event_ctx.reply(t("teaches_nothing", name=name))
        return
    event_ctx.reply(t("teaches_removed", name=name, classes=class_names_text(result.classes)))
