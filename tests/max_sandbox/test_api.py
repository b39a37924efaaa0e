"""Endpoints: each one's happy path and its errors, answers checked against the schema."""

from __future__ import annotations

import aiohttp
import pytest

from max_sandbox import MaxSandbox, UserDriver

from .conftest import Api


async def test_me_names_the_bot_with_its_username(api: Api, sb: MaxSandbox) -> None:
    me = await api.ok("GET", "/me")
    assert me["user_id"] == sb.bot_id
    assert me["username"] == sb.bot_username
    assert me["is_bot"] is True


async def test_a_wrong_or_missing_token_is_refused_with_401(api: Api) -> None:
    for token in ("wrong", None):
        error = await api.error("GET", "/me", 401, token=token)
        assert error["code"] == "verify.token"


async def test_the_older_access_token_parameter_is_accepted(api: Api, sb: MaxSandbox) -> None:
    me = await api.ok("GET", "/me", token=None, query={"access_token": sb.token})
    assert me["username"] == sb.bot_username
    assert sb.calls[-1].query == {}  # the token is not recorded


async def test_an_unknown_path_is_404_and_a_wrong_verb_405(api: Api, sb: MaxSandbox) -> None:
    async with api.session.get(sb.api_url + "/nothing", headers={"Authorization": sb.token}) as r:
        assert r.status == 404
        assert set(await r.json()) == {"code", "message"}
    async with api.session.patch(sb.api_url + "/me", headers={"Authorization": sb.token}) as r:
        assert r.status == 405
        assert (await r.json())["code"] == "method.not.allowed"


async def test_chats_list_the_bots_group_chats_with_negative_ids(
    api: Api, sb: MaxSandbox, alice: UserDriver
) -> None:
    chat = sb.create_chat("5А родители", owner=alice, bot_admin=True)
    sb.create_chat("Чужой чат")
    listed = await api.ok("GET", "/chats")
    assert [c["chat_id"] for c in listed["chats"]] == [chat.chat_id]
    assert chat.chat_id < 0
    one = await api.ok("GET", f"/chats/{chat.chat_id}", route="/chats/{chatId}")
    assert one["title"] == "5А родители"
    assert one["link"] == chat.link


async def test_the_chats_list_can_be_gone_as_the_docs_announce(api: Api, sb: MaxSandbox) -> None:
    sb.chats_list = False
    await api.error("GET", "/chats", 404)


async def test_a_dialog_is_a_chat_with_a_positive_id(api: Api, alice: UserDriver) -> None:
    dialog = await api.ok("GET", f"/chats/{alice.dialog_id}", route="/chats/{chatId}")
    assert dialog["type"] == "dialog"
    assert dialog["dialog_with_user"]["user_id"] == alice.user_id
    assert alice.dialog_id > 0


async def test_an_unknown_or_foreign_chat_is_an_error(api: Api, sb: MaxSandbox) -> None:
    error = await api.error("GET", "/chats/-5", 404, route="/chats/{chatId}")
    assert error["code"] == "chat.not.found"
    foreign = sb.create_chat("Без бота")
    await api.error("GET", f"/chats/{foreign.chat_id}", 403, route="/chats/{chatId}")


async def test_a_public_chat_is_found_by_its_link_a_private_one_is_not(
    api: Api, sb: MaxSandbox
) -> None:
    public = sb.create_chat("Новости гимназии", bot_member=True, public_name="gym44news")
    private = sb.create_chat("Секретный", bot_member=True)
    found = await api.ok("GET", "/chats/@gym44news", route="/chats/{chatLink}")
    assert found["chat_id"] == public.chat_id
    assert private.link is not None and "/join/" in private.link
    await api.error("GET", "/chats/nosuchlink", 404, route="/chats/{chatLink}")


async def test_members_are_listed_page_by_page_with_a_marker(
    api: Api, sb: MaxSandbox, alice: UserDriver
) -> None:
    others = [sb.add_user(first_name="Родитель", last_name=str(i)) for i in range(4)]
    chat = sb.create_chat("5А", owner=alice, members=others, bot_admin=True)
    route = "/chats/{chatId}/members"
    seen: list[int] = []
    marker = None
    while True:
        query = {"count": 2} if marker is None else {"count": 2, "marker": marker}
        page = await api.ok("GET", f"/chats/{chat.chat_id}/members", query=query, route=route)
        seen += [m["user_id"] for m in page["members"]]
        marker = page["marker"]
        if marker is None:
            break
    assert sorted(seen) == sorted(chat.member_ids)
    owner = await api.ok(
        "GET", f"/chats/{chat.chat_id}/members", query={"user_ids": alice.user_id}, route=route
    )
    assert owner["members"][0]["is_owner"] is True


