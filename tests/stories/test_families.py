"""Families on both messengers: a parent is linked to a child as a relation — picked from the
class's list, named on the invitation, or added by hand with /family — and movement and
departures act on the linked parents."""

from __future__ import annotations

from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    Sandbox,
    ask,
    class_teacher,
    consented_user,
    drain,
    invitation_code,
    joined_by_code,
    joined_by_invitation,
    person_of,
    school_with_classes,
)


async def test_a_parent_picks_the_child_from_the_list_and_moves_with_them(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    # The case: the parent would have typed «белов миша», the child «Белов Михаил».
    admin = await school_with_classes(sandbox, "5А", "5Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite student 5А"))
    misha = await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    olga = await consented_user(sandbox, "Ольга", "Белова")
    await drain(olga)

    question = await ask(olga, "/request")
    await olga.press(question.button(BUTTONS["i_am_parent"]))
    await olga.press((await olga.wait_reply()).button("5А"))
    pick = await olga.wait_reply()
    assert pick.text == t("request_ask_child_pick", class_name="5А")
    await olga.press(pick.button("Белов Миша"))
    confirm = await olga.wait_reply()
    assert confirm.text == t(
        "request_confirm_parent", role="родитель", class_name="5А", name="Белов Миша"
    )
    await olga.press(confirm.button(BUTTONS["send_request"]))
    await olga.wait_reply()  # sent
    notice = await elena.wait_reply()
    await elena.press(notice.button(BUTTONS["approve"]))
    assert (await elena.wait_reply()).text == t(
        "decision_done_approved",
        id=1,
        name="Белова Ольга (ребёнок: Белов Миша)",
        role="родитель",
        class_name="5А",
    )
    await olga.wait_reply()  # approved

    # Each sees their own family; the class list shows the student with the parent.
    assert (await ask(olga, "/family")).text == "\n".join(
        [
            t("family_header_own"),
            t("family_children"),
            t("family_child_line", child="Белов Миша", class_name="5А"),
        ]
    )
    assert (await ask(misha, "/family")).text == "\n".join(
        [
            t("family_header_own"),
            t("family_parents"),
            t("family_parent_line", parent="Белова Ольга"),
        ]
    )
    listing = (await ask(elena, "/class 5А")).text
    assert listing == "\n".join(
        [
            t("class_list_header", class_name="5А", count=1),
            t("class_list_line", number=1, name="Белов Миша", parents="Белова Ольга"),
        ]
    )
    assert (await ask(elena, "/class 5Б")).text == t("class_list_not_allowed", class_name="5Б")

    # The child moves to 5Б: asked about the parents, they go too.
    question = await ask(admin, f"/move {misha.ref} 5Б")
    assert question.text == t(
        "move_ask_parents", name="Белов Миша", new="5Б", parents="Белова Ольга"
    )
    await admin.press(question.button(BUTTONS["move_with_parents"]))
    assert (await admin.wait_reply()).text == t(
        "move_done", name="Белов Миша", old="5А", new="5Б", parents="Белова Ольга", annulled=0
    )
    assert (await misha.wait_reply()).text.startswith(t("move_you", old="5А", new="5Б"))
    assert (await olga.wait_reply()).text.startswith(t("move_parent_you", old="5А", new="5Б"))
    roles = await bot.db.reader.roles.active_for(await person_of(bot.db, olga))
    assert [(r.role, r.class_name) for r in roles] == [("parent", "5Б")]
    mine = (await ask(olga, "/family")).text
    assert t("family_child_line", child="Белов Миша", class_name="5Б") in mine


