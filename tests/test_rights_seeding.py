"""ADMIN_IDS and DIRECTOR_IDS grant their role once per person; after that the database
decides, so a removal sticks across /agree, restarts and a new consent."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

from bot.conversation.identity import vk_account
from bot.storage.migrations import MIGRATIONS, migrate
from bot.texts import BUTTONS, t
from tests.conftest import ADMIN_ID, DIRECTOR_ID, BotRunner
from tests.helpers import admin_user, ask, consented_user, drain, person_of, verified_teacher
from vk_sandbox import VKSandbox


async def _roles(bot: BotRunner, vk_id: int) -> set[str]:
    person = await person_of(bot.db, vk_id)
    return {row.role for row in await bot.db.reader.roles.active_for(person)}


async def test_an_admin_from_the_settings_removed_stays_removed(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    other = await verified_teacher(sandbox, admin, "Олег", "Сидоров")
    await ask(admin, f"/admin_add id{other.user_id}")
    await drain(other)
    director = await consented_user(sandbox, "Людмила", "Дровосекова", user_id=DIRECTOR_ID)
    await drain(director)
    removed = await ask(director, f"/admin_remove id{ADMIN_ID}")
    assert removed.text == t("admin_removed", name="Петрова Ирина")
    assert await _roles(bot, ADMIN_ID) == set()

    assert (await ask(admin, "/agree")).text == t("consent_already")
    assert await _roles(bot, ADMIN_ID) == set()
    await bot.restart()
    assert (await ask(admin, "/agree")).text == t("consent_already")
    assert (await ask(admin, "/classes")).text.startswith("Команда /classes доступна только")

    confirm = await ask(admin, "/forget_me")
    await admin.press(confirm.button(BUTTONS["forget_confirm"]))
    assert (await admin.wait_reply()).text == t("forget_done")
    await admin.send("/agree")
    assert (await admin.wait_reply()).text == t("consent_given")
    await drain(admin)
    assert await _roles(bot, ADMIN_ID) == set()
    # The director was seeded too, and keeps the role as long as the database says so.
    assert await _roles(bot, DIRECTOR_ID) == {"director"}


async def test_a_person_listed_later_gets_the_role_at_the_next_agree(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    await admin_user(sandbox)
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    await bot.stop()
    bot.settings = bot.settings.model_copy(
        update={"admin_ids": [vk_account(ADMIN_ID), vk_account(anna.user_id)]}
    )
    await bot.start()
    reply = await ask(anna, "/agree")
    assert reply.text == t("consent_already") + " " + t(
        "consent_roles_granted", roles="администратор"
    )
    assert await _roles(bot, anna.user_id) == {"admin"}


async def test_the_migration_records_who_had_the_settings_roles(tmp_path: Path) -> None:
    async with aiosqlite.connect(tmp_path / "old.sqlite3") as conn:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA user_version = 0")
        for migration in MIGRATIONS:
            if migration.number >= 8:
                break
            await conn.executescript(migration.sql)
            await conn.execute(f"PRAGMA user_version = {migration.number}")
        await conn.commit()
        now = "2026-01-01T00:00:00+00:00"
        await conn.executemany(
            "INSERT INTO people (vk_id, full_name, consent_at, created_at) VALUES (?, ?, ?, ?)",
            [(1, "А", now, now), (2, "Б", now, now), (3, "В", now, now)],
        )
        await conn.executemany(
            "INSERT INTO roles (person_id, role, granted_at, ended_at) VALUES (?, ?, ?, ?)",
            [(1, "admin", now, None), (2, "director", now, now)],
        )
        await conn.execute(
            "INSERT INTO audit_log (at, actor_id, action, subject_id) VALUES (?, 9, ?, 3)",
            (now, "admin_removed"),
        )
        await conn.commit()
        await migrate(conn)
        rows = await conn.execute_fetchall("SELECT external_id, role FROM seeded_roles")
        assert {(row[0], row[1]) for row in rows} == {
            ("1", "admin"),
            ("2", "director"),
            ("3", "admin"),
        }
