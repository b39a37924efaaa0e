"""Questions to the class teacher: /ask (and the menu button), the thread's «Ответить» and
«Закрыть вопрос», /questions, and a file sent with no command.

Composing is one dialog step: whatever the person sends meanwhile (texts, photos, files, in
as many messages as they like) is gathered, and «Отправить» sends it as one message. Files
are fetched from the messenger they came by (its own file hosts, with a size cap) and
uploaded again for the recipient, on whichever messenger the recipient is reached; the
database keeps only the messenger's references. Every messenger call is made before the
event changes anything, as the unit of work requires."""

from __future__ import annotations

from typing import Any

from bot.context import EventContext
from bot.conversation.outgoing import File, Keyboard, Person, StoredFile
from bot.conversation.port import FileTooBigError
from bot.dialogs import Steps
from bot.domain.questions import (
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_TEXT,
    Asker,
    FileEntry,
    Target,
    other_side,
    takes_part,
)
from bot.domain.roles import Role
from bot.handlers.roster import document_from_admin
from bot.handlers.routing import COMMAND, ORIGIN, Router
from bot.keyboards import choice_keyboard
from bot.parsing import payload_int
from bot.render.paging import asked_page, page_choices, page_footer, page_of
from bot.render.questions import about, body, snippet, thread_keyboard
from bot.russian import Who
from bot.storage.questions import QuestionRow
from bot.texts import BUTTONS, format_moment, t

router = Router()

MEGABYTES = MAX_FILE_BYTES // (1024 * 1024)
STAFF_ROLES = (Role.ADMIN, Role.DIRECTOR, Role.CLASS_TEACHER, Role.TEACHER)
# What a file's type says its content is, for the upload (a picture goes as a photo).
IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif"}
OTHER_TYPES = {"pdf": "application/pdf"}
OCTET = "application/octet-stream"


class QuestionDialog(Steps):
    COMPOSE = "compose"


# ---------------------------------------------------------------------------- composing


def _draft(data: dict[str, Any]) -> dict[str, Any]:
    """The dialog's draft as stored: the class asked about or the question written into,
    the text and the files gathered so far."""
    return {
        "class_id": payload_int(data.get("class_id")),
        "question": payload_int(data.get("question")),
        "text": str(data.get("text") or ""),
        "files": [list(item) for item in data.get("files") or () if len(item) == 5],
    }


def _gather(event_ctx: EventContext, draft: dict[str, Any]) -> list[str]:
    """Adds the message's text and files to the draft; the problems to tell, in words."""
    problems: list[str] = []
    text = event_ctx.incoming.text.strip()
    if text:
        joined = f"{draft['text']}\n{text}" if draft["text"] else text
        if len(joined) > MAX_TEXT:
            problems.append(t("ask_too_long", limit=MAX_TEXT))
        else:
            draft["text"] = joined
    for ref in event_ctx.incoming.files:
        if ref.size > MAX_FILE_BYTES:
            problems.append(t("ask_file_too_big", name=ref.name, megabytes=MEGABYTES))
            continue
        if len(draft["files"]) >= MAX_FILES:
            problems.append(t("ask_too_many_files", limit=MAX_FILES))
            break
        draft["files"].append([ref.name, ref.type, ref.size, ref.ref, event_ctx.messenger])
    return problems


async def _keep(event_ctx: EventContext, draft: dict[str, Any]) -> None:
    """Keeps the draft as the dialog's step. The dialog belongs to /ask (a parent or student
    who loses the role loses the draft) or, in a thread, to the thread's buttons, whoever
    began it, never to a dialog the person was in before."""
    command = "question_reply" if draft["question"] is not None else "ask"
    await event_ctx.services.dialogs.set(
        event_ctx.person_id,
        QuestionDialog.COMPOSE,
        **{ORIGIN: event_ctx.peer_id, COMMAND: command},
        **draft,
    )


def _send_keyboard() -> Keyboard:
    return choice_keyboard(
        [(BUTTONS["question_send"], "ask_send", {}), (BUTTONS["question_drop"], "ask_drop", {})]
    )


def _drop_keyboard() -> Keyboard:
    return choice_keyboard([(BUTTONS["question_drop"], "ask_drop", {})])


