"""Each VK update is parsed once into a neutral record; the inbox keeps the record, and what
the core reads of an event (who, where, what) survives being stored and read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.commands import Community
from bot.conversation.incoming import (
    BOT_ADDED,
    JOINED,
    LEFT,
    MESSAGES_ALLOWED,
    MESSAGES_DENIED,
    Action,
    Incoming,
)
from bot.intake import InboxWriter
from bot.storage import Database
from bot.vk.intake import Intake
from bot.vk.parse import parse_update
from vk_sandbox import VKSandbox

GROUP = 1
ME = Community(GROUP, "school_bot")


def _records(sandbox: VKSandbox) -> list[Incoming]:
    return [parse_update(event, ME) for event in sandbox.events]


async def test_every_kind_of_update_becomes_a_record_that_reads_back_the_same() -> None:
    sandbox = VKSandbox(group_id=GROUP)
    parent, teacher, guest = sandbox.add_user(), sandbox.add_user(), sandbox.add_user()
    chat = sandbox.create_chat(owner=teacher, members=[parent])
    await parent.send("/join  abc ", ref="CODE42")
    await parent.send("Класс 5А", payload={"cmd": "pick", "value": 7})
    await parent.send("", document=("list.csv", b"a;b\n"))
    await chat.add_bot(by=teacher)
    await teacher.send("[club999|@other] /help", chat=chat)
    await teacher.send(f"[club{GROUP}|@school_bot] привет", chat=chat)
    await chat.join_by_link(guest)
    await chat.remove_member(parent)
    await parent.allow_messages()
    await parent.deny_messages()
    records = _records(sandbox)
    for record in records:
        assert Incoming.from_stored(record.to_stored()) == record

    typed, button_text, document, added, other_bot, mention, joined, left, allow, deny = records
    assert typed.kind == "message" and typed.place.kind == "private"
    assert typed.sender.person == parent.user_id and typed.place.chat_id == parent.peer_id
    assert typed.command is not None and (typed.command.name, typed.command.args) == ("join", "abc")
    assert typed.start_payload == "CODE42" and typed.written_at
    assert button_text.button == ("pick", {"cmd": "pick", "value": 7})
    assert button_text.command is not None and not button_text.command.known
    (file,) = document.files
    assert (file.name, file.type) == ("list.csv", "csv") and file.size == 4 and file.ref
    assert added.kind == "action" and added.action == Action(BOT_ADDED)
    assert added.place.is_chat and added.sender.person == teacher.user_id
    # A command addressed to another bot is no command of this one.
    assert other_bot.command is None and not other_bot.mentions_me
    assert mention.command is None and mention.mentions_me
    assert joined.action == Action(JOINED, guest.user_id)
    assert left.action == Action(LEFT, parent.user_id)
    assert allow.action == Action(MESSAGES_ALLOWED) and deny.action == Action(MESSAGES_DENIED)
    assert not allow.in_conversation and joined.in_conversation


async def test_a_pressed_callback_button_carries_its_payload_and_the_id_to_answer() -> None:
    sandbox = VKSandbox(group_id=GROUP)
    user = sandbox.add_user()
    obj: dict[str, Any] = {
        "user_id": user.user_id,
        "peer_id": user.peer_id,
        "event_id": "ab12cd",
        "payload": {"cmd": "approve", "id": 5},
    }
    sandbox.log.append("message_event", obj)
    (press,) = _records(sandbox)
    assert press.kind == "button" and press.callback_id == "ab12cd"
    assert press.button == ("approve", {"cmd": "approve", "id": 5})
    assert press.counts_for_flood and not press.in_conversation


async def test_the_inbox_keeps_the_record_not_the_vk_update(tmp_path: Path) -> None:
    sandbox = VKSandbox(group_id=GROUP)
    user = sandbox.add_user()
    await user.send("/help")
    db = Database(tmp_path / "bot.db", Clock())
    await db.open()
    try:
        intake = Intake(db, None, InboxWriter(db), GROUP, community=ME)  # type: ignore[arg-type]
        await intake.store(list(sandbox.events), ts="5")
        (row,) = await db.reader.inbox.pending(after_seq=0, limit=10)
        assert Incoming.is_stored(row.body) and "object" not in row.body
        record = Incoming.from_stored(row.body)
        assert record.command is not None and record.command.name == "help"
        assert row.person_key == user.user_id == record.person
    finally:
        await db.close()
