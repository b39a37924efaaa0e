"""Join requests from people without an invitation, and their decision (clause 2.1)."""

from __future__ import annotations

from typing import Any

from bot.context import EventContext
from bot.conversation.outgoing import Keyboard, Person, mention, unnamed
from bot.dialogs import Steps
from bot.domain.family import ClassChild
from bot.domain.requests import ChildDecision, DecisionOutcome
from bot.domain.roles import Role
from bot.handlers.chat_list import add_to_class_chat_soon, class_chat_text
from bot.handlers.dialog import next_step, picked
from bot.handlers.invitations import tell_class_teacher_links
from bot.handlers.routing import Router
from bot.keyboards import choice_keyboard, main_menu, text_choices
from bot.parsing import parse_full_name, parse_number, payload_int
from bot.render.paging import Page, asked_page, page_choices, page_footer, page_of
from bot.render.requests import (
    BUTTONS_WITH_DECISIONS,
    applicant,
    decision_choices,
    decision_keyboard,
)
from bot.storage.classes import ClassRow
from bot.storage.requests import JoinRequestRow
from bot.texts import BUTTONS, format_age, format_moment, role_name, t

router = Router()

# Up to this many classes are offered at once; a larger school picks the grade first.
CLASSES_AT_ONCE = 24
# Pending requests listed (paged) at most; beyond, the list says how many more wait.
LISTED_AT_MOST = 500
# Requests a page of several has decision buttons for: with the two to turn pages, VK's ten.
DECIDED_ON_A_PAGE = 4
# Students offered to a decider who confirms a parent's child.
PICK_LIMIT = 8


class RequestDialog(Steps):
    ROLE = "role"
    GRADE = "grade"
    CLASS = "class"
    NAME = "name"
    CONFIRM = "confirm"
    # A parent picks the child from the class's list.
    CHILD = "child"


@router.command("request")
async def request_start(event_ctx: EventContext) -> None:
    if not await event_ctx.services.school.pupil_classes():
        event_ctx.reply(t("request_no_classes"))
        return
    await next_step(event_ctx, RequestDialog.ROLE)
    event_ctx.reply(t("request_ask_role"), keyboard=_role_keyboard())


def _role_keyboard() -> Keyboard:
    return text_choices(
        [
            (BUTTONS["i_am_parent"], "req_role", {"value": "parent"}),
            (BUTTONS["i_am_student"], "req_role", {"value": "student"}),
        ]
    )


@router.step(RequestDialog.ROLE)
async def request_role(event_ctx: EventContext) -> None:
    role = picked(
        event_ctx,
        "req_role",
        {
            BUTTONS["i_am_parent"].casefold(): "parent",
            BUTTONS["i_am_student"].casefold(): "student",
        },
    )
    if role not in ("parent", "student"):
        event_ctx.reply(t("dialog_expects_button"), keyboard=_role_keyboard())
        return
    classes = await event_ctx.services.school.pupil_classes()
    if len(classes) <= CLASSES_AT_ONCE:
        await next_step(event_ctx, RequestDialog.CLASS, role=role)
        event_ctx.reply(t("request_ask_class"), keyboard=_class_keyboard(classes))
        return
    await next_step(event_ctx, RequestDialog.GRADE, role=role)
    event_ctx.reply(t("request_ask_grade"), keyboard=_grade_keyboard(classes))


def _grade_keyboard(classes: list[ClassRow]) -> Keyboard:
    grades = sorted({row.grade for row in classes if row.grade is not None})
    return text_choices([(str(grade), "req_grade", {"value": grade}) for grade in grades], 4)


def _class_keyboard(classes: list[ClassRow]) -> Keyboard:
    return text_choices([(row.name, "req_class", {"value": row.id}) for row in classes], 4)


