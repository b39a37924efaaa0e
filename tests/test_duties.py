"""`/duties`: each person sees what the regulation expects of them and what is still undone."""

from __future__ import annotations

import asyncio
import sqlite3

from bot.texts import BUTTONS, t
from tests.conftest import DIRECTOR_ID, BotRunner
from tests.helpers import (
    admin_user,
    ask,
    class_teacher,
    consented_user,
    drain,
    invitation_code,
    joined_by_code,
    school_with_classes,
)
from vk_sandbox import ChatDriver, UserDriver, VKSandbox


async def _bound_chat(
    sandbox: VKSandbox, owner: UserDriver, command: str, members: list[UserDriver] | None = None
) -> ChatDriver:
    chat = sandbox.create_chat(title=command, owner=owner, members=members or [], bot_admin=True)
    await owner.send(command, chat=chat)
    await chat.wait_message()
    return chat


async def test_a_class_teachers_checklist_goes_from_undone_to_complete(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")

    start = (await ask(elena, "Мои обязанности")).text
    assert "Классный руководитель — выполнено 2 из 7" in start
    assert "⬜ 3. Создать чат с учениками класса: 5А (п. 2.3)" in start
    assert "Следующий шаг — 3." in start

    for kind in ("students", "parents", "teachers"):
        await _bound_chat(sandbox, elena, f"/bind {kind} 5А")
    middle = (await ask(elena, "/duties")).text
    assert "выполнено 5 из 7" in middle
    step = middle.split("Следующий шаг — ")[1]
    number = int(step.split(".")[0])

    marked = await ask(elena, f"/done {number}")
    assert marked.text.startswith("Отмечено: ")
    again = await ask(elena, "/duties")
    await elena.press(again.button(BUTTONS["mark_done"]))
    await elena.wait_event_answer()
    await elena.wait_reply()
    done = (await ask(elena, "/duties")).text
    assert "Классный руководитель — выполнено 7 из 7" in done
    # She teaches a subject too: that checklist is next.
    assert "Учитель — выполнено 0 из 2" in done

    assert (await ask(elena, "/undone 3")).text.startswith("Пункт «")
    assert (await ask(elena, f"/undone {number}")).text.startswith("Отметка снята")


async def test_the_admins_next_step_comes_with_a_button_and_the_figures(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    checklist = await ask(admin, "/duties")
    assert "Администратор — выполнено" in checklist.text
    assert "Показатели школы: классов 0" in checklist.text
    assert "Ваши права (раздел 3):" in checklist.text
    assert checklist.buttons, "the next step offers a button"
    director = await consented_user(sandbox, "Людмила", "Дровосекова", user_id=DIRECTOR_ID)
    await drain(director)
    text = (await ask(director, "/duties")).text
    assert "Администрация школы — выполнено" in text and "Показатели школы" in text


async def test_a_parents_chat_duty_is_done_once_they_are_in_the_class_chat(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    chat = await _bound_chat(sandbox, elena, "/bind parents 5А")
    code = invitation_code(await ask(elena, "/invite parent 5А"))
    olga = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Михаил")
    assert "⬜ 1." in (await ask(olga, "/duties")).text

    await chat.add_member(olga, by=elena)
    await ask(elena, "/chats 5А")  # the class teacher's check refreshes the member list
    assert "✅ 1." in (await ask(olga, "/duties")).text


async def test_a_guest_has_no_duties_yet(sandbox: VKSandbox, bot: BotRunner) -> None:
    guest = await consented_user(sandbox, "Гость", "Гостев")
    await drain(guest)
    assert (await ask(guest, "/duties")).text == t("duties_none")


async def test_the_registration_request_is_written_and_contacts_are_not_kept(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    assert (await ask(admin, "/registration")).text == t("registration_ask_order")
    assert (await ask(admin, "приказ")).text == t("registration_order_invalid")
    assert (await ask(admin, "317 от 14.10.2024")).text == t("registration_ask_name")
    assert (await ask(admin, "Петрова Ирина Сергеевна")).text == t("registration_ask_contacts")
    assert (await ask(admin, "не знаю")).text == t("registration_contacts_invalid")
    letter = (await ask(admin, "admin@school44.ru +79001234567")).text
    assert "Кому: info@sferum.ru" in letter
    assert "приказом № 317 от 14.10.2024: Петрова Ирина Сергеевна" in letter
    assert "admin@school44.ru" in letter and "+79001234567" in letter

    # The outbox forgets a message's text once it is delivered.
    for _ in range(50):
        if not await bot.db.reader.outbox.pending(after_id=0, limit=1):
            break
        await asyncio.sleep(0.05)
    with sqlite3.connect(bot.settings.database_path) as conn:
        dump = "\n".join(conn.iterdump())
    assert "admin@school44.ru" not in dump and "79001234567" not in dump


async def test_safety_and_webinar_guidance(sandbox: VKSandbox, bot: BotRunner) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite student 5А"))
    misha = await joined_by_code(sandbox, code, "Миша", "Белов", "Белов Михаил")
    security = (await ask(misha, "/security")).text
    assert "Двухэтапная проверка" in security and "info@sferum.ru" in security
    assert "вебинары" in (await ask(elena, "/webinars")).text.lower()
    assert (await ask(misha, "/webinars")).text.startswith("Команда /webinars доступна")
