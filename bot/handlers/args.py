"""Turning command arguments into school objects, with a Russian answer for each mistake.

A person is named by an account (`id123`, `@screen_name`, a link, a mention, `max:123`) or by
name: a surname, or a surname and first name. A name is looked up among the people the actor
may see (bot.domain.directory); one match is the person, several are offered as buttons, each
running the same command again with that person chosen (`PICK`), none is said so."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.context import EventContext
from bot.conversation.outgoing import Keyboard
from bot.domain.directory import MAX_CHOICES, NamedPerson
from bot.domain.roles import ROLE_ORDER, Role
from bot.keyboards import choice_keyboard
from bot.parsing import (
    MAX_VK_ID,
    ClassNameError,
    looks_like_name,
    name_key,
    name_prefixes,
    parse_class_name,
    parse_person_ref,
    payload_int,
    split_person_and_rest,
)
from bot.storage.classes import ClassRow
from bot.texts import role_name, t, t_on

# The payload command of a button choosing one of several people a name found. Its payload
# carries the command to run again, its arguments as typed, the name as typed and the person
# chosen; the choice is honoured only if that name, looked up again for whoever pressed,
# still finds that person, so a forged payload reaches no one the presser may not see.
PICK = "pick_person"
# VK's limit for a button's payload (MAX allows more): a longer one gets no buttons.
PAYLOAD_LIMIT = 255
LABEL_LIMIT = 40
# Whom commands act on, to narrow a name several people share (`known_person_from`'s prefer).
STUDENTS = frozenset({Role.STUDENT})
PARENTS = frozenset({Role.PARENT})
TEACHERS = frozenset({Role.TEACHER, Role.CLASS_TEACHER})
ADMINS = frozenset({Role.ADMIN})


class ArgumentError(Exception):
    """The person typed something unusable; `text` says what to do instead (with buttons to
    choose from, where there is a choice)."""

    def __init__(self, text: str, keyboard: Keyboard | None = None) -> None:
        super().__init__(text)
        self.text = text
        self.keyboard = keyboard


@dataclass(frozen=True)
class PersonPick:
    """A pressed button choosing `person_id` for the name `typed` in `/command args`."""

    command: str
    args: str
    typed: str
    person_id: int


def pick_payload(pick: PersonPick) -> dict[str, Any]:
    return {"c": pick.command, "a": pick.args, "w": pick.typed, "p": pick.person_id}


def person_pick(data: dict[str, Any]) -> PersonPick | None:
    """The pick a button's payload (untrusted) carries, or None if it is not a whole one."""
    command, args, typed = data.get("c"), data.get("a"), data.get("w")
    person_id = payload_int(data.get("p"), 1, MAX_VK_ID)
    if not (isinstance(command, str) and isinstance(args, str) and isinstance(typed, str)):
        return None
    if person_id is None or not typed.strip():
        return None
    return PersonPick(command, args, typed, person_id)


def picked(event_ctx: EventContext) -> PersonPick | None:
    """The pick this event runs its command with (the router puts its payload in `data`)."""
    if event_ctx.incoming.kind != "button" or event_ctx.data.get("cmd") != PICK:
        return None
    return person_pick(event_ctx.data)


async def person_id_from(
    event_ctx: EventContext, text: str, *, departed: bool = False
) -> int | None:
    """The person the text names: an account (`id123`, `@screen_name`, a vk.com link, a
    mention, `max:123`, or a bare number: a VK id, which is also what the bot's own lists
    show), None when the bot knows no one with that account; or a name, found among the
    people the actor may see (`departed`: people who have left too, for commands that make
    sense for them). Several people of that name raise `ArgumentError` with a button for each."""
    if not text.strip():
        raise ArgumentError(t_on(event_ctx.messenger, "person_missing"))
    ref = parse_person_ref(text)
    if ref is None and looks_like_name(text):
        return (await _person_by_name(event_ctx, text, departed)).person_id
    if ref is None:
        raise ArgumentError(t_on(event_ctx.messenger, "person_invalid", text=text[:60]))
    account = await event_ctx.services.messengers.account_of(ref)
    if account is None:
        raise ArgumentError(t_on(event_ctx.messenger, "person_invalid", text=text[:60]))
    return await event_ctx.services.people.person_of(account)


async def known_person_from(
    event_ctx: EventContext,
    text: str,
    *,
    departed: bool = False,
    prefer: frozenset[Role] = frozenset(),
) -> tuple[int, str]:
    """A person the bot knows (they consented), with their name. A name several people
    share is narrowed to those holding a role of `prefer` (the command's subjects: students
    for a transfer), where any of them does."""
    if parse_person_ref(text) is None and looks_like_name(text):
        found = await _person_by_name(event_ctx, text, departed, prefer)
        return found.person_id, found.name
    person_id = await person_id_from(event_ctx, text, departed=departed)
    names = {} if person_id is None else await event_ctx.services.school.names([person_id])
    if person_id is None or person_id not in names:
        raise ArgumentError(t("person_unknown"))
    return person_id, names[person_id]


async def person_and_rest(event_ctx: EventContext, args: str) -> tuple[str, str]:
    """`split_person_and_rest`, knowing who exists: a name ends where the longest run of name
    words that names someone the actor may see ends («/family Белов родитель …» is «Белов»
    when nobody is called «Белов Родитель»); if none does, as `split_person_and_rest`."""
    prefixes = [] if args.strip().startswith("[") else name_prefixes(args.strip())
    if len(prefixes) > 1:
        school = event_ctx.services.school
        for name, rest in prefixes:
            if await school.find_by_name(event_ctx.who, name):
                return name, rest
    return split_person_and_rest(args)


