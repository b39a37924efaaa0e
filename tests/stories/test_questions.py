"""Questions to the class teacher on both messengers: a parent who never read any
documentation presses the menu button, sends a photo and a line, the class teacher gets both
with the parent's name and class, answers with a photo and text, the parent gets them, and
one side closes the question; a sick note sent as a PDF with no command; a question left
unanswered comes up in the teacher's morning after a day and goes to the admins after three.

A photo reaches the bot as VK's `photo` attachment (its sizes' URLs on VK's storage) or
MAX's `image` attachment; the bot fetches it from there and uploads it again for the other
side (VK: photos.getMessagesUploadServer, MAX: POST /uploads?type=image)."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

from bot.clock import FrozenClock
from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    Sandbox,
    UserDriver,
    ask,
    class_teacher_and_parent,
    drain,
    file_bytes,
    next_starting,
    person_of,
    tick,
)


def png(seed: int) -> bytes:
    """A real 1×1 PNG, different for each seed, so the bytes passed on can be told apart."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = zlib.compress(bytes([0, seed % 256, 0, 0]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    )


async def class_with_a_parent(
    sandbox: Sandbox, bot: BotRunner
) -> tuple[UserDriver, UserDriver, UserDriver]:
    """The admin, the class teacher of 5А (Елена Смирнова) and a parent of 5А who joined by
    her invitation naming her son Михаил (linked to him as a family)."""
    admin, elena, parent = await class_teacher_and_parent(sandbox)
    # The child she named is her family link: the question says whose mother she is.
    assert await bot.db.reader.questions.children_of(await person_of(bot.db, parent))
    return admin, elena, parent


async def test_a_parent_asks_with_a_photo_the_teacher_answers_with_one_and_it_is_closed(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    _, elena, parent = await class_with_a_parent(sandbox, bot)
    menu = await ask(parent, "/menu")
    assert BUTTONS["ask"] in menu.labels
    assert BUTTONS["ask"] not in (await ask(elena, "/menu")).labels  # staff write no questions

    prompt = await ask(parent, BUTTONS["ask"])  # the menu button, as a person presses it
    assert prompt.text.startswith(
        "Напишите вопрос классному руководителю 5А — Смирновой Елене: текстом, фото или файлом"
    )
    await parent.send("", photo=("photo.png", png(1)))
    added = await parent.wait_reply()
    assert added.text.startswith("Добавлено. В сообщении: 1 файл.")
    await parent.send("Миша заболел, справка от врача — на фото.")
    added = await parent.wait_reply()
    assert added.text.startswith("Добавлено. В сообщении: текст, 1 файл.")
    await parent.press(added.button(BUTTONS["question_send"]))
    await parent.wait_event_answer()
    sent = await parent.wait_reply()
    assert sent.text.startswith("Вопрос №1 отправлен классному руководителю 5А — Смирновой Елене")

    question = await elena.wait_reply()
    assert question.text == (
        "❓ Вопрос №1 от Беловой Ольги (5А, мама Белова Михаила):\n\n"
        "Миша заболел, справка от врача — на фото."
    )
    assert question.has_photo and file_bytes(sandbox, question) == png(1)
    assert question.labels == [BUTTONS["question_reply"], BUTTONS["question_close"]]

    await elena.press(question.button(BUTTONS["question_reply"]))
    await elena.wait_event_answer()
    assert (await elena.wait_reply()).text.startswith("Напишите сообщение в вопрос №1 для Беловой")
    await elena.send("Выздоравливайте! Вот задание на неделю.", photo=("task.png", png(2)))
    added = await elena.wait_reply()
    await elena.press(added.button(BUTTONS["question_send"]))
    await elena.wait_event_answer()
    assert (await elena.wait_reply()).text == "Отправлено в вопрос №1: Беловой Ольге."

    answer = await parent.wait_reply()
    assert answer.text == (
        "💬 Ответ на вопрос №1 от классного руководителя 5А — Смирновой Елены:\n\n"
        "Выздоравливайте! Вот задание на неделю."
    )
    assert answer.has_photo and file_bytes(sandbox, answer) == png(2)
    listed = await ask(parent, "/questions")
    assert "№1 классному руководителю 5А" in listed.text and "есть ответ" in listed.text

    await parent.press(answer.button(BUTTONS["question_close"]))
    await parent.wait_event_answer()
    assert (await parent.wait_reply()).text == "Вопрос №1 закрыт."
    assert (await elena.wait_reply()).text == "Вопрос №1 закрыт: его закрыла Белова Ольга."
    await elena.press(question.button(BUTTONS["question_reply"]))
    await elena.wait_event_answer()
    assert (await elena.wait_reply()).text == "Вопрос №1 уже закрыт."
    assert (await ask(elena, "/questions")).text == t("questions_none")


async def test_a_sick_note_sent_as_a_pdf_with_no_command_goes_to_the_class_teacher(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    _, elena, parent = await class_with_a_parent(sandbox, bot)
    note = b"%PDF-1.4\n% a sick note\n" + b"0" * 2048
    await parent.send("", document=("spravka.pdf", note))
    offer = await parent.wait_reply()
    assert offer.text.startswith("Отправить это классному руководителю 5А — Смирновой Елене?")
    await parent.press(offer.button(BUTTONS["question_send"]))
    await parent.wait_event_answer()
    assert (await parent.wait_reply()).text.startswith("Вопрос №1 отправлен")

    question = await elena.wait_reply()
    assert question.text == (
        "❓ Вопрос №1 от Беловой Ольги (5А, мама Белова Михаила):\n(без текста, только 1 файл)"
    )
    assert question.has_doc and file_bytes(sandbox, question) == note

    # Staff are told what files are for, never «не понял».
    await elena.send("", document=("plan.pdf", note))
    assert (await elena.wait_reply()).text == t("files_staff")


async def test_an_unanswered_question_is_in_the_morning_list_then_goes_to_the_admins(
    sandbox: Sandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    await tick(clocked_bot)  # the first tick only notes the time
    admin, elena, parent = await class_with_a_parent(sandbox, clocked_bot)
    await ask(parent, "/ask")
    added = await ask(parent, "Когда родительское собрание?")
    await parent.press(added.button(BUTTONS["question_send"]))
    await parent.wait_event_answer()
    await parent.wait_reply()
    await elena.wait_reply()  # the question itself
    await drain(admin)

    frozen_clock.advance(timedelta(days=1))  # Tuesday 08:00
    assert "question_digest" in await tick(clocked_bot)
    morning = await next_starting(elena, "Доброе утро!")
    assert morning.text == (
        "Доброе утро! Вопросы родителей и учеников без ответа (1):\n"
        "• №1, Белова Ольга (5А, мама Белова Михаила), ждёт 1 день: "
        "«Когда родительское собрание?»"
    )
    assert morning.labels == ["Ответить на №1"]
    assert not any(m.text.startswith("⚠️") for m in await drain(admin))

    frozen_clock.advance(timedelta(days=2))  # Thursday 08:00: three days unanswered
    assert "question_escalations" in await tick(clocked_bot)
    escalation = await next_starting(admin, "⚠️")
    assert escalation.text == (
        "⚠️ Вопрос №1 от Беловой Ольги (5А, мама Белова Михаила) классному руководителю "
        "Смирновой Елене остаётся без ответа 3 дня: «Когда родительское собрание?»"
    )
    frozen_clock.advance(timedelta(minutes=5))
    await tick(clocked_bot)
    assert not any(m.text.startswith("⚠️") for m in await drain(admin))  # once
