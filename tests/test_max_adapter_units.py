"""The MAX adapter's pieces on their own: updates parsed into records (stable event ids,
places, commands addressed to this bot or another, deep links, chat events), neutral
messages rendered within MAX's limits, files of one messenger ignored by the other, the
limiter spacing calls evenly."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from bot.conversation.identity import MAX
from bot.conversation.incoming import BOT_ADDED, JOINED, LEFT, MESSAGES_DENIED
from bot.conversation.outgoing import (
    Button,
    ButtonColor,
    ButtonKind,
    Keyboard,
    mention,
    message_data,
    person_number,
    unnamed,
)
from bot.max.api import EvenLimiter
from bot.max.outgoing import render
from bot.max.parse import Learned, Me, learn, parse_update
from bot.vk.outgoing import send_params

ME = Me(99, "gym44_bot")
ANNA = {"user_id": 7, "first_name": "Анна", "last_name": "Кузнецова", "is_bot": False}


def _message(
    text: str, chat_type: str = "dialog", chat_id: int = 800, mid: str = "m1"
) -> dict[str, Any]:
    return {
        "update_type": "message_created",
        "timestamp": 1_700_000_000_000,
        "message": {
            "sender": ANNA,
            "recipient": {"chat_id": chat_id, "chat_type": chat_type, "user_id": 99},
            "timestamp": 1_700_000_000_000,
            "body": {"mid": mid, "seq": 1, "text": text, "attachments": None},
        },
    }


def test_a_dialog_message_is_the_users_private_place_with_a_stable_id() -> None:
    record = parse_update(_message("/help"), ME)
    assert record.place.messenger == MAX and record.place.kind == "private"
    assert record.place.chat_id == 7, "a dialog is keyed by the user, not by MAX's chat id"
    assert record.sender.external_id == 7
    assert record.command is not None and record.command.name == "help"
    assert record.event_id == parse_update(_message("/help"), ME).event_id
    assert record.event_id.startswith("max:")
    assert record.written_at == 1_700_000_000.0


def test_a_command_addressed_to_another_bot_is_not_this_ones() -> None:
    ours = parse_update(_message("/help@gym44_bot", "chat", -5), ME)
    theirs = parse_update(_message("/help@other_bot", "chat", -5), ME)
    assert ours.place.kind == "chat" and ours.place.chat_id == -5
    assert ours.command is not None and ours.command.name == "help"
    assert theirs.command is None
    mentioned = parse_update(_message("@gym44_bot /menu", "chat", -5), ME)
    assert mentioned.mentions_me
    assert mentioned.command is not None and mentioned.command.name == "menu"


def test_opening_the_bot_is_a_start_with_the_deep_links_payload() -> None:
    update = {
        "update_type": "bot_started",
        "timestamp": 5,
        "chat_id": 800,
        "user": ANNA,
        "payload": "AbC-12_x",
    }
    record = parse_update(update, ME)
    assert record.kind == "message" and record.command is not None
    assert record.command.name == "start"
    assert record.start_payload == "AbC-12_x"
    assert parse_update({**update, "payload": None}, ME).start_payload is None
    learned = Learned()
    learn(update, learned, ME)
    assert learned.dialogs == {7: 800} and learned.names == {7: ("Анна", "Кузнецова")}


def test_chat_events_and_a_stopped_bot_are_actions() -> None:
    base = {"timestamp": 9, "chat_id": -5, "user": ANNA, "is_channel": False}
    added = parse_update({**base, "update_type": "user_added", "inviter_id": 3}, ME)
    assert added.action is not None and added.action.kind == JOINED
    assert added.action.member == 7 and added.sender.external_id == 3
    removed = parse_update({**base, "update_type": "user_removed", "admin_id": 99}, ME)
    assert removed.action is not None and removed.action.kind == LEFT
    bot_added = parse_update({**base, "update_type": "bot_added"}, ME)
    assert bot_added.action is not None and bot_added.action.kind == BOT_ADDED
    stopped = parse_update(
        {"update_type": "bot_stopped", "timestamp": 9, "chat_id": 800, "user": ANNA}, ME
    )
    assert stopped.action is not None and stopped.action.kind == MESSAGES_DENIED
    assert stopped.place.kind == "private"
    other = parse_update({"update_type": "dialog_muted", "timestamp": 1, "chat_id": 800}, ME)
    assert other.kind == "other"


def test_a_press_carries_the_payload_and_the_callback_id() -> None:
    update = {
        "update_type": "message_callback",
        "timestamp": 1,
        "callback": {
            "timestamp": 1,
            "callback_id": "cb.1",
            "payload": '{"cmd":"agree"}',
            "user": ANNA,
        },
        "message": _message("x")["message"],
    }
    record = parse_update(update, ME)
    assert record.kind == "button" and record.callback_id == "cb.1"
    assert record.button == ("agree", {"cmd": "agree"})
    assert record.event_id == "max:cb:cb.1"


def test_a_long_text_is_split_within_4000_characters_keyboard_on_the_last() -> None:
    keyboard = Keyboard(
        ((Button("Да", {"cmd": "yes"}, ButtonKind.CALLBACK, ButtonColor.POSITIVE),),), inline=True
    )
    body = message_data(("слово " * 1500).strip(), keyboard)
    parts = render(body, {})
    assert len(parts) == 3
    assert all(len(part.body["text"]) <= 4000 for part in parts)
    assert "attachments" not in parts[0].body
    (inline,) = parts[-1].body["attachments"]
    button = inline["payload"]["buttons"][0][0]
    assert button == {
        "type": "callback",
        "text": "Да",
        "payload": '{"cmd":"yes"}',
        "intent": "positive",
    }


def test_a_wide_keyboard_is_wrapped_to_maxs_rows() -> None:
    row = tuple(Button(f"К{i}", {"cmd": "x", "i": i}, ButtonKind.CALLBACK) for i in range(10))
    links = tuple(Button(f"Ссылка {i}", kind=ButtonKind.LINK, url="https://e.ru") for i in range(4))
    (part,) = render(message_data("Выбор", Keyboard((row, links), inline=True)), {})
    rows = part.body["attachments"][0]["payload"]["buttons"]
    assert [len(r) for r in rows] == [7, 3, 3, 1]


def test_mentions_link_to_max_users_and_numbers_are_what_an_admin_types() -> None:
    text = f"Заявка от {mention(1, 'Анна <Кузнецова>')} ({person_number(1)}); {mention(2, 'Борис')}"
    (part,) = render(message_data(text), {1: 7})
    assert part.body["format"] == "html"
    assert part.body["text"] == (
        'Заявка от <a href="max://user/7">Анна &lt;Кузнецова&gt;</a> (max:7); Борис'
    )
    assert part.shown == "Заявка от Анна <Кузнецова> (max:7); Борис"
    (nameless,) = render(message_data(f"Без имени: {unnamed(1)}"), {1: 7})
    assert nameless.body["text"] == "Без имени: max:7"


def test_each_messenger_sends_only_the_files_its_own_gateway_uploaded() -> None:
    from bot.conversation.outgoing import StoredFile

    files = (StoredFile("a.png", "image/png", "max:image:tok"), StoredFile("b.xlsx", "x", "doc1_2"))
    body = json.loads(json.dumps(message_data("Файлы", None, files)))
    (part,) = render(body, {})
    assert part.body["attachments"] == [{"type": "image", "payload": {"token": "tok"}}]
    assert send_params(body, {})["attachment"] == "doc1_2"


async def test_the_limiter_spaces_calls_evenly() -> None:
    limiter = EvenLimiter(50)
    starts = []
    begin = time.monotonic()
    for _ in range(20):
        await limiter.acquire()
        starts.append(time.monotonic() - begin)
    # Call k starts no sooner than k slots (1/50 s each) after the first, however late
    # any sleeper woke before it: calls queued at once are spread, never burst.
    for k, start in enumerate(starts):
        assert start >= k * 0.02 - 0.002, (k, starts)
    await asyncio.sleep(0)
