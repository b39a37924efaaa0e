"""Families beyond the stories: names compared as people type them, migration 18 turning the
parents' typed child names into links, erasure of a name-only link naming a forgotten
student, the class list's unconfirmed links, and a decider confirming or correcting the
child a parent named (VK sandbox)."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest

from bot.domain.family import FamilyService, names_agree
from bot.domain.invitations import hash_code
from bot.domain.movement import MovementService, forget_person
from bot.domain.people import PeopleService
from bot.domain.questions import QuestionService
from bot.russian import Who
from bot.storage import Database, Repositories
from bot.storage.migrations import MIGRATIONS, migrate
from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    ask,
    class_teacher,
    consented_user,
    drain,
    invitation_code,
    joined_by_code,
    person_of,
    school_with_classes,
)
from vk_sandbox import VKSandbox


@pytest.mark.parametrize(
    ("typed", "full_name", "agree"),
    [
        ("белов михаил", "Белов Михаил", True),
        ("Фёдоров  Пётр", "Федоров Петр", True),
        ("Белов Михаил Иванович", "Белов Михаил", True),
        ("Михаил Белов", "Белов Михаил", True),
        ("Белов Михиал", "Белов Михаил", True),  # two letters swapped
        ("белов миша", "Белов Михаил", False),  # a pet name is another word
        ("Белов", "Белов Михаил", False),  # a surname alone names nobody for a link
        ("Белова Анна", "Белов Михаил", False),
        ("", "Белов Михаил", False),
    ],
)
def test_a_typed_child_name_agrees_with_the_registered_one(
    typed: str, full_name: str, agree: bool
) -> None:
    assert names_agree(typed, full_name) is agree


async def _consented(tx: Repositories, *people: tuple[int, str]) -> None:
    """People of the register who consented, by (id, name)."""
    for person, name in people:
        await tx.people.ensure(person)
        await tx.people.record_consent(person, name)


async def test_migration_18_turns_typed_child_names_into_links(tmp_path: Path) -> None:
    async with aiosqlite.connect(tmp_path / "old.sqlite3") as conn:
        # What `migrate` registers for the migrations before 18.
        await conn.create_function("code_hash", 1, hash_code)
        for migration in MIGRATIONS:
            if migration.number > 17:
                break
            await conn.executescript(migration.sql)
            await conn.execute(f"PRAGMA user_version = {migration.number}")
        now = "2026-01-01T00:00:00.000000Z"
        await conn.executemany(
            "INSERT INTO people (id, full_name, created_at) VALUES (?, ?, ?)",
            [
                (1, "Белов Миша", now),
                (2, "Белова Ольга", now),
                (3, "Фёдорова Анна", now),
                (4, "Петров Иван", now),
                (5, "Ушедшая Мама", now),
                (6, "Фёдоров Пётр", now),
            ],
        )
        await conn.execute(
            "INSERT INTO classes (id, name, grade, letter, created_at)"
            " VALUES (10, '5А', 5, 'А', ?)",
            (now,),
        )
        await conn.executemany(
            "INSERT INTO roles (person_id, role, class_id, granted_at, ended_at, stated_name,"
            " child_name) VALUES (?, ?, 10, ?, ?, ?, ?)",
            [
                (1, "student", now, None, "Белов Михаил", None),
                (6, "student", now, None, None, None),
                # SQLite's NOCASE leaves Cyrillic as it is: «БЕЛОВ  михаил» matched nothing.
                (2, "parent", now, None, None, "БЕЛОВ  михаил"),
                (3, "parent", now, None, None, "федоров петр"),
                (4, "parent", now, None, None, "Сидоров Сидор"),
                (5, "parent", now, now, None, "Белов Михаил"),  # ended: no link
            ],
        )
        await conn.commit()
        assert await migrate(conn) == MIGRATIONS[-1].number
        rows = await conn.execute_fetchall(
            "SELECT parent_id, child_id, child_name, class_id FROM family_links ORDER BY parent_id"
        )
        assert [tuple(row) for row in rows] == [
            (2, 1, None, 10),
            (3, 6, None, 10),
            (4, None, "Сидоров Сидор", 10),
        ]
        # The roles keep what was written (append-only), and nothing reads it for families.
        kept = await conn.execute_fetchall("SELECT child_name FROM roles WHERE person_id = 2")
        assert [row[0] for row in kept] == ["БЕЛОВ  михаил"]


async def test_a_forgotten_student_takes_the_name_only_links_naming_them(
    tmp_path: Path,
) -> None:
    async with Database(tmp_path / "family.sqlite3") as db:
        async with db.transaction() as tx:
            await tx.classes.add("5А", 5, "А")
            class_id = (await tx.classes.all())[0].id
            await _consented(tx, (1, "Белов Миша"), (2, "Белова Ольга"), (3, "Орлов Олег"))
            await tx.roles.grant(1, "student", class_id, stated_name="Белов Михаил")
            await tx.roles.grant(2, "parent", class_id)
            await tx.roles.grant(3, "parent", class_id)
            # Kept as typed by a decider («Оставить как есть»), and another child's name.
            await tx.family.add(2, class_id, None, child_name="Белов Михаил")
            await tx.family.add(3, class_id, None, child_name="Орлова Анна")
        families = await FamilyService(db).class_families(class_id)
        assert [(f.child.name, f.parents, f.unconfirmed) for f in families] == [
            ("Белов Миша", [2], True),
            ("Орлова Анна", [3], True),
        ]
        async with db.transaction() as tx:
            await forget_person(tx, 1)
        left = await db.reader.family.in_class(class_id)
        assert [(link.parent_id, link.child_name) for link in left] == [(3, "Орлова Анна")]


async def test_the_class_teacher_confirms_or_corrects_the_child_a_parent_named(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite student 5А"))
    misha = await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    misha_id = await person_of(bot.db, misha)

    async def request(first: str, last: str, child: str) -> int:
        parent = await consented_user(sandbox, first, last)
        await drain(parent)
        question = await ask(parent, "/request")
        await parent.press(question.button(BUTTONS["i_am_parent"]))
        await parent.press((await parent.wait_reply()).button("5А"))
        pick = await parent.wait_reply()
        await parent.press(pick.button(BUTTONS["child_not_listed"]))
        assert (await parent.wait_reply()).text == t("request_ask_child_name")
        confirm = await ask(parent, child)
        await parent.press(confirm.button(BUTTONS["send_request"]))
        await parent.wait_reply()
        return await person_of(bot.db, parent)

    # «белов миш»: close to the registered «Белов Миша»; the class teacher picks him.
    olga = await request("Ольга", "Белова", "белов миш")
    notice = await elena.wait_reply()
    await elena.press(notice.button(BUTTONS["approve"]))
    question = await elena.wait_reply()
    assert question.text == t(
        "request_child_question", id=1, parent="Белова Ольга", child="Белов Миш", class_name="5А"
    )
    await elena.press(question.button("Белов Миша"))
    assert (await elena.wait_reply()).text.startswith("Заявка №1 принята")
    links = await bot.db.reader.family.of_parent(olga)
    assert [(link.child_id, link.child_name) for link in links] == [(misha_id, None)]

    # Kept as it is: a name-only link, for a child who is not Misha.
    oleg = await request("Олег", "Белов", "Белова Маша")
    notice = await elena.wait_reply()
    await elena.press(notice.button(BUTTONS["approve"]))
    question = await elena.wait_reply()
    await elena.press(question.button(BUTTONS["keep_child_name"]))
    assert (await elena.wait_reply()).text.startswith("Заявка №2 принята")
    links = await bot.db.reader.family.of_parent(oleg)
    assert [(link.child_id, link.child_name) for link in links] == [(None, "Белова Маша")]

    # Corrected by typing: the name typed names Misha.
    ivan = await request("Иван", "Белов", "Белов Мишаня")
    await elena.wait_reply()
    assert (await ask(elena, "/approve 3 Белов Михаил")).text.startswith("Заявка №3 принята")
    links = await bot.db.reader.family.of_parent(ivan)
    assert [(link.child_id, link.child_name) for link in links] == [(misha_id, None)]
    # No registered student close to the name: approved at once, the name kept.
    petr = await request("Пётр", "Орлов", "Орлова Анна")
    notice = await elena.wait_reply()
    await elena.press(notice.button(BUTTONS["approve"]))
    assert (await elena.wait_reply()).text.startswith("Заявка №4 принята")
    links = await bot.db.reader.family.of_parent(petr)
    assert [(link.child_id, link.child_name) for link in links] == [(None, "Орлова Анна")]


async def test_long_class_lists_are_paged_in_the_request_and_in_the_class_list(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    roster = [f"Ученик{letter} Иван" for letter in "АБВГДЕЖЗИКЛМ"]  # 12: two pages
    school_class = await bot.db.reader.classes.by_name("5А")
    assert school_class is not None
    class_id = school_class.id
    async with bot.db.transaction() as tx:
        for name in roster:
            await tx.roster.upsert_student(name, class_id)

    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    question = await ask(parent, "/request")
    await parent.press(question.button(BUTTONS["i_am_parent"]))
    await parent.press((await parent.wait_reply()).button("5А"))
    first = await parent.wait_reply()
    assert first.text == t("request_ask_child_pick", class_name="5А") + "\n" + t(
        "page_footer", number=1, pages=2
    )
    await parent.press(first.button(BUTTONS["page_next"]))
    second = await parent.wait_reply()
    assert second.text.endswith(t("page_footer", number=2, pages=2))
    await parent.press(second.button("УченикМ Иван"))
    confirm = await parent.wait_reply()
    assert confirm.text == t(
        "request_confirm_parent", role="родитель", class_name="5А", name="УченикМ Иван"
    )
    await parent.press(confirm.button(BUTTONS["send_request"]))
    await parent.wait_reply()
    await admin.wait_reply()  # the request, to the admin: the class has no class teacher
    assert (await ask(admin, "/approve 1")).text.startswith("Заявка №1 принята")

    listing = await ask(admin, "/class 5А")
    assert listing.text.startswith(t("class_list_header", class_name="5А", count=12))
    assert listing.text.endswith(t("page_footer", number=1, pages=2))
    await admin.press(listing.button(BUTTONS["page_next"]))
    last = (await admin.wait_reply()).text
    line = t("class_list_line_roster", number=12, name="УченикМ Иван", parents="Белова Ольга")
    assert line + t("class_list_unconfirmed") in last


async def test_a_child_who_moved_before_the_request_is_decided_keeps_the_parent_in_their_class(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    # The parent picked the registered child in 5А; the child moved to 5Б before the class
    # teacher decided. The approved parent is of 5А: never linked to a child of 5Б as if
    # he were in 5А (her /family said «Белов Миша, 5А», /class 5Б «родителей в боте нет»).
    admin = await school_with_classes(sandbox, "5А", "5Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite student 5А"))
    misha = await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    olga = await consented_user(sandbox, "Ольга", "Белова")
    await drain(olga)
    question = await ask(olga, "/request")
    await olga.press(question.button(BUTTONS["i_am_parent"]))
    await olga.press((await olga.wait_reply()).button("5А"))
    await olga.press((await olga.wait_reply()).button("Белов Миша"))
    await olga.press((await olga.wait_reply()).button(BUTTONS["send_request"]))
    await olga.wait_reply()
    notice = await elena.wait_reply()
    await ask(admin, f"/move {misha.ref} 5Б")
    await drain(elena)

    await elena.press(notice.button(BUTTONS["approve"]))
    assert (await elena.wait_reply()).text.startswith("Заявка №1 принята")
    await drain(olga)
    family = (await ask(olga, "/family")).text.splitlines()
    assert t("family_child_line", child="Белов Миша", class_name="5А") not in family
    assert t("family_child_unconfirmed_line", child="Белов Миша", class_name="5А") in family
    # The class teacher of 5А sees the name to confirm or correct; 5Б's list has no parent.
    assert t("class_list_unconfirmed") in (await ask(elena, "/class 5А")).text
    assert "Белова Ольга" not in (await ask(admin, "/class 5Б")).text
    assert await bot.db.reader.family.of_child(await person_of(bot.db, misha)) == []


async def test_a_link_by_two_surnames_each_shared_is_chosen_in_two_presses(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    # Two mothers Белова and two sons Белов: «/family Белова + Белов» offers the parents
    # (not the sons: «Белова» is «Белов» with a slip forgiven), then the students, and the
    # link is made — the second choice keeps the first (it used to ask for it again).
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite student 5А"))
    misha = await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    await joined_by_code(sandbox, code, "Петя", "Белов", "Белов Пётр")
    offer = await ask(elena, "/invite parent 5А")
    await elena.press(offer.button(BUTTONS["invite_whole_class"]))
    whole = invitation_code(await elena.wait_reply())
    olga = await joined_by_code(sandbox, whole, "Ольга", "Белова", "Иванов Иван")
    await joined_by_code(sandbox, whole, "Анна", "Белова", "Иванов Иван")
    await drain(elena)

    parents = await ask(elena, "/family Белова + Белов")
    assert parents.text.startswith(t("person_by_name_several", text="Белова", count=2))
    assert parents.labels == ["Белова Анна, родитель 5А", "Белова Ольга, родитель 5А"]
    await elena.press(parents.button("Белова Ольга, родитель 5А"))
    children = await elena.wait_reply()
    assert children.text.startswith(t("person_by_name_several", text="Белов", count=2))
    assert children.labels == ["Белов Миша, ученик 5А", "Белов Петя, ученик 5А"]
    await elena.press(children.button("Белов Миша, ученик 5А"))
    done = await elena.wait_reply()
    assert done.text == t(
        "family_added", parent="Белова Ольга", child="Белов Миша", class_name="5А"
    )
    links = await bot.db.reader.family.of_child(await person_of(bot.db, misha))
    assert [link.parent_id for link in links] == [await person_of(bot.db, olga)]


async def test_a_name_only_link_removed_reads_in_the_audit_as_an_unregistered_child(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    # The father named a child nobody registered; the class teacher removes the link. The
    # log says so, not that the child's data was deleted.
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    whole = invitation_code(await ask(elena, "/invite parent 5А"))
    await joined_by_code(sandbox, whole, "Олег", "Белов", "Белова Маша")
    await drain(elena)
    family = await ask(elena, "/family Белов Олег")
    await elena.press(family.button(t("family_remove_label", name="Белова Маша")))
    assert (await elena.wait_reply()).text == t(
        "family_removed", parent="Белов Олег", child="Белова Маша"
    )
    audit = (await ask(admin, "/audit")).text
    assert t("audit_child_unregistered") in audit
    assert t("audit_child_unknown") not in audit


async def test_a_parent_whose_child_left_is_not_named_as_that_childs_parent_in_questions(
    tmp_path: Path,
) -> None:
    # The boy left and his mother stayed («без родителей»): /family no longer lists him,
    # and her questions to the class teacher no longer say «мама Белова Миши».
    async with Database(tmp_path / "family.sqlite3") as db:
        async with db.transaction() as tx:
            await tx.classes.add("5А", 5, "А")
            class_id = (await tx.classes.all())[0].id
            await _consented(tx, (1, "Белов Миша"), (2, "Белова Ольга"), (3, "Петрова Ирина"))
            await tx.roles.grant(1, "student", class_id)
            await tx.roles.grant(2, "parent", class_id)
            await tx.roles.grant(3, "admin")
            await tx.family.add(2, class_id, None, child_id=1)
        people = PeopleService(db, (), ())
        mother = await people.load_actor(2)
        assert [t.children for t in await QuestionService(db).targets(mother)] == [
            (Who("Белов Миша"),)
        ]
        assert (await MovementService(db).leave(3, 1, with_parents=False)).left == [1]
        mother = await people.load_actor(2)
        assert (await FamilyService(db).family_of(2)).as_parent == []
        assert [t.children for t in await QuestionService(db).targets(mother)] == [()]


async def test_a_parent_invitation_for_a_student_who_withdrew_consent_is_annulled(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    # Issued for Misha; Misha's data goes at his request. The link does not become an
    # invitation to any parent of the class (who would be asked for a child's name).
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite student 5А"))
    misha = await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    for_misha = invitation_code(await ask(elena, "/invite parent 5А Белов Михаил"))
    confirm = await ask(misha, "/forget_me")
    await misha.press(confirm.button(BUTTONS["forget_confirm"]))
    await misha.wait_reply()

    stranger = await consented_user(sandbox, "Пётр", "Орлов")
    await drain(stranger)
    assert (await ask(stranger, f"/join {for_misha}")).text == t("join_annulled")


async def test_the_decider_corrects_the_child_a_parent_picked_from_the_list(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    # The mother pressed the wrong boy; «/approve 1 Белов Михаил» links her to the right one
    # (it used to approve her as the parent of the one she pressed, saying nothing).
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite student 5А"))
    misha = await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    await joined_by_code(sandbox, code, "Петя", "Белов", "Белов Пётр")
    olga = await consented_user(sandbox, "Ольга", "Белова")
    await drain(olga)
    question = await ask(olga, "/request")
    await olga.press(question.button(BUTTONS["i_am_parent"]))
    await olga.press((await olga.wait_reply()).button("5А"))
    await olga.press((await olga.wait_reply()).button("Белов Петя"))
    await olga.press((await olga.wait_reply()).button(BUTTONS["send_request"]))
    await olga.wait_reply()
    await elena.wait_reply()

    assert (await ask(elena, "/approve 1 Белов Михаил")).text.startswith("Заявка №1 принята")
    await drain(olga)
    family = (await ask(olga, "/family")).text.splitlines()
    assert family[-1] == t("family_child_line", child="Белов Миша", class_name="5А")
    links = await bot.db.reader.family.of_parent(await person_of(bot.db, olga))
    assert [link.child_id for link in links] == [await person_of(bot.db, misha)]


def test_family_texts_agree_with_a_girls_name() -> None:
    assert t("invite_created_for_child", child=Who("Белова Аня", "f")).startswith(
        "Для родителей ученицы: Белова Аня."
    )
    assert t("invite_created_for_child", child=Who("Белов Миша", "m")).startswith(
        "Для родителей ученика: Белов Миша."
    )
    assert t("family_not_student", child=Who("Белова Анна", "f")) == (
        "Белова Анна не числится ученицей ни в одном классе."
    )


async def test_the_class_list_takes_the_class_written_with_a_space(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    assert (await ask(admin, "/class 5 А")).text == t("class_list_empty", class_name="5А")
    assert (await ask(admin, "/class 5")).text == t("class_name_invalid", text="5")


async def test_a_student_who_opens_the_parent_invitation_for_himself_is_not_his_own_parent(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    # The link for Misha's parents went round the family chat and Misha opened it.
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite student 5А"))
    misha = await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    for_misha = invitation_code(await ask(elena, "/invite parent 5А Белов Михаил"))
    await misha.send(f"/join {for_misha}")
    await drain(misha)
    assert t("family_parent_line", parent="Белов Миша") not in (
        (await ask(misha, "/family")).text.splitlines()
    )
    assert "Белов Миша — Белов Миша" not in (await ask(elena, "/class 5А")).text


async def test_a_student_who_asks_to_be_a_parent_of_himself_is_not_linked_to_himself(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite student 5А"))
    misha = await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    question = await ask(misha, "/request")
    await misha.press(question.button(BUTTONS["i_am_parent"]))
    await misha.press((await misha.wait_reply()).button("5А"))
    await misha.press((await misha.wait_reply()).button("Белов Миша"))
    await misha.press((await misha.wait_reply()).button(BUTTONS["send_request"]))
    await misha.wait_reply()
    await elena.wait_reply()
    assert (await ask(elena, "/approve 1")).text.startswith("Заявка №1 принята")
    await drain(misha)
    assert await bot.db.reader.family.of_parent(await person_of(bot.db, misha)) == []


async def test_a_student_who_moves_takes_the_name_only_links_naming_him_in_the_new_class(
    tmp_path: Path,
) -> None:
    async with Database(tmp_path / "family.sqlite3") as db:
        async with db.transaction() as tx:
            for name in ("5А", "5Б"):
                await tx.classes.add(name, 5, name[1])
            a, b = (row.id for row in await tx.classes.all() if not row.is_staff_room)
            await _consented(tx, (1, "Белов Миша"), (2, "Белова Ольга"), (9, "Петрова Ирина"))
            await tx.roles.grant(1, "student", a, stated_name="Белов Михаил")
            # His mother joined 5Б first, naming him before he was moved there.
            await tx.roles.grant(2, "parent", b)
            await tx.family.add(2, b, None, child_name="белов михаил")
        school_class = await db.reader.classes.by_name("5Б")
        assert school_class is not None
        await MovementService(db).move(9, 1, school_class, with_parents=None)
        families = await FamilyService(db).class_families(b)
        assert [(f.child.name, f.parents, f.unconfirmed) for f in families] == [
            ("Белов Миша", [2], False)
        ]
