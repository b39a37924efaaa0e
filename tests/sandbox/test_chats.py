"""Group chats: joining, messages, members, invite links, kicking."""

from __future__ import annotations

import pytest
from vkbottle import API, VKAPIError
from vkbottle_types.events.bot_events import MessageNew

from vk_sandbox import UserDriver, VKSandbox

from .conftest import Raw, VKSchema


async def test_add_bot_and_chat_messages(
    api: API, raw: Raw, sandbox: VKSandbox, alice: UserDriver, bob: UserDriver, vk_schema: VKSchema
) -> None:
    chat = sandbox.create_chat(title="5А Родители", owner=alice, members=[bob])
    assert chat.peer_id == 2_000_000_000 + chat.chat_id
    server = await raw.server()
    await alice.send("до бота", chat=chat)  # the bot is not there: it sees nothing
    with pytest.raises(VKAPIError[917]):
        await api.messages.send(peer_id=chat.peer_id, message="x", random_id=1)
    await chat.add_bot(by=alice)
    await bob.send("Всем привет", chat=chat)
    updates = (await raw.a_check(server))["updates"]
    assert len(updates) == 2
    for update in updates:
        vk_schema.event(update)
    invite = updates[0]["object"]["message"]
    assert invite["action"] == {"type": "chat_invite_user", "member_id": -sandbox.group_id}
    assert invite["from_id"] == alice.user_id
    assert invite["peer_id"] == chat.peer_id
    text = updates[1]["object"]["message"]
    assert text["id"] == 0  # bots see chat messages with id 0
    assert text["from_id"] == bob.user_id
    assert text["conversation_message_id"] == 3
    parsed = MessageNew.model_validate(updates[0])
    assert parsed.object.message is not None
    assert parsed.object.message.action is not None
    await api.messages.send(peer_id=chat.peer_id, message="Здравствуйте", random_id=1)
    reply = await chat.wait_message(1)
    assert reply.text == "Здравствуйте"
    assert reply.conversation_message_id == 4
    await alice.expect_silence(0.01)  # it went to the chat, not to her dialog
    assert chat.messages == [reply]
    assert set(chat.member_ids) == {alice.user_id, bob.user_id, -sandbox.group_id}


async def test_mentions_only_without_full_access(
    raw: Raw, sandbox: VKSandbox, alice: UserDriver
) -> None:
    chat = sandbox.create_chat(owner=alice, bot_member=True, bot_full_access=False)
    server = await raw.server()
    await alice.send("просто так", chat=chat)
    await alice.send("/start", chat=chat)
    await alice.send(f"[club{sandbox.group_id}|@gym44tver] помоги", chat=chat)
    texts = [u["object"]["message"]["text"] for u in (await raw.a_check(server))["updates"]]
    assert texts == ["/start", f"[club{sandbox.group_id}|@gym44tver] помоги"]
    chat.set_bot_admin(True)
    await alice.send("теперь всё", chat=chat)
    assert len((await raw.a_check(server, ts=int(server["ts"]) + 2))["updates"]) == 1


async def test_get_conversation_members(
    api: API, raw: Raw, sandbox: VKSandbox, alice: UserDriver, bob: UserDriver, vk_schema: VKSchema
) -> None:
    chat = sandbox.create_chat(owner=alice, members=[bob], bot_member=True)
    error = await raw.error("messages.getConversationMembers", peer_id=chat.peer_id)
    assert error["error_code"] == 917
    assert error["error_msg"] == "You don't have access to this chat"
    chat.set_bot_admin(True)
    answer = await raw.call("messages.getConversationMembers", peer_id=chat.peer_id)
    vk_schema.response("messages_getConversationMembers_response", answer)
    members = {m["member_id"]: m for m in answer["response"]["items"]}
    assert answer["response"]["count"] == 3
    assert members[alice.user_id]["is_owner"] is True
    assert members[alice.user_id]["is_admin"] is True
    assert members[bob.user_id]["invited_by"] == alice.user_id
    assert members[bob.user_id]["can_kick"] is True
    assert members[-sandbox.group_id]["is_admin"] is True
    assert {p["id"] for p in answer["response"]["profiles"]} == {alice.user_id, bob.user_id}
    assert answer["response"]["groups"][0]["id"] == sandbox.group_id
    typed = await api.messages.get_conversation_members(peer_id=chat.peer_id)
    assert typed.count == 3
    other = sandbox.create_chat(owner=bob)
    error = await raw.error("messages.getConversationMembers", peer_id=other.peer_id)
    assert error["error_code"] == 917


async def test_invite_link(
    raw: Raw, sandbox: VKSandbox, alice: UserDriver, vk_schema: VKSchema
) -> None:
    chat = sandbox.create_chat(owner=alice, bot_member=True)
    error = await raw.error("messages.getInviteLink", peer_id=chat.peer_id)
    assert error["error_code"] == 919
    chat.set_bot_admin(True)
    answer = await raw.call("messages.getInviteLink", peer_id=chat.peer_id)
    vk_schema.response("messages_getInviteLink_response", answer)
    link = answer["response"]["link"]
    assert link.startswith("https://vk.me/join/")
    assert (await raw.ok("messages.getInviteLink", peer_id=chat.peer_id))["link"] == link
    reset = (await raw.ok("messages.getInviteLink", peer_id=chat.peer_id, reset=1))["link"]
    assert reset != link
    assert (await raw.ok("messages.getInviteLink", peer_id=chat.peer_id, reset=0))["link"] == reset


async def test_remove_chat_user(
    raw: Raw, sandbox: VKSandbox, alice: UserDriver, bob: UserDriver, vk_schema: VKSchema
) -> None:
    carol = sandbox.add_user("Карина", "К")
    chat = sandbox.create_chat(owner=alice, members=[bob], bot_member=True)
    error = await raw.error("messages.removeChatUser", chat_id=chat.chat_id, user_id=bob.user_id)
    assert error["error_code"] == 925
    assert error["error_msg"] == "You are not admin of this chat"
    chat.set_bot_admin(True)
    answer = await raw.call("messages.removeChatUser", chat_id=chat.chat_id, member_id=bob.user_id)
    vk_schema.response("base_ok_response", answer)
    assert bob.user_id not in chat.member_ids
    error = await raw.error("messages.removeChatUser", chat_id=chat.chat_id, user_id=carol.user_id)
    assert error["error_code"] == 935
    assert error["error_msg"] == "User not found in chat"
    error = await raw.error("messages.removeChatUser", chat_id=chat.chat_id, user_id=alice.user_id)
    assert error["error_code"] == 15
    error = await raw.error("messages.removeChatUser", chat_id=999, user_id=alice.user_id)
    assert error["error_code"] == 917


async def test_members_join_and_leave_events(
    raw: Raw, sandbox: VKSandbox, alice: UserDriver, bob: UserDriver, vk_schema: VKSchema
) -> None:
    chat = sandbox.create_chat(owner=alice, bot_member=True)
    server = await raw.server()
    await chat.add_member(bob)
    await chat.remove_member(bob)
    updates = (await raw.a_check(server))["updates"]
    actions = [u["object"]["message"]["action"] for u in updates]
    assert actions == [
        {"type": "chat_invite_user", "member_id": bob.user_id},
        {"type": "chat_kick_user", "member_id": bob.user_id},
    ]
    for update in updates:
        vk_schema.event(update)
    assert bob.user_id not in chat.member_ids
    with pytest.raises(ValueError, match="not a member"):
        await bob.send("я тут?", chat=chat)
