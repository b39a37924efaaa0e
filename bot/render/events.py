"""A planned event's announcement, reminders and cancellation, and who sent what."""

from __future__ import annotations

from collections.abc import Sequence

from bot.context import Services
from bot.conversation.outgoing import Address, Keyboard, OutgoingMessage, Person
from bot.domain.events import Kind
from bot.domain.roles import Role
from bot.keyboards import choice_keyboard
from bot.storage.events import EventRow
from bot.texts import BUTTONS, format_moment, format_time_left, role_name, t


def event_text(key: str, event: EventRow, services: Services) -> str:
    link = t("event_link_line", link=event.link) if event.link else ""
    return t(
        key,
        title=event.title,
        when=format_moment(event.starts_at, services.settings.zone),
        link=link,
        before=format_time_left(event.starts_at - services.clock.now()),
    )


def class_names_text(names: Sequence[str]) -> str:
    """«5А», «5А и 5Б», «5А, 5Б и 5В»."""
    if len(names) < 2:
        return "".join(names)
    return t("classes_and", first=", ".join(names[:-1]), last=names[-1])


async def signature(
    services: Services, person_id: int | None, role: str | None, class_names: Sequence[str]
) -> str:
    """Who sent it and for which classes, in the genitive of «от …»: «Смирновой Анны
    Петровны, классного руководителя 5А», «Орлова Петра Ивановича, учителя, для 5А и 5Б».
    Empty when the sender is no longer known (their data was deleted)."""
    names = await services.school.names([person_id]) if person_id else {}
    who = names.get(person_id) if person_id else None
    if who is None:
        return ""
    classes = class_names_text(class_names)
    if role == Role.CLASS_TEACHER.value and len(class_names) == 1:
        return t("signed_class_teacher", name=who, classes=classes)
    if role is not None and classes:
        return t("signed_role_for", name=who, role=role_name(role), classes=classes)
    if role is not None:
        return t("signed_role", name=who, role=role_name(role))
    return t("signed_name", name=who)


async def event_signature(event: EventRow, services: Services) -> str:
    names = [event.class_name] if event.class_name else []
    return await signature(services, event.created_by, event.sender_role, names)


async def event_message(key: str, event: EventRow, services: Services) -> str:
    """`event_text` with the line saying who planned it and for which class."""
    text = event_text(key, event, services)
    sender = await event_signature(event, services)
    return text + t("event_from", sender=sender) if sender else text


def rsvp_keyboard(event: EventRow) -> Keyboard:
    """«Приду» / «Не приду» under a meeting's announcement and reminders."""
    return choice_keyboard(
        [
            (BUTTONS["rsvp_yes"], "rsvp", {"e": event.id, "a": 1}),
            (BUTTONS["rsvp_no"], "rsvp", {"e": event.id, "a": 0}),
        ]
    )


async def event_messages(
    key: str, event: EventRow, services: Services, recipients: Sequence[Address]
) -> list[OutgoingMessage]:
    """The event's message to each recipient, signed; a meeting's people get the buttons
    to answer (a chat does not: an answer is a person's), except when it is cancelled."""
    text = await event_message(key, event, services)
    meeting = event.kind == Kind.MEETING.value and key != "event_cancelled"
    return [
        OutgoingMessage(to, text + t("event_meeting_hint"), rsvp_keyboard(event))
        if meeting and isinstance(to, Person)
        else OutgoingMessage(to, text)
        for to in recipients
    ]
