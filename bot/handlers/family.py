"""Families: `/family` shows a person's links and lets a class teacher or admin add or
remove one; `/class 5А` lists a class's students with their parents."""

from __future__ import annotations

from typing import Any

from bot.context import EventContext
from bot.conversation.outgoing import unnamed
from bot.domain.family import Family, LinkOutcome, may_manage, may_view
from bot.domain.roles import Role
from bot.handlers.args import PARENTS, STUDENTS, ArgumentError, class_from, known_person_from
from bot.handlers.routing import Router
from bot.keyboards import choice_keyboard
from bot.parsing import payload_int
from bot.render.paging import asked_page, page_choices, page_footer, page_of
from bot.russian import Who
from bot.storage.classes import ClassRow
from bot.texts import t

router = Router()

# «/family Белова Ольга + Белов Михаил»: the parent, then the child.
LINK_SEPARATOR = "+"


@router.command("family")
async def family(event_ctx: EventContext) -> None:
    args = event_ctx.args.strip()
    if LINK_SEPARATOR in args:
        await _add(event_ctx, args)
        return
    if not args:
        await _show(event_ctx, event_ctx.person_id, own=True)
        return
    person_id, _ = await known_person_from(event_ctx, args)
    await _show(event_ctx, person_id, own=person_id == event_ctx.person_id)


async def _show(event_ctx: EventContext, person_id: int, own: bool) -> None:
    services = event_ctx.services
    view = await services.family.family_of(person_id)
    if not may_view(event_ctx.who, view):
        event_ctx.reply(t("family_not_allowed"))
        return
    others = [link.child_id for link in view.as_parent if link.child_id is not None]
    others += [link.parent_id for link in view.as_child]
    names = await services.school.names([person_id, *others])
    name = names.get(person_id, unnamed(person_id))
    if not view.links:
        if own:
            event_ctx.reply(t("family_none_own"))
        elif not view.classes:
            event_ctx.reply(t("family_no_role", name=name))
        else:
            event_ctx.reply(t("family_none", name=name) + _add_hint(event_ctx, view))
        return
    lines = [t("family_header_own") if own else t("family_header", name=name)]
    choices: list[tuple[str, str, dict[str, Any]]] = []
    if view.as_parent:
        lines.append(t("family_children"))
        for link in view.as_parent:
            child = (
                names.get(link.child_id, unnamed(link.child_id))
                if link.child_id is not None
                else link.child_name or ""
            )
            key = "family_child_line" if link.confirmed else "family_child_unconfirmed_line"
            lines.append(t(key, child=child, class_name=link.class_name or "—"))
            if may_manage(event_ctx.who, link.class_id):
                label = t("family_remove_label", name=_short(child))
                choices.append((label, "family_remove", {"link": link.id}))
    if view.as_child:
        lines.append(t("family_parents"))
        for link in view.as_child:
            parent = names.get(link.parent_id, unnamed(link.parent_id))
            lines.append(t("family_parent_line", parent=parent))
            if may_manage(event_ctx.who, link.class_id):
                label = t("family_remove_label", name=_short(parent))
                choices.append((label, "family_remove", {"link": link.id}))
    event_ctx.reply(
        "\n".join(lines) + _add_hint(event_ctx, view),
        keyboard=choice_keyboard(choices, per_row=1) if choices else None,
    )


def _short(name: str) -> str:
    # A button's label has room for about 40 characters on VK.
    return name if len(name) <= 28 else name[:27] + "…"


def _add_hint(event_ctx: EventContext, view: Family) -> str:
    classes = {*view.classes, *(link.class_id for link in view.links)}
    if any(may_manage(event_ctx.who, class_id) for class_id in classes if class_id is not None):
        return "\n\n" + t("family_add_hint")
    return ""


async def _add(event_ctx: EventContext, args: str) -> None:
    parent_text, _, child_text = args.partition(LINK_SEPARATOR)
    if not parent_text.strip() or not child_text.strip():
        event_ctx.reply(t("family_usage"))
        return
    # A mother and her son share a surname (and «Белова» is «Белов» with a slip forgiven):
    # each side is narrowed to whom it can be.
    parent_id, parent = await known_person_from(event_ctx, parent_text.strip(), prefer=PARENTS)
    child_id, child = await known_person_from(event_ctx, child_text.strip(), prefer=STUDENTS)
    change = await event_ctx.services.family.add(event_ctx.who, parent_id, child_id)
    texts = {
        LinkOutcome.DONE: "family_added",
        LinkOutcome.ALREADY: "family_already",
        LinkOutcome.NOT_ALLOWED: "family_manage_not_allowed",
        LinkOutcome.NOT_STUDENT: "family_not_student",
        LinkOutcome.NOT_PARENT: "family_not_parent",
        LinkOutcome.SAME_PERSON: "family_same_person",
    }
    event_ctx.reply(
        t(
            texts.get(change.outcome, "family_link_gone"),
            parent=parent,
            child=child,
            class_name=change.class_name or "",
        )
    )


