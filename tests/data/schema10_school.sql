-- Written by tests/data/make_schema10_school.py with the bot at schema 10.
PRAGMA user_version = 10;
BEGIN TRANSACTION;
CREATE TABLE audit_log (
            id         INTEGER PRIMARY KEY,
            at         TEXT NOT NULL,
            actor_id   INTEGER,
            action     TEXT NOT NULL,
            subject_id INTEGER,
            details    TEXT NOT NULL DEFAULT '{}'
        );
INSERT INTO "audit_log" VALUES(1,'2026-11-29T19:43:09.891059Z',1001,'consent_given',1001,'{}');
INSERT INTO "audit_log" VALUES(2,'2026-11-29T19:43:10.201946Z',1001,'class_added',NULL,'{"class": "5\u0410"}');
INSERT INTO "audit_log" VALUES(3,'2026-11-29T19:43:10.202160Z',1001,'class_added',NULL,'{"class": "6\u0411"}');
INSERT INTO "audit_log" VALUES(4,'2026-11-29T19:43:10.215840Z',1002,'consent_given',1002,'{}');
INSERT INTO "audit_log" VALUES(5,'2026-11-29T19:43:10.525857Z',1001,'invitation_issued',NULL,'{"invitation": 1, "role": "teacher", "class": "\u0423\u0447\u0438\u0442\u0435\u043b\u044c\u0441\u043a\u0430\u044f"}');
INSERT INTO "audit_log" VALUES(6,'2026-11-29T19:43:10.539787Z',500000001,'consent_given',500000001,'{}');
INSERT INTO "audit_log" VALUES(7,'2026-11-29T19:43:11.194157Z',500000001,'invitation_redeemed',500000001,'{"invitation": 1, "role": "teacher", "class": "\u0423\u0447\u0438\u0442\u0435\u043b\u044c\u0441\u043a\u0430\u044f"}');
INSERT INTO "audit_log" VALUES(8,'2026-11-29T19:43:11.234705Z',1001,'teacher_verified',500000001,'{}');
INSERT INTO "audit_log" VALUES(9,'2026-11-29T19:43:11.240733Z',1001,'class_teacher_set',500000001,'{"class": "5\u0410", "previous": null}');
INSERT INTO "audit_log" VALUES(10,'2026-11-29T19:43:11.246786Z',500000001,'invitation_issued',NULL,'{"invitation": 2, "role": "parent", "class": "5\u0410"}');
INSERT INTO "audit_log" VALUES(11,'2026-11-29T19:43:11.266356Z',500000002,'consent_given',500000002,'{}');
INSERT INTO "audit_log" VALUES(12,'2026-11-29T19:43:11.366936Z',500000002,'invitation_redeemed',500000002,'{"invitation": 2, "role": "parent", "class": "5\u0410"}');
INSERT INTO "audit_log" VALUES(13,'2026-11-29T19:43:11.680601Z',500000001,'chat_bound',NULL,'{"peer": 2000000001, "kind": "parents", "sub": null}');
INSERT INTO "audit_log" VALUES(14,'2026-11-29T19:43:11.687219Z',1001,'invitation_issued',NULL,'{"invitation": 3, "role": "teacher", "class": "\u0423\u0447\u0438\u0442\u0435\u043b\u044c\u0441\u043a\u0430\u044f"}');
INSERT INTO "audit_log" VALUES(15,'2026-11-29T19:43:11.716973Z',500000001,'event_planned',NULL,'{"event": 1}');
INSERT INTO "audit_log" VALUES(16,'2026-11-29T19:43:12.296994Z',1005,'consent_given',1005,'{}');
INSERT INTO "audit_log" VALUES(17,'2026-11-29T19:43:12.642052Z',1005,'request_submitted',1005,'{"request":1,"role":"parent"}');
INSERT INTO "audit_log" VALUES(18,'2026-11-29T19:43:12.959620Z',1006,'consent_given',1006,'{}');
CREATE TABLE chat_members (
            peer_id   INTEGER NOT NULL REFERENCES chats(peer_id) ON DELETE CASCADE,
            member_id INTEGER NOT NULL,
            PRIMARY KEY (peer_id, member_id)
        );
