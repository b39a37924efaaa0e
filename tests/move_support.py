"""For the stories of a school moving from VK to MAX while the bot runs on the VK sandbox
only: MAX switched on as a port that gives deep links, and events from MAX accounts stored
through the inbox exactly as MAX's adapter stores them (as tests/test_router_records.py
stores records). What goes to MAX waits in the outbox, read from there."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass
from typing import Any

from bot.commands import parse_command
from bot.conversation.identity import MAX, VK, Account
from bot.conversation.incoming import Incoming, Place, Sender
from bot.conversation.outgoing import AccountAddress, Address, File, StoredFile
from bot.domain.chats import ChatMember
from bot.messengers import Messengers
from bot.parsing import PersonRef
from bot.russian import GenderCode
from tests.conftest import BotRunner

MAX_BOT = "gym44_bot"
_events = itertools.count(1)


class FakeMaxPort:
    """MAX's side of the port, as far as these stories need it: its deep links."""

    async def user_names(self, vk_ids: list[int]) -> dict[int, tuple[str, str]]:
        return {}

    async def user_profiles(
        self, vk_ids: list[int]
    ) -> dict[int, tuple[str, str, GenderCode | None]]:
        return {}

    async def profile(self, account: Account | None) -> tuple[str, str, GenderCode | None]:
        return "", "", None

    def placeholder_name(self, account: Account | None) -> str:
        return str(account)

    async def account_of(self, ref: PersonRef) -> Account | None:
        return ref.account

    async def resolve_screen_name(self, screen_name: str) -> int | None:
        return None

    async def upload(self, to: Address, file: File) -> StoredFile | None:
        return None

    async def download(self, url: str, max_bytes: int) -> bytes | None:
        return None

    def invitation_link(self, code: str) -> str:
        return f"https://max.ru/{MAX_BOT}?start={code}"

    def answer_callback_soon(
        self, event_id: str, account: Account | None, peer_id: int, snackbar: str | None
    ) -> None:
        return None

    async def finish_answers(self) -> None:
        return None


@dataclass
class FakeMaxChats:
    """MAX's chat operations: the bot is an admin of every chat and adds whoever it is told."""

    added: list[tuple[int, int]]

    async def invite_link(self, peer_id: int, reset: bool) -> str | None:
        return f"https://max.ru/join/{peer_id}"

    async def members(self, peer_id: int) -> list[ChatMember] | None:
        return []

    async def remove(self, peer_id: int, person_id: int) -> bool:
        return True

    async def add(self, peer_id: int, person_id: int) -> bool:
        self.added.append((peer_id, person_id))
        return True


def switch_max_on(bot: BotRunner) -> None:
    """The running bot serves MAX beside VK (the port only: nothing is sent to MAX)."""
    assert bot.app is not None
    services = bot.app.services
    gateways = {VK: bot.app.vk.gateway, MAX: FakeMaxPort()}
    services.messengers = Messengers(bot.db, gateways)  # type: ignore[dict-item]


async def from_max(
    bot: BotRunner,
    user_id: int,
    text: str = "",
    start_payload: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """A MAX user writes to the bot in private (or opens its deep link, or presses a
    button); returns once the event is handled."""
    assert bot.app is not None
    number = next(_events)
    record = Incoming(
        event_id=f"max-test:{user_id}:{number}",
        kind="button" if payload is not None else "message",
        sender=Sender(MAX, user_id, user_id),
        place=Place(MAX, "private", user_id),
        text=text,
        command=parse_command(text) if payload is None else None,
        payload=payload,
        start_payload=start_payload,
        callback_id=f"cb{number}" if payload is not None else "",
    )
    before = bot.app.dispatcher.handled
    await bot.app.writer.store([record])
    for _ in range(200):
        if bot.app.dispatcher.handled > before:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the event from max:{user_id} was not handled")


async def to_max(bot: BotRunner, user_id: int) -> list[dict[str, Any]]:
    """What the bot queued for a MAX user (the messages' bodies, oldest first)."""
    conn = bot.db.reader.outbox._conn
    rows = await conn.execute_fetchall(
        "SELECT o.body FROM outbox o WHERE o.messenger = ? AND ("
        " o.to_account = ? OR (o.to_account IS NULL AND o.to_chat = 0 AND o.peer_id IN"
        "  (SELECT person_id FROM accounts WHERE messenger = ? AND external_id = ?)))"
        " ORDER BY o.id",
        (MAX, f"{MAX}:{user_id}", MAX, str(user_id)),
    )
    return [json.loads(row[0]) for row in rows]


async def texts_to_max(bot: BotRunner, user_id: int) -> list[str]:
    return [str(body.get("text", "")) for body in await to_max(bot, user_id)]


def vk_address(person: int, user_id: int) -> AccountAddress:
    return AccountAddress(person, Account(VK, str(user_id)))
