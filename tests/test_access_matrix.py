"""Who may do what, written from the regulation rather than read from the bot's catalogue.

The table below is the expectation: each row says where a command works and which persona
may use it, with the regulation's clause (`/work/shared/regulation/polozhenie-sferum.md`,
«Положение об использовании ИКОП «Сферум»…», order No. 317) that gives that duty. The bot is
then asked every command by every persona, bare, with arguments, as a button's payload and
(in a group chat) after a mention of the community; a persona the table refuses must get the
refusal, whatever the form. A class teacher must not reach another class's invitations,
requests or chats by naming them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.commands import spec
from bot.docs import PERSONAS
from bot.domain.roles import Actor, Role
from bot.texts import TEXTS, role_name, t
from tests.conftest import GROUP_ID, BotRunner
from tests.helpers import (
    ask,
    class_teacher,
    consented_user,
    drain,
    school_with_classes,
    seeded_person,
    submit_join_request,
)
from vk_sandbox import BotMessage, ChatDriver, UserDriver, VKSandbox

STRANGER, NO_ROLE, PARENT, STUDENT = "stranger", "no role", "parent", "student"
UNVERIFIED, TEACHER, CLASS_TEACHER = "teacher, unverified", "teacher", "class teacher"
DIRECTOR, ADMIN = "director", "admin"

EVERYONE = frozenset(name for name, _ in PERSONAS)
CONSENTED = EVERYONE - {STRANGER}  # 152-FZ: nothing is kept, nor done, before consent
STAFF = frozenset({TEACHER, CLASS_TEACHER, DIRECTOR, ADMIN})  # verified teachers (2.3, 2.4)
ADMIN_ONLY = frozenset({ADMIN})
ADMINISTRATION = frozenset({DIRECTOR, ADMIN})
CLASS_LEADERS = frozenset({CLASS_TEACHER, ADMIN})
SCHOOL_PEOPLE = STAFF | {PARENT, STUDENT}
# Who leads a class or the school: the class lists are theirs.
CLASS_LIST_READERS = frozenset({CLASS_TEACHER, DIRECTOR, ADMIN})

# command: (where, who may use it). "private" — a dialog with the bot, "chat" — a group chat.
# fmt: off
EXPECTED: dict[str, tuple[str, frozenset[str]]] = {
    # 3.1: free access around the clock; first contact and consent come before anything else.
    "start": ("any", EVERYONE),
    "agree": ("private", EVERYONE),
    "decline": ("private", EVERYONE),
    # 3.3: instructions for every user; 3.2: the platform's support for every user.
    "help": ("any", EVERYONE),
    "support": ("any", EVERYONE),
    "cancel": ("any", EVERYONE),
    "menu": ("private", CONSENTED),
    # 152-FZ: a person withdraws consent and their data is deleted.
    "forget_me": ("private", CONSENTED),
    # A school moving to MAX: each person links their accounts and chooses where to be reached.
    "link_max": ("private", CONSENTED),
    "link_vk": ("private", CONSENTED),
    "messenger": ("private", CONSENTED),
    # 2.2–2.5, 2.7: everyone joins by an invitation link; 2.1: or by a join request.
    "join": ("private", CONSENTED),
    "request": ("private", CONSENTED),
    # 2.1: the admin creates the structure by the approved nomenclature; 2.2: the
    # administration oversees how the platform is used.
    "classes": ("private", ADMINISTRATION),
    "class_add": ("private", ADMIN_ONLY),
    "class_remove": ("private", ADMIN_ONLY),
    # 2.1: the admin attaches class teachers by the director's distribution.
    "class_teacher": ("private", ADMIN_ONLY),
    "class_teacher_confirm": ("private", ADMIN_ONLY),
    # 2.1: the admin keeps the register: which classes a subject teacher teaches (2.4).
    "teaches": ("private", ADMIN_ONLY),
    "teaches_remove": ("private", ADMIN_ONLY),
    # 2.1: the admin appoints additional admins; 2.2: the director appoints the admin.
    "admin_add": ("private", ADMINISTRATION),
    "admin_remove": ("private", ADMINISTRATION),
    # 2.1–2.4: the staff name the people they work with; a lookup finds only those the
    # asker may see (bot.domain.directory).
    "who": ("private", STAFF),
    # 2.1: the admin creates and annuls invitation links; 2.5: students are invited by their
    # class teacher too (for the class teacher's own class only).
    "invite": ("private", CLASS_LEADERS),
    "invite_for": ("private", CLASS_LEADERS),
    "invites": ("private", CLASS_LEADERS),
    "annul": ("private", CLASS_LEADERS),
    # 2.1: the admin reviews and accepts join requests (a class's own class teacher too).
    "requests": ("private", CLASS_LEADERS),
    "approve": ("private", CLASS_LEADERS),
    "reject": ("private", CLASS_LEADERS),
    # 2.1: the admin completes teacher verification; 2.2: the administration confirms it.
    "verify": ("private", ADMINISTRATION),
    # 2.1: the admin keeps the movement of students and staff up to date.
    "move": ("private", ADMIN_ONLY),
    "leave": ("private", ADMIN_ONLY),
    "leave_decide": ("private", ADMIN_ONLY),
    "move_decide": ("private", ADMIN_ONLY),
    # 2.1, 2.3: the admin and the class teacher keep who is whose parent; everyone sees their
    # own family; the class teacher's class list with the parents (2.2: the director sees it).
    "family": ("private", CONSENTED),
    "family_remove": ("private", CLASS_LEADERS),
    "class": ("private", CLASS_LIST_READERS),
    # 2.2: the administration oversees the use of the profile.
    "audit": ("private", ADMINISTRATION),
    "audit_export": ("private", ADMINISTRATION),
    # 2.1: the administration follows the school's move to MAX.
    "moving": ("private", ADMINISTRATION),
    # 2.3–2.5, 2.7: every participant has chats to be in.
    "chats": ("private", CONSENTED),
    # 2.2–2.4: the administration and verified teachers create chats (2.3, 2.4: after
    # verification).
    "bind": ("chat", STAFF),
    "unbind": ("chat", STAFF),
    "relink": ("chat", STAFF),
    # 2.1–2.7: each role's duties; 2.5: a student keeps the profile secure.
    "duties": ("private", CONSENTED),
    "done": ("private", CONSENTED),
    "undone": ("private", CONSENTED),
    "security": ("private", CONSENTED),
    # 2.1: the admin sends the school's registration request to info@sferum.ru.
    "registration": ("private", ADMIN_ONLY),
    # 3.4: teachers may attend seminars and webinars.
    "webinars": ("private", STAFF),
    # 2.1: the admin's own reminders; statistics go to the director.
    "digest": ("private", ADMIN_ONLY),
    "stats": ("private", ADMINISTRATION),
    # 2.1: the admin plans broadcasts; 2.2: the director holds meetings; 2.3: the class
    # teacher runs remote events; 2.4: a teacher runs lessons for the classes they teach
    # and tells them; 2.5, 2.7: students and parents see what is planned for them and
    # answer a meeting.
    "event": ("private", STAFF),
    "event_cancel": ("private", STAFF),
    "events": ("private", SCHOOL_PEOPLE),
    "rsvp": ("private", SCHOOL_PEOPLE),
    "rsvp_who": ("private", STAFF),
    "announce": ("private", STAFF),
    # 2.1: the admin runs the system channels; 2.2: the director supplies material for them.
    "post": ("private", ADMINISTRATION),
    "propose": ("private", frozenset({DIRECTOR})),
    "proposal": ("private", ADMIN_ONLY),
    # 2.3: the class teacher is the class's contact for its students and parents: they ask
    # (parents and students only), the class teacher answers; the thread's buttons are for
    # whoever takes part in a question (checked per question).
    "ask": ("private", frozenset({PARENT, STUDENT})),
    "ask_to": ("private", frozenset({PARENT, STUDENT})),
    "questions": ("private", frozenset({PARENT, STUDENT, CLASS_TEACHER})),
    "ask_send": ("private", CONSENTED),
    "ask_drop": ("private", CONSENTED),
    "question_reply": ("private", CONSENTED),
    "question_close": ("private", CONSENTED),
    # 2.1: the admin keeps the register (rosters in and out); 2.2: the director oversees it.
    "template": ("private", ADMIN_ONLY),
    "roster_apply": ("private", ADMIN_ONLY),
    "export": ("private", ADMINISTRATION),
}
# fmt: on

# Arguments a real user would add; a refusal must not depend on them.
ARGS: dict[str, str] = {
    "join": "ABC123", "classes": "5А", "class_add": "7В", "class_remove": "5А",
    "class_teacher": "5А id999", "teaches": "id999 5А", "teaches_remove": "id999",
    "admin_add": "id999", "admin_remove": "id999", "who": "Смирнова",
    "invite": "student 5А 30", "annul": "stale", "approve": "1", "reject": "1 нет мест",
    "verify": "id999", "move": "id999 5А", "leave": "id999", "audit": "5А", "chats": "5А",
    "bind": "parents 5А", "done": "1", "undone": "1", "event_cancel": "1",
    "announce": "5А Собрание в пятницу", "post": "staff Педсовет", "propose": "Педсовет",
    "audit_export": "5А неделя",
}  # fmt: skip
HIDDEN = {
    "decline", "class_teacher_confirm", "leave_decide", "proposal", "roster_apply", "rsvp",
    "rsvp_who", "invite_for", "move_decide", "family_remove", "ask_to", "ask_send", "ask_drop",
    "question_reply", "question_close",
}  # fmt: skip
TYPED = [name for name in EXPECTED if name not in HIDDEN and name not in ("start", "agree")]
# What /cancel answers; inside /forget_me, newer texts say that the data stays.
CANCELLED = {
    t(key) for key in ("cancel_done", "cancel_nothing", "forget_cancelled") if key in TEXTS
}
MENTION = f"[club{GROUP_ID}|@gym44tver] "


def test_the_table_covers_every_command_of_the_bot() -> None:
    from bot.commands import known_commands

    assert set(EXPECTED) == set(known_commands())


def expected_refusal(persona: str, name: str, in_chat: bool) -> str | None:
    where, allowed = EXPECTED[name]
    if where == "private" and in_chat:
        return t("private_only")
    if where == "chat" and not in_chat:
        return t("chat_only")
    if persona in allowed:
        return None
    if persona == STRANGER:
        return t("consent_needed_in_chat") if in_chat else t("consent_needed")
    if persona == UNVERIFIED and allowed & {TEACHER, CLASS_TEACHER}:
        # 2.3, 2.4: a teacher's and a class teacher's commands wait for the verification.
        return t("unverified_refused", command=name)
    # Only the wording of the role list is the catalogue's; whether to refuse is the table's.
    roles = ", ".join(role_name(role) for role in sorted(spec(name).roles or ()))
    return t("role_refused", command=name, roles=roles)


def variants(name: str, refused: bool, in_chat: bool) -> list[tuple[str, dict[str, str] | None]]:
    """The forms of one command a persona tries: text and button payload."""
    forms: list[tuple[str, dict[str, str] | None]] = [(f"/{name}", None)]
    if not refused:
        return forms  # an allowed command is tried bare: its arguments would change the school
    if name in ARGS:
        forms.append((f"/{name} {ARGS[name]}", None))
    if in_chat:
        forms.append((f"{MENTION}/{name} {ARGS.get(name, '')}".rstrip(), None))
    forms.append((spec(name).button or "Кнопка", {"cmd": name}))
    return forms


@pytest.fixture
async def sandbox() -> AsyncIterator[VKSandbox]:
    """Without VK's 20 requests a second: the matrix sends some thousand messages."""
    async with VKSandbox(group_id=GROUP_ID, rate_limit=None) as running:
        yield running


