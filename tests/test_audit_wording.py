"""The audit log reads in Russian: every action the bot records has its wording, names are
declined, a deleted person is «удалённый пользователь», and an action with no wording yet
still reads as words."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.render.audit import cells, has_wording, line, people_of, sentence, short_name
from bot.storage.audit import AuditRow
from bot.texts import Who

ROOT = Path(__file__).resolve().parent.parent
ZONE = ZoneInfo("Europe/Moscow")
AT = datetime(2026, 11, 12, 6, 30, tzinfo=UTC)  # 09:30 in Moscow

SMIRNOVA = Who("Смирнова Анна Петровна", "f")
ORLOV = Who("Орлов Павел", "m")
BELOV = Who("Белов Михаил")
BELOVA = Who("Белова Ольга", "f")
NAMES = {1: SMIRNOVA, 2: ORLOV, 3: BELOV, 4: BELOVA}

# Actions written with an f-string, and every value the f-string takes.
FORMED = {
    "proposal_{status}": {"proposal_published", "proposal_declined"},
    "request_{status}": {"request_approved", "request_rejected"},
}


def _written_actions() -> set[str]:
    """Every action the code records: `audit.write("…")` and the SQL that inserts rows."""
    found: set[str] = set()
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("scheduler").rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        for literal in re.findall(r"audit\.write\(\s*(f?\"[^\"]+\")", source):
            if literal.startswith("f"):
                template = literal[2:-1]
                assert template in FORMED, f"{path}: wording for {template} unknown to the test"
                found |= FORMED[template]
            else:
                found.add(literal[1:-1])
        # The hot writes' SQL (bot/storage/requests.py): the action a literal, or a parameter
        # (a decision's request_{status}).
        for action in re.findall(
            r"INSERT INTO audit_log.{0,120}?SELECT \?, \?, '([a-z_]+)'", source, re.S
        ):
            found.add(action)
        if re.search(r"INSERT INTO audit_log.{0,120}?SELECT \?, \?, \?", source, re.S):
            found |= FORMED["request_{status}"]
    return found


def test_every_action_the_bot_records_has_a_russian_wording() -> None:
    actions = _written_actions()
    # The scan itself works: the known actions of every kind of writer are found.
    assert {"student_moved", "request_submitted", "request_approved", "proposal_made"} <= actions
    missing = sorted(action for action in actions if not has_wording(action))
    assert missing == [], f"add audit_action.<action> and audit_title.<action> to TEXTS: {missing}"


def _row(
    action: str,
    actor: int | None = 1,
    subject: int | None = 3,
    details: dict[str, object] | None = None,
    **extra: object,
) -> AuditRow:
    return AuditRow(1, AT, actor, action, subject, details or {}, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            _row("student_moved", details={"from": "5А", "to": "5Б", "parents": 2}),
            "Смирнова А. П. перевела Белова Михаила из 5А в 5Б (с родителями: 2)",
        ),
        (
            _row("student_moved", actor=2, details={"from": "5А", "to": "5Б", "parents": 0}),
            "Орлов П. перевёл Белова Михаила из 5А в 5Б (с родителями: 0)",
        ),
        (
            _row("request_approved", subject=4, details={"request": 7}, class_name="5А"),
            "Смирнова А. П. приняла заявку №7 от Беловой Ольги, 5А",
        ),
        (
            _row(
                "request_submitted",
                actor=4,
                subject=4,
                details={"request": 7, "role": "parent"},
                class_name="5А",
            ),
            "Белова О. подала заявку №7 (родитель), 5А",
        ),
        (
            _row("person_left", subject=None, details={"with_parents": True}),
            "Смирнова А. П. отметила выбытие удалённого пользователя вместе с родителями",
        ),
        (
            _row("class_teacher_set", subject=2, details={"class": "5А", "previous": 1}),
            "Смирнова А. П. назначила Орлова Павла классным руководителем 5А вместо Смирновой "
            "Анны Петровны",
        ),
        (
            _row(
                "class_teacher_set",
                actor=None,
                subject=2,
                details={"class": "5А", "previous": None},
            ),
            "Удалённый пользователь назначил Орлова Павла классным руководителем 5А",
        ),
        (
            _row("departed_data_deleted", actor=None, subject=None),
            "Персональные данные выбывшего удалены: срок их хранения истёк",
        ),
        (
            _row("consent_withdrawn", actor=None, subject=None),
            "Удалённый пользователь отозвал согласие, и его данные удалены",
        ),
        (
            _row("consent_given", actor=4, subject=4),
            "Белова Ольга дала согласие на обработку персональных данных",
        ),
        (
            _row(
                "invitations_annulled",
                subject=None,
                details={"count": 3, "reason": "stale", "invitations": [1, 2, 3]},
            ),
            "Смирнова А. П. аннулировала 3 приглашения (невостребованные)",
        ),
        (
            _row(
                "invitations_annulled",
                subject=None,
                details={"count": 1, "reason": "by hand", "invitations": [1]},
            ),
            "Смирнова А. П. аннулировала 1 приглашение",
        ),
        (
            _row(
                "roster_imported", subject=None, details={"classes": 2, "staff": 1, "students": 25}
            ),
            "Смирнова А. П. загрузила списки школы: 2 класса, 25 учеников, 1 сотрудник",
        ),
        (
            _row(
                "chat_bound",
                subject=None,
                details={"peer": 2000000001, "kind": "parents", "sub": None},
                class_name="5А",
                chat_title="Родители 5А",
            ),
            "Смирнова А. П. привязала беседу «Родители 5А» (родители 5А)",
        ),
        (
            _row("chat_unbound", subject=None, details={"peer": 2000000001}),
            "Смирнова А. П. отвязала беседу (беседа удалена)",
        ),
        (
            _row("account_linked", actor=4, subject=4, details={"messenger": "max"}),
            "Белова Ольга связала с ботом аккаунт в MAX",
        ),
        (
            _row(
                "invitation_redeemed",
                actor=3,
                subject=3,
                details={"invitation": 5, "role": "student", "class": "5А"},
            ),
            "Белов Михаил присоединился по приглашению №5 (ученик, 5А)",
        ),
        (
            _row(
                "event_planned",
                subject=None,
                details={"event": 3, "title": "Родительское собрание", "class": "5А"},
            ),
            "Смирнова А. П. запланировала событие №3 «Родительское собрание», 5А",
        ),
        # Recorded before events kept their title and class: the number alone.
        (
            _row("event_cancelled", actor=3, subject=None, details={"event": 3}),
            "Белов М. отменил событие №3",
        ),
        # An action with no wording yet, from a part of the bot written later.
        (
            _row("parent_council_set", details={"parent": 4, "class": "5А"}),
            "Смирнова А. П.: действие «parent_council_set», кого: Белов Михаил (parent: 4), 5А",
        ),
        # An old row without a detail its sentence needs reads as the generic line.
        (
            _row("student_moved", details={"to": "5Б"}),
            "Смирнова А. П.: действие «student_moved», кого: Белов Михаил (to: 5Б)",
        ),
    ],
)
def test_a_row_reads_as_a_sentence_with_declined_names(row: AuditRow, expected: str) -> None:
    assert sentence(row, NAMES) == expected


def test_a_line_starts_with_the_school_time_and_cells_split_the_row() -> None:
    row = _row("student_moved", details={"from": "5А", "to": "5Б", "parents": 2})
    assert line(row, NAMES, ZONE) == (
        "12.11 09:30 — Смирнова А. П. перевела Белова Михаила из 5А в 5Б (с родителями: 2)"
    )
    assert cells(row, NAMES, ZONE) == (
        "12.11.2026 09:30",
        "Смирнова Анна Петровна",
        "Перевод в другой класс",
        "Белов Михаил",
        "5Б",
        "Смирнова А. П. перевела Белова Михаила из 5А в 5Б (с родителями: 2)",
    )
    # The bot's own deletion names nobody as its actor; a deleted subject stays named so.
    deleted = cells(_row("departed_data_deleted", actor=None, subject=None), NAMES, ZONE)
    assert deleted[1] == "" and deleted[3] == ""
    gone = cells(_row("admin_added", subject=None), NAMES, ZONE)
    assert gone[3] == "удалённый пользователь"
    added = cells(_row("class_added", subject=None, details={"class": "5А"}), NAMES, ZONE)
    assert added[3] == "" and added[4] == "5А"


def test_everyone_a_page_names_is_read_at_once_and_names_shorten_keeping_gender() -> None:
    rows = [
        _row("class_teacher_set", subject=2, details={"class": "5А", "previous": 9}),
        _row("consent_withdrawn", actor=None, subject=None),
    ]
    assert people_of(rows) == [1, 2, 9]
    assert short_name(SMIRNOVA) == "Смирнова А. П." and short_name(SMIRNOVA).sex == "f"
    assert short_name(Who("Иван")) == "Иван"


# What each writer records in its details (bot/domain/*, bot/storage/requests.py).
SAMPLES: dict[str, dict[str, object]] = {
    "account_linked": {"messenger": "vk"},
    "admin_added": {},
    "admin_removed": {},
    "chat_bound": {"peer": 2000000001, "kind": "students", "sub": None},
    "chat_unbound": {"peer": 2000000001},
    "class_added": {"class": "5А"},
    "class_removed": {"class": "5А"},
    "class_teacher_set": {"class": "5А", "previous": None},
    "consent_given": {},
    "consent_withdrawn": {},
    "departed_data_deleted": {},
    "event_cancelled": {"event": 3, "title": "Собрание", "class": "5А"},
    "event_planned": {"event": 3, "title": "Собрание", "class": "5А"},
    "invitation_issued": {"invitation": 1, "role": "parent", "class": "5А"},
    "invitation_redeemed": {"invitation": 1, "role": "parent", "class": "5А"},
    "invitations_annulled": {"count": 2, "reason": "stale", "invitations": [1, 2]},
    "person_left": {"with_parents": False},
    "proposal_declined": {"proposal": 4},
    "proposal_made": {"proposal": 4},
    "proposal_published": {"proposal": 4},
    "request_approved": {"request": 1},
    "request_rejected": {"request": 1},
    "request_submitted": {"request": 1, "role": "student"},
    "roster_imported": {"classes": 1, "staff": 0, "students": 21},
    "student_moved": {"from": "5А", "to": "5Б", "parents": 1},
    "teacher_verified": {},
    "teaching_set": {"classes": ["5А", "5Б"], "subject": "математика"},
    "teaching_removed": {"classes": ["5Б"]},
    "family_linked": {"child": 4, "class": "5А"},
    "family_unlinked": {"child": None, "class": "5А", "unregistered": True},
}


def test_each_action_reads_as_its_own_sentence_for_a_man_and_a_woman() -> None:
    assert set(SAMPLES) == _written_actions()
    for action, details in SAMPLES.items():
        for actor, subject in ((1, 2), (2, 4)):
            row = _row(action, actor=actor, subject=subject, details=details)
            text = sentence(row, NAMES)
            assert "действие «" not in text and "{" not in text, text
            assert "|" not in text and "_" not in text, text
            assert cells(row, NAMES, ZONE)[2] != action
