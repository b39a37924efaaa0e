"""First contact on both messengers: a newcomer is greeted and asked for consent, an
invitation's code survives until consent, help and the menu come with buttons.

On VK opening the bot is the "Начать" message (with `ref` from a vk.me link); on MAX it is the
`bot_started` update (with the deep link's `payload`): the drivers' `send("Начать", ref=…)`
plays whichever the messenger has."""

from __future__ import annotations

import asyncio

from bot.domain.invitations import hash_code
from bot.texts import BUTTONS, t, t_on
from max_sandbox import MaxSandbox
from tests.conftest import ADMIN_ID, BotRunner
from tests.helpers import Sandbox, consented_user, drain, person_of


async def test_a_newcomer_is_greeted_by_name_agrees_and_gets_the_menu(
    sandbox: Sandbox, bot: BotRunner, messenger: str
) -> None:
    anna = sandbox.add_user(first_name="Анна", last_name="Кузнецова")
    await anna.send("Начать")

    greeting, consent = await anna.wait_replies(2)
    assert "Здравствуйте, Анна!" in greeting.text
    # Each messenger's own words: «учебный профиль VK Мессенджера», «идентификатор в MAX».
    school = bot.settings.school_name
    assert greeting.text == t_on(messenger, "greeting_new", name="Анна", school=school)
    assert consent.text == t_on(messenger, "consent_request")
    assert ("ВКонтакте" in consent.text) is (messenger == "vk")
    assert [b.label for b in consent.buttons] == [BUTTONS["agree"], BUTTONS["decline"]]
    assert all(b.type == "callback" for b in consent.buttons)
    if isinstance(sandbox, MaxSandbox):
        # MAX: opening the bot is `bot_started`, not a message the person wrote.
        assert [u["update_type"] for u in sandbox.updates][:1] == ["bot_started"]

    await anna.press(consent.button(BUTTONS["agree"]))
    answer = await anna.wait_event_answer()
    assert answer["text"] == t("consent_given")  # a snackbar on VK, a notification on MAX
    thanks = await anna.wait_reply()
    assert thanks.text.startswith(t("consent_given"))
    assert BUTTONS["help"] in thanks.labels
    person = await bot.db.reader.people.get(await person_of(bot.db, anna))
    assert person is not None and person.full_name == "Кузнецова Анна"
    assert person.consent_at is not None


async def test_declining_stores_nothing(sandbox: Sandbox, bot: BotRunner) -> None:
    oleg = sandbox.add_user(first_name="Олег", last_name="Соколов")
    await oleg.send("Начать")
    _, consent = await oleg.wait_replies(2)
    await oleg.press(consent.button(BUTTONS["decline"]))
    assert (await oleg.wait_reply()).text == t("consent_declined")
    person = await bot.db.reader.people.get(await person_of(bot.db, oleg))
    assert person is None or person.full_name is None


async def test_an_invitation_code_is_kept_before_consent_and_acted_on_after(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    maria = sandbox.add_user(first_name="Мария", last_name="Орлова")
    await maria.send("Начать", ref="INVITECODE123", ref_source="vk.me")
    greeting, consent = await maria.wait_replies(2)
    assert t("ref_kept") in greeting.text
    person = await bot.db.reader.people.get(await person_of(bot.db, maria))
    assert person is not None and person.pending_ref == hash_code("INVITECODE123")

    await maria.press(consent.button(BUTTONS["agree"]))
    replies = await maria.wait_replies(2)
    assert replies[-1].text == t("join_wrong")  # checked after consent; never issued


async def test_the_admin_from_settings_gets_the_role_on_consent(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    # ADMIN_IDS names vk:1001 or max:1001: the same person on either messenger.
    admin = sandbox.add_user(first_name="Ирина", last_name="Петрова", user_id=ADMIN_ID)
    await admin.send("/agree")
    assert "администратор" in (await admin.wait_reply()).text
    roles = await bot.db.reader.roles.active_for(await person_of(bot.db, admin))
    assert {r.role for r in roles} == {"admin"}


async def test_help_and_the_menu_answer_with_buttons(sandbox: Sandbox, bot: BotRunner) -> None:
    stranger = sandbox.add_user(first_name="Гость", last_name="Гостев")
    if isinstance(sandbox, MaxSandbox):
        # On MAX nobody writes to a bot before opening it (`bot_started`: the greeting and
        # the consent request); on VK a first message may be anything.
        await stranger.send("Начать")
        await stranger.wait_replies(2)
    await stranger.send("/help")
    assert (await stranger.wait_reply()).text == t("help_before_consent")

    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    await anna.send("Помощь")
    help_text = (await anna.wait_reply()).text
    assert help_text.startswith(t("help_header"))
    for command in ("/help", "/menu", "/support", "/forget_me"):
        assert command in help_text

    await anna.send("/menu")
    menu = await anna.wait_reply()
    assert BUTTONS["help"] in menu.labels
    await anna.press(menu.button(BUTTONS["help"]))
    assert (await anna.wait_reply()).text.startswith(t("help_header"))


async def test_many_people_pressing_at_once_each_get_their_button_answered(
    sandbox: Sandbox, bot: BotRunner
) -> None:
    people = [sandbox.add_user(first_name="Анна", last_name=f"Кузнецова{i}") for i in range(20)]
    for person in people:
        await person.send("Начать")
    consents = [(await person.wait_replies(2))[-1] for person in people]

    await asyncio.gather(
        *(
            person.press(consent.button(BUTTONS["agree"]))
            for person, consent in zip(people, consents, strict=True)
        )
    )

    answers = [await person.wait_event_answer() for person in people]
    assert all(answer["text"] == t("consent_given") for answer in answers)
    if isinstance(sandbox, MaxSandbox):
        # MAX has no batching (no `execute`): one POST /answers per press, all within MAX's
        # 30 requests a second, none refused.
        answered = sandbox.calls_to("POST /answers")
        assert len(answered) == len(people) and all(call.ok for call in answered)
    else:
        # VK: answers that waited for one another went out together inside `execute`.
        together = [
            c for c in sandbox.calls_to("execute") if "sendMessageEventAnswer" in c.params["code"]
        ]
        assert together
