"""Handler modules, one per role or feature, composed in an explicit order."""

from __future__ import annotations

from bot.handlers import (
    announcements,
    chat_list,
    chats,
    duties,
    events,
    fallback,
    family,
    general,
    guidance,
    invitations,
    movement,
    moving,
    privacy,
    questions,
    records,
    reports,
    requests,
    roster,
    start,
    structure,
    teaching,
    verification,
)
from bot.handlers.routing import Router


def routers() -> list[Router]:
    """In order of precedence; the fallback, which answers anything, comes last."""
    return [
        start.router,
        general.router,
        privacy.router,
        invitations.router,
        requests.router,
        structure.router,
        records.router,
        teaching.router,
        verification.router,
        movement.router,
        family.router,
        moving.router,
        chat_list.router,
        duties.router,
        guidance.router,
        reports.router,
        events.router,
        announcements.router,
        # Before the roster upload: a file in a question's draft is the question's.
        questions.router,
        roster.router,
        chats.router,
        fallback.router,
    ]
