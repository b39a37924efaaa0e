"""The terminal chat: ``sferum-bot sandbox`` without ``--script``.

It reads lines from stdin (a terminal or a pipe). A line is sent to the bot as the current
user; lines starting with ``:`` are sandbox commands (``:help`` lists them; ``::text`` sends
``:text``). The bot's replies to anyone are printed as they arrive::

    [бот → Анна Кузнецова] текст
      [1] Согласен(на)*  [2] Не согласен(на)*   (кнопки в сообщении)

``*`` marks callback buttons (the bot answers them with a snackbar); ``(кнопки в сообщении)``
marks an inline keyboard, no mark a chat keyboard. EOF, ``:quit`` or Ctrl+C stop the bot and
the sandbox cleanly.
"""

from __future__ import annotations

import asyncio

from sandbox_chat.console import Console, StdinLines
from sandbox_chat.demo import ADMIN_ID, SCHOOL_NAME
from sandbox_chat.drivers import MAX, SandboxView, messenger_of
from sandbox_chat.session import EXIT_OK, START_TEXT, SandboxChat, StepError


class TerminalChat(SandboxChat):
    """Lines typed in a terminal (or piped in) as the current user, replies shown as they come."""

    def __init__(self, sandbox: SandboxView, console: Console) -> None:
        super().__init__(sandbox, console)
        self.stdin: StdinLines | None = None

    def welcome(self, database: str) -> str:
        current = self.current
        who = f"{self.full_name(current)} ({current.user_id})" if current else "—"
        api = "MAX Bot API" if messenger_of(self.sandbox) == MAX else "VK API"
        return (
            f"Песочница бота «Сферума»: настоящий бот разговаривает с локальной копией {api},\n"
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
        super().request_stop()
        if self.stdin is not None:
            self.stdin.close()
