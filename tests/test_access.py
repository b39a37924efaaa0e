"""Every command, tried by people who may not use it: each is refused with a clear reason."""

from __future__ import annotations

import pytest

from bot.commands import all_specs
from bot.domain.roles import Role
from bot.texts import role_name, t
from tests.conftest import BotRunner
from tests.helpers import admin_user, ask, consented_user, drain, verified_teacher
from vk_sandbox import UserDriver, VKSandbox

RESTRICTED = [spec for spec in all_specs() if spec.roles]
NEEDS_CONSENT = [spec for spec in all_specs() if spec.roles is not None]


def _roles_text(roles: frozenset[Role]) -> str:
    return ", ".join(role_name(role) for role in sorted(roles))


@pytest.mark.parametrize("spec", NEEDS_CONSENT, ids=lambda spec: spec.name)
async def test_a_stranger_without_consent_is_asked_for_consent_first(
    sandbox: VKSandbox, bot: BotRunner, spec: object
) -> None:
    stranger = sandbox.add_user(first_name="Гость", last_name="Гостев")
    reply = await ask(stranger, f"/{spec.name} 5А")  # type: ignore[attr-defined]
    expected = "chat_only" if spec.where == "chat" else "consent_needed"  # type: ignore[attr-defined]
    assert reply.text == t(expected)


async def test_a_parent_is_refused_every_staff_command(
    sandbox: VKSandbox, patient_bot: BotRunner
) -> None:
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    for spec in RESTRICTED:
        assert spec.roles is not None
        reply = await ask(parent, f"/{spec.name} 5А")
        if spec.where == "chat":
            assert reply.text == t("chat_only")
        else:
            assert reply.text == t("role_refused", command=spec.name, roles=_roles_text(spec.roles))


async def test_an_unverified_teacher_is_told_to_wait_for_verification(
    sandbox: VKSandbox, patient_bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    teacher: UserDriver = await verified_teacher(sandbox, admin, "Олег", "Сидоров", verify=False)
    teacher_only = [spec for spec in RESTRICTED if spec.roles and Role.CLASS_TEACHER in spec.roles]
    assert teacher_only
    for spec in teacher_only:
        if spec.where == "chat":
            continue
        reply = await ask(teacher, f"/{spec.name}")
        assert reply.text == t("unverified_refused", command=spec.name)


async def test_staff_commands_in_a_group_chat_point_to_the_private_dialog(
    sandbox: VKSandbox, patient_bot: BotRunner
) -> None:
    admin = await admin_user(sandbox)
    chat = sandbox.create_chat(title="Учительская", owner=admin, members=[], bot_member=True)
    for spec in RESTRICTED:
        if spec.where != "private":
            continue
        await admin.send(f"/{spec.name}", chat=chat)
        assert (await chat.wait_message()).text == t("private_only")
