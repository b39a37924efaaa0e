"""messages.getConversations / messages.getHistory: recovering what the long poll lost."""

from __future__ import annotations

import json
from typing import Any

import pytest
from vkbottle import API, Keyboard, PhotoMessageUploader, Text, VKAPIError

from vk_sandbox import UserDriver, VKSandbox

from .conftest import Raw, VKSchema
from .test_uploads import tiny_png


async def conversations(api: API, **params: Any) -> dict[str, Any]:
    answer: dict[str, Any] = await api.request("messages.getConversations", params)
    return answer


async def history(api: API, **params: Any) -> dict[str, Any]:
    answer: dict[str, Any] = await api.request("messages.getHistory", params)
    return answer


def peers(answer: dict[str, Any]) -> list[int]:
    return [item["conversation"]["peer"]["id"] for item in answer["response"]["items"]]


def texts(answer: dict[str, Any]) -> list[str]:
    return [message["text"] for message in answer["response"]["items"]]


async def test_unanswered_follows_the_last_message(
    api: API, sandbox: VKSandbox, alice: UserDriver, bob: UserDriver, vk_schema: VKSchema
) -> None:
    assert (await conversations(api))["response"] == {"count": 0, "items": []}
    await alice.send("Здравствуйте!")
    await bob.send("Когда собрание?")
    answer = await conversations(api)
    vk_schema.response("messages_getConversations_response", answer)
    assert peers(answer) == [bob.user_id, alice.user_id]  # newest first
    assert answer["response"]["count"] == 2
    assert answer["response"]["unread_count"] == 2
    first = answer["response"]["items"][1]
    conversation = first["conversation"]
    assert conversation["peer"] == {"id": alice.user_id, "type": "user", "local_id": alice.user_id}
    assert conversation["unanswered"] is True
    assert conversation["unread_count"] == 1
    assert conversation["can_write"] == {"allowed": True}
    assert conversation["last_message_id"] == first["last_message"]["id"]
    assert conversation["last_conversation_message_id"] == 1
    assert first["last_message"]["text"] == "Здравствуйте!"
    assert first["last_message"]["out"] == 0
    assert first["last_message"]["from_id"] == alice.user_id

    typed = await api.messages.get_conversations(filter="unanswered")
    assert typed.count == 2
    assert [i.conversation.peer.id for i in typed.items] == [bob.user_id, alice.user_id]
    assert typed.items[0].conversation.unanswered is True
    assert typed.items[0].last_message is not None
    assert typed.items[0].last_message.text == "Когда собрание?"

    reply_id = await api.messages.send(peer_id=alice.user_id, message="Добрый день", random_id=1)
    answer = await conversations(api)
    vk_schema.response("messages_getConversations_response", answer)
    assert peers(answer) == [alice.user_id, bob.user_id]  # the reply moved her dialog up
    top = answer["response"]["items"][0]
    assert top["conversation"]["unanswered"] is False
    assert "unread_count" not in top["conversation"]
    assert top["conversation"]["in_read"] == reply_id  # writing, the community read it all
    assert top["conversation"]["last_message_id"] == reply_id
    assert top["last_message"]["out"] == 1
    assert top["last_message"]["from_id"] == -sandbox.group_id
    assert top["last_message"]["conversation_message_id"] == 2
    assert answer["response"]["unread_count"] == 1
    unanswered = await conversations(api, filter="unanswered")
    assert peers(unanswered) == [bob.user_id]
    assert peers(await conversations(api, filter="unread")) == [bob.user_id]
    assert (await conversations(api, filter="important"))["response"]["count"] == 0

    again = await alice.send("Спасибо, а во сколько?")
    answer = await conversations(api, filter="unanswered")
    assert peers(answer) == [alice.user_id, bob.user_id]
    conversation = answer["response"]["items"][0]["conversation"]
    assert conversation["unanswered"] is True
    assert conversation["out_read"] == again  # writing, she read the reply
    assert conversation["in_read"] == reply_id
    typed = await api.messages.get_conversations(filter="unanswered")
    assert typed.items[0].conversation.unanswered is True


