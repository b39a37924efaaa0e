"""Numbered schema migrations, applied on start in order; PRAGMA user_version holds the last one.

A migration is appended, never edited once released: a database in the field may already have it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass

from bot.storage.connection import Connection


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "people, roles, classes, audit, conversation state, inbox, outbox",
        """
        CREATE TABLE people (
            vk_id        INTEGER PRIMARY KEY,
            full_name    TEXT,
            consent_at   TEXT,
            pending_ref  TEXT,
            created_at   TEXT NOT NULL,
            left_at      TEXT
        );

        CREATE TABLE classes (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL UNIQUE,
            grade         INTEGER,
            letter        TEXT,
            is_staff_room INTEGER NOT NULL DEFAULT 0,
            created_at    TEXT NOT NULL
        );

        CREATE TABLE roles (
            id          INTEGER PRIMARY KEY,
            person_id   INTEGER NOT NULL REFERENCES people(vk_id) ON DELETE CASCADE,
            role        TEXT NOT NULL CHECK (role IN
                            ('admin', 'director', 'class_teacher', 'teacher', 'student', 'parent')),
            class_id    INTEGER REFERENCES classes(id),
            granted_at  TEXT NOT NULL,
            granted_by  INTEGER,
            verified_at TEXT,
            ended_at    TEXT
        );
        CREATE UNIQUE INDEX roles_one_active
            ON roles(person_id, role, IFNULL(class_id, 0)) WHERE ended_at IS NULL;
        CREATE INDEX roles_by_class ON roles(class_id, role) WHERE ended_at IS NULL;
        CREATE INDEX roles_by_role ON roles(role) WHERE ended_at IS NULL;

        CREATE TABLE audit_log (
            id         INTEGER PRIMARY KEY,
            at         TEXT NOT NULL,
            actor_id   INTEGER,
            action     TEXT NOT NULL,
            subject_id INTEGER,
            details    TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX audit_by_time ON audit_log(at);

        CREATE TABLE conversation_state (
            person_id  INTEGER PRIMARY KEY,
            state      TEXT NOT NULL,
            payload    TEXT NOT NULL DEFAULT '{}',
            updated_at TEXT NOT NULL
        );

        -- Every long-poll update lands here first (deduplicated by VK's event_id) and is
        -- marked done in the same transaction that queues its replies.
        CREATE TABLE inbox (
            event_id    TEXT PRIMARY KEY,
            seq         INTEGER NOT NULL,
            person_key  INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            body        TEXT,
            done_at     TEXT
        );
        CREATE INDEX inbox_pending ON inbox(seq) WHERE done_at IS NULL;
        CREATE INDEX inbox_done ON inbox(done_at) WHERE done_at IS NOT NULL;

        -- One row per message and recipient; random_id is fixed when the row is written so
        -- that a retry is deduplicated by VK instead of doubled.
        CREATE TABLE outbox (
            id            INTEGER PRIMARY KEY,
            peer_id       INTEGER NOT NULL,
            random_id     INTEGER NOT NULL,
            body          TEXT,
            state         TEXT NOT NULL DEFAULT 'pending'
                              CHECK (state IN ('pending', 'sent', 'undeliverable', 'failed')),
            attempts      INTEGER NOT NULL DEFAULT 0,
            created_at    TEXT NOT NULL,
            sent_at       TEXT,
            vk_message_id INTEGER,
            error_code    INTEGER
        );
        CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';
        CREATE INDEX outbox_by_peer ON outbox(peer_id);

        CREATE TABLE settings_kv (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

        INSERT INTO classes (name, grade, letter, is_staff_room, created_at)
            VALUES ('Учительская', NULL, NULL, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
        """,
    ),
    Migration(
        2,
        "invitations, join requests, failed code attempts, names on class roles, departures",
        """
        -- A student's name as they gave it; a parent's child, by name (young children are
        -- often not in VK at all).
        ALTER TABLE roles ADD COLUMN stated_name TEXT;
        ALTER TABLE roles ADD COLUMN child_name TEXT;
        CREATE INDEX roles_child ON roles(class_id, child_name) WHERE ended_at IS NULL
            AND child_name IS NOT NULL;
        CREATE INDEX roles_unverified ON roles(role) WHERE ended_at IS NULL
            AND verified_at IS NULL;

        CREATE TABLE invitations (
            id           INTEGER PRIMARY KEY,
            code_hash    TEXT NOT NULL UNIQUE,
            role         TEXT NOT NULL CHECK (role IN ('teacher', 'student', 'parent')),
            class_id     INTEGER NOT NULL REFERENCES classes(id),
            max_uses     INTEGER,
            uses         INTEGER NOT NULL DEFAULT 0,
            created_by   INTEGER NOT NULL,
            created_at   TEXT NOT NULL,
            expires_at   TEXT NOT NULL,
            first_used_at TEXT,
            annulled_at  TEXT,
            annulled_by  INTEGER
        );
        CREATE INDEX invitations_by_time ON invitations(created_at);
        CREATE INDEX invitations_by_class ON invitations(class_id, created_at);
        CREATE INDEX invitations_open ON invitations(expires_at) WHERE annulled_at IS NULL;

        CREATE TABLE redemptions (
            invitation_id INTEGER NOT NULL REFERENCES invitations(id),
            person_id     INTEGER NOT NULL,
            at            TEXT NOT NULL,
            PRIMARY KEY (invitation_id, person_id)
        );

        CREATE TABLE code_failures (
            person_id INTEGER NOT NULL,
            at        TEXT NOT NULL
        );
        CREATE INDEX code_failures_by_person ON code_failures(person_id, at);

        CREATE TABLE join_requests (
            id          INTEGER PRIMARY KEY,
            person_id   INTEGER NOT NULL,
            role        TEXT NOT NULL CHECK (role IN ('student', 'parent')),
            class_id    INTEGER NOT NULL REFERENCES classes(id),
            full_name   TEXT,
            status      TEXT NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
            created_at  TEXT NOT NULL,
            decided_by  INTEGER,
            decided_at  TEXT,
            reason      TEXT
        );
        CREATE UNIQUE INDEX join_requests_one_open
            ON join_requests(person_id, class_id) WHERE status = 'pending';
        CREATE INDEX join_requests_pending ON join_requests(class_id, created_at)
            WHERE status = 'pending';
        CREATE INDEX join_requests_by_time ON join_requests(created_at);
        CREATE INDEX people_departed ON people(left_at) WHERE left_at IS NOT NULL;
        """,
    ),
    Migration(
        3,
        "the chat register, chat member snapshots, duties marked by hand",
        """
        CREATE TABLE chats (
            peer_id     INTEGER PRIMARY KEY,
            title       TEXT,
            added_by    INTEGER,
            added_at    TEXT NOT NULL,
            kind        TEXT CHECK (kind IN
                            ('students', 'parents', 'teachers', 'subject', 'management',
                             'channel', 'other')),
            sub_kind    TEXT,
            class_id    INTEGER REFERENCES classes(id),
            bound_by    INTEGER,
            bound_at    TEXT,
            bot_admin   INTEGER NOT NULL DEFAULT 0,
            invite_link TEXT,
            checked_at  TEXT,
            left_at     TEXT
        );
        CREATE UNIQUE INDEX chats_one_per_class
            ON chats(kind, class_id) WHERE kind IN ('students', 'parents', 'teachers');
        CREATE UNIQUE INDEX chats_one_per_purpose
            ON chats(kind, sub_kind) WHERE kind IN ('management', 'channel');
        CREATE INDEX chats_by_class ON chats(class_id) WHERE kind IS NOT NULL;
        CREATE INDEX chats_by_binder ON chats(bound_by) WHERE kind IS NOT NULL;

        CREATE TABLE chat_members (
            peer_id   INTEGER NOT NULL REFERENCES chats(peer_id) ON DELETE CASCADE,
            member_id INTEGER NOT NULL,
            PRIMARY KEY (peer_id, member_id)
        );
        CREATE INDEX chat_members_by_member ON chat_members(member_id);

        CREATE INDEX invitations_by_role ON invitations(role);

        CREATE TABLE duty_marks (
            person_id INTEGER NOT NULL,
            duty_key  TEXT NOT NULL,
            class_id  INTEGER NOT NULL DEFAULT 0,
            period    TEXT NOT NULL DEFAULT '',
            marked_at TEXT NOT NULL,
            PRIMARY KEY (person_id, duty_key, class_id, period)
        );
        """,
    ),
    Migration(
        4,
        "scheduled job runs with leases, planned events, request reminders",
        """
        CREATE TABLE job_runs (
            name        TEXT PRIMARY KEY,
            last_run_at TEXT NOT NULL,
            lease_owner TEXT,
            lease_until TEXT
        );

        ALTER TABLE join_requests ADD COLUMN reminded_at TEXT;
        ALTER TABLE join_requests ADD COLUMN escalated_at TEXT;

        CREATE TABLE events (
            id             INTEGER PRIMARY KEY,
            title          TEXT NOT NULL,
            starts_at      TEXT NOT NULL,
            audience       TEXT NOT NULL CHECK (audience IN
                               ('school', 'staff', 'students', 'parents', 'chat')),
            class_id       INTEGER REFERENCES classes(id),
            chat_peer      INTEGER,
            link           TEXT,
            created_by     INTEGER NOT NULL,
            created_at     TEXT NOT NULL,
            reminded_at    TEXT,
            cancelled_at   TEXT
        );
        CREATE INDEX events_upcoming ON events(starts_at) WHERE cancelled_at IS NULL;
        CREATE INDEX people_by_consent ON people(consent_at);
        CREATE INDEX invitations_by_expiry ON invitations(expires_at);
        CREATE INDEX join_requests_decided ON join_requests(decided_at)
            WHERE decided_at IS NOT NULL;
        """,
    ),
    Migration(
        5,
        "broadcast recipients, who can receive messages, proposals, the imported roster",
        """
        ALTER TABLE people ADD COLUMN can_receive INTEGER NOT NULL DEFAULT 1;

        -- A broadcast is one outbox row (peer_id 0) with its recipients here: identical texts
        -- go out in peer_ids batches of up to 100, each recipient's state kept.
        CREATE TABLE outbox_recipients (
            outbox_id     INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
            peer_id       INTEGER NOT NULL,
            state         TEXT NOT NULL DEFAULT 'pending'
                              CHECK (state IN ('pending', 'sent', 'undeliverable', 'failed')),
            vk_message_id INTEGER,
            error_code    INTEGER,
            PRIMARY KEY (outbox_id, peer_id)
        );
        CREATE INDEX outbox_recipients_pending ON outbox_recipients(outbox_id, peer_id)
            WHERE state = 'pending';
        ALTER TABLE outbox ADD COLUMN report_to INTEGER;

        CREATE TABLE proposals (
            id          INTEGER PRIMARY KEY,
            text        TEXT,
            proposed_by INTEGER NOT NULL,
            created_at  TEXT NOT NULL,
            status      TEXT NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'published', 'declined')),
            decided_by  INTEGER,
            decided_at  TEXT
        );

        CREATE TABLE roster_students (
            id        INTEGER PRIMARY KEY,
            full_name TEXT NOT NULL,
            class_id  INTEGER NOT NULL REFERENCES classes(id),
            UNIQUE (full_name, class_id)
        );
        CREATE INDEX roster_students_by_class ON roster_students(class_id);
        CREATE TABLE roster_staff (
            full_name   TEXT PRIMARY KEY,
            role        TEXT NOT NULL,
            classes_led TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE roster_imports (
            id         INTEGER PRIMARY KEY,
            admin_id   INTEGER NOT NULL,
            payload    TEXT NOT NULL,
            created_at TEXT NOT NULL,
            applied_at TEXT
        );
        """,
    ),
    Migration(
        6,
        "the inbox's order over all events",
        """
        -- The next event's place is MAX(seq) + 1, read with every stored batch; without an
        -- index over all rows (done ones too) that read scanned the whole inbox.
        CREATE UNIQUE INDEX inbox_seq ON inbox(seq);
        """,
    ),
    Migration(
        7,
        "a message to a person whose data was deleted is erased once sent",
        """
        -- Set on what is still queued for someone who withdrew consent or whose data was
        -- deleted (the confirmation of the deletion among it): the row goes as soon as the
        -- sender records its outcome, so no record of them outlives the last message.
        ALTER TABLE outbox ADD COLUMN erase_when_sent INTEGER NOT NULL DEFAULT 0;
        CREATE TRIGGER outbox_erase_when_sent AFTER UPDATE OF state ON outbox
            WHEN NEW.erase_when_sent = 1 AND NEW.state != 'pending'
        BEGIN
            DELETE FROM outbox WHERE id = NEW.id;
        END;

        -- Earlier versions left the ids of people already deleted in other tables. Who they
        -- were is known only as the subject of their deletion's audit row, with no record
        -- of them left (someone who came back has one): those ids go now as they would today.
        CREATE TEMP TABLE forgotten AS
            SELECT DISTINCT subject_id AS id FROM audit_log
            WHERE action IN ('consent_withdrawn', 'departed_data_deleted')
                AND subject_id IS NOT NULL AND subject_id NOT IN (SELECT vk_id FROM people);
        DELETE FROM conversation_state WHERE person_id IN (SELECT id FROM forgotten);
        DELETE FROM inbox WHERE done_at IS NOT NULL AND person_key IN (SELECT id FROM forgotten);
        DELETE FROM outbox WHERE state != 'pending' AND peer_id IN (SELECT id FROM forgotten);
        UPDATE outbox SET report_to = NULL WHERE report_to IN (SELECT id FROM forgotten);
        DELETE FROM outbox_recipients WHERE peer_id IN (SELECT id FROM forgotten);
        DELETE FROM roles WHERE person_id IN (SELECT id FROM forgotten);
        UPDATE roles SET granted_by = NULL WHERE granted_by IN (SELECT id FROM forgotten);
        UPDATE audit_log SET actor_id = NULL WHERE actor_id IN (SELECT id FROM forgotten);
        UPDATE audit_log SET subject_id = NULL WHERE subject_id IN (SELECT id FROM forgotten);
        UPDATE invitations SET created_by = 0 WHERE created_by IN (SELECT id FROM forgotten);
        UPDATE invitations SET annulled_by = NULL WHERE annulled_by IN (SELECT id FROM forgotten);
        DELETE FROM redemptions WHERE person_id IN (SELECT id FROM forgotten);
        DELETE FROM code_failures WHERE person_id IN (SELECT id FROM forgotten);
        UPDATE join_requests SET person_id = 0, full_name = NULL, reason = NULL,
            status = CASE status WHEN 'pending' THEN 'withdrawn' ELSE status END
            WHERE person_id IN (SELECT id FROM forgotten);
        UPDATE join_requests SET decided_by = NULL WHERE decided_by IN (SELECT id FROM forgotten);
        UPDATE chats SET added_by = NULL WHERE added_by IN (SELECT id FROM forgotten);
        UPDATE chats SET bound_by = NULL WHERE bound_by IN (SELECT id FROM forgotten);
        DELETE FROM chat_members WHERE member_id IN (SELECT id FROM forgotten);
        DELETE FROM duty_marks WHERE person_id IN (SELECT id FROM forgotten);
        UPDATE events SET created_by = 0 WHERE created_by IN (SELECT id FROM forgotten);
        UPDATE proposals SET text = NULL, proposed_by = 0,
            status = CASE status WHEN 'pending' THEN 'declined' ELSE status END
            WHERE proposed_by IN (SELECT id FROM forgotten);
        UPDATE proposals SET decided_by = NULL WHERE decided_by IN (SELECT id FROM forgotten);
        DELETE FROM roster_imports
            WHERE applied_at IS NULL AND admin_id IN (SELECT id FROM forgotten);
        UPDATE roster_imports SET admin_id = 0 WHERE admin_id IN (SELECT id FROM forgotten);
        DROP TABLE forgotten;
        """,
    ),
    Migration(
        8,
        "pending invitation codes kept hashed; roles seeded from the settings recorded",
        """
        -- A code waiting for consent is kept as its hash, like issued codes, and since when,
        -- so that it can be forgotten for people who never consent.
        ALTER TABLE people ADD COLUMN pending_ref_at TEXT;
        UPDATE people SET pending_ref = code_hash(pending_ref), pending_ref_at = created_at
            WHERE pending_ref IS NOT NULL;

        -- ADMIN_IDS and DIRECTOR_IDS grant their role once per person; afterwards the
        -- database decides, so a removal sticks. Kept when a person's data is deleted: it
        -- holds only a VK id the settings hold anyway, and forgetting it would re-grant.
        CREATE TABLE seeded_roles (
            person_id INTEGER NOT NULL,
            role      TEXT NOT NULL,
            seeded_at TEXT NOT NULL,
            PRIMARY KEY (person_id, role)
        );
        -- Whoever held or lost these roles before got them already.
        INSERT OR IGNORE INTO seeded_roles (person_id, role, seeded_at)
            SELECT person_id, role, MIN(granted_at) FROM roles
            WHERE role IN ('admin', 'director') GROUP BY person_id, role;
        INSERT OR IGNORE INTO seeded_roles (person_id, role, seeded_at)
            SELECT subject_id, 'admin', MIN(at) FROM audit_log
            WHERE action = 'admin_removed' AND subject_id IS NOT NULL GROUP BY subject_id;
        """,
    ),
    Migration(
        9,
        "one process at a time takes the events",
        """
        -- Two processes may share the database while a new version takes over; the one
        -- named here polls VK, handles the inbox and drains the outbox until `until`.
        CREATE TABLE leases (
            name  TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            until TEXT NOT NULL
        );
        """,
    ),
    Migration(
        10,
        "people's gender, for texts that agree with it",
        """
        -- 'm' or 'f' from VK's users.get sex; NULL when VK did not say (texts then guess
        -- from the name). Existing people keep NULL until VK tells it when they next /start.
        ALTER TABLE people ADD COLUMN gender TEXT CHECK (gender IN ('m', 'f'));
        """,
    ),
    Migration(
        11,
        "the outbox holds messages in no messenger's terms",
        """
        -- Addresses: an id and whether it is a group chat's (the VK adapter finds the peer).
        ALTER TABLE outbox ADD COLUMN to_chat INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox_recipients ADD COLUMN to_chat INTEGER NOT NULL DEFAULT 0;
        -- Rows written by earlier versions addressed VK peers, a group chat as 2000000000 + n:
        -- the chat's id as the core knows it is that peer, so only the flag is set.
        UPDATE outbox SET to_chat = 1 WHERE peer_id > 2000000000;
        UPDATE outbox_recipients SET to_chat = 1 WHERE peer_id > 2000000000;
        -- Their bodies are VK's messages.send parameters: kept as they are under `vk`, a form
        -- only the VK adapter reads, so that what was pending is sent once, unchanged.
        UPDATE outbox SET body = json_object('vk', json(body))
            WHERE state = 'pending' AND body IS NOT NULL;
        """,
    ),
    Migration(
        12,
        "people have an internal id; accounts link them to a messenger",
        """
        -- A person's id is the school's own, never reused (AUTOINCREMENT: a forgotten
        -- person's id does not pass to someone new); their VK account is a row in
        -- `accounts`. Existing people keep their VK id as their internal id, so no column
        -- that names a person changes. The table is rebuilt under a new name and `roles`
        -- with it: with foreign keys on, dropping `people` would cascade into `roles`.
        ALTER TABLE people RENAME TO people_before_accounts;
        CREATE TABLE people (
            id             INTEGER PRIMARY KEY AUTOINCREMENT,
            full_name      TEXT,
            consent_at     TEXT,
            pending_ref    TEXT,
            created_at     TEXT NOT NULL,
            left_at        TEXT,
            can_receive    INTEGER NOT NULL DEFAULT 1,
            pending_ref_at TEXT,
            gender         TEXT CHECK (gender IN ('m', 'f'))
        );
        INSERT INTO people (id, full_name, consent_at, pending_ref, created_at, left_at,
                            can_receive, pending_ref_at, gender)
            SELECT vk_id, full_name, consent_at, pending_ref, created_at, left_at,
                   can_receive, pending_ref_at, gender FROM people_before_accounts;
        CREATE TABLE roles_new (
            id          INTEGER PRIMARY KEY,
            person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            role        TEXT NOT NULL CHECK (role IN
                            ('admin', 'director', 'class_teacher', 'teacher', 'student', 'parent')),
            class_id    INTEGER REFERENCES classes(id),
            granted_at  TEXT NOT NULL,
            granted_by  INTEGER,
            verified_at TEXT,
            ended_at    TEXT,
            stated_name TEXT,
            child_name  TEXT
        );
        INSERT INTO roles_new (id, person_id, role, class_id, granted_at, granted_by,
                               verified_at, ended_at, stated_name, child_name)
            SELECT id, person_id, role, class_id, granted_at, granted_by, verified_at,
                   ended_at, stated_name, child_name FROM roles;
        DROP TABLE roles;
        ALTER TABLE roles_new RENAME TO roles;
        DROP TABLE people_before_accounts;
        CREATE UNIQUE INDEX roles_one_active
            ON roles(person_id, role, IFNULL(class_id, 0)) WHERE ended_at IS NULL;
        CREATE INDEX roles_by_class ON roles(class_id, role) WHERE ended_at IS NULL;
        CREATE INDEX roles_by_role ON roles(role) WHERE ended_at IS NULL;
        CREATE INDEX roles_child ON roles(class_id, child_name) WHERE ended_at IS NULL
            AND child_name IS NOT NULL;
        CREATE INDEX roles_unverified ON roles(role) WHERE ended_at IS NULL
            AND verified_at IS NULL;
        CREATE INDEX people_departed ON people(left_at) WHERE left_at IS NOT NULL;
        CREATE INDEX people_by_consent ON people(consent_at);

        -- A person's accounts: (messenger, the messenger's own id for them). A person's
        -- deletion takes their accounts with it.
        CREATE TABLE accounts (
            messenger   TEXT NOT NULL,
            external_id TEXT NOT NULL,
            person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            PRIMARY KEY (messenger, external_id)
        );
        CREATE INDEX accounts_by_person ON accounts(person_id);
        -- Every column that names a person held a VK user id, and not only of people the
        -- school knew: chat members, whoever added the bot to a chat, a stranger's dialog
        -- step or pending greeting, a subject in the audit log. Each such id becomes a
        -- person (keeping their VK id as their id, like everyone from before), so that the
        -- row still names the one VK user it named and no id allocated later can meet it.
        INSERT INTO people (id, created_at)
            SELECT DISTINCT named.id, strftime('%Y-%m-%dT%H:%M:%f000Z', 'now') FROM (
                SELECT member_id AS id FROM chat_members
                UNION SELECT added_by FROM chats
                UNION SELECT bound_by FROM chats
                UNION SELECT person_id FROM conversation_state
                UNION SELECT peer_id FROM outbox WHERE to_chat = 0
                UNION SELECT report_to FROM outbox
                UNION SELECT peer_id FROM outbox_recipients WHERE to_chat = 0
                UNION SELECT actor_id FROM audit_log
                UNION SELECT subject_id FROM audit_log
                UNION SELECT granted_by FROM roles
                UNION SELECT created_by FROM invitations
                UNION SELECT annulled_by FROM invitations
                UNION SELECT person_id FROM redemptions
                UNION SELECT person_id FROM code_failures
                UNION SELECT person_id FROM join_requests
                UNION SELECT decided_by FROM join_requests
                UNION SELECT person_id FROM duty_marks
                UNION SELECT created_by FROM events
                UNION SELECT proposed_by FROM proposals
                UNION SELECT decided_by FROM proposals
            ) AS named
            WHERE named.id > 0 AND named.id NOT IN (SELECT id FROM people);
        INSERT INTO accounts (messenger, external_id, person_id)
            SELECT 'vk', CAST(id AS TEXT), id FROM people;

        -- ADMIN_IDS and DIRECTOR_IDS name accounts, and a seeded role is remembered by
        -- account: a person who is forgotten and comes back has a new internal id, and
        -- must not be granted again what the database took from them.
        CREATE TABLE seeded_roles_new (
            messenger   TEXT NOT NULL,
            external_id TEXT NOT NULL,
            role        TEXT NOT NULL,
            seeded_at   TEXT NOT NULL,
            PRIMARY KEY (messenger, external_id, role)
        );
        INSERT INTO seeded_roles_new (messenger, external_id, role, seeded_at)
            SELECT 'vk', CAST(person_id AS TEXT), role, seeded_at FROM seeded_roles;
        DROP TABLE seeded_roles;
        ALTER TABLE seeded_roles_new RENAME TO seeded_roles;
        """,
    ),
    Migration(
        13,
        "a reply may name a messenger account outright",
        """
        -- `vk:123` for a reply to a person forgotten by the event it answers: their
        -- accounts went with them, so the reply names the account it goes to. Erased with
        -- the row once sent (erase_when_sent).
        ALTER TABLE outbox ADD COLUMN to_account TEXT;
        """,
    ),
    Migration(
        14,
        "a second messenger: chats, accounts and outgoing messages say whose they are",
        """
        -- A chat is the messenger's: its key (peer_id) is the messenger's own chat id, and
        -- a class may have a chat of each purpose on each messenger during a move.
        ALTER TABLE chats ADD COLUMN messenger TEXT NOT NULL DEFAULT 'vk';
        DROP INDEX chats_one_per_class;
        DROP INDEX chats_one_per_purpose;
        CREATE UNIQUE INDEX chats_one_per_class
            ON chats(messenger, kind, class_id) WHERE kind IN ('students', 'parents', 'teachers');
        CREATE UNIQUE INDEX chats_one_per_purpose
            ON chats(messenger, kind, sub_kind) WHERE kind IN ('management', 'channel');

        -- When each account was linked: a person is reached on the messenger they linked
        -- last, unless they chose one (people.messenger). Accounts from before count as
        -- linked at the person's creation.
        ALTER TABLE accounts ADD COLUMN linked_at TEXT;
        UPDATE accounts SET linked_at =
            (SELECT created_at FROM people WHERE people.id = accounts.person_id);
        ALTER TABLE people ADD COLUMN messenger TEXT;

        -- Which messenger's sender takes a message: fixed when it is queued (the event's
        -- own messenger for its replies, the chat's for a chat, the person's otherwise).
        ALTER TABLE outbox ADD COLUMN messenger TEXT NOT NULL DEFAULT 'vk';
        ALTER TABLE outbox_recipients ADD COLUMN messenger TEXT NOT NULL DEFAULT 'vk';
        CREATE INDEX outbox_pending_by_messenger ON outbox(messenger, id) WHERE state = 'pending';
        DROP INDEX outbox_recipients_pending;
        CREATE INDEX outbox_recipients_pending
            ON outbox_recipients(outbox_id, messenger, peer_id) WHERE state = 'pending';
        """,
    ),
    Migration(
        15,
        "messages sent without an idempotency key: attempted before the call, claimed after",
        """
        -- A messenger without an idempotency key (MAX): each message is recorded as
        -- attempted (ms since the epoch, wall clock) before its call, and the message the
        -- messenger made of it (its id, several for a message sent in parts) once known; a
        -- row attempted and not sent is looked for in the chat before it is sent again, and
        -- a message claimed by one row is never taken for another's.
        ALTER TABLE outbox ADD COLUMN attempted_at INTEGER;
        ALTER TABLE outbox ADD COLUMN message_ref TEXT;
        ALTER TABLE outbox_recipients ADD COLUMN attempted_at INTEGER;
        ALTER TABLE outbox_recipients ADD COLUMN message_ref TEXT;
        CREATE INDEX outbox_claimed ON outbox(attempted_at) WHERE message_ref IS NOT NULL;
        CREATE INDEX outbox_recipients_claimed ON outbox_recipients(attempted_at)
            WHERE message_ref IS NOT NULL;

        -- A messenger account's dialog with the bot, where the messenger numbers dialogs
        -- apart from accounts (MAX): where a message to them is read back.
        CREATE TABLE dialogs (
            messenger   TEXT NOT NULL,
            external_id TEXT NOT NULL,
            chat_id     INTEGER NOT NULL,
            PRIMARY KEY (messenger, external_id)
        );
        """,
    ),
    Migration(
        16,
        "one-time links that join a person's accounts on two messengers",
        """
        -- `/link_max` on VK (or `/link_vk` on MAX) gives a deep link; opening it on the
        -- other messenger links that account to the person. Only the code's hash is kept
        -- (like an invitation's), valid for a short while, used once; the row goes with
        -- the person.
        CREATE TABLE account_links (
            code_hash   TEXT PRIMARY KEY,
            person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            messenger   TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            expires_at  TEXT NOT NULL,
            used_at     TEXT
        );
        CREATE INDEX account_links_by_person ON account_links(person_id);
        """,
    ),
    Migration(
        17,
        "families: a parent and a child linked as a relation, not by matching typed names",
        """
        -- A parent's link to a child. The child is a person of the register, or, while the
        -- child is not registered, the name the parent gave (the class teacher confirms or
        -- corrects it); the class is the child's, as the link was made. A link goes with
        -- either person.
        CREATE TABLE family_links (
            id          INTEGER PRIMARY KEY,
            parent_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            child_id    INTEGER REFERENCES people(id) ON DELETE CASCADE,
            child_name  TEXT,
            class_id    INTEGER REFERENCES classes(id),
            created_by  INTEGER REFERENCES people(id) ON DELETE SET NULL,
            created_at  TEXT NOT NULL,
            CHECK (child_id IS NOT NULL OR child_name IS NOT NULL)
        );
        CREATE UNIQUE INDEX family_one_link ON family_links(parent_id, child_id)
            WHERE child_id IS NOT NULL;
        CREATE INDEX family_by_child ON family_links(child_id) WHERE child_id IS NOT NULL;
        CREATE INDEX family_by_class ON family_links(class_id);

        -- A parent invitation may be issued for a named student of the class, and a
        -- parent's join request names the child it picked from the class's list.
        ALTER TABLE invitations ADD COLUMN child_id INTEGER
            REFERENCES people(id) ON DELETE SET NULL;
        ALTER TABLE join_requests ADD COLUMN child_id INTEGER
            REFERENCES people(id) ON DELETE SET NULL;
        """,
    ),
    Migration(
        18,
        "families: the parents' typed child names become family links",
        """
        -- A parent's role named the child by what the parent typed. Each active one becomes
        -- a link: to the student of that class with that name (compared as people type
        -- names: case, ё/е and spacing aside; the student's own stated name or their
        -- register name), else a name-only link the class teacher can confirm. From here
        -- on the links are the one record of who is whose parent: the role's name stays
        -- as it was written (read only to erase it with its parent) and is no longer set.
        INSERT OR IGNORE INTO family_links
            (parent_id, child_id, child_name, class_id, created_by, created_at)
        SELECT parent_id, child_id, CASE WHEN child_id IS NULL THEN child_name END,
               class_id, NULL, granted_at
        FROM (
            SELECT r.person_id AS parent_id, r.child_name, r.class_id, r.granted_at,
                   (SELECT s.person_id FROM roles s LEFT JOIN people p ON p.id = s.person_id
                     WHERE s.role = 'student' AND s.ended_at IS NULL
                       AND s.class_id = r.class_id AND s.person_id != r.person_id
                       AND (name_key(s.stated_name) = name_key(r.child_name)
                            OR name_key(p.full_name) = name_key(r.child_name))
                     ORDER BY s.id LIMIT 1) AS child_id
            FROM roles r
            WHERE r.role = 'parent' AND r.ended_at IS NULL AND r.class_id IS NOT NULL
              AND r.child_name IS NOT NULL AND trim(r.child_name) != ''
            ORDER BY r.id
        );
        """,
    ),
    Migration(
        19,
        "questions to the class teacher: a thread between a parent or student and them",
        """
        -- A question a parent or student asked their class teacher through the bot, open
        -- until one side closes it. `answered_at`: the teacher's first message in it (the
        -- morning digest lists the unanswered); `escalated_at`: the admins were told it went
        -- unanswered (once).
        CREATE TABLE questions (
            id            INTEGER PRIMARY KEY,
            asker_id      INTEGER REFERENCES people(id) ON DELETE CASCADE,
            teacher_id    INTEGER REFERENCES people(id) ON DELETE SET NULL,
            class_id      INTEGER REFERENCES classes(id) ON DELETE SET NULL,
            created_at    TEXT NOT NULL,
            answered_at   TEXT,
            closed_at     TEXT,
            closed_by     INTEGER REFERENCES people(id) ON DELETE SET NULL,
            escalated_at  TEXT
        );
        CREATE INDEX questions_by_asker ON questions(asker_id) WHERE closed_at IS NULL;
        CREATE INDEX questions_by_teacher ON questions(teacher_id) WHERE closed_at IS NULL;
        CREATE INDEX questions_unanswered ON questions(created_at)
            WHERE closed_at IS NULL AND answered_at IS NULL;

        -- What each side wrote into a question: the text and the files as the messenger's
        -- references (JSON; the bytes are fetched and re-uploaded on delivery, never kept).
        CREATE TABLE question_messages (
            id           INTEGER PRIMARY KEY,
            question_id  INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
            author_id    INTEGER REFERENCES people(id) ON DELETE SET NULL,
            text         TEXT,
            files        TEXT,
            created_at   TEXT NOT NULL
        );
        CREATE INDEX question_messages_by_question ON question_messages(question_id);
        """,
    ),
    Migration(
        20,
        "subject teachers' classes, events for a whole class, meetings people answer",
        """
        -- Which classes a subject teacher teaches (clause 2.4): set by the admin, implied by
        -- binding a subject chat for a class, or read from the roster. One row a teacher
        -- and class; the subject is what they teach there, when known.
        CREATE TABLE teaching (
            id          INTEGER PRIMARY KEY,
            teacher_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            class_id    INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
            subject     TEXT,
            source      TEXT NOT NULL CHECK (source IN ('admin', 'chat', 'roster')),
            created_by  INTEGER REFERENCES people(id) ON DELETE SET NULL,
            created_at  TEXT NOT NULL
        );
        CREATE UNIQUE INDEX teaching_once ON teaching(teacher_id, class_id);
        CREATE INDEX teaching_by_class ON teaching(class_id);

        -- Events gain an audience of a whole class (its students and parents), a kind (a
        -- meeting is answered «Приду» / «Не приду»), the role their organiser planned them
        -- in (shown with their name), and the evening-before reminder: when it is due
        -- (NULL: none) and when it went. SQLite cannot widen a CHECK: the table is rebuilt.
        CREATE TABLE events_new (
            id                  INTEGER PRIMARY KEY,
            title               TEXT NOT NULL,
            starts_at           TEXT NOT NULL,
            audience            TEXT NOT NULL CHECK (audience IN
                                    ('school', 'staff', 'students', 'parents', 'class', 'chat')),
            class_id            INTEGER REFERENCES classes(id),
            chat_peer           INTEGER,
            link                TEXT,
            created_by          INTEGER NOT NULL,
            created_at          TEXT NOT NULL,
            reminded_at         TEXT,
            cancelled_at        TEXT,
            kind                TEXT NOT NULL DEFAULT 'broadcast'
                                    CHECK (kind IN ('broadcast', 'lesson', 'meeting')),
            sender_role         TEXT,
            evening_at          TEXT,
            evening_reminded_at TEXT
        );
        INSERT INTO events_new (id, title, starts_at, audience, class_id, chat_peer, link,
                                created_by, created_at, reminded_at, cancelled_at)
            SELECT id, title, starts_at, audience, class_id, chat_peer, link,
                   created_by, created_at, reminded_at, cancelled_at FROM events;
        DROP TABLE events;
        ALTER TABLE events_new RENAME TO events;
        CREATE INDEX events_upcoming ON events(starts_at) WHERE cancelled_at IS NULL;
        CREATE INDEX events_evening ON events(evening_at)
            WHERE evening_at IS NOT NULL AND evening_reminded_at IS NULL;

        -- A person's answer to a meeting: one a person, changeable until it starts.
        CREATE TABLE event_answers (
            event_id    INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            person_id   INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            coming      INTEGER NOT NULL CHECK (coming IN (0, 1)),
            answered_at TEXT NOT NULL,
            PRIMARY KEY (event_id, person_id)
        );
        """,
    ),
    Migration(
        21,
        "the audit log read by person: an index on each side of a row",
        """
        -- /audit filtered by a person reads the rows they did or that were done to them;
        -- erasing a person's data nulls both columns by the same indexes.
        CREATE INDEX audit_by_actor ON audit_log(actor_id) WHERE actor_id IS NOT NULL;
        CREATE INDEX audit_by_subject ON audit_log(subject_id) WHERE subject_id IS NOT NULL;
        """,
    ),
)


def _code_hash(code: str | None) -> str | None:
    """The invitation code hash (`bot.domain.invitations.hash_code`), for migrations' SQL;
    fixed here, as released migrations must keep meaning what they meant."""
    return None if code is None else hashlib.sha256(code.strip().encode()).hexdigest()


def _name_key(text: str | None) -> str | None:
    """A name as migrations compare it (`bot.parsing.name_key` when migration 18 was
    written): case, ё/е and spacing aside. SQLite's own lower() leaves Cyrillic as it is."""
    if text is None:
        return None
    return " ".join(text.casefold().replace("ё", "е").split())


async def migrate(conn: Connection) -> int:
    """Apply every migration newer than the database; returns the resulting version."""
    rows = await conn.execute_fetchall("PRAGMA user_version")
    current = int(rows[0][0]) if rows else 0
    await conn.create_function("code_hash", 1, _code_hash)
    await conn.create_function("name_key", 1, _name_key)
    for migration in MIGRATIONS:
        if migration.number <= current:
            continue
        # executescript would COMMIT on its own; running statements one by one keeps each
        # migration inside one explicit transaction together with its version bump.
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_statements(migration.sql):
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {int(migration.number)}")
        except BaseException:
            await conn.rollback()
            raise
        await conn.commit()
        current = migration.number
    return current


def _split_statements(script: str) -> list[str]:
    statements: list[str] = []
    buffer: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if stripped.startswith("--") or not stripped:
            continue
        buffer.append(line)
        candidate = "\n".join(buffer)
        if stripped.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            buffer = []
    if buffer:
        statements.append("\n".join(buffer))
    return statements
