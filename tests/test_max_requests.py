"""The bot's requests to MAX, as the schema documents them, in a story that touches most
of what the bot calls: messages with keyboards, button answers, members, uploads."""

from __future__ import annotations

import pytest

from max_sandbox import MaxSandbox
from tests.conftest import BotRunner
from tests.max_sandbox.schema import load_max_schema, schema_dir
from tests.max_support import (  # noqa: F401
    ask,
    check_requests,
    consented,
    drain,
    max_admin,
    max_bot,
    sb,
    start_max_bot,
)


async def test_every_request_the_bot_makes_is_a_documented_one(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    schema = load_max_schema()
    if schema is None:
        pytest.skip(
            f"MAX API schema not found at {schema_dir()} (set MAX_API_SCHEMA_DIR to the"
            " directory holding openapi.json)"
        )
    admin = await max_admin(sb)
    await ask(admin, "/class_add 5А")
    await ask(admin, "/invite parent 5А")
    chat = sb.create_chat(title="5А родители", owner=admin)
    await chat.add_bot(admin)
    await chat.send(admin, "/bind parents 5А")
    await chat.wait_message()
    await ask(admin, "/chats 5А")
    await ask(admin, "/stats")
    await drain(admin)
    names = {call.name for call in sb.calls if call.ok}
    assert {"GET /me", "GET /updates", "POST /messages", "POST /answers"} <= names, names
    assert check_requests(sb, schema) >= 10


async def test_the_chat_register_reads_members_over_max(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    admin = await max_admin(sb)
    await ask(admin, "/class_add 5А")
    olga = await consented(sb, "Ольга", "Белова")
    await drain(olga)
    chat = sb.create_chat(title="5А родители", owner=admin, members=[olga])
    await chat.add_bot(admin)
    await chat.send(admin, "/bind parents 5А")
    bound = await chat.wait_message()
    assert "5А" in bound.text
    listing = await ask(admin, "/chats 5А")
    assert "Белова" in listing.text or "5А" in listing.text
    assert sb.calls_to("GET /chats/{chatId}/members")
