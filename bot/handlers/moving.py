"""A school moving from VK to MAX: `/link_max` and `/link_vk` (one person, both messengers),
`/messenger` (where the bot's messages go), `/moving` (how far each class has moved)."""

from __future__ import annotations

from bot.context import EventContext
from bot.conversation.identity import MAX, MESSENGER_TITLES, VK
from bot.conversation.outgoing import AccountAddress, person_number
from bot.domain.moving import LINK_TTL, LinkStatus
from bot.domain.people import REF_CODE_MAX
from bot.handlers.routing import Router
from bot.keyboards import choice_keyboard, main_menu
from bot.storage.links import ClassReach
from bot.texts import MESSENGER_WHERE, t

router = Router()

# The command that links an account on each messenger, from the other one.
LINK_COMMAND = {MAX: "link_max", VK: "link_vk"}
# The order messengers are offered in.
ORDER = (VK, MAX)


def where(messenger: str | None) -> str:
    """«в MAX», «во ВКонтакте»."""
    return MESSENGER_WHERE.get(messenger or "", messenger or "")


async def typed_ref(event_ctx: EventContext, person_id: int, shown_on: str | None = None) -> str:
    """How an admin reading on `shown_on` (by default where the event came from) types a
    person back (`/verify …`): the number their account there is known by, as each
    messenger's adapter shows it (VK: `123`, as before; MAX: `max:123`), or, for someone
    without an account there, their other account written out (`max:123`, `vk:123`)."""
    accounts = await event_ctx.services.moving.accounts(person_id)
    messenger = shown_on or event_ctx.messenger
    if messenger in accounts or not accounts:
        return person_number(person_id)
    return str(accounts.get(VK) or accounts[MAX])


def _other(messenger: str) -> str:
    return MAX if messenger == VK else VK


@router.command("link_max")
async def link_max(event_ctx: EventContext) -> None:
    await _give_link(event_ctx, MAX)


@router.command("link_vk")
async def link_vk(event_ctx: EventContext) -> None:
    await _give_link(event_ctx, VK)


async def _give_link(event_ctx: EventContext, target: str) -> None:
    services = event_ctx.services
    if event_ctx.messenger == target:
        other = _other(target)
        event_ctx.reply(
            t(
                "link_here",
                where=where(target),
                other=where(other),
                other_command=LINK_COMMAND[other],
            )
        )
        return
    accounts = await services.moving.accounts(event_ctx.person_id)
    if target in accounts:
        reached = await services.moving.reached_on(event_ctx.person_id)
        event_ctx.reply(t("link_already", where=where(target), reached=where(reached or target)))
        return
    if target not in services.messengers.names:
        event_ctx.reply(t("link_off", where=where(target)))
        return
    payload = await services.moving.issue_link(event_ctx.person_id, target)
    link = services.messengers.invitation_link(payload, target)
    minutes = int(LINK_TTL.total_seconds() // 60)
    event_ctx.reply(t("link_give", where=where(target), minutes=minutes, link=link))


async def redeem_link(event_ctx: EventContext, payload: str) -> None:
    """A link from `/link_max` or `/link_vk` opened here: this account joins the person the
    link was given to. Both of their accounts hear it; the dispatcher forgets whom it knew
    this account as."""
    services = event_ctx.services
    account = event_ctx.account
    if account is None:
        event_ctx.reply(t("link_wrong"))
        return
    result = await services.moving.redeem_link(
        account, event_ctx.person_id, payload.strip()[:REF_CODE_MAX]
    )
    here = where(account.messenger)
    status = result.status
    if status is LinkStatus.WRONG:
        event_ctx.reply(t("link_wrong"))
    elif status is LinkStatus.WRONG_MESSENGER:
        event_ctx.reply(t("link_wrong_messenger", where=where(_other(account.messenger))))
    elif status is LinkStatus.SAME:
        event_ctx.reply(t("link_same"))
    elif status is LinkStatus.ALREADY_HAS:
        event_ctx.reply(t("link_already_has", where=here))
    elif status is LinkStatus.TAKEN:
        event_ctx.reply(t("link_taken", where=here))
    else:
        assert result.person_id is not None
        person = result.person_id
        event_ctx.relinked.append(account)
        reached = await services.moving.reached_on(person)
        actor = await services.people.load_actor(person)
        text = t("link_done", reached=where(reached))
        for messenger in ORDER:
            linked = result.accounts.get(messenger)
            if linked is None:
                continue
            # Named by account: this event's sender is still the person it replaced, and
            # each of the person's messengers hears it, not only the one reached on.
            keyboard = main_menu(actor) if linked == account else None
            event_ctx.send(AccountAddress(person, linked), text, keyboard=keyboard)


@router.command("messenger")
async def messenger(event_ctx: EventContext) -> None:
    services = event_ctx.services
    person = event_ctx.person_id
    accounts = await services.moving.accounts(person)
    reached = await services.moving.reached_on(person) or event_ctx.messenger
    lines = [t("messenger_now", reached=where(reached))]
    keyboard = None
    owned = [m for m in ORDER if m in accounts]
    if len(owned) > 1:
        lines.append(t("messenger_choose"))
        keyboard = choice_keyboard(
            [(MESSENGER_TITLES[m], "messenger", {"to": m}) for m in owned], per_row=2
        )
    else:
        missing = [m for m in ORDER if m not in accounts and m in services.messengers.names]
        lines += [
            t("messenger_link_other", where=where(m), command=LINK_COMMAND[m]) for m in missing
        ]
    event_ctx.reply("\n".join(lines), keyboard=keyboard)


@router.button("messenger")
async def messenger_button(event_ctx: EventContext) -> None:
    chosen = event_ctx.data.get("to")
    if chosen not in ORDER:
        await event_ctx.answer_callback(t("stale_button"))
        return
    assert isinstance(chosen, str)
    if not await event_ctx.services.moving.choose(event_ctx.person_id, chosen):
        text = t("messenger_not_linked", where=where(chosen), command=LINK_COMMAND[chosen])
    else:
        text = t("messenger_chosen", reached=where(chosen))
    await event_ctx.answer_callback(None)
    event_ctx.reply(text)


@router.command("moving")
async def moving(event_ctx: EventContext) -> None:
    services = event_ctx.services
    classes = await services.moving.class_reach()
    if not classes:
        event_ctx.reply(t("moving_empty"))
        return
    lines = [t("moving_header")]
    for row in classes:
        line = t(
            "moving_line",
            class_name=row.class_name,
            total=_total(row),
            on_max=row.max_only + row.both,
            both=row.both,
            vk_only=row.vk_only,
        )
        if row.neither:
            line += t("moving_line_neither", neither=row.neither)
        lines.append(line)
    lines.append(moving_total(await services.moving.school_reach(), "moving_total"))
    event_ctx.reply("\n".join(lines))


def _total(row: ClassReach) -> int:
    return row.vk_only + row.max_only + row.both + row.neither


def moving_total(row: ClassReach, key: str) -> str:
    """The whole school's figure: people with any role, each once."""
    total = _total(row)
    on_max = row.max_only + row.both
    percent = round(100 * on_max / total) if total else 0
    return t(key, total=total, on_max=on_max, percent=percent)
