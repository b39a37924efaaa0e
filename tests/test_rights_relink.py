"""A class chat's link is replaced only by those who may unbind the chat."""

from __future__ import annotations

from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import class_teacher, say_in_chat, school_with_classes, verified_teacher
from tests.test_chat_register import _chat_with_bot
from vk_sandbox import VKSandbox


async def test_only_who_may_unbind_a_chat_may_replace_its_link(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А", "6Б")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    oleg = await class_teacher(sandbox, admin, "6Б", "Олег", "Сидоров")
    anna = await verified_teacher(sandbox, admin, "Анна", "Орлова")
    parents = await _chat_with_bot(sandbox, elena, "5А Родители", members=[oleg, anna, admin])
    parents.set_bot_admin(True)
    await say_in_chat(elena, parents, "/bind parents 5А")
    chat = await bot.db.reader.chats.get(parents.peer_id)
    assert chat is not None and chat.invite_link
    given = chat.invite_link

    for teacher in (oleg, anna):
        assert await say_in_chat(teacher, parents, "/relink") == t("relink_not_allowed")
        assert await say_in_chat(teacher, parents, "/unbind") == t("unbind_not_allowed")
    chat = await bot.db.reader.chats.get(parents.peer_id)
    assert chat is not None and chat.invite_link == given

    relinked = await say_in_chat(elena, parents, "/relink")
    assert relinked.startswith("Старая ссылка отозвана") and given not in relinked
    assert (await say_in_chat(admin, parents, "/relink")).startswith("Старая ссылка отозвана")
