"""MAX updates → neutral `Incoming` records, once, as they arrive.

Everything MAX-shaped about an incoming event ends here: update types, dialogs (a private
place is keyed by the user's id, not by the dialog's chat id), group chats (negative ids,
kept as they are: the core keys chats by them and `chats.messenger` says whose), callback
payloads, deep-link payloads, attachments, the users' names that come with each update."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.commands import Community, ParsedCommand, parse_command
from bot.conversation.identity import MAX
from bot.conversation.incoming import (
    BOT_ADDED,
    BOT_REMOVED,
    JOINED,
    LEFT,
    MESSAGES_DENIED,
    Action,
    FileRef,
    Incoming,
    Place,
    Sender,
)

PREFIX = "max:"
START = ParsedCommand("start", "", True)


@dataclass(frozen=True)
class Me:
    """The bot as MAX knows it (GET /me)."""

    user_id: int
    username: str | None = None

    @property
    def community(self) -> Community:
        """How commands in chats are checked to address this bot (`/help@username`)."""
        return Community(self.user_id, self.username)


@dataclass
class Learned:
    """What an update tells besides the event: people's names (user id → first, last) and
    users' dialog chat ids (user id → chat id), for the gateway and the sender."""

    names: dict[int, tuple[str, str]] = field(default_factory=dict)
    dialogs: dict[int, int] = field(default_factory=dict)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _user_id(user: Any) -> int:
    return (_int(user.get("user_id")) or 0) if isinstance(user, dict) else 0


def learn(update: dict[str, Any], learned: Learned, me: Me) -> None:
    """Notes every user named in the update, and the dialog chat id it reveals."""

    def note(user: Any) -> None:
        user_id = _user_id(user)
        if user_id <= 0 or user_id == me.user_id or user.get("is_bot"):
            return
        first = str(user.get("first_name") or "")
        last = str(user.get("last_name") or "")
        learned.names[user_id] = (first, last)

    message = update.get("message")
    if isinstance(message, dict):
        note(message.get("sender"))
        recipient = message.get("recipient") or {}
        if recipient.get("chat_type") == "dialog":
            sender = _user_id(message.get("sender"))
            other = sender if sender != me.user_id else _int(recipient.get("user_id")) or 0
            chat_id = _int(recipient.get("chat_id"))
            if other > 0 and chat_id is not None:
                learned.dialogs[other] = chat_id
    callback = update.get("callback")
    if isinstance(callback, dict):
        note(callback.get("user"))
    user = update.get("user")
    if isinstance(user, dict):
        note(user)
        if update.get("update_type") in ("bot_started", "bot_stopped"):
            chat_id = _int(update.get("chat_id"))
            if chat_id is not None and _user_id(user) > 0:
                learned.dialogs[_user_id(user)] = chat_id


def event_id(update: dict[str, Any]) -> str:
    """Stable across redelivery: a message by its mid, a press by its callback id, anything
    else by its type, chat, user and time."""
    kind = str(update.get("update_type", ""))
    message = update.get("message")
    if kind == "message_callback":
        callback = update.get("callback") or {}
        if callback.get("callback_id"):
            return f"{PREFIX}cb:{callback['callback_id']}"
    elif isinstance(message, dict):
        mid = (message.get("body") or {}).get("mid")
        if mid:
            return f"{PREFIX}{kind}:{mid}"
    return (
        f"{PREFIX}{kind}:{update.get('chat_id', '')}:{_user_id(update.get('user'))}"
        f":{update.get('timestamp', '')}"
    )


def _place(message: dict[str, Any], sender: int) -> Place:
    recipient = message.get("recipient") or {}
    if recipient.get("chat_type") == "dialog" or recipient.get("chat_id") is None:
        return Place(MAX, "private", sender)
    return Place(MAX, "chat", int(recipient["chat_id"]))


def _files(body: dict[str, Any]) -> tuple[FileRef, ...]:
    files = []
    for attachment in body.get("attachments") or ():
        if not isinstance(attachment, dict):
            continue
        kind = attachment.get("type")
        payload = attachment.get("payload") or {}
        url = payload.get("url") if isinstance(payload, dict) else None
        if kind not in ("file", "image") or not url:
            continue
        name = str(attachment.get("filename") or ("image.jpg" if kind == "image" else "file"))
        files.append(
            FileRef(
                name=name,
                type=name.rpartition(".")[2].lower() if "." in name else "",
                size=int(attachment.get("size") or 0),
                ref=str(url),
            )
        )
    return tuple(files)


