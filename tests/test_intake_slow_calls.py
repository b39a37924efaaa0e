"""A VK call that hangs costs the person who waits for it a few seconds, and nobody else any."""

from __future__ import annotations

from bot.handlers.start import FALLBACK_NAME
from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import consented_user, drain, person_of
from vk_sandbox import VKSandbox

# More people than the bot handles at once, each of whose greeting asks VK for their name.
STRANGERS = 70


async def test_a_hanging_users_get_stalls_neither_the_greeting_nor_anyone_else(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    sandbox.faults.slow(60.0, times=100_000, methods="users.get")
    strangers = [
        sandbox.add_user(first_name="Гость", last_name=f"Номер{n}") for n in range(STRANGERS)
    ]
    for stranger in strangers:
        await stranger.send("Начать")
    await anna.send("/cancel")
    assert (await anna.wait_reply(timeout=10)).text == t("cancel_nothing")
    # The greeting goes out without the name VK did not give.
    greeting, consent = await strangers[0].wait_replies(2, timeout=10)
    assert greeting.text == t("greeting_new", name=FALLBACK_NAME, school=bot.settings.school_name)
    assert consent.text == t("consent_request")


async def test_a_name_vk_did_not_give_at_consent_is_filled_in_when_the_person_comes_back(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    sandbox.faults.slow(60.0, times=100_000, methods="users.get")
    olga = sandbox.add_user(first_name="Ольга", last_name="Белова")
    await olga.send("/agree")
    await olga.wait_replies(2, timeout=15)
    kept = await bot.app.db.reader.people.get(await person_of(bot.app.db, olga))
    assert kept is not None and kept.full_name == f"id{olga.user_id}"
    sandbox.faults.clear()
    await olga.send("/start")
    assert (await olga.wait_reply(timeout=10)).text.startswith("Здравствуйте, Ольга!")
    known = await bot.app.db.reader.people.get(await person_of(bot.app.db, olga))
    assert known is not None and known.full_name == "Белова Ольга"
