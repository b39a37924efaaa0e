"""A class's chats during the move: registered per messenger, `/chats` shows both (and what
each messenger switched on still lacks), a channel post goes to the channel on each, and a
new member reached on MAX is added to the class chat there (VK's bots cannot add anyone).

VK's chats are the sandbox's; MAX's are written into the register and served by a stand-in
for MAX's chat operations (see tests/move_support.py)."""

from __future__ import annotations

import asyncio

from bot.conversation.identity import MAX, VK
from bot.domain.chats import ChatService
from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    ask,
    class_teacher,
    consented_user,
    drain,
    invitation_code,
    person_of,
    school_with_classes,
)
from tests.move_support import FakeMaxChats, from_max, switch_max_on, texts_to_max
from vk_sandbox import VKSandbox

MAX_PARENTS = -70001
MAX_CHANNEL = -70002


def max_chats(bot: BotRunner) -> FakeMaxChats:
    """MAX switched on, its chats served by a stand-in that adds whoever it is asked to."""
    assert bot.app is not None
    switch_max_on(bot)
    fake = FakeMaxChats([])
    platforms = {VK: bot.app.vk.chat_platform, MAX: fake}
    bot.app.services.chats = ChatService(bot.db, platforms)
    return fake


async def _bind_on_max(
    bot: BotRunner, peer: int, kind: str, class_name: str | None, sub: str | None, by: int
) -> None:
    class_id = None
    if class_name is not None:
        found = await bot.db.reader.classes.by_name(class_name)
        assert found is not None
        class_id = found.id
    async with bot.db.transaction() as tx:
        await tx.chats.added(peer, by, MAX)
        await tx.chats.bind(peer, kind, class_id, sub, f"{kind} (MAX)", by)
        await tx.chats.set_access(peer, True, f"https://max.ru/join/{-peer}")


async def test_chats_shows_each_class_chat_on_both_messengers_and_what_each_lacks(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    vk_parents = sandbox.create_chat(title="5А Родители", owner=elena, bot_admin=True)
    await elena.send("/bind parents 5А", chat=vk_parents)
    await vk_parents.wait_message()
    # VK alone: the list reads as it always has, no messenger named.
    alone = (await ask(elena, "/chats")).text
    assert "ВКонтакте" not in alone and alone.count("❌") == 2

    max_chats(bot)
    await _bind_on_max(bot, MAX_PARENTS, "parents", "5А", None, await person_of(bot.db, elena))
    both = (await ask(elena, "/chats")).text.splitlines()
    assert both[0] == t("chats_class_header", class_name="5А")
    parents_vk = t("chats_on", what="родители 5А", messenger="ВКонтакте")
    parents_max = t("chats_on", what="родители 5А", messenger="MAX")
    assert any(line.startswith(f"✅ {parents_vk}: https://vk.me/join/") for line in both)
    assert f"✅ {parents_max}: https://max.ru/join/70001" in both
    # The students' and teachers' chats are missing on each messenger switched on.
    for what in ("ученики 5А", "учителя 5А"):
        for messenger in ("ВКонтакте", "MAX"):
            label = t("chats_on", what=what, messenger=messenger)
            assert t("chats_line_missing", what=label) in both
    table = (await ask(admin, "/chats")).text.splitlines()
    assert "5А (ВКонтакте): ❌ / ✅ / ❌" in table and "5А (MAX): ❌ / ✅ / ❌" in table


async def test_a_chat_bound_on_max_only_fulfils_the_class_teachers_duty(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    max_chats(bot)
    duty = "Создать чат с родителями класса: 5А"

    def line(text: str) -> str:
        return next(item for item in text.splitlines() if duty in item)

    before = line((await ask(elena, "/duties")).text)
    await _bind_on_max(bot, MAX_PARENTS, "parents", "5А", None, await person_of(bot.db, elena))
    after = line((await ask(elena, "/duties")).text)
    assert before[0] != after[0] and after[0] == "✅"


async def test_a_parent_reached_on_max_is_added_to_the_class_chat_there(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    fake = max_chats(bot)
    await _bind_on_max(bot, MAX_PARENTS, "parents", "5А", None, await person_of(bot.db, elena))
    code = invitation_code(await ask(elena, "/invite parent 5А"))
    # A parent who uses only MAX: first contact, consent and the code there.
    await from_max(bot, 8801, "/start")
    await from_max(bot, 8801, "/agree")
    await from_max(bot, 8801, f"/join {code}")
    await from_max(bot, 8801, "Белов Миша")
    texts = await texts_to_max(bot, 8801)
    # Told the MAX chat's link at once, and added to it once the join is committed.
    link = t("chat_link_parent", link="https://max.ru/join/70001")
    assert any(
        text.startswith(t("join_parent_done", class_name="5А", child="Белов Миша"))
        and text.endswith(link)
        for text in texts
    )
    for _ in range(100):
        if fake.added:
            break
        await sandbox_pause()
    (added,) = fake.added
    assert added[0] == MAX_PARENTS
    parent = added[1]
    assert await bot.db.reader.chats.is_member(MAX_PARENTS, parent)
    for _ in range(100):
        if t("chat_added_to", what="родители 5А", where="в MAX") in await texts_to_max(bot, 8801):
            break
        await sandbox_pause()
    assert (await texts_to_max(bot, 8801))[-1] == t(
        "chat_added_to", what="родители 5А", where="в MAX"
    )


async def test_a_vk_parent_gets_the_link_and_nobody_is_added_on_vk(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    fake = max_chats(bot)
    await _bind_on_max(bot, MAX_PARENTS, "parents", "5А", None, await person_of(bot.db, elena))
    vk_parents = sandbox.create_chat(title="5А Родители", owner=elena, bot_admin=True)
    await elena.send("/bind parents 5А", chat=vk_parents)
    await vk_parents.wait_message()
    code = invitation_code(await ask(elena, "/invite parent 5А"))
    olga = await consented_user(sandbox, "Ольга", "Белова")
    await drain(olga)
    await ask(olga, f"/join {code}")
    joined = await ask(olga, "Белов Миша")
    # She is reached on VK: the VK chat's link, and no MAX chat is forced on her.
    assert "https://vk.me/join/" in joined.text and "max.ru" not in joined.text
    await drain(olga)
    assert fake.added == []


async def test_a_post_goes_to_the_school_channel_on_every_messenger(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    max_chats(bot)
    school = sandbox.create_chat(title="Гимназия 44", owner=admin, bot_admin=True)
    await admin.send("/bind channel school", chat=school)
    await school.wait_message()
    await _bind_on_max(bot, MAX_CHANNEL, "channel", None, "school", await person_of(bot.db, admin))

    preview = await ask(admin, "/post school Новости гимназии: открыт набор в кружки.")
    await admin.press(preview.button(BUTTONS["send"]))
    assert (await school.wait_message()).text == "Новости гимназии: открыт набор в кружки."
    conn = bot.db.reader.outbox._conn
    rows = await conn.execute_fetchall(
        "SELECT r.peer_id, r.messenger FROM outbox_recipients r ORDER BY r.messenger"
    )
    assert [(row[1], row[0]) for row in rows] == [
        (MAX, MAX_CHANNEL),
        (VK, school.peer_id),
    ]


async def sandbox_pause() -> None:
    """The addition runs once the join is committed, beside the events."""
    await asyncio.sleep(0.02)
