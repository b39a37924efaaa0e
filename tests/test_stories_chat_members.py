"""Chat membership follows the chat's own events, and VK is asked before anyone is removed."""

from __future__ import annotations

from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import (
    ask,
    class_teacher,
    consented_user,
    drain,
    invitation_code,
    joined_by_code,
    school_with_classes,
)
from vk_sandbox import ChatDriver, UserDriver, VKSandbox


async def _class_chat(
    sandbox: VKSandbox,
    teacher: UserDriver,
    binding: str,
    members: list[UserDriver] | None = None,
    admin: bool = True,
) -> ChatDriver:
    chat = sandbox.create_chat(title=binding, owner=teacher, members=members or [])
    await chat.add_bot(by=teacher)
    await chat.wait_message()  # the greeting
    chat.set_bot_admin(admin)
    await teacher.send(f"/bind {binding}", chat=chat)
    await chat.wait_message()
    return chat


async def _student(sandbox: VKSandbox, teacher: UserDriver, class_name: str) -> UserDriver:
    code = invitation_code(await ask(teacher, f"/invite student {class_name}"))
    return await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")


async def _settled(chat: ChatDriver, teacher: UserDriver) -> None:
    """Waits until the bot has handled the chat's events so far (its answers keep order)."""
    await teacher.send("/help", chat=chat)
    await chat.wait_message()


async def test_a_student_who_joined_the_class_chat_by_link_is_taken_out_on_move(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    misha = await _student(sandbox, elena, "5А")
    chat = await _class_chat(sandbox, elena, "students 5А")
    await chat.join_by_link(misha)
    await _settled(chat, elena)

    moved = (await ask(admin, f"/move id{misha.user_id} 6Б")).text

    assert t("chats_removed", titles="ученики 5А") in moved
    assert misha.user_id not in chat.member_ids


async def test_a_student_added_to_the_class_chat_is_taken_out_when_leaving_school(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    misha = await _student(sandbox, elena, "5А")
    chat = await _class_chat(sandbox, elena, "students 5А")
    await chat.add_member(misha, by=elena)
    await _settled(chat, elena)

    left = (await ask(admin, f"/leave id{misha.user_id}")).text

    assert t("chats_removed", titles="ученики 5А") in left
    assert misha.user_id not in chat.member_ids


async def test_who_left_the_chat_by_themselves_is_not_reported_as_left_behind(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    misha = await _student(sandbox, elena, "5А")
    chat = await _class_chat(sandbox, elena, "students 5А", members=[misha])
    await chat.remove_member(misha)
    await _settled(chat, elena)

    moved = (await ask(admin, f"/move id{misha.user_id} 6Б")).text

    assert "Белов Миша переведён из 5А в 6Б" in moved
    assert "не удалось" not in moved.lower()
    assert "ученики 5А" not in moved


async def test_members_are_read_from_vk_before_anyone_is_removed(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    misha = await _student(sandbox, elena, "5А")
    # Bound before the bot was made the chat's admin: it could not read the members then.
    chat = await _class_chat(sandbox, elena, "students 5А", members=[misha], admin=False)
    chat.set_bot_admin(True)

    moved = (await ask(admin, f"/move id{misha.user_id} 6Б")).text

    assert t("chats_removed", titles="ученики 5А") in moved
    assert misha.user_id not in chat.member_ids


async def test_the_member_check_names_a_stranger_who_joined_by_link(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    chat = await _class_chat(sandbox, elena, "parents 5А")
    stranger = sandbox.add_user(first_name="Пётр", last_name="Чужаков")
    await chat.join_by_link(stranger)
    await _settled(chat, elena)
    await drain(elena)
    assert len(chat.messages) == 3, [m.text for m in chat.messages]  # greeting, bound, help

    detail = (await ask(elena, "/chats 5А")).text

    assert t("chats_mismatch_extra", names="Чужаков Пётр") in detail
    assert f"id{stranger.user_id}" not in detail


async def test_a_consented_stranger_in_the_chat_is_named_too(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    stranger = await consented_user(sandbox, "Чужой", "Человек")
    await drain(stranger)
    chat = await _class_chat(sandbox, elena, "parents 5А", members=[stranger])
    await _settled(chat, elena)

    detail = (await ask(elena, "/chats 5А")).text

    assert t("chats_mismatch_extra", names="Человек Чужой") in detail


async def test_a_student_who_joins_by_link_sees_the_duty_done(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    misha = await _student(sandbox, elena, "5А")
    chat = await _class_chat(sandbox, elena, "students 5А")
    await drain(misha)
    assert "⬜ 1. Вступить в чат класса" in (await ask(misha, "/duties")).text

    await chat.join_by_link(misha)
    await _settled(chat, elena)
    assert "✅ 1. Вступить в чат класса" in (await ask(misha, "/duties")).text

    await chat.remove_member(misha)
    await _settled(chat, elena)
    assert "⬜ 1. Вступить в чат класса" in (await ask(misha, "/duties")).text