def _class_keyboard(targets: list[Target]) -> Keyboard:
    choices = [
        (_class_label(target), "ask_to", {"class_id": target.class_id}) for target in targets
    ]
    return choice_keyboard([*choices, (BUTTONS["question_drop"], "ask_drop", {})], per_row=1)


def _class_label(target: Target) -> str:
    if target.children:
        children = ", ".join(str(child) for child in target.children)
        return t("ask_class_label_child", class_name=target.class_name, children=children)[:40]
    return t("ask_class_label", class_name=target.class_name)


def _composing(event_ctx: EventContext) -> bool:
    """A message for the draft: anything but a command the bot knows (that one is run)."""
    command = event_ctx.incoming.command
    return command is None or not command.known


async def _teacher_name(event_ctx: EventContext, teacher_id: int) -> Who:
    names = await event_ctx.services.questions.names([teacher_id])
    return names.get(teacher_id, Who(""))


async def _prompt(event_ctx: EventContext, target: Target, draft: dict[str, Any]) -> None:
    """Tells whom the draft goes to: with the send button once it holds something."""
    assert target.teacher_id is not None
    teacher = await _teacher_name(event_ctx, target.teacher_id)
    if draft["text"] or draft["files"]:
        event_ctx.reply(
            t("ask_offer_file", class_name=target.class_name, teacher=teacher),
            keyboard=_send_keyboard(),
        )
    else:
        event_ctx.reply(
            t("ask_compose", class_name=target.class_name, teacher=teacher),
            keyboard=_drop_keyboard(),
        )


async def _start(event_ctx: EventContext, draft: dict[str, Any], with_file: bool) -> None:
    """Begins a question: to the one class's teacher, or asks which class first."""
    targets = await event_ctx.services.questions.targets(event_ctx.who)
    if not targets:
        if with_file and event_ctx.who.holds(*STAFF_ROLES):
            event_ctx.reply(t("files_staff"))
        else:
            event_ctx.reply(t("files_no_class" if with_file else "ask_no_class"))
        return
    if len(targets) == 1:
        target = targets[0]
        refusal = _cannot_ask(event_ctx, target)
        if refusal is not None:
            await event_ctx.services.dialogs.delete(event_ctx.person_id)
            event_ctx.reply(refusal)
            return
        draft["class_id"] = target.class_id
        await _keep(event_ctx, draft)
        await _prompt(event_ctx, target, draft)
        return
    draft["class_id"] = None
    await _keep(event_ctx, draft)
    event_ctx.reply(
        t("ask_pick_class_file" if with_file else "ask_pick_class"),
        keyboard=_class_keyboard(targets),
    )


def _cannot_ask(event_ctx: EventContext, target: Target) -> str | None:
    """Why this class's teacher cannot be asked now, in words; None if they can."""
    if target.teacher_id is None:
        return t("ask_no_teacher", class_name=target.class_name)
    if target.teacher_id == event_ctx.person_id:
        return t("ask_self", class_name=target.class_name)
    return None


def _empty_draft() -> dict[str, Any]:
    return {"class_id": None, "question": None, "text": "", "files": []}


@router.command("ask")
async def ask(event_ctx: EventContext) -> None:
    # A question being written stays (a photo sent, then the menu button pressed to add a
    # line must not lose the photo); «/ask текст» and files sent with the command join it.
    current = await _current_draft(event_ctx)
    draft = current if current is not None and current["question"] is None else _empty_draft()
    kept = draft["text"]
    problems = _gather(event_ctx, draft)
    args = event_ctx.args.strip()
    draft["text"] = (f"{kept}\n{args}" if kept and args else kept or args)[:MAX_TEXT]
    await _start(event_ctx, draft, with_file=False)
    for problem in problems[:1]:
        event_ctx.reply(problem)


def _file_outside_dialog(event_ctx: EventContext) -> bool:
    """A photo or file in private with no command and no dialog, from someone who may have
    a class teacher to send it to (an admin's document is the roster upload's)."""
    return (
        not event_ctx.in_chat
        and bool(event_ctx.incoming.files)
        and event_ctx.who.has_consented
        and event_ctx.dialog_state is None
        and not document_from_admin(event_ctx)
        and _composing(event_ctx)
    )


