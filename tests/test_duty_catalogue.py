"""The duty catalogue follows the regulation: every bullet of 2.1–2.7 is some duty's step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.domain.duty_catalogue import (
    DUTIES,
    REGULATION_CLAUSES,
    RIGHTS,
    Completion,
    Duty,
    Period,
    duties_for,
    duty,
)
from bot.domain.roles import ROLE_ORDER, Role

REGULATION = Path(__file__).resolve().parents[2] / "shared" / "regulation" / "polozhenie-sferum.md"

DUTY_CLAUSES = ("2.1", "2.2", "2.3", "2.4", "2.5", "2.7")
CLAUSE_ROLE = {
    "2.1": Role.ADMIN,
    "2.2": Role.DIRECTOR,
    "2.3": Role.CLASS_TEACHER,
    "2.4": Role.TEACHER,
    "2.5": Role.STUDENT,
    "2.7": Role.PARENT,
}

# The facts the evaluator implements. EVENT: something that happens once and is seen by the bot;
# FIGURE: a school-wide figure, evaluated afresh each time.
FIGURE_FACTS = frozenset(
    {
        "all_classes_have_class_teacher",
        "no_pending_requests",
        "no_waiting_teachers",
        "no_stale_invitations",
    }
)
PER_CLASS_FACTS = frozenset(
    {"class_students_chat_bound", "class_parents_chat_bound", "class_teachers_chat_bound"}
)
EVENT_FACTS = PER_CLASS_FACTS | {
    "classes_exist",
    "teacher_invited",
    "channel_school_bound",
    "channel_staff_bound",
    "admin_appointed",
    "management_deputies_bound",
    "management_teachers_bound",
    "management_parents_council_bound",
    "management_students_council_bound",
    "holds_teacher_role",
    "teacher_verified",
    "subject_chat_bound",
    "in_class_chat",
}

ALLOWED_ACTIONS = frozenset(
    {
        "registration",
        "class_add",
        "classes",
        "invite",
        "invites",
        "annul",
        "requests",
        "verify",
        "admin_add",
        "class_teacher",
        "move",
        "chats",
        "bind",
        "security",
        "webinars",
        "support",
        "done",
        "help",
    }
)

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
STEP = re.compile(r"^(\d)\) \S", re.MULTILINE)


def _ids(items: tuple[Duty, ...]) -> list[str]:
    return [item.key for item in items]


# ---- the regulation's bullets are all covered ----


@pytest.mark.parametrize("clause", DUTY_CLAUSES)
def test_every_bullet_of_the_clause_is_covered_by_a_duty(clause: str) -> None:
    bullets = REGULATION_CLAUSES[clause]
    covered = {index for item in DUTIES if item.clause == clause for index in item.covers}
    missing = [
        f"{index}: {bullets[index - 1]}"
        for index in range(1, len(bullets) + 1)
        if index not in covered
    ]
    assert not missing, f"clause {clause}: bullets without a duty: {missing}"


def test_the_catalogue_has_exactly_the_duty_clauses_and_no_2_6() -> None:
    assert tuple(REGULATION_CLAUSES) == DUTY_CLAUSES
    assert "2.6" not in REGULATION_CLAUSES
    assert {item.clause for item in DUTIES} == set(DUTY_CLAUSES)


def test_bullets_are_short_russian_lines() -> None:
    for clause, bullets in REGULATION_CLAUSES.items():
        assert bullets, clause
        for bullet in bullets:
            assert CYRILLIC.search(bullet), (clause, bullet)
            assert bullet == bullet.strip() and "\n" not in bullet, (clause, bullet)


@pytest.mark.parametrize("item", DUTIES, ids=_ids(DUTIES))
def test_a_duty_covers_real_bullets_of_its_own_clause_and_role(item: Duty) -> None:
    assert item.role is CLAUSE_ROLE[item.clause]
    assert item.covers, "a duty implements at least one bullet"
    assert list(item.covers) == sorted(set(item.covers))
    assert all(1 <= index <= len(REGULATION_CLAUSES[item.clause]) for index in item.covers)


# ---- rights (clause 3) ----


def test_every_right_3_1_to_3_4_is_present() -> None:
    assert [right.clause for right in RIGHTS] == ["3.1", "3.2", "3.3", "3.4"]
    by_clause = {right.clause: right for right in RIGHTS}
    for clause in ("3.1", "3.2", "3.3"):
        assert set(by_clause[clause].roles) == set(ROLE_ORDER), clause
    assert {Role.TEACHER, Role.CLASS_TEACHER} <= set(by_clause["3.4"].roles)
    assert {Role.STUDENT, Role.PARENT}.isdisjoint(by_clause["3.4"].roles)
    assert "info@sferum.ru" in by_clause["3.2"].how_to
    assert "prof-sferum.ru" in by_clause["3.3"].how_to
    assert "/webinars" in by_clause["3.4"].how_to


def test_rights_read_like_duties() -> None:
    for right in RIGHTS:
        assert right.title and right.title[0].isupper() and not right.title.endswith(".")
        assert len(right.title) <= 70
        steps = STEP.findall(right.how_to)
        assert steps == [str(n) for n in range(1, len(steps) + 1)] and 2 <= len(steps) <= 6


# ---- keys, completion, checks ----


def test_keys_are_unique_and_look_like_role_dot_name() -> None:
    keys = [item.key for item in DUTIES]
    assert len(keys) == len(set(keys))
    for item in DUTIES:
        role, _, name = item.key.partition(".")
        assert role == item.role.value, item.key
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), item.key


@pytest.mark.parametrize("item", DUTIES, ids=_ids(DUTIES))
def test_completion_and_check_agree(item: Duty) -> None:
    if item.completion is Completion.MANUAL:
        assert item.check is None
    elif item.completion is Completion.EVENT:
        assert item.check in EVENT_FACTS
    else:
        assert item.completion is Completion.FIGURE
        assert item.check in FIGURE_FACTS


@pytest.mark.parametrize("item", DUTIES, ids=_ids(DUTIES))
def test_per_class_only_for_class_teachers_and_with_class_facts(item: Duty) -> None:
    if item.per_class:
        assert item.role is Role.CLASS_TEACHER
    assert item.per_class == (item.check in PER_CLASS_FACTS)


def test_the_three_per_class_chats_of_a_class_teacher() -> None:
    per_class = {item.check for item in duties_for(Role.CLASS_TEACHER) if item.per_class}
    assert per_class == PER_CLASS_FACTS


def test_the_four_management_chats_are_separate_duties() -> None:
    checks = [item.check for item in duties_for(Role.DIRECTOR)]
    for fact in (
        "management_deputies_bound",
        "management_teachers_bound",
        "management_parents_council_bound",
        "management_students_council_bound",
    ):
        assert checks.count(fact) == 1, fact


def test_recurring_weekly_duties() -> None:
    weekly = {item.key: item for item in DUTIES if item.period is Period.WEEK}
    assert set(weekly) == {"admin.stale_invitations", "admin.statistics", "admin.movement"}
    assert weekly["admin.stale_invitations"].check == "no_stale_invitations"
    assert weekly["admin.statistics"].completion is Completion.MANUAL
    assert weekly["admin.movement"].completion is Completion.MANUAL


def test_optional_only_where_the_regulation_says_if_needed() -> None:
    for item in DUTIES:
        if item.optional:
            bullets = REGULATION_CLAUSES[item.clause]
            assert all("при необходимости" in bullets[i - 1] for i in item.covers), item.key


# ---- actions and texts ----


@pytest.mark.parametrize("item", DUTIES, ids=_ids(DUTIES))
def test_action_is_an_allowed_command_and_the_steps_mention_it(item: Duty) -> None:
    if item.action is not None:
        assert item.action in ALLOWED_ACTIONS
        assert f"/{item.action}" in item.how_to, "the button and the steps should agree"


@pytest.mark.parametrize("item", DUTIES, ids=_ids(DUTIES))
def test_title_is_a_short_russian_phrase(item: Duty) -> None:
    assert 0 < len(item.title) <= 70
    assert item.title[0].isupper()
    assert not item.title.endswith(".")
    assert CYRILLIC.search(item.title)


@pytest.mark.parametrize("item", DUTIES, ids=_ids(DUTIES))
def test_how_to_is_two_to_six_numbered_russian_steps(item: Duty) -> None:
    assert item.how_to.strip() and CYRILLIC.search(item.how_to)
    steps = STEP.findall(item.how_to)
    assert steps == [str(n) for n in range(1, len(steps) + 1)]
    assert 2 <= len(steps) <= 6
    assert len(item.how_to.splitlines()) == len(steps), "one step a line"


def test_texts_write_yo_where_russian_needs_it() -> None:
    texts = [item.title + "\n" + item.how_to for item in DUTIES]
    texts += [right.title + "\n" + right.how_to for right in RIGHTS]
    texts += [bullet for bullets in REGULATION_CLAUSES.values() for bullet in bullets]
    without_yo = re.compile(
        r"\b(утвержденн|подтвержденн|закрепленн|пришлет|создает|ведет|начнет|придет|ждет|еще)",
        re.IGNORECASE,
    )
    found = [match.group(0) for text in texts for match in without_yo.finditer(text)]
    assert not found


def test_chat_steps_say_how_to_make_the_bot_chat_admin_and_bind() -> None:
    for item in DUTIES:
        if item.action == "bind":
            assert "«Назначить администратором»" in item.how_to, item.key
            assert "/bind " in item.how_to, item.key


def test_the_student_is_told_how_to_turn_on_two_step_verification() -> None:
    assert "Двухэтапная проверка" in duty("student.security").how_to


# ---- lookups ----


def test_duties_for_keeps_catalogue_order_and_splits_the_catalogue() -> None:
    together: list[Duty] = []
    for role in Role:
        items = duties_for(role)
        assert items, role
        assert all(item.role is role for item in items)
        assert items == [item for item in DUTIES if item.role is role]
        together += items
    assert sorted(together, key=DUTIES.index) == list(DUTIES)


def test_duty_by_key() -> None:
    assert duty("admin.class_teachers").check == "all_classes_have_class_teacher"
    for item in DUTIES:
        assert duty(item.key) is item
    with pytest.raises(KeyError):
        duty("admin.no_such_duty")


# ---- the catalogue matches the regulation's file ----
#
# Counting rule: inside a clause (from the line «2.N. …» to the next clause line «N.N. …» or the
# next Markdown heading «#…»), every line that starts with «- » after leading spaces is one bullet,
# at any depth. So the intro bullet «создаёт чаты …, а именно:» of 2.3/2.4 counts once and each
# chat under it counts once more; likewise in 2.2 the bullet on meetings and the five chat lines
# after it. REGULATION_CLAUSES lists them in the same order and starts each with the same word.

_CLAUSE_LINE = re.compile(r"^\s*(\d+\.\d+)\.\s")
_FIRST_WORD = re.compile(r"[а-яё]+")


def _file_bullets(text: str) -> dict[str, list[str]]:
    bullets: dict[str, list[str]] = {}
    clause: str | None = None
    for line in text.splitlines():
        match = _CLAUSE_LINE.match(line)
        if match:
            clause = match.group(1)
            continue
        if line.lstrip().startswith("#"):
            clause = None
            continue
        stripped = line.lstrip()
        if clause is not None and stripped.startswith("- "):
            bullets.setdefault(clause, []).append(stripped[2:].strip())
    return bullets


def _first_word(text: str) -> str:
    match = _FIRST_WORD.search(text.lower().replace("ё", "е"))
    return match.group(0) if match else ""


@pytest.fixture
def regulation_bullets() -> dict[str, list[str]]:
    if not REGULATION.is_file():
        pytest.skip(f"the regulation is not beside the repository: {REGULATION}")
    return _file_bullets(REGULATION.read_text(encoding="utf-8"))


def test_the_file_has_bullets_in_exactly_the_duty_clauses(
    regulation_bullets: dict[str, list[str]],
) -> None:
    in_file = {clause for clause in regulation_bullets if clause.startswith("2.")}
    assert in_file == set(REGULATION_CLAUSES)
    assert "2.6" not in regulation_bullets


@pytest.mark.parametrize("clause", DUTY_CLAUSES)
def test_bullet_count_matches_the_regulation(
    clause: str, regulation_bullets: dict[str, list[str]]
) -> None:
    assert len(regulation_bullets[clause]) == len(REGULATION_CLAUSES[clause])


@pytest.mark.parametrize("clause", DUTY_CLAUSES)
def test_bullets_are_in_the_regulations_order(
    clause: str, regulation_bullets: dict[str, list[str]]
) -> None:
    ours = [_first_word(bullet) for bullet in REGULATION_CLAUSES[clause]]
    theirs = [_first_word(bullet) for bullet in regulation_bullets[clause]]
    assert ours == theirs
