"""The chat register on both messengers: the bot added to a chat greets it, `/bind` there
(with its buttons), the members compared with the register, the parents' chat link, and a
person taken out of the old class chat on movement and on departure.

VK's bot reads a chat fully once it has full access and removes members as the chat's admin;
MAX gives a group chat's events to a bot only as the chat's admin (MAX's client adds a bot
as an admin), and lists, adds and removes members through /chats/{chatId}/members. The
stories make the bot an admin on either and assert what both do the same way."""

from __future__ import annotations

from bot.conversation.identity import MAX
from bot.texts import MESSENGER_WHERE, t
from max_sandbox import MaxSandbox
from tests.conftest import DIRECTOR_ID, BotRunner
from tests.helpers import (
    ChatDriver,
    Sandbox,
    UserDriver,
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


async def _chat_with_bot(
    sandbox: Sandbox, owner: UserDriver, title: str, members: list[UserDriver] | None = None
) -> ChatDriver:
    chat: ChatDriver = sandbox.create_chat(title=title, owner=owner, members=members or [])  # type: ignore[arg-type]
    await chat.add_bot(by=owner)  # type: ignore[arg-type]
    greeting = await chat.wait_message()
    assert "/bind" in greeting.text and "администратор" in greeting.text
    chat.set_bot_admin(True)
    return chat


async def test_a_class_teachers_checklist_fills_as_chats_are_bound(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    assert (await ask(elena, "/chats")).text.count("❌") == 3

    parents = await _chat_with_bot(sandbox, elena, "5А Родители")
    bound = await say_in_chat(elena, parents, "/bind parents 5а")
    assert bound.startswith(t("bind_done", what="родители 5А"))
    link = bound.rsplit(" ", 1)[-1]
    if isinstance(sandbox, MaxSandbox):
        # MAX: the chat's own link (MAX cannot issue a new one: /relink gives the same).
        assert link == parents.link
    else:
        assert link.startswith("https://vk.me/join/")
    for title, binding in (("5А Ученики", "students 5А"), ("5А Учителя", "teachers 5А")):
        chat = await _chat_with_bot(sandbox, elena, title)
        await say_in_chat(elena, chat, f"/bind {binding}")

    after = (await ask(elena, "/chats")).text
    assert after.count("✅") == 3 and link in after
    assert "5А: ✅ / ✅ / ✅" in (await ask(admin, "/chats")).text
    # MAX has a `chat` button (pressing it creates a chat with the bot in it); VK has none,
    # so the bot offers it on neither: on both the teacher creates the chat, adds the bot
    # (VK's chat_invite_user action, MAX's bot_added) and binds it with /bind.
    if isinstance(sandbox, MaxSandbox):
        assert all(b.type != "chat" for m in sandbox.sent for b in m.buttons)
        assert [u["update_type"] for u in sandbox.updates].count("bot_added") == 3


async def test_bind_offers_buttons_and_refuses_those_it_is_not_for(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    oleg = await class_teacher(sandbox, admin, "6Б", "Олег", "Сидоров")
    chat = await _chat_with_bot(sandbox, elena, "Беседа", members=[oleg])

    await elena.send("/bind", chat=chat)
    offer = await chat.wait_message()
    assert offer.text == t("bind_choose")
    assert "родители 5А" in offer.labels
    assert (await say_in_chat(oleg, chat, "/bind parents 6Б")) == t("bind_not_creator")
    await elena.press(offer.button("родители 5А"))
    assert (await chat.wait_message()).text.startswith(t("bind_done", what="родители 5А"))
    assert (await say_in_chat(elena, chat, "/unbind")) == t("unbind_done", what="родители 5А")


async def test_an_approved_parent_gets_the_parents_chat_link_and_members_are_compared(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    stranger = await consented_user(sandbox, "Чужой", "Человек")
    await drain(stranger)
    chat = await _chat_with_bot(sandbox, elena, "5А Родители", members=[stranger])
    link = (await say_in_chat(elena, chat, "/bind parents 5А")).rsplit(" ", 1)[-1]

    code = invitation_code(await ask(elena, "/invite parent 5А"))
    olga = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Михаил")
    # Both messengers give the parent the chat's link. A VK community bot cannot add anyone
    # to a chat, so on VK that is all; a MAX bot that is the chat's admin adds her itself
    # (POST /chats/{id}/members) and says so.
    assert t("chat_link_parent", link=link) in olga.messages[-1].text
    detail_missing = t("chats_mismatch_missing", names="Белова Ольга")
    if isinstance(sandbox, MaxSandbox):
        added = await olga.wait_reply()
        assert added.text == t("chat_added_to", what="родители 5А", where=MESSENGER_WHERE[MAX])
        assert olga.user_id in chat.member_ids
    else:
        await olga.expect_silence(0.3)
        assert olga.user_id not in chat.member_ids

    detail = (await ask(elena, "/chats 5А")).text
    assert (detail_missing in detail) is not isinstance(sandbox, MaxSandbox)
    assert t("chats_mismatch_extra", names="Человек Чужой") in detail


async def _student_in_class_chat(
    sandbox: Sandbox, by_link: bool
) -> tuple[UserDriver, UserDriver, ChatDriver]:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite student 5А"))
    misha = await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    chat = await _chat_with_bot(sandbox, elena, "5А Ученики")
    await say_in_chat(elena, chat, "/bind students 5А")
    if by_link:
        await chat.join_by_link(misha)
    else:
        await chat.add_member(misha, by=elena)
    await say_in_chat(elena, chat, "/help")  # the bot has handled the chat's events so far
    return admin, misha, chat


async def test_moving_a_student_takes_them_out_of_the_old_class_chat(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin, misha, chat = await _student_in_class_chat(sandbox, by_link=True)
    moved = (await ask(admin, f"/move {misha.ref} 6Б")).text
    assert t("chats_removed", titles="ученики 5А") in moved
    assert misha.user_id not in chat.member_ids
    if isinstance(sandbox, MaxSandbox):
        removals = sandbox.calls_to("DELETE /chats/{chatId}/members")
        assert removals and all(call.ok for call in removals)


async def test_a_student_leaving_school_is_taken_out_of_the_class_chat(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    admin, misha, chat = await _student_in_class_chat(sandbox, by_link=False)
    left = (await ask(admin, f"/leave {misha.ref}")).text
    assert t("chats_removed", titles="ученики 5А") in left
    assert misha.user_id not in chat.member_ids


async def test_the_director_binds_a_management_chat(sandbox: Sandbox, bot: BotRunner) -> None:
    await admin_user(sandbox)
    director = await consented_user(sandbox, "Людмила", "Дровосекова", user_id=DIRECTOR_ID)
    await drain(director)
    chat = await _chat_with_bot(sandbox, director, "Руководство")
    await say_in_chat(director, chat, "/bind management deputies")
    listing = (await ask(director, "/chats")).text
    assert "✅ руководитель и заместители" in listing
