"""Mass sending that never doubles or drops a message; channels, announcements, proposals."""

from __future__ import annotations

import asyncio
import math
from collections import Counter

from bot.texts import BUTTONS, t
from tests.conftest import DIRECTOR_ID, BotRunner
from tests.helpers import (
    admin_user,
    ask,
    consented_user,
    drain,
    school_with_classes,
    seeded_person,
)
from vk_sandbox import UserDriver, VKSandbox

BROADCAST = "Родительское собрание в четверг в 18:00, актовый зал."
# What the parents get: the announcement signed with its sender and class.
SIGNED = "Объявление от Петровой Ирины, администратора, для 5А\n\n"


async def _parents(
    sandbox: VKSandbox, bot: BotRunner, class_name: str, count: int
) -> list[UserDriver]:
    """`count` parents of a class, registered straight in the register (as an import would)."""
    school_class = await bot.db.reader.classes.by_name(class_name)
    assert school_class is not None
    parents = [
        sandbox.add_user(first_name="Родитель", last_name=f"Номер{n}", user_id=700_000 + n)
        for n in range(count)
    ]
    async with bot.db.transaction() as tx:
        for parent in parents:
            person = await seeded_person(tx, parent)
            await tx.people.record_consent(person, f"Номер{parent.user_id} Родитель")
            await tx.roles.grant(person, "parent", school_class.id, child_name="Ребёнок")
    return parents


def _allow_writing(parents: list[UserDriver]) -> None:
    """They wrote to the community once (VK lets a community write only to such people)."""
    for parent in parents:
        parent.state.can_write = True


def _max_calls_in_a_second(sandbox: VKSandbox) -> int:
    # A call inside `execute` is part of that one request.
    times = sorted(call.time for call in sandbox.calls if not call.via_execute)
    most, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_a_broadcast_to_1500_parents_survives_faults_and_a_crash_without_doubles(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    parents = await _parents(sandbox, bot, "5А", 1500)
    reachable, silent = parents[:1480], parents[1480:]
    _allow_writing(reachable)  # the last 20 never wrote to the community: VK answers 901

    preview = await ask(admin, f"/announce parents 5А {BROADCAST}")
    assert "Получат: 1500 человек" in preview.text
    calls_before = len(sandbox.calls)
    sandbox.faults.api_error(6, times=2, methods=["execute", "messages.send"])
    sandbox.faults.http_500(times=2, methods=["execute", "messages.send"])
    sandbox.faults.slow(1.5, times=1, methods=["execute"])
    await admin.press(preview.button(BUTTONS["send"]))
    await asyncio.sleep(2.5)  # the slow answer is on its way when the bot dies
    await bot.crash()
    await bot.start()

    queued, report = await admin.wait_replies(2, timeout=30)
    assert queued.text == t("announce_queued")
    assert report.text == t("announce_report", sent=1480, blocked=20, failed=0)
    copies = Counter(m.peer_id for m in sandbox.sent if m.text == SIGNED + BROADCAST)
    assert all(copies[p.user_id] == 1 for p in reachable)
    assert not any(copies[p.user_id] for p in silent)

    broadcast_calls = [
        c
        for c in sandbox.calls[calls_before:]
        if c.method in ("execute", "messages.send") and not c.via_execute
    ]
    failed = [c for c in broadcast_calls if not c.ok]
    assert len(broadcast_calls) - len(failed) <= math.ceil(1500 / 100) + 2  # + the report
    assert _max_calls_in_a_second(sandbox) <= 20


async def test_people_who_refuse_messages_are_counted_and_named_to_their_class_teacher(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    parents = await _parents(sandbox, bot, "5А", 3)
    _allow_writing(parents)
    await parents[0].deny_messages()
    await asyncio.sleep(0.3)
    preview = await ask(admin, "/announce parents 5А Завтра сокращённые уроки.")
    assert "Получат: 2 человека; не могут получать сообщения от бота: 1" in preview.text
    await ask(admin, "/cancel")
    teacher_view = (await ask(admin, "/chats 5А")).text
    assert t("unreachable_in_class", names="Номер700000 Родитель") in teacher_view
    await parents[0].allow_messages()
    await asyncio.sleep(0.3)
    again = await ask(admin, "/announce parents 5А Завтра сокращённые уроки.")
    assert "Получат: 3 человека; не могут получать сообщения от бота: 0" in again.text


async def test_a_long_announcement_is_split_at_paragraphs(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    parents = await _parents(sandbox, bot, "5А", 2)
    _allow_writing(parents)
    paragraph = "Уважаемые родители! " + "Подробности собрания. " * 120
    text = paragraph.strip() + "\n\n" + paragraph.strip()
    preview = await ask(admin, f"/announce parents 5А {text}")
    # The preview itself is long too: it arrives in parts, the buttons under the last one.
    parts = [preview, *await drain(admin)]
    await admin.press(parts[-1].button(BUTTONS["send"]))
    await admin.wait_reply()
    received = await parents[0].wait_replies(2, timeout=10)
    assert all(len(message.text) <= 4096 for message in received)
    assert received[0].text.startswith(SIGNED + "Уважаемые родители!")
    assert received[1].text.startswith("Уважаемые родители!")


async def test_posts_go_to_the_bound_channel_and_the_director_proposes(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    director = await consented_user(sandbox, "Людмила", "Дровосекова", user_id=DIRECTOR_ID)
    await drain(director)
    assert (await ask(admin, "/post school Новости гимназии")).text.startswith(
        "Общешкольный канал ещё не привязан"
    )
    school = sandbox.create_chat(title="Гимназия 44", owner=admin, bot_admin=True)
    await admin.send("/bind channel school", chat=school)
    await school.wait_message()
    staff = sandbox.create_chat(title="Сотрудники", owner=admin, bot_admin=True)
    await admin.send("/bind channel staff", chat=staff)
    await staff.wait_message()

    preview = await ask(admin, "/post school Новости гимназии: открыт набор в кружки.")
    await admin.press(preview.button(BUTTONS["send"]))
    assert (await school.wait_message()).text == "Новости гимназии: открыт набор в кружки."
    _queued, report = await admin.wait_replies(2)
    assert report.text == t("announce_report", sent=1, blocked=0, failed=0)
    assert (await ask(director, "/post school Текст")).text == t("post_not_allowed")

    sent = await ask(director, "/propose Педсовет переносится на пятницу.")
    assert sent.text == t("propose_sent", id=1)
    offer = await admin.wait_reply()
    assert offer.text.startswith("Руководитель передал материал №1")
    await admin.press(offer.button(BUTTONS["publish_staff"]))
    await admin.wait_event_answer()
    assert (await admin.wait_reply()).text == t(
        "propose_published", id=1, channel="канал «Сотрудники»"
    )
    assert (await staff.wait_message()).text == "Педсовет переносится на пятницу."
    assert (await director.wait_reply()).text.startswith("Ваш материал №1 опубликован")
    await admin.press(offer.button(BUTTONS["decline_proposal"]))
    assert (await admin.wait_event_answer())["text"] == t("propose_already", id=1)
