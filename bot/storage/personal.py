"""Deleting a person (152-FZ)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.storage.base import Repo, Statement

MIN_NAME_IN_TEXT = 4


@dataclass(frozen=True)
class PersonalTraces:
    """The names by which the database can know a person: their own (as they consented and
    as they gave it on a student role) and their children's, by class."""

    person_id: int
    own_names: tuple[str, ...]
    student_classes: tuple[int, ...]
    was_staff: bool
    children: tuple[tuple[int, str], ...]  # (class_id, the child's name)


def _scrub_json(value: Any, person_id: int, names: Sequence[str]) -> Any:
    """`value` with the person's id and any text naming them replaced by null."""
    if isinstance(value, dict):
        return {key: _scrub_json(item, person_id, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_json(item, person_id, names) for item in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value == person_id:
        return None
    if isinstance(value, str) and any(name in value for name in names):
        return None
    return value


class PersonalDataRepo(Repo):
    """Deleting a person (152-FZ): every table that can hold their id, their name, their
    child's name or what they wrote, in one place. A new table or column that can hold
    personal data is added here and to the classification in tests/test_privacy_erasure.py."""

    async def traces(self, person_id: int) -> PersonalTraces:
        person = await self._one("SELECT full_name FROM people WHERE id = ?", (person_id,))
        roles = list(
            await self._all(
                "SELECT role, class_id, stated_name, child_name FROM roles WHERE person_id = ?",
                (person_id,),
            )
        )
        own = {person["full_name"]} if person and person["full_name"] else set()
        own |= {row["stated_name"] for row in roles if row["stated_name"]}
        # A child known by name only: the parent's name-only links (roles named the child
        # before migration 18; a departed parent's ended roles still may).
        named_children = {
            (row["class_id"], row["child_name"])
            for row in roles
            if row["child_name"] and row["class_id"] is not None
        } | {
            (row["class_id"], row["child_name"])
            for row in await self._all(
                "SELECT class_id, child_name FROM family_links WHERE parent_id = ?"
                " AND child_id IS NULL AND class_id IS NOT NULL",
                (person_id,),
            )
        }
        return PersonalTraces(
            person_id=person_id,
            own_names=tuple(sorted(own)),
            student_classes=tuple(
                sorted({row["class_id"] for row in roles if row["role"] == "student"})
            ),
            was_staff=any(row["role"] not in ("student", "parent") for row in roles),
            children=tuple(sorted(named_children)),
        )

    async def _still_named(self, person_id: int, class_id: int, name: str) -> bool:
        """Whether someone else still with the school names this child in this class (the
        other parent, the student themselves): then the child's name is their data."""
        row = await self._one(
            "SELECT 1 FROM roles r LEFT JOIN people p ON p.id = r.person_id"
            " WHERE r.person_id != ? AND r.ended_at IS NULL AND r.class_id = ?"
            " AND (r.child_name = ? OR r.stated_name = ?"
            " OR (r.role = 'student' AND p.full_name = ?)) LIMIT 1",
            (person_id, class_id, name, name, name),
        )
        if row is not None:
            return True
        link = await self._one(
            "SELECT 1 FROM family_links WHERE parent_id != ? AND class_id = ?"
            " AND child_name = ? LIMIT 1",
            (person_id, class_id, name),
        )
        return link is not None

    async def forget(self, traces: PersonalTraces) -> None:
        """Removes or anonymises every row that names the person or their child. What stays
        says that something happened, not who: audit rows, decided requests, invitations and
        events keep their counts and dates; ids become NULL (0 where a column needs one)."""
        pid = traces.person_id
        children = [
            (class_id, name)
            for class_id, name in traces.children
            if not await self._still_named(pid, class_id, name)
        ]
        names = [*traces.own_names, *(name for _, name in children)]
        # Found inside texts only when long enough not to match unrelated words.
        in_texts = [name for name in names if len(name.strip()) >= MIN_NAME_IN_TEXT]
        by_id = (pid,)
        statements: list[tuple[str, tuple[Any, ...]]] = [
            ("DELETE FROM conversation_state WHERE person_id = ?", by_id),
            # Done events are only kept to recognise a late duplicate; pending ones are
            # still to be handled (the one being handled goes with its outcome).
            # The inbox keeps events by the messenger's key of their sender (their account's
            # external id), so it goes before the accounts do.
            (
                "DELETE FROM inbox WHERE done_at IS NOT NULL AND person_key IN (SELECT"
                " CAST(external_id AS INTEGER) FROM accounts WHERE person_id = ?)",
                by_id,
            ),
            ("DELETE FROM outbox WHERE peer_id = ? AND state != 'pending'", by_id),
            (
                "UPDATE outbox SET erase_when_sent = 1 WHERE peer_id = ? AND state = 'pending'",
                by_id,
            ),
            ("UPDATE outbox SET report_to = NULL WHERE report_to = ?", by_id),
            ("DELETE FROM outbox_recipients WHERE peer_id = ?", by_id),
            ("DELETE FROM roles WHERE person_id = ?", by_id),
            ("UPDATE roles SET granted_by = NULL WHERE granted_by = ?", by_id),
            ("UPDATE audit_log SET actor_id = NULL WHERE actor_id = ?", by_id),
            ("UPDATE audit_log SET subject_id = NULL WHERE subject_id = ?", by_id),
            ("UPDATE invitations SET created_by = 0 WHERE created_by = ?", by_id),
            ("UPDATE invitations SET annulled_by = NULL WHERE annulled_by = ?", by_id),
            # A parent invitation issued for them is of no use any more: annulled, it does
            # not become one for the whole class when it forgets whom it was for.
            (
                "UPDATE invitations SET annulled_at = ? WHERE child_id = ?"
                " AND annulled_at IS NULL AND (max_uses IS NULL OR uses < max_uses)",
                (self._now(), pid),
            ),
            ("UPDATE invitations SET child_id = NULL WHERE child_id = ?", by_id),
            ("DELETE FROM family_links WHERE parent_id = ? OR child_id = ?", (pid, pid)),
            ("UPDATE family_links SET created_by = NULL WHERE created_by = ?", by_id),
            ("DELETE FROM redemptions WHERE person_id = ?", by_id),
            ("DELETE FROM code_failures WHERE person_id = ?", by_id),
            (
                "UPDATE join_requests SET person_id = 0, full_name = NULL, reason = NULL,"
                " status = CASE status WHEN 'pending' THEN 'withdrawn' ELSE status END"
                " WHERE person_id = ?",
                by_id,
            ),
            ("UPDATE join_requests SET decided_by = NULL WHERE decided_by = ?", by_id),
            ("UPDATE join_requests SET child_id = NULL WHERE child_id = ?", by_id),
            ("UPDATE chats SET added_by = NULL WHERE added_by = ?", by_id),
            ("UPDATE chats SET bound_by = NULL WHERE bound_by = ?", by_id),
            ("DELETE FROM chat_members WHERE member_id = ?", by_id),
            ("DELETE FROM duty_marks WHERE person_id = ?", by_id),
            ("UPDATE events SET created_by = 0 WHERE created_by = ?", by_id),
            # Answers to meetings and the classes a teacher teaches are theirs.
            ("DELETE FROM event_answers WHERE person_id = ?", by_id),
            ("DELETE FROM teaching WHERE teacher_id = ?", by_id),
            ("UPDATE teaching SET created_by = NULL WHERE created_by = ?", by_id),
            (
                "UPDATE proposals SET text = NULL, proposed_by = 0,"
                " status = CASE status WHEN 'pending' THEN 'declined' ELSE status END"
                " WHERE proposed_by = ?",
                by_id,
            ),
            ("UPDATE proposals SET decided_by = NULL WHERE decided_by = ?", by_id),
            ("DELETE FROM roster_imports WHERE admin_id = ? AND applied_at IS NULL", by_id),
            ("UPDATE roster_imports SET admin_id = 0 WHERE admin_id = ?", by_id),
            ("DELETE FROM account_links WHERE person_id = ?", by_id),
            # Questions to the class teacher: an asker's go whole (what they asked and the
            # answers about it); what a teacher wrote into others' questions is erased.
            ("DELETE FROM questions WHERE asker_id = ?", by_id),
            (
                "UPDATE question_messages SET text = NULL, files = NULL, author_id = NULL"
                " WHERE author_id = ?",
                by_id,
            ),
            ("UPDATE questions SET teacher_id = NULL WHERE teacher_id = ?", by_id),
            ("UPDATE questions SET closed_by = NULL WHERE closed_by = ?", by_id),
            (
                "DELETE FROM dialogs WHERE EXISTS (SELECT 1 FROM accounts a WHERE"
                " a.person_id = ? AND a.messenger = dialogs.messenger"
                " AND a.external_id = dialogs.external_id)",
                by_id,
            ),
            ("DELETE FROM accounts WHERE person_id = ?", by_id),
            ("DELETE FROM people WHERE id = ?", by_id),
        ]
        for name in in_texts:
            statements += [
                # Queued for someone else and naming them (a decider's notice of their
                # request): not sent rather than sent with the name. A broadcast is the
                # school's announcement and goes out as written.
                (
                    "DELETE FROM outbox WHERE state = 'pending' AND peer_id NOT IN (0, ?)"
                    " AND instr(body, ?) > 0",
                    (pid, name),
                ),
                (
                    "DELETE FROM roster_imports WHERE applied_at IS NULL AND instr(payload, ?) > 0",
                    (name,),
                ),
            ]
        for class_id in traces.student_classes:
            for name in traces.own_names:
                statements.append(
                    (
                        "DELETE FROM roster_students WHERE class_id = ? AND full_name = ?",
                        (class_id, name),
                    )
                )
        for class_id, name in children:
            statements.append(
                (
                    "DELETE FROM roster_students WHERE class_id = ? AND full_name = ?",
                    (class_id, name),
                )
            )
        if traces.was_staff:
            for name in traces.own_names:
                statements.append(("DELETE FROM roster_staff WHERE full_name = ?", (name,)))
        await self._forget_in_json(pid, in_texts)
        for sql, params in statements:
            await self._conn.execute(sql, params)

    async def _forget_in_json(self, person_id: int, names: Sequence[str]) -> None:
        """Audit details and other people's dialog steps that hold the person's id or name
        (a previous class teacher in the audit, a dialog step about them)."""
        # instr first: json_tree parses only the rows whose text has the digits at all.
        mentions = (
            " (instr({column}, ?) > 0 AND EXISTS (SELECT 1 FROM json_tree({column})"
            " WHERE type = 'integer' AND atom = ?))" + " OR instr({column}, ?) > 0" * len(names)
        )
        params = (str(person_id), person_id, *names)
        rows = await self._all(
            "SELECT id, details FROM audit_log WHERE" + mentions.format(column="details"),
            params,
        )
        for row in rows:
            scrubbed = _scrub_json(json.loads(row["details"]), person_id, names)
            await self._conn.execute(
                "UPDATE audit_log SET details = ? WHERE id = ?",
                (json.dumps(scrubbed, ensure_ascii=False), row["id"]),
            )
        # Another person's dialog about them cannot go on: it ends.
        dialogs = await self._all(
            "SELECT person_id FROM conversation_state WHERE" + mentions.format(column="payload"),
            params,
        )
        for row in dialogs:
            await self._conn.execute(
                "DELETE FROM conversation_state WHERE person_id = ?", (row["person_id"],)
            )

    # What the event in which people were deleted leaves of them, for its outcome's write
    # (after the event is marked done and its replies queued): the event itself, and the
    # replies to them, erased once sent.
    def leftover_events_statement(self, lanes: Sequence[int]) -> Statement | None:
        """`lanes`: the inbox's keys of their events (the messenger's, not the person's id)."""
        if not lanes:
            return None
        return Statement(
            "DELETE FROM inbox WHERE person_key = ? AND done_at IS NOT NULL",
            [(lane,) for lane in lanes],
        )

    def leftover_replies_statement(self, person_ids: Sequence[int]) -> Statement | None:
        if not person_ids:
            return None
        return Statement(
            "UPDATE outbox SET erase_when_sent = 1 WHERE peer_id = ? AND state = 'pending'",
            [(person,) for person in person_ids],
        )
