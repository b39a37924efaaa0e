"""A class teacher decides 24 join requests in a burst while the bot is SIGKILLed 24 times at
random moments (seeded), restarted each time: afterwards every parent was told exactly once
that their request was accepted, and every decision is recorded once."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import replace
from pathlib import Path

from bot.storage import Database
from bot.texts import BUTTONS, t
from tests.conftest import ADMIN_ID
from tests.helpers import person_of, seeded_person
from tests.test_crash_restart import BotProcess
from vk_sandbox import VKSandbox

REQUESTS = 24
KILLS = 24
TEACHER_ID = 700_000
PARENT_BASE = 710_000
SEED = 13


async def test_a_burst_of_decisions_through_24_kills_tells_every_parent_once(
    sandbox: VKSandbox, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    async with Database(database) as db, db.transaction() as tx:
        await tx.classes.add("5А", 5, "А")
        five_a = await tx.classes.by_name("5А")
        assert five_a is not None
        class_id = five_a.id
        admin_id = await seeded_person(tx, ADMIN_ID)
        teacher_id = await seeded_person(tx, TEACHER_ID)
        await tx.people.record_consent(admin_id, "Петрова Ирина")
        await tx.people.record_consent(teacher_id, "Смирнова Анна")
        await tx.roles.grant(teacher_id, "teacher")
        await tx.roles.grant(teacher_id, "class_teacher", class_id, verified=True)
        await tx.roles.verify_teacher(teacher_id)
        for n in range(REQUESTS):
            parent_id = await seeded_person(tx, PARENT_BASE + n)
            await tx.people.record_consent(parent_id, f"Родитель{n} Тестовый")
            await tx.requests.create(parent_id, "parent", class_id, f"Ребёнок{n} Тестовый")
    sandbox.add_user(first_name="Ирина", last_name="Петрова", user_id=ADMIN_ID)
    teacher = sandbox.add_user(first_name="Анна", last_name="Смирнова", user_id=TEACHER_ID)
    parents = [
        sandbox.add_user(first_name=f"Родитель{n}", last_name="Тестовый", user_id=PARENT_BASE + n)
        for n in range(REQUESTS)
    ]
    for user in (teacher, *parents):
        user.state.can_write = True
    async with Database(database) as db:
        ids = sorted(r.id for r in await db.reader.requests.pending(None, REQUESTS))
    assert len(ids) == REQUESTS

    bot = BotProcess(sandbox, database)
    await bot.start()
    rng = random.Random(SEED)
    try:
        await teacher.send("/requests")
        listing = await teacher.wait_reply()
        template = next(b for b in listing.buttons if b.label.startswith(BUTTONS["approve"]))
        assert template.payload is not None
        approve = {n: replace(template, payload={**template.payload, "id": n}) for n in ids}
        # The burst: every request pressed at once, some twice (a teacher tapping again
        # while nothing seems to happen); then the bot dies at random moments, again and
        # again, with presses still coming in between.
        for n in ids[: REQUESTS // 2]:
            await teacher.press(approve[n])
        later = ids[REQUESTS // 2 :]
        for _ in range(KILLS):
            for n in [*later[:1], rng.choice(ids)]:
                await teacher.press(approve[n])
            later = later[1:]
            await asyncio.sleep(rng.uniform(0.0, 0.4))
            await bot.kill()
            await bot.start()
        # Every parent hears the decision in the end.
        for parent in parents:
            while not any(m.peer_id == parent.user_id for m in sandbox.sent):
                await parent.wait_reply(timeout=30)
        await asyncio.sleep(1.5)  # anything sent twice would have come by now
    finally:
        await bot.stop()

    told = Counter(m.peer_id for m in sandbox.sent if m.peer_id >= PARENT_BASE)
    assert told == {parent.user_id: 1 for parent in parents}
    for parent in parents:
        (message,) = [m for m in sandbox.sent if m.peer_id == parent.user_id]
        request_id = ids[parent.user_id - PARENT_BASE]
        assert message.text.startswith(
            t("decision_you_approved", id=request_id, role="родитель", class_name="5А")
        )
    async with Database(database) as check:
        audit = Counter(row.action for row in await check.reader.audit.latest(1000))
        left = await check.reader.requests.pending(None, REQUESTS)
        roles = [await check.reader.roles.active_for(await person_of(check, p)) for p in parents]
    assert audit["request_approved"] == REQUESTS
    assert not left
    assert all([r.role for r in person_roles] == ["parent"] for person_roles in roles)
