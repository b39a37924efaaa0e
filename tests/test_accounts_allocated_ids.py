"""People get ids of the school's own, apart from their VK ids; VK reaches them by account."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.conversation.identity import vk_account
from bot.domain.people import PeopleService
from bot.storage import Database
from bot.storage.inbox import InboxRow
from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    ask,
    consented_user,
    drain,
    person_of,
    school_with_classes,
    seeded_person,
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


async def test_forgetting_a_person_takes_the_events_kept_under_their_vk_account(
    tmp_path: Path,
) -> None:
    path = tmp_path / "school.sqlite3"
    async with Database(path) as db:
        async with db.transaction() as tx:
            vera = await seeded_person(tx, 777)
            await tx.people.record_consent(vera, "Орлова Вера")
        assert vera != 777
        # The inbox keeps events by their sender's VK account, as the adapter keyed them:
        # Vera's, and one of the VK user whose number is Vera's id at school.
        rows = [InboxRow("hers", 1, 777, {}), InboxRow("someone_elses", 2, vera, {})]
        await db.write(lambda tx: tx.inbox.add_many_statement(rows))
        await db.write(lambda tx: tx.inbox.mark_done_statement(["hers", "someone_elses"]))
        await PeopleService(db, [], []).forget(vera)
        assert await db.reader.accounts.person_of(vk_account(777)) is None
    with sqlite3.connect(path) as conn:
        assert [row[0] for row in conn.execute("SELECT event_id FROM inbox")] == ["someone_elses"]
