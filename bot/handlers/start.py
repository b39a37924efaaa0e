"""First contact: greeting, consent to personal data processing (152-FZ), invitation codes."""

from __future__ import annotations

from bot.context import EventContext
from bot.domain.invitations import hash_code
from bot.domain.moving import is_link_payload
from bot.domain.people import REF_CODE_MAX
from bot.handlers.invitations import begin_redemption
from bot.handlers.moving import redeem_link
from bot.handlers.routing import Router
from bot.keyboards import consent_keyboard, main_menu
from bot.texts import role_name, t, t_on

router = Router()

FALLBACK_NAME = "друг"


async def first_name(event_ctx: EventContext) -> str:
    first, _, _ = await event_ctx.services.messengers.profile(event_ctx.account)
    return first or FALLBACK_NAME


def _full_name(first: str, last: str) -> str:
    """As the register writes names: surname first."""
    return " ".join(part for part in (last, first) if part)


async def offer_consent(event_ctx: EventContext, ref: str | None) -> None:
    """Greets a person who has not consented yet and asks for consent; keeps only the code."""
    if ref and is_link_payload(ref):
        # A link from /link_max or /link_vk: this account is someone the bot knows already.
        await redeem_link(event_ctx, ref)
        return
    text = t_on(
        event_ctx.messenger,
        "greeting_new",
        name=await first_name(event_ctx),
        school=event_ctx.services.settings.school_name,
    )
    if ref:
        await event_ctx.services.people.remember_ref(event_ctx.person_id, ref, event_ctx.account)
        text += "\n\n" + t("ref_kept")
    event_ctx.reply(text)
    event_ctx.reply(t_on(event_ctx.messenger, "consent_request"), keyboard=consent_keyboard())


async def act_on_ref(event_ctx: EventContext, code_hash: str) -> None:
    """An invitation code (by its hash) arrived from a person who has consented."""
    await begin_redemption(event_ctx, code_hash)


async def give_consent(event_ctx: EventContext) -> None:
    first, last, gender = await event_ctx.services.messengers.profile(event_ctx.account)
    full_name = _full_name(first, last) or event_ctx.services.messengers.placeholder_name(
        event_ctx.account
    )
    result = await event_ctx.services.people.consent(
        event_ctx.person_id, full_name, gender, event_ctx.account
    )
    event_ctx.actor = result.actor
    text = t("consent_given" if result.newly_consented else "consent_already")
    if result.granted:
        text += " " + t(
            "consent_roles_granted",
            roles=[role_name(r) for r in result.granted],
        )
    event_ctx.reply(text, keyboard=main_menu(result.actor))
    if not result.newly_consented:
        return
    if result.pending_ref:
        await act_on_ref(event_ctx, result.pending_ref)
    elif not result.actor.grants:
        event_ctx.reply(t("guest_next_steps"))


@router.command("start")
async def start(event_ctx: EventContext) -> None:
    if event_ctx.in_chat:
        event_ctx.reply(
            t("consent_needed_in_chat") if not event_ctx.who.has_consented else t("help_footer")
        )
        return
    payload = event_ctx.incoming.start_payload
    if is_link_payload(payload):
        assert payload is not None
        await redeem_link(event_ctx, payload)
        return
    if not event_ctx.who.has_consented:
        await offer_consent(event_ctx, event_ctx.incoming.start_payload)
        return
    if event_ctx.incoming.start_payload:
        await act_on_ref(event_ctx, hash_code(event_ctx.incoming.start_payload[:REF_CODE_MAX]))
        return
    first, last, gender = await event_ctx.services.messengers.profile(event_ctx.account)
    if first or last or gender is not None:
        await event_ctx.services.people.note_profile(
            event_ctx.person_id,
            _full_name(first, last),
            gender,
            event_ctx.services.messengers.placeholder_name(event_ctx.account),
        )
    event_ctx.reply(
        t("greeting_known", name=first or FALLBACK_NAME), keyboard=main_menu(event_ctx.who)
    )


@router.command("agree")
async def agree(event_ctx: EventContext) -> None:
    if event_ctx.in_chat:
        event_ctx.reply(t("consent_needed_in_chat"))
        return
    await give_consent(event_ctx)


@router.button("agree")
async def agree_button(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(t("consent_given"))
    await give_consent(event_ctx)


@router.button("decline")
async def decline_button(event_ctx: EventContext) -> None:
    await event_ctx.answer_callback(None)
    event_ctx.reply(t("consent_declined"))