async def test_conversations_paging_extended_and_chats(
    api: API, raw: Raw, sandbox: VKSandbox, alice: UserDriver, bob: UserDriver, vk_schema: VKSchema
) -> None:
    chat = sandbox.create_chat("5А Родители", owner=alice, members=[bob], bot_member=True)
    await alice.send("лично")
    await bob.send("в беседе", chat=chat)
    await bob.send("лично от Бориса")
    everything = await conversations(api)
    assert peers(everything) == [bob.user_id, chat.peer_id, alice.user_id]
    page = await conversations(api, offset=1, count=1)
    assert peers(page) == [chat.peer_id]
    assert page["response"]["count"] == 3
    assert peers(await conversations(api, offset=3)) == []

    item = page["response"]["items"][0]
    vk_schema.object("messages/objects.json", "messages_conversation_with_message", item)
    settings = item["conversation"]["chat_settings"]
    assert item["conversation"]["peer"] == {
        "id": chat.peer_id,
        "type": "chat",
        "local_id": chat.chat_id,
    }
    assert settings["title"] == "5А Родители"
    assert settings["owner_id"] == alice.user_id
    assert settings["state"] == "in"
    assert settings["members_count"] == 3
    assert settings["acl"]["can_see_invite_link"] is False
    assert item["last_message"]["id"] == 0  # a user's chat message, as the bot sees it
    assert item["last_message"]["peer_id"] == chat.peer_id

    extended = await conversations(api, extended=1)
    vk_schema.response("messages_getConversations_response", extended)
    profiles = {p["id"]: p for p in extended["response"]["profiles"]}
    assert set(profiles) == {alice.user_id, bob.user_id}
    assert profiles[alice.user_id]["screen_name"] == "alice_s"
    assert extended["response"]["groups"] == []
    await api.messages.send(peer_id=chat.peer_id, message="Здравствуйте", random_id=1)
    extended = await conversations(api, extended=1, count=1)
    assert [g["id"] for g in extended["response"]["groups"]] == [sandbox.group_id]
    assert extended["response"]["profiles"] == []
    typed = await api.messages.get_conversations(extended=True, count=1)
    assert typed.groups is not None and typed.groups[0].id == sandbox.group_id
    chat_conv = typed.items[0].conversation
    assert chat_conv.chat_settings is not None
    assert chat_conv.chat_settings.title == "5А Родители"

    for params, detail in (
        ({"filter": "archived"}, "filter should be one of"),
        ({"count": 201}, "count should be less or equal to 200"),
        ({"offset": -1}, "offset should be positive"),
    ):
        error = await raw.error("messages.getConversations", **params)
        assert error["error_code"] == 100
        assert detail in error["error_msg"]


async def test_history_order_offset_rev_and_start(
    api: API, raw: Raw, sandbox: VKSandbox, alice: UserDriver, vk_schema: VKSchema
) -> None:
    ids: list[int] = []
    for i in range(3):
        ids.append(await alice.send(f"вопрос {i}"))
        ids.append(
            await api.messages.send(peer_id=alice.user_id, message=f"ответ {i}", random_id=i + 1)
        )
    answer = await history(api, peer_id=alice.user_id)
    vk_schema.response("messages_getHistory_response", answer)
    assert answer["response"]["count"] == 6
    assert texts(answer) == ["ответ 2", "вопрос 2", "ответ 1", "вопрос 1", "ответ 0", "вопрос 0"]
    assert [m["id"] for m in answer["response"]["items"]] == ids[::-1]
    assert [m["conversation_message_id"] for m in answer["response"]["items"]] == [
        6,
        5,
        4,
        3,
        2,
        1,
    ]
    assert [m["out"] for m in answer["response"]["items"]] == [1, 0] * 3
    assert {m["from_id"] for m in answer["response"]["items"][::2]} == {-sandbox.group_id}

    page = await history(api, peer_id=alice.user_id, offset=1, count=2)
    assert page["response"]["count"] == 6
    assert texts(page) == ["вопрос 2", "ответ 1"]
    assert texts(await history(api, user_id=alice.user_id, rev=1, count=3)) == [
        "вопрос 0",
        "ответ 0",
        "вопрос 1",
    ]
    older = await history(api, peer_id=alice.user_id, start_message_id=ids[3], count=3)
    assert texts(older) == ["ответ 1", "вопрос 1", "ответ 0"]
    newer = await history(api, peer_id=alice.user_id, start_message_id=ids[3], rev=1)
    assert texts(newer) == ["ответ 1", "вопрос 2", "ответ 2"]
    around = await history(api, peer_id=alice.user_id, start_message_id=ids[3], offset=-1, count=3)
    assert texts(around) == ["вопрос 2", "ответ 1", "вопрос 1"]

    typed = await api.messages.get_history(peer_id=alice.user_id, count=2)
    assert typed.count == 6
    assert [m.text for m in typed.items] == ["ответ 2", "вопрос 2"]
    assert typed.items[0].out is True
    assert typed.items[0].from_id == -sandbox.group_id

    nobody = await history(api, peer_id=123)
    assert nobody["response"] == {"count": 0, "items": []}
    error = await raw.error("messages.getHistory", peer_id=alice.user_id, count=500)
    assert error["error_code"] == 100
    error = await raw.error("messages.getHistory", peer_id=-1)
    assert error["error_code"] == 932


