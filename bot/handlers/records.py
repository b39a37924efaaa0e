"""The audit log read as records (clause 2.1): `/audit` in Russian with names, filtered by
person, class and date, a page at a time; `/audit_export` the same as an XLSX file.

Who may: the admins and the director (the catalogue), as before. A class teacher has no
`/audit` of their class: the log records what the school's administration did across
classes (verification, roles, moves), which is theirs to read.

The filter travels in the page and export buttons' payload, which is untrusted: it is read
back with the same checks as typed arguments (a person id, a class name, ISO dates)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from bot.context import EventContext
from bot.conversation.outgoing import File, Keyboard
from bot.files import table_workbook
from bot.handlers.args import ArgumentError, known_person_from
from bot.handlers.roster import XLSX
from bot.handlers.routing import Router
from bot.keyboards import choice_keyboard
from bot.parsing import MAX_VK_ID, ClassNameError, parse_class_name, payload_int
from bot.render import audit as words
from bot.render.paging import PAGE_SIZE, Page, asked_page, page_choices, page_footer
from bot.storage.audit import AuditFilter
from bot.texts import BUTTONS, format_date, t

router = Router()

# Rows one export carries, newest first: a school's year of activity fits; beyond it the
# caption says how to narrow the filter.
EXPORT_MAX = 10_000
EXPORT_WIDTHS = (18, 26, 30, 26, 8, 90)

_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{2}|\d{4}))?$")
_DASHES = re.compile(r"\s*[-–—−]\s*(?=\d)")
_PERIODS = {"сегодня": 0, "вчера": -1, "неделя": 6, "неделю": 6, "месяц": 29}


@dataclass(frozen=True)
class AuditArgs:
    """What `/audit` was asked: the words naming a person (resolved by the handler), a
    class, and a period of school days, both ends included."""

    person_text: str = ""
    class_name: str | None = None
    since: date | None = None
    until: date | None = None


def parse_audit_args(text: str, today: date) -> AuditArgs:
    """`[человек] [класс] [дата или период]` in any order. A class is «5А» or «5 А»; a date
    «12.11» (the latest such day up to today), «12.11.2026»; a period «12.11–20.11»,
    «сегодня», «вчера», «неделя», «месяц». What is neither names the person."""
    tokens = _DASHES.sub("-", text.strip()).split()
    person: list[str] = []
    class_name: str | None = None
    since: date | None = None
    until: date | None = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        after = tokens[index + 1] if index + 1 < len(tokens) else ""
        period = _period(token, today)
        if period is not None:
            if since is not None:
                raise ArgumentError(t("audit_usage"))
            since, until = period
        elif class_name is None and _class(token):
            class_name = _class(token)
        elif class_name is None and token.isdigit() and len(after) == 1 and _class(token + after):
            # «5 А» typed with a space.
            class_name = _class(token + after)
            index += 1
        else:
            person.append(token)
        index += 1
    return AuditArgs(" ".join(person), class_name, since, until)


def _class(text: str) -> str | None:
    try:
        return parse_class_name(text).name
    except ClassNameError:
        return None


def _period(token: str, today: date) -> tuple[date, date] | None:
    """The days a token names, or None if it names none; a date that cannot be is an error."""
    word = token.casefold()
    if word in _PERIODS:
        days = _PERIODS[word]
        if days < 0:
            day = today + timedelta(days=days)
            return day, day
        return today - timedelta(days=days), today
    first, dash, last = token.partition("-")
    if not _DATE.match(first) or (dash and not _DATE.match(last)):
        return None
    start = _day(first, today, token)
    if not dash:
        return start, start
    end = _day(last, today, token)
    if start > end and _DATE.match(first).group(3) is None:  # type: ignore[union-attr]
        # «25.12–10.01» in January: the period began the year before.
        start = start.replace(year=end.year - 1)
    if start > end:
        raise ArgumentError(t("audit_period_reversed", text=token[:30]))
    return start, end


def _day(text: str, today: date, token: str) -> date:
    match = _DATE.match(text)
    assert match is not None
    day, month, year = match.groups()
    try:
        if year is not None:
            return date(int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))
        found = date(today.year, int(month), int(day))
        # A date without a year is the latest one not after today.
        return found if found <= today else found.replace(year=today.year - 1)
    except ValueError:
        raise ArgumentError(t("audit_date_invalid", text=token[:30])) from None


@dataclass(frozen=True)
class AuditQuery:
    """The filter as resolved: by person id, class name, school days."""

    person_id: int | None = None
    person_name: str = ""
    class_name: str | None = None
    since: date | None = None
    until: date | None = None

    def stored(self, zone: tzinfo) -> AuditFilter:
        """The filter in stored time: school days from midnight to midnight in `zone`."""
        return AuditFilter(
            person_id=self.person_id,
            class_name=self.class_name,
            since=_midnight(self.since, zone) if self.since else None,
            until=_midnight(self.until + timedelta(days=1), zone) if self.until else None,
        )

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.person_id is not None:
            data["p"] = self.person_id
        if self.class_name:
            data["c"] = self.class_name
        if self.since:
            data["s"] = self.since.isoformat()
        if self.until:
            data["u"] = self.until.isoformat()
        return data

    def described(self) -> str:
        """« (Белов Михаил, 5А, с 12.11.2026 по 20.11.2026)», or nothing without a filter."""
        parts = [part for part in (self.person_name, self.class_name) if part]
        if self.since and self.since == self.until:
            parts.append(t("audit_filter_day", day=_shown(self.since)))
        else:
            period = [
                t(key, **{key.rpartition("_")[2]: _shown(day)})
                for key, day in (
                    ("audit_filter_since", self.since),
                    ("audit_filter_until", self.until),
                )
                if day
            ]
            if period:
                parts.append(" ".join(period))
        return f" ({', '.join(parts)})" if parts else ""


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def _shown(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _today(event_ctx: EventContext) -> date:
    return event_ctx.services.clock.now().astimezone(event_ctx.services.settings.zone).date()


async def _typed_query(event_ctx: EventContext) -> AuditQuery:
    asked = parse_audit_args(event_ctx.args, _today(event_ctx))
    person_id: int | None = None
    name = ""
    if asked.person_text:
        # Whoever has left is still in the log until their data is deleted: «who marked
        # his departure?» is asked of those who left most of all.
        person_id, who = await known_person_from(event_ctx, asked.person_text, departed=True)
        name = str(who)
    return AuditQuery(person_id, name, asked.class_name, asked.since, asked.until)


async def _pressed_query(event_ctx: EventContext) -> AuditQuery:
    """The filter a button carried, each part checked as if typed; a forged part is dropped."""
    data = event_ctx.data
    person_id = payload_int(data.get("p"), 1, MAX_VK_ID)
    name = ""
    if person_id is not None:
        names = await event_ctx.services.school.names([person_id])
        name = str(names.get(person_id, ""))
    class_name = _class(data["c"]) if isinstance(data.get("c"), str) else None
    return AuditQuery(person_id, name, class_name, _iso(data.get("s")), _iso(data.get("u")))


def _iso(value: object) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@router.command("audit")
async def audit(event_ctx: EventContext) -> None:
    await _show(event_ctx, await _typed_query(event_ctx), 1)


@router.button("audit")
async def audit_page(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(None)
    await _show(event_ctx, await _pressed_query(event_ctx), asked_page(event_ctx.data))


async def _show(event_ctx: EventContext, query: AuditQuery, number: int | None) -> None:
    school = event_ctx.services.school
    zone = event_ctx.services.settings.zone
    where = query.stored(zone)
    total = await school.audit_count(where)
    filters = query.described()
    if not total:
        event_ctx.reply(
            t("audit_header_empty", filters=filters), keyboard=_shortcuts(query, event_ctx)
        )
        return
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(number or 1, 1), pages)
    rows = await school.audit(where, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    page = Page(rows, number, pages, total)
    names = await school.names(words.people_of(rows))
    lines = [t("audit_header", filters=filters, count=total)]
    lines += [words.line(row, names, zone) for row in rows]
    footer = page_footer(page)
    if footer:
        lines.append(footer)
    choices = page_choices(page, "audit", **query.payload())
    choices.append((BUTTONS["audit_export"], "audit_export", query.payload()))
    choices += _shortcut_choices(query, event_ctx)
    event_ctx.reply("\n".join(lines), keyboard=choice_keyboard(choices))


def _shortcut_choices(
    query: AuditQuery, event_ctx: EventContext
) -> list[tuple[str, str, dict[str, Any]]]:
    """«За сегодня» and «За неделю» while no period is chosen: the filters asked most."""
    if query.since or query.until:
        return []
    today = _today(event_ctx)
    return [
        (label, "audit", {**query.payload(), "s": since.isoformat(), "u": today.isoformat()})
        for label, since in (
            (BUTTONS["audit_today"], today),
            (BUTTONS["audit_week"], today - timedelta(days=6)),
        )
    ]


def _shortcuts(query: AuditQuery, event_ctx: EventContext) -> Keyboard | None:
    choices = _shortcut_choices(query, event_ctx)
    return choice_keyboard(choices) if choices else None


@router.command("audit_export")
async def audit_export(event_ctx: EventContext) -> None:
    await _export(event_ctx, await _typed_query(event_ctx))


@router.button("audit_export")
async def audit_export_button(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(None)
    await _export(event_ctx, await _pressed_query(event_ctx))


async def _export(event_ctx: EventContext, query: AuditQuery) -> None:
    services = event_ctx.services
    zone = services.settings.zone
    where = query.stored(zone)
    filters = query.described()
    total = await services.school.audit_count(where)
    if not total:
        event_ctx.reply(t("audit_export_empty", filters=filters))
        return
    rows = await services.school.audit(where, 0, EXPORT_MAX)
    names = await services.school.names(words.people_of(rows))
    headers = [
        t(f"audit_col_{column}") for column in ("when", "who", "action", "whom", "class", "details")
    ]
    data = table_workbook(
        t("audit_sheet"), headers, [words.cells(row, names, zone) for row in rows], EXPORT_WIDTHS
    )
    date_text = format_date(services.clock.now(), zone)
    attachment = await services.messengers.upload(
        event_ctx.where, File(f"sferum-zhurnal-{date_text}.xlsx", XLSX, data)
    )
    if attachment is None:
        event_ctx.reply(t("roster_file_failed"))
        return
    caption = (
        t("audit_export_capped", filters=filters, count=total, shown=len(rows))
        if total > len(rows)
        else t("audit_export_caption", filters=filters, count=total)
    )
    event_ctx.reply(caption, files=(attachment,))
