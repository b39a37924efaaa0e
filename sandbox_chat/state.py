"""The sandbox's state kept with ``--database``: what VK would remember between runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sandbox_chat.demo import DEMO_SCHOOL
from vk_sandbox import ChatDriver, VKSandbox
from vk_sandbox.models import ChatMemberState, ChatState

# With --database, the sandbox's own state is kept next to it (see save_state).
STATE_SUFFIX = ".sandbox.json"
STATE_VERSION = 2


def state_file(database: Path) -> Path:
    """Where the sandbox's side of a kept database is saved: ``<database>.sandbox.json``."""
    return database.with_name(database.name + STATE_SUFFIX)


def save_state(sandbox: VKSandbox, path: Path) -> None:
    """Keeps what VK would remember between runs: the users added in the chat, whether each
    person allows the community's messages, the group chats, and the counters (long poll ts,
    message ids, each conversation's message numbers). Without them a new sandbox would
    number messages from 1 again, and the bot, which remembers the numbers it has seen in
    the kept database, would take new messages for old ones; and it would refuse every
    message to a person who has not written in this run (error 901)."""
    demo_ids = {person.user_id for person in DEMO_SCHOOL}
    state = {
        "version": STATE_VERSION,
        "users": [
            {"id": user.user_id, "first_name": user.first_name, "last_name": user.last_name}
            for user in sandbox.users.values()
            if user.user_id not in demo_ids
        ],
        "can_write": sorted(user.user_id for user in sandbox.users.values() if user.can_write),
        "chats": [
            {
                "id": chat.chat_id,
                "title": chat.title,
                "owner_id": chat.owner_id,
                "members": [
                    [m.member_id, m.invited_by, m.join_date] for m in chat.members.values()
                ],
                "bot_member": chat.bot_member,
                "bot_admin": chat.bot_admin,
                "invite_link": chat.invite_link,
            }
            for chat in sandbox.chats.values()
        ],
        "next_chat_id": sandbox._next_chat_id,
        "next_ts": sandbox.log.next_ts,
        "next_message_id": sandbox._next_message_id,
        "next_version": sandbox._next_version,
        "cmid": {str(peer_id): cmid for peer_id, cmid in sandbox._cmid.items()},
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def restore_state(sandbox: VKSandbox, path: Path) -> None:
    """Brings back what :func:`save_state` kept; ValueError if the file is not usable."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(state, dict) or state.get("version") not in (1, STATE_VERSION):
            raise ValueError("unknown format")
        for user in state["users"]:
            if int(user["id"]) not in sandbox.users:
                sandbox.add_user(
                    str(user["first_name"]), str(user["last_name"]), user_id=int(user["id"])
                )
        for user_id in state.get("can_write", ()):  # version 1 kept no permissions
            if int(user_id) in sandbox.users:
                sandbox.users[int(user_id)].can_write = True
        for chat in state.get("chats", ()):
            chat_id = int(chat["id"])
            if chat_id in sandbox.chats:
                continue
            members = {
                int(member_id): ChatMemberState(int(member_id), int(invited_by), int(joined))
                for member_id, invited_by, joined in chat["members"]
            }
            sandbox.chats[chat_id] = ChatState(
                chat_id=chat_id,
                title=str(chat["title"]),
                owner_id=int(chat["owner_id"]),
                members=members,
                bot_member=bool(chat["bot_member"]),
                bot_admin=bool(chat["bot_admin"]),
                invite_link=chat["invite_link"],
            )
            sandbox._chat_drivers[chat_id] = ChatDriver(sandbox, sandbox.chats[chat_id])
        sandbox._next_chat_id = max(sandbox._next_chat_id, int(state.get("next_chat_id", 1)))
        sandbox.log.next_ts = max(sandbox.log.next_ts, int(state["next_ts"]))
        sandbox._next_message_id = max(sandbox._next_message_id, int(state["next_message_id"]))
        sandbox._next_version = max(sandbox._next_version, int(state["next_version"]))
        for peer_id, cmid in dict(state["cmid"]).items():
            sandbox._cmid[int(peer_id)] = max(sandbox._cmid.get(int(peer_id), 0), int(cmid))
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise ValueError(str(error)) from None
