"""Turning command arguments into school objects, with a Russian answer for each mistake."""

from __future__ import annotations

from bot.context import EventContext
from bot.parsing import ClassNameError, parse_class_name, parse_person_ref
from bot.storage.classes import ClassRow
from bot.texts import t


class ArgumentError(Exception):
    """The person typed something unusable; `text` says what to do instead."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


async def person_id_from(event_ctx: EventContext, text: str) -> int:
    if not text.strip():
        raise ArgumentError(t("person_missing"))
    ref = parse_person_ref(text)
    if ref is None:
        raise ArgumentError(t("person_invalid", text=text[:60]))
    if ref.vk_id is not None:
        return ref.vk_id
    assert ref.screen_name is not None
    vk_id = await event_ctx.services.vk.resolve_screen_name(ref.screen_name)
    if vk_id is None:
        raise ArgumentError(t("person_invalid", text=text[:60]))
    return vk_id


async def known_person_from(event_ctx: EventContext, text: str) -> tuple[int, str]:
    """A person the bot knows (they consented), with their name."""
    vk_id = await person_id_from(event_ctx, text)
    names = await event_ctx.services.school.names([vk_id])
    if vk_id not in names:
        raise ArgumentError(t("person_unknown"))
    return vk_id, names[vk_id]


async def class_from(event_ctx: EventContext, text: str) -> ClassRow:
    try:
        name = parse_class_name(text).name
    except ClassNameError:
        raise ArgumentError(t("class_name_invalid", text=text[:20])) from None
    row = await event_ctx.services.school.find_class(name)
    if row is None:
        raise ArgumentError(t("class_unknown", name=name))
    return row
