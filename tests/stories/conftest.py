"""The stories suite runs each user story on VK and on MAX: `sandbox` is the sandbox of the
`messenger` parameter, and tests/conftest.py's bot fixtures (`bot`, `start_bot`,
`patient_bot`, `clocked_bot`) start the real bot configured for that messenger only (its
token and the sandbox's URL; ADMIN_IDS and DIRECTOR_IDS as `vk:…` or `max:…`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.conversation.identity import MAX, VK
from max_sandbox import MaxSandbox
from tests.conftest import ADMIN_ID, DIRECTOR_ID, GROUP_ID, make_settings
from vk_sandbox import VKSandbox

MESSENGERS = (VK, MAX)
SCHOOL = "МОУ «Гимназия № 44 г. Твери»"


def make_max_settings(sandbox: MaxSandbox, database: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "max_token": sandbox.token,
        "max_api_url": sandbox.api_url,
        "database_path": database,
        # The same people as on VK, by their MAX accounts.
        "admin_ids": [f"max:{ADMIN_ID}"],
        "director_ids": [f"max:{DIRECTOR_ID}"],
        "school_name": SCHOOL,
        "timezone": "Europe/Moscow",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture(params=MESSENGERS)
def messenger(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def sandbox(messenger: str) -> AsyncIterator[VKSandbox | MaxSandbox]:
    if messenger == VK:
        async with VKSandbox(group_id=GROUP_ID, group_name="Гимназия № 44 г. Твери") as vk:
            yield vk
    else:
        # MAX's limit stays on (30 requests a second): the bot must keep under it itself.
        async with MaxSandbox(bot_name="Гимназия № 44 г. Твери") as max_sb:
            yield max_sb


@pytest.fixture
def settings_for(sandbox: VKSandbox | MaxSandbox, tmp_path: Path) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        database = tmp_path / "bot.sqlite3"
        if isinstance(sandbox, MaxSandbox):
            return make_max_settings(sandbox, database, **overrides)
        return make_settings(sandbox, database, **overrides)

    return build
