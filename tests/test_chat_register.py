"""The chat register (clauses 2.2–2.5): chats are bound to classes and purposes, links flow."""

from __future__ import annotations

from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    admin_user,
    ask,
    class_teacher,
    consented_user,
    drain,
    invitation_code,
    joined_by_code,
    say_in_chat,
    school_with_classes,
)
from vk_sandbox import ChatDriver, UserDriver, VKSandbox


async def _chat_with_bot(
    sandbox: VKSandbox, owner: UserDriver, title: str, members: list[UserDriver] | None = None
) -> ChatDriver:
    chat = sandbox.create_chat(title=title, owner=owner, members=members or [])
    await chat.add_bot(by=owner)
    greeting = await chat.wait_message()
    assert "/bind" in greeting.text and "администратор" in greeting.text
    return chat


async def test_a_class_teachers_checklist_of_chats_fills_as_chats_are_bound(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    before = (await ask(elena, "/chats")).text
    assert before.count("❌") == 3

    parents = await _chat_with_bot(sandbox, elena, "5А Родители")
    bound = await say_in_chat(elena, parents, "/bind parents 5а")
    assert bound.startswith(t("bind_done", what="родители 5А"))
    assert t("bind_admin_missing") in bound

    parents.set_bot_admin(True)
    relinked = await say_in_chat(elena, parents, "/relink")
    assert relinked.startswith("Старая ссылка отозвана")
    link = relinked.rsplit(" ", 1)[-1]
    assert link.startswith("https://vk.me/join/")
    again = (await say_in_chat(elena, parents, "/relink")).rsplit(" ", 1)[-1]
    assert again != link  # the old link is revoked, a new one issued

    students = await _chat_with_bot(sandbox, elena, "5А Ученики")
    students.set_bot_admin(True)
    await say_in_chat(elena, students, "/bind students 5А")
    teachers = await _chat_with_bot(sandbox, elena, "5А Учителя")
    teachers.set_bot_admin(True)
    await say_in_chat(elena, teachers, "/bind teachers 5А")

    after = (await ask(elena, "/chats")).text
    assert after.count("✅") == 3 and again in after
    table = (await ask(admin, "/chats")).text
    assert "5А: ✅ / ✅ / ✅" in table


async def test_bind_offers_buttons_and_refuses_those_it_is_not_for(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    oleg = await class_teacher(sandbox, admin, "6Б", "Олег", "Сидоров")
    chat = await _chat_with_bot(sandbox, elena, "Беседа", members=[oleg])

    await elena.send("/bind", chat=chat)
    offer = await chat.wait_message()
    assert offer.text == t("bind_choose")
    assert "родители 5А" in [button.label for button in offer.buttons]

    assert (await say_in_chat(oleg, chat, "/bind parents 5А")).startswith("Привязать беседу как")
    assert (await say_in_chat(oleg, chat, "/bind parents 6Б")) == t("bind_not_creator")

    await elena.press(offer.button("родители 5А"))
    assert (await chat.wait_message()).text.startswith(t("bind_done", what="родители 5А"))

    second = await _chat_with_bot(sandbox, elena, "Ещё одна")
    assert (await say_in_chat(elena, second, "/bind parents 5А")) == t(
        "bind_taken", what="родители 5А"
    )
    assert (await say_in_chat(elena, chat, "/unbind")) == t("unbind_done", what="родители 5А")
    assert (await say_in_chat(elena, second, "/bind parents 5А")).startswith(
        t("bind_done", what="родители 5А")
    )


async def test_an_approved_parent_gets_the_parents_chat_link(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    chat = await _chat_with_bot(sandbox, elena, "5А Родители")
    chat.set_bot_admin(True)
    bound = await say_in_chat(elena, chat, "/bind parents 5А")
    link = bound.rsplit(" ", 1)[-1]

    code = invitation_code(await ask(elena, "/invite parent 5А"))
    olga = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Михаил")
    assert t("chat_link_parent", link=link) in olga.messages[-1].text
    mine = (await ask(olga, "/chats")).text
    assert link in mine


async def test_chat_members_are_compared_with_the_register(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite parent 5А"))
    olga = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Михаил")
    stranger = await consented_user(sandbox, "Чужой", "Человек")
    await drain(stranger)
    chat = await _chat_with_bot(sandbox, elena, "5А Родители", members=[stranger])
    chat.set_bot_admin(True)
    await say_in_chat(elena, chat, "/bind parents 5А")

    detail = (await ask(elena, "/chats 5А")).text
    assert t("chats_mismatch_missing", names="Белова Ольга") in detail
    assert t("chats_mismatch_extra", names="Человек Чужой") in detail
    assert olga.user_id not in chat.member_ids


async def test_moving_a_student_removes_them_from_the_old_class_chat(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite student 5А"))
    misha = await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    chat = await _chat_with_bot(sandbox, elena, "5А Ученики", members=[misha])
    chat.set_bot_admin(True)
    await say_in_chat(elena, chat, "/bind students 5А")

    moved = (await ask(admin, f"/move id{misha.user_id} 6Б")).text
    assert t("chats_removed", titles="ученики 5А") in moved
    assert misha.user_id not in chat.member_ids


async def test_the_director_binds_management_chats_and_sees_them(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    from tests.conftest import DIRECTOR_ID

    await admin_user(sandbox)
    director = await consented_user(sandbox, "Людмила", "Дровосекова", user_id=DIRECTOR_ID)
    await drain(director)
    chat = await _chat_with_bot(sandbox, director, "Руководство")
    chat.set_bot_admin(True)
    await say_in_chat(director, chat, "/bind management deputies")
    listing = (await ask(director, "/chats")).text
    assert "✅ руководитель и заместители" in listing
    assert "❌ руководитель и родительский актив" in listing
    assert BUTTONS["chats"]
