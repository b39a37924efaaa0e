"""The audit log read for a person who has left (VK; the stories run both messengers,
tests/stories/test_records.py): named by surname like anyone, until their data is deleted."""

from __future__ import annotations

from tests.conftest import BotRunner
from tests.helpers import ask, drain, invitation_code, joined_by_code, school_with_classes
from vk_sandbox import VKSandbox


async def test_the_log_of_a_student_who_left_is_found_by_his_surname(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    code = invitation_code(await ask(admin, "/invite student 5А"))
    misha = await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    assert (await ask(admin, f"/leave {misha.ref}")).text.startswith("Выбытие отмечено: ")
    await drain(admin)

    log = await ask(admin, "/audit Белов")
    lines = log.text.splitlines()
    assert lines[0] == "Журнал действий (Белов Миша): 3 записи.", log.text
    assert lines[1].endswith(" — Петрова И. отметила выбытие Белова Миши")
    exported = await ask(admin, "/audit_export белов")
    assert exported.text == "Журнал действий (Белов Миша): 3 записи."
