"""messages.send / edit / sendMessageEventAnswer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from vkbottle import API, Callback, Keyboard, KeyboardButtonColor, OpenLink, Text, VKAPIError

from vk_sandbox import UserDriver, VKSandbox

from .conftest import Raw, VKSchema


def test_schema_validator_catches_mismatches(vk_schema: VKSchema) -> None:
    with pytest.raises(AssertionError):
        vk_schema.response("messages_send_deprecated_response", {"response": "12"})
    with pytest.raises(AssertionError):
        vk_schema.response("groups_getLongPollServer_response", {"response": {"key": "k"}})


async def test_send_to_user_who_wrote(
    api: API, raw: Raw, sandbox: VKSandbox, alice: UserDriver, vk_schema: VKSchema
) -> None:
    await alice.send("Здравствуйте!")
    message_id = await api.messages.send(peer_id=alice.user_id, message="Привет", random_id=11)
    reply = await alice.wait_reply(timeout=1)
    assert reply.id == message_id
    assert reply.text == "Привет"
    assert reply.peer_id == alice.peer_id
    assert reply.random_id == 11
    assert reply.conversation_message_id == 2  # her message was 1
    answer = await raw.call("messages.send", user_id=alice.user_id, message="Ещё", random_id=12)
    vk_schema.response("messages_send_deprecated_response", answer)
    assert [m.text for m in alice.messages] == ["Привет", "Ещё"]
    assert [m.text for m in sandbox.sent] == ["Привет", "Ещё"]


async def test_901_without_permission_and_after_deny(
    api: API, sandbox: VKSandbox, alice: UserDriver, raw: Raw
) -> None:
    with pytest.raises(VKAPIError[901]):
        await api.messages.send(peer_id=alice.user_id, message="x", random_id=1)
    error = await raw.error("messages.send", peer_id=alice.user_id, message="x", random_id=2)
    assert error["error_msg"] == "Can't send messages for users without permission"
    await alice.allow_messages()
    await api.messages.send(peer_id=alice.user_id, message="x", random_id=3)
    await alice.deny_messages()
    with pytest.raises(VKAPIError[901]):
        await api.messages.send(peer_id=alice.user_id, message="y", random_id=4)
    await alice.send("снова я")  # writing again grants permission again
    await api.messages.send(peer_id=alice.user_id, message="z", random_id=5)
    assert [m.text for m in alice.messages] == ["x", "z"]
    with pytest.raises(VKAPIError[901]):
        await api.messages.send(peer_id=123, message="nobody", random_id=6)


async def test_random_id_dedup(api: API, sandbox: VKSandbox, alice: UserDriver) -> None:
    await alice.send("hi")
    first = await api.messages.send(peer_id=alice.user_id, message="один", random_id=777)
    again = await api.messages.send(peer_id=alice.user_id, message="другой", random_id=777)
    assert again == first
    assert [m.text for m in alice.messages] == ["один"]
    # random_id 0 disables deduplication
    await api.messages.send(peer_id=alice.user_id, message="a", random_id=0)
    await api.messages.send(peer_id=alice.user_id, message="a", random_id=0)
    assert [m.text for m in alice.messages] == ["один", "a", "a"]
    # same random_id to another peer is a different message
    bob = sandbox.add_user("Борис", "Б")
    await bob.send("hi")
    other = await api.messages.send(peer_id=bob.user_id, message="один", random_id=777)
    assert other != first


async def test_random_id_dedup_expires_after_an_hour(raw: Raw) -> None:
    now = [1_700_000_000.0]
    sb = VKSandbox(clock=lambda: now[0], rate_limit=None)
    await sb.start()
    try:
        user = sb.add_user("Вера", "В")
        await user.send("hi")
        raw.sandbox = sb
        first = await raw.ok("messages.send", peer_id=user.user_id, message="m", random_id=5)
        now[0] += 3599
        assert (
            await raw.ok("messages.send", peer_id=user.user_id, message="m", random_id=5) == first
        )
        now[0] += 2
        assert (
            await raw.ok("messages.send", peer_id=user.user_id, message="m", random_id=5) != first
        )
        assert len(user.messages) == 2
        assert user.messages[0].date == 1_700_000_000
    finally:
        await sb.stop()


async def test_random_id_required(raw: Raw, alice: UserDriver) -> None:
    await alice.send("hi")
    error = await raw.error("messages.send", peer_id=alice.user_id, message="x")
    assert error["error_code"] == 100
    assert error["error_msg"].endswith("random_id is a required parameter")


async def test_peer_ids(
    raw: Raw, sandbox: VKSandbox, alice: UserDriver, bob: UserDriver, vk_schema: VKSchema
) -> None:
    await alice.send("hi")
    chat = sandbox.create_chat("5А", owner=bob, bot_member=True)
    answer = await raw.call(
        "messages.send",
        peer_ids=f"{alice.user_id},{bob.user_id},{chat.peer_id}",
        message="Собрание в 18:00",
        random_id=42,
    )
    items = answer["response"]
    assert [i["peer_id"] for i in items] == [alice.user_id, bob.user_id, chat.peer_id]
    assert "error" not in items[0]
    assert items[1] == {
        "peer_id": bob.user_id,
        "error": {"code": 901, "description": "Can't send messages for users without permission"},
    }
    assert items[2]["conversation_message_id"] == 1
    ok_items = {"response": [items[0], items[2]]}
    vk_schema.response("messages_send_user_ids_response", ok_items)
    vk_schema.object("base/objects.json", "base_message_error", items[1]["error"])
    assert (await alice.wait_reply(1)).text == "Собрание в 18:00"
    assert (await chat.wait_message(1)).text == "Собрание в 18:00"
    too_many = ",".join(str(i) for i in range(1, 102))
    error = await raw.error("messages.send", peer_ids=too_many, message="x", random_id=1)
    assert error["error_code"] == 100


async def test_vkbottle_typed_peer_ids_only_when_all_succeed(api: API, alice: UserDriver) -> None:
    """VK omits message_id in failed items; vkbottle_types' model requires the key."""
    await alice.send("hi")
    result = await api.messages.send(peer_ids=[alice.user_id], message="x", random_id=9)
    assert result[0].peer_id == alice.user_id
    assert result[0].message_id is not None


