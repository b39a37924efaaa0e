"""Russian that reads right: every text renders for a man, a woman and any number, and a
hand-written table of agreements (cases, gender, numerals) holds."""

from __future__ import annotations

from string import Formatter
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.russian import CASES, Amount, Who, agree_with_number, decline_name, guess_gender
from bot.texts import FORMS, TEXTS, plural, t

MAN = Who("Орлов Павел", "m")
WOMAN = Who("Смирнова Елена", "f")
NUMBERS = (1, 2, 5, 11, 21, 22)

PEOPLE = {"name", "issuer", "current", "who", "child", "admin_name", "teacher"}
PEOPLE_LISTS = {"names", "parents"}
DURATIONS = {"age", "retention", "before", "stale_after", "median"}
TEXT_VALUES = {
    "school": "Гимназия № 5",
    "roles": "администратор, классный руководитель",
    "role": "классный руководитель",
    "class_name": "5А",
}


def _fields(key: str) -> list[tuple[str, str]]:
    return [
        (field, spec or "")
        for _, field, spec, _ in Formatter().parse(TEXTS[key])
        if field is not None
    ]


def _value(field: str, spec: str, person: Who, number: int) -> Any:
    if field in PEOPLE:
        return person
    if field in PEOPLE_LISTS:
        return [person] if number == 1 else [person, MAN, WOMAN][: min(number, 3)]
    if field in DURATIONS:
        return Amount(number, "день")
    if field in TEXT_VALUES:
        return TEXT_VALUES[field]
    if spec and spec not in CASES:
        return number  # a counted noun or number-agreeing forms
    if spec in CASES:
        return "учитель"
    return number


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_renders_for_a_man_a_woman_and_any_number(key: str) -> None:
    fields = _fields(key)
    for person in (MAN, WOMAN):
        for number in NUMBERS:
            values = {field: _value(field, spec, person, number) for field, spec in fields}
            text = t(key, **values)
            assert "{" not in text and "}" not in text, text
            for _, spec in fields:
                if "|" in spec:
                    assert spec not in text, text


