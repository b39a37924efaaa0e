"""The parts of a school's everyday work meet: the admin names people by surname in the
commands that came with them (teaching, families, the audit log), on both messengers."""

from __future__ import annotations

from bot.texts import BUTTONS
from tests.conftest import BotRunner
from tests.helpers import (
    Sandbox,
    ask,
    drain,
    joined_by_invitation,
    school_with_classes,
    verified_teacher,
)


async def test_an_admin_names_people_by_surname_in_teaching_families_and_the_log(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "5Б")
    orlov = await verified_teacher(sandbox, admin, "Пётр", "Орлов")
    misha = await joined_by_invitation(
        sandbox, admin, "student 5А", "Миша", "Белов", "Белов Михаил"
    )
    olga = await joined_by_invitation(sandbox, admin, "parent 5А Белов", "Ольга", "Белова", None)
    for person in (orlov, misha, olga):
        await drain(person)
    await drain(admin)

    # A slip in the surname is forgiven; the subject stays after the classes.
    taught = await ask(admin, "/teaches Орлв 5А математика")
    assert taught.text.startswith("Орлов Пётр теперь ведёт уроки в 5А (математика).")

    # «Белов» names two people (the son, and the mother by one letter's slip): the admin is
    # offered both and picks the mother.
    choice = await ask(admin, "/family Белов")
    assert choice.labels == ["Белов Миша, ученик 5А", "Белова Ольга, родитель 5А"]
    await admin.press(choice.button("Белова Ольга, родитель 5А"))
    family = await admin.wait_reply()
    assert family.text.startswith("Семья: Белова Ольга\nДети:\n• Белов Миша, 5А\n")

    # The move, asked about the mother, and the log filtered by the son's name.
    question = await ask(admin, "/move Белов Миша 5Б")
    await admin.press(question.button(BUTTONS["move_with_parents"]))
    await drain(admin)
    log = await ask(admin, "/audit Белов Миша")
    lines = log.text.splitlines()
    assert lines[0] == "Журнал действий (Белов Миша): 3 записи."
    assert lines[1].endswith(" — Петрова И. перевела Белова Мишу из 5А в 5Б (с родителями: 1)")
