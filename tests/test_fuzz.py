"""Fuzzing through the sandbox: hundreds of inputs from every role, against one running bot.

Each input is one of: a command with arguments (right, wrong, another class's, nonsense), a
menu label, arbitrary text, a message with a button payload or attachments, a press of a
button the bot really sent, a forged callback, a message in a group chat, an invitation link.
Afterwards: nothing was logged at ERROR, every private message and every button press was
answered, no loop died, no transaction is open, and every change the audit log records was
made by someone whose role allowed it at that moment; nobody holds a privilege that no
allowed change gave them.

FUZZ_INPUTS (default 1500) sets how many inputs a run makes; FUZZ_SEED replays a run (the seed
of a failing run is in the failure message), and FUZZ_SEED=random explores a new one. The
default seed is fixed, so that CI judges a change, not the luck of the draw."""

from __future__ import annotations

import io
import json
import os
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from loguru import logger

from bot.commands import all_specs
from bot.docs import PERSONAS
from bot.domain.roles import Actor
from bot.texts import BUTTONS
from tests.conftest import GROUP_ID, BotRunner
from tests.helpers import drain, person_of
from tests.test_access_matrix import _persona
from vk_sandbox import Button, UserDriver, VKSandbox

INPUTS = int(os.environ.get("FUZZ_INPUTS", os.environ.get("FUZZ_EXAMPLES", "1500")))
_SEED_SETTING = os.environ.get("FUZZ_SEED", "20261129")
SEED = random.SystemRandom().randrange(1 << 32) if _SEED_SETTING == "random" else int(_SEED_SETTING)
# Withdrawing consent (tested in test_privacy) would turn every persona into a stranger
# within a few hundred inputs, and leave little for the rest of the run to try.
COMMANDS = [spec.name for spec in all_specs() if spec.name != "forget_me"]
LABELS = sorted(set(BUTTONS.values()) - {BUTTONS["forget_me"]})
# Well-formed commands on this school's objects, so that changes do happen.
WELL_FORMED = [
    "/class_add {grade}{letter}", "/class_remove {cls}", "/class_teacher {cls} {who}",
    "/admin_add {who}", "/admin_remove {who}", "/verify {who}", "/verify", "/move {who} {cls}",
    "/leave {who}", "/invite student {cls}", "/invite parent {cls} {n}", "/invite teacher",
    "/annul {n}", "/annul stale", "/approve {n}", "/reject {n} нет мест", "/requests",
    "/event_cancel {n}", "/join {code}", "/done {n}", "/undone {n}", "/chats {cls}",
    "/propose Текст", "/post staff Текст", "/announce {cls} Текст", "/audit {n}",
    "/bind students {cls}", "/bind parents {cls}", "/bind other Кружок", "/unbind", "/relink",
]  # fmt: skip
PERSONA_IDS = {900 + index: name for index, (name, _) in enumerate(PERSONAS)}
MENTION = f"[club{GROUP_ID}|@gym44tver] "

# Who may make each change the audit log records (bot.commands and the regulation agree on
# these, see test_access_matrix): a role of the actor at that moment.
ADMIN, DIRECTOR, CLASS_TEACHER, TEACHER = "admin", "director", "class_teacher", "teacher"
ANYONE: frozenset[str] = frozenset()
MAY: dict[str, frozenset[str]] = {
    "consent_given": ANYONE,
    "consent_withdrawn": ANYONE,
    "invitation_redeemed": ANYONE,
    "request_submitted": ANYONE,
    "departed_data_deleted": ANYONE,  # the scheduler's, after the retention period
    "class_added": frozenset({ADMIN}),
    "class_removed": frozenset({ADMIN}),
    "class_teacher_set": frozenset({ADMIN}),
    "student_moved": frozenset({ADMIN}),
    "person_left": frozenset({ADMIN}),
    "roster_imported": frozenset({ADMIN}),
    "proposal_published": frozenset({ADMIN}),
    "proposal_declined": frozenset({ADMIN}),
    "admin_added": frozenset({ADMIN, DIRECTOR}),
    "admin_removed": frozenset({ADMIN, DIRECTOR}),
    "teacher_verified": frozenset({ADMIN, DIRECTOR}),
    "invitation_issued": frozenset({ADMIN, CLASS_TEACHER}),
    "invitations_annulled": frozenset({ADMIN, CLASS_TEACHER}),
    "request_approved": frozenset({ADMIN, CLASS_TEACHER}),
    "request_rejected": frozenset({ADMIN, CLASS_TEACHER}),
    "event_planned": frozenset({ADMIN, DIRECTOR, CLASS_TEACHER}),
    "event_cancelled": frozenset({ADMIN, DIRECTOR, CLASS_TEACHER}),
    "chat_bound": frozenset({ADMIN, DIRECTOR, CLASS_TEACHER, TEACHER}),
    "chat_unbound": frozenset({ADMIN, DIRECTOR, CLASS_TEACHER, TEACHER}),
    "proposal_made": frozenset({DIRECTOR}),
}


