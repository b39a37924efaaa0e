"""Onboarding (clauses 2.1–2.7): structure, invitations, join requests, verification, movement."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import FrozenClock
from bot.texts import BUTTONS, t
from tests.conftest import ADMIN_ID, DIRECTOR_ID, GROUP_ID, BotRunner
from tests.helpers import (
    LINK,
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
    verified_teacher,
)
from vk_sandbox import VKSandbox

# Structure ------------------------------------------------------------------------------


async def test_admin_adds_classes_by_the_nomenclature(sandbox: VKSandbox, bot: BotRunner) -> None:
    admin = await admin_user(sandbox)
    reply = await ask(admin, "/class_add 5а 5 Б 10-В")
    assert reply.text == t("classes_added", names="5А, 5Б, 10В")
    assert (await ask(admin, "/class_add 5А 6А")).text == "\n".join(
        [t("classes_added", names="6А"), t("classes_existing", names="5А")]
    )
    for wrong in ("12А", "5Z", "А5"):
        reply = await ask(admin, f"/class_add {wrong}")
        assert reply.text == t("class_name_invalid", text=wrong)
        assert "от 1 до 11" in reply.text

    listing = (await ask(admin, "/classes")).text
    assert listing.startswith(t("classes_header", count=4))
    assert "Учительская" in listing and "• 10В: кл. рук. не назначен" in listing


async def test_only_an_empty_class_can_be_removed(sandbox: VKSandbox, bot: BotRunner) -> None:
    admin = await school_with_classes(sandbox, "5А", "5Б")
    code = invitation_code(await ask(admin, "/invite student 5А"))
    await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")

    assert (await ask(admin, "/class_remove 5А")).text == t(
        "class_not_empty", name="5А", members="1 человек"
    )
    assert (await ask(admin, "/class_remove 5Б")).text == t("class_removed", name="5Б")
    assert (await ask(admin, "/class_remove 5Б")).text == t("class_unknown", name="5Б")
    assert (await ask(admin, "/class_remove Учительская")).text.startswith("«Учительская»")


async def test_class_teacher_must_be_a_verified_teacher_and_replacing_asks_first(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    waiting = await verified_teacher(sandbox, admin, "Олег", "Сидоров", verify=False)
    assert (await ask(admin, f"/class_teacher 5А id{waiting.user_id}")).text == t(
        "not_verified_teacher", name="Сидоров Олег"
    )
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    anna = await verified_teacher(sandbox, admin, "Анна", "Кузнецова")

    question = await ask(admin, f"/class_teacher 5А https://vk.com/id{anna.user_id}")
    assert question.text == t(
        "class_teacher_replace", class_name="5А", current="Смирнова Елена", name="Кузнецова Анна"
    )
    await admin.press(question.button(BUTTONS["replace"]))
    assert (await admin.wait_reply()).text == t(
        "class_teacher_set", name="Кузнецова Анна", class_name="5А"
    )
    assert (await anna.wait_reply()).text == t("class_teacher_you", class_name="5А")
    assert (await elena.wait_reply()).text == t("class_teacher_removed_you", class_name="5А")


async def test_admins_are_appointed_from_verified_teachers_and_the_last_stays(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    assert (await ask(admin, f"@id{parent.user_id}".join(["/admin_add ", ""]))).text == t(
        "not_verified_teacher", name="Белова Ольга"
    )
    teacher = await verified_teacher(sandbox, admin, "Елена", "Смирнова")
    director = await consented_user(sandbox, "Людмила", "Дровосекова", user_id=DIRECTOR_ID)
    await drain(director)
    assert (await ask(director, f"/admin_add [id{teacher.user_id}|Елена]")).text == t(
        "admin_added", name="Смирнова Елена"
    )
    assert (await teacher.wait_reply()).text == t("admin_you")
    assert (await ask(admin, f"/admin_remove id{teacher.user_id}")).text == t(
        "admin_removed", name="Смирнова Елена"
    )
    assert (await ask(admin, f"/admin_remove id{ADMIN_ID}")).text == t("admin_last")


# Invitations -----------------------------------------------------------------------------


async def test_a_teacher_joins_by_link_waits_for_verification_and_is_confirmed(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    created = await ask(admin, "/invite teacher")
    link = LINK.search(created.text)
    assert link and link.group(1).startswith(f"https://vk.me/club{GROUP_ID}?ref=")
    code = invitation_code(created)
    assert len(code) >= 22  # 128 bits in URL-safe base64
    assert "Использований: 1" in created.text

    teacher = await joined_by_code(sandbox, code, "Елена", "Смирнова", None)
    assert teacher.messages[-1].text == t("join_teacher_done")
    notice = await admin.wait_reply()
    assert notice.text == t(
        "join_teacher_waiting_admin", name="Смирнова Елена", vk_id=teacher.user_id
    )

    # Before verification the teacher cannot act as one.
    refused = await ask(teacher, "/invites")
    assert refused.text == t("unverified_refused", command="invites")
    listing = await ask(admin, "/verify")
    assert "Смирнова Елена" in listing.text

    await admin.press(notice.button(BUTTONS["confirm_verify"]))
    assert (await admin.wait_event_answer())["text"] == t("verify_done", name="Смирнова Елена")
    assert (await admin.wait_reply()).text == t("verify_done", name="Смирнова Елена")
    assert (await teacher.wait_reply()).text == t("verify_you")
    assert (await ask(admin, "/verify")).text.startswith(t("verify_empty"))


async def test_class_teacher_invites_parents_of_own_class_only(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    plain = await verified_teacher(sandbox, admin, "Олег", "Сидоров")

    refused = await ask(elena, "/invite parent 6Б")
    assert refused.text == t("invite_not_allowed", classes="5А")
    assert (await ask(elena, "/invite teacher")).text == t("invite_not_allowed", classes="5А")
    assert (await ask(plain, "/invite parent 5А")).text.startswith("Команда /invite доступна")

    created = await ask(elena, "/invite parent 5А 30")
    assert "Использований: 30" in created.text
    code = invitation_code(created)
    parent = sandbox.add_user(first_name="Ольга", last_name="Белова")
    await parent.send("Начать", ref=code)
    _, consent = await parent.wait_replies(2)
    await parent.press(consent.button(BUTTONS["agree"]))
    await parent.wait_reply()
    assert (await parent.wait_reply()).text == t("join_ask_child_name", class_name="5А")
    assert (await ask(parent, "Миша")).text == t("name_invalid")
    done = await ask(parent, "белов михаил")
    assert done.text.startswith(t("join_parent_done", class_name="5А", child="Белов Михаил"))


async def test_each_dead_code_gets_its_own_message(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    expired = invitation_code(await ask(admin, "/invite parent 5А"))
    frozen_clock.advance(timedelta(days=15))
    annulled_reply = await ask(admin, "/invite parent 5А")
    annulled = invitation_code(annulled_reply)
    assert (await ask(admin, f"/annul {annulled}")).text.startswith("Приглашение №")
    used = invitation_code(await ask(admin, "/invite student 5А 1"))
    await joined_by_code(sandbox, used, "Миша", "Белов", "Белов Михаил")

    guest = await consented_user(sandbox, "Гость", "Гостев")
    await drain(guest)
    assert (await ask(guest, f"/join {expired}")).text == t("join_expired")
    assert (await ask(guest, f"/join {annulled}")).text == t("join_annulled")
    assert (await ask(guest, f"/join {used}")).text == t("join_used_up")
    assert (await ask(guest, "/join nonsense-code")).text == t("join_wrong")


async def test_ten_wrong_codes_in_an_hour_lock_join_for_an_hour(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    good = invitation_code(await ask(admin, "/invite parent 5А"))
    guesser = await consented_user(sandbox, "Гость", "Гостев")
    await drain(guesser)
    for attempt in range(10):
        assert (await ask(guesser, f"/join wrong{attempt}")).text == t("join_wrong")
    locked = await ask(guesser, f"/join {good}")
    assert locked.text.startswith("Слишком много неверных кодов")
    frozen_clock.advance(timedelta(hours=1, minutes=1))
    assert (await ask(guesser, f"/join {good}")).text == t("join_ask_child_name", class_name="5А")


async def test_two_people_racing_for_the_last_use_one_gets_in(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    code = invitation_code(await ask(admin, "/invite teacher"))
    first = await consented_user(sandbox, "Первый", "Учитель")
    second = await consented_user(sandbox, "Второй", "Учитель")
    await drain(first)
    await drain(second)
    await asyncio.gather(first.send(f"/join {code}"), second.send(f"/join {code}"))
    replies = sorted([(await first.wait_reply()).text, (await second.wait_reply()).text])
    assert replies == sorted([t("join_teacher_done"), t("join_used_up")])
    teachers = await bot.db.reader.roles.unverified_teachers()
    assert len(teachers) == 1


async def test_invites_lists_and_stale_ones_are_annulled_with_an_audit_row(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    await ask(admin, "/invite parent 5А")
    await ask(admin, "/invite student 5А")
    frozen_clock.advance(timedelta(days=8))
    fresh = invitation_code(await ask(admin, "/invite teacher"))
    assert fresh

    listing = await ask(admin, "/invites")
    assert "действующих 3" in listing.text and "Невостребованных" in listing.text
    assert listing.text.count(t("invites_stale_mark")) == 2
    await admin.press(listing.button(BUTTONS["annul_stale"]))
    assert (await admin.wait_reply()).text == t("annul_stale_done", count=2)
    assert (await ask(admin, "/annul stale")).text == t("annul_stale_none")
    actions = [row.action for row in await clocked_bot.db.reader.audit.latest(5)]
    assert "invitations_annulled" in actions


# Join requests ----------------------------------------------------------------------------


async def _request(parent_first: str, sandbox: VKSandbox, class_name: str, child: str):  # type: ignore[no-untyped-def]
    parent = await consented_user(sandbox, parent_first, "Белова")
    await drain(parent)
    role_question = await ask(parent, BUTTONS["request"])
    await parent.press(role_question.button(BUTTONS["i_am_parent"]))
    class_question = await parent.wait_reply()
    await parent.press(class_question.button(class_name))
    assert (await parent.wait_reply()).text == t("request_ask_child_name")
    confirm = await ask(parent, child)
    assert class_name in confirm.text
    await parent.press(confirm.button(BUTTONS["send_request"]))
    sent = await parent.wait_reply()
    return parent, sent


async def test_a_join_request_reaches_the_class_teacher_who_approves_it(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    parent, sent = await _request("Ольга", sandbox, "5А", "белов миша")
    assert sent.text == t("request_sent", id=1, decider=t("request_decider_class_teacher"))

    notice = await elena.wait_reply()
    assert "№1" in notice.text and "Белов Миша" in notice.text
    listing = await ask(elena, "/requests")
    assert listing.text.startswith(t("requests_header", count=1))

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
    roles = await bot.db.reader.roles.active_for(await person_of(bot.db, parent))
    assert [(r.role, r.class_name) for r in roles] == [("parent", "5А")]
    # No such student is registered: the link keeps the name the parent gave.
    links = await bot.db.reader.family.of_parent(await person_of(bot.db, parent))
    assert [(link.child_id, link.child_name, link.class_name) for link in links] == [
        (None, "Белов Миша", "5А")
    ]

    # A second decision, by anyone, is told who decided first.
    again = await ask(admin, "/reject 1")
    assert again.text.startswith("Заявку №1 уже приняли: Смирнова Елена")


async def test_without_a_class_teacher_the_admins_decide_and_rejection_carries_a_reason(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    parent, sent = await _request("Ольга", sandbox, "5А", "Белов Миша")
    assert sent.text == t("request_sent", id=1, decider=t("request_decider_admin"))
    await admin.wait_reply()
    assert (await ask(admin, "/reject 1 нет такого ученика")).text == t(
        "decision_done_rejected", id=1
    )
    assert (await parent.wait_reply()).text == t(
        "decision_you_rejected", id=1, reason=" Причина: нет такого ученика"
    )


async def test_one_open_request_per_person_and_class(sandbox: VKSandbox, bot: BotRunner) -> None:
    admin = await school_with_classes(sandbox, "5А")
    parent, _ = await _request("Ольга", sandbox, "5А", "Белов Миша")
    await admin.wait_reply()
    again = await submit_join_request(parent, "5А")
    assert again.text == t("request_duplicate", class_name="5А", id=1)


async def test_a_forged_decision_from_another_class_teacher_is_refused(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    other = await class_teacher(sandbox, admin, "6Б", "Олег", "Сидоров")
    await _request("Ольга", sandbox, "5А", "Белов Миша")
    assert (await ask(other, "/approve 1")).text == t("decision_not_allowed", id=1, class_name="5А")
    forged = await ask(other, "/requests")
    assert forged.text == t("requests_empty")


async def test_a_pending_request_survives_a_restart(sandbox: VKSandbox, bot: BotRunner) -> None:
    admin = await school_with_classes(sandbox, "5А")
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    question = await ask(parent, "/request")
    await parent.press(question.button(BUTTONS["i_am_parent"]))
    class_question = await parent.wait_reply()
    await bot.restart()
    await parent.press(class_question.button("5А"))
    await parent.wait_reply()
    confirm = await ask(parent, "Белов Миша")
    await parent.press(confirm.button(BUTTONS["send_request"]))
    await parent.wait_reply()
    await admin.wait_reply()
    await bot.restart()
    assert "Белов Миша" in (await ask(admin, "/requests")).text


# Movement -----------------------------------------------------------------------------------


async def test_moving_a_student_moves_the_parents_and_tells_them(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    student_code = invitation_code(await ask(admin, "/invite student 5А"))
    parent_code = invitation_code(await ask(admin, "/invite parent 5А"))
    misha = await joined_by_code(sandbox, student_code, "Миша", "Белов", "Белов Михаил")
    olga = await joined_by_code(sandbox, parent_code, "Ольга", "Белова", "Белов Михаил")

    question = await ask(admin, f"/move id{misha.user_id} 6б")
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
    roles = await bot.db.reader.roles.active_for(await person_of(bot.db, olga))
    assert [(r.role, r.class_name) for r in roles] == [("parent", "6Б")]


async def test_a_departure_asks_about_parents_and_data_goes_after_retention(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    student_code = invitation_code(await ask(admin, "/invite student 5А"))
    parent_code = invitation_code(await ask(admin, "/invite parent 5А"))
    misha = await joined_by_code(sandbox, student_code, "Миша", "Белов", "Белов Михаил")
    olga = await joined_by_code(sandbox, parent_code, "Ольга", "Белова", "Белов Михаил")

    question = await ask(admin, f"/leave id{misha.user_id}")
    assert question.text == t("leave_ask_parents", name="Белов Миша", parents="Белова Ольга")
    await admin.press(question.button(BUTTONS["with_parents"]))
    done = await admin.wait_reply()
    assert done.text.startswith("Выбытие отмечено: ")
    assert (await misha.wait_reply()).text.startswith("Администратор отметил ваше выбытие")
    assert (await olga.wait_reply()).text.startswith("Администратор отметил ваше выбытие")

    app = clocked_bot.app
    assert app is not None
    frozen_clock.advance(timedelta(days=31))
    purged = await app.services.movement.purge_departed(frozen_clock.now() - timedelta(days=30))
    assert purged == 2
    assert await clocked_bot.db.reader.people.get(await person_of(clocked_bot.db, misha)) is None


async def test_audit_shows_the_latest_changes_to_admins_and_the_director(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    audit = await ask(admin, "/audit")
    assert "\n30.11 " in audit.text and " — Петрова И. добавила класс 5А\n" in audit.text
    director = await consented_user(sandbox, "Людмила", "Дровосекова", user_id=DIRECTOR_ID)
    await drain(director)
    assert " — Петрова И. добавила класс 5А" in (await ask(director, "/audit")).text
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    assert (await ask(parent, "/audit")).text == t(
        "role_refused", command="audit", roles="администратор, администрация школы"
    )


async def test_a_person_can_be_named_by_their_short_page_name(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    code = invitation_code(await ask(admin, "/invite teacher"))
    teacher = sandbox.add_user(first_name="Елена", last_name="Смирнова", screen_name="e.smirnova")
    await teacher.send("Начать", ref=code)
    _, consent = await teacher.wait_replies(2)
    await teacher.press(consent.button(BUTTONS["agree"]))
    await teacher.wait_replies(2)
    await admin.wait_reply()
    assert (await ask(admin, "/verify https://vk.com/e.smirnova")).text == t(
        "verify_done", name="Смирнова Елена"
    )
    assert (await ask(admin, "/class_teacher 5А @e.smirnova")).text == t(
        "class_teacher_set", name="Смирнова Елена", class_name="5А"
    )
    assert (await ask(admin, "/verify nobody.here")).text.startswith("«nobody.here» — не похоже")
