"""The demo school the sandbox starts with, and the bot's settings against the sandbox.

    1001  Ирина Петрова        administrator (ADMIN_IDS)
    1002  Людмила Дровосекова  director (DIRECTOR_IDS)
    1003  Елена Смирнова       a teacher
    1004  Ольга Белова         a parent
    1005  Миша Белов           a student

The last three get their roles the way real people do: by invitation or join request.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings, load_settings
from vk_sandbox import VKSandbox

GROUP_ID = 229000044
GROUP_NAME = "Гимназия № 44 г. Твери"
SCHOOL_NAME = "МОУ «Гимназия № 44 г. Твери»"
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


def sandbox_settings(
    sandbox: VKSandbox, database: Path, log_level: str, flood_limit: int = 0
) -> Settings:
    """Settings for the bot against ``sandbox``; a ``.env`` is not read (the environment is,
    but everything the sandbox depends on is set here). The flood limit is off unless asked
    for: a script or a pasted conversation sends faster than a person types."""
    return load_settings(
        None,
        vk_token=sandbox.token,
        vk_api_url=sandbox.api_url,
        vk_group_id=sandbox.group_id,
        database_path=database,
        admin_ids=[ADMIN_ID],
        director_ids=[DIRECTOR_ID],
        school_name=SCHOOL_NAME,
        log_level=log_level,
        flood_limit=flood_limit,
    )
