"""The command line: settings validation, and a clean stop on SIGTERM."""

from __future__ import annotations

from pathlib import Path

from bot.texts import t
from tests.bot_process import bot_env, bot_process, run_cli
from vk_sandbox import VKSandbox


def test_a_missing_token_explains_how_to_get_one_and_exits_2(tmp_path: Path) -> None:
    result = run_cli("run", env={}, cwd=tmp_path)
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
    result = run_cli("check-config", env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]
    assert [line.split(":")[0] for line in lines] == ["ADMIN_IDS", "TIMEZONE", "INVITATION_TTL"]
    assert "Traceback" not in result.stderr


def test_check_config_prints_settings_with_the_token_masked(tmp_path: Path) -> None:
    token = "vk1.a.SECRETSECRETSECRET"
    (tmp_path / ".env").write_text(
        f"VK_TOKEN={token}\nSCHOOL_NAME=Гимназия № 44\nINVITATION_TTL=P7D\n", encoding="utf-8"
    )
    result = run_cli("check-config", env={"VK_GROUP_ID": "229000044"}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert token not in result.stdout
    assert "VK_GROUP_ID" in result.stdout and "229000044" in result.stdout
    assert "7 days" in result.stdout
    assert "Гимназия № 44" in result.stdout


async def test_sigterm_finishes_work_and_closes_cleanly(sandbox: VKSandbox, tmp_path: Path) -> None:
    env = bot_env(
        VK_TOKEN=sandbox.token,
        VK_API_URL=sandbox.api_url,
        DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
    )
    async with bot_process(env, tmp_path) as bot:
        user = sandbox.add_user(first_name="Анна", last_name="Кузнецова")
        await user.send("/help")
        assert (await user.wait_reply(timeout=20)).text == t("help_before_consent")
        log = await bot.stop()
    assert bot.returncode == 0, log
    assert "Bot stopped" in log
    assert "Traceback" not in log
