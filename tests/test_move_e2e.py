"""The move end to end, the bot on VK and MAX at once, each against its sandbox over HTTP: a
teacher known on VK links her MAX account by the deep link `/link_max` gives and keeps her
roles there; a parent who started on MAX links VK the other way (`/link_vk`)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.conversation.identity import MAX, VK, max_account, vk_account
from bot.texts import BUTTONS, t
from max_sandbox import MaxSandbox
from tests.conftest import ADMIN_ID, BotRunner, make_settings
from tests.helpers import admin_user, ask, drain, invitation_code, verified_teacher
from tests.max_support import ask as ask_max
from tests.max_support import consented, sb  # noqa: F401
from tests.max_support import drain as drain_max
from vk_sandbox import VKSandbox

MAX_LINK = re.compile(r"https://max\.ru/\w+\?start=link_[A-Za-z0-9_-]+")
# An admin of the school who reads the bot in MAX.
MAX_ADMIN = 5001
VK_LINK = re.compile(r"https://vk\.me/club\d+\?ref=(link_[A-Za-z0-9_-]+)")


@pytest.fixture
async def both(
    sandbox: VKSandbox,
    sb: MaxSandbox,  # noqa: F811
    tmp_path: Path,
) -> AsyncIterator[Callable[[], BotRunner]]:
    settings = make_settings(
        sandbox,
        tmp_path / "bot.sqlite3",
        max_token=sb.token,
        max_api_url=sb.api_url,
        admin_ids=[ADMIN_ID, f"max:{MAX_ADMIN}"],
    )
    runner = BotRunner(settings, extra={"run_scheduler": False})
    await runner.start()
    try:
        yield lambda: runner
    finally:
        await runner.stop()


async def test_a_vk_teacher_opens_her_link_in_max_and_is_herself_there(
    sandbox: VKSandbox,
    sb: MaxSandbox,  # noqa: F811
    both: Callable[[], BotRunner],
) -> None:
    bot = both()
    admin = await admin_user(sandbox)
    teacher = await verified_teacher(sandbox, admin, "Елена", "Смирнова")
    reply = await ask(teacher, "/link_max")
    match = MAX_LINK.search(reply.text)
    assert match, reply.text
    assert match[0].startswith(f"https://max.ru/{sb.bot_username}?start=link_")

    elena = sb.add_user(first_name="Елена", last_name="Смирнова")
    await elena.open_link(match[0])
    done = t("link_done", reached="в MAX")
    assert (await elena.wait_reply()).text == done
    assert (await teacher.wait_reply()).text == done
    person = await bot.db.reader.accounts.person_of(vk_account(teacher.user_id))
    assert await bot.db.reader.accounts.person_of(max_account(elena.user_id)) == person

    # In MAX she is the verified teacher she is on VK: no consent asked, her commands work.
    webinars = await ask_max(elena, "/webinars")
    assert webinars.text == (await ask(teacher, "/webinars")).text
    assert (await ask_max(elena, "/link_vk")).text == t(
        "link_already", where="во ВКонтакте", reached="в MAX"
    )
    # What the admin decides about her now reaches her in MAX, where she linked last.
    await ask(admin, "/class_add 5А")
    await ask(admin, f"/class_teacher 5А id{teacher.user_id}")
    told = await elena.wait_reply()
    assert "5А" in told.text
    assert await drain(teacher) == []


async def test_a_parent_who_started_in_max_links_vk_the_other_way(
    sandbox: VKSandbox,
    sb: MaxSandbox,  # noqa: F811
    both: Callable[[], BotRunner],
) -> None:
    bot = both()
    olga_max = await consented(sb, "Ольга", "Белова")
    await drain_max(olga_max)
    reply = await ask_max(olga_max, "/link_vk")
    match = VK_LINK.search(reply.text)
    assert match, reply.text

    olga_vk = sandbox.add_user(first_name="Ольга", last_name="Белова")
    await olga_vk.send("Начать", ref=match[1], ref_source="vk.me")
    done = t("link_done", reached="во ВКонтакте")
    assert (await olga_vk.wait_reply()).text == done
    assert (await olga_max.wait_reply()).text == done
    person = await bot.db.reader.accounts.person_of(max_account(olga_max.user_id))
    assert await bot.db.reader.accounts.person_of(vk_account(olga_vk.user_id)) == person
    assert (await bot.db.reader.accounts.reach([person]))[person] == VK
    # Both messengers are hers: /messenger offers them, and MAX can be chosen back.
    choice = await ask(olga_vk, "/messenger")
    await olga_vk.press(choice.button("MAX"))
    await olga_vk.wait_event_answer()
    assert (await olga_vk.wait_reply()).text == t("messenger_chosen", reached="в MAX")
    assert (await bot.db.reader.accounts.reach([person]))[person] == MAX
    await drain(olga_vk)


async def test_an_admin_in_max_is_told_a_vk_teachers_account_to_type_back(
    sandbox: VKSandbox,
    sb: MaxSandbox,  # noqa: F811
    both: Callable[[], BotRunner],
) -> None:
    both()
    irina = await consented(sb, "Ирина", "Петрова", user_id=MAX_ADMIN)
    await drain_max(irina)
    code = invitation_code(await ask_max(irina, "/invite teacher"))
    teacher = sandbox.add_user(first_name="Елена", last_name="Смирнова")
    await teacher.send("Начать")
    consent = (await teacher.wait_replies(2))[-1]
    await teacher.press(consent.button(BUTTONS["agree"]))
    await drain(teacher)
    assert (await ask(teacher, f"/join {code}")).text == t("join_teacher_done")
    # Irina reads in MAX, where the teacher has no account: her VK one, written out.
    waiting = await irina.wait_reply()
    assert waiting.text.endswith(f"/verify vk:{teacher.user_id}")
    assert f"/verify vk:{teacher.user_id}" in (await ask_max(irina, "/verify")).text
    done = await ask_max(irina, f"/verify vk:{teacher.user_id}")
    assert done.text == t("verify_done", name="Смирнова Елена")
