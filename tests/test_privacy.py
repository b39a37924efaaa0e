"""Withdrawing consent deletes the person's data; the audit keeps no name."""

from __future__ import annotations

from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import consented_user, drain, person_of, rows_mentioning
from vk_sandbox import VKSandbox


async def test_forget_me_deletes_personal_data_after_confirmation(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)

    await anna.send("/forget_me")
    confirm = await anna.wait_reply()
    assert BUTTONS["forget_confirm"] in [b.label for b in confirm.buttons]
    await anna.press(confirm.button(BUTTONS["forget_confirm"]))
    assert (await anna.wait_reply()).text == t("forget_done")

    assert await bot.db.reader.people.get(await person_of(bot.db, anna)) is None
    actions = [row.action for row in await bot.db.reader.audit.latest(10)]
    assert "consent_withdrawn" in actions
    assert rows_mentioning(str(bot.settings.database_path), "Кузнецова") == []


async def test_forget_me_can_be_cancelled(sandbox: VKSandbox, bot: BotRunner) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    await anna.send("/forget_me")
    await anna.wait_reply()
    await anna.send("что-то непонятное")
    assert (await anna.wait_reply()).text == t("dialog_expects_button")
    await anna.send("/cancel")
    assert (await anna.wait_reply()).text == t("forget_cancelled")
    assert await bot.db.reader.people.get(await person_of(bot.db, anna)) is not None


async def test_a_dialog_half_way_through_survives_a_restart(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    await anna.send("/forget_me")
    confirm = await anna.wait_reply()

    await bot.restart()

    await anna.press(confirm.button(BUTTONS["forget_confirm"]))
    assert (await anna.wait_reply()).text == t("forget_done")
    assert await bot.db.reader.people.get(await person_of(bot.db, anna)) is None