async def test_history_shows_edits_keyboards_and_attachments(
    api: API, sandbox: VKSandbox, alice: UserDriver, vk_schema: VKSchema
) -> None:
    await alice.send("вот справка", document=("справка.pdf", b"%PDF-1.4"))
    keyboard = Keyboard(inline=True).add(Text("Да", payload={"ok": 1})).get_json()
    photo = await PhotoMessageUploader(api).upload(tiny_png(), peer_id=alice.peer_id)
    message_id = await api.messages.send(
        peer_id=alice.user_id,
        message="Получили?",
        keyboard=keyboard,
        attachment=photo,
        random_id=7,
    )
    answer = await history(api, peer_id=alice.user_id)
    vk_schema.response("messages_getHistory_response", answer)
    sent, incoming = answer["response"]["items"]
    assert sent["text"] == "Получили?"
    assert sent["random_id"] == 7
    assert "update_time" not in sent
    assert sent["keyboard"]["author_id"] == -sandbox.group_id
    assert sent["keyboard"]["inline"] is True
    assert sent["keyboard"]["buttons"][0][0]["action"]["label"] == "Да"
    assert incoming["attachments"][0]["doc"]["title"] == "справка.pdf"
    assert sent["attachments"][0]["type"] == "photo"
    assert sent["attachments"][0]["photo"]["owner_id"] == -sandbox.group_id
    await api.messages.edit(peer_id=alice.user_id, message_id=message_id, message="Получили!")
    answer = await history(api, peer_id=alice.user_id)
    vk_schema.response("messages_getHistory_response", answer)
    edited = answer["response"]["items"][0]
    assert edited["id"] == message_id
    assert edited["text"] == "Получили!"
    assert edited["update_time"] >= sent["date"]
    assert edited["version"] > sent["version"]
    assert "keyboard" not in edited  # an edit without keyboard drops it
    last = (await conversations(api))["response"]["items"][0]["last_message"]
    assert last["text"] == "Получили!"
    assert last["version"] > incoming["version"]
    assert [m.text for m in alice.messages] == ["Получили!"]


