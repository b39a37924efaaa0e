"""A large school in a fresh database, for the benchmarks."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.conversation.identity import vk_account
from bot.domain.invitations import hash_code, new_code
from bot.domain.roles import Role
from bot.storage import Database, Repositories

LETTERS = "АБВГДЕЖИКЛМНОПРСТУФХЦЧШЭЮЯ"
ADMIN = 1
REDEEMERS = 1000


async def _person(tx: Repositories, vk_id: int) -> int:
    """The person of a sandbox VK user, made with their account (ids are the school's own)."""
    account = vk_account(vk_id)
    return (await tx.accounts.people_for([account]))[account]


async def populate(
    db: Database,
    people: int,
    invitations: int,
    requests: int,
    grades: int = 10,
    letters: int = 8,
) -> list[str]:
    """Fills the school; returns the codes of some open invitations for redemption."""
    now = datetime.now(UTC)
    rng = random.Random(44)
    codes: list[str] = []
    async with db.transaction() as tx:
        class_ids = []
        for grade in range(1, grades + 1):
            for letter in LETTERS[:letters]:
                await tx.classes.add(f"{grade}{letter}", grade, letter)
                row = await tx.classes.by_name(f"{grade}{letter}")
                assert row is not None
                class_ids.append(row.id)
        admin = await _person(tx, ADMIN)
        await tx.people.record_consent(admin, "Петрова Ирина")
        await tx.roles.grant(admin, Role.ADMIN.value, verified=True)
        for vk_id in range(2, people + 2):
            person = await _person(tx, vk_id)
            await tx.people.record_consent(person, f"Иванов{vk_id} Иван")
            role = Role.STUDENT.value if vk_id % 2 else Role.PARENT.value
            await tx.roles.grant(person, role, rng.choice(class_ids), child_name="Иванов Иван")
        for index, class_id in enumerate(class_ids):
            teacher = await _person(tx, 100_000 + index)
            await tx.people.record_consent(teacher, f"Учитель{index} Пётр")
            await tx.roles.grant(teacher, Role.TEACHER.value, verified=True)
            await tx.roles.grant(teacher, Role.CLASS_TEACHER.value, class_id, verified=True)
        for index in range(invitations):
            code = new_code()
            await tx.invitations.create(
                hash_code(code),
                Role.PARENT.value,
                rng.choice(class_ids),
                None,
                admin,
                now + timedelta(days=rng.randint(-10, 14)),
            )
            if index % 10 == 0:
                codes.append(code)
        for vk_id in range(300_000, 300_000 + REDEEMERS):
            redeemer = await _person(tx, vk_id)
            await tx.people.record_consent(redeemer, "Петрова Ольга")
        for index in range(requests):
            await tx.requests.create(
                200_000 + index, "parent", rng.choice(class_ids), "Петров Пётр"
            )
    return codes
