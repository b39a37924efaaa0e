"""Group chats on MAX through the chat platform the core calls: members read page by page
(MAX gives at most 100 a page), added and removed, the chat's link; and people joining and
leaving a bound chat reach the core as chat events."""

from __future__ import annotations

from bot.conversation.identity import MAX, max_account
from bot.max.adapter import MaxAdapter
from max_sandbox import MaxSandbox
from tests.conftest import BotRunner
from tests.max_support import (  # noqa: F401
    ask,
    consented,
    drain,
    max_admin,
    max_bot,
    sb,
    start_max_bot,
)


def _adapter(runner: BotRunner) -> MaxAdapter:
    assert runner.app is not None
    adapter = runner.app.adapters[MAX]
    assert isinstance(adapter, MaxAdapter)
    return adapter


async def test_members_are_read_page_by_page_added_and_removed(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    owner = sb.add_user(first_name="Елена", last_name="Смирнова")
    crowd = [sb.add_user(first_name="Участник", last_name=f"Номер{i}") for i in range(130)]
    chat = sb.create_chat(title="Большой чат", owner=owner, members=crowd, bot_admin=True)
    platform = _adapter(max_bot).chat_platform
    members = await platform.members(chat.chat_id)
    assert members is not None and len(members) == 131, "everyone but the bot, every page"
    assert len(sb.calls_to("GET /chats/{chatId}/members")) >= 2
    owners = [m for m in members if m.is_owner]
    assert len(owners) == 1
    reader = max_bot.db.reader.accounts
    assert owners[0].member_id == await reader.person_of(max_account(owner.user_id))

    leaving = await reader.person_of(max_account(crowd[0].user_id))
    assert leaving is not None
    assert await platform.remove(chat.chat_id, leaving)
    assert crowd[0].user_id not in chat.member_ids
    assert await platform.add(chat.chat_id, leaving)
    assert crowd[0].user_id in chat.member_ids
    assert await platform.invite_link(chat.chat_id, reset=False) == chat.link

    chat.set_bot_admin(False)
    assert await platform.members(chat.chat_id) is None, "not an admin: no member list"
    assert not await platform.remove(chat.chat_id, leaving)


async def test_joining_and_leaving_a_bound_chat_reach_the_core(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    admin = await max_admin(sb)
    await ask(admin, "/class_add 5А")
    chat = sb.create_chat(title="5А родители", owner=admin)
    await chat.add_bot(admin)
    await chat.send(admin, "/bind parents 5А")
    await chat.wait_message()
    olga = await consented(sb, "Ольга", "Белова")
    await drain(olga)
    await chat.add_member(olga, by=admin)
    listing = await ask(admin, "/chats 5А")
    assert "Белова" in listing.text, "in the chat, not in the class"
    await chat.remove_member(olga)
    listing = await ask(admin, "/chats 5А")
    assert "Белова" not in listing.text
    stored = await max_bot.db.reader.chats.get(chat.chat_id)
    assert stored is not None and stored.messenger == MAX
