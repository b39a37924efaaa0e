"""The digest and the statistics: rendered once, sent by `/digest` and `/stats` or on schedule."""

from __future__ import annotations

from datetime import tzinfo

from vkbottle.bot import BotLabeler, Message

from bot.context import EventContext, Services
from bot.domain.reports import Digest, Stats
from bot.domain.roles import Role
from bot.handlers.chats import describe_chat
from bot.handlers.requests import applicant, decision_keyboard
from bot.handlers.rules import Command
from bot.keyboards import choice_keyboard
from bot.texts import BUTTONS, format_age, format_date, role_name, t

labeler = BotLabeler()


def render_digest(digest: Digest, zone: tzinfo) -> list[tuple[str, str | None]]:
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
    messages: list[tuple[str, str | None]] = [("\n".join(lines), keyboard)]
    if digest.stale_invitations:
        annul = choice_keyboard([(BUTTONS["annul_stale"], "annul", {"stale": 1})])
        messages.append((t("digest_stale", count=digest.stale_invitations), annul))
    return messages


async def build_stats_text(services: Services, stats: Stats) -> str:
    zone = services.settings.zone
    roles = ", ".join(
        t("stats_role_item", role=role_name(role), count=count)
        for role, count in stats.people_by_role.items()
        if count
    )
    lines = [
        t("stats_header", date=format_date(stats.now, zone)),
        t("stats_people", roles=roles or "—"),
    ]
    lines.append(t("stats_classes_header"))
    lines += [
        t("stats_class_line", name=row.name, joined=row.joined, expected=row.expected)
        for row in stats.classes
    ]
    lines.append(t("stats_chats", bound=stats.bound_chats, required=stats.required_chats))
    median = format_age(stats.median_decision) if stats.median_decision else t("stats_no_median")
    lines.append(t("stats_requests", count=stats.decided_this_week, median=median))
    week, total = stats.invitations_week, stats.invitations_total
    lines.append(
        t(
            "stats_invitations",
            w_issued=week["issued"],
            w_used=week["used"],
            w_annulled=week["annulled"],
            **total,
        )
    )
    admin_ids = await services.school.admin_ids()
    if admin_ids:
        admin = await services.people.load_actor(admin_ids[0])
        checklists = [c for c in await services.duties.checklists(admin) if c.role is Role.ADMIN]
        if checklists:
            lines.append(
                t(
                    "stats_admin_duties",
                    done=checklists[0].done_count,
                    total=len(checklists[0].items),
                )
            )
    return "\n".join(lines)


@labeler.message(Command("digest"))
async def digest_now(message: Message, event_ctx: EventContext) -> None:
    services = event_ctx.services
    since = await services.reports.last_digest_at()
    digest = await services.reports.digest(since)
    for text, keyboard in render_digest(digest, services.settings.zone):
        event_ctx.reply(text, keyboard=keyboard)


@labeler.message(Command("stats"))
async def stats_now(message: Message, event_ctx: EventContext) -> None:
    services = event_ctx.services
    event_ctx.reply(await build_stats_text(services, await services.reports.stats()))
