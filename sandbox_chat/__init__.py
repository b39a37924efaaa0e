"""``sferum-bot sandbox``: talk to the real bot in a terminal, with no VK account.

A local VK sandbox (:mod:`vk_sandbox`) is started on loopback, and the real bot
(:class:`bot.app.Application`) runs against it with a temporary SQLite database (or the one
given with ``--database``, which is then kept across runs). A demo school is already there:

    1001  Ирина Петрова        administrator (ADMIN_IDS)
    1002  Людмила Дровосекова  director (DIRECTOR_IDS)
    1003  Елена Смирнова       a teacher
    1004  Ольга Белова         a parent
    1005  Миша Белов           a student

The tool knows nothing of the bot's commands: it only sends texts, presses buttons and prints
whatever the bot answers.

Interactive mode (no ``--script``) reads lines from stdin (a terminal or a pipe). A line is
sent to the bot as the current user; lines starting with ``:`` are sandbox commands
(``:help`` lists them; ``::text`` sends ``:text``). The bot's replies to anyone are printed as
they arrive::

    [бот → Анна Кузнецова] текст
      [1] Согласен(на)*  [2] Не согласен(на)*   (кнопки в сообщении)

``*`` marks callback buttons (the bot answers them with a snackbar); ``(кнопки в сообщении)``
marks an inline keyboard, no mark a chat keyboard. EOF, ``:quit`` or Ctrl+C stop the bot and
the sandbox cleanly.

Script mode (``--script FILE``) plays a conversation and prints its transcript to stdout.
Script format, one step per line (UTF-8)::

    # a comment; blank lines are ignored too
    Имя Фамилия: текст      the user writes this text to the bot (unknown users are created)
    Имя Фамилия: [Кнопка]   the user presses the button with this label on the latest bot
                            message with buttons in their dialog (text and callback buttons)
    Имя Фамилия: ref=КОД    the user opens an invitation link: «Начать» carrying ref=КОД
    Имя Фамилия: :chat new Беседа   a sandbox command done as this user (see :help)
    Имя Фамилия @ Беседа: текст     the user writes (or presses [Кнопка]) in a group chat

``{last_invite}`` in a step is the code of the latest invitation the bot issued. The flood
limit is off unless ``--flood-limit`` is given.

After each step the tool waits until the bot has gone quiet (the first reply is awaited up to
a few seconds, then no news for 0.4 s), so transcripts are deterministic. Transcript lines::

    > Имя Фамилия: текст                  what a user did
    < бот → Имя Фамилия: текст            a reply (continuation lines indented)
      [1] Помощь  [2] Поддержка            its buttons
    < бот → Имя Фамилия (уведомление): …  a callback button's snackbar

Exit codes: 0 done, 1 a step failed (e.g. no such button; the reason goes to stderr),
2 the script or the settings could not be read.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import dataclasses
import io
import json
import os
import re
import signal
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from bot.app import Application
from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure
from bot.texts import role_name
from vk_sandbox import BotMessage, Button, ChatDriver, UserDriver, VKSandbox
from vk_sandbox.models import CHAT_PEER_BASE, ChatMemberState, ChatState

EXIT_OK = 0
EXIT_STEP_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

GROUP_ID = 229000044
GROUP_NAME = "Гимназия № 44 г. Твери"
SCHOOL_NAME = "МОУ «Гимназия № 44 г. Твери»"
ADMIN_ID = 1001
DIRECTOR_ID = 1002
START_TEXT = "Начать"  # what VK sends when a person opens the dialog or an invitation link

# How long to wait for the bot: the first reply to a step, then silence meaning "done".
REPLY_TIMEOUT = 5.0
QUIET_SECONDS = 0.4
MAX_SETTLE_SECONDS = 30.0
CHAT_REMARK_TIMEOUT = 1.5
POLL_SECONDS = 0.05

# With --database, the sandbox's own state is kept next to it (see save_state).
STATE_SUFFIX = ".sandbox.json"
STATE_VERSION = 2

# In a script or a chat line, replaced by the code of the latest invitation the bot issued.
LAST_INVITE = "{last_invite}"
_INVITE_REF = re.compile(r"[?&]ref=([A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class DemoPerson:
    user_id: int
    first_name: str
    last_name: str
    note: str  # who they are in the demo school, shown by :users


DEMO_SCHOOL: tuple[DemoPerson, ...] = (
    DemoPerson(ADMIN_ID, "Ирина", "Петрова", "администратор «Сферума» в школе (ADMIN_IDS)"),
    DemoPerson(DIRECTOR_ID, "Людмила", "Дровосекова", "директор (DIRECTOR_IDS)"),
    DemoPerson(1003, "Елена", "Смирнова", "учитель"),
    DemoPerson(1004, "Ольга", "Белова", "родитель"),
    DemoPerson(1005, "Миша", "Белов", "ученик"),
)

HELP = """\
Команды песочницы:
  :help               эта справка
  :users              пользователи песочницы (> — от чьего имени вы пишете)
  :as <id или имя>    писать от имени другого пользователя
  :new Имя Фамилия    добавить пользователя и писать от его имени
  :press <N>          нажать кнопку N последнего сообщения бота с кнопками
                      (или по надписи: :press <надпись кнопки>)
  :ref <код>          открыть ссылку-приглашение: «Начать» с кодом ref
                      ({last_invite} — код последнего приглашения, выданного ботом)
Беседы (групповые чаты):
  :chat new <название>   создать беседу, добавить в неё бота и писать в неё
  :chat add <кто>        добавить человека в текущую беседу (:chat remove — исключить)
  :chat admin            сделать бота администратором текущей беседы
  :chats                 список бесед и их участников
  :in <беседа>           писать в беседу (по номеру или названию)
  :dm                    вернуться в личный диалог с ботом
  :quit               выход (а также Ctrl+D или Ctrl+C)
