"""People get ids of the school's own, apart from their VK ids; VK reaches them by account."""

from __future__ import annotations

from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    ask,
    consented_user,
    drain,
    person_of,
    school_with_classes,
    submit_join_request,
    verified_teacher,
)
from vk_sandbox import VKSandbox


async def test_a_parent_known_by_the_schools_own_id_goes_through_the_main_stories(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    # A teacher verified by her VK page: the link names her account, not her id at school.
    teacher = await verified_teacher(sandbox, admin, "Елена", "Смирнова", verify=False)
    reply = await ask(admin, f"/verify https://vk.com/id{teacher.user_id}")
    assert reply.text == t("verify_done", name="Смирнова Елена")
    assert (await teacher.wait_reply()).text == t("verify_you")

    olga = await consented_user(sandbox, "Ольга", "Белова")
    await drain(olga)
    olga_id = await person_of(bot.db, olga)
    assert olga_id > 0 and olga_id != olga.user_id
    # Her join request reaches the admin and the decision reaches her, in VK.
    assert (await submit_join_request(olga, "5А")).text
    notice = await admin.wait_reply()
    await admin.press(notice.button(BUTTONS["approve"]))
    await admin.wait_reply()
    decision = await olga.wait_reply()
    assert decision.text.startswith(
        t("decision_you_approved", id=1, role="родитель", class_name="5А")
    )
    roles = await bot.db.reader.roles.active_for(olga_id)
    assert [role.role for role in roles] == ["parent"]

    # She withdraws her consent: the farewell reaches her although her account went with her.
    confirm = await ask(olga, "/forget_me")
    await olga.press(confirm.button(BUTTONS["forget_confirm"]))
    assert (await olga.wait_reply()).text == t("forget_done")
    assert await person_of(bot.db, olga) == 0
    # Coming back she is someone new, with an id never given before.
    await olga.send("Начать")
    greeting, _ = await olga.wait_replies(2)
    assert greeting.text.startswith("Здравствуйте, Ольга!")
    again = await person_of(bot.db, olga)
    assert again > olga_id


async def test_a_stranger_whose_vk_id_is_someone_elses_school_id_is_a_stranger(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    anna_id = await person_of(bot.db, anna)
    # VK user number `anna_id` is somebody else entirely.
    boris = sandbox.add_user(first_name="Борис", last_name="Носов", user_id=anna_id)
    await boris.send("Начать")
    greeting, consent = await boris.wait_replies(2)
    assert greeting.text == t("greeting_new", name="Борис", school=bot.settings.school_name)
    assert consent.text == t("consent_request")
    assert await person_of(bot.db, boris) not in (0, anna_id)
    # Anna is still herself, and hears only what is hers.
    assert (await ask(anna, "Начать")).text.startswith("Здравствуйте, Анна!")
    assert await person_of(bot.db, anna) == anna_id