async def test_members_need_the_bot_to_be_an_admin(api: Api, sb: MaxSandbox) -> None:
    chat = sb.create_chat("5А", bot_member=True)
    path = f"/chats/{chat.chat_id}/members"
    error = await api.error("GET", path, 403, route="/chats/{chatId}/members")
    assert error["code"] == "chat.denied"
    await api.error("POST", path, 403, route="/chats/{chatId}/members", body={"user_ids": [1]})


async def test_adding_members_reports_who_could_not_be_added(
    api: Api, sb: MaxSandbox, alice: UserDriver, bob: UserDriver
) -> None:
    chat = sb.create_chat("5А", bot_admin=True)
    shy = sb.add_user(first_name="Тихий", last_name="Родитель")
    shy.set_private()
    path, route = f"/chats/{chat.chat_id}/members", "/chats/{chatId}/members"
    ok = await api.ok("POST", path, route=route, body={"user_ids": [alice.user_id]})
    assert ok == {"success": True}
    result = await api.ok(
        "POST", path, route=route, body={"user_ids": [bob.user_id, 777, shy.user_id]}
    )
    assert result["success"] is False
    assert sorted(result["failed_user_ids"]) == sorted([777, shy.user_id])
    codes = {d["error_code"] for d in result["failed_user_details"]}
    assert codes == {"add.participant.not.found", "add.participant.privacy"}
    assert bob.user_id in chat.member_ids and shy.user_id not in chat.member_ids


async def test_removing_a_member(api: Api, sb: MaxSandbox, alice: UserDriver) -> None:
    chat = sb.create_chat("5А", members=[alice], bot_admin=True)
    path, route = f"/chats/{chat.chat_id}/members", "/chats/{chatId}/members"
    ok = await api.ok("DELETE", path, route=route, query={"user_id": alice.user_id})
    assert ok["success"] is True
    assert alice.user_id not in chat.member_ids
    await api.error("DELETE", path, 404, route=route, query={"user_id": alice.user_id})


async def test_the_bot_reads_its_own_membership_and_the_admins(api: Api, sb: MaxSandbox) -> None:
    chat = sb.create_chat("5А", bot_member=True)
    me = await api.ok(
        "GET", f"/chats/{chat.chat_id}/members/me", route="/chats/{chatId}/members/me"
    )
    assert me["user_id"] == sb.bot_id and me["is_admin"] is False
    chat.set_bot_admin()
    admins = await api.ok(
        "GET", f"/chats/{chat.chat_id}/members/admins", route="/chats/{chatId}/members/admins"
    )
    assert {m["user_id"] for m in admins["members"]} == {sb.bot_id, chat.state.owner_id}


async def test_a_message_to_a_user_reaches_their_inbox(
    api: Api, sb: MaxSandbox, alice: UserDriver
) -> None:
    answer = await api.send("Здравствуйте!", user_id=alice.user_id)
    message = answer["message"]
    assert message["recipient"] == {
        "chat_id": alice.dialog_id,
        "chat_type": "dialog",
        "user_id": alice.user_id,
    }
    assert message["timestamp"] > 10**12  # milliseconds
    reply = await alice.wait_reply()
    assert reply.text == "Здравствуйте!"
    assert reply.id == message["body"]["mid"]
    by_chat = await api.send("Ещё", chat_id=alice.dialog_id)
    assert by_chat["message"]["recipient"]["user_id"] == alice.user_id


async def test_formatting_and_a_keyboard_are_kept(api: Api, alice: UserDriver) -> None:
    keyboard = {
        "type": "inline_keyboard",
        "payload": {
            "buttons": [
                [{"type": "callback", "text": "Да", "payload": "yes", "intent": "positive"}],
                [{"type": "link", "text": "Сайт", "url": "https://example.ru"}],
                [{"type": "message", "text": "Помощь"}],
            ]
        },
    }
    body = {"text": "**Выберите**", "format": "markdown", "attachments": [keyboard]}
    answer = await api.ok("POST", "/messages", query={"user_id": alice.user_id}, body=body)
    assert answer["message"]["body"]["attachments"][0]["type"] == "inline_keyboard"
    reply = await alice.wait_reply()
    assert reply.format == "markdown"
    assert reply.labels == ["Да", "Сайт", "Помощь"]
    assert reply.button("Да").payload == "yes"
    assert reply.button("Сайт").link == "https://example.ru"


