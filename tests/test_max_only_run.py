"""`sferum-bot run` with MAX_TOKEN alone (no VK_TOKEN): the process starts on MAX, answers,
and stops cleanly on SIGTERM; its logs at INFO hold no name nor message text."""

from __future__ import annotations

from pathlib import Path

from bot.texts import t
from max_sandbox import MaxSandbox
from tests.bot_process import bot_env, bot_process
from tests.max_support import sb  # noqa: F401


async def test_a_max_only_bot_runs_answers_and_stops_cleanly(
    sb: MaxSandbox,  # noqa: F811
    tmp_path: Path,
) -> None:
    env = bot_env(
        MAX_TOKEN=sb.token,
        MAX_API_URL=sb.api_url,
        DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
    )
    async with bot_process(env, tmp_path) as bot:
        user = sb.add_user(first_name="Анастасия", last_name="Кузнецова")
        await user.send("/help")  # opening the bot first: greeted, asked for consent
        replies = await user.wait_replies(3, timeout=20)
        assert replies[-1].text == t("help_before_consent")
        log = await bot.stop()
    assert bot.returncode == 0, log
    assert "Bot started on max" in log
    assert "Bot stopped" in log
    assert "Traceback" not in log
    assert "Анастасия" not in log and "/help" not in log