def privileges(actor: Actor) -> set[str]:
    """The roles that matter for MAY; a teacher counts once verified."""
    return {grant.role.value for grant in actor.grants if grant.active} & {
        ADMIN, DIRECTOR, CLASS_TEACHER, TEACHER,
    }  # fmt: skip


class Inputs:
    """Random inputs, reproducible from the seed."""

    def __init__(self, seed: int, codes: list[str]) -> None:
        self.rng = random.Random(seed)
        self.codes = codes

    def word(self) -> str:
        rng = self.rng
        choice = rng.randrange(12)
        if choice == 0:
            alphabet = [chr(rng.randrange(0x20, 0x3000)) for _ in range(40)]
            return "".join(c for c in alphabet if not 0xD800 <= ord(c) <= 0xDFFF)[
                : rng.randrange(1, 40)
            ]
        if choice == 1:
            return rng.choice(["0", "-1", "1", "2", "3", "999999999999", "1e9", "½", "٣"])
        if choice == 2:
            return rng.choice(["5А", "5Б", "5а", "11Я", "0А", "5 А", "Учительская"])
        if choice == 3:
            return f"id{rng.choice([*list(PERSONA_IDS), 1, 999])}"
        if choice == 4:
            return rng.choice(self.codes) if self.codes else "ABC"
        if choice == 5:
            return rng.choice(["teacher", "student", "parent", "stale", "school", "staff"])
        if choice == 6:
            return rng.choice(["parents", "students", "teachers", "subject", "management",
                               "channel", "other", "deputies"])  # fmt: skip
        if choice == 7:
            return f"[id{rng.choice(list(PERSONA_IDS))}|Персона]"
        if choice == 8:
            return rng.choice(["Иванов Иван", "Белов Миша", "'; DROP TABLE roles; --", "{x}"])
        if choice == 9:
            return "\u200b\u202e" + "а" * rng.randrange(1, 5)
        if choice == 10:
            return "😀" * rng.randrange(1, 4)
        return rng.choice(["да", "нет", "отмена", "/", "//", "@", "#"])

    def args(self) -> str:
        return " ".join(self.word() for _ in range(self.rng.randrange(0, 4)))

    def well_formed(self) -> str:
        rng = self.rng
        return rng.choice(WELL_FORMED).format(
            grade=rng.randrange(1, 12),
            letter=rng.choice("АБВ"),
            cls=rng.choice(["5А", "5Б", "6В"]),
            who=f"id{rng.choice(list(PERSONA_IDS))}",
            n=rng.randrange(1, 4),
            code=rng.choice(self.codes) if self.codes else "ABC",
        )

    def text(self) -> str:
        rng = self.rng
        choice = rng.randrange(9)
        if choice >= 6:
            return self.well_formed()
        if choice <= 2:
            return f"/{rng.choice(COMMANDS)} {self.args()}".strip()
        if choice == 3:
            return rng.choice(LABELS)
        if choice == 4:
            return self.args() or "."
        return "x" * rng.choice([1, 300, 4096, 5000])

    def json_value(self, depth: int = 0) -> Any:
        rng = self.rng
        choice = rng.randrange(7 if depth < 2 else 5)
        values: list[Any] = [None, True, rng.randrange(-3, 5), self.word(), 2**70]
        if choice < 5:
            return values[choice]
        if choice == 5:
            return [self.json_value(depth + 1) for _ in range(rng.randrange(3))]
        return {self.word()[:8]: self.json_value(depth + 1) for _ in range(rng.randrange(3))}

    def payload(self, raw: bool = True) -> Any:
        """A button payload; ``raw`` allows any JSON text (a message's payload is a string,
        a callback's, an object: VK checks both when the keyboard is sent)."""
        rng = self.rng
        if raw and rng.randrange(4) == 0:
            return json.dumps(self.json_value())[:250]
        payload: dict[str, Any] = {"cmd": rng.choice([*COMMANDS, "nope", ""])}
        for key in ("id", "person", "value", "class", "request", "role"):
            if rng.randrange(3) == 0:
                payload[key] = self.json_value(1)
        return payload

    def attachments(self) -> tuple[list[dict[str, Any]], tuple[str, bytes] | None]:
        """What VK may deliver: a sticker, or a document of any name and content."""
        rng = self.rng
        if rng.randrange(2):
            sticker = {"inner_type": "base_sticker_new", "sticker_id": 1, "product_id": 1}
            return [{"type": "sticker", "sticker": sticker}], None
        name = rng.choice(["список.xlsx", "a.txt", "x", "фото.jpg", "..xlsx"])
        return [], (name, rng.randbytes(rng.randrange(0, 2000)))


