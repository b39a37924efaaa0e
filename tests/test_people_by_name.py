"""People named by name: where a name ends in a command's arguments, whom a lookup may find
(who sees whom), and the choice among namesakes a button carries (untrusted)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

import pytest

from bot.commands import ParsedCommand
from bot.context import EventContext
from bot.domain.directory import NamedPerson, RoleHeld, find, people_of, sees
from bot.domain.roles import Actor, Role, RoleGrant
from bot.handlers.args import (
    PAYLOAD_LIMIT,
    PICK,
    STUDENTS,
    TEACHERS,
    ArgumentError,
    PersonPick,
    describe,
    known_person_from,
    person_and_rest,
    person_pick,
    pick_payload,
)
from bot.parsing import looks_like_name, name_prefixes, split_person_and_rest
from bot.russian import Who
from bot.storage.people import DirectoryRow
from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    ask,
    class_teacher,
    invitation_code,
    joined_by_code,
    person_of,
    school_with_classes,
    seeded_person,
)
from vk_sandbox import Button, VKSandbox

A5, B6, STAFF_ROOM = 5, 6, 1


def grant(role: Role, class_id: int | None = None, verified: bool = True) -> RoleGrant:
    return RoleGrant(role, class_id, None, verified)


def actor(person_id: int, *grants: RoleGrant) -> Actor:
    return Actor(person_id, grants=grants)


def person(
    person_id: int, name: str, *roles: tuple[Role, int | None], departed: bool = False
) -> NamedPerson:
    held = tuple(
        RoleHeld(role, None if class_id in (None, STAFF_ROOM) else f"{class_id}А", class_id)
        for role, class_id in roles
    )
    return NamedPerson(person_id, Who(name), departed, held)


STUDENT_5 = person(10, "Белов Миша", (Role.STUDENT, A5))
PARENT_5 = person(11, "Белова Ольга", (Role.PARENT, A5))
STUDENT_6 = person(12, "Кузнецов Иван", (Role.STUDENT, B6))
TEACHER = person(13, "Сидоров Олег", (Role.TEACHER, STAFF_ROOM), (Role.CLASS_TEACHER, B6))
NO_ROLE = person(14, "Орлов Павел")
DEPARTED = person(15, "Белов Пётр", departed=True)
EVERYONE = [STUDENT_5, PARENT_5, STUDENT_6, TEACHER, NO_ROLE, DEPARTED]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("Белов Миша 5Б", ("Белов Миша", "5Б")),
        ("Белов 5Б", ("Белов", "5Б")),
        ("белов  миша", ("белов миша", "")),
        # A name is at most two words; a patronymic belongs to the rest.
        ("Белов Миша Петрович 5Б", ("Белов Миша", "Петрович 5Б")),
        # Accounts, mentions and numbers as before.
        ("id5 6Б", ("id5", "6Б")),
        ("[id5|Иван Петров] 6Б", ("[id5|Иван Петров]", "6Б")),
        ("max:123 5А", ("max:123", "5А")),
        ("", ("", "")),
        # The rest is kept as typed, lines and all.
        ("Белов 5Б\nвторая  строка", ("Белов", "5Б\nвторая  строка")),
    ],
)
def test_a_name_ends_where_its_words_end(args: str, expected: tuple[str, str]) -> None:
    assert split_person_and_rest(args) == expected


def test_a_class_a_number_or_an_account_is_never_a_name() -> None:
    assert name_prefixes("Белов Миша 5Б") == [("Белов Миша", "5Б"), ("Белов", "Миша 5Б")]
    assert name_prefixes("5А Смирнова") == []
    for text in ("5А", "id123", "max:123", "123", "ivanov", "Смирнова Анна Петровна", ""):
        assert not looks_like_name(text), text
    assert looks_like_name("Римский-Корсаков") and looks_like_name("анна смирнова")


@dataclass
class FakeSchool:
    people: list[NamedPerson]
    asked: list[str] = field(default_factory=list)

    async def find_by_name(
        self, who: Actor, typed: str, with_departed: bool = False
    ) -> list[NamedPerson]:
        self.asked.append(typed)
        shown = [p for p in self.people if with_departed or not p.departed]
        return find(who, shown, typed)


def fake_event(
    who: Actor, people: list[NamedPerson], command: str = "move", args: str = ""
) -> EventContext:
    incoming = SimpleNamespace(
        kind="message", command=ParsedCommand(command, args, True), place=SimpleNamespace()
    )
    event = SimpleNamespace(
        who=who,
        services=SimpleNamespace(school=FakeSchool(people)),
        incoming=incoming,
        messenger="vk",
        args=args,
        data={},
    )
    return cast(EventContext, event)


ADMIN = actor(1, grant(Role.ADMIN))


async def test_the_longest_name_that_names_someone_is_the_person() -> None:
    # Nobody is «Белов Родитель»: the name is «Белов», the rest begins with «родитель».
    event = fake_event(ADMIN, EVERYONE)
    assert await person_and_rest(event, "Белов родитель 5А") == ("Белов", "родитель 5А")
    assert await person_and_rest(event, "Белов Миша 5Б") == ("Белов Миша", "5Б")
    # Nobody of either: the name takes what it can, and the lookup will say nobody is found.
    assert await person_and_rest(event, "Соколов Антон 5Б") == ("Соколов Антон", "5Б")
    assert await person_and_rest(event, "id5 5Б") == ("id5", "5Б")


def test_admins_and_the_director_see_everyone_who_consented() -> None:
    director = actor(2, grant(Role.DIRECTOR))
    for who in (ADMIN, director):
        assert all(sees(who, p) for p in EVERYONE)


def test_a_class_teacher_sees_their_classes_and_the_staff() -> None:
    elena = actor(3, grant(Role.TEACHER, STAFF_ROOM), grant(Role.CLASS_TEACHER, A5))
    assert [p.name for p in EVERYONE if sees(elena, p)] == [
        "Белов Миша",
        "Белова Ольга",
        "Сидоров Олег",
    ]
    # Her own name finds her, though she is in no list.
    assert sees(elena, person(3, "Смирнова Елена"))


def test_others_see_the_staff_only_and_an_unverified_teacher_nobody() -> None:
    subject = actor(4, grant(Role.TEACHER, STAFF_ROOM))
    parent = actor(5, grant(Role.PARENT, A5))
    for who in (subject, parent):
        assert [p.name for p in EVERYONE if sees(who, p)] == ["Сидоров Олег"]
    waiting = actor(6, grant(Role.TEACHER, STAFF_ROOM, verified=False))
    assert not any(sees(waiting, p) for p in EVERYONE)


def test_a_lookup_matches_the_name_a_student_joined_with_and_sorts_by_name() -> None:
    rows = [
        DirectoryRow(10, "Белов Миша", "m", False, "student", A5, "5А", False, "Белов Михаил"),
        DirectoryRow(11, "Белова Ольга", "f", False, "parent", A5, "5А", False, None),
        DirectoryRow(13, "Сидоров Олег", None, False, "teacher", 1, "Учительская", True, None),
        DirectoryRow(13, "Сидоров Олег", None, False, "class_teacher", B6, "6Б", False, None),
        DirectoryRow(14, "Орлов Павел", None, False, None, None, None, False, None),
    ]
    people = people_of(rows)
    assert [p.person_id for p in people] == [10, 11, 13, 14]
    assert people[0].other_names == ("Белов Михаил",)
    assert describe(people[2]) == "классный руководитель 6Б, учитель"
    assert describe(people[3]) == "без роли"
    assert [p.person_id for p in find(ADMIN, people, "Белов Михаил")] == [10]
    # «Белов» is one letter from «Белова»: both, in the order of their names.
    assert [p.person_id for p in find(ADMIN, people, "белов")] == [10, 11]
    assert find(ADMIN, people, "Соколов") == []


async def test_one_match_is_the_person_several_are_buttons_none_is_said_so() -> None:
    event = fake_event(ADMIN, EVERYONE, "move", "Белов 6Б")
    assert await known_person_from(event, "Белов Миша") == (10, "Белов Миша")
    assert await known_person_from(event, "Белв Миша") == (10, "Белов Миша")

    with pytest.raises(ArgumentError) as several:
        await known_person_from(event, "Белов")
    assert several.value.text.splitlines()[0] == t("person_by_name_several", text="Белов", count=2)
    keyboard = several.value.keyboard
    assert keyboard is not None
    buttons = [button for row in keyboard.rows for button in row]
    assert [b.label for b in buttons] == ["Белов Миша, ученик 5А", "Белова Ольга, родитель 5А"]
    assert [person_pick(dict(b.payload)) for b in buttons] == [
        PersonPick("move", "Белов 6Б", "Белов", 10),
        PersonPick("move", "Белов 6Б", "Белов", 11),
    ]
    # Departed people only where the command asks for them.
    assert await known_person_from(event, "Белов Пётр", departed=True) == (15, "Белов Пётр")
    with pytest.raises(ArgumentError) as none:
        await known_person_from(event, "Белов Пётр")
    assert none.value.text == t("person_by_name_none", text="Белов Пётр")
    assert none.value.keyboard is None


async def test_a_choice_too_long_for_a_button_is_asked_for_in_words() -> None:
    args = "Белов " + "очень длинная причина " * 12
    event = fake_event(ADMIN, EVERYONE, "move", args)
    with pytest.raises(ArgumentError) as several:
        await known_person_from(event, "Белов")
    assert several.value.keyboard is None
    assert several.value.text.splitlines()[-1] == t("person_by_name_type")


def _pressed(who: Actor, people: list[NamedPerson], payload: dict[str, Any]) -> EventContext:
    event = fake_event(who, people)
    incoming = SimpleNamespace(kind="button", command=None, place=SimpleNamespace())
    event.incoming = cast(Any, incoming)
    event.data = {"cmd": PICK, **payload}
    return event


async def test_a_pressed_choice_acts_only_on_someone_the_name_still_finds_for_the_presser() -> None:
    chosen = pick_payload(PersonPick("move", "Белов 6Б", "Белов", 11))
    assert await known_person_from(_pressed(ADMIN, EVERYONE, chosen), "Белов") == (
        11,
        "Белова Ольга",
    )
    # Forged: a person the name does not find, or one the presser may not see.
    elena = actor(3, grant(Role.CLASS_TEACHER, B6))
    for who, payload in (
        (ADMIN, pick_payload(PersonPick("move", "Белов 6Б", "Белов", 13))),
        (elena, pick_payload(PersonPick("move", "Белов 6Б", "Белов", 10))),
    ):
        with pytest.raises(ArgumentError) as refused:
            await known_person_from(_pressed(who, EVERYONE, payload), "Белов")
        assert refused.value.text.startswith(t("person_by_name_none", text="Белов"))


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"c": "move", "a": "Белов", "w": "Белов"},
        {"c": "move", "a": "Белов", "w": "Белов", "p": "x"},
        {"c": "move", "a": "Белов", "w": "Белов", "p": 2**70},
        {"c": "move", "a": 5, "w": "Белов", "p": 1},
        {"c": ["move"], "a": "Белов", "w": "Белов", "p": 1},
        {"c": "move", "a": "Белов", "w": "  ", "p": 1},
    ],
)
def test_a_forged_or_broken_choice_is_no_choice(payload: dict[str, Any]) -> None:
    assert person_pick(payload) is None


def test_a_choice_fits_a_vk_button() -> None:
    import json

    payload = {"cmd": PICK, **pick_payload(PersonPick("class_teacher", "5А Смирнова Анна",
                                                      "Смирнова Анна", 2**31))}  # fmt: skip
    assert len(json.dumps(payload, ensure_ascii=False, separators=(",", ":"))) < PAYLOAD_LIMIT


async def test_a_forged_choice_button_reaches_no_one_the_presser_may_not_see(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(admin, "/invite student 6Б"))
    ivan = await joined_by_code(sandbox, code, "Иван", "Кузнецов", "Кузнецов Иван")
    ivan_id = await person_of(bot.db, ivan)

    # Someone outside her classes, by a button she was never sent: not found, as typed.
    forged = {"cmd": PICK, "c": "who", "a": "Кузнецов", "w": "Кузнецов", "p": ivan_id}
    await elena.press(Button(label="подделка", type="callback", payload=forged))
    await elena.wait_event_answer()
    assert (await elena.wait_reply()).text.startswith(t("person_by_name_none", text="Кузнецов"))
    # A command she may not use, or none at all: the button is dead, nothing moves.
    for command in ("move", "nonexistent"):
        payload = {**forged, "c": command, "a": "Кузнецов 5А"}
        await elena.press(Button(label="подделка", type="callback", payload=payload))
        assert (await elena.wait_event_answer())["text"] == t("stale_button")
    roles = await bot.db.reader.roles.active_for(ivan_id)
    assert [(r.role, r.class_name) for r in roles] == [("student", "6Б")]
    # The admin's own choice among namesakes still runs the command for him.
    await admin.press(Button(label="выбор", type="callback", payload={**forged, "a": "Кузнецов"}))
    await admin.wait_event_answer()
    assert (await admin.wait_reply()).text.startswith("Кузнецов Иван — ученик 6Б.")


async def test_teachers_to_verify_and_invitations_are_paged_with_their_buttons(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    staff_room = await bot.db.reader.classes.staff_room()
    teachers = [sandbox.add_user(first_name="Учитель", last_name=f"Номер{n}") for n in range(12)]
    async with bot.db.transaction() as tx:
        for n, teacher in enumerate(teachers):
            person = await seeded_person(tx, teacher)
            await tx.people.record_consent(person, f"Номер{n:02} Учитель")
            await tx.roles.grant(person, "teacher", staff_room.id)

    first = await ask(admin, "/verify")
    assert first.text.startswith(t("verify_header", count=12))
    assert first.text.endswith("Страница 1 из 2")
    assert first.labels[-1] == BUTTONS["page_next"] and len(first.labels) == 6
    await admin.press(first.button(BUTTONS["page_next"]))
    await admin.wait_event_answer()
    second = await admin.wait_reply()
    assert "Номер10 Учитель" in second.text and "Номер09 Учитель" not in second.text
    assert second.text.endswith("Страница 2 из 2")
    confirm = f"{BUTTONS['confirm_verify']}: Номер11 Учитель"[:40]
    assert second.labels == [f"{BUTTONS['confirm_verify']}: Номер10 Учитель"[:40], confirm,
                             BUTTONS["page_back"]]  # fmt: skip
    await admin.press(second.button(confirm))
    assert (await admin.wait_event_answer())["text"] == t("verify_done", name="Номер11 Учитель")
    assert (await admin.wait_reply()).text == t("verify_done", name="Номер11 Учитель")

    for _ in range(12):
        await ask(admin, "/invite parent 5А")
    invites = await ask(admin, "/invites")
    assert "№12 " in invites.text and "№3 " in invites.text and "№2 " not in invites.text
    assert invites.text.endswith("Страница 1 из 2")
    assert invites.labels == [BUTTONS["page_next"]]
    await admin.press(invites.button(BUTTONS["page_next"]))
    await admin.wait_event_answer()
    older = await admin.wait_reply()
    assert "№2 " in older.text and "№1 " in older.text and "№3 " not in older.text
    assert older.labels == [BUTTONS["page_back"]]


async def test_a_shared_name_is_narrowed_to_whom_the_command_acts_on() -> None:
    event = fake_event(ADMIN, EVERYONE, "move", "Белов 6Б")
    # «Белов» finds the student and his mother; a transfer is for students.
    assert await known_person_from(event, "Белов", prefer=STUDENTS) == (10, "Белов Миша")
    # A single match is not narrowed away: the command says why it cannot take them.
    assert await known_person_from(event, "Белова Ольга", prefer=STUDENTS) == (
        11,
        "Белова Ольга",
    )
    # Nobody of the role among them: the choice stays whole.
    with pytest.raises(ArgumentError) as several:
        await known_person_from(event, "Белов", prefer=TEACHERS)
    assert several.value.keyboard is not None
