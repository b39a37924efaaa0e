"""One incoming event as the core sees it, whatever messenger it came from.

The adapter parses each update into an `Incoming` once, when it arrives; the inbox keeps the
record (`to_stored`), and the dispatcher and the handlers read only the record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bot.commands import ParsedCommand, payload_command

# A private dialog with the bot, or a group chat the bot is a member of.
PlaceKind = Literal["private", "chat"]
# A message (text, a text button, files), a pressed callback button, or an action.
EventKind = Literal["message", "button", "action", "other"]

# Actions: people joining or leaving a chat (the bot among them), a person allowing or
# denying the community's messages.
JOINED = "joined"
LEFT = "left"
BOT_ADDED = "bot_added"
BOT_REMOVED = "bot_removed"
MESSAGES_ALLOWED = "messages_allowed"
MESSAGES_DENIED = "messages_denied"
CHAT_ACTIONS = frozenset({JOINED, LEFT, BOT_ADDED, BOT_REMOVED})

# The form of a stored record; a stored body without it predates the record.
FORMAT = "incoming/1"


@dataclass(frozen=True)
class Sender:
    """Who acts: their account on a messenger, and the person key the core uses for them."""

    messenger: str
    external_id: int
    person: int


@dataclass(frozen=True)
class Place:
    """Where the event happened. `chat_id` is the messenger's own, opaque to the core: it is
    compared and handed back to the adapter, never computed with."""

    messenger: str
    kind: PlaceKind
    chat_id: int

    @property
    def is_chat(self) -> bool:
        return self.kind == "chat"


@dataclass(frozen=True)
class FileRef:
    """A file attached to a message; `ref` is how the adapter fetches it (opaque here)."""

    name: str
    type: str
    size: int
    ref: str


@dataclass(frozen=True)
class Action:
    kind: str
    # Who joined or left (the sender is who acted: who added the bot, say); None otherwise.
    member: int | None = None


@dataclass(frozen=True)
class Incoming:
    event_id: str
    kind: EventKind
    sender: Sender
    place: Place
    # When the person wrote it (seconds since the epoch); None where the messenger gives none.
    written_at: float | None = None
    text: str = ""
    # The command the message means (typed, a button label or payload), parsed once.
    command: ParsedCommand | None = None
    # The text names this bot (a mention in a group chat): it is addressed, command or not.
    mentions_me: bool = False
    # A button's payload, as the messenger delivered it (untrusted: read via `button`).
    payload: Any = None
    files: tuple[FileRef, ...] = ()
    action: Action | None = None
    # Started through a deep link: the link's payload.
    start_payload: str | None = None
    # A pressed callback button waits for an answer under this id.
    callback_id: str = ""

    @property
    def button(self) -> tuple[str, dict[str, Any]] | None:
        """The pressed button's payload as (command, payload), or None."""
        return payload_command(self.payload)

    @property
    def person(self) -> int:
        return self.sender.person

    @property
    def in_conversation(self) -> bool:
        """What a conversation shows: a message, or a chat's member joining or leaving."""
        if self.kind == "action":
            return self.action is not None and self.action.kind in CHAT_ACTIONS
        return self.kind == "message"

    @property
    def counts_for_flood(self) -> bool:
        """Whatever a person can send as fast as they like: messages, presses, chat events."""
        return self.kind == "button" or self.in_conversation

    def to_stored(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "event_id": self.event_id,
            "kind": self.kind,
            "sender": [self.sender.messenger, self.sender.external_id, self.sender.person],
            "place": [self.place.messenger, self.place.kind, self.place.chat_id],
            "written_at": self.written_at,
            "text": self.text,
            "command": None
            if self.command is None
            else [self.command.name, self.command.args, self.command.known],
            "mentions_me": self.mentions_me,
            "payload": self.payload,
            "files": [[f.name, f.type, f.size, f.ref] for f in self.files],
            "action": None if self.action is None else [self.action.kind, self.action.member],
            "start_payload": self.start_payload,
            "callback_id": self.callback_id,
        }

    @staticmethod
    def is_stored(body: dict[str, Any]) -> bool:
        return body.get("format") == FORMAT

    @classmethod
    def from_stored(cls, body: dict[str, Any]) -> Incoming:
        command = body.get("command")
        action = body.get("action")
        messenger, external_id, person = body["sender"]
        place_messenger, place_kind, chat_id = body["place"]
        return cls(
            event_id=str(body["event_id"]),
            kind=body["kind"],
            sender=Sender(str(messenger), int(external_id), int(person)),
            place=Place(str(place_messenger), place_kind, int(chat_id)),
            written_at=body.get("written_at"),
            text=str(body.get("text") or ""),
            command=None if command is None else ParsedCommand(*command),
            mentions_me=bool(body.get("mentions_me")),
            payload=body.get("payload"),
            files=tuple(FileRef(*item) for item in body.get("files") or ()),
            action=None if action is None else Action(*action),
            start_payload=body.get("start_payload"),
            callback_id=str(body.get("callback_id") or ""),
        )
