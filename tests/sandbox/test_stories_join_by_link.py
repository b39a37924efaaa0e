"""A member who joins a chat by its invite link: the event VK sends for it."""

from __future__ import annotations

from vk_sandbox import UserDriver, VKSandbox

from .conftest import Raw, VKSchema


async def test_joining_by_link_is_an_event_written_by_who_joined(
    raw: Raw, sandbox: VKSandbox, alice: UserDriver, bob: UserDriver, vk_schema: VKSchema
) -> None:
    chat = sandbox.create_chat(owner=alice, bot_member=True)
    server = await raw.server()
    await chat.join_by_link(bob)
    updates = (await raw.a_check(server))["updates"]
    assert len(updates) == 1
    message = updates[0]["object"]["message"]
    assert message["from_id"] == bob.user_id
    assert message["action"] == {"type": "chat_invite_user_by_link", "member_id": bob.user_id}
    vk_schema.event(updates[0])
    assert bob.user_id in chat.member_ids
