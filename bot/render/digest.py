"""The morning digest: what waits for the admins, with buttons to act on it."""

from __future__ import annotations

from datetime import tzinfo

from bot.conversation.outgoing import Keyboard
from bot.domain.reports import Digest
from bot.keyboards import choice_keyboard
from bot.render.chats import describe_chat
from bot.render.requests import applicant, decision_keyboard
from bot.texts import BUTTONS, format_age, format_date, role_name, t


def render_digest(digest: Digest, zone: tzinfo) -> list[tuple[str, Keyboard | None]]:
    """The digest as messages with their buttons: VK allows ten buttons under one message,
    so the five oldest requests' decisions and the stale-invitations button go separately."""
    date = format_date(digest.now, zone)
    if digest.empty:
        return [(t("digest_empty", date=date), None)]
    lines = [t("digest_header", date=date)]
    if digest.pending_requests:
        assert digest.oldest_request_age is not None
        by_class = ", ".join(f"{name} — {count}" for name, count in digest.requests_by_class)
        lines.append(
            t(
                "digest_requests",
                requests=digest.pending_requests,
                age=format_age(digest.oldest_request_age),
                by_class=by_class,
            )
        )
        lines += [
            t(
                "digest_request_line",
                id=request.id,
                role=role_name(request.role),
                class_name=request.class_name,
                name=applicant(request),
                age=format_age(digest.now - request.created_at),
            )
            for request in digest.oldest_requests
        ]
    if digest.waiting_teachers:
        lines.append(t("digest_waiting_teachers", names=", ".join(digest.waiting_teachers)))
    if digest.expired_since:
        lines.append(t("digest_expired", count=digest.expired_since))
    if digest.classes_without_teacher:
        lines.append(
            t("digest_no_class_teacher", classes=", ".join(digest.classes_without_teacher))
        )
    if digest.classes_missing_chats:
        items = ", ".join(
            t(
                "digest_missing_item",
                class_name=name,
                kinds=", ".join(t(f"kind_{kind}") for kind in kinds),
            )
            for name, kinds in digest.classes_missing_chats
        )
        lines.append(t("digest_missing_chats", items=items))
    if digest.chats_without_admin:
        chats = ", ".join(describe_chat(chat) for chat in digest.chats_without_admin)
        lines.append(t("digest_no_admin", chats=chats))
    if digest.newcomers_since:
        lines.append(t("digest_newcomers", count=digest.newcomers_since))
    keyboard = decision_keyboard(digest.oldest_requests) if digest.oldest_requests else None
    messages: list[tuple[str, Keyboard | None]] = [("\n".join(lines), keyboard)]
    if digest.stale_invitations:
        annul = choice_keyboard([(BUTTONS["annul_stale"], "annul", {"stale": 1})])
        messages.append((t("digest_stale", count=digest.stale_invitations), annul))
    return messages
