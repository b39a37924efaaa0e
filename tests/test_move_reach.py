"""Where a person is reached during the move (`/messenger`), the administration's figures of
the move (`/moving`, the weekly statistics), and a MAX-only teacher named for the admin to
type back (`/verify max:123`). MAX's side is stored through the inbox and read from the
outbox (see tests/move_support.py)."""

from __future__ import annotations

import re

from bot.conversation.identity import MAX, VK, Account
from bot.conversation.outgoing import OutgoingMessage, Person
from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import (
    admin_user,
    ask,
    consented_user,
    drain,
    invitation_code,
    joined_by_code,
    person_of,
    school_with_classes,
)
from tests.move_support import from_max, switch_max_on, texts_to_max
from vk_sandbox import UserDriver, VKSandbox

START = re.compile(r"\?start=(\S+)")


async def _linked(bot: BotRunner, user: UserDriver, max_id: int) -> int:
    """The VK user links MAX account `max_id`; returns their person."""
    link = await ask(user, "/link_max")
    match = START.search(link.text)
    assert match, link.text
    await from_max(bot, max_id, "/start", start_payload=match[1])
    await user.wait_reply()  # told on VK too
    return await person_of(bot.db, user)


async def test_a_person_on_both_chooses_where_the_bot_writes(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    switch_max_on(bot)
    # On VK only: reached there, and offered to link MAX.
    alone = await ask(anna, "/messenger")
    assert alone.text == "\n".join(
        [
            t("messenger_now", reached="во ВКонтакте"),
            t("messenger_link_other", where="в MAX", command="link_max"),
        ]
    )
    assert not alone.buttons

    person = await _linked(bot, anna, 4401)
    reply = await ask(anna, "/messenger")
    assert reply.text == "\n".join([t("messenger_now", reached="в MAX"), t("messenger_choose")])
    await anna.press(reply.button("ВКонтакте"))
    await anna.wait_event_answer()
    assert (await anna.wait_reply()).text == t("messenger_chosen", reached="во ВКонтакте")
    assert (await bot.db.reader.accounts.reach([person]))[person] == VK

    # What the bot starts itself now reaches her on VK, not MAX.
    services = bot.app.services  # type: ignore[union-attr]
    before = len(await texts_to_max(bot, 4401))
    await services.notifier.send([OutgoingMessage(Person(person), "Проверка")], "reach-test")
    assert (await anna.wait_reply()).text == "Проверка"
    assert len(await texts_to_max(bot, 4401)) == before

    # And back to MAX, pressed there.
    await from_max(bot, 4401, "", payload={"cmd": "messenger", "to": MAX})
    assert (await texts_to_max(bot, 4401))[-1] == t("messenger_chosen", reached="в MAX")
    assert (await bot.db.reader.accounts.reach([person]))[person] == MAX


async def test_the_admin_sees_how_many_of_each_class_are_on_max(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    code = invitation_code(await ask(admin, "/invite parent 5А 5"))
    olga = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Миша")
    await joined_by_code(sandbox, code, "Иван", "Белов", "Белов Миша")
    await drain(olga)
    switch_max_on(bot)
    await _linked(bot, olga, 5501)
    # A parent who uses MAX only joins by the same code there.
    await from_max(bot, 5502, "/start")
    await from_max(bot, 5502, "/agree")
    await from_max(bot, 5502, f"/join {code}")
    await from_max(bot, 5502, "Сидоров Петя")

    figures = (await ask(admin, "/moving")).text.splitlines()
    assert figures[0] == t("moving_header")
    assert (
        t("moving_line", class_name="5А", total=3, on_max=2, both=1, vk_only=1)
        == "• 5А: 3 человека; в MAX — 2, из них и во ВКонтакте — 1; только во ВКонтакте — 1"
    )
    assert t("moving_line", class_name="5А", total=3, on_max=2, both=1, vk_only=1) in figures
    # Everyone with a role, each once: the admin (VK) and the three parents.
    assert figures[-1] == "Всего 4 человека, из них в MAX — 2 (50%)."
    stats = (await ask(admin, "/stats")).text
    assert t("moving_report", total=4, on_max=2, percent=50) in stats.splitlines()


async def test_a_max_only_teacher_is_named_for_the_admin_as_max_account(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    switch_max_on(bot)
    code = invitation_code(await ask(admin, "/invite teacher"))
    await from_max(bot, 9901, "/start")
    await from_max(bot, 9901, "/agree")
    await from_max(bot, 9901, f"/join {code}")
    waiting = await admin.wait_reply()
    assert waiting.text.endswith("Подтвердить: /verify max:9901")
    listed = (await ask(admin, "/verify")).text
    assert "/verify max:9901" in listed
    # The name kept is MAX's placeholder for the account (its stand-in gives no name).
    assert (await ask(admin, "/verify max:9901")).text == t("verify_done", name="max:9901")
    teacher = await bot.db.reader.accounts.person_of(Account(MAX, "9901"))
    assert teacher is not None
    actor = await bot.app.services.people.load_actor(teacher)  # type: ignore[union-attr]
    assert actor.grants and all(grant.verified for grant in actor.grants)
