"""An upgrade makes a person of every VK user a column names, strangers included: their
rows keep naming them, and the bot reaches them through their VK account."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from bot.conversation.identity import vk_account
from bot.storage import Database
from bot.vk.people import vk_users_of
from tests.test_accounts_upgrade import FIXTURE

IN_A_DIALOG = 4242  # a stranger who began a dialog step before the upgrade
AWAITING_A_REPLY = 4343  # a stranger whose greeting was still queued
NOW = "2026-11-01T10:00:00.000000Z"


async def test_strangers_named_by_a_dialog_step_or_a_queued_reply_become_people(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(FIXTURE.read_text(encoding="utf-8"))
        known = {int(row[0]) for row in conn.execute("SELECT vk_id FROM people")}
        assert not {IN_A_DIALOG, AWAITING_A_REPLY} & known
        conn.execute(
            "INSERT INTO conversation_state (person_id, state, payload, updated_at)"
            " VALUES (?, 'JoinDialog:name', '{}', ?)",
            (IN_A_DIALOG, NOW),
        )
        conn.execute(
            "INSERT INTO outbox (peer_id, random_id, body, created_at) VALUES (?, 7, ?, ?)",
            (AWAITING_A_REPLY, json.dumps({"message": "Здравствуйте!"}), NOW),
        )
    async with Database(path) as db:
        for vk_id in (IN_A_DIALOG, AWAITING_A_REPLY):
            assert await db.reader.accounts.person_of(vk_account(vk_id)) == vk_id
        assert await vk_users_of(db, [IN_A_DIALOG, AWAITING_A_REPLY]) == {
            IN_A_DIALOG: IN_A_DIALOG,
            AWAITING_A_REPLY: AWAITING_A_REPLY,
        }
        # A new person's id is allocated past every id a row names: none is met by chance.
        async with db.transaction() as tx:
            new = await tx.accounts.people_for([vk_account(1)])
        assert new[vk_account(1)] > max(known | {IN_A_DIALOG, AWAITING_A_REPLY})