INSERT INTO "chat_members" VALUES(2000000001,500000001);
INSERT INTO "chat_members" VALUES(2000000001,500000002);
INSERT INTO "chat_members" VALUES(2000000001,-229000044);
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
INSERT INTO "chats" VALUES(2000000001,'родители 5А',NULL,'2026-11-29T19:43:11.678565Z','parents',NULL,2,500000001,'2026-11-29T19:43:11.680377Z',1,'https://vk.me/join/4ydue24hewEqO_Vu5y7ILyd5BFSOl8n_','2026-11-29T19:43:11.681510Z',NULL);
CREATE TABLE classes (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL UNIQUE,
            grade         INTEGER,
            letter        TEXT,
            is_staff_room INTEGER NOT NULL DEFAULT 0,
            created_at    TEXT NOT NULL
        );
INSERT INTO "classes" VALUES(1,'Учительская',NULL,NULL,1,'2026-11-29T19:43:09.808Z');
INSERT INTO "classes" VALUES(2,'5А',5,'А',0,'2026-11-29T19:43:10.201471Z');
INSERT INTO "classes" VALUES(3,'6Б',6,'Б',0,'2026-11-29T19:43:10.202095Z');
CREATE TABLE code_failures (
            person_id INTEGER NOT NULL,
            at        TEXT NOT NULL
        );
CREATE TABLE conversation_state (
            person_id  INTEGER PRIMARY KEY,
            state      TEXT NOT NULL,
            payload    TEXT NOT NULL DEFAULT '{}',
            updated_at TEXT NOT NULL
        );
INSERT INTO "conversation_state" VALUES(1006,'RequestDialog:role','{"origin_peer": 1006, "command": "request"}','2026-11-29T19:43:13.268842Z');
CREATE TABLE duty_marks (
            person_id INTEGER NOT NULL,
            duty_key  TEXT NOT NULL,
            class_id  INTEGER NOT NULL DEFAULT 0,
            period    TEXT NOT NULL DEFAULT '',
            marked_at TEXT NOT NULL,
            PRIMARY KEY (person_id, duty_key, class_id, period)
        );
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
INSERT INTO "events" VALUES(1,'Родительское собрание','2026-12-01T15:00:00.000000Z','parents',2,NULL,NULL,500000001,'2026-11-29T19:43:11.716751Z',NULL,NULL);
CREATE TABLE inbox (
            event_id    TEXT PRIMARY KEY,
            seq         INTEGER NOT NULL,
            person_key  INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            body        TEXT,
            done_at     TEXT
        );
