"""First contact on MAX, the bot on MAX only (no VK_TOKEN): opening the bot (`bot_started`)
is answered as a first message is, a deep link's payload is kept as the invitation code,
buttons are callback buttons answered through POST /answers."""

from __future__ import annotations

from bot.conversation.identity import max_account
from bot.texts import BUTTONS, t
from max_sandbox import MaxSandbox
from tests.conftest import BotRunner
from tests.max_support import (  # noqa: F401
    ask,
    consented,
    drain,
    invitation_link,
    max_admin,
    max_bot,
    sb,
    start_max_bot,
)

SCHOOL = "МОУ «Гимназия № 44 г. Твери»"


async def test_opening_the_bot_greets_and_asks_for_consent(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    anna = sb.add_user(first_name="Анна", last_name="Кузнецова")
    await anna.start()
    greeting, consent = await anna.wait_replies(2)
    assert greeting.text.startswith(t("greeting_new", name="Анна", school=SCHOOL)[:20])
    assert "Анна" in greeting.text
    assert consent.text == t("consent_request")
    assert [b.type for b in consent.buttons] == ["callback", "callback"]

    await anna.press(consent.button(BUTTONS["agree"]))
    answer = await anna.wait_event_answer()
    assert answer["notification"] == t("consent_given")
    reply = await anna.wait_reply()
    assert reply.text.startswith(t("consent_given"))


async def test_a_deep_link_invitation_makes_a_parent_of_the_class(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    admin = await max_admin(sb)
    await ask(admin, "/class_add 5А")
    invitation = await ask(admin, "/invite parent 5А")
    link = invitation_link(invitation)
    assert link.startswith(f"https://max.ru/{sb.bot_username}?start=")

    olga = sb.add_user(first_name="Ольга", last_name="Белова")
    await olga.open_link(link)
    greeting, consent = await olga.wait_replies(2)
    assert t("ref_kept") in greeting.text
    await olga.press(consent.button(BUTTONS["agree"]))
    await olga.wait_event_answer()
    await olga.wait_reply()  # thanks for consent
    await olga.wait_reply()  # the child's name, asked for
    await olga.send("Белов Михаил")
    joined = await olga.wait_reply()
    assert "5А" in joined.text
    person = await max_bot.db.reader.accounts.person_of(max_account(olga.user_id))
    assert person is not None


async def test_help_has_buttons_and_a_pressed_one_is_answered(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    anna = await consented(sb, "Анна", "Кузнецова")
    await drain(anna)
    menu = await ask(anna, "/menu")
    assert menu.buttons, "the menu has buttons"
    help_reply = await ask(anna, "/help")
    assert help_reply.text
    # A text button of the core is MAX's `message` button: pressing it writes its label.
    pressed = next(b for b in menu.buttons if b.type == "message")
    await anna.press(pressed)
    answer = await anna.wait_reply()
    assert answer.text


async def test_declining_consent_is_answered_and_remembered_nowhere(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    ivan = sb.add_user(first_name="Иван", last_name="Орлов")
    await ivan.send("Начать")
    _, consent = await ivan.wait_replies(2)
    await ivan.press(consent.button(BUTTONS["decline"]))
    answer = await ivan.wait_event_answer()
    assert answer["callback_id"]
    assert (await ivan.wait_reply()).text == t("consent_declined")
