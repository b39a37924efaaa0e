"""Assorted wording and menu defects: what a person is offered, and how it reads."""

from __future__ import annotations

from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    ask,
    class_teacher,
    consented_user,
    drain,
    school_with_classes,
    verified_teacher,
)
from vk_sandbox import VKSandbox


async def test_a_class_teacher_is_offered_only_the_audiences_and_classes_she_may_choose(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "5Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    await ask(elena, "/event")
    await ask(elena, "Родительское собрание")
    audience = await ask(elena, "завтра 18:00")
    offered = [button.label for button in audience.buttons]
    assert offered == [
        BUTTONS["audience_students"],
        BUTTONS["audience_parents"],
        BUTTONS["audience_class"],
        BUTTONS["cancel"],
    ]

    await elena.press(audience.button(BUTTONS["audience_parents"]))
    classes = await elena.wait_reply()
    assert [button.label for button in classes.buttons] == ["5А", BUTTONS["cancel"]]
    refused = await ask(elena, "5Б")
    assert refused.text == t("dialog_expects_button")


async def test_the_admin_is_offered_every_audience(sandbox: VKSandbox, bot: BotRunner) -> None:
    admin = await school_with_classes(sandbox, "5А", "5Б")
    await ask(admin, "/event")
    await ask(admin, "Линейка")
    audience = await ask(admin, "завтра 09:00")
    offered = {button.label for button in audience.buttons}
    for key in (
        "audience_school",
        "audience_staff",
        "audience_students",
        "audience_parents",
        "audience_class",
        "audience_chat",
    ):
        assert BUTTONS[key] in offered


async def test_cancelling_forget_me_says_the_data_stays(sandbox: VKSandbox, bot: BotRunner) -> None:
    admin = await school_with_classes(sandbox, "5А")
    confirm = await ask(admin, "/forget_me")
    await admin.press(confirm.button(BUTTONS["cancel"]))
    assert (await admin.wait_reply()).text == t("forget_cancelled")
    assert (await ask(admin, "/forget_me")).text == confirm.text
    assert (await ask(admin, "/cancel")).text == t("forget_cancelled")


async def test_posting_to_an_unbound_staff_channel_names_it_once(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    reply = await ask(admin, "/post staff Педсовет в четверг")
    assert reply.text.startswith("Канал «Сотрудники» ещё не привязан:")
    assert "канал «канал" not in reply.text.lower()
    reply = await ask(admin, "/post school Линейка в понедельник")
    assert reply.text.startswith("Общешкольный канал ещё не привязан:")


async def test_a_class_teacher_sees_each_command_and_each_duty_once(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")

    help_lines = (await ask(elena, "/help")).text.splitlines()
    commands = [line.split()[0] for line in help_lines if line.startswith("/")]
    assert "/bind" in commands
    assert len(commands) == len(set(commands)), help_lines

    await elena.send("/duties")
    duties = "\n".join(m.text for m in await drain(elena, within=0.6))
    assert duties.count("Вступить в «Учительскую» в роли «учитель»") == 1, duties
    assert duties.count("Создавать иные чаты для образовательных задач") == 1, duties
    numbers = [
        int(line.split(". ", 1)[0].split()[-1])
        for line in duties.splitlines()
        if line.startswith(("✅", "⬜"))
    ]
    assert numbers == list(range(1, len(numbers) + 1))


async def test_the_menu_offers_a_join_request_by_its_name_and_only_to_who_may_need_it(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    newcomer = await consented_user(sandbox, "Ольга", "Белова")
    await drain(newcomer)
    menu = await ask(newcomer, "/menu")
    labels = [button.label for button in menu.buttons]
    assert "Подать заявку" in labels
    assert "Запросить ссылку" not in labels
    await newcomer.press(menu.button("Подать заявку"))
    assert (await newcomer.wait_reply()).text == t("request_ask_role")

    teacher = await verified_teacher(sandbox, admin, "Елена", "Смирнова")
    for person in (admin, teacher):
        await drain(person)
        labels = [button.label for button in (await ask(person, "/menu")).buttons]
        assert "Подать заявку" not in labels, labels


async def test_a_parents_request_says_who_asks_and_for_whom(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    question = await ask(parent, "/request")
    await parent.press(question.button(BUTTONS["i_am_parent"]))
    await parent.press((await parent.wait_reply()).button("5А"))
    await parent.wait_reply()
    confirm = await ask(parent, "Белов Миша")
    assert "Ребёнок: Белов Миша" in confirm.text
    assert "ФИО: Белов Миша" not in confirm.text
    await parent.press(confirm.button(BUTTONS["send_request"]))
    await parent.wait_reply()

    new = (await elena.wait_reply()).text
    assert new.startswith("Новая заявка №1: родитель, 5А: Белова Ольга (ребёнок: Белов Миша)")
    listed = (await ask(elena, "/requests")).text
    assert "№1 родитель, 5А: Белова Ольга (ребёнок: Белов Миша)" in listed
    approved = (await ask(elena, "/approve 1")).text
    assert approved.startswith("Заявка №1 принята: Белова Ольга (ребёнок: Белов Миша)")


async def test_a_students_request_names_the_student(sandbox: VKSandbox, bot: BotRunner) -> None:
    admin = await school_with_classes(sandbox, "5А")
    student = await consented_user(sandbox, "Миша", "Белов")
    await drain(student)
    question = await ask(student, "/request")
    await student.press(question.button(BUTTONS["i_am_student"]))
    await student.press((await student.wait_reply()).button("5А"))
    await student.wait_reply()
    confirm = await ask(student, "Белов Михаил")
    assert "ФИО: Белов Михаил" in confirm.text
    await student.press(confirm.button(BUTTONS["send_request"]))
    await student.wait_reply()
    new = (await admin.wait_reply()).text
    assert new.startswith("Новая заявка №1: ученик, 5А: Белов Михаил (")