# (key, values, what the person reads) — written by hand, not computed by the code under test.
AGREEMENTS: list[tuple[str, dict[str, Any], str]] = [
    (
        "propose_published",
        {"id": 1, "channel": "общешкольный канал"},
        "Материал №1 опубликован в общешкольном канале.",
    ),
    (
        "propose_author_published",
        {"id": 2, "channel": "канал «Сотрудники»"},
        "Ваш материал №2 опубликован в канале «Сотрудники».",
    ),
    (
        "invites_line",
        {
            "id": 7,
            "role": "родитель",
            "class_name": "5А",
            "state": "действует",
            "uses": "использовано 0 из 30",
            "issuer": WOMAN,
            "age": Amount(1, "минута"),
        },
        "№7 родитель, 5А — действует; использовано 0 из 30; выдала Смирнова Елена, 1 минуту назад",
    ),
    (
        "invites_line",
        {
            "id": 8,
            "role": "ученик",
            "class_name": "5А",
            "state": "просрочено",
            "uses": "использовано 2",
            "issuer": MAN,
            "age": Amount(21, "час"),
        },
        "№8 ученик, 5А — просрочено; использовано 2; выдал Орлов Павел, 21 час назад",
    ),
    (
        "class_teacher_replace",
        {"class_name": "5А", "current": WOMAN, "name": MAN},
        "У класса 5А уже есть классный руководитель: Смирнова Елена. Заменить на Орлова Павла?",
    ),
    (
        "class_teacher_replace",
        {"class_name": "5А", "current": MAN, "name": WOMAN},
        "У класса 5А уже есть классный руководитель: Орлов Павел. Заменить на Смирнову Елену?",
    ),
    (
        "role_refused",
        {"command": "invite", "roles": "администратор, классный руководитель"},
        "Команда /invite доступна только администратору, классному руководителю.",
    ),
    (
        "role_refused",
        {"command": "classes", "roles": "администратор, администрация школы"},
        "Команда /classes доступна только администратору, администрации школы.",
    ),
    (
        "leave_done",
        {"names": [WOMAN], "retention": Amount(30, "день")},
        "Выбытие отмечено: Смирнова Елена. Её персональные данные будут удалены через 30 дней.",
    ),
    (
        "leave_done",
        {"names": [MAN], "retention": Amount(21, "день")},
        "Выбытие отмечено: Орлов Павел. Его персональные данные будут удалены через 21 день.",
    ),
    (
        "leave_done",
        {"names": [WOMAN, MAN], "retention": Amount(2, "день")},
        "Выбытие отмечено: Смирнова Елена, Орлов Павел. Их персональные данные будут удалены "
        "через 2 дня.",
    ),
    (
        "leave_you",
        {"retention": Amount(11, "день")},
        "Администратор отметил ваше выбытие из школы. Ваши данные будут удалены через 11 дней.",
    ),
    (
        "leave_ask_parents",
        {"name": WOMAN, "parents": [MAN]},
        "У ученицы Смирновой Елены есть родитель в боте: Орлов Павел. Он тоже выбывает?",
    ),
    (
        "leave_ask_parents",
        {"name": MAN, "parents": [WOMAN, Who("Орлов Игорь", "m")]},
        "У ученика Орлова Павла есть родители в боте: Смирнова Елена, Орлов Игорь. "
        "Они тоже выбывают?",
    ),
    (
        "move_done",
        {"name": WOMAN, "old": "5А", "new": "6Б", "parents": "никто", "annulled": 0},
        "Смирнова Елена переведена из 5А в 6Б. Вместе с ней: никто. Аннулировано приглашений: 0.",
    ),
    (
        "move_done",
        {"name": MAN, "old": "5А", "new": "6Б", "parents": "Орлова Анна", "annulled": 1},
        "Орлов Павел переведён из 5А в 6Б. Вместе с ним: Орлова Анна. Аннулировано приглашений: 1.",
    ),
    ("verify_already", {"name": WOMAN}, "Смирнова Елена уже подтверждена."),
    ("verify_already", {"name": MAN}, "Орлов Павел уже подтверждён."),
    (
        "verify_not_teacher",
        {"name": WOMAN},
        "Смирнова Елена не входила в «Учительскую» по приглашению учителя.",
    ),
    ("status_joined", {"name": WOMAN}, "присоединилась"),
    ("status_joined", {"name": MAN}, "присоединился"),
    ("status_requested", {"name": WOMAN}, "подала заявку"),
    ("escalation_desk_teacher", {"name": WOMAN}, "классного руководителя Смирновой Елены"),
    ("escalation_desk_teacher", {"name": MAN}, "классного руководителя Орлова Павла"),
    (
        "requests_line",
        {
            "id": 3,
            "role": "родитель",
            "class_name": "5А",
            "name": "Белов Миша",
            "age": Amount(1, "минута"),
        },
        "№3 родитель, 5А: Белов Миша — ждёт 1 минуту",
    ),
    (
        "requests_line",
        {
            "id": 3,
            "role": "ученик",
            "class_name": "5А",
            "name": "Белов Миша",
            "age": Amount(22, "час"),
        },
        "№3 ученик, 5А: Белов Миша — ждёт 22 часа",
    ),
    (
        "reminder_request",
        {
            "id": 4,
            "role": "ученик",
            "class_name": "5А",
            "name": "Белов Миша",
            "age": Amount(21, "час"),
        },
        "Напоминание: заявка №4 (ученик, 5А: Белов Миша) ждёт решения 21 час.",
    ),
    (
        "event_reminder",
        {"before": Amount(1, "минута"), "title": "Педсовет", "link": ""},
        "⏰ Через 1 минуту начнётся: Педсовет",
    ),
    (
        "event_reminder",
        {"before": Amount(2, "час"), "title": "Педсовет", "link": ""},
        "⏰ Через 2 часа начнётся: Педсовет",
    ),
    (
        "event_created",
        {"id": 1, "when": "28.11.2026 15:30", "count": 21, "before": Amount(15, "минута")},
        "Событие №1 запланировано на 28.11.2026 15:30. Сообщено: 21. Напомню за 15 минут.",
    ),
    (
        "event_created",
        {"id": 1, "when": "28.11.2026 15:30", "count": 22, "before": Amount(21, "минута")},
        "Событие №1 запланировано на 28.11.2026 15:30. Сообщено: 22. Напомню за 21 минуту.",
    ),
    (
        "roster_applied",
        {"students": 1, "staff": 2, "classes": 5},
        "Готово: списки применены (1 ученик, 2 сотрудника, 5 классов в файле).",
    ),
    (
        "roster_applied",
        {"students": 21, "staff": 22, "classes": 11},
        "Готово: списки применены (21 ученик, 22 сотрудника, 11 классов в файле).",
    ),
    (
        "class_not_empty",
        {"name": "5А", "members": 2},
        "Класс 5А нельзя удалить: в нём 2 человека. Сначала переведите или отметьте выбытие.",
    ),
    (
        "class_not_empty",
        {"name": "5А", "members": 11},
        "Класс 5А нельзя удалить: в нём 11 человек. Сначала переведите или отметьте выбытие.",
    ),
    (
        "digest_requests",
        {"requests": 1, "age": Amount(3, "день"), "by_class": "5А — 1"},
        "• Ждут решения: 1 заявка; самая старая — 3 дня. По классам: 5А — 1.",
    ),
    (
        "digest_requests",
        {"requests": 5, "age": Amount(5, "день"), "by_class": "5А — 5"},
        "• Ждут решения: 5 заявок; самая старая — 5 дней. По классам: 5А — 5.",
    ),
    (
        "consent_roles_granted",
        {"roles": ["администратор"]},
        "Вам назначена роль: администратор.",
    ),
    (
        "consent_roles_granted",
        {"roles": ["администрация школы", "администратор"]},
        "Вам назначены роли: администрация школы, администратор.",
    ),
]


