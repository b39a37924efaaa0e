"""Small steps that user stories share."""

from __future__ import annotations

from bot.texts import BUTTONS
from vk_sandbox import BotMessage, UserDriver, VKSandbox


async def consented_user(
    sandbox: VKSandbox, first: str, last: str, user_id: int | None = None
) -> UserDriver:
    """A person who opened the bot and agreed to the processing of their data."""
    user = sandbox.add_user(first_name=first, last_name=last, user_id=user_id)
    await user.send("Начать")
    replies = await user.wait_replies(2)
    await user.press(replies[-1].button(BUTTONS["agree"]))
    await user.wait_event_answer()
    await user.wait_reply()
    return user


async def drain(user: UserDriver, within: float = 0.3) -> list[BotMessage]:
    """Reads whatever else the bot still sends; for steps that end with several messages."""
    messages: list[BotMessage] = []
    while True:
        try:
            messages.append(await user.wait_reply(timeout=within))
        except (TimeoutError, AssertionError):
            return messages
