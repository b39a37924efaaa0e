"""A join request as its deciders see it: who asks, and the buttons to decide."""

from __future__ import annotations

from typing import Any

from bot.conversation.outgoing import Keyboard
from bot.domain.roles import Role
from bot.keyboards import choice_keyboard
from bot.storage.requests import JoinRequestRow
from bot.texts import BUTTONS, t

BUTTONS_WITH_DECISIONS = 5


def applicant(request: JoinRequestRow) -> str:
    """Who asks, and for a parent for whom: «Белова Ольга (ребёнок: Белов Миша)»."""
    if request.role != Role.PARENT.value:
        return request.full_name or request.applicant_name or f"id{request.person_id}"
    return t(
        "request_applicant_parent",
        name=request.applicant_name or f"id{request.person_id}",
        child=request.full_name or "",
    )


def decision_keyboard(
    requests: list[JoinRequestRow], limit: int = BUTTONS_WITH_DECISIONS
) -> Keyboard:
    return choice_keyboard(decision_choices(requests, limit))


def decision_choices(
    requests: list[JoinRequestRow], limit: int = BUTTONS_WITH_DECISIONS
) -> list[tuple[str, str, dict[str, Any]]]:
    """«Принять» / «Отклонить» for the first `limit` requests, as `choice_keyboard` takes."""
    choices: list[tuple[str, str, dict[str, Any]]] = []
    for request in requests[:limit]:
        suffix = f" №{request.id}" if len(requests) > 1 else ""
        choices.append((BUTTONS["approve"] + suffix, "approve", {"id": request.id}))
        choices.append((BUTTONS["reject"] + suffix, "reject", {"id": request.id}))
    return choices