@pytest.mark.parametrize(
    ("key", "values", "expected"),
    AGREEMENTS,
    ids=[f"{key}-{index}" for index, (key, _, _) in enumerate(AGREEMENTS)],
)
def test_texts_agree_as_written_by_hand(key: str, values: dict[str, Any], expected: str) -> None:
    assert t(key, **values) == expected


def test_the_school_is_named_in_the_case_the_sentence_needs() -> None:
    assert "Я помощник Гимназии № 5 в учебном профиле" in t(
        "greeting_new", name="Елена", school="Гимназия № 5"
    )
    assert "Я помощник Школы в учебном профиле" in t("greeting_new", name="Елена", school="Школа")
    # An abbreviation the dictionary does not know stays as written.
    assert "Я помощник МБОУ СОШ № 44." in t("chat_greeting", school="МБОУ СОШ № 44")
    letter = t(
        "registration_letter",
        school="Средняя школа № 2",
        order_number="317",
        order_date="14.10.2024",
        admin_name="Петрова Ирина",
        email="a@b.ru",
        phone="+79001234567",
    )
    assert "Просим зарегистрировать Среднюю школу № 2 на" in letter
    assert "образовательной организации — Средняя школа № 2" in letter


@pytest.mark.parametrize(
    ("full_name", "gender", "case", "expected"),
    [
        ("Смирнова Елена", "f", "gent", "Смирновой Елены"),
        ("Смирнова Елена", "f", "datv", "Смирновой Елене"),
        ("Смирнова Елена", "f", "ablt", "Смирновой Еленой"),
        ("Орлов Павел", "m", "datv", "Орлову Павлу"),
        ("Орлов Павел", "m", "loct", "Орлове Павле"),
        ("Иванова Мария Петровна", "f", "datv", "Ивановой Марии Петровне"),
        ("Кузнецов Илья Сергеевич", "m", "gent", "Кузнецова Ильи Сергеевича"),
        ("Черных Любовь", "f", "ablt", "Черных Любовью"),
        ("Черных Олег", "m", "datv", "Черных Олегу"),
        ("id123", "m", "datv", "id123"),
        ("ИВАНОВ ИВАН", "m", "datv", "ИВАНОВУ ИВАНУ"),
        ("Иванова А. В.", "f", "gent", "Ивановой А. В."),
    ],
)
def test_names_are_declined_by_gender(
    full_name: str, gender: str, case: str, expected: str
) -> None:
    assert decline_name(full_name, case, gender) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("full_name", "gender"),
    [
        ("Смирнова Елена", "f"),
        ("Орлов Павел", "m"),
        ("Иванова Мария Петровна", "f"),
        ("Черных Саша Игоревна", "f"),
        ("Никитин Никита", "m"),
        ("Белова Саша", "f"),
    ],
)
def test_gender_is_guessed_from_the_name_when_vk_does_not_say(full_name: str, gender: str) -> None:
    assert guess_gender(full_name) == gender


def test_vks_sex_decides_over_the_name() -> None:
    # «Черных Саша»: neither the surname nor the first name tells; only VK knows.
    assert t("verify_already", name=Who("Черных Саша", "f")) == "Черных Саша уже подтверждена."
    assert t("verify_already", name=Who("Черных Саша", "m")) == "Черных Саша уже подтверждён."


@pytest.mark.parametrize("forms", sorted(FORMS.values()))
def test_the_hand_written_plural_agrees_with_the_dictionary(forms: tuple[str, str, str]) -> None:
    for count in range(0, 230):
        assert plural(count, forms) == agree_with_number(count, forms[0]), (count, forms)


GRAMMAR_KEYS = sorted(key for key in TEXTS if any(spec for _, spec in _fields(key)))


@settings(max_examples=300, deadline=None)
@given(
    key=st.sampled_from(GRAMMAR_KEYS),
    name=st.text(max_size=40),
    gender=st.sampled_from(["m", "f", None]),
    number=st.integers(min_value=-(10**6), max_value=10**9),
)
# A character Unicode has no name for made pymorphy3 raise while guessing a gender.
@example(key="invites_line", name="𗀀", gender=None, number=1)
def test_no_name_or_number_makes_a_text_fail(
    key: str, name: str, gender: str | None, number: int
) -> None:
    person = Who(name, gender)  # type: ignore[arg-type]
    values = {field: _value(field, spec, person, number) for field, spec in _fields(key)}
    values.update({field: name for field in values if field in TEXT_VALUES})
    assert isinstance(t(key, **values), str)
