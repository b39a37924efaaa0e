"""The school's structure (admin, clause 2.1): classes, class teachers, admins."""

from __future__ import annotations

from bot.context import EventContext
from bot.conversation.outgoing import Person, mention
from bot.domain.school import Outcome
from bot.handlers.args import (
    ADMINS,
    TEACHERS,
    ArgumentError,
    class_from,
    describe,
    known_person_from,
    person_and_rest,
    scope_note,
)
from bot.handlers.moving import typed_ref
from bot.handlers.routing import Router
from bot.keyboards import choice_keyboard
from bot.parsing import (
    MAX_VK_ID,
    ClassNameError,
    parse_class_name,
    parse_int,
    payload_int,
)
from bot.texts import BUTTONS, t

router = Router()


@router.command("class_add")
async def class_add(event_ctx: EventContext) -> None:
    args = event_ctx.args
    words = args.replace(",", " ").split()
    if not words:
        event_ctx.reply(t("classes_none_given"))
        return
    parsed = []
    for word in _join_split_names(words):
        try:
            parsed.append(parse_class_name(word))
        except ClassNameError:
            event_ctx.reply(t("class_name_invalid", text=word[:20]))
            return
    result = await event_ctx.services.school.add_classes(event_ctx.person_id, parsed)
    lines = []
    if result.added:
        lines.append(t("classes_added", names=", ".join(result.added)))
    if result.existing:
        lines.append(t("classes_existing", names=", ".join(result.existing)))
    event_ctx.reply("\n".join(lines))


def _join_split_names(words: list[str]) -> list[str]:
    """«5 А 6 Б» typed with spaces: a lone number joins the letter after it."""
    joined: list[str] = []
    for word in words:
        if joined and joined[-1].isdigit() and not word[0].isdigit():
            joined[-1] += word
        else:
            joined.append(word)
    return joined


@router.command("classes")
async def classes(event_ctx: EventContext) -> None:
    rows = await event_ctx.services.school.summaries()
    pupils = [row for row in rows if not row.is_staff_room]
    lines = [t("classes_header", count=len(pupils))]
    for row in rows:
        if row.is_staff_room:
            lines.append(t("classes_staff_line", name=row.name, teachers=row.teachers))
            continue
        teacher = row.class_teacher_name or t("classes_no_teacher")
        lines.append(
            t(
                "classes_line",
                name=row.name,
                teacher=teacher,
                students=row.students,
                parents=row.parents,
            )
        )
    if not pupils:
        lines.append(t("classes_empty"))
    event_ctx.reply("\n".join(lines))


@router.command("class_remove")
async def class_remove(event_ctx: EventContext) -> None:
    args = event_ctx.args
    try:
        name = parse_class_name(args).name
    except ClassNameError:
        event_ctx.reply(t("class_name_invalid", text=args[:20]))
        return
    outcome, members = await event_ctx.services.school.remove_class(event_ctx.person_id, name)
    if outcome is Outcome.NOT_FOUND:
        event_ctx.reply(t("class_unknown", name=name))
    elif outcome is Outcome.STAFF_ROOM:
        event_ctx.reply(t("class_staff_room"))
    elif outcome is Outcome.HAS_MEMBERS:
        event_ctx.reply(t("class_not_empty", name=name, members=members))
    else:
        event_ctx.reply(t("class_removed", name=name))


@router.command("class_teacher")
async def class_teacher(event_ctx: EventContext) -> None:
    args = event_ctx.args
    class_text, person_text = _split_class_first(args)
    school_class = await class_from(event_ctx, class_text)
    person_id, name = await known_person_from(event_ctx, person_text, prefer=TEACHERS)
    await _set_class_teacher(event_ctx, school_class.name, person_id, name, replace=False)


def _split_class_first(args: str) -> tuple[str, str]:
    """`5А <person>`, or `5 А <person>`: the class, then the rest."""
    words = args.split(maxsplit=2)
    if len(words) >= 2 and parse_int(words[0], 0) is not None and len(words[1]) == 1:
        return words[0] + words[1], words[2] if len(words) > 2 else ""
    head, _, rest = args.strip().partition(" ")
    return head, rest.strip()


