"""The script player: ``sferum-bot sandbox --script FILE`` plays a conversation and prints its
transcript to stdout.

Script format, one step per line (UTF-8)::

    # a comment; blank lines are ignored too
    Имя Фамилия: текст      the user writes this text to the bot (unknown users are created)
    Имя Фамилия: [Кнопка]   the user presses the button with this label on the latest bot
                            message with buttons in their dialog (text and callback buttons)
    Имя Фамилия: ref=КОД    the user opens an invitation link: «Начать» carrying ref=КОД
                            (on MAX: the deep link's start payload, `bot_started`)
    Имя Фамилия: link=URL   the user follows a link the bot gave: MAX's deep link
                            https://max.ru/<bot>?start=КОД, or VK's https://vk.me/club…?ref=КОД
    Имя Фамилия: :chat new Беседа   a sandbox command done as this user (see :help)
    Имя Фамилия @ Беседа: текст     the user writes (or presses [Кнопка]) in a group chat

``{last_invite}`` in a step is the code of the latest invitation the bot issued; ``{id:1003}``
is user 1003 as the bot's commands name them (``id1003`` on VK, ``max:1003`` on MAX), so one
script plays on either messenger (``--messenger max``). The flood
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

import dataclasses
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from sandbox_chat.session import (
    CHAT_REMARK_TIMEOUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_STEP_FAILED,
    QUIET_SECONDS,
    REPLY_TIMEOUT,
    START_TEXT,
    SandboxChat,
    StepError,
)


class ScriptError(Exception):
    """A script line does not follow the format."""

    def __init__(self, line_no: int, reason: str) -> None:
        super().__init__(f"строка {line_no}: {reason}")
        self.line_no = line_no


@dataclass(frozen=True)
class Step:
    line_no: int
    who: str
    kind: Literal["send", "press", "ref", "open", "command"]
    value: str
    chat: str | None = None  # the group chat's title, for «Имя Фамилия @ Беседа: ...»

    def describe(self) -> str:
        who = f"{self.who} @ {self.chat}" if self.chat else self.who
        if self.kind == "press":
            return f"{who}: [{self.value}]"
        if self.kind == "ref":
            return f"{who}: {START_TEXT} (ref={self.value})"
        if self.kind == "open":
            return f"{who}: переходит по ссылке {self.value}"
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
        elif value.startswith("link="):
            link = value.removeprefix("link=").strip()
            if not link:
                raise ScriptError(line_no, "после link= нужна ссылка")
            if chat_title:
                raise ScriptError(line_no, "по ссылке бота переходят из личного диалога")
            steps.append(Step(line_no, who, "open", link))
        else:
            text_value = value[1:] if value.startswith("::") else value
            steps.append(Step(line_no, who, "send", text_value, chat_title))
    return steps


class ScriptPlayer(SandboxChat):
    """Plays a script's steps one by one, printing each step and what the bot did about it."""

    script_mode: ClassVar[bool] = True

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
        elif step.kind == "open":
            await self.open(user, value)
        else:
            await self.send_as(user, value, chat)
        return True

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
