"""Invitation links (clause 2.1): issuing, listing, annulling, and joining by a code."""

from __future__ import annotations

from typing import Any

from bot.context import EventContext
from bot.conversation.outgoing import Keyboard, Person, unnamed
from bot.dialogs import Steps
from bot.domain.family import ClassChild
from bot.domain.invitations import (
    CodeCheck,
    CodeStatus,
    InvitationState,
    hash_code,
    may_invite,
    state_of,
)
from bot.domain.roles import Role
from bot.handlers.args import class_from
from bot.handlers.chat_list import add_to_class_chat_soon, class_chat_text
from bot.handlers.dialog import next_step
from bot.handlers.moving import typed_ref
from bot.handlers.routing import Router
from bot.keyboards import choice_keyboard, main_menu
from bot.parsing import MAX_NUMBER, parse_full_name, parse_int, payload_int
from bot.render.paging import Page, asked_page, page_choices, page_footer, page_of
from bot.storage.classes import ClassRow
from bot.texts import BUTTONS, format_age, format_moment, role_name, t

router = Router()

# Invitations listed (paged) at most, newest first; the counts above the list cover them all.
LISTED_AT_MOST = 500

ROLE_CODES = {
    "teacher": Role.TEACHER,
    "student": Role.STUDENT,
    "parent": Role.PARENT,
    "учитель": Role.TEACHER,
    "ученик": Role.STUDENT,
    "родитель": Role.PARENT,
}
MAX_USES = 1000


class JoinDialog(Steps):
    NAME = "name"


@router.command("invite")
async def invite(event_ctx: EventContext) -> None:
    args = event_ctx.args
    words = args.split()
    if not words:
        event_ctx.reply(t("invite_usage"))
        return
    role = ROLE_CODES.get(words[0].lower())
    if role is None:
        event_ctx.reply(t("invite_role_unknown", text=words[0][:20]))
        return
    rest = words[1:]
    if role is Role.TEACHER:
        school_class = await event_ctx.services.school.staff_room()
    else:
        if not rest or (parse_int(rest[0], 0, MAX_NUMBER) is not None and len(rest) == 1):
            event_ctx.reply(t("invite_needs_class", role=role_name(role), role_code=words[0]))
            return
        class_text = rest.pop(0)
        if parse_int(class_text, 0) is not None and rest and parse_int(rest[0], 0) is None:
            class_text += rest.pop(0)
        school_class = await class_from(event_ctx, class_text)
    max_uses: int | None = 1 if role is Role.TEACHER else None
    name_words: list[str] = []
    if role is Role.PARENT and rest and _name_like(rest[-1]):
        # A parent invitation for a named student: «/invite parent 5А Белов Михаил [30]».
        name_words = rest
        rest = []
    elif role is Role.PARENT and len(rest) > 1 and all(map(_name_like, rest[:-1])):
        name_words, rest = rest[:-1], rest[-1:]
    if rest:
        max_uses = parse_int(rest[0], 1, MAX_USES) if len(rest) == 1 else None
        if max_uses is None:
            event_ctx.reply(t("invite_uses_invalid"))
            return
    if not may_invite(event_ctx.who, role, school_class):
        own = ", ".join(
            g.class_name or "" for g in event_ctx.who.grants if g.role is Role.CLASS_TEACHER
        )
        event_ctx.reply(t("invite_not_allowed", classes=own or t("nobody")))
        return
    if role is Role.PARENT:
        family = event_ctx.services.family
        if name_words:
            typed = " ".join(name_words)[:80]
            matches = await family.matching_students(school_class.id, typed)
            if len(matches) == 1:
                await _issue(event_ctx, role, school_class, max_uses, matches[0])
                return
            if matches:
                event_ctx.reply(
                    t("invite_child_several", name=typed, class_name=school_class.name),
                    keyboard=_children_keyboard(page_of(matches), school_class, max_uses),
                )
                return
            everyone = await family.registered_students(school_class.id)
            if not everyone:
                event_ctx.reply(
                    t("invite_child_none_registered", name=typed, class_name=school_class.name)
                )
                return
            page = page_of(everyone)
            event_ctx.reply(
                t("invite_child_not_found", name=typed, class_name=school_class.name)
                + _footer(page),
                keyboard=_children_keyboard(page, school_class, max_uses),
            )
            return
        students = await family.registered_students(school_class.id)
        if students:
            page = page_of(students)
            event_ctx.reply(
                t("invite_pick_child", class_name=school_class.name) + _footer(page),
                keyboard=_children_keyboard(page, school_class, max_uses),
            )
            return
    await _issue(event_ctx, role, school_class, max_uses, None)