async def _set_class_teacher(
    event_ctx: EventContext, class_name: str, person_id: int, name: str, replace: bool
) -> None:
    school = event_ctx.services.school
    school_class = await class_from(event_ctx, class_name)
    change = await school.set_class_teacher(event_ctx.person_id, school_class, person_id, replace)
    if change.outcome is Outcome.UNKNOWN_PERSON:
        raise ArgumentError(t("person_unknown"))
    if change.outcome is Outcome.NOT_VERIFIED_TEACHER:
        event_ctx.reply(t("not_verified_teacher", name=name))
    elif change.outcome is Outcome.ALREADY:
        event_ctx.reply(t("class_teacher_already", name=name, class_name=class_name))
    elif change.outcome is Outcome.NEEDS_CONFIRMATION:
        assert change.previous is not None
        current = (await school.names([change.previous])).get(change.previous, "")
        payload = {"class": class_name, "person": person_id}
        event_ctx.reply(
            t("class_teacher_replace", class_name=class_name, current=current, name=name),
            keyboard=choice_keyboard(
                [
                    (BUTTONS["replace"], "class_teacher_confirm", {**payload, "yes": 1}),
                    (BUTTONS["keep"], "class_teacher_confirm", {**payload, "yes": 0}),
                ]
            ),
        )
    else:
        event_ctx.reply(t("class_teacher_set", name=name, class_name=class_name))
        told = t("class_teacher_you", class_name=class_name)
        if change.questions:
            told += "\n" + t("class_teacher_you_questions", count=change.questions)
        event_ctx.send(Person(person_id), told)
        if change.previous is not None:
            event_ctx.send(
                Person(change.previous), t("class_teacher_removed_you", class_name=class_name)
            )


@router.button("class_teacher_confirm")
async def class_teacher_confirm(event_ctx: EventContext) -> None:
    data = event_ctx.data
    await event_ctx.answer_callback(None)
    class_name = str(data.get("class", ""))
    if not data.get("yes"):
        event_ctx.reply(t("class_teacher_kept", class_name=class_name))
        return
    person_id = payload_int(data.get("person"), 1, MAX_VK_ID)
    if person_id is None:
        event_ctx.reply(t("stale_button"))
        return
    name = (await event_ctx.services.school.names([person_id])).get(person_id, "")
    await _set_class_teacher(event_ctx, class_name, person_id, name, replace=True)


@router.command("admin_add")
async def admin_add(event_ctx: EventContext) -> None:
    args = event_ctx.args
    person_text, _ = await person_and_rest(event_ctx, args)
    person_id, name = await known_person_from(event_ctx, person_text, prefer=TEACHERS)
    outcome = await event_ctx.services.school.add_admin(event_ctx.person_id, person_id)
    if outcome is Outcome.NOT_VERIFIED_TEACHER:
        event_ctx.reply(t("not_verified_teacher", name=name))
    elif outcome is Outcome.ALREADY:
        event_ctx.reply(t("admin_already", name=name))
    else:
        event_ctx.reply(t("admin_added", name=name))
        event_ctx.send(Person(person_id), t("admin_you"))


@router.command("admin_remove")
async def admin_remove(event_ctx: EventContext) -> None:
    args = event_ctx.args
    person_text, _ = await person_and_rest(event_ctx, args)
    person_id, name = await known_person_from(event_ctx, person_text, prefer=ADMINS)
    outcome = await event_ctx.services.school.remove_admin(event_ctx.person_id, person_id)
    if outcome is Outcome.NOT_ADMIN:
        event_ctx.reply(t("admin_not_admin", name=name))
    elif outcome is Outcome.LAST_ADMIN:
        event_ctx.reply(t("admin_last"))
    else:
        event_ctx.reply(t("admin_removed", name=name))


@router.command("who")
async def who(event_ctx: EventContext) -> None:
    """Who someone is (roles, classes), found by name among the people the asker may see:
    staff check a name before they act on it, and learn the number commands take."""
    person_text, _ = await person_and_rest(event_ctx, event_ctx.args)
    person_id, _ = await known_person_from(event_ctx, person_text, departed=True)
    found = await event_ctx.services.school.person_card(event_ctx.who, person_id)
    if found is None:
        # Named by an account, not a name: the same bounds as a lookup by name.
        raise ArgumentError(t("who_not_visible") + "\n" + scope_note(event_ctx))
    event_ctx.reply(
        t(
            "who_card",
            name=found.name,
            who=describe(found),
            profile=mention(person_id, t("mention_profile")),
            number=await typed_ref(event_ctx, person_id),
        )
    )
