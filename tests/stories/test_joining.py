"""Joining the school on both messengers: invitations as deep links and `/join <code>`,
teacher verification, join requests and the class teacher's decision, movement and departure.

An invitation's link is vk.me/club<id>?ref=<code> on VK (the code arrives as the message's
`ref`) and max.ru/<bot username>?start=<code> on MAX (the code arrives as `bot_started`'s
payload); a person is named in commands as `id123` on VK and `max:123` on MAX."""

from __future__ import annotations

from bot.texts import BUTTONS, t
from max_sandbox import MaxSandbox
from tests.conftest import GROUP_ID, BotRunner
from tests.helpers import (
    LINK,
    Sandbox,
    UserDriver,
    admin_user,
    ask,
    class_teacher,
    consented_user,
    drain,
    invitation_code,
    joined_by_code,
    person_of,
    school_with_classes,
    submit_join_request,
)


def expected_link(sandbox: Sandbox, code: str) -> str:
    if isinstance(sandbox, MaxSandbox):
        return f"https://max.ru/{sandbox.bot_username}?start={code}"
    return f"https://vk.me/club{GROUP_ID}?ref={code}"


async def test_a_teacher_follows_the_link_waits_for_verification_and_is_confirmed(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    created = await ask(admin, "/invite teacher")
    code = invitation_code(created)
    link = LINK.search(created.text)
    assert link and link.group(1) == expected_link(sandbox, code)
    assert len(code) >= 22 and code.replace("-", "").replace("_", "").isalnum()

    teacher = sandbox.add_user(first_name="Елена", last_name="Смирнова")
    if isinstance(sandbox, MaxSandbox):
        await teacher.open_link(link.group(1))  # MAX: the deep link itself, `bot_started`
    else:
        await teacher.send("Начать", ref=code, ref_source="vk.me")
    _, consent = await teacher.wait_replies(2)
    await teacher.press(consent.button(BUTTONS["agree"]))
    await teacher.wait_event_answer()
    replies = await teacher.wait_replies(2)
    assert replies[-1].text == t("join_teacher_done")
    notice = await admin.wait_reply()
    assert "Смирнова Елена" in notice.text

    assert (await ask(teacher, "/invites")).text == t("unverified_refused", command="invites")
    await admin.press(notice.button(BUTTONS["confirm_verify"]))
    assert (await admin.wait_event_answer())["text"] == t("verify_done", name="Смирнова Елена")
    assert (await admin.wait_reply()).text == t("verify_done", name="Смирнова Елена")
    assert (await teacher.wait_reply()).text == t("verify_you")


async def test_join_by_command_and_verify_by_the_messengers_own_name(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    code = invitation_code(await ask(admin, "/invite teacher"))
    teacher = await consented_user(sandbox, "Олег", "Сидоров")
    await drain(teacher)
    assert (await ask(teacher, f"/join {code}")).text == t("join_teacher_done")
    await admin.wait_reply()
    # `/verify id123` on VK, `/verify max:123` on MAX.
    reply = await ask(admin, f"/verify {teacher.ref}")
    assert reply.text == t("verify_done", name="Сидоров Олег")
    assert (await teacher.wait_reply()).text == t("verify_you")
    # A used code is dead on either messenger.
    late = await consented_user(sandbox, "Пётр", "Поздний")
    await drain(late)
    assert (await ask(late, f"/join {code}")).text != t("join_teacher_done")


async def test_a_parent_joins_by_the_class_teachers_link_naming_the_child(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    assert (await ask(elena, "/invite parent 6Б")).text == t("invite_not_allowed", classes="5А")
    code = invitation_code(await ask(elena, "/invite parent 5А 30"))
    parent = await joined_by_code(sandbox, code, "Ольга", "Белова", "белов михаил")
    assert parent.messages[-1].text.startswith(
        t("join_parent_done", class_name="5А", child="Белов Михаил")
    )
    roles = await bot.db.reader.roles.active_for(await person_of(bot.db, parent))
    assert [(r.role, r.class_name) for r in roles] == [("parent", "5А")]


async def test_a_join_request_reaches_the_class_teacher_who_approves_it(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    sent = await submit_join_request(parent, "5А", "белов миша")
    assert sent.text == t("request_sent", id=1, decider=t("request_decider_class_teacher"))

    notice = await elena.wait_reply()
    assert "№1" in notice.text and "Белов Миша" in notice.text
    await elena.press(notice.button(BUTTONS["approve"]))
    assert (await elena.wait_reply()).text == t(
        "decision_done_approved",
        id=1,
        name="Белова Ольга (ребёнок: Белов Миша)",
        role="родитель",
        class_name="5А",
    )
    heard = await parent.wait_reply()
    assert heard.text.startswith(t("decision_you_approved", id=1, role="родитель", class_name="5А"))


async def test_the_admin_rejects_a_request_with_a_reason(sandbox: Sandbox, bot: BotRunner) -> None:
    admin = await school_with_classes(sandbox, "5А")
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    sent = await submit_join_request(parent, "5А")
    assert sent.text == t("request_sent", id=1, decider=t("request_decider_admin"))
    await admin.wait_reply()
    assert (await ask(admin, "/reject 1 нет такого ученика")).text == t(
        "decision_done_rejected", id=1
    )
    assert (await parent.wait_reply()).text == t(
        "decision_you_rejected", id=1, reason=" Причина: нет такого ученика"
    )


async def _family(sandbox: Sandbox, admin: UserDriver) -> tuple[UserDriver, UserDriver]:
    student_code = invitation_code(await ask(admin, "/invite student 5А"))
    parent_code = invitation_code(await ask(admin, "/invite parent 5А"))
    misha = await joined_by_code(sandbox, student_code, "Миша", "Белов", "Белов Михаил")
    olga = await joined_by_code(sandbox, parent_code, "Ольга", "Белова", "Белов Михаил")
    return misha, olga


async def test_moving_a_student_moves_the_parents_and_tells_them(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    misha, olga = await _family(sandbox, admin)
    question = await ask(admin, f"/move {misha.ref} 6б")
    # The linked parent is asked about, by a button.
    assert question.text == t(
        "move_ask_parents", name="Белов Миша", new="6Б", parents="Белова Ольга"
    )
    await admin.press(question.button(BUTTONS["move_with_parents"]))
    moved = await admin.wait_reply()
    assert moved.text == t(
        "move_done", name="Белов Миша", old="5А", new="6Б", parents="Белова Ольга", annulled=0
    )
    assert (await misha.wait_reply()).text.startswith(t("move_you", old="5А", new="6Б"))
    heard = (await olga.wait_reply()).text
    assert heard == t("move_parent_you", old="5А", new="6Б") + "\n" + t("chat_link_later")


async def test_a_departure_with_the_parents(sandbox: Sandbox, bot: BotRunner) -> None:
    admin = await school_with_classes(sandbox, "5А")
    misha, olga = await _family(sandbox, admin)
    question = await ask(admin, f"/leave {misha.ref}")
    assert question.text == t("leave_ask_parents", name="Белов Миша", parents="Белова Ольга")
    await admin.press(question.button(BUTTONS["with_parents"]))
    assert (await admin.wait_reply()).text.startswith("Выбытие отмечено: ")
    assert (await misha.wait_reply()).text.startswith("Администратор отметил ваше выбытие")
    assert (await olga.wait_reply()).text.startswith("Администратор отметил ваше выбытие")
