"""The VK adapter renders neutral messages as VK wants them: keyboards as VK's JSON (the same
JSON the bot sent before messages were neutral), mentions as `[id…|label]`, addresses as
peers; and it reads nothing else but what it is given."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.conversation.outgoing import (
    Button,
    ButtonColor,
    ButtonKind,
    Chat,
    Keyboard,
    OutgoingMessage,
    Person,
    StoredFile,
    mention,
    split_message,
)
from bot.domain.roles import Actor, Role, RoleGrant
from bot.keyboards import (
    action_keyboard,
    choice_keyboard,
    confirm_keyboard,
    consent_keyboard,
    empty_keyboard,
    main_menu,
    start_keyboard,
    text_choices,
)
from bot.texts import BUTTONS, t
from bot.vk.outgoing import keyboard_json, render_text, send_params, vk_peer_of
from tests.sandbox.conftest import VKSchema, schema_dir
from vk_sandbox.keyboard import validate_keyboard

# What the bot sent before keyboards were neutral (vkbottle's `Keyboard.get_json()`), byte
# for byte: a person's client shows the same buttons, and presses send the same payloads.
BEFORE = {
    "consent": (
        '{"one_time": false, "inline": true, "buttons": [[{"action": {"label": '
        '"\\u0421\\u043e\\u0433\\u043b\\u0430\\u0441\\u0435\\u043d(\\u043d\\u0430)", "payload": '
        '{"cmd": "agree"}, "type": "callback"}, "color": "positive"}, {"action": {"label": '
        '"\\u041d\\u0435 \\u0441\\u043e\\u0433\\u043b\\u0430\\u0441\\u0435\\u043d(\\u043d\\u0430)",'
        ' "payload": {"cmd": "decline"}, "type": "callback"}}]]}'
    ),
    "start": (
        '{"one_time": true, "inline": false, "buttons": [[{"action": {"label": '
        '"\\u041d\\u0430\\u0447\\u0430\\u0442\\u044c", "payload": {"cmd": "start"}, "type": '
        '"text"}, "color": "primary"}]]}'
    ),
    "empty": '{"one_time": false, "inline": false, "buttons": []}',
    "text_choices": (
        '{"one_time": true, "inline": false, "buttons": [[{"action": {"label": "a", "payload": '
        '{"cmd": "x", "value": 1}, "type": "text"}}], [{"action": {"label": '
        '"\\u041e\\u0442\\u043c\\u0435\\u043d\\u0430", "payload": {"cmd": "cancel"}, "type": '
        '"text"}}]]}'
    ),
    "action": (
        '{"one_time": false, "inline": true, "buttons": [[{"action": {"label": "a", "payload": '
        '{"cmd": "x"}, "type": "text"}}], [{"action": {"label": "b", "payload": {"cmd": "y", '
        '"id": 2}, "type": "callback"}}]]}'
    ),
}


def test_keyboards_render_to_the_json_the_bot_sent_before() -> None:
    assert keyboard_json(consent_keyboard()) == BEFORE["consent"]
    assert keyboard_json(start_keyboard()) == BEFORE["start"]
    assert keyboard_json(empty_keyboard()) == BEFORE["empty"]
    assert keyboard_json(text_choices([("a", "x", {"value": 1})])) == BEFORE["text_choices"]
    assert (
        keyboard_json(action_keyboard([("a", "x", {}), ("b", "y", {"id": 2})]))
        == (BEFORE["action"])
    )


def _every_keyboard() -> dict[str, Keyboard]:
    admin = Actor(
        1,
        "Админ",
        consented_at=datetime.now(UTC),
        grants=(RoleGrant(Role.ADMIN, None, None, True),),
    )
    many = [(f"Класс {n}", "pick", {"value": n}) for n in range(10)]
    return {
        "menu": main_menu(admin),
        "consent": consent_keyboard(),
        "start": start_keyboard(),
        "confirm": confirm_keyboard(BUTTONS["send"], "send_confirm"),
        "empty": empty_keyboard(),
        "choices": choice_keyboard(many),
        "text_choices": text_choices(many[:7]),
        "action": action_keyboard([("a", "x", {}), ("b", "y", {"id": 2})]),
        "link": Keyboard(
            ((Button("Сайт", kind=ButtonKind.LINK, url="https://example.org"),),), inline=True
        ),
    }


@pytest.fixture(scope="module")
def vk_schema() -> VKSchema:
    root = schema_dir()
    if not (root / "errors.json").is_file():
        pytest.skip(f"VK API JSON schema not found at {root}")
    return VKSchema(root)


@pytest.mark.parametrize("name", list(_every_keyboard()))
def test_every_keyboard_is_one_vk_accepts(name: str, vk_schema: VKSchema) -> None:
    keyboard = _every_keyboard()[name]
    # VK's limits (rows, buttons, labels) as the sandbox enforces them, then VK's schema.
    normalised = validate_keyboard(keyboard_json(keyboard))
    vk_schema.object("messages/objects.json", "messages_keyboard", normalised)


@pytest.mark.parametrize("name", list(_every_keyboard()))
def test_a_keyboard_survives_the_outbox_unchanged(name: str) -> None:
    keyboard = _every_keyboard()[name]
    stored = json.loads(json.dumps(OutgoingMessage(Person(1), "x", keyboard).to_data()))
    assert send_params(stored, {})["keyboard"] == keyboard_json(keyboard)


def test_a_mention_is_written_as_vk_markup_and_a_plain_text_is_left_alone() -> None:
    text = t("request_new", id=3, role="родитель", class_name="5А", name="Белова Ольга",
             profile=mention(1004, t("mention_profile")))  # fmt: skip
    assert (
        render_text(text, {1004: 1004})
        == "Новая заявка №3: родитель, 5А: Белова Ольга ([id1004|профиль])."
    )
    plain = "Привет! [не ссылка] id5 | ]"
    assert render_text(plain, {}) == plain


def test_a_label_cannot_close_its_mention_early() -> None:
    sneaky = mention(7, "Иван\ue002\ue0001\ue001админ\ue002")
    assert render_text(f"• {sneaky}", {7: 7}) == "• [id7|Иван1админ]"


def test_addresses_become_vk_peers_and_back() -> None:
    assert vk_peer_of(Person(1004), {1004: 1004}) == 1004
    assert vk_peer_of(Chat(2000000001), {}) == 2000000001


def test_a_message_becomes_messages_send_parameters() -> None:
    keyboard = consent_keyboard()
    files = (StoredFile("chart.png", "image/png", "photo-1_2"), StoredFile("a", "b", "doc3_4"))
    body: dict[str, Any] = json.loads(
        json.dumps(OutgoingMessage(Chat(2000000001), "Текст", keyboard, files).to_data())
    )
    assert send_params(body, {}) == {
        "message": "Текст",
        "keyboard": BEFORE["consent"],
        "attachment": "photo-1_2,doc3_4",
    }
    assert send_params({"text": "Без кнопок"}, {}) == {"message": "Без кнопок"}


def test_a_row_stored_by_an_earlier_version_goes_out_as_it_was_stored() -> None:
    legacy = {"message": "Старое", "keyboard": BEFORE["start"], "attachment": "doc1_2"}
    assert send_params({"vk": legacy}, {}) == legacy


def test_a_long_message_keeps_its_buttons_and_files_on_its_last_part() -> None:
    files = (StoredFile("a.xlsx", "application/x", "doc1_2"),)
    parts = split_message(OutgoingMessage(Person(5), "слово " * 2000, start_keyboard(), files))
    assert len(parts) == 3
    assert [(p.keyboard is not None, bool(p.files)) for p in parts] == [
        (False, False),
        (False, False),
        (True, True),
    ]
    assert all(part.to == Person(5) for part in parts)


def test_button_colours_and_kinds_keep_their_meaning() -> None:
    button = Button("Да", {"cmd": "yes"}, ButtonKind.CALLBACK, ButtonColor.NEGATIVE)
    assert Button.from_data(button.to_data()) == button
    rendered = json.loads(keyboard_json(Keyboard(((button,),), inline=True)))
    assert rendered["buttons"][0][0] == {
        "action": {"label": "Да", "payload": {"cmd": "yes"}, "type": "callback"},
        "color": "negative",
    }