async def _person_by_name(
    event_ctx: EventContext, typed: str, departed: bool, prefer: frozenset[Role] = frozenset()
) -> NamedPerson:
    typed = " ".join(typed.split())
    found = await event_ctx.services.school.find_by_name(event_ctx.who, typed, departed)
    pick = picked(event_ctx)
    if pick is not None and name_key(pick.typed) == name_key(typed):
        chosen = [person for person in found if person.person_id == pick.person_id]
        if not chosen:
            raise ArgumentError(_none_found(event_ctx, typed))
        return chosen[0]
    # Only narrows a choice: a single match the command cannot take is told why by the
    # command («… не ученик»), which says more than «nobody found».
    preferred = [person for person in found if any(h.role in prefer for h in person.roles)]
    if len(found) > 1 and preferred:
        found = preferred
    if len(found) == 1:
        return found[0]
    if not found:
        raise ArgumentError(_none_found(event_ctx, typed))
    command = _command_of(event_ctx)
    if pick is not None and command is not None:
        # Another name of the same command (`/family <родитель> + <ученик>`): the person
        # already chosen is written as their account, or choosing this one would ask
        # for that one again, and so on for ever.
        command = command[0], await _with_chosen(event_ctx, pick)
    raise _choice(event_ctx, typed, found, command)


async def _with_chosen(event_ctx: EventContext, pick: PersonPick) -> str:
    """The pick's arguments with its name replaced by the chosen person's account
    (`vk:123`, `max:123`: what `person_id_from` reads on every messenger)."""
    accounts = await event_ctx.services.moving.accounts(pick.person_id)
    account = accounts.get(event_ctx.messenger) or next(iter(accounts.values()), None)
    if account is None:
        return pick.args
    words = r"\s+".join(re.escape(word) for word in pick.typed.split())
    pattern = re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)
    return pattern.sub(lambda _: str(account), pick.args, count=1)


def _none_found(event_ctx: EventContext, typed: str) -> str:
    text = t_on(event_ctx.messenger, "person_by_name_none", text=typed[:60])
    return "\n".join(line for line in (text, scope_note(event_ctx)) if line)


def scope_note(event_ctx: EventContext) -> str:
    """Whom the actor's lookups search («…среди учеников и родителей ваших классов…»); empty
    for those who see everyone."""
    actor = event_ctx.who
    if actor.has(Role.ADMIN, Role.DIRECTOR):
        return ""
    if actor.classes_as(Role.CLASS_TEACHER):
        return t("person_by_name_scope_class_teacher")
    return t("person_by_name_scope_staff")


def describe(person: NamedPerson) -> str:
    """What tells namesakes apart: their roles and classes («ученик 5А», «учитель»)."""
    if person.departed:
        return t("person_by_name_departed", name=person.name)
    parts: list[str] = []
    for held in sorted(person.roles, key=lambda held: ROLE_ORDER.index(held.role)):
        part = role_name(held.role.value) + (f" {held.class_name}" if held.class_name else "")
        if part not in parts:
            parts.append(part)
    return ", ".join(parts) or role_name("guest")


def _choice(
    event_ctx: EventContext,
    typed: str,
    found: list[NamedPerson],
    command: tuple[str, str] | None,
) -> ArgumentError:
    shown = found[:MAX_CHOICES]
    lines = [t("person_by_name_several", text=typed, count=len(found))]
    lines += [t("person_by_name_line", name=person.name, who=describe(person)) for person in shown]
    choices: list[tuple[str, str, dict[str, Any]]] = []
    if command is not None and len(found) <= MAX_CHOICES:
        name, args = command
        for person in shown:
            extra = pick_payload(PersonPick(name, args, typed, person.person_id))
            if len(_compact({"cmd": PICK, **extra})) > PAYLOAD_LIMIT:
                choices = []
                break
            choices.append((_label(person), PICK, extra))
    if choices:
        lines.append(t("person_by_name_press"))
    elif len(found) > MAX_CHOICES:
        lines.append(t("person_by_name_too_many", count=len(found) - len(shown)))
    else:
        lines.append(t("person_by_name_type"))
    keyboard = choice_keyboard(choices, per_row=1) if choices else None
    return ArgumentError("\n".join(lines), keyboard)


def _command_of(event_ctx: EventContext) -> tuple[str, str] | None:
    """The command this event runs and its arguments, to run it again with a choice."""
    pick = picked(event_ctx)
    if pick is not None:
        return pick.command, pick.args
    command = event_ctx.incoming.command
    if command is None or not command.known:
        return None
    return command.name, event_ctx.args


def _label(person: NamedPerson) -> str:
    label = f"{person.name}, {describe(person)}"
    return label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"


def _compact(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


async def class_from(event_ctx: EventContext, text: str) -> ClassRow:
    try:
        name = parse_class_name(text).name
    except ClassNameError:
        raise ArgumentError(t("class_name_invalid", text=text[:20])) from None
    row = await event_ctx.services.school.find_class(name)
    if row is None:
        raise ArgumentError(t("class_unknown", name=name))
    return row