Любая другая строка уходит боту как сообщение; текст, начинающийся с двоеточия,
отправьте с двумя: «::)» уйдёт как «:)». {last_invite} в строке заменяется кодом
последнего приглашения.
Кнопки: [N] надпись; * — callback-кнопка (бот отвечает всплывающим уведомлением);
«кнопки в сообщении» — кнопки под сообщением, без пометки — клавиатура чата."""


class StepError(Exception):
    """A user action cannot be done (no such button, no such user...); the text is readable."""


class ScriptError(Exception):
    """A script line does not follow the format."""

    def __init__(self, line_no: int, reason: str) -> None:
        super().__init__(f"строка {line_no}: {reason}")
        self.line_no = line_no


# ---------------------------------------------------------------------------------- scripts


@dataclass(frozen=True)
class Step:
    line_no: int
    who: str
    kind: Literal["send", "press", "ref", "command"]
    value: str
    chat: str | None = None  # the group chat's title, for «Имя Фамилия @ Беседа: ...»

    def describe(self) -> str:
        who = f"{self.who} @ {self.chat}" if self.chat else self.who
        if self.kind == "press":
            return f"{who}: [{self.value}]"
        if self.kind == "ref":
            return f"{who}: {START_TEXT} (ref={self.value})"
        return f"{who}: {self.value}"


def parse_script(text: str) -> list[Step]:
    """The steps of a script (see the module docstring); ScriptError on a malformed line."""
    steps: list[Step] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        who, colon, rest = line.partition(":")
        who, at, chat = who.partition("@")
        who = " ".join(who.split())
        chat_title = " ".join(chat.split()) if at else None
        value = rest.strip()
        if not colon or not who:
            raise ScriptError(line_no, f"ожидается «Имя Фамилия: текст», а не {line!r}")
        if at and not chat_title:
            raise ScriptError(
                line_no, "после @ нужно название беседы: «Имя Фамилия @ Беседа: текст»"
            )
        if not value:
            raise ScriptError(line_no, "после двоеточия нужен текст, [Кнопка] или ref=КОД")
        if value.startswith(":") and not value.startswith("::"):
            if chat_title:
                raise ScriptError(line_no, "команда песочницы пишется без @ беседы")
            steps.append(Step(line_no, who, "command", value))
        elif value.startswith("[") and value.endswith("]") and len(value) > 2:
            steps.append(Step(line_no, who, "press", value[1:-1].strip(), chat_title))
        elif value.startswith("ref="):
            code = value.removeprefix("ref=").strip()
            if not code:
                raise ScriptError(line_no, "после ref= нужен код приглашения")
            if chat_title:
                raise ScriptError(line_no, "ссылку-приглашение открывают в личном диалоге")
            steps.append(Step(line_no, who, "ref", code))
        else:
            text_value = value[1:] if value.startswith("::") else value
            steps.append(Step(line_no, who, "send", text_value, chat_title))
    return steps


# ---------------------------------------------------------------------------------- output


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def _indent_rest(text: str, indent: str = "    ") -> str:
    lines = text.split("\n")
    return "\n".join([lines[0]] + [f"{indent}{line}" if line else "" for line in lines[1:]])


@dataclass(frozen=True)
class BotAction:
    """One thing the bot did that the tool shows: a message, an edit, a callback answer."""

    kind: Literal["message", "edit", "answer"]
    peer_id: int
    text: str
    buttons: tuple[Button, ...] = ()
    rows: tuple[int, ...] = ()
    inline: bool = False
    attachments: tuple[str, ...] = ()


def _rows_of(message: BotMessage) -> tuple[int, ...]:
    keyboard = message.keyboard or {}
    rows = keyboard.get("buttons") or []
    sizes = tuple(len(row) for row in rows if isinstance(row, list))
    return sizes if sum(sizes) == len(message.buttons) else (len(message.buttons),)


def format_buttons(buttons: Sequence[Button], rows: Sequence[int], inline: bool) -> list[str]:
    """``  [1] Помощь  [2] Поддержка``, one line per keyboard row."""
    if not buttons:
        return []
    lines: list[str] = []
    number = 0
    for size in rows or (len(buttons),):
        cells: list[str] = []
        for button in buttons[number : number + size]:
            number += 1
            cell = f"[{number}] {button.label}"
            if button.type == "callback":
                cell += "*"
            elif button.type == "open_link" and button.link:
                cell += f" → {button.link}"
            elif button.type not in ("text", "callback"):
                cell += f" ({button.type})"
            cells.append(cell)
        if cells:
            lines.append("  " + "  ".join(cells))
    if inline and lines:
        lines[-1] += "   (кнопки в сообщении)"
    return lines


class Console:
    """Writes to stdout; in a terminal keeps a prompt that bot output may interrupt."""

    def __init__(self, stream: TextIO, prompt: Callable[[], str] | None = None) -> None:
        self.stream = stream
        self.prompt = prompt
        self.prompt_visible = False
        self.closed = False

    def line(self, text: str = "") -> None:
        if self.prompt_visible:
            self._write("\n")
            self.prompt_visible = False
        self._write(text + "\n")

    def show_prompt(self) -> None:
        if self.prompt is None or self.prompt_visible:
            return
        self._write(self.prompt())
        self.prompt_visible = True

    def _write(self, text: str) -> None:
        if self.closed:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except BrokenPipeError:
            # The reader went away (`... | head`): the chat goes on, unseen, until its end.
            self.closed = True
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, self.stream.fileno())

    def input_received(self) -> None:
        # The person pressed Enter: the cursor is on a fresh line.
        self.prompt_visible = False


# ---------------------------------------------------------------------------------- stdin


class StdinLines:
    """Lines of stdin, delivered to the event loop by a daemon thread.

    The thread reads the raw file descriptor, so it works with a terminal, a pipe or a file,
    holds no Python-level lock at interpreter exit, and never blocks the loop. ``None`` marks
    the end of input.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()

    def start(self) -> None:
        try:
            fd = sys.stdin.fileno()
        except (AttributeError, ValueError, OSError):
            self.queue.put_nowait(None)
            return
        encoding = getattr(sys.stdin, "encoding", None) or "utf-8"
        thread = threading.Thread(
            target=self._read, args=(fd, encoding), name="sandbox-stdin", daemon=True
        )
        thread.start()

    def _put(self, item: str | None) -> bool:
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, item)
        except RuntimeError:  # the loop is closed: nobody listens any more
            return False
        return True

    def _read(self, fd: int, encoding: str) -> None:
        try:
            decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        except LookupError:
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending = ""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                pending += decoder.decode(b"", final=True)
                if pending:
                    self._put(pending.rstrip("\r"))
                self._put(None)
                return
            pending += decoder.decode(chunk)
            while "\n" in pending:
                line, pending = pending.split("\n", 1)
                if not self._put(line.rstrip("\r")):
                    return

    async def get(self) -> str | None:
        return await self.queue.get()

    def close(self) -> None:
        self.queue.put_nowait(None)


