"""Defects the fuzz test found, kept as stories."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Iterator

import pytest
from loguru import logger

from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import admin_user, ask, class_teacher, drain, school_with_classes
from vk_sandbox import Button, VKSandbox


@pytest.fixture
def error_log() -> Iterator[io.StringIO]:
    sink = io.StringIO()
    handler = logger.add(sink, level="ERROR")
    yield sink
    logger.remove(handler)


async def test_relink_works_in_a_chat_the_bot_joined_unseen(
    sandbox: VKSandbox,
    start_bot: Callable[..., Awaitable[BotRunner]],
    error_log: io.StringIO,
) -> None:
    bot = await start_bot(flood_limit=0)
    admin = await school_with_classes(sandbox, "5А")
    # The bot was made the chat's admin while it was not running: no event ever told it.
    chat = sandbox.create_chat(title="5А", owner=admin, bot_admin=True)

    await admin.send("/relink", chat=chat)
    reply = await chat.wait_message()

    assert reply.text.startswith(t("relink_done", link="").strip()), reply.text
    assert error_log.getvalue() == ""
    known = await bot.db.reader.chats.get(chat.peer_id)
    assert known is not None and known.invite_link is not None


@pytest.mark.parametrize("command", ["verify", "approve", "leave_decide", "proposal", "done"])
async def test_a_forged_button_with_a_huge_number_is_told_it_is_stale(
    sandbox: VKSandbox,
    start_bot: Callable[..., Awaitable[BotRunner]],
    error_log: io.StringIO,
    command: str,
) -> None:
    await start_bot(flood_limit=0)
    admin = await admin_user(sandbox)
    huge = 2**70
    payload = {"cmd": command, "person": huge, "id": huge, "request": huge, "value": huge}

    await admin.press(Button(label="подделка", type="callback", payload=payload))
    answer = await admin.wait_event_answer()

    # A readable snackbar, or a word in the dialog: not a spinner left turning, not silence.
    assert answer.get("text") or (await admin.wait_reply()).text
    assert error_log.getvalue() == ""


async def test_an_admin_who_leads_a_class_gets_the_bind_choices(
    sandbox: VKSandbox, start_bot: Callable[..., Awaitable[BotRunner]], error_log: io.StringIO
) -> None:
    await start_bot(flood_limit=0)
    admin = await school_with_classes(sandbox, "5А")
    teacher = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    await ask(admin, f"/admin_add id{teacher.user_id}")
    await drain(teacher)
    chat = sandbox.create_chat(title="5А", owner=teacher, bot_admin=True)

    await teacher.send("/bind", chat=chat)
    choices = await chat.wait_message()

    assert choices.text == t("bind_choose")
    assert len(choices.buttons) == 9  # three for 5А, four management chats, two channels
    assert error_log.getvalue() == ""
