"""`/audit [человек] [класс] [дата или период]`: the parts in any order, dates as Russian
schools write them, and the filter as the page buttons carry it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FrozenClock
from bot.handlers.args import ArgumentError
from bot.handlers.records import AuditArgs, AuditQuery, parse_audit_args
from bot.storage import Database
from bot.storage.audit import AuditFilter
from bot.texts import t

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", AuditArgs()),
        ("5А", AuditArgs(class_name="5А")),
        ("5 а", AuditArgs(class_name="5А")),
        ("Белов Миша", AuditArgs(person_text="Белов Миша")),
        (
            "12.11 Белов 5б",
            AuditArgs("Белов", "5Б", date(2026, 11, 12), date(2026, 11, 12)),
        ),
        (
            "5А id1001 12.11–20.11",
            AuditArgs("id1001", "5А", date(2026, 11, 12), date(2026, 11, 20)),
        ),
        ("12.11 - 20.11", AuditArgs(since=date(2026, 11, 12), until=date(2026, 11, 20))),
        ("сегодня", AuditArgs(since=TODAY, until=TODAY)),
        ("Вчера", AuditArgs(since=date(2026, 11, 29), until=date(2026, 11, 29))),
        ("неделя 5А", AuditArgs(class_name="5А", since=date(2026, 11, 24), until=TODAY)),
        ("месяц", AuditArgs(since=date(2026, 11, 1), until=TODAY)),
        # A day later in the year than today is last year's.
        ("25.12", AuditArgs(since=date(2025, 12, 25), until=date(2025, 12, 25))),
        ("1.09.2025", AuditArgs(since=date(2025, 9, 1), until=date(2025, 9, 1))),
        ("01.09.25-31.12.25", AuditArgs(since=date(2025, 9, 1), until=date(2025, 12, 31))),
    ],
)
def test_the_parts_are_found_in_any_order(text: str, expected: AuditArgs) -> None:
    assert parse_audit_args(text, TODAY) == expected


def test_a_period_over_the_new_year_begins_the_year_before() -> None:
    assert parse_audit_args("25.12–10.01", date(2027, 1, 15)) == AuditArgs(
        since=date(2026, 12, 25), until=date(2027, 1, 10)
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31.02", t("audit_date_invalid", text="31.02")),
        ("12.13-20.11", t("audit_date_invalid", text="12.13-20.11")),
        ("20.11.2026-12.11.2026", t("audit_period_reversed", text="20.11.2026-12.11.2026")),
        ("сегодня неделя", t("audit_usage")),
    ],
)
def test_a_date_that_cannot_be_says_what_to_write(text: str, message: str) -> None:
    with pytest.raises(ArgumentError) as raised:
        parse_audit_args(text, TODAY)
    assert raised.value.text == message


def test_the_filter_goes_into_buttons_and_stored_time_as_school_days() -> None:
    zone = ZoneInfo("Europe/Moscow")
    query = AuditQuery(7, "Белов Михаил", "5А", date(2026, 11, 12), date(2026, 11, 20))
    assert query.payload() == {"p": 7, "c": "5А", "s": "2026-11-12", "u": "2026-11-20"}
    assert query.described() == " (Белов Михаил, 5А, с 12.11.2026 по 20.11.2026)"
    stored = query.stored(zone)
    # Midnight in Moscow is 21:00 UTC the day before; the last day is included whole.
    assert stored.since == datetime(2026, 11, 11, 21, 0, tzinfo=UTC)
    assert stored.until == datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
    assert (stored.person_id, stored.class_name) == (7, "5А")
    one_day = AuditQuery(since=date(2026, 11, 12), until=date(2026, 11, 12))
    assert one_day.described() == " (за 12.11.2026)"
    assert AuditQuery().described() == "" and AuditQuery().payload() == {}


async def test_the_log_is_read_by_person_class_and_period_newest_first(tmp_path: Path) -> None:
    clock = FrozenClock(datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    async with Database(tmp_path / "s.sqlite3", clock) as db:
        async with db.transaction() as tx:
            await tx.classes.add("5А", 5, "А")
            await tx.audit.write("class_added", 1, details={"class": "5А"})
            clock.advance(timedelta(days=2))
            await tx.audit.write("student_moved", 1, 3, {"from": "5А", "to": "5Б", "parents": 0})
            clock.advance(timedelta(days=2))
            await tx.people.ensure(4)
            class_id = (await tx.classes.by_name("5А")).id  # type: ignore[union-attr]
            request_id = await tx.requests.create(4, "parent", class_id, "Белова Ольга")
            await tx.audit.write("request_approved", 1, 4, {"request": request_id})
            await tx.audit.write("admin_added", 2, 1)
        audit = db.reader.audit

        async def actions(where: AuditFilter) -> list[str]:
            rows = await audit.filtered(where, 0, 10)
            assert await audit.count(where) == len(rows)
            return [row.action for row in rows]

        assert await actions(AuditFilter()) == [
            "admin_added",
            "request_approved",
            "student_moved",
            "class_added",
        ]
        # A person as the one who acted or the one acted upon.
        assert await actions(AuditFilter(person_id=4)) == ["request_approved"]
        assert await actions(AuditFilter(person_id=1)) == [
            "admin_added",
            "request_approved",
            "student_moved",
            "class_added",
        ]
        # A class: named in the details, either end of a move, a request's class.
        assert await actions(AuditFilter(class_name="5А")) == [
            "request_approved",
            "student_moved",
            "class_added",
        ]
        assert await actions(AuditFilter(class_name="5Б")) == ["student_moved"]
        # A period: [since, until).
        day = datetime(2026, 11, 12, tzinfo=UTC)
        assert await actions(AuditFilter(since=day, until=day + timedelta(days=1))) == [
            "student_moved"
        ]
        assert await actions(AuditFilter(person_id=3, since=day + timedelta(days=1))) == []
        page = await audit.filtered(AuditFilter(), 1, 2)
        assert [row.action for row in page] == ["request_approved", "student_moved"]
        assert page[0].class_name == "5А" and page[1].class_name == "5Б"


async def test_a_person_named_in_a_rows_details_finds_it_too(tmp_path: Path) -> None:
    """A child linked to a parent, a class teacher replaced: `/audit` of that person lists it."""
    clock = FrozenClock(datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    async with Database(tmp_path / "s.sqlite3", clock) as db:
        async with db.transaction() as tx:
            await tx.audit.write("family_linked", 1, 4, {"child": 7, "class": "5А"})
            await tx.audit.write("class_teacher_set", 1, 2, {"class": "5А", "previous": 8})
            await tx.audit.write("family_unlinked", 1, 4, {"child": 7, "class": "5А"})
            # A number in another action's details is no person.
            await tx.audit.write("invitations_annulled", 1, None, {"count": 7, "child": 7})
        audit = db.reader.audit

        async def actions(person_id: int) -> list[str]:
            where = AuditFilter(person_id=person_id)
            rows = await audit.filtered(where, 0, 10)
            assert await audit.count(where) == len(rows)
            return [row.action for row in rows]

        assert await actions(7) == ["family_unlinked", "family_linked"]
        assert await actions(8) == ["class_teacher_set"]
        assert await actions(4) == ["family_unlinked", "family_linked"]
