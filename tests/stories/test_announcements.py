"""Announcements and channels on both messengers: an announcement to a class's parents with
its delivery report, posts to the bound channels, the director's proposal published.

VK sends each message with its own random_id (VK drops a repeat); MAX takes no idempotency
key, so the MAX adapter records each message before the call and reads the chat back after an
ambiguous failure: what a person receives is the same, once."""

from __future__ import annotations

from bot.texts import BUTTONS, t
from tests.conftest import DIRECTOR_ID, BotRunner
from tests.helpers import (
    Sandbox,
    admin_user,
    ask,
    consented_user,
    drain,
    invitation_code,
    joined_by_code,
    school_with_classes,
)


async def test_an_announcement_reaches_the_parents_and_the_sender_gets_a_report(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    code = invitation_code(await ask(admin, "/invite parent 5А 5"))
    olga = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Миша")
    ivan = await joined_by_code(sandbox, code, "Иван", "Белов", "Белов Миша")
    await drain(olga)
    await drain(ivan)

    preview = await ask(admin, "/announce parents 5А Собрание в пятницу")
    assert "Собрание в пятницу" in preview.text and "Получат: 2 человека" in preview.text
    await admin.press(preview.button(BUTTONS["send"]))
    queued, report = await admin.wait_replies(2)
    assert queued.text == t("announce_queued")
    assert report.text == t("announce_report", sent=2, blocked=0, failed=0)
    # Signed with who sent it and for which class.
    signed = "Объявление от Петровой Ирины, администратора, для 5А\n\nСобрание в пятницу"
    for parent in (olga, ivan):
        assert (await parent.wait_reply()).text == signed
        assert [m.text for m in parent.messages].count(signed) == 1


async def test_posts_go_to_the_bound_channel_and_the_director_proposes(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    director = await consented_user(sandbox, "Людмила", "Дровосекова", user_id=DIRECTOR_ID)
    await drain(director)
    assert (await ask(admin, "/post school Новости гимназии")).text.startswith(
        "Общешкольный канал ещё не привязан"
    )
    school = sandbox.create_chat(title="Гимназия 44", owner=admin, bot_admin=True)  # type: ignore[arg-type]
    await admin.send("/bind channel school", chat=school)  # type: ignore[arg-type]
    await school.wait_message()
    staff = sandbox.create_chat(title="Сотрудники", owner=admin, bot_admin=True)  # type: ignore[arg-type]
    await admin.send("/bind channel staff", chat=staff)  # type: ignore[arg-type]
    await staff.wait_message()

    preview = await ask(admin, "/post school Новости гимназии: открыт набор в кружки.")
    await admin.press(preview.button(BUTTONS["send"]))
    assert (await school.wait_message()).text == "Новости гимназии: открыт набор в кружки."
    _queued, report = await admin.wait_replies(2)
    assert report.text == t("announce_report", sent=1, blocked=0, failed=0)
    assert (await ask(director, "/post school Текст")).text == t("post_not_allowed")

    assert (await ask(director, "/propose Педсовет переносится на пятницу.")).text == t(
        "propose_sent", id=1
    )
    offer = await admin.wait_reply()
    await admin.press(offer.button(BUTTONS["publish_staff"]))
    await admin.wait_event_answer()
    assert (await admin.wait_reply()).text == t(
        "propose_published", id=1, channel="канал «Сотрудники»"
    )
    assert (await staff.wait_message()).text == "Педсовет переносится на пятницу."
    assert (await director.wait_reply()).text.startswith("Ваш материал №1 опубликован")