async def test_bad_messages_are_refused_with_400(api: Api, alice: UserDriver) -> None:
    query = {"user_id": alice.user_id}
    long = await api.error(
        "POST", "/messages", 400, query=query, body={"text": "я" * 4001}, check_request=False
    )
    assert "4000" in long["message"]
    await api.error("POST", "/messages", 400, query=query, body={"text": ""})
    await api.error("POST", "/messages", 400, body={"text": "кому?"})
    wide_row = [{"type": "link", "text": str(i), "url": "https://a.ru"} for i in range(4)]
    too_wide = {"type": "inline_keyboard", "payload": {"buttons": [wide_row]}}
    await api.error(
        "POST", "/messages", 400, query=query, body={"text": "x", "attachments": [too_wide]}
    )
    rows = [[{"type": "callback", "text": "x", "payload": "p"}] for _ in range(31)]
    too_tall = {"type": "inline_keyboard", "payload": {"buttons": rows}}
    await api.error(
        "POST", "/messages", 400, query=query, body={"text": "x", "attachments": [too_tall]}
    )
    no_payload = {
        "type": "inline_keyboard",
        "payload": {"buttons": [[{"type": "callback", "text": "x"}]]},
    }
    await api.error(
        "POST",
        "/messages",
        400,
        query=query,
        body={"text": "x", "attachments": [no_payload]},
        check_request=False,  # the schema refuses it too
    )
    assert alice.unread == []


async def test_sending_to_someone_unreachable_is_an_error(
    api: Api, sb: MaxSandbox, alice: UserDriver, bob: UserDriver
) -> None:
    never = await api.error(
        "POST", "/messages", 404, query={"user_id": bob.user_id}, body={"text": "x"}
    )
    assert never["code"] == "chat.not.found"
    await alice.stop()
    blocked = await api.error(
        "POST", "/messages", 403, query={"user_id": alice.user_id}, body={"text": "x"}
    )
    assert blocked == {"code": "chat.denied", "message": "error.dialog.suspended"}
    await api.error("POST", "/messages", 404, query={"chat_id": -1}, body={"text": "x"})
    foreign = sb.create_chat("Без бота")
    await api.error(
        "POST", "/messages", 403, query={"chat_id": foreign.chat_id}, body={"text": "x"}
    )
    assert sb.sent == []


async def test_a_chat_reads_back_newest_first(api: Api, sb: MaxSandbox, alice: UserDriver) -> None:
    for text in ("раз", "два", "три"):
        await api.send(text, user_id=alice.user_id)
    read = await api.ok("GET", "/messages", query={"chat_id": alice.dialog_id})
    texts = [m["body"]["text"] for m in read["messages"]]
    assert texts[:3] == ["три", "два", "раз"]
    two = await api.ok("GET", "/messages", query={"chat_id": alice.dialog_id, "count": 2})
    assert len(two["messages"]) == 2
    mids = [m["body"]["mid"] for m in read["messages"][:2]]
    picked = await api.ok("GET", "/messages", query={"message_ids": ",".join(mids)})
    assert {m["body"]["mid"] for m in picked["messages"]} == set(mids)
    one = await api.ok("GET", f"/messages/{mids[0]}", route="/messages/{messageId}")
    assert one["body"]["text"] == "три"
    await api.error("GET", "/messages/mid.nothing", 404, route="/messages/{messageId}")
    await api.error("GET", "/messages", 400)


async def test_editing_and_deleting_a_message(api: Api, sb: MaxSandbox, alice: UserDriver) -> None:
    mid = (await api.send("Черновик", user_id=alice.user_id))["message"]["body"]["mid"]
    reply = await alice.wait_reply()
    ok = await api.ok("PUT", "/messages", query={"message_id": mid}, body={"text": "Готово"})
    assert ok == {"success": True}
    assert reply.text == "Готово" and reply.edited
    await api.ok("DELETE", "/messages", query={"message_id": mid})
    assert reply.deleted
    read = await api.ok("GET", "/messages", query={"chat_id": alice.dialog_id})
    assert mid not in {m["body"]["mid"] for m in read["messages"]}
    await api.error("PUT", "/messages", 404, query={"message_id": mid}, body={"text": "x"})


