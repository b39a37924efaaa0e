"""What people see of the neutral messages: links to profiles arrive as VK's mentions, in the
words they always had, in a dialog and in a group chat alike."""

from __future__ import annotations

from bot.texts import BUTTONS
from tests.conftest import BotRunner
from tests.helpers import admin_user, ask, drain, school_with_classes, submit_join_request
from vk_sandbox import VKSandbox


async def test_support_names_the_admins_with_links_to_their_profiles(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    reply = await ask(admin, "/support")
    assert f"• [id{admin.user_id}|Петрова Ирина]" in reply.text.splitlines()
    assert "\ue000" not in reply.text  # nothing of the neutral form reaches a person


async def test_a_decider_is_told_of_a_request_with_a_link_to_the_applicants_profile(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    parent = sandbox.add_user(first_name="Ольга", last_name="Белова")
    await parent.send("Начать")
    replies = await parent.wait_replies(2)
    await parent.press(replies[-1].button(BUTTONS["agree"]))
    await parent.wait_event_answer()
    await drain(parent)
    await submit_join_request(parent, "5А")
    notice = (await drain(admin))[-1]
    assert notice.text.endswith(f"([id{parent.user_id}|профиль]).")
    assert notice.text.startswith("Новая заявка №")


async def test_support_in_a_group_chat_links_the_admins_too(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    chat = sandbox.create_chat(title="5А", owner=admin, members=[], bot_member=True)
    await admin.send("/support", chat=chat)
    message = await chat.wait_message()
    assert f"• [id{admin.user_id}|Петрова Ирина]" in message.text.splitlines()