async def test_invitations_for_a_named_student_and_a_child_who_registers_later(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    # Before any student is registered: the whole class, as before; the father names a
    # child not registered yet.
    whole = invitation_code(await ask(elena, "/invite parent 5А"))
    oleg = await joined_by_code(sandbox, whole, "Олег", "Белов", "белов михаил")
    listing = (await ask(elena, "/class 5А")).text
    assert t("class_list_unconfirmed") in listing and "Белов Олег" in listing

    # The boy registers: the father's link now names him, and the class teacher is told.
    code = invitation_code(await ask(elena, "/invite student 5А"))
    misha = await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    assert (await elena.wait_reply()).text == t(
        "family_claimed", name="Белов Миша", class_name="5А", parents=["Белов Олег"]
    )
    assert (await ask(oleg, "/family")).text.endswith(
        t("family_child_line", child="Белов Миша", class_name="5А")
    )

    # An invitation for the named student: the mother is not asked the child's name.
    created = await ask(elena, "/invite parent 5А белов михаил")
    assert t("invite_created_for_child", child="Белов Миша") in created.text
    olga = await joined_by_code(sandbox, invitation_code(created), "Ольга", "Белова", None)
    assert olga.messages[-1].text.startswith(
        t("join_parent_done", class_name="5А", child="Белов Миша")
    )
    # Without a name: the class's students as buttons, and the whole class.
    offer = await ask(elena, "/invite parent 5А")
    assert offer.text == t("invite_pick_child", class_name="5А")
    await elena.press(offer.button(BUTTONS["invite_whole_class"]))
    assert "Роль: родитель. Класс: 5А." in (await elena.wait_reply()).text
    nobody = await ask(elena, "/invite parent 5А Петров")
    assert nobody.text == t("invite_child_not_found", name="Петров", class_name="5А")
    await elena.press(nobody.button("Белов Миша"))
    assert t("invite_created_for_child", child="Белов Миша") in (await elena.wait_reply()).text

    misha_id = await person_of(bot.db, misha)
    links = await bot.db.reader.family.of_child(misha_id)
    assert sorted(link.parent_id for link in links) == sorted(
        [await person_of(bot.db, oleg), await person_of(bot.db, olga)]
    )


async def test_family_by_hand_and_a_departure_with_the_parents(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "5Б")
    misha = await joined_by_invitation(
        sandbox, admin, "student 5А", "Миша", "Белов", "Белов Михаил"
    )
    anya = await joined_by_invitation(sandbox, admin, "student 5Б", "Аня", "Белова", "Белова Анна")
    olga = await joined_by_invitation(sandbox, admin, "parent 5А Белов", "Ольга", "Белова", None)
    oleg = await joined_by_invitation(
        sandbox, admin, "parent 5Б Белова Анна", "Олег", "Белов", None
    )

    # The father of both: linked to the boy by hand (and so a parent of 5А too).
    added = await ask(admin, f"/family {oleg.ref} + {misha.ref}")
    assert added.text == t("family_added", parent="Белов Олег", child="Белов Миша", class_name="5А")
    again = await ask(admin, f"/family {oleg.ref} + {misha.ref}")
    assert again.text == t("family_already", parent="Белов Олег", child="Белов Миша")
    refused = await ask(admin, f"/family {misha.ref} + {anya.ref}")
    assert refused.text == t("family_not_parent", parent="Белов Миша", class_name="5Б")
    view = await ask(admin, f"/family {misha.ref}")
    assert view.text.startswith(
        "\n".join(
            [
                t("family_header", name="Белов Миша"),
                t("family_parents"),
                t("family_parent_line", parent="Белова Ольга"),
                t("family_parent_line", parent="Белов Олег"),
            ]
        )
    )
    assert (await ask(olga, f"/family {oleg.ref}")).text == t("family_not_allowed")

    # The boy leaves with his parents: the mother leaves the school, the father keeps 5Б.
    question = await ask(admin, f"/leave {misha.ref}")
    assert question.text == (
        "У ученика Белова Миши есть родители в боте: Белова Ольга, Белов Олег. Они тоже выбывают?"
    )
    await admin.press(question.button(BUTTONS["with_parents"]))
    done = (await admin.wait_reply()).text
    assert done.startswith("Выбытие отмечено: ")
    # The father who stays is named to the admin, and told himself.
    assert t("leave_parents_stay", names=["Белов Олег"]) in done.splitlines()
    assert (await olga.wait_reply()).text.startswith("Администратор отметил ваше выбытие")
    assert (await oleg.wait_reply()).text == t("leave_parent_stays_you", name="Белов Миша")
    oleg_id = await person_of(bot.db, oleg)
    roles = await bot.db.reader.roles.active_for(oleg_id)
    assert [(r.role, r.class_name) for r in roles] == [("parent", "5Б")]

    # What is left of his family, and a link removed by its button.
    view = await ask(admin, f"/family {oleg.ref}")
    assert (
        "\n".join(
            [t("family_children"), t("family_child_line", child="Белова Аня", class_name="5Б")]
        )
        in view.text
    )
    await admin.press(view.button(t("family_remove_label", name="Белова Аня")))
    assert (await admin.wait_reply()).text == t(
        "family_removed", parent="Белов Олег", child="Белова Аня"
    )
    assert (await ask(admin, f"/family {oleg.ref}")).text.startswith(
        t("family_none", name="Белов Олег")
    )
    assert [a.action for a in await bot.db.reader.audit.latest(20)][:1] == ["family_unlinked"]