INSERT INTO "inbox" VALUES('msg:1001:1',1,1001,'2026-11-29T19:43:09.841056Z',NULL,'2026-11-29T19:43:09.881090Z');
INSERT INTO "inbox" VALUES('fd7c1b34236e81126d96047f28eb6ef8fcaf3c86',2,1001,'2026-11-29T19:43:09.886870Z',NULL,'2026-11-29T19:43:09.893085Z');
INSERT INTO "inbox" VALUES('msg:1001:5',3,1001,'2026-11-29T19:43:10.199647Z',NULL,'2026-11-29T19:43:10.202603Z');
INSERT INTO "inbox" VALUES('msg:1002:1',4,1002,'2026-11-29T19:43:10.207529Z',NULL,'2026-11-29T19:43:10.209872Z');
INSERT INTO "inbox" VALUES('26080ffdb0bd0addd4930547cbde322ec95cdffd',5,1002,'2026-11-29T19:43:10.213849Z',NULL,'2026-11-29T19:43:10.216920Z');
INSERT INTO "inbox" VALUES('msg:1001:7',6,1001,'2026-11-29T19:43:10.523059Z',NULL,'2026-11-29T19:43:10.526280Z');
INSERT INTO "inbox" VALUES('msg:500000001:1',7,500000001,'2026-11-29T19:43:10.530551Z',NULL,'2026-11-29T19:43:10.533612Z');
INSERT INTO "inbox" VALUES('7a200c6ad8aec17cd2ed7163577a33404aba1580',8,500000001,'2026-11-29T19:43:10.537770Z',NULL,'2026-11-29T19:43:10.540378Z');
INSERT INTO "inbox" VALUES('msg:500000001:6',9,500000001,'2026-11-29T19:43:11.187179Z',NULL,'2026-11-29T19:43:11.196237Z');
INSERT INTO "inbox" VALUES('msg:1001:10',10,1001,'2026-11-29T19:43:11.223217Z',NULL,'2026-11-29T19:43:11.235041Z');
INSERT INTO "inbox" VALUES('msg:1001:12',11,1001,'2026-11-29T19:43:11.239084Z',NULL,'2026-11-29T19:43:11.241226Z');
INSERT INTO "inbox" VALUES('msg:500000001:10',12,500000001,'2026-11-29T19:43:11.245335Z',NULL,'2026-11-29T19:43:11.247120Z');
INSERT INTO "inbox" VALUES('msg:500000002:1',13,500000002,'2026-11-29T19:43:11.254793Z',NULL,'2026-11-29T19:43:11.257153Z');
INSERT INTO "inbox" VALUES('0a925d4b25a876976317ee6e873c94e85274ba43',14,500000002,'2026-11-29T19:43:11.262352Z',NULL,'2026-11-29T19:43:11.267766Z');
INSERT INTO "inbox" VALUES('msg:500000002:6',15,500000002,'2026-11-29T19:43:11.271963Z',NULL,'2026-11-29T19:43:11.369206Z');
INSERT INTO "inbox" VALUES('msg:2000000001:1',16,500000001,'2026-11-29T19:43:11.675828Z',NULL,'2026-11-29T19:43:11.682292Z');
INSERT INTO "inbox" VALUES('msg:1001:14',17,1001,'2026-11-29T19:43:11.686151Z',NULL,'2026-11-29T19:43:11.687563Z');
INSERT INTO "inbox" VALUES('msg:500000001:12',18,500000001,'2026-11-29T19:43:11.691678Z',NULL,'2026-11-29T19:43:11.692565Z');
INSERT INTO "inbox" VALUES('msg:500000001:14',19,500000001,'2026-11-29T19:43:11.696407Z',NULL,'2026-11-29T19:43:11.697368Z');
INSERT INTO "inbox" VALUES('msg:500000001:16',20,500000001,'2026-11-29T19:43:11.701359Z',NULL,'2026-11-29T19:43:11.702320Z');
INSERT INTO "inbox" VALUES('msg:500000001:18',21,500000001,'2026-11-29T19:43:11.706470Z',NULL,'2026-11-29T19:43:11.707532Z');
INSERT INTO "inbox" VALUES('msg:500000001:20',22,500000001,'2026-11-29T19:43:11.711202Z',NULL,'2026-11-29T19:43:11.712020Z');
INSERT INTO "inbox" VALUES('msg:500000001:22',23,500000001,'2026-11-29T19:43:11.716024Z',NULL,'2026-11-29T19:43:11.718869Z');
INSERT INTO "inbox" VALUES('msg:1005:1',24,1005,'2026-11-29T19:43:12.242579Z',NULL,'2026-11-29T19:43:12.251014Z');
INSERT INTO "inbox" VALUES('57482f5ad099010edb75160877e63feedb36c0c6',25,1005,'2026-11-29T19:43:12.293867Z',NULL,'2026-11-29T19:43:12.297928Z');
INSERT INTO "inbox" VALUES('msg:1005:6',26,1005,'2026-11-29T19:43:12.612359Z',NULL,'2026-11-29T19:43:12.618420Z');
INSERT INTO "inbox" VALUES('msg:1005:8',27,1005,'2026-11-29T19:43:12.623360Z',NULL,'2026-11-29T19:43:12.624437Z');
INSERT INTO "inbox" VALUES('msg:1005:10',28,1005,'2026-11-29T19:43:12.629465Z',NULL,'2026-11-29T19:43:12.630312Z');
INSERT INTO "inbox" VALUES('msg:1005:12',29,1005,'2026-11-29T19:43:12.634065Z',NULL,'2026-11-29T19:43:12.634884Z');
INSERT INTO "inbox" VALUES('msg:1005:14',30,1005,'2026-11-29T19:43:12.640787Z',NULL,'2026-11-29T19:43:12.644345Z');
INSERT INTO "inbox" VALUES('msg:1006:1',31,1006,'2026-11-29T19:43:12.950775Z',NULL,'2026-11-29T19:43:12.953354Z');
INSERT INTO "inbox" VALUES('5e37f05ee065309792b2ab3060fd0db86d5fc057',32,1006,'2026-11-29T19:43:12.957718Z',NULL,'2026-11-29T19:43:12.960384Z');
INSERT INTO "inbox" VALUES('msg:1006:6',33,1006,'2026-11-29T19:43:13.266665Z',NULL,'2026-11-29T19:43:13.268835Z');
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
INSERT INTO "invitations" VALUES(1,'922654a587fe1f6cd75cb813127e6d6933ad778a34bd5b6a83bcf452ae0209ab','teacher',1,1,1,1001,'2026-11-29T19:43:10.525710Z','2026-12-13T19:43:10.525483Z','2026-11-29T19:43:11.189172Z',NULL,NULL);
INSERT INTO "invitations" VALUES(2,'d5a796688b3a7331a9109a10b78934169aa13db2f309688d0a343f94ed8a6493','parent',2,NULL,1,500000001,'2026-11-29T19:43:11.246661Z','2026-12-13T19:43:11.246619Z','2026-11-29T19:43:11.272908Z',NULL,NULL);
INSERT INTO "invitations" VALUES(3,'606db8f70ee8106029f5e8eab4f85c2fe1b08c9f2ae201b811ecd136b61c048b','teacher',1,1,0,1001,'2026-11-29T19:43:11.687093Z','2026-12-13T19:43:11.687039Z',NULL,NULL,NULL);
CREATE TABLE job_runs (
            name        TEXT PRIMARY KEY,
            last_run_at TEXT NOT NULL,
            lease_owner TEXT,
            lease_until TEXT
        );
