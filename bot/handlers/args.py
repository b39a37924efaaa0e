"""Turning command arguments into school objects, with a Russian answer for each mistake."""

from __future__ import annotations

from bot.context import EventContext
from bot.parsing import ClassNameError, parse_class_name, parse_person_ref
from bot.storage.classes import ClassRow
from bot.texts import t, t_on


class ArgumentError(Exception):
    """The person typed something unusable; `text` says what to do instead."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


async def person_id_from(event_ctx: EventContext, text: str) -> int | None:
    """The person whose account the text names (`id123`, `@screen_name`, a vk.com link, a
    mention, or a bare number: a VK id, which is also what the bot's own lists show);
    None when the bot knows no one with that account."""
    if not text.strip():
        raise ArgumentError(t_on(event_ctx.messenger, "person_missing"))
    ref = parse_person_ref(text)
    if ref is None:
        raise ArgumentError(t_on(event_ctx.messenger, "person_invalid", text=text[:60]))
    account = await event_ctx.services.messengers.account_of(ref)
    if account is None:
        raise ArgumentError(t_on(event_ctx.messenger, "person_invalid", text=text[:60]))
    return await event_ctx.services.people.person_of(account)


async def known_person_from(event_ctx: EventContext, text: str) -> tuple[int, str]:
    """A person the bot knows (they consented), with their name."""
    person_id = await person_id_from(event_ctx, text)
    names = {} if person_id is None else await event_ctx.services.school.names([person_id])
    if person_id is None or person_id not in names:
        raise ArgumentError(t("person_unknown"))
    return person_id, names[person_id]


async def class_from(event_ctx: EventContext, text: str) -> ClassRow:
    try:
        name = parse_class_name(text).name
    except ClassNameError:
        raise ArgumentError(t("class_name_invalid", text=text[:20])) from None
    row = await event_ctx.services.school.find_class(name)
    if row is None:
        raise ArgumentError(t("class_unknown", name=name))
    return row
