"""Deleting a person (152-FZ): after `/forget_me`, and after a departure's retention period,
no table holds their id, their name, their child's name or what they wrote. What stays says
that something happened, not who; other people's data stays.

Every column of every table is classified below. A table or column added without a class
fails `test_every_column_is_classified`: add it to PERSONAL_DATA (and, if it can hold
personal data, to the deletion in `PersonalDataRepo.forget`, bot/storage/personal.py)."""

from __future__ import annotations

import asyncio
import io
import json
import re
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from openpyxl import Workbook

from bot.clock import FrozenClock
from bot.conversation.outgoing import Person
from bot.storage import Database
from bot.storage.migrations import MIGRATIONS, _split_statements
from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    ask,
    class_teacher,
    drain,
    invitation_code,
    joined_by_code,
    next_starting,
    person_of,
    school_with_classes,
    submit_join_request,
)
from vk_sandbox import UserDriver, VKSandbox

# The schema before deleting a person reached every table.
LAST_BEFORE_THE_FIX = 6

ID = "a person's id (internal; their VK id for people from before migration 12)"
NAME = "a person's name"
TEXT = "free text that can hold names, ids or what someone wrote"
NO = "not personal"

# table -> column -> what it can hold.
PERSONAL_DATA: dict[str, dict[str, str]] = {
    "people": {
        "id": ID,
        "messenger": NO,  # the messenger they chose to be reached on
        "full_name": NAME,
        "consent_at": NO,
        "pending_ref": TEXT,
        "created_at": NO,
        "left_at": NO,
        "can_receive": NO,
        "pending_ref_at": NO,
        "gender": NO,  # personal, but only in the person's own row, which goes whole
    },
    # Kept for a person listed in ADMIN_IDS / DIRECTOR_IDS (the settings hold the id anyway).
    "seeded_roles": {"messenger": NO, "external_id": TEXT, "role": NO, "seeded_at": NO},
    # A person's account on a messenger (for VK the user id, as text): goes with the person.
    "accounts": {"messenger": NO, "external_id": TEXT, "person_id": ID, "linked_at": NO},
    # A one-time link joining a person's accounts (only its code's hash): goes with them.
    "account_links": {
        "code_hash": NO,
        "person_id": ID,
        "messenger": NO,
        "created_at": NO,
        "expires_at": NO,
        "used_at": NO,
    },
    # Which process takes the events: a host and a process id.
    "leases": {"name": NO, "owner": NO, "until": NO},
    "classes": {
        "id": NO,
        "name": NO,
        "grade": NO,
        "letter": NO,
        "is_staff_room": NO,
        "created_at": NO,
    },
    "roles": {
        "id": NO,
        "person_id": ID,
        "role": NO,
        "class_id": NO,
        "granted_at": NO,
        "granted_by": ID,
        "verified_at": NO,
        "ended_at": NO,
        "stated_name": NAME,
        "child_name": NAME,
    },
    "audit_log": {
        "id": NO,
        "at": NO,
        "actor_id": ID,
        "action": NO,
        "subject_id": ID,
        "details": TEXT,
    },
    "conversation_state": {"person_id": ID, "state": NO, "payload": TEXT, "updated_at": NO},
    "inbox": {
        "event_id": TEXT,  # a message's is "msg:<peer>:<number>"
        "seq": NO,
        "person_key": ID,
        "received_at": NO,
        "body": TEXT,
        "done_at": NO,
    },
    "outbox": {
        "id": NO,
        "messenger": NO,
        "peer_id": ID,
        "random_id": NO,
        "body": TEXT,
        "state": NO,
        "attempts": NO,
        "created_at": NO,
        "sent_at": NO,
        "vk_message_id": NO,
        "error_code": NO,
        "report_to": ID,
        "erase_when_sent": NO,
        "to_chat": NO,  # whether peer_id is a group chat's
        "to_account": TEXT,  # `vk:123`: a farewell's account, erased with the row once sent
        "attempted_at": NO,  # when a send without an idempotency key was tried (MAX)
        "message_ref": NO,  # the messenger's ids of the message it became
    },
    "outbox_recipients": {
        "outbox_id": NO,
        "messenger": NO,
        "peer_id": ID,
        "state": NO,
        "vk_message_id": NO,
        "error_code": NO,
        "to_chat": NO,  # whether peer_id is a group chat's
        "attempted_at": NO,
        "message_ref": NO,
    },
    # An account's dialog with the bot (MAX numbers dialogs apart): goes with the account.
    "dialogs": {"messenger": NO, "external_id": TEXT, "chat_id": NO},
    "settings_kv": {"key": NO, "value": NO},  # the long poll's ts, the community's id
    "invitations": {
        "id": NO,
        "code_hash": NO,
        "role": NO,
        "class_id": NO,
        "max_uses": NO,
        "uses": NO,
        "created_by": ID,
        "created_at": NO,
        "expires_at": NO,
        "first_used_at": NO,
        "annulled_at": NO,
        "annulled_by": ID,
        "child_id": ID,
    },
    "family_links": {
        "id": NO,
        "parent_id": ID,
        "child_id": ID,
        "child_name": NAME,
        "class_id": NO,
        "created_by": ID,
        "created_at": NO,
    },
    # A question to the class teacher: goes with its asker; a teacher's part is erased.
    "questions": {
        "id": NO,
        "asker_id": ID,
        "teacher_id": ID,
        "class_id": NO,
        "created_at": NO,
        "answered_at": NO,
        "closed_at": NO,
        "closed_by": ID,
        "escalated_at": NO,
    },
    "question_messages": {
        "id": NO,
        "question_id": NO,
        "author_id": ID,
        "text": TEXT,
        "files": TEXT,  # the messenger's references (URLs) of the files sent
        "created_at": NO,
    },
    "redemptions": {"invitation_id": NO, "person_id": ID, "at": NO},
    "code_failures": {"person_id": ID, "at": NO},
    "join_requests": {
        "id": NO,
        "person_id": ID,
        "role": NO,
        "class_id": NO,
        "full_name": NAME,
        "status": NO,
        "created_at": NO,
        "decided_by": ID,
        "decided_at": NO,
        "reason": TEXT,
        "reminded_at": NO,
        "escalated_at": NO,
        "child_id": ID,
    },
    "chats": {
        "peer_id": NO,  # a group chat's peer, never a person's
        "messenger": NO,
        "title": NO,  # the chat's name in VK, the school's
        "added_by": ID,
        "added_at": NO,
        "kind": NO,
        "sub_kind": NO,
        "class_id": NO,
        "bound_by": ID,
        "bound_at": NO,
        "bot_admin": NO,
        "invite_link": NO,
        "checked_at": NO,
        "left_at": NO,
    },
    "chat_members": {"peer_id": NO, "member_id": ID},
    "duty_marks": {
        "person_id": ID,
        "duty_key": NO,
        "class_id": NO,
        "period": NO,
        "marked_at": NO,
    },
    "job_runs": {"name": NO, "last_run_at": NO, "lease_owner": NO, "lease_until": NO},
    "events": {
        "id": NO,
        "title": NO,  # the school's event, which stays when its author goes
        "starts_at": NO,
        "audience": NO,
        "class_id": NO,
        "chat_peer": NO,
        "link": NO,
        "created_by": ID,
        "created_at": NO,
        "reminded_at": NO,
        "cancelled_at": NO,
        "kind": NO,
        "sender_role": NO,  # the role the event was planned in, not whose
        "evening_at": NO,
        "evening_reminded_at": NO,
    },
    "event_answers": {"event_id": NO, "person_id": ID, "coming": NO, "answered_at": NO},
    "teaching": {
        "id": NO,
        "teacher_id": ID,
        "class_id": NO,
        "subject": NO,  # what is taught in a class, the school's
        "source": NO,
        "created_by": ID,
        "created_at": NO,
    },
    "proposals": {
        "id": NO,
        "text": TEXT,
        "proposed_by": ID,
        "created_at": NO,
        "status": NO,
        "decided_by": ID,
        "decided_at": NO,
    },
    "roster_students": {"id": NO, "full_name": NAME, "class_id": NO},
    "roster_staff": {"full_name": NAME, "role": NO, "classes_led": NO},
    "roster_imports": {
        "id": NO,
        "admin_id": ID,
        "payload": TEXT,
        "created_at": NO,
        "applied_at": NO,
    },
}


