"""Callback payloads are untrusted: a forged button (another request, another class, a role
the presser does not hold, nonsense) is refused and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import (
    class_teacher,
    consented_user,
    drain,
    person_of,
    school_with_classes,
    submit_join_request,
    verified_teacher,
)
from vk_sandbox import Button, UserDriver, VKSandbox


async def forge(user: UserDriver, payload: Any, chat_peer: int = 0) -> dict[str, Any]:
    """Presses a callback button the bot never sent, with any payload."""
    await user.press(
        Button(label="подделка", type="callback", payload=payload, message_peer_id=chat_peer)
    )
    return await user.wait_event_answer()


async def _pending_request(sandbox: VKSandbox) -> None:
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    await submit_join_request(parent, "5А")


async def test_another_class_teacher_cannot_decide_by_a_forged_button(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    oleg = await class_teacher(sandbox, admin, "6Б", "Олег", "Сидоров")
    await _pending_request(sandbox)
    await elena.wait_reply()

    answer = await forge(oleg, {"cmd": "approve", "id": 1})
    assert answer["text"] == t("decision_not_allowed", id=1, class_name="5А")[:90]
    request = await bot.db.reader.requests.get(1)
    assert request is not None and request.status == "pending"


async def test_a_role_the_presser_does_not_hold_is_refused(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    waiting = await verified_teacher(sandbox, admin, "Олег", "Сидоров", verify=False)
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    answer = await forge(parent, {"cmd": "verify", "person": waiting.user_id})
    assert answer["text"].startswith("Команда /verify доступна только")
    assert len(await bot.db.reader.roles.unverified_teachers()) == 1
    answer = await forge(parent, {"cmd": "leave_decide", "person": waiting.user_id, "with": 1})
    assert answer["text"].startswith("Команда /leave_decide доступна только")
    assert await bot.db.reader.roles.active_for(await person_of(bot.db, waiting))


async def test_a_class_teacher_cannot_bind_another_class_by_a_forged_button(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    other = await bot.db.reader.classes.by_name("6Б")
    assert other is not None
    chat = sandbox.create_chat(title="Беседа", owner=elena, bot_admin=True)
    await forge(elena, {"cmd": "bind", "k": "parents", "s": None, "c": other.id}, chat.peer_id)
    refusal = await chat.wait_message()
    assert refusal.text.startswith("Привязать беседу как «родители 6Б» вы не можете")
    assert await bot.db.reader.chats.holder_of("parents", other.id, None) is None


@pytest.mark.parametrize(
    "payload",
    [
        {"cmd": "approve", "id": "1; DROP TABLE join_requests"},
        {"cmd": "approve"},
        {"cmd": 5},
        {"cmd": "no_such_command"},
        {"id": 1},
        {},
        {"cmd": "roster_apply", "id": 10**12},
        {"cmd": "verify", "person": [1, 2]},
    ],
)
async def test_nonsense_payloads_get_a_clear_answer_and_change_nothing(
    sandbox: VKSandbox, bot: BotRunner, payload: dict[str, Any]
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    answer = await forge(admin, payload)
    if answer.get("type") == "show_snackbar":
        assert answer["text"]
    else:
        # The button's spinner stops and the answer comes as a message.
        assert (await admin.wait_reply()).text
    assert await bot.db.reader.requests.count_pending(None) == 0