async def test_chat_history_needs_membership(
    api: API, raw: Raw, sandbox: VKSandbox, alice: UserDriver, bob: UserDriver, vk_schema: VKSchema
) -> None:
    chat = sandbox.create_chat("Учителя", owner=alice, members=[bob])
    await alice.send("до бота", chat=chat)
    with pytest.raises(VKAPIError[917]):
        await history(api, peer_id=chat.peer_id)
    error = await raw.error("messages.getHistory", peer_id=sandbox.create_chat().peer_id + 50)
    assert error["error_code"] == 917
    assert error["error_msg"] == "You don't have access to this chat"

    await chat.add_bot(by=alice)
    chat.set_bot_full_access(False)
    await bob.send("без упоминания", chat=chat)  # the bot does not see it
    await bob.send("/help", chat=chat)
    await api.messages.send(peer_id=chat.peer_id, message="Чем помочь?", random_id=1)
    answer = await history(api, peer_id=chat.peer_id)
    vk_schema.response("messages_getHistory_response", answer)
    items = answer["response"]["items"]
    assert texts(answer) == ["Чем помочь?", "/help", ""]
    assert items[2]["action"] == {"type": "chat_invite_user", "member_id": -sandbox.group_id}
    assert [m["id"] for m in items[1:]] == [0, 0]
    assert [m["conversation_message_id"] for m in items] == [5, 4, 2]
    typed = await api.messages.get_history(peer_id=chat.peer_id)
    assert typed.items[1].text == "/help"

    await chat.remove_bot(by=alice)
    with pytest.raises(VKAPIError[917]):
        await history(api, peer_id=chat.peer_id)
    listed = await conversations(api)
    vk_schema.response("messages_getConversations_response", listed)
    conversation = listed["response"]["items"][0]["conversation"]
    assert conversation["chat_settings"]["state"] == "kicked"
    assert conversation["can_write"]["allowed"] is False


async def test_peer_ids_and_execute(
    api: API, raw: Raw, sandbox: VKSandbox, alice: UserDriver, bob: UserDriver
) -> None:
    await alice.send("a")
    await bob.send("b")
    chat = sandbox.create_chat(owner=bob, bot_member=True)
    sent = await raw.ok(
        "messages.send",
        peer_ids=f"{alice.user_id},{chat.peer_id}",
        message="всем",
        random_id=3,
    )
    for item in sent:
        got = (await history(api, peer_id=item["peer_id"], count=1))["response"]["items"][0]
        assert got["text"] == "всем"
        assert got["id"] == item["message_id"]
        assert got["conversation_message_id"] == item["conversation_message_id"]
    send = {"peer_id": bob.user_id, "message": "через execute", "random_id": 4}
    code = (
        f"return [API.messages.send({json.dumps(send, ensure_ascii=False)}), "
        'API.messages.getConversations({"filter": "unanswered"}), '
        f'API.messages.getHistory({{"peer_id": {bob.user_id}, "count": 1}})];'
    )
    message_id, unanswered, bob_history = await raw.ok("execute", code=code)
    assert unanswered == {"count": 0, "items": []}
    assert bob_history["items"][0]["id"] == message_id
    assert bob_history["items"][0]["text"] == "через execute"
    nested = [c.method for c in sandbox.calls if c.via_execute]
    assert nested == ["messages.send", "messages.getConversations", "messages.getHistory"]


async def test_both_count_against_the_rate_limit(raw: Raw, sandbox: VKSandbox) -> None:
    sandbox.rate_limit = 2
    assert "response" in await raw.call("messages.getConversations")
    assert "response" in await raw.call("messages.getHistory", peer_id=1)
    assert (await raw.call("messages.getConversations"))["error"]["error_code"] == 6
    assert (await raw.call("messages.getHistory", peer_id=1))["error"]["error_code"] == 6


async def test_recovering_messages_the_long_poll_lost(raw: Raw) -> None:
    """After ``failed: 1`` the bot finds unanswered dialogs and reads what it missed."""
    sb = VKSandbox(rate_limit=None, history=2)
    await sb.start()
    raw.sandbox = sb
    vk = API(sb.token)
    vk.API_URL = sb.api_url
    try:
        server = await raw.server()
        vera = sb.add_user("Вера", "В")
        gleb = sb.add_user("Глеб", "Г")
        for i in range(3):
            await vera.send(f"Вера {i}")
        await gleb.send("Глеб 0")
        assert (await raw.a_check(server))["failed"] == 1
        lost = await vk.messages.get_conversations(filter="unanswered")
        recovered: dict[int, list[str]] = {}
        for item in lost.items:
            peer_id = item.conversation.peer.id
            unread = item.conversation.unread_count or 0
            got = await vk.messages.get_history(peer_id=peer_id, count=unread, rev=0)
            recovered[peer_id] = [m.text for m in reversed(got.items)]
        assert recovered == {
            gleb.user_id: ["Глеб 0"],
            vera.user_id: ["Вера 0", "Вера 1", "Вера 2"],
        }
    finally:
        await vk.http_client.close()
        await sb.stop()
