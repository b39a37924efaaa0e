"""The few messenger calls handlers and jobs make besides sending messages, as a port.

The messenger's adapter implements it (VK: `bot.vk.gateway.VKGateway`); the core sees only
this. Person ids are the core's person keys; places (`peer_id`) are the messenger's opaque
chat ids taken from an incoming record or a stored chat."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from bot.conversation.identity import Account
from bot.conversation.outgoing import Address, File, StoredFile
from bot.parsing import PersonRef
from bot.russian import GenderCode


class FileTooBigError(Exception):
    """A downloaded file is over the size its caller accepts."""

    def __init__(self, size: int) -> None:
        super().__init__(f"file of at least {size} bytes")
        self.size = size


def names_only(
    profiles: dict[int, tuple[str, str, GenderCode | None]],
) -> dict[int, tuple[str, str]]:
    """`Messenger.user_names` from `Messenger.user_profiles`: the gender left out."""
    return {person: (first, last) for person, (first, last, _) in profiles.items()}


class Messenger(Protocol):
    async def user_names(self, vk_ids: list[int]) -> dict[int, tuple[str, str]]:
        """(first name, last name) by person; people the messenger does not know are left out."""
        ...

    async def user_profiles(
        self, vk_ids: list[int]
    ) -> dict[int, tuple[str, str, GenderCode | None]]:
        """(first name, last name, gender) by person."""
        ...

    async def profile(self, account: Account | None) -> tuple[str, str, GenderCode | None]:
        """(first name, last name, gender) of whoever is behind a messenger account, as the
        messenger gives them; empty when it does not answer."""
        ...

    def placeholder_name(self, account: Account | None) -> str:
        """The name kept for someone whose name the messenger did not give: how the
        messenger itself shows the account (VK: `id123`)."""
        ...

    async def account_of(self, ref: PersonRef) -> Account | None:
        """The account a person reference (`id123`, `@name`, a profile link) names."""
        ...

    async def resolve_screen_name(self, screen_name: str) -> int | None:
        """The person a public name (`@name`, a profile link) belongs to, if any."""
        ...

    async def upload(self, to: Address, file: File) -> StoredFile | None:
        """A file made ready to be sent to `to` (a chart, a spreadsheet); None on failure."""
        ...

    async def download(self, url: str, max_bytes: int) -> bytes | None:
        """A file a person sent, by its `FileRef.ref`; None if it cannot be fetched whole.
        FileTooBigError if it is larger than `max_bytes`."""
        ...

    def invitation_link(self, code: str) -> str:
        """A link that starts a dialog with the bot carrying `code` as its start payload."""
        ...

    def answer_callback_soon(
        self, event_id: str, account: Account | None, peer_id: int, snackbar: str | None
    ) -> None:
        """Answers a pressed button, made from `account` (stops its spinner) without waiting."""
        ...

    async def finish_answers(self) -> None:
        """Waits for the button answers still on their way."""
        ...


@dataclass(frozen=True)
class CallScope:
    """How the calls one task makes while a person waits behave: each gets `deadline`
    seconds, retries included, and the task steps aside (gives up its place among the
    events handled at once) while it waits for the messenger, coming back once it has
    answered. Every messenger adapter's API client honours it for calls made from `task`."""

    task: asyncio.Task[Any]
    deadline: float
    step_aside: Callable[[], None]
    come_back: Callable[[], Awaitable[None]]


# Set by the dispatcher for the task handling events; tasks it starts inherit the variable,
# so the scope names its own task and applies only there.
interactive_calls: ContextVar[CallScope | None] = ContextVar("interactive_calls", default=None)