INSERT INTO "job_runs" VALUES('digest','2026-11-29T19:43:09.837993Z',NULL,NULL);
INSERT INTO "job_runs" VALUES('weekly_report','2026-11-29T19:43:09.840962Z',NULL,NULL);
INSERT INTO "job_runs" VALUES('request_reminders','2026-11-29T19:43:09.842370Z',NULL,NULL);
INSERT INTO "job_runs" VALUES('event_reminders','2026-11-29T19:43:09.880962Z',NULL,NULL);
INSERT INTO "job_runs" VALUES('purge_departed','2026-11-29T19:43:09.881923Z',NULL,NULL);
INSERT INTO "job_runs" VALUES('forget_pending_refs','2026-11-29T19:43:09.882302Z',NULL,NULL);
INSERT INTO "job_runs" VALUES('housekeeping','2026-11-29T19:43:09.882625Z',NULL,NULL);
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
        , reminded_at TEXT, escalated_at TEXT);
INSERT INTO "join_requests" VALUES(1,1005,'parent',3,'Кузнецов Иван','pending','2026-11-29T19:43:12.642052Z',NULL,NULL,NULL,NULL,NULL);
CREATE TABLE leases (
            name  TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            until TEXT NOT NULL
        );
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
        , report_to INTEGER, erase_when_sent INTEGER NOT NULL DEFAULT 0);
