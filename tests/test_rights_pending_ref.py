"""An invitation code waiting for its bearer's consent is kept hashed, like issued codes, and
forgotten for people who never consent."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiosqlite

from bot.clock import FrozenClock
from bot.domain.invitations import hash_code
from bot.storage.migrations import MIGRATIONS, migrate
from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import ask, invitation_code, person_of, school_with_classes, tick
from vk_sandbox import VKSandbox


async def test_a_code_kept_for_consent_is_stored_hashed_and_still_works(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    code = invitation_code(await ask(admin, "/invite parent 5А"))
    parent = sandbox.add_user(first_name="Ольга", last_name="Белова")
    await parent.send("Начать", ref=code, ref_source="vk.me")
    _, consent = await parent.wait_replies(2)

    person = await bot.db.reader.people.get(await person_of(bot.db, parent))
    assert person is not None and person.pending_ref == hash_code(code)

    await parent.press(consent.button(BUTTONS["agree"]))
    await parent.wait_event_answer()
    await parent.wait_reply()  # thanks for consent
    assert (await parent.wait_reply()).text == t("join_ask_child_name", class_name="5А")


async def test_the_code_of_someone_who_never_consents_is_forgotten(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    stranger = sandbox.add_user(first_name="Гость", last_name="Гостев")
    await stranger.send("Начать", ref="SOMECODE", ref_source="vk.me")
    await stranger.wait_replies(2)
    await tick(clocked_bot)
    person = await clocked_bot.db.reader.people.get(await person_of(clocked_bot.db, stranger))
    assert person is not None and person.pending_ref == hash_code("SOMECODE")

    frozen_clock.advance(clocked_bot.settings.invitation_ttl + timedelta(hours=2))
    assert "forget_pending_refs" in await tick(clocked_bot)
    person = await clocked_bot.db.reader.people.get(await person_of(clocked_bot.db, stranger))
    assert person is not None and person.pending_ref is None


async def test_the_migration_hashes_codes_kept_in_plain_text(tmp_path: Path) -> None:
    async with aiosqlite.connect(tmp_path / "old.sqlite3") as conn:
        for migration in MIGRATIONS:
            if migration.number >= 8:
                break
            await conn.executescript(migration.sql)
            await conn.execute(f"PRAGMA user_version = {migration.number}")
        await conn.executemany(
            "INSERT INTO people (vk_id, pending_ref, created_at) VALUES (?, ?, ?)",
            [(1, "PLAINCODE", "2026-01-01T00:00:00+00:00"), (2, None, "2026-01-01T00:00:00+00:00")],
        )
        await conn.commit()
        await migrate(conn)
        rows = await conn.execute_fetchall(
            "SELECT id, pending_ref, pending_ref_at FROM people ORDER BY id"
        )
        assert [tuple(row) for row in rows] == [
            (1, hash_code("PLAINCODE"), "2026-01-01T00:00:00+00:00"),
            (2, None, None),
        ]