def _addressed(text: str, me: Me) -> tuple[str, bool]:
    """The text without a leading mention of this bot (`@username`), and whether the text
    mentions it at all; a message starting with another bot's mention keeps it."""
    if not me.username:
        return text, False
    mention = re.compile(rf"@{re.escape(me.username)}\b", re.IGNORECASE)
    mentions_me = mention.search(text) is not None
    leading = re.match(rf"^\s*@{re.escape(me.username)}\b[\s,:]*", text, re.IGNORECASE)
    return (text[leading.end() :] if leading else text), mentions_me


def _mentions_me(body: dict[str, Any], me: Me) -> bool:
    for markup in body.get("markup") or ():
        if (
            isinstance(markup, dict)
            and markup.get("type") == "user_mention"
            and markup.get("user_id") == me.user_id
        ):
            return True
    return False


def parse_update(update: dict[str, Any], me: Me) -> Incoming:
    kind = str(update.get("update_type", ""))
    key = event_id(update)
    timestamp = _int(update.get("timestamp"))
    if kind == "message_created":
        message = update.get("message") or {}
        body = message.get("body") or {}
        sender_id = _user_id(message.get("sender"))
        place = _place(message, sender_id)
        if sender_id == me.user_id:
            return Incoming(key, "other", Sender(MAX, 0, 0), place)  # the bot's own message
        raw = str(body.get("text") or "")
        text, mentioned = _addressed(raw, me)
        written = _int(message.get("timestamp")) or timestamp
        return Incoming(
            event_id=key,
            kind="message",
            sender=Sender(MAX, sender_id, sender_id),
            place=place,
            written_at=written / 1000 if written else None,
            text=text,
            command=parse_command(text, None, me.community),
            mentions_me=mentioned or _mentions_me(body, me),
            files=_files(body),
        )
    if kind == "message_callback":
        callback = update.get("callback") or {}
        sender_id = _user_id(callback.get("user"))
        message = update.get("message")
        place = (
            _place(message, sender_id)
            if isinstance(message, dict)
            else Place(MAX, "private", sender_id)
        )
        return Incoming(
            event_id=key,
            kind="button",
            sender=Sender(MAX, sender_id, sender_id),
            place=place,
            payload=callback.get("payload"),
            callback_id=str(callback.get("callback_id") or ""),
        )
    user_id = _user_id(update.get("user"))
    if kind == "bot_started":
        payload = update.get("payload")
        return Incoming(
            event_id=key,
            kind="message",
            sender=Sender(MAX, user_id, user_id),
            place=Place(MAX, "private", user_id),
            written_at=timestamp / 1000 if timestamp else None,
            command=START,
            start_payload=str(payload) if payload else None,
        )
    if kind == "bot_stopped":
        return Incoming(
            event_id=key,
            kind="action",
            sender=Sender(MAX, user_id, user_id),
            place=Place(MAX, "private", user_id),
            action=Action(MESSAGES_DENIED),
        )
    chat_id = _int(update.get("chat_id"))
    if chat_id is not None and kind in ("user_added", "user_removed", "bot_added", "bot_removed"):
        place = Place(MAX, "chat", chat_id)
        if kind == "user_added":
            actor = _int(update.get("inviter_id")) or user_id
            action = Action(JOINED, user_id)
        elif kind == "user_removed":
            actor = _int(update.get("admin_id")) or user_id
            action = Action(LEFT, user_id)
        else:
            actor = user_id
            action = Action(BOT_ADDED if kind == "bot_added" else BOT_REMOVED)
        if actor == me.user_id:
            actor = user_id  # the bot's own doing (a removal it made): the member acted
        return Incoming(key, "action", Sender(MAX, actor, actor), place, action=action)
    place = (
        Place(MAX, "chat", chat_id)
        if chat_id is not None and chat_id < 0
        else Place(MAX, "private", user_id)
    )
    return Incoming(key, "other", Sender(MAX, user_id, user_id), place)