@router.message(_file_outside_dialog)
async def file_without_command(event_ctx: EventContext) -> None:
    draft = _empty_draft()
    problems = _gather(event_ctx, draft)
    if not draft["files"]:
        event_ctx.reply(problems[0] if problems else t("files_elsewhere"))
        return
    await _start(event_ctx, draft, with_file=True)
    for problem in problems[:1]:
        event_ctx.reply(problem)


@router.step(QuestionDialog.COMPOSE, check=_composing)
async def compose(event_ctx: EventContext) -> None:
    draft = _draft(event_ctx.dialog)
    before = (draft["text"], len(draft["files"]))
    problems = _gather(event_ctx, draft)
    await _keep(event_ctx, draft)
    if not problems and (draft["text"], len(draft["files"])) == before:
        problems.append(t("ask_unsupported"))  # a sticker, a voice message: never silence
    if problems:
        event_ctx.reply("\n".join(problems))
    if not (draft["text"] or draft["files"]):
        return
    parts = []
    if draft["text"]:
        parts.append(t("ask_part_text"))
    if draft["files"]:
        parts.append(t("ask_part_files", count=len(draft["files"])))
    keyboard = _send_keyboard()
    if draft["class_id"] is None and draft["question"] is None:
        targets = await event_ctx.services.questions.targets(event_ctx.who)
        keyboard = _class_keyboard(targets)
    event_ctx.reply(t("ask_added", parts=", ".join(parts)), keyboard=keyboard)


async def _current_draft(event_ctx: EventContext) -> dict[str, Any] | None:
    state = await event_ctx.services.dialogs.get(event_ctx.person_id)
    if state is None or state.state != QuestionDialog.COMPOSE.key:
        return None
    return _draft(state.payload)