# ---------------------------------------------------------------------------------- session


class SandboxChat:
    """The running sandbox seen from the terminal: users, what the bot did, and actions."""

    def __init__(self, sandbox: VKSandbox, console: Console, script_mode: bool) -> None:
        self.sandbox = sandbox
        self.console = console
        self.script_mode = script_mode
        self.current: UserDriver | None = None
        self.stopping = asyncio.Event()
        self.activity = 0
        self.waiting_for_input = False
        self.stdin: StdinLines | None = None
        self._sent_seen = 0
        self._answers_seen: dict[int, int] = {}
        self._shown: dict[int, tuple[str, tuple[str, ...]]] = {}
        self._buffer: list[BotAction] = []
        self._watcher: asyncio.Task[None] | None = None
        self.notes: dict[int, str] = {}
        # Where the current user writes in the terminal chat: a group chat, or None (dialog).
        self.place: ChatDriver | None = None
        self.last_invite: str | None = None
        # The bot's names of a person's roles (from its database), for :users.
        self.roles_of: Callable[[int], Awaitable[list[str]]] | None = None

    # ------------------------------------------------------------------ people

    def populate(self) -> None:
        for person in DEMO_SCHOOL:
            self.sandbox.add_user(person.first_name, person.last_name, user_id=person.user_id)
            self.notes[person.user_id] = person.note

    @staticmethod
    def full_name(user: UserDriver) -> str:
        return f"{user.first_name} {user.last_name}".strip()

    def users(self) -> list[UserDriver]:
        return [self.sandbox.user(user_id) for user_id in self.sandbox.users]

    def add_user(self, name: str) -> UserDriver:
        first, _, last = " ".join(name.split()).partition(" ")
        if not first:
            raise StepError("нужно имя: :new Имя Фамилия")
        return self.sandbox.add_user(first_name=first, last_name=last)

    def user_named(self, name: str) -> UserDriver:
        """The user with exactly this full name (case and ё aside); created if unknown."""
        wanted = _fold(" ".join(name.split()))
        for user in self.users():
            if _fold(self.full_name(user)) == wanted:
                return user
        return self.add_user(name)

    def find_users(self, query: str) -> list[UserDriver]:
        query = query.strip()
        if query.isdigit():
            user_id = int(query)
            return [self.sandbox.user(user_id)] if user_id in self.sandbox.users else []
        wanted = _fold(" ".join(query.split()))
        exact = [u for u in self.users() if _fold(self.full_name(u)) == wanted]
        return exact or [u for u in self.users() if wanted in _fold(self.full_name(u))]

    def recipient(self, peer_id: int) -> str:
        if peer_id > CHAT_PEER_BASE:
            chat = self.sandbox.chats.get(peer_id - CHAT_PEER_BASE)
            return f"беседа «{chat.title}»" if chat is not None else f"беседа {peer_id}"
        state = self.sandbox.users.get(peer_id)
        if state is None:
            return f"id{peer_id}"
        return f"{state.first_name} {state.last_name}".strip()

    # ------------------------------------------------------------------ what the bot did

    def collect(self) -> list[BotAction]:
        """What the bot did since the last call: callback answers, edits, new messages."""
        sandbox = self.sandbox
        actions: list[BotAction] = []
        for user_id, inbox in list(sandbox.event_answers.items()):
            seen = self._answers_seen.get(user_id, 0)
            for data in inbox.items[seen:]:
                actions.append(self._answer_action(user_id, data))
            self._answers_seen[user_id] = len(inbox.items)
        for message in sandbox.sent[: self._sent_seen]:
            if message.edited and self._shown.get(message.id) != self._snapshot(message):
                actions.append(self._message_action("edit", message))
        for message in sandbox.sent[self._sent_seen :]:
            actions.append(self._message_action("message", message))
            invite = _INVITE_REF.search(message.text)
            if invite is not None:
                self.last_invite = invite.group(1)
        self._sent_seen = len(sandbox.sent)
        if actions:
            self.activity += len(actions)
        return actions

    @staticmethod
    def _snapshot(message: BotMessage) -> tuple[str, tuple[str, ...]]:
        return message.text, tuple(message.labels)

    def _message_action(self, kind: Literal["message", "edit"], message: BotMessage) -> BotAction:
        self._shown[message.id] = self._snapshot(message)
        return BotAction(
            kind=kind,
            peer_id=message.peer_id,
            text=message.text,
            buttons=tuple(message.buttons),
            rows=_rows_of(message),
            inline=message.inline,
            attachments=tuple(message.attachments),
        )

    @staticmethod
    def _answer_action(user_id: int, data: dict[str, Any]) -> BotAction:
        kind = data.get("type")
        if kind == "show_snackbar":
            text = str(data.get("text", ""))
        elif kind == "open_link":
            text = f"открывается ссылка {data.get('link')}"
        elif kind == "open_app":
            text = f"открывается приложение {data.get('app_id')}"
        else:
            text = ""  # the spinner just stops: nothing to show
        return BotAction(kind="answer", peer_id=user_id, text=text)

    def render(self, action: BotAction) -> list[str]:
        if action.kind == "answer" and not action.text:
            return []
        who = self.recipient(action.peer_id)
        text = action.text
        if action.attachments:
            text = (text + "\n" if text else "") + f"(вложения: {', '.join(action.attachments)})"
        if not text:
            text = "(без текста)"
        tag = {"message": "", "edit": "исправлено", "answer": "уведомление"}[action.kind]
        if self.script_mode:
            head = f"< бот → {who}" + (f" ({tag})" if tag else "") + ": "
        else:
            head = f"[бот → {who}" + (f", {tag}" if tag else "") + "] "
        lines = [head + _indent_rest(text)]
        lines += format_buttons(action.buttons, action.rows, action.inline)
        return lines

    def show(self, actions: Sequence[BotAction]) -> None:
        for action in actions:
            for line in self.render(action):
                self.console.line(line)

    async def _watch(self) -> None:
        while True:
            actions = self.collect()
            if actions:
                if self.script_mode:
                    self._buffer.extend(actions)
                else:
                    self.show(actions)
                    if self.waiting_for_input:
                        self.console.show_prompt()
            await asyncio.sleep(POLL_SECONDS)

    def start_watching(self) -> None:
        self._watcher = asyncio.create_task(self._watch(), name="sandbox-watch")

    async def stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        # Whatever came in at the very end is still shown.
        self._buffer.extend(self.collect())
        self.flush()

    def flush(self) -> None:
        """Shows buffered actions: snackbars first (they answer the press), then the rest."""
        buffered, self._buffer = self._buffer, []
        self.show(sorted(buffered, key=lambda action: action.kind != "answer"))

    async def settle(
        self,
        first_timeout: float = REPLY_TIMEOUT,
        quiet: float = QUIET_SECONDS,
        since: int | None = None,
    ) -> bool:
        """Waits for the bot's first reply, then until it has been quiet for ``quiet`` s.

        False if nothing came within ``first_timeout``.
        """
        loop = asyncio.get_running_loop()
        start = self.activity if since is None else since
        deadline = loop.time() + first_timeout
        while self.activity == start:
            if self.stopping.is_set() or loop.time() >= deadline:
                return False
            await asyncio.sleep(POLL_SECONDS)
        last_seen = self.activity
        last_change = loop.time()
        hard_stop = last_change + MAX_SETTLE_SECONDS
        while loop.time() - last_change < quiet and loop.time() < hard_stop:
            if self.stopping.is_set():
                break
            await asyncio.sleep(POLL_SECONDS)
            if self.activity != last_seen:
                last_seen = self.activity
                last_change = loop.time()
        return True

    # ------------------------------------------------------------------ actions

    @staticmethod
    def latest_with_buttons(user: UserDriver, chat: ChatDriver | None = None) -> BotMessage:
        for message in reversed(chat.messages if chat is not None else user.messages):
            if message.buttons:
                return message
        if chat is not None:
            raise StepError(f"в беседе «{chat.title}» нет сообщений бота с кнопками")
        raise StepError(
            f"у пользователя {user.first_name} {user.last_name} нет сообщений бота с кнопками"
        )

    def find_button(self, user: UserDriver, choice: str, chat: ChatDriver | None = None) -> Button:
        """Button N (from 1) or the button labelled ``choice`` of the latest message with some
        (in ``chat`` if given, else in the user's dialog)."""
        message = self.latest_with_buttons(user, chat)
        labels = ", ".join(f"«{label}»" for label in message.labels)
        if choice.isdigit():
            number = int(choice)
            if 1 <= number <= len(message.buttons):
                return message.buttons[number - 1]
            raise StepError(
                f"в последнем сообщении с кнопками {len(message.buttons)} кнопок(и), "
                f"нет кнопки {number}; есть: {labels}"
            )
        for button in message.buttons:
            if button.label == choice:
                return button
        for button in message.buttons:
            if _fold(button.label) == _fold(choice):
                return button
        raise StepError(
            f"в последнем сообщении бота с кнопками у {self.full_name(user)} нет кнопки "
            f"«{choice}»; есть: {labels}"
        )

    async def press(self, user: UserDriver, button: Button) -> None:
        try:
            await user.press(button)
        except ValueError as error:
            raise StepError(f"кнопку «{button.label}» нажать нельзя: {error}") from None

    def fill(self, text: str) -> str:
        """``text`` with {last_invite} replaced by the latest invitation's code."""
        if LAST_INVITE not in text:
            return text
        if self.last_invite is None:
            raise StepError(f"бот ещё не выдал ни одного приглашения: {LAST_INVITE} нечем заменить")
        return text.replace(LAST_INVITE, self.last_invite)

    def chat_titled(self, title: str) -> ChatDriver:
        """The group chat with exactly this title (case and ё aside), or its number."""
        found = self.find_chats(title)
        if len(found) != 1:
            raise StepError(
                f"нет беседы «{title}»; создайте её: «Имя Фамилия: :chat new {title}»"
                if not found
                else f"бесед «{title}» несколько; уточните"
            )
        return found[0]

    async def send_as(self, user: UserDriver, text: str, chat: ChatDriver | None) -> None:
        try:
            await user.send(text, chat=chat)
        except ValueError:
            assert chat is not None
            raise StepError(
                f"{self.full_name(user)} не участник беседы «{chat.title}»; "
                f"добавьте: :chat add {self.full_name(user)}"
            ) from None

    async def play(self, step: Step, separate: bool = False) -> bool:
        """Does one script step; ``separate`` puts a blank line before its transcript.
        False if the step asks to stop (:quit)."""
        user = self.user_named(step.who)
        chat = self.chat_titled(step.chat) if step.chat else None
        value = self.fill(step.value)
        button = self.find_button(user, value, chat) if step.kind == "press" else None
        if separate:
            self.console.line()
        self.console.line(f"> {dataclasses.replace(step, value=value).describe()}")
        if step.kind == "command":
            # A sandbox command as this user (:chat add acts on the chat last created or
            # chosen with :in); it answers itself, the bot may say nothing.
            self.current = user
            command, _, arg = value[1:].partition(" ")
            return await self.command(command.lower(), arg.strip())
        if button is not None:
            await self.press(user, button)
        elif step.kind == "ref":
            await user.send(START_TEXT, ref=value)
        else:
            await self.send_as(user, value, chat)
        return True

    # ------------------------------------------------------------------ script mode

    async def run_script(self, steps: Sequence[Step], script: Path) -> int:
        self.start_watching()
        try:
            for index, step in enumerate(steps):
                if self.stopping.is_set():
                    print("Прервано.", file=sys.stderr)
                    return EXIT_INTERRUPTED
                before = self.activity
                try:
                    if not await self.play(step, separate=index > 0):
                        return EXIT_OK
                except StepError as error:
                    self.flush()
                    print(
                        f"Сценарий {script}, строка {step.line_no} ({step.describe()}): {error}",
                        file=sys.stderr,
                    )
                    return EXIT_STEP_FAILED
                if step.kind == "command":
                    await self.settle(first_timeout=QUIET_SECONDS, since=before)
                    self.flush()
                    continue
                # In a group chat the bot answers commands only: a remark gets a shorter wait.
                remark = (
                    step.chat is not None and step.kind == "send" and not step.value.startswith("/")
                )
                replied = await self.settle(
                    first_timeout=CHAT_REMARK_TIMEOUT if remark else REPLY_TIMEOUT, since=before
                )
                self.flush()
                if not replied and not self.stopping.is_set() and not remark:
                    self.console.line(f"< (бот ничего не ответил за {REPLY_TIMEOUT:.0f} с)")
            return EXIT_OK
        finally:
            await self.stop_watching()

    # ------------------------------------------------------------------ interactive mode

    def welcome(self, database: str) -> str:
        current = self.current
        who = f"{self.full_name(current)} ({current.user_id})" if current else "—"
        return (
            "Песочница бота «Сферума»: настоящий бот разговаривает с локальной копией VK API,\n"
            "в интернет ничего не уходит.\n"
            f"Школа: {SCHOOL_NAME}. База данных: {database}.\n"
            f"Сейчас вы пишете боту как {who}. Напишите сообщение и нажмите Enter,\n"
            f"например «{START_TEXT}».\n"
            "Команды песочницы начинаются с двоеточия: :users — кто есть в школе, :as — сменить\n"
            "пользователя, :press N — нажать кнопку, :chat new — создать беседу с ботом,\n"
            ":help — все команды, :quit — выход.\n"
        )

    def prompt(self) -> str:
        if self.current is None:
            return "> "
        where = f" @ {self.place.title}" if self.place is not None else ""
        return f"{self.full_name(self.current)}{where}> "

    async def list_users(self) -> None:
        self.console.line("Пользователи песочницы (роль — как её знает бот):")
        for user in self.users():
            mark = ">" if user is self.current else " "
            note = self.notes.get(user.user_id)
            line = f" {mark} {user.user_id:<10} {self.full_name(user)}"
            if note:
                line += f" — {note}"
            if self.roles_of is not None:
                roles = await self.roles_of(user.user_id)
                line += f"; в боте: {', '.join(roles)}" if roles else "; в боте роли пока нет"
            self.console.line(line)
        if self.roles_of is not None:
            self.console.line(
                "Роль из ADMIN_IDS и DIRECTOR_IDS бот даёт при согласии; учителю, ученику и "
                "родителю — по приглашению (/invite) или заявке (/request)."
            )

    def find_chats(self, query: str) -> list[ChatDriver]:
        chats = [self.sandbox.chat(chat_id) for chat_id in self.sandbox.chats]
        query = query.strip()
        if query.isdigit():
            return [chat for chat in chats if chat.chat_id == int(query)]
        wanted = _fold(" ".join(query.split()))
        exact = [chat for chat in chats if _fold(chat.title) == wanted]
        return exact or [chat for chat in chats if wanted and wanted in _fold(chat.title)]

    def list_chats(self) -> None:
        if not self.sandbox.chats:
            self.console.line("Бесед пока нет; создать: :chat new <название>")
            return
        self.console.line("Беседы песочницы:")
        for chat_id in self.sandbox.chats:
            chat = self.sandbox.chat(chat_id)
            mark = ">" if chat is self.place else " "
            people = [self.recipient(member_id) for member_id in chat.member_ids if member_id > 0]
            bot = "бот — администратор" if chat.bot_admin else "бот — участник"
            if not chat.bot_member:
                bot = "бота нет"
            self.console.line(
                f" {mark} {chat.chat_id:<3} «{chat.title}» ({bot}): {', '.join(people)}"
            )

    def _need_place(self) -> ChatDriver:
        if self.place is None:
            raise StepError("сначала выберите беседу: :in <беседа> или :chat new <название>")
        return self.place

    def _one_user(self, query: str) -> UserDriver:
        found = self.find_users(query)
        if not found:
            raise StepError(f"нет пользователя «{query}»; список — :users")
        if len(found) > 1:
            names = ", ".join(f"{self.full_name(u)} ({u.user_id})" for u in found)
            raise StepError(f"подходят несколько: {names}; уточните")
        return found[0]

    async def chat_command(self, arg: str) -> None:
        sub, _, rest = arg.partition(" ")
        sub, rest = sub.lower(), rest.strip()
        if sub in ("", "list"):
            self.list_chats()
        elif sub == "new":
            user = self._need_user()
            if not rest:
                raise StepError("укажите название: :chat new Родители 5А")
            title = " ".join(rest.split())
            if any(_fold(chat.title) == _fold(title) for chat in self.find_chats(title)):
                raise StepError(f"беседа «{rest}» уже есть; писать в неё — :in {rest}")
            chat = self.sandbox.create_chat(title=title, owner=user)
            self.place = chat
            self.console.line(
                f"[{self.full_name(user)} создаёт беседу «{chat.title}» ({chat.chat_id}) "
                "и добавляет в неё бота]"
            )
            self.console.line(
                f"Теперь вы пишете в беседу «{chat.title}». :chat add <кто> — добавить "
                "участника, :dm — вернуться в личный диалог."
            )
            await self.act(lambda: chat.add_bot(by=user), quiet_ok=True)
        elif sub in ("add", "remove"):
            chat = self._need_place()
            if not rest:
                raise StepError(f"укажите, кого: :chat {sub} <id или имя>")
            person = self._one_user(rest)
            by = self.current
            if by is not None and by.user_id not in chat.state.members:
                by = None  # the chat's owner does it
            if sub == "add":
                if person.user_id in chat.state.members:
                    raise StepError(f"{self.full_name(person)} уже в беседе «{chat.title}»")
                self.console.line(f"[{self.full_name(person)} добавлен(а) в беседу «{chat.title}»]")
                await self.act(lambda: chat.add_member(person, by=by), quiet_ok=True)
            else:
                if person.user_id not in chat.state.members:
                    raise StepError(f"{self.full_name(person)} не в беседе «{chat.title}»")
                self.console.line(
                    f"[{self.full_name(person)} исключён(а) из беседы «{chat.title}»]"
                )
                await self.act(lambda: chat.remove_member(person, by=by), quiet_ok=True)
        elif sub == "admin":
            chat = self._need_place()
            if not chat.bot_member:
                raise StepError(f"бота нет в беседе «{chat.title}»")
            chat.set_bot_admin(True)
            self.console.line(f"[бот теперь администратор беседы «{chat.title}»]")
        else:
            raise StepError(
                "неизвестная команда; есть :chat new, :chat add, :chat remove, :chat admin"
            )

    async def act(self, action: Callable[[], Awaitable[object]], quiet_ok: bool = False) -> None:
        """Does a user action, then waits for the bot to answer and go quiet; ``quiet_ok``:
        silence is a normal outcome (a remark in a group chat, a member added)."""
        before = self.activity
        await action()
        timeout = CHAT_REMARK_TIMEOUT if quiet_ok else REPLY_TIMEOUT
        replied = await self.settle(first_timeout=timeout, since=before)
        if not replied and not quiet_ok and not self.stopping.is_set():
            self.console.line(f"  (бот ничего не ответил за {REPLY_TIMEOUT:.0f} с)")

    async def handle(self, line: str) -> bool:
        """One input line; False to stop."""
        text = line.strip()
        if not text:
            return True
        try:
            text = self.fill(text)
        except StepError as error:
            self.console.line(f"! {error}")
            return True
        if text.startswith(":") and not text.startswith("::"):
            command, _, arg = text[1:].partition(" ")
            try:
                return await self.command(command.lower(), arg.strip())
            except StepError as error:
                self.console.line(f"! {error}")
                return True
        if text.startswith("::"):
            text = text[1:]
        user = self.current
        if user is None:
            self.console.line(
                "! Сначала выберите пользователя: :as <id или имя> или :new Имя Фамилия"
            )
            return True
        chat = self.place
        if not self.console.prompt:  # in a terminal the person sees what they typed
            where = f" @ {chat.title}" if chat is not None else ""
            self.console.line(f"[{self.full_name(user)}{where}] {text}")
        if chat is not None and user.user_id not in chat.state.members:
            self.console.line(
                f"! {self.full_name(user)} не участник беседы «{chat.title}»; "
                f"добавьте: :chat add {self.full_name(user)} (или :dm — личный диалог)"
            )
            return True
        remark = chat is not None and not text.startswith("/")
        await self.act(lambda: user.send(text, chat=chat), quiet_ok=remark)
        return True

    def _need_user(self) -> UserDriver:
        if self.current is None:
            raise StepError("сначала выберите пользователя: :as <id или имя> или :new Имя Фамилия")
        return self.current

    async def command(self, name: str, arg: str) -> bool:
        if name in ("quit", "q", "exit"):
            return False
        if name in ("help", "h", "?"):
            self.console.line(HELP)
        elif name == "users":
            await self.list_users()
        elif name == "chat":
            await self.chat_command(arg)
        elif name == "chats":
            self.list_chats()
        elif name == "in":
            if not arg:
                raise StepError("укажите беседу: :in <номер или название>; список — :chats")
            self.place = self.chat_titled(arg)
            self.console.line(f"Теперь вы пишете в беседу «{self.place.title}».")
        elif name == "dm":
            self.place = None
            self.console.line("Теперь вы пишете боту в личный диалог.")
        elif name == "as":
            if not arg:
                raise StepError("укажите id или часть имени: :as 1001, :as Петрова")
            found = self.find_users(arg)
            if not found:
                raise StepError(f"нет пользователя «{arg}»; список — :users")
            if len(found) > 1:
                names = ", ".join(f"{self.full_name(u)} ({u.user_id})" for u in found)
                raise StepError(f"подходят несколько: {names}; уточните")
            self.current = found[0]
            self.console.line(
                f"Теперь вы пишете как {self.full_name(found[0])} ({found[0].user_id})."
            )
        elif name == "new":
            user = self.add_user(arg)
            self.current = user
            self.console.line(
                f"Добавлен пользователь {self.full_name(user)} ({user.user_id}); "
                "теперь вы пишете от его имени."
            )
        elif name == "press":
            user = self._need_user()
            if not arg:
                raise StepError("укажите номер кнопки: :press 1")
            button = self.find_button(user, arg, self.place)
            self.console.line(f"[{self.full_name(user)} нажимает «{button.label}»]")
            await self.act(lambda: self.press(user, button))
        elif name == "ref":
            user = self._need_user()
            if not arg:
                raise StepError("укажите код приглашения: :ref ABC123")
            code = arg.split()[0]
            self.console.line(f"[{self.full_name(user)}] {START_TEXT} (ref={code})")
            await self.act(lambda: user.send(START_TEXT, ref=code))
        else:
            raise StepError(f"неизвестная команда «:{name}»; список команд — :help")
        return True

    async def run_interactive(self, database: str) -> int:
        self.current = self.sandbox.user(ADMIN_ID)
        self.console.line(self.welcome(database))
        self.stdin = StdinLines(asyncio.get_running_loop())
        self.stdin.start()
        self.start_watching()
        try:
            while not self.stopping.is_set():
                self.waiting_for_input = True
                self.console.show_prompt()
                line = await self.stdin.get()
                self.waiting_for_input = False
                self.console.input_received()
                if line is None or not await self.handle(line):
                    break
        finally:
            await self.stop_watching()
        if self.console.prompt is not None:
            self.console.line()
        self.console.line("Песочница остановлена.")
        return EXIT_OK

    def request_stop(self) -> None:
        self.stopping.set()
        if self.stdin is not None:
            self.stdin.close()