@pytest.fixture
async def sandbox() -> AsyncIterator[VKSandbox]:
    async with VKSandbox(group_id=GROUP_ID, rate_limit=None) as running:
        yield running


@pytest.fixture
def error_log() -> AsyncIterator[io.StringIO]:
    sink = io.StringIO()
    handler = logger.add(sink, level="ERROR")
    yield sink
    logger.remove(handler)


async def _answered(user: UserDriver, before: int, what: str) -> None:
    while len(user.messages) <= before:
        await user.wait_reply(timeout=10)  # raises, naming the user, on silence
    assert len(user.messages) > before, what


async def test_hundreds_of_inputs_from_every_role_break_nothing(
    sandbox: VKSandbox,
    start_bot: Callable[..., Awaitable[BotRunner]],
    error_log: io.StringIO,
) -> None:
    bot = await start_bot(
        flood_limit=0, vk_rps=1000, admin_ids=[], director_ids=[], scheduler=False
    )
    async with bot.db.transaction() as tx:
        await tx.classes.add("5А", 5, "А")
        await tx.classes.add("5Б", 5, "Б")
    people: dict[int, UserDriver] = {}
    modelled: dict[int, set[str]] = {}
    for index, (_name, actor) in enumerate(PERSONAS):
        people[900 + index] = await _persona(sandbox, bot, actor, index)
        modelled[900 + index] = privileges(actor)
    admin = people[900 + [name for name, _ in PERSONAS].index("admin")]
    codes = []
    for request in ("/invite student 5Б", "/invite parent 5А 2", "/invite teacher"):
        await admin.send(request)
        codes.append((await admin.wait_reply()).text.rsplit("/join: ", 1)[-1].split()[0])
    owner = people[900 + [name for name, _ in PERSONAS].index("class teacher")]
    chat = sandbox.create_chat(
        title="Беседа 5А", owner=owner, members=list(people.values()), bot_admin=True
    )
    for user in people.values():
        await drain(user, within=0.05)
    audit_start = max((row.id for row in await bot.db.reader.audit.latest(1)), default=0)

    inputs = Inputs(SEED, codes)
    rng = inputs.rng
    replay = f"replay with FUZZ_SEED={SEED} FUZZ_INPUTS={INPUTS}"
    for step in range(INPUTS):
        user = rng.choice(list(people.values()))
        kind = rng.choices(
            ["text", "payload", "attachments", "press", "forged", "chat", "ref"],
            weights=[40, 12, 4, 20, 8, 12, 4],
        )[0]
        what = f"step {step}: {user!r} {kind}; {replay}"
        before = len(user.messages)
        if kind == "text":
            await user.send(inputs.text())
        elif kind == "payload":
            await user.send(rng.choice([*LABELS, "."]), payload=inputs.payload())
        elif kind == "attachments":
            shapes, document = inputs.attachments()
            await user.send(rng.choice(["", "файл"]), attachments=shapes, document=document)
        elif kind == "ref":
            await user.send("Начать", ref=rng.choice([*codes, inputs.word() or "x"]))
        elif kind == "chat":
            text = inputs.text()
            if user.user_id not in chat.member_ids:
                continue  # /leave removed them from the chat
            await user.send(f"{MENTION}{text}" if rng.randrange(3) == 0 else text, chat=chat)
            continue  # in a group chat the bot may rightly stay silent
        elif kind in ("press", "forged"):
            in_chat_too = user.user_id in chat.member_ids
            with_buttons = [
                m for m in user.messages + (chat.messages if in_chat_too else []) if m.buttons
            ]
            if kind == "press" and with_buttons:
                button = rng.choice(rng.choice(with_buttons[-3:]).buttons)
                if button.type not in ("text", "callback"):
                    continue
            else:
                peer = rng.choice([0, chat.peer_id] if in_chat_too else [0])
                button = Button(
                    label="подделка", type="callback", payload=inputs.payload(raw=False),
                    message_peer_id=peer,
                )  # fmt: skip
            answers = len(user.event_answers)
            in_chat = bool(button.message_peer_id and button.message_peer_id != user.peer_id)
            await user.press(button)
            if button.type == "callback":
                while len(user.event_answers) <= answers:
                    await user.wait_event_answer(timeout=10)
                continue
            if in_chat:
                continue
        await _answered(user, before, what)

    for user in people.values():
        await drain(user, within=0.2)
    if os.environ.get("FUZZ_STATS"):  # what the run changed, to judge the inputs (-s)
        done = Counter(row.action for row in await bot.db.reader.audit.latest(1_000_000))
        print(f"seed {SEED}: {sorted(done.items())}")
    app = bot.app
    assert app is not None
    assert error_log.getvalue() == "", replay
    assert all(not task.done() for task in app._tasks.values()), f"a loop died; {replay}"
    assert not app.db.in_transaction, replay

    # The audit names people by their ids at school; the model by their VK ids.
    school_ids = {vk_id: await person_of(bot.db, vk_id) for vk_id in people}
    vk_of = {person: vk_id for vk_id, person in school_ids.items() if person}

    # Every recorded change was allowed to whoever made it, with the roles they held then.
    rows = sorted(await bot.db.reader.audit.latest(1_000_000), key=lambda row: row.id)
    for row in rows:
        if row.id <= audit_start:
            continue
        assert row.action in MAY, f"unknown audit action {row.action}: classify it in MAY"
        allowed = MAY[row.action]
        actor = None if row.actor_id is None else vk_of.get(row.actor_id, -row.actor_id)
        if allowed and actor is not None:
            held = modelled.get(actor, set())
            assert held & allowed, (row.action, PERSONA_IDS.get(actor), held, replay)
        subject = None if row.subject_id is None else vk_of.get(row.subject_id, -row.subject_id)
        if subject in modelled:
            if row.action == "admin_added":
                modelled[subject].add(ADMIN)
            elif row.action == "admin_removed":
                modelled[subject].discard(ADMIN)
            elif row.action == "class_teacher_set":
                modelled[subject] |= {CLASS_TEACHER, TEACHER}
            elif row.action == "teacher_verified":
                modelled[subject].add(TEACHER)
            elif row.action in ("consent_withdrawn", "person_left"):
                modelled[subject].clear()
    # And nobody holds a privilege the recorded changes did not give.
    for person_id in people:
        held = {
            row.role for row in await bot.db.reader.roles.active_for(school_ids[person_id])
            if row.role != TEACHER or row.verified_at is not None
        } & {ADMIN, DIRECTOR, CLASS_TEACHER, TEACHER}  # fmt: skip
        assert held <= modelled[person_id], (PERSONA_IDS[person_id], held, replay)
