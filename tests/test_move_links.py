"""A person known on VK links their MAX account through a one-time deep link (`/link_max`),
keeping their roles, consent and history; the bare person made when MAX's account first
wrote goes, and the bot knows the account as the linked person from its very next event.

Linking is redeemed by events from a MAX account stored through the inbox, as the MAX
adapter stores them (see tests/move_support.py): the bot runs on the VK sandbox only."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.clock import FrozenClock
from bot.conversation.identity import MAX, VK, Account
from bot.domain.roles import Role
from bot.texts import BUTTONS, MESSENGER_WHERE, t
from tests.conftest import BotRunner
from tests.helpers import admin_user, ask, consented_user, drain, person_of, verified_teacher
from tests.move_support import MAX_BOT, from_max, switch_max_on, texts_to_max
from vk_sandbox import UserDriver, VKSandbox

LINK = re.compile(rf"https://max\.ru/{MAX_BOT}\?start=(\S+)")


async def _link_payload(user: UserDriver) -> str:
    reply = await ask(user, "/link_max")
    match = LINK.search(reply.text)
    assert match, reply.text
    assert reply.text == t(
        "link_give", where="в MAX", minutes=30, link=f"https://max.ru/{MAX_BOT}?start={match[1]}"
    )
    return match.group(1)


def _done(where: str) -> str:
    return t("link_done", reached=MESSENGER_WHERE[where])


async def test_link_max_says_max_is_off_until_it_is_switched_on(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    user = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(user)
    assert (await ask(user, "/link_max")).text == t("link_off", where="в MAX")
    assert (await ask(user, "/link_vk")).text == t(
        "link_here", where="во ВКонтакте", other="в MAX", other_command="link_max"
    )


async def test_a_teacher_links_max_and_keeps_her_roles_there(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    teacher = await verified_teacher(sandbox, admin, "Елена", "Смирнова")
    # /help offers linking only while the bot serves a second messenger.
    assert "/link_max" not in (await ask(teacher, "/help")).text
    switch_max_on(bot)
    assert "/link_max — " in (await ask(teacher, "/help")).text
    payload = await _link_payload(teacher)
    assert payload.startswith("link_")
    person = await person_of(bot.db, teacher)

    # She opens the link in MAX: her first contact there.
    await from_max(bot, 5551, "/start", start_payload=payload)
    assert await bot.db.reader.accounts.person_of(Account(MAX, "5551")) == person
    # The bare person made for the MAX account at first contact is gone.
    assert sorted(a.messenger for a in await bot.db.reader.accounts.of_person(person)) == [
        MAX,
        VK,
    ]
    # Both messengers hear it; she is reached on MAX now, the one linked last.
    assert (await teacher.wait_reply()).text == _done(MAX)
    assert await texts_to_max(bot, 5551) == [_done(MAX)]
    assert (await bot.db.reader.accounts.reach([person]))[person] == MAX

    # Her next event from MAX is hers: consent and roles kept, no greeting for a stranger.
    await from_max(bot, 5551, "/messenger")
    assert (await texts_to_max(bot, 5551))[-1] == "\n".join(
        [t("messenger_now", reached="в MAX"), t("messenger_choose")]
    )
    actor = await bot.app.services.people.load_actor(person)  # type: ignore[union-attr]
    assert actor.has_consented and actor.has(Role.TEACHER)
    audit = await bot.db.reader.audit.latest(5)
    assert any(row.action == "account_linked" and row.subject_id == person for row in audit)

    # The link was for one use: opened again (by anyone), it is refused.
    await from_max(bot, 5552, "/start", start_payload=payload)
    assert (await texts_to_max(bot, 5552))[-1] == t("link_wrong")
    assert await bot.db.reader.accounts.person_of(Account(MAX, "5552")) != person

    # Asked again on VK, the link is not needed any more.
    assert (await ask(teacher, "/link_max")).text == t(
        "link_already", where="в MAX", reached="в MAX"
    )


async def test_a_max_account_someone_uses_already_is_not_taken_over(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    user = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(user)
    switch_max_on(bot)
    # Someone consented from this MAX account already: it is a person of its own.
    await from_max(bot, 6661, "/start")
    await from_max(bot, 6661, "/agree")
    other = await bot.db.reader.accounts.person_of(Account(MAX, "6661"))
    payload = await _link_payload(user)

    await from_max(bot, 6661, "/start", start_payload=payload)
    assert (await texts_to_max(bot, 6661))[-1] == t("link_taken", where="в MAX")
    assert await bot.db.reader.accounts.person_of(Account(MAX, "6661")) == other

    # Once that account's data is deleted there, the same link still links it.
    await from_max(bot, 6661, "/forget_me")
    await from_max(bot, 6661, BUTTONS["forget_confirm"])
    assert await bot.db.reader.accounts.person_of(Account(MAX, "6661")) is None
    await from_max(bot, 6661, "/start", start_payload=payload)
    assert await bot.db.reader.accounts.person_of(Account(MAX, "6661")) == await person_of(
        bot.db, user
    )


async def test_a_link_lapses_after_thirty_minutes_and_works_only_on_max(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    bot = clocked_bot
    user = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(user)
    switch_max_on(bot)
    payload = await _link_payload(user)
    # Opened on VK by someone else, it is not for there.
    stranger = sandbox.add_user(first_name="Ольга", last_name="Белова")
    await stranger.send("Начать", ref=payload, ref_source="vk.me")
    assert (await stranger.wait_reply()).text == t("link_wrong_messenger", where="в MAX")
    frozen_clock.advance(timedelta(minutes=31))
    await from_max(bot, 7771, "/start", start_payload=payload)
    assert await texts_to_max(bot, 7771) == [t("link_wrong")]
    assert await bot.db.reader.accounts.person_of(Account(MAX, "7771")) != await person_of(
        bot.db, user
    )
