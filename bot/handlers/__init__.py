"""Handler modules, one per role or feature, composed in an explicit order."""

from __future__ import annotations

from vkbottle.bot import BotLabeler

from bot.handlers import (
    announcements,
    chat_list,
    chats,
    duties,
    events,
    fallback,
    general,
    guidance,
    invitations,
    movement,
    privacy,
    reports,
    requests,
    roster,
    start,
    structure,
    verification,
)


def get_labelers() -> list[BotLabeler]:
    """In order of precedence; the fallback, which answers anything, comes last."""
    return [
        start.labeler,
        general.labeler,
        privacy.labeler,
        invitations.labeler,
        requests.labeler,
        structure.labeler,
        verification.labeler,
        movement.labeler,
        chat_list.labeler,
        duties.labeler,
        guidance.labeler,
        reports.labeler,
        events.labeler,
        announcements.labeler,
        roster.labeler,
        chats.labeler,
        fallback.labeler,
    ]
