"""Questions to the class teacher, the turns the stories leave out (on VK): a parent of
children in two classes picks the class; a class without a class teacher is said so, with
whom to ask instead; what cannot go into a question is said so; a link typed in a question
is text, never a file the bot fetches; the open questions are listed for both sides."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from bot.texts import BUTTONS, t
from tests.conftest import BotRunner
from tests.helpers import (
    ask,
    class_teacher,
    class_teacher_and_parent,
    drain,
    invitation_code,
    joined_by_code,
    next_starting,
    school_with_classes,
    tick,
    verified_teacher,
)
from vk_sandbox import VKSandbox

# Enough of a PNG for the sandboxes to take it as a photo.
TINY_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


async def test_a_parent_in_two_classes_picks_one_and_a_class_without_a_teacher_is_said_so(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "7Б")
    # An admin's photo is no roster: they hear what files are for (a document stays one).
    await admin.send("", photo=("photo.png", TINY_PNG))
    assert (await admin.wait_reply()).text == t("files_staff")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite parent 5А"))
    parent = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Михаил")
    second = invitation_code(await ask(admin, "/invite parent 7Б"))
    await drain(parent)
    await parent.send(f"/join {second}")
    await parent.wait_reply()  # whose parent
    await parent.send("Белова Анна")
    await drain(parent)
    await drain(elena)

    pick = await ask(parent, "/ask")
    assert pick.text == t("ask_pick_class")
    # Each class is named with her child there.
    assert pick.labels == ["5А, Белов Михаил", "7Б, Белова Анна", BUTTONS["question_drop"]]
    await parent.press(pick.button("7Б, Белова Анна"))
    await parent.wait_event_answer()
    assert (await parent.wait_reply()).text == t("ask_no_teacher", class_name="7Б")

    pick = await ask(parent, "/ask")
    await parent.press(pick.button("5А, Белов Михаил"))
    await parent.wait_event_answer()
    assert (await parent.wait_reply()).text.startswith("Напишите вопрос классному руководителю 5А")
    sticker = {"type": "sticker", "sticker": {"product_id": 1, "sticker_id": 9}}
    await parent.send("", attachments=[sticker])
    assert (await parent.wait_reply()).text == t("ask_unsupported")
    link = "http://127.0.0.1:22/admin/secret.pdf"
    added = await ask(parent, f"Справка здесь: {link}")
    await parent.press(added.button(BUTTONS["question_send"]))
    await parent.wait_event_answer()
    assert (await parent.wait_reply()).text.startswith("Вопрос №1 отправлен")
    question = await elena.wait_reply()
    assert question.text.endswith(f"Справка здесь: {link}")
    assert question.attachments == []  # a typed address is text, never fetched

    listed = await ask(elena, "/questions")
    assert listed.text.startswith(
        "Открытые вопросы (1):\n• №1, Белова Ольга (5А, мама Белова Михаила), "
    )
    assert "ждёт ответа" in listed.text
    assert listed.labels == ["Ответить на №1"]
    assert "№1 классному руководителю 5А" in (await ask(parent, "/questions")).text
    # Someone else's question is not theirs to answer.
    stranger = await class_teacher(sandbox, admin, "7Б", "Иван", "Орлов")
    await stranger.press(question.button(BUTTONS["question_reply"]))
    await stranger.wait_event_answer()
    assert (await stranger.wait_reply()).text == t("question_not_yours")


async def test_open_questions_follow_the_class_teacher_and_go_with_an_asker_who_leaves(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin, elena, parent = await class_teacher_and_parent(sandbox)
    added = await ask(parent, "/ask Когда родительское собрание?")
    await parent.press(added.button(BUTTONS["question_send"]))
    await parent.wait_event_answer()
    assert (await parent.wait_reply()).text.startswith("Вопрос №1 отправлен")
    question = await elena.wait_reply()

    # The admin hands 5А to another teacher: the open question is his to answer now.
    ivan = await verified_teacher(sandbox, admin, "Иван", "Орлов")
    confirm = await ask(admin, f"/class_teacher 5А {ivan.ref}")
    await admin.press(confirm.button(BUTTONS["replace"]))
    await admin.wait_event_answer()
    await admin.wait_reply()
    # He is told what he takes over.
    assert (await ivan.wait_reply()).text == "\n".join(
        [
            t("class_teacher_you", class_name="5А"),
            t("class_teacher_you_questions", count=1),
        ]
    )
    await drain(elena)
    # Elena, no class teacher any more, cannot even list it (/questions is refused her).
    await elena.press(question.button(BUTTONS["question_reply"]))
    await elena.wait_event_answer()
    assert (await elena.wait_reply()).text == t("question_not_yours")
    listed = await ask(ivan, "/questions")
    assert listed.text.startswith("Открытые вопросы (1):\n• №1, Белова Ольга (5А")
    # The parent's next message in the thread reaches him, not the teacher who left 5А.
    answer_to = await ask(parent, "/questions")
    await parent.press(answer_to.button("Ответить на №1"))
    await parent.wait_event_answer()
    prompt = await parent.wait_reply()
    assert prompt.text.startswith("Напишите сообщение в вопрос №1 для Орлова Ивана")
    added = await ask(parent, "И во сколько?")
    await parent.press(added.button(BUTTONS["question_send"]))
    await parent.wait_event_answer()
    assert (await parent.wait_reply()).text == "Отправлено в вопрос №1: Орлову Ивану."
    assert (await ivan.wait_reply()).text.endswith("И во сколько?")

    # The parent leaves the school: nobody is left to answer, the question is gone from
    # the teacher's list and from his morning digest.
    await ask(admin, f"/leave {parent.ref}")
    await drain(ivan)
    assert (await ask(ivan, "/questions")).text == t("questions_none")


async def test_a_question_whose_teacher_left_is_said_so_and_goes_to_the_admins(
    sandbox: VKSandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    await tick(clocked_bot)  # the first tick only notes the time
    admin, elena, parent = await class_teacher_and_parent(sandbox)
    added = await ask(parent, "/ask Когда родительское собрание?")
    await parent.press(added.button(BUTTONS["question_send"]))
    await parent.wait_event_answer()
    await parent.wait_reply()
    question = await elena.wait_reply()

    await ask(admin, f"/leave {elena.ref}")
    await drain(admin)
    # The parent's thread reaches nobody now: she hears why, not that it was closed.
    await parent.press(question.button(BUTTONS["question_reply"]))
    await parent.wait_event_answer()
    assert (await parent.wait_reply()).text == t("ask_no_teacher", class_name="5А")
    assert "№1 классному руководителю 5А" in (await ask(parent, "/questions")).text

    frozen_clock.advance(timedelta(days=3))
    assert "question_escalations" in await tick(clocked_bot)
    escalation = await next_starting(admin, "⚠️")
    assert escalation.text == (
        "⚠️ Вопрос №1 от Беловой Ольги (5А, мама Белова Михаила) остаётся без ответа 3 дня: "
        "у класса 5А нет классного руководителя. «Когда родительское собрание?»"
    )


async def test_the_menu_button_after_a_photo_keeps_the_photo_in_the_question(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    _, elena, parent = await class_teacher_and_parent(sandbox)
    await parent.send("", photo=("spravka.png", TINY_PNG))
    offer = await parent.wait_reply()
    assert offer.text.startswith("Отправить это классному руководителю 5А")
    # Not knowing the offer takes a text as well, she presses the menu button to write one:
    # the photo stays in the question.
    again = await ask(parent, BUTTONS["ask"])
    assert again.text.startswith("Отправить это классному руководителю 5А")
    added = await ask(parent, "Справка Миши за прошлую неделю")
    assert added.text.startswith("Добавлено. В сообщении: текст, 1 файл.")
    await parent.press(added.button(BUTTONS["question_send"]))
    await parent.wait_event_answer()
    assert (await parent.wait_reply()).text.startswith("Вопрос №1 отправлен")
    question = await elena.wait_reply()
    assert question.text.endswith("Справка Миши за прошлую неделю")
    assert len(question.attachments) == 1


async def test_a_question_whose_only_photo_could_not_be_fetched_is_not_sent_empty(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    _, elena, parent = await class_teacher_and_parent(sandbox)
    await parent.send("", photo=("spravka.png", TINY_PNG))
    offer = await parent.wait_reply()
    sandbox.photos.clear()  # VK no longer serves it (an expired link, a deleted photo)
    await parent.press(offer.button(BUTTONS["question_send"]))
    await parent.wait_event_answer()
    told = await parent.wait_reply()
    assert told.text.startswith("Не удалось передать:\nФайл «photo")
    assert told.text.endswith("» не удалось получить. Пришлите его ещё раз.")
    assert await drain(elena) == []  # no empty question «только 0 файлов»
    assert "Открытых вопросов нет" in (await ask(parent, "/questions")).text

    # She sends it again: the draft is still hers, and this time it goes.
    await parent.send("", photo=("spravka.png", TINY_PNG))
    added = await parent.wait_reply()
    assert added.text.startswith("Добавлено. В сообщении: 1 файл.")
    await parent.press(added.button(BUTTONS["question_send"]))
    await parent.wait_event_answer()
    assert (await parent.wait_reply()).text.startswith("Вопрос №1 отправлен")
    question = await elena.wait_reply()
    assert question.text.endswith("(без текста, только 1 файл)")
    assert len(question.attachments) == 1


async def test_answer_pressed_again_keeps_what_the_teacher_has_written(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    _, elena, parent = await class_teacher_and_parent(sandbox)
    added = await ask(parent, "/ask Когда собрание?")
    await parent.press(added.button(BUTTONS["question_send"]))
    await parent.wait_event_answer()
    await drain(parent)
    question = await elena.wait_reply()
    await elena.press(question.button(BUTTONS["question_reply"]))
    await elena.wait_event_answer()
    await elena.wait_reply()
    await ask(elena, "В четверг в 18:00.")
    # She presses «Ответить» under the question once more: her answer is still there.
    await elena.press(question.button(BUTTONS["question_reply"]))
    await elena.wait_event_answer()
    again = await elena.wait_reply()
    assert again.labels == [BUTTONS["question_send"], BUTTONS["question_drop"]]
    await elena.press(again.button(BUTTONS["question_send"]))
    await elena.wait_event_answer()
    assert (await elena.wait_reply()).text == "Отправлено в вопрос №1: Беловой Ольге."
    assert (await parent.wait_reply()).text.endswith("В четверг в 18:00.")


async def test_a_teacher_who_is_a_parent_too_has_the_menu_button_to_her_childs_teacher(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    anna = await verified_teacher(sandbox, admin, "Анна", "Орлова")
    assert BUTTONS["ask"] not in (await ask(anna, "/menu")).labels  # a teacher only
    code = invitation_code(await ask(elena, "/invite parent 5А"))
    await anna.send(f"/join {code}")
    await anna.wait_reply()  # whose parent
    await anna.send("Орлов Пётр")
    await drain(anna)
    await drain(elena)
    assert BUTTONS["ask"] in (await ask(anna, "/menu")).labels
    prompt = await ask(anna, BUTTONS["ask"])
    assert prompt.text.startswith("Напишите вопрос классному руководителю 5А")
