"""A school's database written before people had internal ids (schema 10) is upgraded with
nothing lost, and the bot goes on working on it.

The database is `tests/data/schema10_school.sql`, written by the bot of that time through a
story in the VK sandbox (`tests/data/make_schema10_school.py` says how)."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.storage.migrations import MIGRATIONS
from bot.texts import t
from tests.conftest import ADMIN_ID, BotRunner
from tests.helpers import ask
from vk_sandbox import VKSandbox

FIXTURE = Path(__file__).parent / "data" / "schema10_school.sql"
ANNA = 1005  # her request for 6Б waits for the admin
PETR = 1006  # stopped in the middle of /request
# Columns renamed by migration 12: (table, old name) -> new name.
RENAMED = {("people", "vk_id"): "id"}


def _rows(path: Path) -> dict[str, list[dict[str, Any]]]:
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: [dict(row) for row in conn.execute(f'SELECT * FROM "{table}"')]
            for table in tables
        }


def _version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _old_database(path: Path) -> dict[str, list[dict[str, Any]]]:
    with sqlite3.connect(path) as conn:
        conn.executescript(FIXTURE.read_text(encoding="utf-8"))
    assert _version(path) == 10
    return _rows(path)


def _resume_vk(sandbox: VKSandbox, before: dict[str, list[dict[str, Any]]]) -> None:
    """The sandbox takes over where the VK of the old database was: its long-poll position
    and each conversation's message numbers (a message is known by its place in it)."""
    sandbox.log.next_ts = int(
        next(row["value"] for row in before["settings_kv"] if row["key"] == "longpoll_ts")
    )
    last: dict[int, int] = {}
    for row in before["inbox"]:
        kind, _, place = str(row["event_id"]).partition(":")
        if kind == "msg":
            peer, _, cmid = place.partition(":")
            last[int(peer)] = max(last.get(int(peer), 0), int(cmid))
    for peer, cmid in last.items():
        for _ in range(cmid):
            sandbox.next_cmid(peer)


def _as_now(table: str, row: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((RENAMED.get((table, column), column), v) for column, v in row.items()))


def _as_then(table: str, row: dict[str, Any], columns: set[str]) -> tuple[tuple[str, Any], ...]:
    """An upgraded row in the columns its table had before (later migrations add some);
    a pending message's VK parameters are kept by migration 11 under `vk`, as they were."""
    kept = {column: value for column, value in row.items() if column in columns}
    if table == "outbox" and kept.get("body"):
        body = json.loads(kept["body"])
        if isinstance(body, dict) and set(body) == {"vk"}:
            kept["body"] = json.dumps(body["vk"], ensure_ascii=False, separators=(",", ":"))
    return tuple(sorted(kept.items()))


async def test_every_row_of_a_schema_10_database_arrives(
    sandbox: VKSandbox, start_bot: Callable[..., Awaitable[BotRunner]], tmp_path: Path
) -> None:
    path = tmp_path / "bot.sqlite3"
    before = _old_database(path)
    # What the story left is all there: the test would prove nothing on an empty school.
    for table in (
        "people", "roles", "classes", "invitations", "redemptions", "join_requests", "chats",
        "chat_members", "events", "outbox", "inbox", "conversation_state", "audit_log",
        "seeded_roles",
    ):  # fmt: skip
        assert before[table], table
    _resume_vk(sandbox, before)
    runner = await start_bot(scheduler=False)
    await runner.stop()
    assert _version(path) == MIGRATIONS[-1].number
    after = _rows(path)

    for table, rows in before.items():
        if table in ("seeded_roles", "settings_kv"):
            continue
        columns = {RENAMED.get((table, column), column) for column in rows[0]} if rows else set()
        missing = Counter(_as_now(table, row) for row in rows) - Counter(
            _as_then(table, row, columns) for row in after[table]
        )
        assert not missing, f"{table}: {list(missing)}"
    # Everyone keeps their former VK id as their internal id and has it as their VK account.
    accounts = sorted(
        (row["messenger"], row["external_id"], row["person_id"]) for row in after["accounts"]
    )
    assert accounts == sorted(("vk", str(row["vk_id"]), row["vk_id"]) for row in before["people"])
    assert sorted(
        (row["messenger"], row["external_id"], row["role"], row["seeded_at"])
        for row in after["seeded_roles"]
    ) == sorted(
        ("vk", str(row["person_id"]), row["role"], row["seeded_at"])
        for row in before["seeded_roles"]
    )
    assert {row["key"] for row in after["settings_kv"]} >= {
        row["key"] for row in before["settings_kv"]
    }


async def test_the_bot_works_on_an_upgraded_database(
    sandbox: VKSandbox, start_bot: Callable[..., Awaitable[BotRunner]], tmp_path: Path
) -> None:
    before = _old_database(tmp_path / "bot.sqlite3")
    _resume_vk(sandbox, before)
    admin = sandbox.add_user("Ирина", "Петрова", user_id=ADMIN_ID)
    anna = sandbox.add_user("Анна", "Кузнецова", user_id=ANNA)
    petr = sandbox.add_user("Пётр", "Орлов", user_id=PETR)
    await start_bot(scheduler=False)
    # She allowed the community's messages in the VK of the old database; this one is new.
    await anna.allow_messages()

    # The admin is still the admin, and Anna's request still waits for her.
    listed = (await ask(admin, "/requests")).text
    assert "№1 родитель, 6Б: Кузнецова Анна (ребёнок: Кузнецов Иван)" in listed
    approved = (await ask(admin, "/approve 1")).text
    assert approved.startswith("Заявка №1 принята: Кузнецова Анна")
    told = (await anna.wait_reply()).text
    assert told.startswith(t("decision_you_approved", id=1, role="родитель", class_name="6Б"))
    # Пётр's dialog goes on where he left it.
    assert (await ask(petr, "/cancel")).text == t("cancel_done")
