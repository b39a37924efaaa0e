"""`/stats` per class against the imported roster: students of those listed, families (a
child with a parent linked, once however many parents, a child known by name too) and the
class chats of those every class must have; a class with no roster shows what is known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import FrozenClock
from bot.domain.reports import ReportService
from bot.render.stats import class_lines
from bot.storage import Database, Repositories

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def _person(tx: Repositories, person_id: int, name: str) -> int:
    await tx.people.ensure(person_id)
    await tx.people.record_consent(person_id, name)
    return person_id


async def _link(
    tx: Repositories, parent: int, child: int | None, name: str | None, cls: int
) -> None:
    await tx.audit._conn.execute(
        "INSERT INTO family_links (parent_id, child_id, child_name, class_id, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (parent, child, name, cls, NOW.isoformat()),
    )


async def test_each_class_is_counted_against_its_roster_and_its_required_chats(
    tmp_path: Path,
) -> None:
    clock = FrozenClock(NOW)
    async with Database(tmp_path / "s.sqlite3", clock) as db:
        async with db.transaction() as tx:
            for name in ("5А", "5Б", "6В"):
                await tx.classes.add(name, int(name[0]), name[1])
            ids = {row.name: row.id for row in await tx.classes.all()}
            a, b = ids["5А"], ids["5Б"]
            for full_name in ("Белов Михаил", "Орлова Анна", "Кузнецов Иван"):
                await tx.roster.upsert_student(full_name, a)
            await tx.roster.upsert_student("Петров Пётр", b)
            misha = await _person(tx, 10, "Белов Михаил")
            await tx.roles.grant(misha, "student", a)
            anna = await _person(tx, 11, "Орлова Анна")
            await tx.roles.grant(anna, "student", a)
            # Misha's two parents are one family; Ivan (not registered yet) is linked by
            # name three times, typed differently (case, spacing, a slip), one family as
            # /class shows him; a departed parent's link does not count.
            for parent in (20, 21):
                await _person(tx, parent, f"Родитель {parent}")
                await _link(tx, parent, misha, None, a)
            await _person(tx, 22, "Кузнецова Ольга")
            await _link(tx, 22, None, "Кузнецов Иван", a)
            await _person(tx, 23, "Кузнецов Олег")
            await _link(tx, 23, None, "кузнецов  иван", a)
            await _person(tx, 26, "Кузнецова Мария")
            await _link(tx, 26, None, "Кузнецов Иаан", a)
            await _person(tx, 24, "Орлов Павел")
            await _link(tx, 24, anna, None, a)
            await tx.people.mark_left(24)
            # A link in 6В, which has no roster.
            await _person(tx, 25, "Сидорова Вера")
            await _link(tx, 25, None, "Сидоров Олег", ids["6В"])
            for peer, kind in ((2_000_000_001, "students"), (2_000_000_002, "parents")):
                await tx.chats.added(peer, 1, "vk")
                await tx.chats.bind(peer, kind, a, None, f"{kind} 5А", 1)
        stats = await ReportService(db, clock, timedelta(days=7)).stats()

    figures = {row.name: row for row in stats.classes}
    five_a = figures["5А"]
    assert (five_a.students, five_a.roster, five_a.families, five_a.chats) == (2, 3, 2, 2)
    assert (figures["5Б"].roster, figures["5Б"].families) == (1, 0)
    assert (figures["6В"].roster, figures["6В"].families, figures["6В"].expected) == (None, 1, 0)
    assert class_lines(stats) == [
        "5А: учеников 2 из 3 по списку, родителей (семей) 2 из 3, чаты: 2 из 3",
        "5Б: учеников 0 из 1 по списку, родителей (семей) 0 из 1, чаты: 0 из 3",
        "6В: учеников 0 (список не загружен), семей с родителями в боте: 1, чаты: 0 из 3",
        "Всего по школе: учеников 2 из 4 по списку, родителей (семей) 2 из 4.",
        "Списки не загружены для: 6В — эти классы не вошли в итог.",
    ]
