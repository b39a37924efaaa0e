"""Group chats: the bot greets a chat it is added to and keeps quiet unless addressed."""

from __future__ import annotations

from vkbottle.bot import BotLabeler, Message

from bot.context import EventContext
from bot.texts import t

labeler = BotLabeler()


@labeler.chat_message(action=["chat_invite_user"])
async def added_to_chat(message: Message, event_ctx: EventContext) -> None:
    action = message.action
    if action is None or action.member_id != -event_ctx.services.vk.group_id:
        return
    event_ctx.reply(t("chat_greeting", school=event_ctx.services.settings.school_name))
