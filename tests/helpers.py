"""Small steps that user stories share."""

from __future__ import annotations

import re

from bot.conversation.identity import vk_account
from bot.storage import Database
from bot.storage.db import Repositories
from bot.texts import BUTTONS, t
from tests.conftest import ADMIN_ID
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


CODE = re.compile(r"код для команды /join: (\S+)")
LINK = re.compile(r"Ссылка: (https://vk\.me/club\d+\?ref=\S+)")


async def ask(user: UserDriver, text: str) -> BotMessage:
    """Sends `text` and returns the bot's next message to this person."""
    await user.send(text)
    return await user.wait_reply()


def invitation_code(reply: BotMessage) -> str:
    match = CODE.search(reply.text)
    assert match, f"no invitation code in: {reply.text}"
    return match.group(1)


async def admin_user(sandbox: VKSandbox) -> UserDriver:
    admin = await consented_user(sandbox, "Ирина", "Петрова", user_id=ADMIN_ID)
    await drain(admin)
    return admin


async def verified_teacher(
    sandbox: VKSandbox, admin: UserDriver, first: str, last: str, verify: bool = True
) -> UserDriver:
    """A teacher who joined the staff room by the admin's invitation (and was verified)."""
    code = invitation_code(await ask(admin, "/invite teacher"))
    teacher = await consented_user(sandbox, first, last)
    await drain(teacher)
    assert (await ask(teacher, f"/join {code}")).text == t("join_teacher_done")
    await admin.wait_reply()  # the admin hears that a teacher waits for verification
    if verify:
        reply = await ask(admin, f"/verify id{teacher.user_id}")
        assert reply.text == t("verify_done", name=f"{last} {first}")
        await teacher.wait_reply()
    return teacher


async def school_with_classes(sandbox: VKSandbox, *names: str) -> UserDriver:
    admin = await admin_user(sandbox)
    await ask(admin, "/class_add " + " ".join(names))
    return admin


async def class_teacher(
    sandbox: VKSandbox, admin: UserDriver, class_name: str, first: str, last: str
) -> UserDriver:
    teacher = await verified_teacher(sandbox, admin, first, last)
    reply = await ask(admin, f"/class_teacher {class_name} id{teacher.user_id}")
    assert reply.text == t("class_teacher_set", name=f"{last} {first}", class_name=class_name)
    await teacher.wait_reply()
    return teacher


async def joined_by_code(
    sandbox: VKSandbox, code: str, first: str, last: str, name: str | None
) -> UserDriver:
    """Someone who opened an invitation link, agreed, and gave the name asked for."""
    person = sandbox.add_user(first_name=first, last_name=last)
    await person.send("Начать", ref=code, ref_source="vk.me")
    _, consent = await person.wait_replies(2)
    await person.press(consent.button(BUTTONS["agree"]))
    await person.wait_event_answer()
    await person.wait_reply()  # thanks for consent
    if name is not None:
        await person.wait_reply()  # the name question
        await person.send(name)
    await person.wait_reply()  # joined
    return person


async def join_request_to_confirm(
    parent: UserDriver, class_name: str, child: str = "Белов Миша"
) -> BotMessage:
    """Walks a parent's join request through its dialog up to the confirmation, which it
    returns (its button sends the request)."""
    question = await ask(parent, "/request")
    await parent.press(question.button(BUTTONS["i_am_parent"]))
    await parent.press((await parent.wait_reply()).button(class_name))
    await parent.wait_reply()
    return await ask(parent, child)


async def submit_join_request(
    parent: UserDriver, class_name: str, child: str = "Белов Миша"
) -> BotMessage:
    """Walks a parent's join request through its dialog; returns the bot's last answer."""
    confirm = await join_request_to_confirm(parent, class_name, child)
    await parent.press(confirm.button(BUTTONS["send_request"]))
    return await parent.wait_reply()


async def person_of(db: Database, user: UserDriver | int) -> int:
    """The school's id of the person behind a sandbox VK user (or a VK id): their VK
    account's person; 0 for someone the bot has not met."""
    user_id = user if isinstance(user, int) else user.user_id
    return await db.reader.accounts.person_of(vk_account(user_id)) or 0


async def seeded_person(tx: Repositories, user: UserDriver | int) -> int:
    """For a test that writes its school straight into the database: the person of a VK
    user, made (with their account) if the bot has not met them."""
    account = vk_account(user if isinstance(user, int) else user.user_id)
    return (await tx.accounts.people_for([account]))[account]
