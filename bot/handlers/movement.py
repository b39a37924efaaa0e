"""Movement of students and staff (clause 2.1): transfers and departures."""

from __future__ import annotations

from bot.context import EventContext
from bot.conversation.outgoing import Person, unnamed
from bot.domain.movement import MoveOutcome
from bot.domain.roles import Role
from bot.handlers.args import STUDENTS, class_from, known_person_from, person_and_rest
from bot.handlers.chat_list import class_chat_text, removal_report
from bot.handlers.routing import Router
from bot.keyboards import choice_keyboard
from bot.parsing import MAX_VK_ID, payload_int
from bot.storage.classes import ClassRow
from bot.texts import BUTTONS, format_age, t

router = Router()


@router.command("move")
async def move(event_ctx: EventContext) -> None:
    args = event_ctx.args
    person_text, class_text = await person_and_rest(event_ctx, args)
    if not person_text or not class_text:
        event_ctx.reply(t("move_usage"))
        return
    person_id, name = await known_person_from(event_ctx, person_text, prefer=STUDENTS)
    new_class = await class_from(event_ctx, class_text)
    await _move(event_ctx, person_id, name, new_class, with_parents=None)


async def _move(
    event_ctx: EventContext,
    person_id: int,
    name: str,
    new_class: ClassRow,
    with_parents: bool | None,
) -> None:
    services = event_ctx.services
    # The messenger first (out of the old class's chats), then the move is written.
    moved = await services.movement.plan_move(person_id, new_class, with_parents)
    report = ""
    if moved.outcome is MoveOutcome.DONE:
        assert moved.old_class_id is not None
        report = await removal_report(event_ctx, [person_id, *moved.leaving], [moved.old_class_id])
        moved = await services.movement.move(
            event_ctx.person_id, person_id, new_class, bool(with_parents)
        )
    if moved.outcome is MoveOutcome.NOT_STUDENT:
        event_ctx.reply(t("move_not_student", name=name))
        return
    if moved.outcome is MoveOutcome.SAME_CLASS:
        event_ctx.reply(t("move_same_class", name=name, class_name=new_class.name))
        return
    if moved.outcome is MoveOutcome.NEEDS_PARENT_DECISION:
        parents = await services.school.names(moved.parents)
        payload = {"person": person_id, "class": new_class.id}
        event_ctx.reply(
            t(
                "move_ask_parents",
                name=name,
                new=new_class.name,
                parents=list(parents.values()),
            ),
            keyboard=choice_keyboard(
                [
                    (BUTTONS["move_with_parents"], "move_decide", {**payload, "with": 1}),
                    (BUTTONS["move_without_parents"], "move_decide", {**payload, "with": 0}),
                ],
                per_row=1,
            ),
        )
        return
    parent_names = await services.school.names(moved.parents)
    done = t(
        "move_done",
        name=name,
        old=moved.old_class,
        new=new_class.name,
        parents=", ".join(parent_names.values()) or t("nobody"),
        annulled=moved.annulled,
    )
    event_ctx.reply("\n".join(line for line in (done, report) if line))
    student_chat = await class_chat_text(event_ctx, Role.STUDENT.value, new_class.id, person_id)
    event_ctx.send(
        Person(person_id),
        t("move_you", old=moved.old_class, new=new_class.name) + "\n" + student_chat,
    )
    for parent_id in moved.parents:
        parent_chat = await class_chat_text(event_ctx, Role.PARENT.value, new_class.id, parent_id)
        event_ctx.send(
            Person(parent_id),
            t("move_parent_you", old=moved.old_class, new=new_class.name) + "\n" + parent_chat,
        )


@router.button("move_decide")
async def move_decide(event_ctx: EventContext) -> None:
    data = event_ctx.data
    await event_ctx.answer_callback(None)
    person_id = payload_int(data.get("person"), 1, MAX_VK_ID)
    class_id = payload_int(data.get("class"))
    services = event_ctx.services
    new_class = None if class_id is None else await services.school.class_by_id(class_id)
    if person_id is None or new_class is None:
        event_ctx.reply(t("stale_button"))
        return
    name = (await services.school.names([person_id])).get(person_id, unnamed(person_id))
    await _move(event_ctx, person_id, name, new_class, with_parents=bool(data.get("with")))


@router.command("leave")
async def leave(event_ctx: EventContext) -> None:
    args = event_ctx.args
    person_text, _ = await person_and_rest(event_ctx, args)
    if not person_text:
        event_ctx.reply(t("leave_usage"))
        return
    person_id, name = await known_person_from(event_ctx, person_text)
    await _leave(event_ctx, person_id, name, with_parents=None)


async def _leave(
    event_ctx: EventContext, person_id: int, name: str, with_parents: bool | None
) -> None:
    services = event_ctx.services
    # The messenger first (out of their classes' chats), then the departure is written.
    departed = await services.movement.plan_leave(person_id, with_parents)
    report = ""
    if departed.outcome is MoveOutcome.DONE:
        report = await removal_report(
            event_ctx, [*departed.left, *departed.out_of_class], departed.classes
        )
        departed = await services.movement.leave(event_ctx.person_id, person_id, with_parents)
    if departed.outcome is MoveOutcome.NOT_MEMBER:
        event_ctx.reply(t("leave_not_member", name=name))
        return
    if departed.outcome is MoveOutcome.NEEDS_PARENT_DECISION:
        parents = await services.school.names(departed.parents)
        event_ctx.reply(
            t("leave_ask_parents", name=name, parents=list(parents.values())),
            keyboard=choice_keyboard(
                [
                    (BUTTONS["with_parents"], "leave_decide", {"person": person_id, "with": 1}),
                    (BUTTONS["without_parents"], "leave_decide", {"person": person_id, "with": 0}),
                ],
                per_row=1,
            ),
        )
        return
    retention = format_age(services.settings.departed_retention)
    names = await services.school.names(departed.left)
    done = t("leave_done", names=list(names.values()), retention=retention)
    staying = ""
    if departed.out_of_class:
        kept = await services.school.names(departed.out_of_class)
        staying = t("leave_parents_stay", names=list(kept.values()))
    event_ctx.reply("\n".join(line for line in (done, staying, report) if line))
    for left_id in departed.left:
        event_ctx.send(Person(left_id), t("leave_you", retention=retention))
    for parent_id in departed.out_of_class:
        event_ctx.send(Person(parent_id), t("leave_parent_stays_you", name=name))


@router.button("leave_decide")
async def leave_decide(event_ctx: EventContext) -> None:
    data = event_ctx.data
    await event_ctx.answer_callback(None)
    person_id = payload_int(data.get("person"), 1, MAX_VK_ID)
    if person_id is None:
        event_ctx.reply(t("stale_button"))
        return
    name = (await event_ctx.services.school.names([person_id])).get(person_id, unnamed(person_id))
    await _leave(event_ctx, person_id, name, with_parents=bool(data.get("with")))
