"""The statistics the director and the admins get (clause 2.1)."""

from __future__ import annotations

from bot.context import Services
from bot.conversation.identity import MAX
from bot.domain.reports import Stats
from bot.domain.roles import Role
from bot.texts import format_age, format_date, role_name, t


def class_lines(stats: Stats) -> list[str]:
    """Each class against its roster, then the school's totals: «5А: учеников 18 из 25 по
    списку, родителей (семей) 12 из 25, чаты: 2 из 3». A class with no roster shows what is
    known, never a figure to reach made of invitation places."""
    lines = []
    for row in stats.classes:
        figures = {
            "name": row.name,
            "students": row.students,
            "families": row.families,
            "chats": row.chats,
            "required": row.required_chats,
        }
        if row.roster is None:
            lines.append(t("stats_class_no_roster", **figures))
        else:
            lines.append(t("stats_class_roster", expected=row.roster, **figures))
    listed = [row for row in stats.classes if row.roster is not None]
    unlisted = [row.name for row in stats.classes if row.roster is None]
    if listed:
        lines.append(
            t(
                "stats_total_roster",
                students=sum(row.students for row in listed),
                families=sum(row.families for row in listed),
                expected=sum(row.roster or 0 for row in listed),
            )
        )
        if unlisted:
            lines.append(t("stats_roster_missing", names=", ".join(unlisted)))
    elif stats.classes:
        lines.append(
            t(
                "stats_total_no_roster",
                students=sum(row.students for row in stats.classes),
                families=sum(row.families for row in stats.classes),
            )
        )
    return lines


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
    lines += class_lines(stats)
    lines.append(t("stats_chats", bound=stats.bound_chats, required=stats.required_chats))
    if MAX in services.messengers.names:
        # During a move to MAX (switched on): how many of the school are there already.
        reach = await services.moving.school_reach()
        people = reach.vk_only + reach.max_only + reach.both + reach.neither
        on_max = reach.max_only + reach.both
        percent = round(100 * on_max / people) if people else 0
        lines.append(t("moving_report", total=people, on_max=on_max, percent=percent))
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