@pytest.fixture
async def patient_bot(start_bot: Callable[..., Awaitable[BotRunner]]) -> BotRunner:
    """No flood limit, no rate limit, and nobody holds a role from the settings: personas
    get only theirs."""
    return await start_bot(flood_limit=0, vk_rps=1000, admin_ids=[], director_ids=[])


async def _persona(sandbox: VKSandbox, bot: BotRunner, actor: Actor, index: int) -> UserDriver:
    user = sandbox.add_user(first_name="Персона", last_name=f"Номер{index}", user_id=900 + index)
    user.state.can_write = True
    if not actor.has_consented:
        return user
    school_class = await bot.db.reader.classes.by_name("5А")
    staff_room = await bot.db.reader.classes.staff_room()
    assert school_class is not None
    async with bot.db.transaction() as tx:
        person = await seeded_person(tx, user)
        await tx.people.record_consent(person, f"Номер{index} Персона")
        for grant in actor.grants:
            class_id = {
                Role.TEACHER: staff_room.id,
                Role.CLASS_TEACHER: school_class.id,
                Role.STUDENT: school_class.id,
                Role.PARENT: school_class.id,
            }.get(grant.role)
            await tx.roles.grant(
                person, grant.role.value, class_id, verified=grant.verified,
                child_name="Ребёнок Персоны" if grant.role is Role.PARENT else None,
            )  # fmt: skip
    return user


