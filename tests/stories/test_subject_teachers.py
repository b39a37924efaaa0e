"""A subject teacher's reach on both messengers (clause 2.4): the admin says which classes
Пётр Орлов teaches; he binds the 5А subject chat; his remote lesson for 5А reaches its
students, its parents and that chat, signed with his name and the class; 5В, which he does
not teach, is refused; a parent finds the lesson in `/events`."""

from __future__ import annotations

from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    ChatDriver,
    Sandbox,
    UserDriver,
    ask,
    drain,
    joined_by_invitation,
    say_in_chat,
    school_with_classes,
    verified_teacher,
)

SIGNED = "От Орлова Петра, учителя, для 5А"


async def _subject_chat(
    sandbox: Sandbox, owner: UserDriver, members: list[UserDriver]
) -> ChatDriver:
    chat: ChatDriver = sandbox.create_chat(title="Математика 5А", owner=owner, members=members)  # type: ignore[arg-type]
    await chat.add_bot(by=owner)  # type: ignore[arg-type]
    await chat.wait_message()  # the greeting
    chat.set_bot_admin(True)
    return chat


async def test_a_subject_teacher_tells_the_classes_he_teaches_and_only_those(
    sandbox: Sandbox, clocked_bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "5Б", "5В")
    orlov = await verified_teacher(sandbox, admin, "Пётр", "Орлов")
    misha = await joined_by_invitation(
        sandbox, admin, "student 5А", "Миша", "Белов", "Белов Михаил"
    )
    olga = await joined_by_invitation(
        sandbox, admin, "parent 5А Белов Михаил", "Ольга", "Белова", None
    )
    for person in (admin, misha, olga):
        await drain(person)
    # Before the admin says which classes he teaches, he is told how that happens.
    assert (await ask(orlov, "/announce students 5А Контрольная")).text == t("announce_no_classes")

    assigned = await ask(admin, f"/teaches {orlov.ref} 5А 5Б математика")
    assert assigned.text == (
        "Орлов Пётр теперь ведёт уроки в 5А и 5Б (математика). "
        "Объявления и события для этих классов ему доступны."
    )
    chat = await _subject_chat(sandbox, orlov, [misha])
    assert (await say_in_chat(orlov, chat, "/bind subject математика 5А")).startswith(
        "Беседа привязана"
    )
    chats = (await ask(orlov, "/chats")).text
    assert "Вы ведёте уроки в: 5А, 5Б." in chats

    refused = await ask(orlov, "/announce students 5В Контрольная в пятницу")
    assert refused.text == t("announce_not_allowed_teacher", classes="5А и 5Б")

    await ask(orlov, "/event")
    await ask(orlov, "Дистанционный урок математики")
    audience = await ask(orlov, "01.12 10:00")  # the test's clock: Monday 30.11.2026
    assert [button.label for button in audience.buttons] == [
        BUTTONS["audience_students"],
        BUTTONS["audience_parents"],
        BUTTONS["audience_class"],
        BUTTONS["cancel"],
    ]
    await orlov.press(audience.button(BUTTONS["audience_class"]))
    classes = await orlov.wait_reply()
    assert [button.label for button in classes.buttons] == ["5А", "5Б", BUTTONS["cancel"]]
    await orlov.press(classes.button("5А"))
    await orlov.wait_reply()  # the link
    created = await ask(orlov, "https://sferum.ru/call/join/math5a")
    assert created.text.startswith("Событие №1 запланировано на 01.12.2026 10:00. Сообщено: 3.")

    lesson = (
        "📅 Дистанционный урок математики\nКогда: 01.12.2026 10:00"
        "\nСсылка: https://sferum.ru/call/join/math5a\n" + SIGNED
    )
    for person in (misha, olga):
        got = await person.wait_reply()
        assert got.text == lesson
        assert got.buttons == []  # a lesson is not answered, unlike a meeting
    assert (await chat.wait_message()).text == lesson

    listed = (await ask(olga, "/events")).text
    assert listed == (
        "Предстоящие события:\n№1 01.12.2026 10:00 — Дистанционный урок математики"
        " (ученики и родители 5А)\n   от Орлова Петра, учителя, для 5А"
    )
    assert (await ask(olga, "/events 1")).text == lesson

    removed = await ask(admin, f"/teaches_remove {orlov.ref} 5Б")
    assert removed.text == "Орлов Пётр больше не ведёт уроки в 5Б."
    refused = await ask(orlov, "/announce parents 5Б Экскурсия")
    assert refused.text == t("announce_not_allowed_teacher", classes="5А")