# ---------------------------------------------------------------------------------- wiring


def state_file(database: Path) -> Path:
    """Where the sandbox's side of a kept database is saved: ``<database>.sandbox.json``."""
    return database.with_name(database.name + STATE_SUFFIX)


def save_state(sandbox: VKSandbox, path: Path) -> None:
    """Keeps what VK would remember between runs: the users added in the chat, whether each
    person allows the community's messages, the group chats, and the counters (long poll ts,
    message ids, each conversation's message numbers). Without them a new sandbox would
    number messages from 1 again, and the bot, which remembers the numbers it has seen in
    the kept database, would take new messages for old ones; and it would refuse every
    message to a person who has not written in this run (error 901)."""
    demo_ids = {person.user_id for person in DEMO_SCHOOL}
    state = {
        "version": STATE_VERSION,
        "users": [
            {"id": user.user_id, "first_name": user.first_name, "last_name": user.last_name}
            for user in sandbox.users.values()
            if user.user_id not in demo_ids
        ],
        "can_write": sorted(user.user_id for user in sandbox.users.values() if user.can_write),
        "chats": [
            {
                "id": chat.chat_id,
                "title": chat.title,
                "owner_id": chat.owner_id,
                "members": [
                    [m.member_id, m.invited_by, m.join_date] for m in chat.members.values()
                ],
                "bot_member": chat.bot_member,
                "bot_admin": chat.bot_admin,
                "invite_link": chat.invite_link,
            }
            for chat in sandbox.chats.values()
        ],
        "next_chat_id": sandbox._next_chat_id,
        "next_ts": sandbox.log.next_ts,
        "next_message_id": sandbox._next_message_id,
        "next_version": sandbox._next_version,
        "cmid": {str(peer_id): cmid for peer_id, cmid in sandbox._cmid.items()},
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def restore_state(sandbox: VKSandbox, path: Path) -> None:
    """Brings back what :func:`save_state` kept; ValueError if the file is not usable."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(state, dict) or state.get("version") not in (1, STATE_VERSION):
            raise ValueError("unknown format")
        for user in state["users"]:
            if int(user["id"]) not in sandbox.users:
                sandbox.add_user(
                    str(user["first_name"]), str(user["last_name"]), user_id=int(user["id"])
                )
        for user_id in state.get("can_write", ()):  # version 1 kept no permissions
            if int(user_id) in sandbox.users:
                sandbox.users[int(user_id)].can_write = True
        for chat in state.get("chats", ()):
            chat_id = int(chat["id"])
            if chat_id in sandbox.chats:
                continue
            members = {
                int(member_id): ChatMemberState(int(member_id), int(invited_by), int(joined))
                for member_id, invited_by, joined in chat["members"]
            }
            sandbox.chats[chat_id] = ChatState(
                chat_id=chat_id,
                title=str(chat["title"]),
                owner_id=int(chat["owner_id"]),
                members=members,
                bot_member=bool(chat["bot_member"]),
                bot_admin=bool(chat["bot_admin"]),
                invite_link=chat["invite_link"],
            )
            sandbox._chat_drivers[chat_id] = ChatDriver(sandbox, sandbox.chats[chat_id])
        sandbox._next_chat_id = max(sandbox._next_chat_id, int(state.get("next_chat_id", 1)))
        sandbox.log.next_ts = max(sandbox.log.next_ts, int(state["next_ts"]))
        sandbox._next_message_id = max(sandbox._next_message_id, int(state["next_message_id"]))
        sandbox._next_version = max(sandbox._next_version, int(state["next_version"]))
        for peer_id, cmid in dict(state["cmid"]).items():
            sandbox._cmid[int(peer_id)] = max(sandbox._cmid.get(int(peer_id), 0), int(cmid))
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise ValueError(str(error)) from None


def sandbox_settings(
    sandbox: VKSandbox, database: Path, log_level: str, flood_limit: int = 0
) -> Settings:
    """Settings for the bot against ``sandbox``; a ``.env`` is not read (the environment is,
    but everything the sandbox depends on is set here). The flood limit is off unless asked
    for: a script or a pasted conversation sends faster than a person types."""
    return load_settings(
        None,
        vk_token=sandbox.token,
        vk_api_url=sandbox.api_url,
        vk_group_id=sandbox.group_id,
        database_path=database,
        admin_ids=[ADMIN_ID],
        director_ids=[DIRECTOR_ID],
        school_name=SCHOOL_NAME,
        log_level=log_level,
        flood_limit=flood_limit,
    )


def _utf8_safe(stream: TextIO) -> None:
    if isinstance(stream, io.TextIOWrapper):
        with contextlib.suppress(ValueError, OSError):
            stream.reconfigure(errors="replace")


def _install_stop_handlers(chat: SandboxChat) -> list[signal.Signals]:
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, chat.request_stop)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # e.g. Windows: Ctrl+C arrives as KeyboardInterrupt instead
        installed.append(sig)
    return installed


async def _close_quietly(app: Application) -> None:
    """After a failed start: closes what was opened, ignoring what was not."""
    for name in ("api", "db"):
        part = getattr(app, name, None)
        if part is not None:
            with contextlib.suppress(Exception):
                await part.close()


async def _serve(
    steps: Sequence[Step] | None,
    script: Path | None,
    database: Path | None,
    log_level: str,
    flood_limit: int = 0,
) -> int:
    with contextlib.ExitStack() as stack:
        if database is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="sferum-sandbox-"))
            db_path = Path(folder) / "sandbox.sqlite3"
            db_label = "временная, удалится при выходе"
        else:
            db_path = database
            db_label = str(database)

        sandbox = VKSandbox(group_id=GROUP_ID, group_name=GROUP_NAME, rate_limit=20)
        await sandbox.start(host="127.0.0.1", port=0)
        try:
            try:
                settings = sandbox_settings(sandbox, db_path, log_level, flood_limit)
            except ConfigError as error:
                print("Настройки песочницы неверны:", file=sys.stderr)
                for line in error.lines:
                    print(f"  {line}", file=sys.stderr)
                return EXIT_BAD_INPUT
            configure(settings.log_level)

            interactive = steps is None
            chat = SandboxChat(sandbox, Console(sys.stdout), script_mode=not interactive)
            chat.populate()
            if database is not None and state_file(database).exists():
                try:
                    restore_state(sandbox, state_file(database))
                except ValueError as error:
                    print(
                        f"Состояние песочницы {state_file(database)} не прочитано ({error}); "
                        "начинаю с чистого листа.",
                        file=sys.stderr,
                    )
            if interactive and sys.stdin is not None and sys.stdin.isatty():
                chat.console.prompt = chat.prompt

            app = Application(settings)
            try:
                await app.start()
            except Exception as error:
                await _close_quietly(app)
                print(f"Не удалось запустить бота: {error}", file=sys.stderr)
                return EXIT_STEP_FAILED

            async def roles_of(user_id: int) -> list[str]:
                rows = await app.db.reader.roles.active_for(user_id)
                return [
                    role_name(row.role) + (f" {row.class_name}" if row.class_name else "")
                    for row in rows
                ]

            chat.roles_of = roles_of
            loop = asyncio.get_running_loop()
            installed = _install_stop_handlers(chat)
            try:
                if steps is None:
                    return await chat.run_interactive(db_label)
                assert script is not None
                return await chat.run_script(steps, script)
            finally:
                # A second Ctrl+C while stopping interrupts for real.
                for sig in installed:
                    loop.remove_signal_handler(sig)
                await app.stop()
                if database is not None:
                    try:
                        save_state(sandbox, state_file(database))
                    except OSError as error:
                        print(f"Состояние песочницы не сохранено: {error}", file=sys.stderr)
        finally:
            await sandbox.stop()


def run_sandbox(
    script: Path | None, database: Path | None, log_level: str = "WARNING", flood_limit: int = 0
) -> int:
    """The ``sferum-bot sandbox`` command; returns the exit code."""
    _utf8_safe(sys.stdout)
    _utf8_safe(sys.stderr)
    steps: list[Step] | None = None
    if script is not None:
        try:
            steps = parse_script(script.read_text(encoding="utf-8-sig"))
        except OSError as error:
            print(f"Не удалось прочитать сценарий {script}: {error.strerror}", file=sys.stderr)
            return EXIT_BAD_INPUT
        except UnicodeDecodeError:
            print(f"Сценарий {script} не в кодировке UTF-8", file=sys.stderr)
            return EXIT_BAD_INPUT
        except ScriptError as error:
            print(f"Сценарий {script}, {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
    try:
        return asyncio.run(_serve(steps, script, database, log_level, flood_limit))
    except KeyboardInterrupt:
        print("\nПрервано.", file=sys.stderr)
        return EXIT_INTERRUPTED


__all__ = ["DEMO_SCHOOL", "SCHOOL_NAME", "ScriptError", "Step", "parse_script", "run_sandbox"]
