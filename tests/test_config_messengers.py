"""VK, MAX or both: which messengers are on is the settings' to say, and check-config says it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.conversation.identity import MAX, VK, max_account, vk_account
from tests.bot_process import run_cli


def test_max_alone_is_a_valid_setup_and_check_config_says_so(tmp_path: Path) -> None:
    result = run_cli(
        "check-config",
        env={"MAX_TOKEN": "m" * 30, "ADMIN_IDS": "max:501,vk:12", "DIRECTOR_IDS": "max:502"},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines()[1:] if line.strip())
    assert lines["MESSENGERS"] == "MAX"
    assert lines["VK_TOKEN"] == "(none: off)"
    assert lines["MAX_TOKEN"] == "mmmm…mm"
    assert lines["MAX_WEBHOOK_URL"] == "(none: long polling)"
    assert lines["ADMIN_IDS"] == "max:501,vk:12"


def test_both_messengers_are_named_vk_first(tmp_path: Path) -> None:
    settings = load_settings(None, vk_token="v" * 20, max_token="m" * 20)
    assert settings.messengers == (VK, MAX)
    assert settings.masked()["MESSENGERS"] == "ВКонтакте, MAX"


def test_no_messenger_at_all_is_a_settings_error(tmp_path: Path) -> None:
    result = run_cli("check-config", env={"MAX_TOKEN": "  "}, cwd=tmp_path)
    assert result.returncode == 2
    assert "no messenger is switched on: set VK_TOKEN, MAX_TOKEN or both" in result.stderr
    assert "MAX_TOKEN=" in result.stderr  # how to get one is explained


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"max_webhook_url": "http://bot.school.ru/max"}, "MAX_WEBHOOK_URL"),
        ({"max_webhook_listen": "8443"}, "MAX_WEBHOOK_LISTEN"),
        ({"max_api_url": "platform-api.max.ru"}, "MAX_API_URL"),
        ({"max_rps": "0"}, "MAX_RPS"),
        ({"admin_ids": "max:abc"}, "ADMIN_IDS"),
    ],
)
def test_a_bad_max_setting_gets_its_own_line(overrides: dict[str, str], field: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(None, max_token="m" * 20, **overrides)
    assert [line.split(":")[0] for line in error.value.lines] == [field]


def test_accounts_of_both_messengers_in_admin_ids() -> None:
    settings = load_settings(None, max_token="m" * 20, admin_ids="max:7, 8 ,vk:9")
    assert settings.admin_ids == [max_account(7), vk_account(8), vk_account(9)]
    webhook = load_settings(None, max_token="m" * 20, max_webhook_url="https://bot.school.ru/m")
    assert webhook.max_webhook_url == "https://bot.school.ru/m"