@router.step(RequestDialog.GRADE)
async def request_grade(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    classes = await event_ctx.services.school.pupil_classes()
    grades = {str(row.grade): row.grade for row in classes if row.grade is not None}
    grade = picked(event_ctx, "req_grade", grades)
    of_grade = [row for row in classes if row.grade == grade]
    if not of_grade:
        event_ctx.reply(t("dialog_expects_button"), keyboard=_grade_keyboard(classes))
        return
    await next_step(event_ctx, RequestDialog.CLASS, role=dialog["role"])
    event_ctx.reply(t("request_ask_class"), keyboard=_class_keyboard(of_grade))


@router.step(RequestDialog.CLASS)
async def request_class(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    classes = await event_ctx.services.school.pupil_classes()
    by_label = {row.name.casefold(): row.id for row in classes}
    class_id = picked(event_ctx, "req_class", by_label)
    chosen = next((row for row in classes if row.id == class_id), None)
    if chosen is None:
        event_ctx.reply(t("dialog_expects_button"), keyboard=_class_keyboard(classes))
        return
    if dialog["role"] == "parent":
        children = await event_ctx.services.family.class_children(chosen.id)
        if children:
            await next_step(
                event_ctx,
                RequestDialog.CHILD,
                role=dialog["role"],
                class_id=chosen.id,
                class_name=chosen.name,
            )
            page = page_of(children)
            event_ctx.reply(_child_question(chosen.name, page), keyboard=_child_keyboard(page))
            return
    await next_step(
        event_ctx,
        RequestDialog.NAME,
        role=dialog["role"],
        class_id=chosen.id,
        class_name=chosen.name,
    )
    key = "request_ask_child_name" if dialog["role"] == "parent" else "request_ask_own_name"
    event_ctx.reply(t(key), keyboard=text_choices([]))


def _child_value(index: int, child: ClassChild) -> str:
    # A registered child by their id; a roster's child by their place in the list (the
    # roster is the same a moment later; a changed one is asked again).
    return f"p{child.person_id}" if child.person_id is not None else f"r{index}"


def _child_question(class_name: str, page: Page[ClassChild]) -> str:
    footer = page_footer(page)
    text = t("request_ask_child_pick", class_name=class_name)
    return text + ("\n" + footer if footer else "")


def _child_keyboard(page: Page[ClassChild]) -> Keyboard:
    choices: list[tuple[str, str, dict[str, Any]]] = [
        (child.name, "req_child", {"value": _child_value(page.first_index + offset, child)})
        for offset, child in enumerate(page.items)
    ]
    choices += page_choices(page, "req_child_page")
    choices.append((BUTTONS["child_not_listed"], "req_child_none", {"value": 1}))
    return text_choices(choices, per_row=2)


@router.step(RequestDialog.CHILD)
async def request_child(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    class_id = int(dialog["class_id"])
    children = await event_ctx.services.family.class_children(class_id)
    pressed = event_ctx.incoming.button
    if pressed is not None and pressed[0] == "req_child_page":
        page = page_of(children, asked_page(pressed[1]))
        event_ctx.reply(
            _child_question(str(dialog["class_name"]), page), keyboard=_child_keyboard(page)
        )
        return
    not_listed = picked(event_ctx, "req_child_none", {BUTTONS["child_not_listed"].casefold(): 1})
    if not_listed == 1:
        await next_step(event_ctx, RequestDialog.NAME, **dialog)
        event_ctx.reply(t("request_ask_child_name"), keyboard=text_choices([]))
        return
    by_label = {
        child.name.casefold(): _child_value(index, child) for index, child in enumerate(children)
    }
    value = picked(event_ctx, "req_child", by_label)
    chosen = next(
        (
            child
            for index, child in enumerate(children)
            if isinstance(value, str) and _child_value(index, child) == value
        ),
        None,
    )
    if chosen is None:
        # A name typed instead of a button: the parent's own words, as «not listed» takes.
        typed = parse_full_name(event_ctx.incoming.text or "") if pressed is None else None
        if typed is not None:
            await _confirm_step(event_ctx, dialog, typed, None)
            return
        page = page_of(children)
        event_ctx.reply(t("dialog_expects_button"), keyboard=_child_keyboard(page))
        return
    await _confirm_step(event_ctx, dialog, chosen.name, chosen.person_id)


async def _confirm_step(
    event_ctx: EventContext, dialog: dict[str, Any], name: str, child_id: int | None
) -> None:
    await next_step(
        event_ctx, RequestDialog.CONFIRM, **{**dialog, "name": name, "child_id": child_id}
    )
    event_ctx.reply(
        t(
            "request_confirm_parent" if dialog["role"] == Role.PARENT.value else "request_confirm",
            role=role_name(str(dialog["role"])),
            class_name=dialog["class_name"],
            name=name,
        ),
        keyboard=text_choices([(BUTTONS["send_request"], "req_send", {"value": 1})]),
    )


@router.step(RequestDialog.NAME)
async def request_name(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    name = parse_full_name(event_ctx.incoming.text or "")
    if name is None:
        event_ctx.reply(t("name_invalid"))
        return
    await _confirm_step(event_ctx, dialog, name, None)


@router.step(RequestDialog.CONFIRM)
async def request_confirm(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    if picked(event_ctx, "req_send", {BUTTONS["send_request"].casefold(): 1}) != 1:
        event_ctx.reply(
            t("dialog_expects_button"),
            keyboard=text_choices([(BUTTONS["send_request"], "req_send", {"value": 1})]),
        )
        return
    services = event_ctx.services
    await services.dialogs.delete(event_ctx.person_id)
    new = await services.requests.submit(
        event_ctx.person_id,
        Role(str(dialog["role"])),
        int(dialog["class_id"]),
        str(dialog["name"]),
        payload_int(dialog.get("child_id")),
    )
    request = new.request
    if not new.created:
        event_ctx.reply(
            t("request_duplicate", class_name=request.class_name, id=request.id),
            keyboard=main_menu(event_ctx.who),
        )
        return
    decider = t(
        "request_decider_class_teacher" if new.to_class_teacher else "request_decider_admin"
    )
    event_ctx.reply(
        t("request_sent", id=request.id, decider=decider), keyboard=main_menu(event_ctx.who)
    )
    for decider_id in new.deciders:
        event_ctx.send(
            Person(decider_id), _request_text(request), keyboard=decision_keyboard([request])
        )


def _request_text(request: JoinRequestRow) -> str:
    return t(
        "request_new",
        id=request.id,
        role=role_name(request.role),
        class_name=request.class_name,
        name=applicant(request),
        profile=mention(request.person_id, t("mention_profile")),
    )


@router.command("requests")
async def requests_list(event_ctx: EventContext) -> None:
    await _requests_page(event_ctx, None)


@router.button("requests")
async def requests_page(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(None)
    await _requests_page(event_ctx, asked_page(event_ctx.data))


async def _requests_page(event_ctx: EventContext, number: int | None) -> None:
    """One page of the pending requests, oldest first, with the decision buttons for the
    page's first requests (VK allows ten buttons under a message, the pages' two among them)."""
    services = event_ctx.services
    pending = await services.requests.pending_for(event_ctx.who, LISTED_AT_MOST)
    if not pending:
        event_ctx.reply(t("requests_empty"))
        return
    total = await services.requests.count_pending_for(event_ctx.who)
    now = services.clock.now()
    page = page_of(pending, number)
    lines = [t("requests_header", count=total)]
    lines += [
        t(
            "requests_line",
            id=request.id,
            role=role_name(request.role),
            class_name=request.class_name,
            name=applicant(request),
            age=format_age(now - request.created_at),
        )
        for request in page.items
    ]
    if total > len(pending) and page.number == page.pages:
        lines.append(t("requests_more", count=total - len(pending)))
    footer = page_footer(page)
    if footer:
        lines.append(footer)
    turns = page_choices(page, "requests")
    decisions = decision_choices(page.items, DECIDED_ON_A_PAGE if turns else BUTTONS_WITH_DECISIONS)
    event_ctx.reply("\n".join(lines), keyboard=choice_keyboard(decisions + turns))


async def decide(
    event_ctx: EventContext,
    request_id: int,
    approve: bool,
    reason: str | None,
    child: ChildDecision | None = None,
) -> tuple[str, Keyboard | None]:
    """Records a decision and tells everyone concerned; returns a short result line (or, for
    a parent's child named by a name close to registered students', the question which)."""
    services = event_ctx.services
    decision = await services.requests.decide(event_ctx.who, request_id, approve, reason, child)
    request = decision.request
    if decision.outcome is DecisionOutcome.NOT_FOUND or request is None:
        return t("decision_not_found", id=request_id), None
    if decision.outcome is DecisionOutcome.NOT_ALLOWED:
        return t("decision_not_allowed", id=request_id, class_name=request.class_name), None
    if decision.outcome is DecisionOutcome.NEEDS_CHILD:
        choices: list[tuple[str, str, dict[str, Any]]] = [
            (student.name, "approve", {"id": request.id, "child": student.person_id})
            for student in decision.candidates[:PICK_LIMIT]
        ]
        choices.append((BUTTONS["keep_child_name"], "approve", {"id": request.id, "keep": 1}))
        return t(
            "request_child_question",
            id=request.id,
            parent=request.applicant_name or unnamed(request.person_id),
            child=request.full_name or "",
            class_name=request.class_name,
        ), choice_keyboard(choices, per_row=1)
    if decision.outcome is DecisionOutcome.ALREADY:
        who = (await services.school.names([request.decided_by or 0])).get(
            request.decided_by or 0, unnamed(request.decided_by or 0)
        )
        when = (
            format_moment(request.decided_at, services.settings.zone) if request.decided_at else ""
        )
        return t(
            "decision_already",
            id=request_id,
            status=t(f"decision_{request.status}_status"),
            who=who,
            when=when,
        ), None
    if approve:
        event_ctx.send(
            Person(request.person_id),
            t(
                "decision_you_approved",
                id=request.id,
                role=role_name(request.role),
                class_name=request.class_name,
            )
            + "\n"
            + await class_chat_text(event_ctx, request.role, request.class_id, request.person_id),
        )
        add_to_class_chat_soon(event_ctx, request.person_id, request.role, request.class_id)
        await tell_class_teacher_links(
            event_ctx, request.person_id, request.class_id, decision.parents_linked
        )
        return t(
            "decision_done_approved",
            id=request.id,
            name=applicant(request),
            role=role_name(request.role),
            class_name=request.class_name,
        ), None
    why = t("decision_reason", reason=reason) if reason else ""
    event_ctx.send(Person(request.person_id), t("decision_you_rejected", id=request.id, reason=why))
    return t("decision_done_rejected", id=request.id), None


@router.command("approve")
async def approve(event_ctx: EventContext) -> None:
    args = event_ctx.args
    head, _, rest = args.strip().partition(" ")
    number = parse_number(head) if head else None
    if number is None:
        event_ctx.reply(t("decision_usage"))
        return
    child = None
    if rest.strip():
        # «/approve 12 Белов Михаил»: the child's name as the decider corrects it.
        name = parse_full_name(rest)
        if name is None:
            event_ctx.reply(t("name_invalid"))
            return
        child = ChildDecision(name=name)
    text, keyboard = await decide(event_ctx, number, True, None, child)
    event_ctx.reply(text, keyboard=keyboard)


@router.command("reject")
async def reject(event_ctx: EventContext) -> None:
    args = event_ctx.args
    head, _, reason = args.strip().partition(" ")
    number = parse_number(head) if head else None
    if number is None:
        event_ctx.reply(t("decision_usage"))
        return
    text, _ = await decide(event_ctx, number, False, reason.strip()[:500] or None)
    event_ctx.reply(text)


@router.button("approve")
async def approve_button(event_ctx: EventContext) -> None:
    data = event_ctx.data
    await _decide_by_button(event_ctx, data, approve=True)


@router.button("reject")
async def reject_button(event_ctx: EventContext) -> None:
    data = event_ctx.data
    await _decide_by_button(event_ctx, data, approve=False)


async def _decide_by_button(event_ctx: EventContext, data: dict[str, Any], approve: bool) -> None:
    raw = payload_int(data.get("id"))
    if raw is None:
        await event_ctx.answer_callback(t("stale_button"))
        return
    child = None
    if approve and data.get("keep"):
        child = ChildDecision(keep=True)
    elif approve and data.get("child") is not None:
        child_id = payload_int(data.get("child"))
        if child_id is None:
            await event_ctx.answer_callback(t("stale_button"))
            return
        child = ChildDecision(child_id=child_id)
    result, keyboard = await decide(event_ctx, raw, approve, None, child)
    await event_ctx.answer_callback(None if keyboard is not None else result)
    event_ctx.reply(result, keyboard=keyboard)
