"""A dialog begun under a role finishes only under it: every step that acts checks again."""

from __future__ import annotations

from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    ask,
    class_teacher,
    drain,
    invitation_code,
    joined_by_code,
    school_with_classes,
    verified_teacher,
)
from vk_sandbox import VKSandbox


async def test_an_admin_removed_mid_dialog_cannot_send_the_announcement(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    code = invitation_code(await ask(admin, "/invite parent 5А"))
    parent = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Миша")
    await drain(parent)
    second = await verified_teacher(sandbox, admin, "Олег", "Сидоров")
    assert (await ask(admin, f"/admin_add id{second.user_id}")).text == t(
        "admin_added", name="Сидоров Олег"
    )
    await drain(second)

    preview = await ask(second, "/announce parents Собрание в пятницу")
    assert "Собрание в пятницу" in preview.text
    await ask(admin, f"/admin_remove id{second.user_id}")
    await drain(second)

    await second.press(preview.button(BUTTONS["send"]))
    refusal = await second.wait_reply()
    # A teacher keeps /announce for the classes they teach (clause 2.4); he teaches none,
    # and a school-wide audience is the administration's.
    assert refusal.text == t("announce_not_allowed")
    assert await drain(parent) == []
    assert await bot.db.reader.states.get(second.user_id) is None
    # The dialog is over: the same button later is just an unknown text, not a broadcast.
    await second.press(preview.button(BUTTONS["send"]))
    assert (await second.wait_reply()).text != t("announce_queued")
    assert await drain(parent) == []


async def test_a_dialog_goes_on_while_the_right_stays(sandbox: VKSandbox, bot: BotRunner) -> None:
    admin = await school_with_classes(sandbox, "5А")
    code = invitation_code(await ask(admin, "/invite parent 5А"))
    parent = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Миша")
    await drain(parent)
    preview = await ask(admin, "/announce parents Собрание в пятницу")
    await admin.press(preview.button(BUTTONS["send"]))
    assert (await admin.wait_reply()).text == t("announce_queued")
    assert (await parent.wait_reply()).text == (
        "Объявление от Петровой Ирины, администратора\n\nСобрание в пятницу"
    )


async def test_a_class_teacher_who_lost_the_class_cannot_send_to_its_parents(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    await ask(admin, f"/class_teacher 6Б id{elena.user_id}")
    await drain(elena)
    oleg = await verified_teacher(sandbox, admin, "Олег", "Сидоров")
    code = invitation_code(await ask(admin, "/invite parent 5А"))
    parent = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Миша")
    await drain(parent)

    preview = await ask(elena, "/announce parents 5А Собрание в пятницу")
    assert "Собрание в пятницу" in preview.text
    offer = await ask(admin, f"/class_teacher 5А id{oleg.user_id}")
    await admin.press(offer.button(BUTTONS["replace"]))
    await drain(admin)
    await drain(elena)  # told she no longer leads 5А; still leads 6Б

    await elena.press(preview.button(BUTTONS["send"]))
    assert (await elena.wait_reply()).text == t("announce_not_allowed")
    assert await drain(parent) == []
    assert await bot.db.reader.states.get(elena.user_id) is None


async def test_an_event_for_a_class_taken_away_mid_dialog_is_not_planned(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    await ask(admin, f"/class_teacher 6Б id{elena.user_id}")
    await drain(elena)
    oleg = await verified_teacher(sandbox, admin, "Олег", "Сидоров")

    await ask(elena, "/event")
    await ask(elena, "Собрание")
    audience = await ask(elena, "завтра 18:00")
    await elena.press(audience.button(BUTTONS["audience_parents"]))
    classes = await elena.wait_reply()
    await elena.press(classes.button("5А"))
    link_question = await elena.wait_reply()
    assert link_question.text == t("event_ask_link")

    offer = await ask(admin, f"/class_teacher 5А id{oleg.user_id}")
    await admin.press(offer.button(BUTTONS["replace"]))
    await drain(admin)
    await drain(elena)

    await elena.press(link_question.button(BUTTONS["no_link"]))
    assert (await elena.wait_reply()).text == t("event_not_allowed")
    assert await bot.db.reader.events.get(1) is None