INSERT INTO "outbox" VALUES(1,1001,1215640219,NULL,'sent',1,'2026-11-29T19:43:09.881038Z','2026-11-29T19:43:09.886059Z',2,NULL,NULL,0);
INSERT INTO "outbox" VALUES(2,1001,1781068566,NULL,'sent',1,'2026-11-29T19:43:09.881038Z','2026-11-29T19:43:09.886059Z',3,NULL,NULL,0);
INSERT INTO "outbox" VALUES(3,1001,198001062,NULL,'sent',1,'2026-11-29T19:43:09.893051Z','2026-11-29T19:43:09.896709Z',4,NULL,NULL,0);
INSERT INTO "outbox" VALUES(4,1001,89259708,NULL,'sent',1,'2026-11-29T19:43:10.202584Z','2026-11-29T19:43:10.206802Z',6,NULL,NULL,0);
INSERT INTO "outbox" VALUES(5,1002,1330953711,NULL,'sent',1,'2026-11-29T19:43:10.209838Z','2026-11-29T19:43:10.213406Z',8,NULL,NULL,0);
INSERT INTO "outbox" VALUES(6,1002,796253051,NULL,'sent',1,'2026-11-29T19:43:10.209838Z','2026-11-29T19:43:10.213406Z',9,NULL,NULL,0);
INSERT INTO "outbox" VALUES(7,1002,1543846217,NULL,'sent',1,'2026-11-29T19:43:10.216892Z','2026-11-29T19:43:10.220775Z',10,NULL,NULL,0);
INSERT INTO "outbox" VALUES(8,1001,1517881767,NULL,'sent',1,'2026-11-29T19:43:10.526253Z','2026-11-29T19:43:10.530071Z',12,NULL,NULL,0);
INSERT INTO "outbox" VALUES(9,500000001,1269943691,NULL,'sent',1,'2026-11-29T19:43:10.533582Z','2026-11-29T19:43:10.537351Z',14,NULL,NULL,0);
INSERT INTO "outbox" VALUES(10,500000001,443349392,NULL,'sent',1,'2026-11-29T19:43:10.533582Z','2026-11-29T19:43:10.537351Z',15,NULL,NULL,0);
INSERT INTO "outbox" VALUES(11,500000001,983037463,NULL,'sent',1,'2026-11-29T19:43:10.540346Z','2026-11-29T19:43:10.883758Z',16,NULL,NULL,0);
INSERT INTO "outbox" VALUES(12,500000001,949639404,NULL,'sent',1,'2026-11-29T19:43:10.540346Z','2026-11-29T19:43:10.883758Z',17,NULL,NULL,0);
INSERT INTO "outbox" VALUES(13,500000001,1236055240,NULL,'sent',1,'2026-11-29T19:43:11.196131Z','2026-11-29T19:43:11.222588Z',19,NULL,NULL,0);
INSERT INTO "outbox" VALUES(14,1001,331234096,NULL,'sent',1,'2026-11-29T19:43:11.196131Z','2026-11-29T19:43:11.222588Z',20,NULL,NULL,0);
INSERT INTO "outbox" VALUES(15,500000001,1115262371,NULL,'sent',1,'2026-11-29T19:43:11.235013Z','2026-11-29T19:43:11.238511Z',22,NULL,NULL,0);
INSERT INTO "outbox" VALUES(16,1001,1871712970,NULL,'sent',1,'2026-11-29T19:43:11.235013Z','2026-11-29T19:43:11.238511Z',23,NULL,NULL,0);
INSERT INTO "outbox" VALUES(17,1001,24322974,NULL,'sent',1,'2026-11-29T19:43:11.241200Z','2026-11-29T19:43:11.244879Z',25,NULL,NULL,0);
INSERT INTO "outbox" VALUES(18,500000001,244194153,NULL,'sent',1,'2026-11-29T19:43:11.241200Z','2026-11-29T19:43:11.244879Z',26,NULL,NULL,0);
INSERT INTO "outbox" VALUES(19,500000001,1724357647,NULL,'sent',1,'2026-11-29T19:43:11.247102Z','2026-11-29T19:43:11.254198Z',28,NULL,NULL,0);
INSERT INTO "outbox" VALUES(20,500000002,1112107007,NULL,'sent',1,'2026-11-29T19:43:11.257125Z','2026-11-29T19:43:11.261699Z',30,NULL,NULL,0);
INSERT INTO "outbox" VALUES(21,500000002,413639250,NULL,'sent',1,'2026-11-29T19:43:11.257125Z','2026-11-29T19:43:11.261699Z',31,NULL,NULL,0);
INSERT INTO "outbox" VALUES(22,500000002,1839160650,NULL,'sent',1,'2026-11-29T19:43:11.267740Z','2026-11-29T19:43:11.271299Z',32,NULL,NULL,0);
INSERT INTO "outbox" VALUES(23,500000002,459796030,NULL,'sent',1,'2026-11-29T19:43:11.267740Z','2026-11-29T19:43:11.271299Z',33,NULL,NULL,0);
INSERT INTO "outbox" VALUES(24,500000002,1381059798,NULL,'sent',1,'2026-11-29T19:43:11.369178Z','2026-11-29T19:43:11.373116Z',35,NULL,NULL,0);
INSERT INTO "outbox" VALUES(25,2000000001,675694234,NULL,'sent',1,'2026-11-29T19:43:11.682085Z','2026-11-29T19:43:11.685640Z',37,NULL,NULL,0);
INSERT INTO "outbox" VALUES(26,1001,554297645,NULL,'sent',1,'2026-11-29T19:43:11.687539Z','2026-11-29T19:43:11.691175Z',39,NULL,NULL,0);
INSERT INTO "outbox" VALUES(27,500000001,977446432,NULL,'sent',1,'2026-11-29T19:43:11.692546Z','2026-11-29T19:43:11.695912Z',41,NULL,NULL,0);
INSERT INTO "outbox" VALUES(28,500000001,1273885260,NULL,'sent',1,'2026-11-29T19:43:11.697347Z','2026-11-29T19:43:11.700922Z',43,NULL,NULL,0);
INSERT INTO "outbox" VALUES(29,500000001,370014612,NULL,'sent',1,'2026-11-29T19:43:11.702297Z','2026-11-29T19:43:11.706010Z',45,NULL,NULL,0);
INSERT INTO "outbox" VALUES(30,500000001,1845874505,NULL,'sent',1,'2026-11-29T19:43:11.707513Z','2026-11-29T19:43:11.710781Z',47,NULL,NULL,0);
INSERT INTO "outbox" VALUES(31,500000001,1112808486,NULL,'sent',1,'2026-11-29T19:43:11.711997Z','2026-11-29T19:43:11.715609Z',49,NULL,NULL,0);
INSERT INTO "outbox" VALUES(32,500000002,1304816071,NULL,'sent',1,'2026-11-29T19:43:11.718841Z','2026-11-29T19:43:11.939229Z',51,NULL,NULL,0);
INSERT INTO "outbox" VALUES(33,500000001,1494838342,NULL,'sent',1,'2026-11-29T19:43:11.718841Z','2026-11-29T19:43:11.939229Z',52,NULL,NULL,0);
INSERT INTO "outbox" VALUES(34,1005,1068040287,NULL,'sent',1,'2026-11-29T19:43:12.250974Z','2026-11-29T19:43:12.293303Z',54,NULL,NULL,0);
INSERT INTO "outbox" VALUES(35,1005,719637564,NULL,'sent',1,'2026-11-29T19:43:12.250974Z','2026-11-29T19:43:12.293303Z',55,NULL,NULL,0);
INSERT INTO "outbox" VALUES(36,1005,1632393833,NULL,'sent',1,'2026-11-29T19:43:12.297895Z','2026-11-29T19:43:12.309529Z',56,NULL,NULL,0);
INSERT INTO "outbox" VALUES(37,1005,1795933587,NULL,'sent',1,'2026-11-29T19:43:12.297895Z','2026-11-29T19:43:12.309529Z',57,NULL,NULL,0);
INSERT INTO "outbox" VALUES(38,1005,2115960793,NULL,'sent',1,'2026-11-29T19:43:12.618396Z','2026-11-29T19:43:12.622828Z',59,NULL,NULL,0);
INSERT INTO "outbox" VALUES(39,1005,577594706,NULL,'sent',1,'2026-11-29T19:43:12.624414Z','2026-11-29T19:43:12.628973Z',61,NULL,NULL,0);
INSERT INTO "outbox" VALUES(40,1005,1889793337,NULL,'sent',1,'2026-11-29T19:43:12.630287Z','2026-11-29T19:43:12.633607Z',63,NULL,NULL,0);
INSERT INTO "outbox" VALUES(41,1005,1043570679,NULL,'sent',1,'2026-11-29T19:43:12.634863Z','2026-11-29T19:43:12.638621Z',65,NULL,NULL,0);
INSERT INTO "outbox" VALUES(42,1005,172204632,NULL,'sent',1,'2026-11-29T19:43:12.644314Z','2026-11-29T19:43:12.647956Z',67,NULL,NULL,0);
INSERT INTO "outbox" VALUES(43,1001,1290032087,NULL,'sent',1,'2026-11-29T19:43:12.644314Z','2026-11-29T19:43:12.647956Z',68,NULL,NULL,0);
INSERT INTO "outbox" VALUES(44,1006,394728213,NULL,'sent',1,'2026-11-29T19:43:12.953314Z','2026-11-29T19:43:12.957247Z',70,NULL,NULL,0);
INSERT INTO "outbox" VALUES(45,1006,1196074737,NULL,'sent',1,'2026-11-29T19:43:12.953314Z','2026-11-29T19:43:12.957247Z',71,NULL,NULL,0);
INSERT INTO "outbox" VALUES(46,1006,103186058,NULL,'sent',1,'2026-11-29T19:43:12.960353Z','2026-11-29T19:43:12.963642Z',72,NULL,NULL,0);
INSERT INTO "outbox" VALUES(47,1006,1877490275,NULL,'sent',1,'2026-11-29T19:43:12.960353Z','2026-11-29T19:43:12.963642Z',73,NULL,NULL,0);
INSERT INTO "outbox" VALUES(48,1006,1831173728,NULL,'sent',1,'2026-11-29T19:43:13.268800Z','2026-11-29T19:43:13.273060Z',75,NULL,NULL,0);
CREATE TABLE outbox_recipients (
            outbox_id     INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
            peer_id       INTEGER NOT NULL,
            state         TEXT NOT NULL DEFAULT 'pending'
                              CHECK (state IN ('pending', 'sent', 'undeliverable', 'failed')),
            vk_message_id INTEGER,
            error_code    INTEGER,
            PRIMARY KEY (outbox_id, peer_id)
        );