def _name_like(word: str) -> bool:
    """A word of a person's name (letters, maybe a hyphen), not a number of uses."""
    return word.replace("-", "").isalpha()


def _footer(page: Page[ClassChild]) -> str:
    footer = page_footer(page)
    return "\n" + footer if footer else ""


def _children_keyboard(
    page: Page[ClassChild], school_class: ClassRow, max_uses: int | None
) -> Keyboard:
    """The students of a page as buttons, «Для всего класса», and the pages' buttons."""
    extra: dict[str, Any] = {"class": school_class.id}
    if max_uses is not None:
        extra["uses"] = max_uses
    choices: list[tuple[str, str, dict[str, Any]]] = [
        (child.name, "invite_for", {**extra, "child": child.person_id})
        for child in page.items
        if child.person_id is not None
    ]
    choices.append((BUTTONS["invite_whole_class"], "invite_for", {**extra, "all": 1}))
    choices += page_choices(page, "invite_for", **extra)
    return choice_keyboard(choices)


@router.button("invite_for")
async def invite_for(event_ctx: EventContext) -> None:
    """A parent invitation's student picked (or the whole class, or another page)."""
    data = event_ctx.data
    await event_ctx.answer_callback(None)
    services = event_ctx.services
    class_id = payload_int(data.get("class"))
    school_class = None if class_id is None else await services.school.class_by_id(class_id)
    uses = data.get("uses")
    max_uses = None if uses is None else payload_int(uses, 1, MAX_USES)
    if school_class is None or (uses is not None and max_uses is None):
        event_ctx.reply(t("stale_button"))
        return
    if not may_invite(event_ctx.who, Role.PARENT, school_class):
        own = ", ".join(
            g.class_name or "" for g in event_ctx.who.grants if g.role is Role.CLASS_TEACHER
        )
        event_ctx.reply(t("invite_not_allowed", classes=own or t("nobody")))
        return
    students = await services.family.registered_students(school_class.id)
    if data.get("all"):
        await _issue(event_ctx, Role.PARENT, school_class, max_uses, None)
        return
    child_id = payload_int(data.get("child"))
    if child_id is None:
        page = page_of(students, asked_page(data))
        event_ctx.reply(
            t("invite_pick_child", class_name=school_class.name) + _footer(page),
            keyboard=_children_keyboard(page, school_class, max_uses),
        )
        return
    child = next((c for c in students if c.person_id == child_id), None)
    if child is None:
        event_ctx.reply(t("invite_child_gone", class_name=school_class.name))
        return
    await _issue(event_ctx, Role.PARENT, school_class, max_uses, child)


async def _issue(
    event_ctx: EventContext,
    role: Role,
    school_class: ClassRow,
    max_uses: int | None,
    child: ClassChild | None,
) -> None:
    issued = await event_ctx.services.invitations.issue(
        event_ctx.who, role, school_class, max_uses, child.person_id if child else None
    )
    text = t(
        "invite_created",
        id=issued.id,
        role=role_name(role),
        class_name=school_class.name,
        uses=max_uses if max_uses is not None else t("uses_unlimited"),
        expires=format_moment(issued.expires_at, event_ctx.services.settings.zone),
        link=event_ctx.services.messengers.invitation_link(issued.code, event_ctx.messenger),
        code=issued.code,
    )
    if child is not None:
        text += "\n" + t("invite_created_for_child", child=child.name)
    event_ctx.reply(text)


STATE_TEXT = {
    InvitationState.ACTIVE: "invite_state_active",
    InvitationState.USED: "invite_state_used",
    InvitationState.EXPIRED: "invite_state_expired",
    InvitationState.ANNULLED: "invite_state_annulled",
}