async def _next(user: UserDriver, chat: ChatDriver | None) -> BotMessage:
    return await (chat.wait_message() if chat is not None else user.wait_reply())


async def _try_all(
    sandbox: VKSandbox, bot: BotRunner, persona: str, actor: Actor, in_chat: bool
) -> None:
    async with bot.db.transaction() as tx:
        await tx.classes.add("5А", 5, "А")
    user = await _persona(sandbox, bot, actor, PERSONAS.index((persona, actor)))
    chat = sandbox.create_chat(title="Беседа", owner=user, bot_member=True) if in_chat else None
    names = TYPED + sorted(HIDDEN)
    for name in names:
        expected = expected_refusal(persona, name, in_chat)
        hidden = name in HIDDEN
        for text, payload in variants(name, expected is not None or hidden, in_chat):
            if hidden and payload is None:
                continue  # a hidden command is reached by its button only
            await user.send(text, payload=payload, chat=chat)
            reply = await _next(user, chat)
            if expected is not None:
                assert reply.text == expected, (persona, text, payload)
                continue  # a refusal is one message: the next reply answers the next form
            refusals = {expected_refusal(p, name, in_chat) for p in EVERYONE} - {None}
            assert reply.text not in refusals, (persona, text, payload)
            # Leaves any dialog the command opened; reads what else it said, up to the answer.
            await user.send("/cancel", chat=chat)
            while (await _next(user, chat)).text not in CANCELLED:
                pass


