"""The command line: settings validation, and a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.texts import t
from vk_sandbox import VKSandbox

ROOT = Path(__file__).resolve().parents[1]


def _run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VK_", "MAX_", "ADMIN_", "DIRECTOR_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_missing_token_explains_how_to_get_one_and_exits_2(tmp_path: Path) -> None:
    result = _run_cli("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "VK_TOKEN, MAX_TOKEN or both" in result.stderr
    assert "sferum-bot sandbox" in result.stderr
    assert "Traceback" not in result.stderr


def test_each_bad_setting_gets_one_readable_line(tmp_path: Path) -> None:
    env = {
        "VK_TOKEN": "x" * 20,
        "ADMIN_IDS": "12,abc",
        "TIMEZONE": "Europe/Atlantis",
        "INVITATION_TTL": "two weeks",
    }
    result = _run_cli("check-config", env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert [line.split(":")[0] for line in lines] == ["ADMIN_IDS", "TIMEZONE", "INVITATION_TTL"]
    assert "Traceback" not in result.stderr


def test_check_config_prints_settings_with_the_token_masked(tmp_path: Path) -> None:
    token = "vk1.a.SECRETSECRETSECRET"
    (tmp_path / ".env").write_text(
        f"VK_TOKEN={token}\nSCHOOL_NAME=Гимназия № 44\nINVITATION_TTL=P7D\n", encoding="utf-8"
    )
    result = _run_cli("check-config", env={"VK_GROUP_ID": "229000044"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert token not in result.stdout
    assert "VK_GROUP_ID" in result.stdout and "229000044" in result.stdout
    assert "7 days" in result.stdout
    assert "Гимназия № 44" in result.stdout


async def test_sigterm_finishes_work_and_closes_cleanly(sandbox: VKSandbox, tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VK_", "ADMIN_"))}
    env = {
        **clean,
        "PYTHONPATH": str(ROOT),
        "VK_TOKEN": sandbox.token,
        "VK_API_URL": sandbox.api_url,
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
            assert line, "the bot exited before starting"
            started += line
        user = sandbox.add_user(first_name="Анна", last_name="Кузнецова")
        await user.send("/help")
        assert (await user.wait_reply(timeout=20)).text == t("help_before_consent")
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    finally:
        if process.returncode is None:
            process.kill()
    log = (started + stderr).decode(errors="replace")
    assert process.returncode == 0, log
    assert "Bot stopped" in log
    assert "Traceback" not in log
