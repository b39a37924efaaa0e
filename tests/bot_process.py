"""`python -m bot` as a process of its own, as an operator runs it: started with a clean
environment (no settings leak in from the test run's own), read until it says it started,
stopped with SIGTERM. The VK and MAX runs share it (tests/test_cli.py, test_max_only_run.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Settings the test run may carry in its own environment; the process gets only the test's.
SETTING_PREFIXES = ("VK_", "MAX_", "ADMIN_", "DIRECTOR_")


def bot_env(**settings: str) -> dict[str, str]:
    """The environment a bot process runs in: the test run's, less its settings, plus these."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SETTING_PREFIXES)}
    return {**clean, "PYTHONPATH": str(ROOT), **settings}


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m bot <args>` run to its end, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=bot_env(**env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    started: bytes  # what it logged until "Bot started"

    async def stop(self) -> str:
        """SIGTERM; returns everything it logged (it must have exited by then)."""
        self.process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(self.process.communicate(), timeout=20)
        return (self.started + stderr).decode(errors="replace")

    @property
    def returncode(self) -> int | None:
        return self.process.returncode


@asynccontextmanager
async def bot_process(env: dict[str, str], cwd: Path) -> AsyncIterator[BotProcess]:
    """A started bot; killed on the way out if the test did not stop it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    started = b""
    try:
        assert process.stderr is not None
        while b"Bot started" not in started:
            line = await asyncio.wait_for(process.stderr.readline(), timeout=30)
            assert line, f"the bot exited before starting: {started.decode(errors='replace')}"
            started += line
        yield BotProcess(process, started)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