async def test_message_validation(raw: Raw, alice: UserDriver) -> None:
    await alice.send("hi")
    error = await raw.error("messages.send", peer_id=alice.user_id, message="", random_id=1)
    assert error["error_code"] == 100
    error = await raw.error("messages.send", peer_id=alice.user_id, message="   ", random_id=1)
    assert error["error_code"] == 100
    error = await raw.error("messages.send", message="x", random_id=1)
    assert error["error_msg"].endswith(
        "you should specify peer_id, user_id, domain, chat_id or peer_ids param"
    )
    error = await raw.error("messages.send", peer_id=alice.user_id, message="я" * 4097, random_id=1)
    assert error == {**error, "error_code": 914, "error_msg": "Message is too long"}
    assert await raw.ok("messages.send", peer_id=alice.user_id, message="я" * 4096, random_id=2)
    error = await raw.error(
        "messages.send", peer_id=alice.user_id, message="x", random_id=3, attachment="photo1_2"
    )
    assert error["error_code"] == 100
    error = await raw.error(
        "messages.send", peer_id=alice.user_id, message="x", random_id=3, attachment="wall1_2"
    )
    assert error["error_code"] == 100
    assert await raw.ok("messages.send", domain="alice_s", message="по домену", random_id=4)


def _kb(rows: list[list[dict[str, Any]]], inline: bool = False, **extra: Any) -> str:
    return json.dumps({"one_time": False, "inline": inline, "buttons": rows, **extra})


def _text(label: str = "Да", payload: Any = None, color: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "text", "label": label}
    if payload is not None:
        action["payload"] = payload
    button: dict[str, Any] = {"action": action}
    if color is not None:
        button["color"] = color
    return button


VALID_KEYBOARDS = [
    _kb([[_text()] * 5] * 8),  # 40 buttons
    _kb([[_text()] * 4] * 10),  # 10 rows
    _kb([[_text()] * 5, [_text()] * 5], inline=True),  # 10 inline buttons
    _kb([[_text()]] * 6, inline=True),  # 6 inline rows
    _kb([[_text("л" * 40, payload='{"a":1}', color="positive")]]),
    _kb([[{"action": {"type": "open_link", "link": "https://vk.com", "label": "VK"}}]]),
    _kb([[{"action": {"type": "location"}}]]),
    _kb([]),  # an empty keyboard hides the current one
]

INVALID_KEYBOARDS = {
    "41 buttons": _kb([[_text()] * 5] * 8 + [[_text()]]),
    "11 rows": _kb([[_text()]] * 11),
    "6 in a row": _kb([[_text()] * 6]),
    "11 inline buttons": _kb([[_text()] * 5, [_text()] * 5, [_text()]], inline=True),
    "7 inline rows": _kb([[_text()]] * 7, inline=True),
    "label 41": _kb([[_text("л" * 41)]]),
    "empty label": _kb([[_text("")]]),
    "payload 256": _kb([[_text(payload={"k": "x" * 248})]]),
    "payload not json": _kb([[_text(payload="not json")]]),
    "bad color": _kb([[_text(color="red")]]),
    "bad type": _kb([[{"action": {"type": "dance", "label": "x"}}]]),
    "no action": _kb([[{"label": "x"}]]),
    "link missing": _kb([[{"action": {"type": "open_link", "label": "x"}}]]),
    "location shares row": _kb([[{"action": {"type": "location"}}, _text()]]),
    "not json": "{buttons:",
    "no buttons": json.dumps({"one_time": False}),
}


@pytest.mark.parametrize("keyboard", VALID_KEYBOARDS)
async def test_valid_keyboards(raw: Raw, alice: UserDriver, keyboard: str) -> None:
    await alice.send("hi")
    await raw.ok(
        "messages.send", peer_id=alice.user_id, message="k", random_id=0, keyboard=keyboard
    )


