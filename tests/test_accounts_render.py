"""What shows a person shows their VK account, whatever the person's id at school.

A person's id inside the core is the school's own; texts that name a person by number
(`/verify 123`, `id123` for someone without a name) or link to them carry a marker that
the VK adapter renders with the VK user id of the person's account."""

from __future__ import annotations

from bot.conversation.identity import vk_account
from bot.conversation.outgoing import mention, mentioned_people, person_number, unnamed
from bot.texts import t
from bot.vk.outgoing import render_text
from tests.conftest import BotRunner
from tests.helpers import admin_user, ask
from tests.test_accounts_identity import VERA_PERSON, VERA_VK, teacher_known_by_school_id
from vk_sandbox import VKSandbox


def test_numbers_and_links_are_the_vk_accounts_not_the_school_ids() -> None:
    text = f"{unnamed(VERA_PERSON)}: /verify {person_number(VERA_PERSON)} " + mention(
        VERA_PERSON, unnamed(VERA_PERSON)
    )
    assert mentioned_people(text) == [VERA_PERSON] * 4
    assert render_text(text, {VERA_PERSON: VERA_VK}) == "id777: /verify 777 [id777|id777]"


def test_a_person_without_a_vk_account_is_named_but_not_linked_or_numbered() -> None:
    text = f"/verify {person_number(VERA_PERSON)} " + mention(VERA_PERSON, "Вера")
    assert render_text(text, {}) == "/verify ? Вера"


async def test_the_verify_list_shows_the_number_the_verify_command_takes(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    vera = await teacher_known_by_school_id(sandbox, bot)
    # She writes from her account first (VK lets a community write only to who wrote to it).
    assert (await ask(vera, "Начать")).text == t("greeting_known", name="Вера")
    listed = (await ask(admin, "/verify")).text
    assert f"/verify {VERA_VK}" in listed
    assert f"/verify {VERA_PERSON}" not in listed
    assert (await ask(admin, f"/verify {VERA_VK}")).text == t("verify_done", name="Орлова Вера")
    assert (await vera.wait_reply()).text == t("verify_you")


async def test_the_messenger_port_names_people_by_their_vk_accounts(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    sandbox.add_user("Вера", "Орлова", user_id=VERA_VK)
    sandbox.add_user("Пётр", "Пятый", user_id=VERA_PERSON)  # VK's user 5 is someone else
    async with bot.db.transaction() as tx:
        await tx.people.ensure(VERA_PERSON)
        await tx.accounts.link(vk_account(VERA_VK), VERA_PERSON)
    port = bot.app.services.messengers
    assert await port.user_names([VERA_PERSON]) == {VERA_PERSON: ("Вера", "Орлова")}