CREATE TABLE people (
            vk_id        INTEGER PRIMARY KEY,
            full_name    TEXT,
            consent_at   TEXT,
            pending_ref  TEXT,
            created_at   TEXT NOT NULL,
            left_at      TEXT
        , can_receive INTEGER NOT NULL DEFAULT 1, pending_ref_at TEXT, gender TEXT CHECK (gender IN ('m', 'f')));
INSERT INTO "people" VALUES(1001,'Петрова Ирина','2026-11-29T19:43:09.890917Z',NULL,'2026-11-29T19:43:09.889802Z',NULL,1,NULL,NULL);
INSERT INTO "people" VALUES(1002,'Дровосекова Людмила','2026-11-29T19:43:10.215759Z',NULL,'2026-11-29T19:43:10.215435Z',NULL,1,NULL,NULL);
INSERT INTO "people" VALUES(1005,'Кузнецова Анна','2026-11-29T19:43:12.296863Z',NULL,'2026-11-29T19:43:12.295819Z',NULL,1,NULL,NULL);
INSERT INTO "people" VALUES(1006,'Орлов Пётр','2026-11-29T19:43:12.959536Z',NULL,'2026-11-29T19:43:12.959207Z',NULL,1,NULL,NULL);
INSERT INTO "people" VALUES(500000001,'Смирнова Елена','2026-11-29T19:43:10.539705Z',NULL,'2026-11-29T19:43:10.539371Z',NULL,1,NULL,NULL);
INSERT INTO "people" VALUES(500000002,'Белова Ольга','2026-11-29T19:43:11.266215Z',NULL,'2026-11-29T19:43:11.256331Z',NULL,1,NULL,NULL);
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
CREATE TABLE redemptions (
            invitation_id INTEGER NOT NULL REFERENCES invitations(id),
            person_id     INTEGER NOT NULL,
            at            TEXT NOT NULL,
            PRIMARY KEY (invitation_id, person_id)
        );
