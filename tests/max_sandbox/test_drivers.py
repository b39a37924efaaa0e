"""Drivers: users and chats as stories play them; every update they cause fits the schema."""

from __future__ import annotations

from typing import Any

import pytest

from max_sandbox import MaxSandbox, UserDriver
from vk_sandbox import VKSandbox

from .conftest import Api


async def _types(api: Api) -> list[dict[str, Any]]:
    answer = await api.updates()
    await api.updates(marker=answer["marker"])
    updates: list[dict[str, Any]] = answer["updates"]
    return updates


async def test_a_user_writes_to_the_bot(api: Api, sb: MaxSandbox, bob: UserDriver) -> None:
    mid = await bob.send("Здравствуйте")
    (started, created) = await _types(api)
    assert started["update_type"] == "bot_started"  # a first message opens the bot
    message = created["message"]
    assert message["body"]["mid"] == mid and message["body"]["text"] == "Здравствуйте"
    assert message["sender"]["user_id"] == bob.user_id
    assert message["recipient"]["chat_id"] == bob.dialog_id
    assert bob.can_receive


async def test_a_deep_link_and_the_start_word_mean_bot_started(
    api: Api, sb: MaxSandbox, bob: UserDriver
) -> None:
    link = bob.deep_link("inv_5A-x")
    assert link == f"https://max.ru/{sb.bot_username}?start=inv_5A-x"
    await bob.open_link(link)
    carol = sb.add_user(first_name="Карина", last_name="Орлова")
    assert await carol.send("Начать", ref="code7") == ""
    dave = sb.add_user(first_name="Денис", last_name="Львов")
    await dave.send("Начать")
    updates = await _types(api)
    assert [(u["update_type"], u["user"]["user_id"], u["payload"]) for u in updates] == [
        ("bot_started", bob.user_id, "inv_5A-x"),
        ("bot_started", carol.user_id, "code7"),
        ("bot_started", dave.user_id, None),
    ]
    await dave.send("Начать")  # once started, it is a plain message
    (again,) = await _types(api)
    assert again["update_type"] == "message_created"


async def test_a_user_sends_a_file_the_bot_can_download(
    api: Api, sb: MaxSandbox, bob: UserDriver
) -> None:
    await bob.send_file("ученики.xlsx", b"PK\x03\x04roster")
    (_, created) = await _types(api)
    (attachment,) = created["message"]["body"]["attachments"]
    assert attachment["type"] == "file" and attachment["filename"] == "ученики.xlsx"
    async with api.session.get(attachment["payload"]["url"]) as r:
        assert r.status == 200
        assert await r.read() == b"PK\x03\x04roster"


async def test_a_user_sends_a_photo_the_bot_can_download(
    api: Api, sb: MaxSandbox, bob: UserDriver
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    await bob.send("Справка", photo=("spravka.png", png))
    (_, created) = await _types(api)
    (attachment,) = created["message"]["body"]["attachments"]
    assert attachment["type"] == "image" and attachment["payload"]["url"]
    async with api.session.get(attachment["payload"]["url"]) as r:
        assert r.status == 200
        assert await r.read() == png


async def test_pressing_a_button_and_the_answer(
    api: Api, sb: MaxSandbox, alice: UserDriver
) -> None:
    await _types(api)
    keyboard = {
        "type": "inline_keyboard",
        "payload": {
            "buttons": [
                [{"type": "callback", "text": "Согласен", "payload": '{"a":"agree"}'}],
                [{"type": "message", "text": "Помощь"}],
                [{"type": "link", "text": "Сайт", "url": "https://example.ru"}],
            ]
        },
    }
    body = {"text": "Согласие", "attachments": [keyboard]}
    await api.ok("POST", "/messages", query={"user_id": alice.user_id}, body=body)
    reply = await alice.wait_reply()
    callback_id = await alice.press(reply.button("Согласен"))
    await alice.press(reply.button("Помощь"))
    callback, message = await _types(api)
    assert callback["update_type"] == "message_callback"
    assert callback["callback"]["callback_id"] == callback_id
    assert callback["callback"]["payload"] == '{"a":"agree"}'
    assert callback["message"]["body"]["mid"] == reply.id
    assert message["message"]["body"]["text"] == "Помощь"
    await api.ok(
        "POST", "/answers", query={"callback_id": callback_id}, body={"notification": "Ок"}
    )
    assert (await alice.wait_event_answer())["notification"] == "Ок"
    with pytest.raises(ValueError, match="sends nothing"):
        await alice.press(reply.button("Сайт"))


async def test_a_user_who_stopped_the_bot_cannot_receive(
    api: Api, sb: MaxSandbox, alice: UserDriver
) -> None:
    await alice.stop()
    assert not alice.can_receive
    (_, stopped) = await _types(api)
    assert stopped["update_type"] == "bot_stopped"
    await api.error("POST", "/messages", 403, query={"user_id": alice.user_id}, body={"text": "x"})
    await alice.start()
    await api.send("снова", user_id=alice.user_id)
    assert (await alice.wait_reply()).text == "снова"


async def test_a_chat_the_bot_joins_and_people_join_and_leave(
    api: Api, sb: MaxSandbox, alice: UserDriver, bob: UserDriver
) -> None:
    await _types(api)
    carol = sb.add_user(first_name="Карина", last_name="Орлова")
    chat = sb.create_chat("5А родители", owner=alice)
    await chat.add_bot(by=alice)
    await chat.add_member(bob, by=alice)
    await chat.join_by_link(carol)
    await alice.send("/bind 5А", chat=chat)
    await chat.remove_member(carol)
    await chat.remove_member(bob, by=alice)
    await chat.remove_bot(by=alice)
    updates = await _types(api)
    assert [u["update_type"] for u in updates] == [
        "bot_added",
        "user_added",
        "user_added",
        "message_created",
        "user_removed",
        "user_removed",
        "bot_removed",
    ]
    assert all(u.get("chat_id", chat.chat_id) == chat.chat_id for u in updates)
    assert updates[1]["inviter_id"] == alice.user_id and updates[2]["inviter_id"] is None
    assert "admin_id" not in updates[4] and updates[5]["admin_id"] == alice.user_id
    assert updates[3]["message"]["recipient"] == {
        "chat_id": chat.chat_id,
        "chat_type": "chat",
        "user_id": None,
    }
    assert chat.member_ids == [alice.user_id]


async def test_the_bot_hears_a_chat_only_as_its_admin_and_writes_there(
    api: Api, sb: MaxSandbox, alice: UserDriver
) -> None:
    await _types(api)
    chat = sb.create_chat("5Б", owner=alice)
    await chat.add_bot(by=alice, admin=False)
    await alice.send("не слышно", chat=chat)
    assert [u["update_type"] for u in await _types(api)] == ["bot_added"]
    chat.set_bot_admin()
    await alice.send("слышно", chat=chat)
    assert [u["message"]["body"]["text"] for u in await _types(api)] == ["слышно"]
    await api.send("Привет, 5Б", chat_id=chat.chat_id)
    posted = await chat.wait_message()
    assert posted.text == "Привет, 5Б" and posted.peer_id == chat.chat_id
    await chat.expect_silence(0.05)


async def test_a_user_is_named_as_each_messenger_names_them(sb: MaxSandbox) -> None:
    assert sb.add_user(user_id=123).ref == "max:123"
    async with VKSandbox(rate_limit=None) as vk:
        assert vk.add_user(user_id=456).ref == "id456"
