"""The demo school the sandbox starts with, and the bot's settings against the sandbox.

    1001  Ирина Петрова        administrator (ADMIN_IDS)
    1002  Людмила Дровосекова  director (DIRECTOR_IDS)
    1003  Елена Смирнова       a teacher
    1004  Ольга Белова         a parent
    1005  Миша Белов           a student

The last three get their roles the way real people do: by invitation or join request.
The same people (by the same numbers) are there on VK and on MAX (``--messenger max``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings, load_settings
from max_sandbox import MaxSandbox
from vk_sandbox import VKSandbox

GROUP_ID = 229000044
GROUP_NAME = "Гимназия № 44 г. Твери"
SCHOOL_NAME = "МОУ «Гимназия № 44 г. Твери»"
MAX_BOT_USERNAME = "gym44_bot"  # the demo bot's deep links: https://max.ru/gym44_bot?start=…
ADMIN_ID = 1001
DIRECTOR_ID = 1002


@dataclass(frozen=True)
class DemoPerson:
    user_id: int
    first_name: str
    last_name: str
    note: str  # who they are in the demo school, shown by :users


DEMO_SCHOOL: tuple[DemoPerson, ...] = (
    DemoPerson(ADMIN_ID, "Ирина", "Петрова", "администратор «Сферума» в школе (ADMIN_IDS)"),
    DemoPerson(DIRECTOR_ID, "Людмила", "Дровосекова", "директор (DIRECTOR_IDS)"),
    DemoPerson(1003, "Елена", "Смирнова", "учитель"),
    DemoPerson(1004, "Ольга", "Белова", "родитель"),
    DemoPerson(1005, "Миша", "Белов", "ученик"),
)


def make_sandbox(messenger: str) -> VKSandbox | MaxSandbox:
    """The demo school's sandbox on ``messenger`` ("vk" or "max"), not started yet; with the
    messenger's own request limit on (VK's 20 a second, MAX's 30)."""
    if messenger == "max":
        return MaxSandbox(bot_name=GROUP_NAME, bot_username=MAX_BOT_USERNAME, rate_limit=30)
    return VKSandbox(group_id=GROUP_ID, group_name=GROUP_NAME, rate_limit=20)


def sandbox_settings(
    sandbox: VKSandbox | MaxSandbox, database: Path, log_level: str, flood_limit: int = 0
) -> Settings:
    """Settings for the bot against ``sandbox``; a ``.env`` is not read (the environment is,
    but everything the sandbox depends on is set here, the other messenger's token switched
    off so that nothing goes to a real messenger). The flood limit is off unless asked
    for: a script or a pasted conversation sends faster than a person types."""
    if isinstance(sandbox, MaxSandbox):
        return load_settings(
            None,
            vk_token=None,
            max_token=sandbox.token,
            max_api_url=sandbox.api_url,
            max_webhook_url=None,
            database_path=database,
            admin_ids=[f"max:{ADMIN_ID}"],
            director_ids=[f"max:{DIRECTOR_ID}"],
            school_name=SCHOOL_NAME,
            log_level=log_level,
            flood_limit=flood_limit,
        )
    return load_settings(
        None,
        vk_token=sandbox.token,
        vk_api_url=sandbox.api_url,
        vk_group_id=sandbox.group_id,
        max_token=None,
        database_path=database,
        admin_ids=[ADMIN_ID],
        director_ids=[DIRECTOR_ID],
        school_name=SCHOOL_NAME,
        log_level=log_level,
        flood_limit=flood_limit,
    )
