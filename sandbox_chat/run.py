"""The wiring of ``sferum-bot sandbox``: the sandbox on loopback, the real bot against it, the
chat or the script player between them, and a clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import io
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.app import Application
from bot.config import ConfigError
from bot.conversation.identity import MAX, Account
from bot.logs import configure
from bot.texts import role_name
from sandbox_chat.console import Console
from sandbox_chat.demo import make_sandbox, sandbox_settings
from sandbox_chat.script import ScriptError, ScriptPlayer, Step, parse_script
from sandbox_chat.session import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_STEP_FAILED, SandboxChat
from sandbox_chat.state import restore_state, save_state, state_file
from sandbox_chat.terminal import TerminalChat


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
    messenger: str = "vk",
) -> int:
    with contextlib.ExitStack() as stack:
        if database is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="sferum-sandbox-"))
            db_path = Path(folder) / "sandbox.sqlite3"
            db_label = "временная, удалится при выходе"
        else:
            db_path = database
            db_label = str(database)

        sandbox = make_sandbox(messenger)
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

            console = Console(sys.stdout)
            chat: TerminalChat | ScriptPlayer = (
                TerminalChat(sandbox, console) if steps is None else ScriptPlayer(sandbox, console)
            )
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
            if isinstance(chat, TerminalChat) and sys.stdin is not None and sys.stdin.isatty():
                chat.console.prompt = chat.prompt

            app = Application(settings)
            try:
                await app.start()
            except Exception as error:
                await _close_quietly(app)
                print(f"Не удалось запустить бота: {error}", file=sys.stderr)
                return EXIT_STEP_FAILED

            async def roles_of(user_id: int) -> list[str]:
                # The sandbox's user is an account on its messenger; roles belong to the
                # school's person behind it.
                account = Account(MAX if messenger == MAX else "vk", str(user_id))
                person = await app.db.reader.accounts.person_of(account)
                if person is None:
                    return []
                rows = await app.db.reader.roles.active_for(person)
                return [
                    role_name(row.role) + (f" {row.class_name}" if row.class_name else "")
                    for row in rows
                ]

            chat.roles_of = roles_of
            loop = asyncio.get_running_loop()
            installed = _install_stop_handlers(chat)
            try:
                if isinstance(chat, TerminalChat):
                    return await chat.run_interactive(db_label)
                assert steps is not None
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
    script: Path | None,
    database: Path | None,
    log_level: str = "WARNING",
    flood_limit: int = 0,
    messenger: str = "vk",
) -> int:
    """The ``sferum-bot sandbox`` command (on ``messenger``: "vk" or "max"); returns the exit
    code."""
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
        return asyncio.run(_serve(steps, script, database, log_level, flood_limit, messenger))
    except KeyboardInterrupt:
        print("\nПрервано.", file=sys.stderr)
        return EXIT_INTERRUPTED