INSERT INTO "redemptions" VALUES(1,500000001,'2026-11-29T19:43:11.189172Z');
INSERT INTO "redemptions" VALUES(2,500000002,'2026-11-29T19:43:11.272908Z');
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
        , stated_name TEXT, child_name TEXT);
INSERT INTO "roles" VALUES(1,1001,'admin',NULL,'2026-11-29T19:43:09.891320Z',NULL,'2026-11-29T19:43:09.891320Z',NULL,NULL,NULL);
INSERT INTO "roles" VALUES(2,1002,'director',NULL,'2026-11-29T19:43:10.215977Z',NULL,'2026-11-29T19:43:10.215977Z',NULL,NULL,NULL);
INSERT INTO "roles" VALUES(3,500000001,'teacher',1,'2026-11-29T19:43:11.193865Z',1001,'2026-11-29T19:43:11.234567Z',NULL,NULL,NULL);
INSERT INTO "roles" VALUES(4,500000001,'class_teacher',2,'2026-11-29T19:43:11.240597Z',1001,'2026-11-29T19:43:11.240597Z',NULL,NULL,NULL);
INSERT INTO "roles" VALUES(5,500000002,'parent',2,'2026-11-29T19:43:11.366679Z',500000001,NULL,NULL,NULL,'Белов Михаил');
CREATE TABLE roster_imports (
            id         INTEGER PRIMARY KEY,
            admin_id   INTEGER NOT NULL,
            payload    TEXT NOT NULL,
            created_at TEXT NOT NULL,
            applied_at TEXT
        );