async def test_a_callback_is_answered_once(api: Api, sb: MaxSandbox, alice: UserDriver) -> None:
    keyboard = {
        "type": "inline_keyboard",
        "payload": {"buttons": [[{"type": "callback", "text": "Да", "payload": "yes"}]]},
    }
    body = {"text": "Согласны?", "attachments": [keyboard]}
    await api.ok("POST", "/messages", query={"user_id": alice.user_id}, body=body)
    reply = await alice.wait_reply()
    callback_id = await alice.press(reply.button("Да"))
    answer = {"notification": "Принято", "message": {"text": "Спасибо!", "attachments": []}}
    ok = await api.ok("POST", "/answers", query={"callback_id": callback_id}, body=answer)
    assert ok == {"success": True}
    got = await alice.wait_event_answer()
    assert got["notification"] == "Принято"
    assert (got["type"], got["text"]) == ("show_snackbar", "Принято")  # as vk_sandbox has it
    assert reply.text == "Спасибо!" and reply.buttons == []
    again = await api.error(
        "POST", "/answers", 400, query={"callback_id": callback_id}, body={"notification": "x"}
    )
    assert again["code"] == "callback.answered"
    await api.error(
        "POST", "/answers", 404, query={"callback_id": "cb.x"}, body={"notification": "x"}
    )


async def test_an_image_and_a_file_go_by_upload_token(
    api: Api, sb: MaxSandbox, alice: UserDriver
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    endpoint = await api.ok("POST", "/uploads", query={"type": "image"})
    form = aiohttp.FormData()
    form.add_field("data", png, filename="chart.png", content_type="image/png")
    async with api.session.post(endpoint["url"], data=form) as r:
        assert r.status == 200
        uploaded = await r.json()
    api.schema.model("PhotoTokens", uploaded)
    image = {"type": "image", "payload": uploaded}
    await api.ok(
        "POST",
        "/messages",
        query={"user_id": alice.user_id},
        body={"text": "График", "attachments": [image]},
    )
    endpoint = await api.ok("POST", "/uploads", query={"type": "file"})
    form = aiohttp.FormData()
    form.add_field("data", b"a;b\n1;2\n", filename="roster.csv")
    async with api.session.post(endpoint["url"], data=form) as r:
        token = (await r.json())["token"]
    file = {"type": "file", "payload": {"token": token}}
    sent = await api.ok(
        "POST",
        "/messages",
        query={"user_id": alice.user_id},
        body={"text": "", "attachments": [file]},
    )
    attachment = sent["message"]["body"]["attachments"][0]
    assert attachment["filename"] == "roster.csv"
    async with api.session.get(attachment["payload"]["url"]) as r:
        assert await r.read() == b"a;b\n1;2\n"
    chart, roster = await alice.wait_replies(2)
    assert chart.has_photo and roster.has_doc
    assert sb.file_data(roster.attachments[0]) == b"a;b\n1;2\n"
    async with api.session.post(endpoint["url"], data={"x": "y"}) as r:
        assert r.status == 404  # an upload URL takes one file
    await api.error("POST", "/uploads", 400, query={"type": "photo"}, check_request=False)
    bad = {"type": "file", "payload": {"token": "nope"}}
    await api.error(
        "POST",
        "/messages",
        400,
        query={"user_id": alice.user_id},
        body={"text": "x", "attachments": [bad]},
    )


async def test_the_calls_a_client_made_are_checked_against_the_schema(
    api: Api, sb: MaxSandbox, alice: UserDriver
) -> None:
    await api.send("Привет", user_id=alice.user_id)
    await api.updates(limit=5)
    api.schema.calls(sb.calls)  # what an adapter's tests do with the bot's calls
    await api.error(
        "POST",
        "/messages",
        400,
        query={"user_id": alice.user_id, "to": "me"},
        body={"text": 1},
        check_request=False,
    )
    async with api.session.get(sb.api_url + "/nowhere", headers={"Authorization": sb.token}):
        pass
    with pytest.raises(AssertionError) as caught:
        api.schema.calls(sb.calls)
    assert "unknown query parameter 'to'" in str(caught.value)
    assert "GET /nowhere is not in the MAX schema" in str(caught.value)
