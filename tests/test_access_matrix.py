"""The access matrix in the README, tried for real: every command by every persona.

Each persona is a real person in the register; each command goes through the sandbox. A
command the matrix allows must not be refused; one it does not allow must be refused with the
reason the catalogue gives — nothing else, and never silence."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.commands import all_specs, spec
from bot.docs import PERSONAS
from bot.domain.access import Refusal, refusal_for
from bot.domain.roles import Actor, Role
from bot.texts import role_name, t
from tests.conftest import BotRunner
from tests.helpers import ask
from vk_sandbox import UserDriver, VKSandbox

# Consent itself is the first-contact story's; here personas keep their state throughout.
COMMANDS = [c for c in all_specs() if not c.hidden and c.name not in ("start", "agree")]
CANCELLED = {t("cancel_done"), t("cancel_nothing"), t("forget_cancelled")}


def refusal_texts(name: str) -> set[str]:
    command = spec(name)
    roles = ", ".join(role_name(role) for role in sorted(command.roles or ()))
    return {
        t("consent_needed"),
        t("consent_needed_in_chat"),
        t("role_refused", command=name, roles=roles),
        t("unverified_refused", command=name),
        t("private_only"),
        t("chat_only"),
    }


def expected_refusal(actor: Actor, name: str, in_chat: bool) -> str | None:
    command = spec(name)
    if command.where == "private" and in_chat:
        return t("private_only")
    if command.where == "chat" and not in_chat:
        return t("chat_only")
    refusal = refusal_for(actor, command.roles)
    if refusal is Refusal.NEEDS_CONSENT:
        return t("consent_needed_in_chat") if in_chat else t("consent_needed")
    if refusal is Refusal.UNVERIFIED:
        return t("unverified_refused", command=name)
    if refusal is Refusal.ROLE:
        roles = ", ".join(role_name(role) for role in sorted(command.roles or ()))
        return t("role_refused", command=name, roles=roles)
    return None


@pytest.fixture
async def patient_bot(start_bot: Callable[..., Awaitable[BotRunner]]) -> BotRunner:
    """No flood limit, and nobody holds a role from the settings: personas get only theirs."""
    return await start_bot(flood_limit=0, admin_ids=[], director_ids=[])


async def _persona(sandbox: VKSandbox, bot: BotRunner, actor: Actor, index: int) -> UserDriver:
    user = sandbox.add_user(first_name="Персона", last_name=f"Номер{index}", user_id=900 + index)
    user.state.can_write = True
    if not actor.has_consented:
        return user
    school_class = await bot.db.reader.classes.by_name("5А")
    staff_room = await bot.db.reader.classes.staff_room()
    assert school_class is not None
    async with bot.db.transaction() as tx:
        await tx.people.ensure(user.user_id)
        await tx.people.record_consent(user.user_id, f"Номер{index} Персона")
        for grant in actor.grants:
            class_id = {
                Role.TEACHER: staff_room.id,
                Role.CLASS_TEACHER: school_class.id,
                Role.STUDENT: school_class.id,
                Role.PARENT: school_class.id,
            }.get(grant.role)
            await tx.roles.grant(
                user.user_id, grant.role.value, class_id, verified=grant.verified,
                child_name="Ребёнок Персоны" if grant.role is Role.PARENT else None,
            )  # fmt: skip
    return user


@pytest.mark.parametrize(("persona", "actor"), PERSONAS, ids=[name for name, _ in PERSONAS])
async def test_every_command_in_a_private_dialog(
    sandbox: VKSandbox, patient_bot: BotRunner, persona: str, actor: Actor
) -> None:
    async with patient_bot.db.transaction() as tx:
        await tx.classes.add("5А", 5, "А")
    user = await _persona(sandbox, patient_bot, actor, PERSONAS.index((persona, actor)))
    for command in COMMANDS:
        reply = await ask(user, f"/{command.name}")
        expected = expected_refusal(actor, command.name, in_chat=False)
        if expected is None:
            assert reply.text not in refusal_texts(command.name), (persona, command.name)
        else:
            assert reply.text == expected, (persona, command.name)
        # Leaves any dialog the command opened; reads what else it said, up to the answer.
        await user.send("/cancel")
        while (await user.wait_reply()).text not in CANCELLED:
            pass


@pytest.mark.parametrize(("persona", "actor"), PERSONAS, ids=[name for name, _ in PERSONAS])
async def test_every_command_in_a_group_chat(
    sandbox: VKSandbox, patient_bot: BotRunner, persona: str, actor: Actor
) -> None:
    async with patient_bot.db.transaction() as tx:
        await tx.classes.add("5А", 5, "А")
    user = await _persona(sandbox, patient_bot, actor, PERSONAS.index((persona, actor)))
    chat = sandbox.create_chat(title="Беседа", owner=user, bot_member=True)
    for command in COMMANDS:
        await user.send(f"/{command.name}", chat=chat)
        expected = expected_refusal(actor, command.name, in_chat=True)
        reply = await chat.wait_message()
        if expected is None:
            assert reply.text not in refusal_texts(command.name), (persona, command.name)
        else:
            assert reply.text == expected, (persona, command.name)
        await user.send("/cancel", chat=chat)
        while (await chat.wait_message()).text not in CANCELLED:
            pass
