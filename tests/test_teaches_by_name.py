"""`/teaches` names its teacher by surname (VK; the stories run both messengers,
tests/stories/test_by_name_everywhere.py): a student who shares it is not asked about."""

from __future__ import annotations

from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import (
    ask,
    drain,
    invitation_code,
    joined_by_code,
    school_with_classes,
    verified_teacher,
)
from vk_sandbox import VKSandbox


async def test_a_teacher_and_his_namesake_student_the_teacher_is_given_the_classes(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "5Б")
    await verified_teacher(sandbox, admin, "Пётр", "Орлов")
    code = invitation_code(await ask(admin, "/invite student 5А"))
    await joined_by_code(sandbox, code, "Миша", "Орлов", "Орлов Михаил")
    await drain(admin)

    done = await ask(admin, "/teaches Орлов 5А 5Б математика")
    assert done.text == (
        "Орлов Пётр теперь ведёт уроки в 5А и 5Б (математика). Объявления и события"
        " для этих классов ему доступны."
    ), done.text
    assert (await ask(admin, "/teaches орлов")).text == t(
        "teaches_list", name="Орлов Пётр", classes="5А (математика), 5Б (математика)"
    )
    removed = await ask(admin, "/teaches_remove Орлов 5Б")
    assert removed.text == "Орлов Пётр больше не ведёт уроки в 5Б."
