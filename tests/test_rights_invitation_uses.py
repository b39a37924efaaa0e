"""A redemption that grants nothing spends no use of a capped invitation."""

from __future__ import annotations

from bot.domain.invitations import CodeStatus
from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import ask, invitation_code, joined_by_code, person_of, school_with_classes
from vk_sandbox import VKSandbox


async def test_a_parent_redeeming_again_is_told_so_and_spends_no_use(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    code = invitation_code(await ask(admin, "/invite parent 5А 2"))
    parent = await joined_by_code(sandbox, code, "Ольга", "Белова", "Белов Миша")

    already = t("join_already", role="родитель", class_name="5А")
    for _ in range(3):
        assert (await ask(parent, f"/join {code}")).text == already
    invitation = await bot.db.reader.invitations.by_id(1)
    assert invitation is not None and invitation.uses == 1

    # Even when the check passed earlier (the name was asked before the role came), the
    # redemption itself takes no use for a role already held.
    assert bot.app is not None
    late = await bot.app.services.invitations.redeem(
        await person_of(bot.app.db, parent), 1, "Белова Аня"
    )
    assert late.status is CodeStatus.ALREADY_MEMBER
    invitation = await bot.db.reader.invitations.by_id(1)
    assert invitation is not None and invitation.uses == 1

    second = await joined_by_code(sandbox, code, "Пётр", "Иванов", "Иванов Коля")
    assert second.user_id != parent.user_id
    links = await bot.db.reader.family.of_parent(await person_of(bot.db, parent))
    assert [link.child_name for link in links] == ["Белов Миша"]


async def test_a_role_gained_while_the_name_was_asked_spends_no_use(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    first = invitation_code(await ask(admin, "/invite parent 5А 5"))
    other = invitation_code(await ask(admin, "/invite parent 5А 5"))
    parent = await joined_by_code(sandbox, first, "Ольга", "Белова", None)  # asked the name
    assert bot.app is not None
    check = await bot.app.services.invitations.check(parent.user_id, other)
    assert check.status is CodeStatus.OK and check.invitation is not None
    await bot.app.services.invitations.redeem(
        await person_of(bot.app.db, parent), check.invitation.id, "Белов Миша"
    )

    reply = await ask(parent, "Белова Аня")
    assert reply.text == t("join_already", role="родитель", class_name="5А")
    invitation = await bot.db.reader.invitations.by_id(1)
    assert invitation is not None and invitation.uses == 0