def _live_schema(conn: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        table: [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')] for table in tables
    }


def _traces(database: Path, person_id: int, secrets: tuple[str, ...]) -> list[str]:
    """Every value in the database that holds the person's id or one of the secrets."""
    # Not inside a hexadecimal hash (an event's id), where a small id shows up by chance.
    own_id = re.compile(rf"(?:(?<=id)|(?<![0-9a-f])){person_id}(?![0-9a-f])")
    found: list[str] = []
    with sqlite3.connect(database) as conn:
        for table, columns in _live_schema(conn).items():
            for column in columns:
                kind = PERSONAL_DATA[table][column]
                for (value,) in conn.execute(f'SELECT "{column}" FROM "{table}"'):
                    if kind == ID and value == person_id:
                        found.append(f"{table}.{column} = {value}")
                    elif isinstance(value, str) and (
                        any(secret in value for secret in secrets)
                        or (kind == TEXT and own_id.search(value))
                    ):
                        found.append(f"{table}.{column} = {value!r}")
    return found


def _query(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as conn:
        return list(conn.execute(sql))


async def _settled(runner: BotRunner) -> None:
    """Waits until the outbox has sent everything queued."""
    for _ in range(200):
        if not await runner.db.reader.outbox.pending(after_id=0, limit=1):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not drain")


def _roster(students: list[tuple[str, str]], staff: list[str]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Классы"
    sheet.append(["Класс"])
    for name in sorted({class_name for _, class_name in students}):
        sheet.append([name])
    members = book.create_sheet("Сотрудники")
    members.append(["ФИО", "Роль", "Классное руководство"])
    for name in staff:
        members.append([name, "учитель", ""])
    pupils = book.create_sheet("Ученики")
    pupils.append(["ФИО", "Класс"])
    for row in students:
        pupils.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def _upload_roster(admin: UserDriver, data: bytes, apply: bool) -> None:
    await admin.send("", document=("spiski.xlsx", data))
    assert (await admin.wait_reply()).text == t("roster_reading")
    preview = await admin.wait_reply()
    if apply:
        await admin.press(preview.button(BUTTONS["apply"]))
        await admin.wait_event_answer()
        await admin.wait_reply()


async def test_every_column_is_classified(tmp_path: Path) -> None:
    async with Database(tmp_path / "school.sqlite3"):
        pass
    with sqlite3.connect(tmp_path / "school.sqlite3") as conn:
        live = _live_schema(conn)
    unclassified = [
        f"{table}.{column}"
        for table, columns in live.items()
        for column in columns
        if column not in PERSONAL_DATA.get(table, {})
    ]
    assert not unclassified, (
        f"not classified as personal or not: {', '.join(unclassified)} — add them to"
        " PERSONAL_DATA in tests/test_privacy_erasure.py (and, if personal, to"
        " PersonalDataRepo.forget in bot/storage/personal.py)"
    )
    gone = [
        f"{table}.{column}"
        for table, columns in PERSONAL_DATA.items()
        for column in columns
        if column not in live.get(table, [])
    ]
    assert not gone, f"classified but not in the schema: {', '.join(gone)}"


async def test_forget_me_leaves_no_trace_of_the_person_or_their_child(
    sandbox: VKSandbox, start_bot: Callable[..., Awaitable[BotRunner]], frozen_clock: FrozenClock
) -> None:
    # Elena writes a lot in a short while: no flood limit.
    runner = await start_bot(clock=frozen_clock, scheduler=False, flood_limit=0)
    database = runner.settings.database_path
    admin = await school_with_classes(sandbox, "5А", "6Б")
    students = [("Белов Михаил", "5А"), ("Смирнов Пётр", "6Б")]
    await _upload_roster(admin, _roster(students, ["Смирнова Елена"]), apply=True)
    # Elena: class teacher of 5А, who issues an invitation, binds the parents' chat and
    # ticks a duty; and a mother in 6Б, by a join request the admin approves.
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite parent 5А"))
    olga = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Михаил")
    chat = sandbox.create_chat(title="5А родители", owner=elena, members=[olga], bot_admin=True)
    await elena.send("/bind parents 5А", chat=chat)
    await chat.wait_message()
    # «Поддерживать общение в чатах…» is ticked by hand.
    assert (await ask(elena, "/done 7")).text.startswith("Отмечено: ")
    await submit_join_request(elena, "6Б", "Смирнов Пётр")
    notice = await admin.wait_reply()
    await admin.press(notice.button(BUTTONS["approve"]))
    await admin.wait_reply()
    await elena.wait_reply()  # approved
    await ask(elena, "Мой вопрос про сына: секрет 4711")
    await ask(elena, "/join НЕТ-ТАКОГО-КОДА")  # a failed code attempt is counted
    # A parents' meeting she plans for 5А.
    await ask(elena, "/event")
    await ask(elena, "Родительское собрание")
    audience = await ask(elena, "01.12 18:00")
    await elena.press(audience.button(BUTTONS["audience_parents"]))
    await elena.press((await elena.wait_reply()).button("5А"))
    await elena.press((await elena.wait_reply()).button(BUTTONS["no_link"]))
    await elena.wait_reply()  # planned
    # Her announcement to the parents of 5А (its delivery report is hers) and the admin's to
    # the parents of 6Б (she is among the recipients).
    preview = await ask(elena, "/announce parents 5А Собрание в четверг")
    await elena.press(preview.button(BUTTONS["send"]))
    await drain(elena)
    preview = await ask(admin, "/announce parents 6Б Экскурсия в пятницу")
    await admin.press(preview.button(BUTTONS["send"]))
    await drain(admin)
    # She teaches 6Б too, and answers the admin's meeting of 6Б's parents «Приду».
    await ask(admin, f"/teaches id{elena.user_id} 6Б литература")
    await ask(admin, "/event")
    await ask(admin, "Собрание 6Б")
    audience = await ask(admin, "02.12 18:00")
    await admin.press(audience.button(BUTTONS["audience_parents"]))
    await admin.press((await admin.wait_reply()).button("6Б"))
    await admin.press((await admin.wait_reply()).button(BUTTONS["no_link"]))
    meeting = await next_starting(elena, "📅 Собрание 6Б")
    await elena.press(meeting.button(BUTTONS["rsvp_yes"]))
    await elena.wait_event_answer()
    await drain(admin)
    # A new roster the admin has not applied yet names her and her son.
    await _upload_roster(admin, _roster([*students, ("Орлова Анна", "6Б")], ["Смирнова Елена"]),
                         apply=False)  # fmt: skip
    await _settled(runner)
    await drain(elena)  # the admin's announcement
    elena_id = await person_of(runner.db, elena)
    before = _traces(database, elena_id, ("Смирнова", "Смирнов Пётр", "4711"))
    assert any(trace.startswith("family_links.child_name") for trace in before)
    for table in (
        "chat_members",
        "code_failures",
        "events",
        "duty_marks",
        "outbox_recipients",
        "teaching",
        "event_answers",
    ):
        assert any(trace.startswith(table + ".") for trace in before), table

    confirm = await ask(elena, "/forget_me")
    await elena.press(confirm.button(BUTTONS["forget_confirm"]))
    assert (await elena.wait_reply()).text == t("forget_done")
    await _settled(runner)

    secrets = ("Смирнова", "Елена", "Смирнов Пётр", "4711")
    assert _traces(database, elena_id, secrets) == []
    assert _traces(database, elena.user_id, secrets) == []  # her VK account went too
    # What stays: that things happened, and other people's data.
    actions = [row.action for row in await runner.db.reader.audit.latest(100)]
    assert {"consent_withdrawn", "invitation_issued", "chat_bound"} <= set(actions)
    olga_id = await person_of(runner.db, olga)
    assert [r.role for r in await runner.db.reader.roles.active_for(olga_id)] == ["parent"]
    olga_links = await runner.db.reader.family.of_parent(olga_id)
    assert [link.child_name for link in olga_links] == ["Белов Михаил"]
    assert _query(database, "SELECT kind FROM chats WHERE kind IS NOT NULL") == [("parents",)]
    assert "родитель, 5А" in (invites := (await ask(admin, "/invites")).text)
    assert "выдал " + t("invites_issuer_forgotten") in invites
    assert _query(database, "SELECT full_name FROM roster_students") == [("Белов Михаил",)]
    assert _query(database, "SELECT title FROM events ORDER BY id") == [
        ("Родительское собрание",),
        ("Собрание 6Б",),
    ]


async def test_a_departure_is_forgotten_after_the_retention_but_not_the_other_parents_child(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    assert clocked_bot.app is not None
    database = clocked_bot.settings.database_path
    await clocked_bot.app.scheduler.tick()  # the scheduler starts counting
    admin = await school_with_classes(sandbox, "5А")
    await _upload_roster(admin, _roster([("Белов Михаил", "5А")], []), apply=True)
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite parent 5А"))
    olga = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Михаил")
    oleg = await joined_by_code(sandbox, code, "Олег", "Белов", "Белов Михаил")
    await drain(elena)
    await ask(olga, "Когда родительское собрание? секрет 4711")

    await drain(admin)
    assert (await ask(admin, f"/leave id{olga.user_id}")).text.startswith(
        "Выбытие отмечено: Белова Ольга"
    )
    frozen_clock.advance(timedelta(days=31))
    assert "purge_departed" in [run.name for run in await clocked_bot.app.scheduler.tick()]
    await _settled(clocked_bot)

    assert _traces(database, olga.user_id, ("Белова", "Ольга", "4711")) == []
    # The child's father is still with the school: his role names the boy, and the roster
    # keeps him.
    oleg_links = await clocked_bot.db.reader.family.of_parent(await person_of(clocked_bot.db, oleg))
    assert [link.child_name for link in oleg_links] == ["Белов Михаил"]
    assert _query(database, "SELECT full_name FROM roster_students") == [("Белов Михаил",)]
    actions = [row.action for row in await clocked_bot.db.reader.audit.latest(50)]
    assert "departed_data_deleted" in actions

    # Once the father has gone too, nobody names the boy any more.
    await drain(admin)  # the digest and the report of the scheduler's tick
    assert (await ask(admin, f"/leave id{oleg.user_id}")).text.startswith(
        "Выбытие отмечено: Белов Олег"
    )
    frozen_clock.advance(timedelta(days=31))
    assert "purge_departed" in [run.name for run in await clocked_bot.app.scheduler.tick()]
    await _settled(clocked_bot)
    assert _traces(database, oleg.user_id, ("Белов Олег", "Олег", "Белов Михаил")) == []


async def test_a_queued_notice_naming_the_person_is_not_sent_to_others_but_a_broadcast_is(
    tmp_path: Path,
) -> None:
    async with Database(tmp_path / "school.sqlite3") as db:
        async with db.transaction() as tx:
            await tx.people.ensure(7)
            await tx.people.record_consent(7, "Белова Ольга")
        notice = {"text": "Заявка №1: Белова Ольга, родитель"}
        other = {"text": "Сводка на сегодня"}
        await db.write(
            lambda tx: tx.outbox.add_replies_statement(
                [(Person(1), 11, notice), (Person(1), 12, other)]
            )
        )
        async with db.transaction() as tx:
            # The school's announcement goes out as written, to everyone else.
            announcement = {"text": "Белова Ольга проведёт собрание"}
            await tx.outbox.add_broadcast([Person(1), Person(7)], 13, announcement, report_to=None)
            await tx.personal.forget(await tx.personal.traces(7))
        pending = await db.reader.outbox.pending(after_id=0, limit=10)
        recipients = await db.reader.outbox.pending_recipients(pending[-1].id, 10)
    assert [json.loads(row.body_json)["text"] for row in pending] == [
        "Сводка на сегодня",
        "Белова Ольга проведёт собрание",
    ]
    assert recipients == [Person(1)]


async def test_an_upgrade_clears_what_earlier_versions_kept_of_deleted_people(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        for migration in MIGRATIONS:
            if migration.number <= LAST_BEFORE_THE_FIX:
                for statement in _split_statements(migration.sql):
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {LAST_BEFORE_THE_FIX}")
        # Anna (10) is still here; the person 7 withdrew consent under an earlier version,
        # which deleted their record and roles and kept the rest.
        now = "2026-11-01T08:00:00.000000Z"
        conn.executescript(f"""
            INSERT INTO people (vk_id, full_name, consent_at, created_at)
                VALUES (10, 'Кузнецова Анна', '{now}', '{now}');
            INSERT INTO roles (person_id, role, class_id, granted_at, granted_by)
                VALUES (10, 'teacher', 1, '{now}', 7);
            INSERT INTO audit_log (at, actor_id, action, subject_id)
                VALUES ('{now}', 7, 'consent_given', 7), ('{now}', 10, 'consent_given', 10),
                       ('{now}', 7, 'consent_withdrawn', 7);
            INSERT INTO inbox (event_id, seq, person_key, received_at, done_at)
                VALUES ('msg:7:1', 1, 7, '{now}', '{now}'), ('msg:10:1', 2, 10, '{now}', '{now}');
            INSERT INTO outbox (peer_id, random_id, state, created_at)
                VALUES (7, 1, 'sent', '{now}'), (10, 2, 'sent', '{now}');
            INSERT INTO chats (peer_id, added_by, added_at) VALUES (2000000001, 7, '{now}');
            INSERT INTO chat_members (peer_id, member_id)
                VALUES (2000000001, 7), (2000000001, 10);
            INSERT INTO join_requests (person_id, role, class_id, created_at)
                VALUES (7, 'parent', 1, '{now}');
            """)
    async with Database(path):
        pass
    assert _traces(path, 7, ()) == []
    assert _query(path, "SELECT person_key FROM inbox") == [(10,)]
    assert _query(path, "SELECT member_id FROM chat_members") == [(10,)]
    assert _query(path, "SELECT actor_id, action FROM audit_log ORDER BY id") == [
        (None, "consent_given"),
        (10, "consent_given"),
        (None, "consent_withdrawn"),
    ]
    assert _query(path, "SELECT person_id, granted_by FROM roles") == [(10, None)]
