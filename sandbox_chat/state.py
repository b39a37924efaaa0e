"""The sandbox's state kept with ``--database``: what VK (or MAX) would remember between runs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from max_sandbox import ChatDriver as MaxChatDriver
from max_sandbox import MaxSandbox
from max_sandbox.models import ChatState as MaxChatState
from max_sandbox.models import MemberState
from sandbox_chat.demo import DEMO_SCHOOL
from vk_sandbox import ChatDriver, VKSandbox
from vk_sandbox.models import ChatMemberState, ChatState

# With --database, the sandbox's own state is kept next to it (see save_state).
STATE_SUFFIX = ".sandbox.json"
STATE_VERSION = 2
MAX_STATE_VERSION = "max-1"


def state_file(database: Path) -> Path:
    """Where the sandbox's side of a kept database is saved: ``<database>.sandbox.json``."""
    return database.with_name(database.name + STATE_SUFFIX)


def save_state(sandbox: VKSandbox | MaxSandbox, path: Path) -> None:
    """Keeps what VK would remember between runs: the users added in the chat, whether each
    person allows the community's messages, the group chats, and the counters (long poll ts,
    message ids, each conversation's message numbers). Without them a new sandbox would
    number messages from 1 again, and the bot, which remembers the numbers it has seen in
    the kept database, would take new messages for old ones; and it would refuse every
    message to a person who has not written in this run (error 901)."""
    if isinstance(sandbox, MaxSandbox):
        _write(_max_state(sandbox), path)
        return
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
    _write(state, path)


def _write(state: dict[str, Any], path: Path) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def _max_state(sandbox: MaxSandbox) -> dict[str, Any]:
    """What MAX would remember: the users (their dialogs' ids, whether each opened or stopped
    the bot), the group chats, and the counters: the updates' sequence (the bot keeps its
    polling marker in the kept database: a sandbox numbering updates from the start again
    would have them skipped as already read), message, chat and dialog ids."""
    demo_ids = {person.user_id for person in DEMO_SCHOOL}
    return {
        "version": MAX_STATE_VERSION,
        "users": [
            {
                "id": user.user_id,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "dialog_id": user.dialog_id,
                "started": user.started,
                "stopped": user.stopped,
                "demo": user.user_id in demo_ids,
            }
            for user in sandbox.users.values()
        ],
        "chats": [
            {
                "id": chat.chat_id,
                "title": chat.title,
                "owner_id": chat.owner_id,
                "members": [
                    [m.user_id, m.join_time, m.inviter_id, m.is_admin]
                    for m in chat.members.values()
                ],
                "bot_member": chat.bot_member,
                "bot_admin": chat.bot_admin,
                "status": chat.status,
                "link": chat.link,
            }
            for chat in sandbox.chats.values()
        ],
        "next_update": sandbox.log.next_seq,
        "next_user_id": sandbox._next_user_id,
        "next_chat_id": sandbox._next_chat_id,
        "next_dialog_id": sandbox._next_dialog_id,
        "next_seq": sandbox._next_seq,
        "next_file_id": sandbox._next_file_id,
    }


def _restore_max(sandbox: MaxSandbox, state: dict[str, Any]) -> None:
    for user in state["users"]:
        user_id = int(user["id"])
        if user_id not in sandbox.users:
            sandbox.add_user(str(user["first_name"]), user["last_name"], user_id=user_id)
        kept = sandbox.users[user_id]
        sandbox.dialogs.pop(kept.dialog_id, None)
        kept.dialog_id = int(user["dialog_id"])
        sandbox.dialogs[kept.dialog_id] = user_id
        kept.started = bool(user["started"])
        kept.stopped = bool(user["stopped"])
    for chat in state["chats"]:
        chat_id = int(chat["id"])
        if chat_id in sandbox.chats:
            continue
        members = {
            int(member_id): MemberState(
                int(member_id), int(joined), None if by is None else int(by), bool(admin)
            )
            for member_id, joined, by, admin in chat["members"]
        }
        sandbox.chats[chat_id] = MaxChatState(
            chat_id=chat_id,
            title=str(chat["title"]),
            owner_id=int(chat["owner_id"]),
            members=members,
            bot_member=bool(chat["bot_member"]),
            bot_admin=bool(chat["bot_admin"]),
            status=str(chat["status"]),
            link=chat["link"],
        )
        sandbox._chat_drivers[chat_id] = MaxChatDriver(sandbox, sandbox.chats[chat_id])
    sandbox.log.next_seq = max(sandbox.log.next_seq, int(state["next_update"]))
    sandbox.log.cursor = max(sandbox.log.cursor, sandbox.log.next_seq)
    sandbox._next_user_id = max(sandbox._next_user_id, int(state["next_user_id"]))
    sandbox._next_chat_id = min(sandbox._next_chat_id, int(state["next_chat_id"]))
    sandbox._next_dialog_id = max(sandbox._next_dialog_id, int(state["next_dialog_id"]))
    sandbox._next_seq = max(sandbox._next_seq, int(state["next_seq"]))
    sandbox._next_file_id = max(sandbox._next_file_id, int(state["next_file_id"]))


def restore_state(sandbox: VKSandbox | MaxSandbox, path: Path) -> None:
    """Brings back what :func:`save_state` kept; ValueError if the file is not usable (or was
    kept by the other messenger's sandbox)."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(sandbox, MaxSandbox):
            if not isinstance(state, dict) or state.get("version") != MAX_STATE_VERSION:
                raise ValueError("not a MAX sandbox's state")
            _restore_max(sandbox, state)
            return
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
