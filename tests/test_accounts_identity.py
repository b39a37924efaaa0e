"""People are known by their internal id and reached through their VK account."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.conversation.identity import Account, parse_account, vk_account
from bot.texts import BUTTONS, t
from tests.conftest import ADMIN_ID, BotRunner
from tests.helpers import admin_user, ask, consented_user, drain
from vk_sandbox import UserDriver, VKSandbox

STAFF_ROOM = 1  # the first class, made by the first migration
VERA_PERSON = 5  # her id at school ...
VERA_VK = 777  # ... is not her VK id


async def teacher_known_by_school_id(sandbox: VKSandbox, bot: BotRunner) -> UserDriver:
    """Вера Орлова, an unverified teacher whose id at school (5) is not her VK id (777)."""
    vera = sandbox.add_user("Вера", "Орлова", user_id=VERA_VK)
    async with bot.db.transaction() as tx:
        await tx.people.ensure(VERA_PERSON)
        await tx.accounts.link(vk_account(VERA_VK), VERA_PERSON)
        await tx.people.record_consent(VERA_PERSON, "Орлова Вера")
        await tx.roles.grant(VERA_PERSON, "teacher", class_id=STAFF_ROOM)
    return vera


def test_accounts_in_settings_are_vk_unless_named() -> None:
    assert parse_account("vk:123") == parse_account(" 123 ") == Account("vk", "123")
    assert parse_account("VK:0123") == vk_account(123)


def test_an_unknown_messenger_in_admin_ids_stops_the_program(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check-config"],
        env={"VK_TOKEN": "x" * 20, "ADMIN_IDS": "vk:12,tg:5", "DIRECTOR_IDS": "vk:x"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert [line.split(":")[0] for line in lines] == ["ADMIN_IDS", "DIRECTOR_IDS"]
    assert "Traceback" not in result.stderr


async def test_an_admin_listed_as_vk_account_gets_the_role(
    sandbox: VKSandbox, start_bot: Callable[..., Awaitable[BotRunner]]
) -> None:
    await start_bot(admin_ids=f"vk:{ADMIN_ID}", director_ids="")
    admin = await admin_user(sandbox)
    assert (await ask(admin, "/class_add 5А")).text.startswith("Добавлен")


async def test_a_person_whose_school_id_is_not_their_vk_id_is_reached_through_the_account(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    vera = await teacher_known_by_school_id(sandbox, bot)
    # She writes from her account: the bot knows her, and answers her there.
    assert (await ask(vera, "Начать")).text == t("greeting_known", name="Вера")
    # The admin names her by her VK page; she hears the news in VK.
    assert (await ask(admin, f"/verify https://vk.com/id{VERA_VK}")).text == t(
        "verify_done", name="Орлова Вера"
    )
    assert (await vera.wait_reply()).text == t("verify_you")
    roles = await bot.db.reader.roles.active_for(VERA_PERSON)
    assert [(role.role, role.verified_at is not None) for role in roles] == [("teacher", True)]
    # A bare number is a VK id, as the bot's lists show: 5 is her id at school, not an
    # account the bot knows.
    assert (await ask(admin, f"/verify {VERA_PERSON}")).text == t("person_unknown")


async def test_forget_me_takes_the_account_and_coming_back_is_a_fresh_start(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    account = vk_account(anna.user_id)
    assert await bot.db.reader.accounts.person_of(account) is not None
    confirm = await ask(anna, "/forget_me")
    await anna.press(confirm.button(BUTTONS["forget_confirm"]))
    assert (await anna.wait_reply()).text == t("forget_done")
    assert await bot.db.reader.accounts.person_of(account) is None
    await anna.send("Начать")
    greeting, _ = await anna.wait_replies(2)
    assert greeting.text.startswith("Здравствуйте, Анна! Я помощник")