CREATE TABLE roster_staff (
            full_name   TEXT PRIMARY KEY,
            role        TEXT NOT NULL,
            classes_led TEXT NOT NULL DEFAULT ''
        );
CREATE TABLE roster_students (
            id        INTEGER PRIMARY KEY,
            full_name TEXT NOT NULL,
            class_id  INTEGER NOT NULL REFERENCES classes(id),
            UNIQUE (full_name, class_id)
        );
CREATE TABLE seeded_roles (
            person_id INTEGER NOT NULL,
            role      TEXT NOT NULL,
            seeded_at TEXT NOT NULL,
            PRIMARY KEY (person_id, role)
        );
INSERT INTO "seeded_roles" VALUES(1001,'admin','2026-11-29T19:43:09.891507Z');
INSERT INTO "seeded_roles" VALUES(1002,'director','2026-11-29T19:43:10.216099Z');
CREATE TABLE settings_kv (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
INSERT INTO "settings_kv" VALUES('vk_group_id','229000044');
INSERT INTO "settings_kv" VALUES('longpoll_ts','34');
CREATE UNIQUE INDEX roles_one_active
            ON roles(person_id, role, IFNULL(class_id, 0)) WHERE ended_at IS NULL;
CREATE INDEX roles_by_class ON roles(class_id, role) WHERE ended_at IS NULL;
CREATE INDEX roles_by_role ON roles(role) WHERE ended_at IS NULL;
CREATE INDEX audit_by_time ON audit_log(at);
CREATE INDEX inbox_pending ON inbox(seq) WHERE done_at IS NULL;
CREATE INDEX inbox_done ON inbox(done_at) WHERE done_at IS NOT NULL;
CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';
CREATE INDEX outbox_by_peer ON outbox(peer_id);
CREATE INDEX roles_child ON roles(class_id, child_name) WHERE ended_at IS NULL
            AND child_name IS NOT NULL;
CREATE INDEX roles_unverified ON roles(role) WHERE ended_at IS NULL
            AND verified_at IS NULL;
CREATE INDEX invitations_by_time ON invitations(created_at);
CREATE INDEX invitations_by_class ON invitations(class_id, created_at);
CREATE INDEX invitations_open ON invitations(expires_at) WHERE annulled_at IS NULL;
CREATE INDEX code_failures_by_person ON code_failures(person_id, at);
CREATE UNIQUE INDEX join_requests_one_open
            ON join_requests(person_id, class_id) WHERE status = 'pending';
CREATE INDEX join_requests_pending ON join_requests(class_id, created_at)
            WHERE status = 'pending';
CREATE INDEX join_requests_by_time ON join_requests(created_at);
CREATE INDEX people_departed ON people(left_at) WHERE left_at IS NOT NULL;
CREATE UNIQUE INDEX chats_one_per_class
            ON chats(kind, class_id) WHERE kind IN ('students', 'parents', 'teachers');
CREATE UNIQUE INDEX chats_one_per_purpose
            ON chats(kind, sub_kind) WHERE kind IN ('management', 'channel');
CREATE INDEX chats_by_class ON chats(class_id) WHERE kind IS NOT NULL;
CREATE INDEX chats_by_binder ON chats(bound_by) WHERE kind IS NOT NULL;
CREATE INDEX chat_members_by_member ON chat_members(member_id);
CREATE INDEX invitations_by_role ON invitations(role);
CREATE INDEX events_upcoming ON events(starts_at) WHERE cancelled_at IS NULL;
CREATE INDEX people_by_consent ON people(consent_at);
CREATE INDEX invitations_by_expiry ON invitations(expires_at);
CREATE INDEX join_requests_decided ON join_requests(decided_at)
            WHERE decided_at IS NOT NULL;
CREATE INDEX outbox_recipients_pending ON outbox_recipients(outbox_id, peer_id)
            WHERE state = 'pending';
CREATE INDEX roster_students_by_class ON roster_students(class_id);
CREATE UNIQUE INDEX inbox_seq ON inbox(seq);
CREATE TRIGGER outbox_erase_when_sent AFTER UPDATE OF state ON outbox
            WHEN NEW.erase_when_sent = 1 AND NEW.state != 'pending'
        BEGIN
            DELETE FROM outbox WHERE id = NEW.id;
        END;
COMMIT;
