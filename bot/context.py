"""What a handler gets for one event: who acts, the services, and where replies go."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.conversation.identity import Account
from bot.conversation.outgoing import (
    Address,
    Chat,
    Keyboard,
    OutgoingMessage,
    StoredFile,
    derived_random_id,
    split_message,
)
from bot.domain.roles import Actor

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.config import Settings
    from bot.conversation.incoming import Incoming
    from bot.dialogs import Dialogs, DialogState
    from bot.domain.announcements import AnnouncementService
    from bot.domain.chats import ChatService
    from bot.domain.duties import DutyService
    from bot.domain.events import EventService
    from bot.domain.family import FamilyService
    from bot.domain.invitations import InvitationService
    from bot.domain.movement import MovementService
    from bot.domain.moving import MovingService
    from bot.domain.people import PeopleService
    from bot.domain.questions import QuestionService
    from bot.domain.reports import ReportService
    from bot.domain.requests import RequestService
    from bot.domain.roster_service import RosterService
    from bot.domain.school import SchoolService
    from bot.domain.teaching import TeachingService
    from bot.messengers import Messengers
    from bot.notifier import Notifier
    from bot.storage import Database


@dataclass
class Services:
    """Everything a handler may use, built once in `main()`."""

    settings: Settings
    clock: Clock
    db: Database
    notifier: Notifier
    people: PeopleService
    school: SchoolService
    invitations: InvitationService
    requests: RequestService
    family: FamilyService
    movement: MovementService
    chats: ChatService
    duties: DutyService
    reports: ReportService
    events: EventService
    announcements: AnnouncementService
    roster: RosterService
    # The messengers' calls besides sending (names, files, button answers): one port that
    # hands each call to the messenger of the account, address or event it concerns.
    messengers: Messengers
    dialogs: Dialogs
    # A school's move between messengers: account links, where people are reached.
    moving: MovingService
    # Which classes subject teachers teach (clause 2.4).
    teaching: TeachingService
    # Questions to the class teacher and their threads.
    questions: QuestionService


@dataclass
class EventContext:
    event_id: str
    event_type: str
    person_id: int
    peer_id: int
    # Where the event came from, as the core addresses it: the person's dialog or a group chat.
    where: Address
    services: Services
    # What arrived, parsed once by the messenger's adapter.
    incoming: Incoming
    actor: Actor | None = None
    replies: list[OutgoingMessage] = field(default_factory=list)
    failed: bool = False
    callback_answered: bool = False
    callback_event_id: str = ""
    # Set by the router for the handler it chose: a command's arguments, a pressed button's
    # payload, the dialog's data; and the sender's dialog step as the event found it.
    args: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    dialog: dict[str, Any] = field(default_factory=dict)
    dialog_state: DialogState | None = None
    # The messenger account the event came from; `person_id` is the person it belongs to.
    account: Account | None = None
    # Dialog states read during this event, by state key; kept up to date by `Dialogs`.
    dialogs_read: dict[int, Any] = field(default_factory=dict)
    # Dialog steps taken during this event (None: the dialog ended), written in the same
    # transaction as its replies, so a step is never kept without its answer.
    dialog_changes: dict[int, tuple[str, dict[str, Any]] | None] = field(default_factory=dict)
    # People whose data was deleted during this event: what the event itself leaves of them
    # (its inbox row, the replies to them) goes with its outcome.
    forgotten: list[int] = field(default_factory=list)
    # Accounts that changed person during this event (linked to another): the dispatcher
    # forgets whom it knew them as.
    relinked: list[Account] = field(default_factory=list)

    @property
    def messenger(self) -> str:
        """The messenger the event came from (its replies go back there)."""
        return self.incoming.place.messenger

    @property
    def in_chat(self) -> bool:
        return isinstance(self.where, Chat)

    @property
    def who(self) -> Actor:
        if self.actor is None:
            raise RuntimeError("the actor is loaded by the dispatcher before any handler runs")
        return self.actor

    def reply(
        self, text: str, keyboard: Keyboard | None = None, files: tuple[StoredFile, ...] = ()
    ) -> None:
        """Answers where the event came from (queued; sent once the event is handled)."""
        self.send(self.where, text, keyboard, files)

    def send(
        self,
        to: Address,
        text: str,
        keyboard: Keyboard | None = None,
        files: tuple[StoredFile, ...] = (),
    ) -> None:
        self.replies += split_message(OutgoingMessage(to, text, keyboard, files))

    def outgoing_with_ids(self) -> list[tuple[OutgoingMessage, int]]:
        """Replies with random_ids derived from the event, so a replay is not sent twice."""
        return [
            (message, derived_random_id(self.event_id, index, message.to.id))
            for index, message in enumerate(self.replies)
        ]

    async def answer_callback(self, snackbar: str | None) -> None:
        """Stops a pressed callback button's spinner, with an optional snackbar.

        Sent alongside, not waited for: the answer only stops a spinner, and the person's
        next event should not wait for a round trip to VK."""
        self.callback_answered = True
        self.services.messengers.answer_callback_soon(
            self.callback_event_id, self.account, self.peer_id, snackbar
        )

    def extra(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "type": self.event_type}


current_event: contextvars.ContextVar[EventContext] = contextvars.ContextVar("current_event")
