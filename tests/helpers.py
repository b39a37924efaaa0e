"""Small steps that user stories share."""

from __future__ import annotations

import io
import re
import sqlite3

from openpyxl import Workbook

from bot.conversation.identity import Account, max_account, vk_account
from bot.storage import Database
from bot.storage.db import Repositories
from bot.texts import BUTTONS, t
from max_sandbox import BotMessage as MaxMessage
from max_sandbox import ChatDriver as MaxChat
from max_sandbox import MaxSandbox
from max_sandbox import UserDriver as MaxUser
from tests.conftest import ADMIN_ID, BotRunner
from vk_sandbox import BotMessage as VKMessage
from vk_sandbox import ChatDriver as VKChat
from vk_sandbox import UserDriver as VKUser
from vk_sandbox import VKSandbox

# The steps play a story on either sandbox: their drivers share one interface.
Sandbox = VKSandbox | MaxSandbox
UserDriver = VKUser | MaxUser
BotMessage = VKMessage | MaxMessage
ChatDriver = VKChat | MaxChat


async def consented_user(
    sandbox: Sandbox, first: str, last: str, user_id: int | None = None
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
# An invitation's deep link: vk.me/club…?ref=<code> on VK, max.ru/<bot>?start=<code> on MAX.
LINK = re.compile(r"Ссылка: (https://(?:vk\.me/club\d+\?ref=|max\.ru/\w+\?start=)\S+)")


async def ask(user: UserDriver, text: str) -> BotMessage:
    """Sends `text` and returns the bot's next message to this person."""
    await user.send(text)
    return await user.wait_reply()


def invitation_code(reply: BotMessage) -> str:
    match = CODE.search(reply.text)
    assert match, f"no invitation code in: {reply.text}"
    return match.group(1)


async def admin_user(sandbox: Sandbox) -> UserDriver:
    admin = await consented_user(sandbox, "Ирина", "Петрова", user_id=ADMIN_ID)
    await drain(admin)
    return admin


async def verified_teacher(
    sandbox: Sandbox, admin: UserDriver, first: str, last: str, verify: bool = True
) -> UserDriver:
    """A teacher who joined the staff room by the admin's invitation (and was verified)."""
    code = invitation_code(await ask(admin, "/invite teacher"))
    teacher = await consented_user(sandbox, first, last)
    await drain(teacher)
    assert (await ask(teacher, f"/join {code}")).text == t("join_teacher_done")
    await admin.wait_reply()  # the admin hears that a teacher waits for verification
    if verify:
        reply = await ask(admin, f"/verify {teacher.ref}")
        assert reply.text == t("verify_done", name=f"{last} {first}")
        await teacher.wait_reply()
    return teacher


async def school_with_classes(sandbox: Sandbox, *names: str) -> UserDriver:
    admin = await admin_user(sandbox)
    await ask(admin, "/class_add " + " ".join(names))
    return admin


async def class_teacher(
    sandbox: Sandbox, admin: UserDriver, class_name: str, first: str, last: str
) -> UserDriver:
    teacher = await verified_teacher(sandbox, admin, first, last)
    reply = await ask(admin, f"/class_teacher {class_name} {teacher.ref}")
    assert reply.text == t("class_teacher_set", name=f"{last} {first}", class_name=class_name)
    await teacher.wait_reply()
    return teacher


async def joined_by_code(
    sandbox: Sandbox, code: str, first: str, last: str, name: str | None
) -> UserDriver:
    """Someone who opened an invitation link (on MAX: a deep link, `bot_started` with the
    code), agreed, and gave the name asked for."""
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


async def joined_by_invitation(
    sandbox: Sandbox, inviter: UserDriver, what: str, first: str, last: str, name: str | None
) -> UserDriver:
    """Someone who joined by an invitation `inviter` issued with `/invite <what>`."""
    code = invitation_code(await ask(inviter, f"/invite {what}"))
    return await joined_by_code(sandbox, code, first, last, name)


async def class_teacher_and_parent(sandbox: Sandbox) -> tuple[UserDriver, UserDriver, UserDriver]:
    """The admin, the class teacher of 5А (Елена Смирнова) and a parent of 5А (Белова Ольга)
    who joined by her invitation naming her son «Белов Михаил»; nothing left unread."""
    admin = await school_with_classes(sandbox, "5А")
    elena = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    code = invitation_code(await ask(elena, "/invite parent 5А"))
    parent = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Михаил")
    await drain(elena)
    await drain(parent)
    return admin, elena, parent


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


def account_of(user: UserDriver | int) -> Account:
    """The messenger account of a sandbox user (a bare number: a VK user id)."""
    if isinstance(user, int):
        return vk_account(user)
    if isinstance(user, MaxUser):
        return max_account(user.user_id)
    return vk_account(user.user_id)


async def person_of(db: Database, user: UserDriver | int) -> int:
    """The school's id of the person behind a sandbox user (or a VK id): their account's
    person; 0 for someone the bot has not met."""
    return await db.reader.accounts.person_of(account_of(user)) or 0


async def seeded_person(tx: Repositories, user: UserDriver | int) -> int:
    """For a test that writes its school straight into the database: the person of a
    sandbox user (or a VK id), made (with their account) if the bot has not met them."""
    account = account_of(user)
    return (await tx.accounts.people_for([account]))[account]


async def tick(runner: BotRunner) -> list[str]:
    """Runs the scheduler's due jobs once (a test's clock, a test's tick); their names."""
    assert runner.app is not None
    return [run.name for run in await runner.app.scheduler.tick()]


async def next_starting(user: UserDriver, prefix: str) -> BotMessage:
    """The next message that starts with `prefix`, past any others (digests, reports)."""
    for _ in range(5):
        message = await user.wait_reply()
        if message.text.startswith(prefix):
            return message
    raise AssertionError(f"no message starting with {prefix!r}")


async def say_in_chat(user: UserDriver, chat: ChatDriver, text: str) -> str:
    """Writes in a group chat; returns the bot's next message there."""
    await user.send(text, chat=chat)
    return (await chat.wait_message()).text


def rows_mentioning(database: str, needle: str) -> list[tuple[str, str]]:
    """Every row of every table holding `needle` in a text column: (table, the row)."""
    found = []
    with sqlite3.connect(database) as conn:
        tables = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):
                if any(isinstance(value, str) and needle in value for value in row):
                    found.append((table, repr(row)))
    return found


def roster_workbook(students: list[tuple[str, str]], classes: list[str]) -> bytes:
    """A roster workbook as the school fills it: classes, one class teacher, students."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Классы"
    sheet.append(["Класс"])
    for name in classes:
        sheet.append([name])
    staff = book.create_sheet("Сотрудники")
    staff.append(["ФИО", "Роль", "Классное руководство"])
    staff.append(["Смирнова Елена Петровна", "классный руководитель", "5А"])
    pupils = book.create_sheet("Ученики")
    pupils.append(["ФИО", "Класс"])
    for row in students:
        pupils.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def file_bytes(sandbox: Sandbox, message: BotMessage) -> bytes:
    """The bytes of the (first) photo or document attached to a bot's message."""
    if isinstance(sandbox, MaxSandbox):
        return sandbox.file_data(message.raw_attachments[0])  # type: ignore[union-attr]
    kind = "photo" if message.attachments[0].startswith("photo") else "doc"
    owner, item = message.attachments[0].removeprefix(kind).split("_")[:2]
    store = sandbox.photos if kind == "photo" else sandbox.docs
    return store[(int(owner), int(item.split("?")[0]))].data