@router.command("invites")
async def invites(event_ctx: EventContext) -> None:
    await _invites_page(event_ctx, None)


@router.button("invites")
async def invites_page(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(None)
    await _invites_page(event_ctx, asked_page(event_ctx.data))


async def _invites_page(event_ctx: EventContext, number: int | None) -> None:
    """The counts by state, and one page of the invitations, newest first."""
    services = event_ctx.services
    overview = await services.invitations.overview(event_ctx.who, LISTED_AT_MOST)
    page = page_of(overview.latest, number)
    lines = [
        t(
            "invites_header",
            stale_after=format_age(services.settings.stale_invitation_after),
            **overview.counts,
        )
    ]
    if not overview.latest:
        lines.append(t("invites_empty"))
    issuers = await services.school.names([view.row.created_by for view in page.items])
    now = services.clock.now()
    for view in page.items:
        row = view.row
        uses = (
            t("invites_uses", uses=row.uses, max=row.max_uses)
            if row.max_uses is not None
            else t("invites_uses_open", uses=row.uses)
        )
        line = t(
            "invites_line",
            id=row.id,
            role=role_name(row.role),
            class_name=row.class_name,
            state=t(STATE_TEXT[view.state]),
            uses=uses,
            issuer=issuers.get(row.created_by, unnamed(row.created_by))
            if row.created_by
            else t("invites_issuer_forgotten"),
            age=format_age(now - row.created_at),
        )
        lines.append(line + (t("invites_stale_mark") if view.stale else ""))
    footer = page_footer(page)
    if footer:
        lines.append(footer)
    choices = page_choices(page, "invites")
    if overview.counts["stale"]:
        choices.insert(0, (BUTTONS["annul_stale"], "annul", {"stale": 1}))
    keyboard = choice_keyboard(choices) if choices else None
    event_ctx.reply("\n".join(lines), keyboard=keyboard)


@router.command("annul")
async def annul(event_ctx: EventContext) -> None:
    args = event_ctx.args
    reference = args.strip()
    if not reference:
        event_ctx.reply(t("annul_usage"))
        return
    if reference.lower() in {"stale", "невостребованные"}:
        await _annul_stale(event_ctx)
        return
    service = event_ctx.services.invitations
    row = await service.find(event_ctx.who, reference)
    if row is None:
        event_ctx.reply(t("annul_not_found", text=reference[:40]))
        return
    state = state_of(row, event_ctx.services.clock.now())
    if state is not InvitationState.ACTIVE:
        event_ctx.reply(t("annul_already", id=row.id, state=t(STATE_TEXT[state])))
        return
    await service.annul(event_ctx.who, [row.id], "by hand")
    event_ctx.reply(t("annul_done", id=row.id))


async def _annul_stale(event_ctx: EventContext) -> None:
    count = await event_ctx.services.invitations.annul_stale(event_ctx.who)
    event_ctx.reply(t("annul_stale_done", count=count) if count else t("annul_stale_none"))


@router.button("annul")
async def annul_stale_button(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(None)
    await _annul_stale(event_ctx)


@router.command("join")
async def join(event_ctx: EventContext) -> None:
    args = event_ctx.args
    code = args.strip()
    if not code:
        event_ctx.reply(t("join_usage"))
        return
    await begin_redemption(event_ctx, hash_code(code[:64]))


async def begin_redemption(event_ctx: EventContext, code_hash: str) -> None:
    """A code arrived (typed, in the link's `ref`, or kept until consent), known by its hash:
    check it, then join or ask a name."""
    services = event_ctx.services
    check = await services.invitations.check_hash(event_ctx.person_id, code_hash)
    row = check.invitation
    if check.status is CodeStatus.LOCKED:
        assert check.locked_until is not None
        until = format_moment(check.locked_until, services.settings.zone)
        event_ctx.reply(t("join_locked", until=until))
        return
    if check.status is not CodeStatus.OK or row is None:
        if check.status is CodeStatus.ALREADY_MEMBER and row is not None:
            event_ctx.reply(t("join_already", role=role_name(row.role), class_name=row.class_name))
        else:
            event_ctx.reply(t(f"join_{check.status.value}"))
        return
    if row.role == Role.TEACHER.value or row.child_id is not None:
        # A teacher gives no name; a parent invited for a named student is not asked it.
        await finish_redemption(event_ctx, row.id, None)
        return
    key = "join_ask_own_name" if row.role == Role.STUDENT.value else "join_ask_child_name"
    await next_step(event_ctx, JoinDialog.NAME, invitation=row.id)
    event_ctx.reply(t(key, class_name=row.class_name))


@router.step(JoinDialog.NAME)
async def join_name(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    name = parse_full_name(event_ctx.incoming.text or "")
    if name is None:
        event_ctx.reply(t("name_invalid"))
        return
    await event_ctx.services.dialogs.delete(event_ctx.person_id)
    invitation_id = payload_int(dialog.get("invitation"))
    if invitation_id is None:
        event_ctx.reply(t("join_wrong"))
        return
    await finish_redemption(event_ctx, invitation_id, name)


async def finish_redemption(event_ctx: EventContext, invitation_id: int, name: str | None) -> None:
    services = event_ctx.services
    result = await services.invitations.redeem(event_ctx.person_id, invitation_id, name)
    row = result.invitation
    if result.status is CodeStatus.ALREADY_MEMBER and row is not None:
        event_ctx.reply(t("join_already", role=role_name(row.role), class_name=row.class_name))
        return
    if result.status is not CodeStatus.OK or row is None:
        event_ctx.reply(t(f"join_{result.status.value}"))
        return
    event_ctx.actor = await services.people.load_actor(event_ctx.person_id)
    if row.role == Role.TEACHER.value:
        event_ctx.reply(t("join_teacher_done"), keyboard=main_menu(event_ctx.who))
        teacher_name = (await services.school.names([event_ctx.person_id])).get(
            event_ctx.person_id, ""
        )
        for admin_id in await services.school.admin_ids():
            admin_on = await services.moving.reached_on(admin_id)
            typed = await typed_ref(event_ctx, event_ctx.person_id, admin_on)
            event_ctx.send(
                Person(admin_id),
                t(
                    "join_teacher_waiting_admin",
                    name=teacher_name,
                    vk_id=typed,
                ),
                keyboard=choice_keyboard(
                    [(BUTTONS["confirm_verify"], "verify", {"person": event_ctx.person_id})]
                ),
            )
        return
    if row.role == Role.STUDENT.value:
        text = t("join_student_done", class_name=row.class_name)
        await tell_links_claimed(event_ctx, event_ctx.person_id, row.class_id, result)
    else:
        child = name
        if result.child_id is not None:
            names = await services.school.names([result.child_id])
            child = names.get(result.child_id, unnamed(result.child_id))
        text = t("join_parent_done", class_name=row.class_name, child=child)
    chat_text = await class_chat_text(event_ctx, row.role, row.class_id)
    add_to_class_chat_soon(event_ctx, event_ctx.person_id, row.role, row.class_id)
    event_ctx.reply(text + "\n" + chat_text, keyboard=main_menu(event_ctx.who))


async def tell_links_claimed(
    event_ctx: EventContext, student_id: int, class_id: int, result: CodeCheck
) -> None:
    """A student joined whom parents had named: the class teacher hears the links are made."""
    if not result.parents_linked:
        return
    await tell_class_teacher_links(event_ctx, student_id, class_id, list(result.parents_linked))


async def tell_class_teacher_links(
    event_ctx: EventContext, student_id: int, class_id: int, parents: list[int]
) -> None:
    services = event_ctx.services
    teacher = await services.requests.class_teacher_of(class_id)
    if teacher is None or not parents:
        return
    names = await services.school.names([student_id, *parents])
    school_class = await services.school.class_by_id(class_id)
    event_ctx.send(
        Person(teacher),
        t(
            "family_claimed",
            name=names.get(student_id, unnamed(student_id)),
            class_name=school_class.name if school_class else "",
            parents=[names.get(p, unnamed(p)) for p in parents],
        ),
    )
