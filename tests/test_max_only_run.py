"""`sferum-bot run` with MAX_TOKEN alone (no VK_TOKEN): the process starts on MAX, answers,
and stops cleanly on SIGTERM; its logs at INFO hold no name nor message text."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.texts import t
from max_sandbox import MaxSandbox
from tests.max_support import sb  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


async def test_a_max_only_bot_runs_answers_and_stops_cleanly(
    sb: MaxSandbox,  # noqa: F811
    tmp_path: Path,
) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VK_", "MAX_", "ADMIN_"))}
    env = {
        **clean,
        "PYTHONPATH": str(ROOT),
        "MAX_TOKEN": sb.token,
        "MAX_API_URL": sb.api_url,
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=env,
        cwd=tmp_path,
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
        user = sb.add_user(first_name="Анастасия", last_name="Кузнецова")
        await user.send("/help")  # opening the bot first: greeted, asked for consent
        replies = await user.wait_replies(3, timeout=20)
        assert replies[-1].text == t("help_before_consent")
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    finally:
        if process.returncode is None:
            process.kill()
    log = (started + stderr).decode(errors="replace")
    assert process.returncode == 0, log
    assert "Bot started on max" in log
    assert "Bot stopped" in log
    assert "Traceback" not in log
    assert "Анастасия" not in log and "/help" not in log
