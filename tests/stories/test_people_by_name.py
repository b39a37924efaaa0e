"""People named by name in commands, on both messengers: a surname (or surname and first
name), with case, ё/е and one slip forgiven, looked up within what the asker may see; one
match acts, several are buttons, none is said so. And lists longer than a screen, paged."""

from __future__ import annotations

from bot.texts import BUTTONS, t, t_on
from tests.conftest import BotRunner
from tests.helpers import (
    Sandbox,
    admin_user,
    ask,
    class_teacher,
    invitation_code,
    joined_by_code,
    school_with_classes,
    seeded_person,
    verified_teacher,
)


async def test_a_surname_names_the_person_one_slip_forgiven_and_an_unknown_one_is_said_so(
    sandbox: Sandbox, bot: BotRunner, messenger: str
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    anna = await verified_teacher(sandbox, admin, "Анна", "Смирнова")

    # One match acts, as an account did.
    reply = await ask(admin, "/class_teacher 5А Смирнова")
    assert reply.text == t("class_teacher_set", name="Смирнова Анна", class_name="5А")
    assert (await anna.wait_reply()).text == t("class_teacher_you", class_name="5А")
    # Surname and first name in either order, any case: the same person.
    reply = await ask(admin, "/class_teacher 5А анна СМИРНОВА")
    assert reply.text == t("class_teacher_already", name="Смирнова Анна", class_name="5А")
    # A slip forgiven.
    assert (await ask(admin, "/admin_add Смирнва")).text == t("admin_added", name="Смирнова Анна")
    assert (await anna.wait_reply()).text == t("admin_you")

    # Nobody of that name: said so, with what to try.
    reply = await ask(admin, "/leave Соколов")
    assert reply.text == t_on(messenger, "person_by_name_none", text="Соколов")
    assert reply.labels == []
    # Accounts keep working as before.
    assert (await ask(admin, f"/admin_remove {anna.ref}")).text == t(
        "admin_removed", name="Смирнова Анна"
    )


async def test_namesakes_are_offered_as_buttons_and_the_one_pressed_is_acted_on(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    await verified_teacher(sandbox, admin, "Пётр", "Иванов", verify=False)
    maria = await verified_teacher(sandbox, admin, "Мария", "Иванова", verify=False)

    # «Иванов» is Иванов Пётр, and one letter from Иванова Мария: both are offered.
    choice = await ask(admin, "/verify Иванов")
    assert choice.text.startswith(t("person_by_name_several", text="Иванов", count=2))
    assert "• Иванов Пётр — учитель" in choice.text
    assert "• Иванова Мария — учитель" in choice.text
    assert choice.labels == ["Иванов Пётр, учитель", "Иванова Мария, учитель"]

    await admin.press(choice.button("Иванова Мария, учитель"))
    await admin.wait_event_answer()
    assert (await admin.wait_reply()).text == t("verify_done", name="Иванова Мария")
    assert (await maria.wait_reply()).text == t("verify_you")
    # Pressed again: the command runs again with her, and says what is true now.
    await admin.press(choice.button("Иванова Мария, учитель"))
    await admin.wait_event_answer()
    assert (await admin.wait_reply()).text == t("verify_already", name="Иванова Мария")
    # Her full name finds her alone.
    assert (await ask(admin, "/verify Иванова Мария")).text == t(
        "verify_already", name="Иванова Мария"
    )


async def test_a_class_teacher_finds_their_classes_and_the_staff_but_no_one_else(
    sandbox: Sandbox, bot: BotRunner, messenger: str
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    await class_teacher(sandbox, admin, "6Б", "Олег", "Сидоров")
    code_5a = invitation_code(await ask(admin, "/invite student 5А"))
    code_6b = invitation_code(await ask(admin, "/invite student 6Б"))
    await joined_by_code(sandbox, code_5a, "Миша", "Белов", "Белов Михаил")
    await joined_by_code(sandbox, code_6b, "Иван", "Кузнецов", "Кузнецов Иван")

    # A student of her class, by the name the student gave, or the messenger's one.
    reply = await ask(elena, "/who Белов Михаил")
    assert reply.text.startswith("Белов Миша — ученик 5А.")
    assert (await ask(elena, "/who белов")).text.startswith("Белов Миша — ученик 5А.")
    # A colleague: the staff are everyone's to find.
    reply = await ask(elena, "/who Сидоров")
    assert reply.text.startswith("Сидоров Олег — классный руководитель 6Б, учитель.")
    # A student of another class: not found, and she is told where she looks.
    reply = await ask(elena, "/who Кузнецов")
    assert reply.text == "\n".join(
        (
            t_on(messenger, "person_by_name_none", text="Кузнецов"),
            t("person_by_name_scope_class_teacher"),
        )
    )
    # The admin finds him.
    assert (await ask(admin, "/who Кузнецов")).text.startswith("Кузнецов Иван — ученик 6Б.")


async def test_long_lists_are_paged_with_buttons_and_decisions_work_on_every_page(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    school_class = await bot.db.reader.classes.by_name("5А")
    assert school_class is not None
    # 25 parents asked to join (written straight into the register: the dialog has its own
    # stories); request №n is the n-th oldest.
    parents = [sandbox.add_user(first_name="Родитель", last_name=f"Номер{n}") for n in range(1, 26)]
    async with bot.db.transaction() as tx:
        for n, parent in enumerate(parents, start=1):
            person = await seeded_person(tx, parent)
            await tx.people.record_consent(person, f"Номер{n} Родитель")
            await tx.requests.create(person, "parent", school_class.id, f"Ребёнок{n} Белов")

    first = await ask(admin, "/requests")
    assert first.text.startswith(t("requests_header", count=25))
    assert "№1 " in first.text and "№10 " in first.text and "№11 " not in first.text
    assert first.text.endswith("Страница 1 из 3")
    assert first.labels == [
        *(f"{BUTTONS[d]} №{n}" for n in range(1, 5) for d in ("approve", "reject")),
        BUTTONS["page_next"],
    ]

    await admin.press(first.button(BUTTONS["page_next"]))
    await admin.wait_event_answer()
    second = await admin.wait_reply()
    assert "№11 " in second.text and "№20 " in second.text and "№10 " not in second.text
    assert second.text.endswith("Страница 2 из 3")
    assert second.labels[-2:] == [BUTTONS["page_back"], BUTTONS["page_next"]]
    # A decision from the second page.
    await admin.press(second.button(f"{BUTTONS['approve']} №11"))
    await admin.wait_event_answer()
    assert (await admin.wait_reply()).text == t(
        "decision_done_approved",
        id=11,
        name="Номер11 Родитель (ребёнок: Ребёнок11 Белов)",
        role="родитель",
        class_name="5А",
    )

    # The last page, read afresh: 24 wait now, the last four of them.
    await admin.press(second.button(BUTTONS["page_next"]))
    await admin.wait_event_answer()
    third = await admin.wait_reply()
    assert third.text.startswith(t("requests_header", count=24))
    assert "№22 " in third.text and "№25 " in third.text and "№21 " not in third.text
    assert third.text.endswith("Страница 3 из 3")
    assert third.labels[-1] == BUTTONS["page_back"]
