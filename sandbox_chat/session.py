"""The running sandbox seen from a user's side: the people, what the bot did, and what a
person can do (write, press, open an invitation, the ``:`` commands). The terminal chat
(:mod:`sandbox_chat.terminal`) and the script player (:mod:`sandbox_chat.script`) drive it.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from sandbox_chat.console import Console
from sandbox_chat.demo import DEMO_SCHOOL
from sandbox_chat.drivers import (
    ButtonView,
    ChatView,
    MessageView,
    SandboxView,
    UserView,
    callback_answers,
    chat_of_peer,
    invite_code,
    is_bot,
    keyboard_rows,
    open_link,
    person_ref,
    shown_text,
)

# The chat works with either sandbox (VK's or MAX's) through the drivers' shared interface.
BotMessage = MessageView
Button = ButtonView
ChatDriver = ChatView
UserDriver = UserView

EXIT_OK = 0
EXIT_STEP_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

# What VK sends when a person opens the dialog or an invitation link; on MAX the sandbox's
# driver turns it into `bot_started` (with the deep link's payload) for a person who has not
# opened the bot yet.
START_TEXT = "Начать"

# How long to wait for the bot: the first reply to a step, then silence meaning "done".
REPLY_TIMEOUT = 5.0
QUIET_SECONDS = 0.4
MAX_SETTLE_SECONDS = 30.0
CHAT_REMARK_TIMEOUT = 1.5
POLL_SECONDS = 0.05

# In a script or a chat line, replaced by the code of the latest invitation the bot issued.
LAST_INVITE = "{last_invite}"
# In a script or a chat line, {id:1003} is user 1003 as the bot's commands name them on the
# sandbox's messenger: `id1003` on VK, `max:1003` on MAX (so one script plays on both).
_PERSON_REF = re.compile(r"\{id:(\d+)\}")

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
  :open <ссылка>      перейти по ссылке бота: https://max.ru/<бот>?start=<код> в MAX,
                      https://vk.me/club…?ref=<код> во ВКонтакте
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
последнего приглашения, {id:1003} — тем, как команды бота называют пользователя 1003
(id1003 во ВКонтакте, max:1003 в MAX).
Кнопки: [N] надпись; * — callback-кнопка (бот отвечает всплывающим уведомлением);
«кнопки в сообщении» — кнопки под сообщением, без пометки — клавиатура чата."""


class StepError(Exception):
    """A user action cannot be done (no such button, no such user...); the text is readable."""


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
    sizes = tuple(len(row) for row in keyboard_rows(message))
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
            elif button.type not in ("text", "message", "callback"):  # MAX's text button: message
                cell += f" ({button.type})"
            cells.append(cell)
        if cells:
            lines.append("  " + "  ".join(cells))
    if inline and lines:
        lines[-1] += "   (кнопки в сообщении)"
    return lines


# ---------------------------------------------------------------------------------- session


class SandboxChat:
    """The running sandbox seen from the terminal: users, what the bot did, and actions.

    Driven by :class:`sandbox_chat.terminal.TerminalChat` (lines typed or piped in) or by
    :class:`sandbox_chat.script.ScriptPlayer` (a script's steps)."""

    # A script's transcript is shown step by step; the terminal chat shows replies as they come.
    script_mode: ClassVar[bool] = False

    def __init__(self, sandbox: SandboxView, console: Console) -> None:
        self.sandbox = sandbox
        self.console = console
        self.current: UserDriver | None = None
        self.stopping = asyncio.Event()
        self.activity = 0
        self.waiting_for_input = False
        self._sent_seen = 0
        self._answers_seen: dict[int, int] = {}
        self._shown: dict[int | str, tuple[str, tuple[str, ...]]] = {}
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
        chat_id = chat_of_peer(self.sandbox, peer_id)
        if chat_id is not None:
            chat = self.sandbox.chats.get(chat_id)
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
        for user_id, inbox in list(callback_answers(sandbox).items()):
            seen = self._answers_seen.get(user_id, 0)
            for data in inbox.items[seen:]:
                actions.append(self._answer_action(user_id, data))
            self._answers_seen[user_id] = len(inbox.items)
        for message in sandbox.sent[: self._sent_seen]:
            if message.edited and self._shown.get(message.id) != self._snapshot(message):
                actions.append(self._message_action("edit", message))
        for message in sandbox.sent[self._sent_seen :]:
            actions.append(self._message_action("message", message))
            invite = invite_code(message.text)
            if invite is not None:
                self.last_invite = invite
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
            text=shown_text(message),
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
        """``text`` with {last_invite} replaced by the latest invitation's code, and {id:N} by
        how commands name user N on this messenger (``idN`` on VK, ``max:N`` on MAX)."""
        text = _PERSON_REF.sub(lambda m: person_ref(self.sandbox, int(m.group(1))), text)
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

    # ------------------------------------------------------------------ commands

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
        if query.lstrip("-").isdigit():  # MAX's group chats have negative ids
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
            people = [
                self.recipient(member_id)
                for member_id in chat.member_ids
                if not is_bot(self.sandbox, member_id)
            ]
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
        elif name == "open":
            user = self._need_user()
            if not arg:
                raise StepError("укажите ссылку: :open https://max.ru/<бот>?start=<код>")
            link = arg.split()[0]
            self.console.line(f"[{self.full_name(user)} переходит по ссылке {link}]")
            await self.act(lambda: self.open(user, link))
        else:
            raise StepError(f"неизвестная команда «:{name}»; список команд — :help")
        return True

    async def open(self, user: UserDriver, link: str) -> None:
        try:
            await open_link(user, link)
        except ValueError as error:
            raise StepError(f"по ссылке не перейти: {error}") from None

    def request_stop(self) -> None:
        self.stopping.set()
