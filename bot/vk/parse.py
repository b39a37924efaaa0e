"""VK updates → neutral `Incoming` records, once, as they arrive.

Everything VK-shaped about an incoming event ends here: its update types, `peer_id`
numbering (a chat is 2,000,000,000 + its number), message actions, `ref`, document
and photo attachments, the community's own id in a chat's member events."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.commands import Community, parse_command
from bot.conversation.incoming import (
    BOT_ADDED,
    BOT_REMOVED,
    JOINED,
    LEFT,
    MESSAGES_ALLOWED,
    MESSAGES_DENIED,
    Action,
    EventKind,
    FileRef,
    Incoming,
    Place,
    Sender,
)

MESSENGER = "vk"
CHAT_PEER_OFFSET = 2_000_000_000


def update_source(update: dict[str, Any]) -> dict[str, Any]:
    """What an update is about: its message for message_new, else its object."""
    obj = update.get("object")
    if not isinstance(obj, dict):
        return {}
    message = obj.get("message")
    return message if isinstance(message, dict) else obj


def person_key(update: dict[str, Any]) -> int:
    """Whose event this is: one person's events are handled in order."""
    source = update_source(update)
    return int(source.get("from_id") or source.get("user_id") or source.get("peer_id") or 0)


def dedup_key(update: dict[str, Any]) -> str:
    """What makes two deliveries the same event. A message is known by its place in its
    conversation, so one delivered by long poll and found again in the history is one."""
    message = update_source(update)
    if update.get("type") == "message_new":
        cmid = message.get("conversation_message_id")
        if cmid:
            return f"msg:{message.get('peer_id')}:{cmid}"
    event_id = update.get("event_id")
    if isinstance(event_id, str) and event_id:
        return event_id
    # VK always sends one; should it not, the content identifies the event.
    return "sha:" + hashlib.sha256(json.dumps(update, sort_keys=True).encode()).hexdigest()


def place_of(peer_id: int) -> Place:
    return Place(MESSENGER, "chat" if peer_id > CHAT_PEER_OFFSET else "private", peer_id)


def _photo(photo: dict[str, Any]) -> FileRef | None:
    """A photo as a file: the URL of its largest size (VK gives no size in bytes)."""
    sizes = [
        size for size in photo.get("sizes") or () if isinstance(size, dict) and size.get("url")
    ]
    if not sizes:
        return None
    largest = max(
        sizes, key=lambda size: int(size.get("width") or 0) * int(size.get("height") or 0)
    )
    return FileRef(
        name=f"photo{photo.get('owner_id', '')}_{photo.get('id', '')}.jpg",
        type="jpg",
        size=0,
        ref=str(largest["url"]),
    )


def _files(message: dict[str, Any]) -> tuple[FileRef, ...]:
    files = []
    for attachment in message.get("attachments") or ():
        photo = attachment.get("photo") if isinstance(attachment, dict) else None
        if isinstance(photo, dict):
            ref = _photo(photo)
            if ref is not None:
                files.append(ref)
            continue
        doc = attachment.get("doc") if isinstance(attachment, dict) else None
        if isinstance(doc, dict):
            files.append(
                FileRef(
                    name=str(doc.get("title") or ""),
                    type=str(doc.get("ext") or ""),
                    size=int(doc.get("size") or 0),
                    ref=str(doc.get("url") or ""),
                )
            )
    return tuple(files)


def _action(message: dict[str, Any], group_id: int) -> Action | None:
    action = message.get("action")
    if not isinstance(action, dict):
        return None
    kind = action.get("type")
    member = action.get("member_id")
    member = int(member) if isinstance(member, int) else None
    if kind == "chat_invite_user_by_link":
        # The one who joined by the link writes the event.
        return Action(JOINED, int(message.get("from_id") or 0))
    if kind == "chat_invite_user":
        if member == -group_id:
            return Action(BOT_ADDED)
        return Action(JOINED, member) if member is not None and member > 0 else None
    if kind == "chat_kick_user" and member is not None:
        return Action(BOT_REMOVED) if member == -group_id else Action(LEFT, member)
    return None


def parse_update(update: dict[str, Any], me: Community) -> Incoming:
    """The record of one VK update. `me` is this community, for the commands and chat
    events addressed to it."""
    kind = str(update.get("type", ""))
    source = update_source(update)
    person = person_key(update)
    peer = int(source.get("peer_id") or person)
    sender = Sender(MESSENGER, person, person)
    event_id = dedup_key(update)
    if kind == "message_new":
        text = str(source.get("text") or "")
        payload = source.get("payload")
        action = _action(source, me.group_id) if peer > CHAT_PEER_OFFSET else None
        ref = source.get("ref")
        date = source.get("date")
        event_kind: EventKind = "action" if action is not None else "message"
        return Incoming(
            event_id=event_id,
            kind=event_kind,
            sender=sender,
            place=place_of(peer),
            written_at=float(date) if date else None,
            text=text,
            command=parse_command(text, payload, me),
            mentions_me=me.mentioned_in(text),
            payload=payload,
            files=_files(source),
            action=action,
            start_payload=str(ref) if ref else None,
        )
    if kind == "message_event":
        return Incoming(
            event_id=event_id,
            kind="button",
            sender=sender,
            place=place_of(peer),
            payload=source.get("payload"),
            callback_id=str(source.get("event_id", "")),
        )
    if kind in ("message_allow", "message_deny"):
        allowed = kind == "message_allow"
        return Incoming(
            event_id=event_id,
            kind="action",
            sender=sender,
            place=place_of(peer),
            action=Action(MESSAGES_ALLOWED if allowed else MESSAGES_DENIED),
        )
    return Incoming(event_id, "other", sender, place_of(peer))