@pytest.mark.parametrize("case", sorted(INVALID_KEYBOARDS))
async def test_invalid_keyboards(raw: Raw, alice: UserDriver, case: str) -> None:
    await alice.send("hi")
    error = await raw.error(
        "messages.send",
        peer_id=alice.user_id,
        message="k",
        random_id=0,
        keyboard=INVALID_KEYBOARDS[case],
    )
    assert error["error_code"] == 911
    assert error["error_msg"].startswith("Keyboard format is invalid")
    assert alice.messages == []


async def test_keyboard_parsed_into_buttons(api: API, alice: UserDriver) -> None:
    await alice.send("hi")
    keyboard = (
        Keyboard(one_time=True)
        .add(Text("Принять", {"cmd": "accept", "id": 5}), color=KeyboardButtonColor.POSITIVE)
        .add(Callback("Отклонить", {"cmd": "reject"}))
        .row()
        .add(OpenLink("https://sferum.ru", "Сферум"))
    )
    await api.messages.send(
        peer_id=alice.user_id, message="Заявка", random_id=1, keyboard=keyboard.get_json()
    )
    msg = await alice.wait_reply(1)
    assert msg.one_time
    assert not msg.inline
    assert msg.keyboard is not None
    assert len(msg.keyboard["buttons"]) == 2
    accept = msg.button("Принять")
    assert accept.type == "text"
    assert accept.payload == {"cmd": "accept", "id": 5}
    assert accept.color == "positive"
    assert msg.button("Сферум").link == "https://sferum.ru"
    assert msg.button("Отклонить").type == "callback"
    with pytest.raises(LookupError, match="Принять"):
        msg.button("Нет такой")


async def test_edit(api: API, raw: Raw, alice: UserDriver, vk_schema: VKSchema) -> None:
    await alice.send("hi")
    keyboard = Keyboard(inline=True).add(Callback("Ок", {"a": 1})).get_json()
    message_id = await api.messages.send(
        peer_id=alice.user_id, message="Было", random_id=1, keyboard=keyboard
    )
    msg = await alice.wait_reply(1)
    answer = await raw.call(
        "messages.edit", peer_id=alice.user_id, message_id=message_id, message="Стало"
    )
    vk_schema.response("base_bool_response", answer)
    assert answer["response"] == 1
    assert msg.text == "Стало"
    assert msg.edited
    assert msg.buttons == []
    assert msg.keyboard is None
    assert await raw.ok(
        "messages.edit",
        peer_id=alice.user_id,
        conversation_message_id=msg.conversation_message_id,
        message="Снова",
        keyboard=keyboard,
    )
    assert alice.messages[0].text == "Снова"
    assert alice.messages[0].button("Ок").payload == {"a": 1}
    error = await raw.error("messages.edit", peer_id=alice.user_id, message_id=999, message="x")
    assert error["error_code"] == 100
    error = await raw.error("messages.edit", peer_id=alice.user_id, message_id=1, message="x")
    assert error["error_code"] == 920  # her own message
    await alice.expect_silence(0.05)  # edits are not new messages


async def test_send_message_event_answer(
    api: API, raw: Raw, alice: UserDriver, vk_schema: VKSchema
) -> None:
    await alice.send("hi")
    keyboard = Keyboard(inline=True).add(Callback("Жми", {"cmd": "go"})).get_json()
    await api.messages.send(peer_id=alice.user_id, message="k", random_id=1, keyboard=keyboard)
    msg = await alice.wait_reply(1)
    event_id = await alice.press(msg.button("Жми"))
    assert isinstance(event_id, str)
    data = json.dumps({"type": "show_snackbar", "text": "Готово"})
    answer = await raw.call(
        "messages.sendMessageEventAnswer",
        event_id=event_id,
        user_id=alice.user_id,
        peer_id=alice.peer_id,
        event_data=data,
    )
    vk_schema.response("base_ok_response", answer)
    assert await alice.wait_event_answer(1) == {"type": "show_snackbar", "text": "Готово"}
    assert alice.event_answers == [{"type": "show_snackbar", "text": "Готово"}]
    for bad in ("nope", event_id):  # unknown, already answered
        error = await raw.error(
            "messages.sendMessageEventAnswer",
            event_id=bad,
            user_id=alice.user_id,
            peer_id=alice.peer_id,
        )
        assert error["error_code"] == 100
    second = await alice.press(msg.button("Жми"))
    error = await raw.error(
        "messages.sendMessageEventAnswer",
        event_id=second,
        user_id=alice.user_id,
        peer_id=alice.peer_id,
        event_data='{"type": "explode"}',
    )
    assert error["error_code"] == 100
    link = json.dumps({"type": "open_link", "link": "https://vk.com"})
    assert await raw.ok(
        "messages.sendMessageEventAnswer",
        event_id=second,
        user_id=alice.user_id,
        peer_id=alice.peer_id,
        event_data=link,
    )
    assert (await alice.wait_event_answer(1))["type"] == "open_link"