@pytest.mark.parametrize(("persona", "actor"), PERSONAS, ids=[name for name, _ in PERSONAS])
async def test_every_command_in_a_private_dialog(
    sandbox: VKSandbox, patient_bot: BotRunner, persona: str, actor: Actor
) -> None:
    await _try_all(sandbox, patient_bot, persona, actor, in_chat=False)


@pytest.mark.parametrize(("persona", "actor"), PERSONAS, ids=[name for name, _ in PERSONAS])
async def test_every_command_in_a_group_chat(
    sandbox: VKSandbox, patient_bot: BotRunner, persona: str, actor: Actor
) -> None:
    await _try_all(sandbox, patient_bot, persona, actor, in_chat=True)


def test_the_readme_matrix_is_the_regulations() -> None:
    from bot.docs import WHERE, access_matrix

    names = [name for name, _ in PERSONAS]
    for line in access_matrix().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        name = cells[0].strip("`/")
        where, allowed = EXPECTED[name]
        assert cells[1] == WHERE[where], name
        assert {names[i] for i, cell in enumerate(cells[2:]) if cell == "✅"} == allowed, name


async def test_a_class_teacher_cannot_reach_another_classs_objects(
    sandbox: VKSandbox, start_bot: Callable[..., Awaitable[BotRunner]]
) -> None:
    bot = await start_bot(flood_limit=0, vk_rps=1000)
    admin = await school_with_classes(sandbox, "5А", "5Б")
    teacher = await class_teacher(sandbox, admin, "5А", "Елена", "Смирнова")
    await drain(teacher)
    other = await ask(admin, "/invite student 5Б")
    assert other.text.startswith("Приглашение №2 создано"), other.text
    code = other.text.rsplit("/join: ", 1)[1].split()[0]
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    await submit_join_request(parent, "5Б")
    await drain(admin)
    pending = await bot.db.reader.requests.pending(None, 10)
    assert [(r.id, r.class_name) for r in pending] == [(1, "5Б")]

    assert (await ask(teacher, "/invite student 5Б")).text == t("invite_not_allowed", classes="5А")
    assert (await ask(teacher, "/invite parent 5Б 30")).text == t(
        "invite_not_allowed", classes="5А"
    )
    for target in ("2", code):
        assert (await ask(teacher, f"/annul {target}")).text == t("annul_not_found", text=target)
    await ask(teacher, "/annul stale")
    assert code not in (await ask(teacher, "/invites")).text
    assert (await ask(teacher, "/chats 5Б")).text == t(
        "decision_not_allowed_class", class_name="5Б"
    )
    assert "Белов" not in (await ask(teacher, "/requests")).text
    for command in ("/approve 1", "/reject 1 нет мест"):
        assert (await ask(teacher, command)).text == t(
            "decision_not_allowed", id=1, class_name="5Б"
        )
    await drain(teacher)

    invitation = await bot.db.reader.invitations.by_id(2)
    assert invitation is not None and invitation.annulled_at is None
    request = await bot.db.reader.requests.get(1)
    assert request is not None and request.status == "pending"
    assert parent.unread == []  # nobody told the parent of a decision

    chat = sandbox.create_chat(title="5Б", owner=teacher, bot_member=True)
    await teacher.send(f"{MENTION}/bind students 5Б", chat=chat)
    refused = await chat.wait_message()
    assert refused.text.startswith(t("bind_not_allowed", what="", why="").split("«")[0])
    assert await bot.db.reader.chats.get(chat.peer_id) is None
