"""A person looked up by name in a school of 3,000 people: milliseconds per lookup.

The lookup reads every consented person with their roles in one query and matches names in
Python (SQLite cannot fold Cyrillic case): a surname, a surname and first name, a slip, for
an admin (everyone) and a class teacher (their class and the staff). Every command naming a
person by name pays one lookup (two when a two-word name might end earlier).

    python bench/bench_names.py [--people 3000] [--repeat 50]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.conversation.identity import vk_account  # noqa: E402
from bot.domain.roles import Actor, Role, RoleGrant  # noqa: E402
from bot.domain.school import SchoolService  # noqa: E402
from bot.storage import Database  # noqa: E402

SURNAMES = [
    "Смирнов",
    "Иванов",
    "Кузнецов",
    "Соколов",
    "Попов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Петров",
    "Волков",
    "Соловьёв",
    "Васильев",
    "Зайцев",
    "Павлов",
    "Семёнов",
    "Голубев",
    "Виноградов",
    "Богданов",
    "Воробьёв",
    "Фёдоров",
    "Михайлов",
    "Беляев",
    "Тарасов",
    "Белов",
    "Комаров",
    "Орлов",
    "Киселёв",
    "Макаров",
    "Андреев",
    "Ковалёв",
    "Ильин",
    "Гусев",
    "Титов",
    "Кузьмин",
    "Кудрявцев",
    "Баранов",
    "Куликов",
    "Алексеев",
    "Степанов",
    "Яковлев",
    "Сорокин",
]
MEN = [
    "Александр",
    "Михаил",
    "Иван",
    "Максим",
    "Артём",
    "Дмитрий",
    "Никита",
    "Андрей",
    "Егор",
    "Кирилл",
    "Илья",
    "Матвей",
]
WOMEN = [
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Софья",
    "Дарья",
    "Алиса",
    "Полина",
    "Виктория",
    "Ксения",
    "Екатерина",
]
LETTERS = "АБВГ"


def a_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.5:
        return f"{surname} {rng.choice(MEN)}"
    feminine = surname[:-1] + "ая" if surname.endswith("ий") else surname + "а"
    return f"{feminine} {rng.choice(WOMEN)}"


async def populate(db: Database, people: int) -> tuple[Actor, Actor]:
    """A school of `people`: 11 grades × 4 letters, a class teacher each, students and
    parents; the admin and one class teacher, to look up as."""
    rng = random.Random(15)
    async with db.transaction() as tx:
        classes = []
        for grade in range(1, 12):
            for letter in LETTERS:
                await tx.classes.add(f"{grade}{letter}", grade, letter)
                row = await tx.classes.by_name(f"{grade}{letter}")
                assert row is not None
                classes.append(row.id)
        staff_room = await tx.classes.staff_room()
        accounts = [vk_account(n) for n in range(1, people + 1)]
        ids = await tx.accounts.people_for(accounts)
        for n, account in enumerate(accounts):
            person = ids[account]
            await tx.people.record_consent(person, a_name(rng))
            if n == 0:
                await tx.roles.grant(person, Role.ADMIN.value, verified=True)
            elif n <= len(classes):
                await tx.roles.grant(person, Role.TEACHER.value, staff_room.id, verified=True)
                await tx.roles.grant(
                    person, Role.CLASS_TEACHER.value, classes[n - 1], verified=True
                )
            else:
                role = Role.STUDENT.value if n % 2 else Role.PARENT.value
                await tx.roles.grant(person, role, rng.choice(classes), verified=True)
    admin = Actor(ids[accounts[0]], grants=(RoleGrant(Role.ADMIN, None, None, True),))
    teacher = Actor(
        ids[accounts[1]], grants=(RoleGrant(Role.CLASS_TEACHER, classes[0], "1А", True),)
    )
    return admin, teacher


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with Database(Path(folder) / "bench.sqlite3") as db:
            admin, teacher = await populate(db, args.people)
            school = SchoolService(db)
            print(f"{args.people} people; median of {args.repeat} lookups")
            print(f"{'who looks':<15} {'typed':<18} {'found':>5} {'ms':>7}")
            for who, label in ((admin, "admin"), (teacher, "class teacher")):
                for typed in ("Смирнова", "кузнецов иван", "Сколов", "Нетакого"):
                    samples = []
                    found = 0
                    for _ in range(args.repeat):
                        started = time.perf_counter()
                        found = len(await school.find_by_name(who, typed))
                        samples.append((time.perf_counter() - started) * 1000)
                    ms = statistics.median(samples)
                    print(f"{label:<15} {typed:<18} {found:>5} {ms:>7.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=50)
    asyncio.run(main(parser.parse_args()))
