"""A person opens the bot for the first time, agrees, and finds their way around."""

from __future__ import annotations

import asyncio

from bot.domain.invitations import hash_code
from bot.texts import BUTTONS, t
from tests.conftest import ADMIN_ID, DIRECTOR_ID, BotRunner
from tests.helpers import consented_user, drain, person_of
from vk_sandbox import VKSandbox


async def test_newcomer_is_greeted_by_name_and_asked_for_consent(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = sandbox.add_user(first_name="Анна", last_name="Кузнецова")
    await anna.send("Начать")

    greeting, consent = await anna.wait_replies(2)
    assert "Здравствуйте, Анна!" in greeting.text
    assert "152-ФЗ" in consent.text
    assert [b.label for b in consent.buttons] == [BUTTONS["agree"], BUTTONS["decline"]]
    assert all(b.type == "callback" for b in consent.buttons)

    # Before consent only the VK id may be kept.
    person = await bot.db.reader.people.get(await person_of(bot.db, anna))
    assert person is None or (person.full_name is None and person.consent_at is None)


async def test_many_people_pressing_at_once_each_get_their_button_answered(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    people = [sandbox.add_user(first_name="Анна", last_name=f"Кузнецова{i}") for i in range(40)]
    for person in people:
        await person.send("/start")
    consents = [(await person.wait_replies(2))[-1] for person in people]

    await asyncio.gather(
        *(
            person.press(consent.button(BUTTONS["agree"]))
            for person, consent in zip(people, consents, strict=True)
        )
    )

    answers = [await person.wait_event_answer() for person in people]
    assert all(
        answer == {"type": "show_snackbar", "text": t("consent_given")} for answer in answers
    )
    # Answers that waited for one another went out together inside `execute`.
    answered = sandbox.calls_to("messages.sendMessageEventAnswer")
    assert len(answered) == len(people) and all(call.ok for call in answered)
    alone = [call for call in answered if not call.via_execute]
    together = [
        c for c in sandbox.calls_to("execute") if "sendMessageEventAnswer" in c.params["code"]
    ]
    assert together and len(alone) + len(together) < len(people)


async def test_consent_button_records_consent_and_opens_the_menu(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = sandbox.add_user(first_name="Анна", last_name="Кузнецова")
    await anna.send("/start")
    _, consent = await anna.wait_replies(2)

    await anna.press(consent.button(BUTTONS["agree"]))

    answer = await anna.wait_event_answer()
    assert answer["type"] == "show_snackbar"
    thanks = await anna.wait_reply()
    assert thanks.text.startswith(t("consent_given"))
    assert BUTTONS["help"] in [b.label for b in thanks.buttons]
    person = await bot.db.reader.people.get(await person_of(bot.db, anna))
    assert person is not None and person.full_name == "Кузнецова Анна"
    assert person.consent_at is not None


async def test_agree_command_works_like_the_button(sandbox: VKSandbox, bot: BotRunner) -> None:
    petr = sandbox.add_user(first_name="Пётр", last_name="Иванов")
    await petr.send("/agree")
    reply = await petr.wait_reply()
    assert reply.text.startswith(t("consent_given"))
    await drain(petr)
    await petr.send("/agree")
    assert (await petr.wait_reply()).text == t("consent_already")


async def test_declining_stores_nothing(sandbox: VKSandbox, bot: BotRunner) -> None:
    oleg = sandbox.add_user(first_name="Олег", last_name="Соколов")
    await oleg.send("Привет")
    _, consent = await oleg.wait_replies(2)
    await oleg.press(consent.button(BUTTONS["decline"]))
    assert (await oleg.wait_reply()).text == t("consent_declined")
    person = await bot.db.reader.people.get(await person_of(bot.db, oleg))
    assert person is None or person.full_name is None


async def test_admin_and_director_from_settings_get_their_roles_on_consent(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = sandbox.add_user(first_name="Ирина", last_name="Петрова", user_id=ADMIN_ID)
    await admin.send("/agree")
    reply = await admin.wait_reply()
    assert "администратор" in reply.text
    director = sandbox.add_user(first_name="Людмила", last_name="Дровосекова", user_id=DIRECTOR_ID)
    await director.send("/agree")
    assert "администрация школы" in (await director.wait_reply()).text

    roles = {
        r.role for r in await bot.db.reader.roles.active_for(await person_of(bot.db, ADMIN_ID))
    }
    assert roles == {"admin"}


async def test_invitation_ref_is_kept_before_consent_and_acted_on_after(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    maria = sandbox.add_user(first_name="Мария", last_name="Орлова")
    await maria.send("Начать", ref="INVITECODE123", ref_source="vk.me")
    greeting, consent = await maria.wait_replies(2)
    assert t("ref_kept") in greeting.text
    person = await bot.db.reader.people.get(await person_of(bot.db, maria))
    assert person is not None
    # Kept as its hash, like issued codes: a leaked database leaks no working link.
    assert person.pending_ref == hash_code("INVITECODE123") and person.full_name is None

    await maria.press(consent.button(BUTTONS["agree"]))
    replies = await maria.wait_replies(2)
    # The code is checked right after consent (this one was never issued).
    assert replies[-1].text == t("join_wrong")
    person = await bot.db.reader.people.get(await person_of(bot.db, maria))
    assert person is not None and person.pending_ref is None


async def test_help_lists_commands_and_before_consent_explains_how_to_start(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    stranger = sandbox.add_user(first_name="Гость", last_name="Гостев")
    await stranger.send("/help")
    assert (await stranger.wait_reply()).text == t("help_before_consent")

    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    await anna.send("Помощь")
    help_text = (await anna.wait_reply()).text
    assert help_text.startswith(t("help_header"))
    for command in ("/help", "/menu", "/support", "/cancel", "/forget_me"):
        assert command in help_text


async def test_support_names_the_platform_support_and_the_school_admins(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = sandbox.add_user(first_name="Ирина", last_name="Петрова", user_id=ADMIN_ID)
    await admin.send("/agree")
    await drain(admin)
    parent = sandbox.add_user(first_name="Ольга", last_name="Белова")
    await parent.send("Поддержка")
    text = (await parent.wait_reply()).text
    assert "info@sferum.ru" in text and "prof-sferum.ru" in text
    assert "Петрова Ирина" in text


async def test_unrecognised_input_gets_a_hint_never_silence(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    cases = {
        "как дела?": t("unknown_text"),
        "/frobnicate": t("unknown_command", command="/frobnicate"),
        "Ёлка 🎄 and latin mix ٩(◕‿◕)۶": t("unknown_text"),
        "я" * 10_000: t("too_long"),
        "   ": t("no_text"),
    }
    for text, expected in cases.items():
        await anna.send(text)
        assert (await anna.wait_reply()).text == expected


async def test_cancel_outside_a_dialog_says_there_is_nothing_to_cancel(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    await anna.send("/cancel")
    assert (await anna.wait_reply()).text == t("cancel_nothing")


# The smallest PNG (1×1), as a photo a person sends.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082"
)


async def test_a_sticker_or_a_file_without_text_gets_a_hint(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    sticker = {
        "type": "sticker",
        "sticker": {"inner_type": "base_sticker_new", "product_id": 1, "sticker_id": 9},
    }
    await anna.send("", attachments=[sticker])
    assert (await anna.wait_reply()).text == t("no_text")
    # A file is never «only text» (issue 15): someone in no class hears what files are for.
    await anna.send("", document=("заявление.pdf", b"%PDF-1.4 test"))
    assert (await anna.wait_reply()).text == t("files_no_class")
    await anna.send("", photo=("справка.png", PNG_1X1))
    assert (await anna.wait_reply()).text == t("files_no_class")