@router.button("family_remove")
async def family_remove(event_ctx: EventContext) -> None:
    data = event_ctx.data
    await event_ctx.answer_callback(None)
    link_id = payload_int(data.get("link"))
    if link_id is None:
        event_ctx.reply(t("stale_button"))
        return
    services = event_ctx.services
    change = await services.family.remove(event_ctx.who, link_id)
    link = change.link
    if change.outcome is LinkOutcome.NOT_FOUND or link is None:
        event_ctx.reply(t("family_link_gone"))
        return
    ids = [link.parent_id] + ([link.child_id] if link.child_id is not None else [])
    names = await services.school.names(ids)
    parent = names.get(link.parent_id, unnamed(link.parent_id))
    child: str = (
        names.get(link.child_id, unnamed(link.child_id))
        if link.child_id is not None
        else link.child_name or ""
    )
    if change.outcome is LinkOutcome.NOT_ALLOWED:
        event_ctx.reply(t("family_manage_not_allowed", class_name=link.class_name or ""))
        return
    event_ctx.reply(t("family_removed", parent=parent, child=child))


# Class lists: each student with their parents


def _may_list(event_ctx: EventContext, school_class: ClassRow) -> bool:
    who = event_ctx.who
    return who.has(Role.DIRECTOR) or may_manage(who, school_class.id)


@router.command("class")
async def class_list(event_ctx: EventContext) -> None:
    args = event_ctx.args.strip()
    if not args:
        led = event_ctx.who.classes_as(Role.CLASS_TEACHER)
        if len(led) != 1:
            event_ctx.reply(t("class_list_usage"))
            return
        school_class = await event_ctx.services.school.class_by_id(led[0])
        if school_class is None:
            event_ctx.reply(t("class_list_usage"))
            return
    else:
        words = args.split()
        # «5 А» as well as «5А», as other commands take a class.
        school_class = await class_from(
            event_ctx, " ".join(words[: 2 if words[0].isdigit() else 1])
        )
    await _class_page(event_ctx, school_class, None)


@router.button("class")
async def class_list_page(event_ctx: EventContext) -> None:
    data = event_ctx.data
    await event_ctx.answer_callback(None)
    class_id = payload_int(data.get("class"))
    services = event_ctx.services
    school_class = None if class_id is None else await services.school.class_by_id(class_id)
    if school_class is None:
        event_ctx.reply(t("stale_button"))
        return
    await _class_page(event_ctx, school_class, asked_page(data))


async def _class_page(event_ctx: EventContext, school_class: ClassRow, number: int | None) -> None:
    if not _may_list(event_ctx, school_class):
        raise ArgumentError(t("class_list_not_allowed", class_name=school_class.name))
    services = event_ctx.services
    families = await services.family.class_families(school_class.id)
    if not families:
        event_ctx.reply(t("class_list_empty", class_name=school_class.name))
        return
    page = page_of(families, number)
    ids = [p for f in page.items for p in f.parents]
    ids += [f.child.person_id for f in page.items if f.child.person_id is not None]
    names = await services.school.names(ids)
    lines = [t("class_list_header", class_name=school_class.name, count=len(families))]
    for number_on_list, entry in enumerate(page.items, start=page.first_index + 1):
        child: str = entry.child.name
        if entry.child.person_id is not None:
            child = names.get(entry.child.person_id, Who(entry.child.name))
        parents = [names.get(p, unnamed(p)) for p in entry.parents]
        key = "class_list_line" if entry.child.person_id is not None else "class_list_line_roster"
        line = t(
            key,
            number=number_on_list,
            name=child,
            parents=", ".join(parents) if parents else t("class_list_no_parents"),
        )
        if entry.unconfirmed:
            line += t("class_list_unconfirmed")
        lines.append(line)
    footer = page_footer(page)
    if footer:
        lines.append(footer)
    choices = page_choices(page, "class", **{"class": school_class.id})
    event_ctx.reply("\n".join(lines), keyboard=choice_keyboard(choices) if choices else None)
