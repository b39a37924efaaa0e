"""The terminal's input and output, knowing nothing of the bot: a console that keeps a
prompt, and stdin's lines delivered to the event loop."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import sys
import threading
from collections.abc import Callable
from typing import TextIO


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
