"""A question to the class teacher as people see it: who asks (name, class, whose parent),
the headers of its messages, the buttons under them, a line of a list."""

from __future__ import annotations

from bot.conversation.outgoing import Keyboard
from bot.domain.questions import Asker
from bot.domain.roles import Role
from bot.keyboards import choice_keyboard
from bot.texts import BUTTONS, t

SNIPPET = 60


def about(asker: Asker) -> str:
    """«5А, мама Белова Михаила», «5А, ученица», or just «5А» (a parent whose children the
    bot does not know by family links)."""
    if asker.role is Role.PARENT and asker.children:
        return t(
            "question_about_parent",
            class_name=asker.class_name,
            asker=asker.who,
            children=list(asker.children),
        )
    if asker.role is Role.STUDENT:
        return t("question_about_student", class_name=asker.class_name, asker=asker.who)
    return t("question_about_class", class_name=asker.class_name)


def snippet(text: str) -> str:
    """The start of a question's text for a list line, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1].rstrip() + "…"


def body(header: str, text: str, files: int) -> str:
    """A delivered message: its header, then what was written (or that it is files only)."""
    if text:
        return f"{header}\n\n{text}"
    return f"{header}\n{t('question_only_files', count=files)}"


def thread_keyboard(question_id: int) -> Keyboard:
    """Under every message delivered in a question: answer in it, or close it."""
    return choice_keyboard(
        [
            (BUTTONS["question_reply"], "question_reply", {"id": question_id}),
            (BUTTONS["question_close"], "question_close", {"id": question_id}),
        ]
    )