@router.button("ask_to")
async def ask_to(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(None)
    class_id = payload_int(event_ctx.data.get("class_id"))
    targets = await event_ctx.services.questions.targets(event_ctx.who)
    target = next((item for item in targets if item.class_id == class_id), None)
    if target is None:
        event_ctx.reply(t("stale_button"))
        return
    refusal = _cannot_ask(event_ctx, target)
    if refusal is not None:
        await event_ctx.services.dialogs.delete(event_ctx.person_id)
        event_ctx.reply(refusal)
        return
    draft = await _current_draft(event_ctx) or _empty_draft()
    draft["class_id"], draft["question"] = target.class_id, None
    await _keep(event_ctx, draft)
    await _prompt(event_ctx, target, draft)


@router.button("ask_drop")
async def ask_drop(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(None)
    if await _current_draft(event_ctx) is not None:
        await event_ctx.services.dialogs.delete(event_ctx.person_id)
    event_ctx.reply(t("ask_dropped"))


# ---------------------------------------------------------------------------- sending


def _content_type(name: str, kind: str) -> str:
    ext = (kind or name.rpartition(".")[2]).lower()
    return IMAGE_TYPES.get(ext) or OTHER_TYPES.get(ext) or OCTET


async def _deliver_files(
    event_ctx: EventContext, to: int, files: list[list[Any]]
) -> tuple[list[StoredFile], list[str]]:
    """Each file fetched from where the sender's messenger keeps it and uploaded for `to`;
    what could not be passed on is named with the reason."""
    messengers = event_ctx.services.messengers
    stored: list[StoredFile] = []
    lost: list[str] = []
    for name, kind, _size, ref, messenger in files:
        try:
            data = await messengers.download(str(ref), MAX_FILE_BYTES, str(messenger))
        except FileTooBigError:
            lost.append(t("ask_file_too_big", name=name, megabytes=MEGABYTES))
            continue
        if data is None:
            lost.append(t("ask_file_failed", name=name))
            continue
        content_type = _content_type(str(name), str(kind))
        uploaded = await messengers.upload(Person(to), File(str(name), content_type, data))
        if uploaded is None and content_type.startswith("image/"):
            # Not a picture the messenger takes as a photo: it goes as a document.
            uploaded = await messengers.upload(Person(to), File(str(name), OCTET, data))
        if uploaded is None:
            lost.append(t("ask_file_failed", name=name))
            continue
        stored.append(uploaded)
    return stored, lost


async def _nothing_passed(
    event_ctx: EventContext, draft: dict[str, Any], stored: list[StoredFile], lost: list[str]
) -> bool:
    """No text and not one file could be passed on: nothing is sent (never an empty message
    «только 0 файлов»); the draft stays, without those files, for them to be sent again."""
    if draft["text"] or stored:
        return False
    draft["files"] = []
    await _keep(event_ctx, draft)
    event_ctx.reply(t("ask_files_lost", names="\n".join(lost)), keyboard=_drop_keyboard())
    return True


def _entries(files: list[list[Any]]) -> list[FileEntry]:
    return [
        (str(name), str(kind), int(size or 0), str(ref), str(messenger))
        for name, kind, size, ref, messenger in files
    ]


@router.button("ask_send")
async def ask_send(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(None)
    draft = await _current_draft(event_ctx)
    if draft is None:
        event_ctx.reply(t("stale_button"))
        return
    if not (draft["text"] or draft["files"]):
        event_ctx.reply(t("ask_nothing"))
        return
    if draft["question"] is not None:
        await _send_in_thread(event_ctx, draft)
        return
    targets = await event_ctx.services.questions.targets(event_ctx.who)
    target = next((item for item in targets if item.class_id == draft["class_id"]), None)
    if target is None:
        event_ctx.reply(t("ask_pick_class"), keyboard=_class_keyboard(targets))
        return
    refusal = _cannot_ask(event_ctx, target)
    if refusal is not None:
        await event_ctx.services.dialogs.delete(event_ctx.person_id)
        event_ctx.reply(refusal)
        return
    teacher = target.teacher_id
    assert teacher is not None
    stored, lost = await _deliver_files(event_ctx, teacher, draft["files"])
    if await _nothing_passed(event_ctx, draft, stored, lost):
        return
    # Every messenger call is done: the question, the messages and the dialog's end commit
    # together with the event.
    services = event_ctx.services
    question_id = await services.questions.ask(
        event_ctx.person_id, target, draft["text"], _entries(draft["files"])
    )
    await services.dialogs.delete(event_ctx.person_id)
    if question_id is None:
        event_ctx.reply(t("ask_no_teacher", class_name=target.class_name))
        return
    names = await services.questions.names([event_ctx.person_id, teacher])
    asker = Asker(
        names.get(event_ctx.person_id, Who("")), target.class_name, target.role, target.children
    )
    header = t("question_new", id=question_id, asker=asker.who, about=about(asker))
    event_ctx.send(
        Person(teacher),
        body(header, draft["text"], len(stored)),
        keyboard=thread_keyboard(question_id),
        files=tuple(stored),
    )
    event_ctx.reply(
        t(
            "ask_sent",
            id=question_id,
            class_name=target.class_name,
            teacher=names.get(teacher, Who("")),
        )
    )
    if lost:
        event_ctx.reply(t("ask_files_lost", names="\n".join(lost)))


async def _send_in_thread(event_ctx: EventContext, draft: dict[str, Any]) -> None:
    services = event_ctx.services
    me = event_ctx.person_id
    question = await services.questions.get(draft["question"])
    to = None if question is None else other_side(question, me)
    if question is None or not takes_part(question, me):
        await services.dialogs.delete(me)
        event_ctx.reply(t("question_not_yours"))
        return
    if not question.is_open or to is None:
        await services.dialogs.delete(me)
        event_ctx.reply(_not_open(question))
        return
    stored, lost = await _deliver_files(event_ctx, to, draft["files"])
    if await _nothing_passed(event_ctx, draft, stored, lost):
        return
    written = await services.questions.write(
        question.id, me, draft["text"], _entries(draft["files"])
    )
    await services.dialogs.delete(me)
    if written is None:
        event_ctx.reply(t("question_closed_already", id=question.id))
        return
    if me == question.teacher_id:
        teacher = await _teacher_name(event_ctx, me)
        header = t(
            "question_answer",
            id=question.id,
            class_name=question.class_name or "",
            teacher=teacher,
        )
    else:
        asker = (await services.questions.askers([question]))[question.id]
        header = t("question_more", id=question.id, asker=asker.who, about=about(asker))
    event_ctx.send(
        Person(to),
        body(header, draft["text"], len(stored)),
        keyboard=thread_keyboard(question.id),
        files=tuple(stored),
    )
    recipient = (await services.questions.names([to])).get(to, Who(""))
    event_ctx.reply(t("question_sent", id=question.id, to=recipient))
    if lost:
        event_ctx.reply(t("ask_files_lost", names="\n".join(lost)))


# ---------------------------------------------------------------------------- the thread


def _not_open(question: QuestionRow) -> str:
    """Why nothing more goes into the question: it is closed, or its class has no class
    teacher now (the one it went to left; the next one gets it)."""
    if question.is_open:
        return t("ask_no_teacher", class_name=question.class_name or "")
    return t("question_closed_already", id=question.id)


@router.button("question_reply")
async def question_reply(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(None)
    services = event_ctx.services
    me = event_ctx.person_id
    question = await services.questions.get(payload_int(event_ctx.data.get("id")) or 0)
    if question is None or not takes_part(question, me):
        event_ctx.reply(t("question_not_yours"))
        return
    to = other_side(question, me)
    if not question.is_open or to is None:
        event_ctx.reply(_not_open(question))
        return
    # Pressed again while writing into this question: what is written so far stays.
    current = await _current_draft(event_ctx)
    draft = current if current is not None and current["question"] == question.id else None
    if draft is None:
        draft = _empty_draft()
        draft["question"], draft["class_id"] = question.id, question.class_id
    await _keep(event_ctx, draft)
    recipient = (await services.questions.names([to])).get(to, Who(""))
    written = bool(draft["text"] or draft["files"])
    event_ctx.reply(
        t("question_reply_prompt", id=question.id, to=recipient),
        keyboard=_send_keyboard() if written else _drop_keyboard(),
    )


@router.button("question_close")
async def question_close(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(None)
    services = event_ctx.services
    me = event_ctx.person_id
    question_id = payload_int(event_ctx.data.get("id")) or 0
    closed = await services.questions.close(question_id, me)
    if closed is None:
        question = await services.questions.get(question_id)
        if question is None or not takes_part(question, me):
            event_ctx.reply(t("question_not_yours"))
        else:
            event_ctx.reply(t("question_closed_already", id=question_id))
        return
    draft = await _current_draft(event_ctx)
    if draft is not None and draft["question"] == question_id:
        await services.dialogs.delete(me)
    event_ctx.reply(t("question_closed", id=question_id))
    to = other_side(closed, me)
    if to is not None:
        by = (await services.questions.names([me])).get(me, Who(""))
        event_ctx.send(Person(to), t("question_closed_by", id=question_id, by=by))


# ---------------------------------------------------------------------------- the list


@router.command("questions")
async def questions(event_ctx: EventContext) -> None:
    await _show_questions(event_ctx, None)


@router.button("questions")
async def questions_page(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(None)
    await _show_questions(event_ctx, asked_page(event_ctx.data))


async def _show_questions(event_ctx: EventContext, number: int | None) -> None:
    services = event_ctx.services
    me = event_ctx.person_id
    rows = await services.questions.open_of(me)
    if not rows:
        event_ctx.reply(t("questions_none"))
        return
    page = page_of(rows, number)
    texts = await services.questions.first_texts([row.id for row in page.items])
    askers = await services.questions.askers([row for row in page.items if row.teacher_id == me])
    zone = services.settings.zone
    lines = [t("questions_header", count=page.total)]
    choices: list[tuple[str, str, dict[str, Any]]] = []
    for row in page.items:
        state = t("questions_answered" if row.answered_at else "questions_waiting")
        date = format_moment(row.created_at, zone)
        text = snippet(texts.get(row.id, ""))
        if row.teacher_id == me and row.id in askers:
            asker = askers[row.id]
            lines.append(
                t(
                    "questions_line_teacher",
                    id=row.id,
                    asker=asker.who,
                    about=about(asker),
                    date=date,
                    state=state,
                    text=text,
                )
            )
        else:
            lines.append(
                t(
                    "questions_line_asker",
                    id=row.id,
                    class_name=row.class_name or "",
                    date=date,
                    state=state,
                    text=text,
                )
            )
        choices.append((t("questions_reply_label", id=row.id), "question_reply", {"id": row.id}))
    footer = page_footer(page)
    if footer:
        lines.append(footer)
    event_ctx.reply(
        "\n".join(lines), keyboard=choice_keyboard([*choices, *page_choices(page, "questions")])
    )
