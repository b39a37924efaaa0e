"""Russian that reads right, as people see it in the sandbox: the gender VK gives, names in
the case the sentence needs, durations and role lists that agree."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

import aiosqlite

from bot.storage import Database
from bot.storage.migrations import MIGRATIONS, migrate
from bot.texts import BUTTONS, t
from tests.conftest import ADMIN_ID, BotRunner
from tests.helpers import (
    ask,
    class_teacher,
    consented_user,
    drain,
    invitation_code,
    joined_by_code,
    school_with_classes,
    submit_join_request,
    verified_teacher,
)
from vk_sandbox import UserDriver, VKSandbox

VK_FEMALE = 1
GENDER_MIGRATION = "people's gender, for texts that agree with it"


async def consented_with_sex(
    sandbox: VKSandbox, first: str, last: str, sex: int, user_id: int | None = None
) -> UserDriver:
    """A person whose VK profile states their sex, who opened the bot and agreed."""
    user = sandbox.add_user(first_name=first, last_name=last, user_id=user_id, sex=sex)
    await user.send("Начать")
    replies = await user.wait_replies(2)
    await user.press(replies[-1].button(BUTTONS["agree"]))
    await user.wait_event_answer()
    await drain(user)
    return user


async def test_the_invitation_list_says_who_issued_it_by_the_gender_vk_gives(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    # «Саша Черных»: neither name tells the gender; VK's profile says she is a woman.
    admin = await consented_with_sex(sandbox, "Саша", "Черных", VK_FEMALE, user_id=ADMIN_ID)
    await ask(admin, "/class_add 5А")
    await ask(admin, "/invite parent 5А")

    listing = (await ask(admin, "/invites")).text
    assert "; выдала Черных Саша, 1 минуту назад" in listing


async def test_a_refusal_names_the_roles_in_the_dative(sandbox: VKSandbox, bot: BotRunner) -> None:
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    reply = await ask(parent, "/classes")
    assert reply.text == "Команда /classes доступна только администратору, администрации школы."


async def test_replacing_a_class_teacher_names_the_new_one_in_the_accusative(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    pavel = await verified_teacher(sandbox, admin, "Павел", "Орлов")

    question = await ask(admin, f"/class_teacher 5А id{pavel.user_id}")
    assert question.text == (
        "У класса 5А уже есть классный руководитель: Смирнова Елена. Заменить на Орлова Павла?"
    )


async def test_one_departing_student_is_spoken_of_as_one_person(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    code = invitation_code(await ask(admin, "/invite student 5А"))
    elena = await joined_by_code(sandbox, code, "Елена", "Смирнова", "Смирнова Елена")

    done = (await ask(admin, f"/leave id{elena.user_id}")).text
    assert done.startswith(
        "Выбытие отмечено: Смирнова Елена. Её персональные данные будут удалены через 30 дней."
    )


async def test_a_request_waiting_a_minute_says_so_in_the_accusative(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    await submit_join_request(parent, "5А")
    await drain(admin)

    listing = (await ask(admin, "/requests")).text
    assert "(ребёнок: Белов Миша) — ждёт 1 минуту" in listing


async def test_a_database_from_before_genders_keeps_its_people(tmp_path: Path) -> None:
    path = tmp_path / "school.sqlite3"
    gender = next(m for m in MIGRATIONS if m.name == GENDER_MIGRATION)
    before = [m for m in MIGRATIONS if m.number < gender.number]
    async with aiosqlite.connect(path) as conn:
        with patch("bot.storage.migrations.MIGRATIONS", tuple(before)):
            await migrate(conn)
        await conn.execute(
            "INSERT INTO people (vk_id, full_name, consent_at, created_at)"
            " VALUES (7, 'Черных Саша', '2026-11-01T00:00:00+00:00', '2026-11-01T00:00:00+00:00')"
        )
        await conn.commit()
    async with Database(path) as db:
        names = await db.reader.people.names([7])
        async with db.transaction() as tx:
            await tx.people.record_consent(7, "Черных Саша", "f")
        renamed = await db.reader.people.names([7])
    # Nothing lost; the gender is unknown until VK tells it, then texts agree with it.
    assert names == {7: "Черных Саша"} and names[7].gender is None
    assert renamed[7].gender == "f"
    assert t("verify_already", name=renamed[7]) == "Черных Саша уже подтверждена."


async def test_someone_who_consented_before_genders_were_kept_gets_theirs_on_start(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await consented_with_sex(sandbox, "Саша", "Черных", VK_FEMALE, user_id=ADMIN_ID)
    await ask(admin, "/class_add 5А")
    await ask(admin, "/invite parent 5А")
    async with bot.db.transaction() as tx:  # as after the upgrade: nobody's gender is known
        await tx.people._conn.execute("UPDATE people SET gender = NULL")

    await ask(admin, "/start")
    listing = (await ask(admin, "/invites")).text
    assert "; выдала Черных Саша," in listing
