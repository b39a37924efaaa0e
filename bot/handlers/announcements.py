"""Announcements to people, posts to the system channels, and the director's proposals."""

from __future__ import annotations

from typing import Any

from bot.context import EventContext
from bot.conversation.incoming import MESSAGES_ALLOWED, MESSAGES_DENIED
from bot.conversation.outgoing import Address, Chat, Person
from bot.dialogs import Steps
from bot.domain.announcements import (
    CLASS_AUDIENCES,
    Audience,
    ProposalOutcome,
    may_announce,
    may_post,
)
from bot.domain.roles import Role
from bot.domain.teaching import TEACHING_ROLES, speaking_as
from bot.handlers.args import class_from
from bot.handlers.dialog import next_step
from bot.handlers.routing import Router
from bot.keyboards import choice_keyboard, confirm_keyboard, main_menu
from bot.parsing import ClassNameError, parse_class_name, payload_int
from bot.render.events import class_names_text, signature
from bot.storage.classes import ClassRow
from bot.texts import BUTTONS, t

router = Router()

AUDIENCE_WORDS = {
    "parents": Audience.PARENTS, "родители": Audience.PARENTS,
    "students": Audience.STUDENTS, "ученики": Audience.STUDENTS,
    "teachers": Audience.TEACHERS, "учителя": Audience.TEACHERS,
    "staff": Audience.STAFF, "сотрудники": Audience.STAFF,
    "all": Audience.ALL, "все": Audience.ALL,
    "class": Audience.CLASS, "класс": Audience.CLASS,
}  # fmt: skip
CHANNELS = {"school": "school", "staff": "staff", "школа": "school", "сотрудники": "staff"}


class SendDialog(Steps):
    CONFIRM = "confirm"


def audience_name(audience: Audience, class_name: str | None) -> str:
    if audience in CLASS_AUDIENCES:
        if class_name:
            return t(f"audience_{audience.value}", class_name=class_name)
        return t(f"audience_{audience.value}_all")
    return t(f"audience_{audience.value}")


async def _classes_from(event_ctx: EventContext, text: str) -> tuple[list[ClassRow], str]:
    """The classes that open the text («5А 5Б Текст»), and the text after them. The first
    word, if it looks like a class, must be one; later ones count only if they are."""
    classes: list[ClassRow] = []
    rest = text
    while rest:
        first, _, tail = rest.partition(" ")
        if first[:1] not in "0123456789":
            break
        if not classes:
            classes.append(await class_from(event_ctx, first))
        else:
            try:
                name = parse_class_name(first).name
            except ClassNameError:
                break
            row = await event_ctx.services.school.find_class(name)
            if row is None:
                break
            if row not in classes:
                classes.append(row)
        rest = tail.strip()
    return classes, rest


@router.command("announce")
async def announce(event_ctx: EventContext) -> None:
    args = event_ctx.args
    words = args.split()
    audience = AUDIENCE_WORDS.get(words[0].lower()) if words else None
    if audience is None:
        event_ctx.reply(t("announce_usage") + t("announce_usage_class"))
        return
    rest = args.split(maxsplit=1)[1] if len(words) > 1 else ""
    classes: list[ClassRow] = []
    if audience in CLASS_AUDIENCES and rest:
        classes, rest = await _classes_from(event_ctx, rest)
    text = rest.strip()
    if not text:
        event_ctx.reply(t("announce_empty_text"))
        return
    services = event_ctx.services
    class_ids = [row.id for row in classes]
    taught = await services.teaching.taught_ids(event_ctx.who)
    if not may_announce(event_ctx.who, audience, class_ids, taught):
        event_ctx.reply(await _refusal(event_ctx, taught))
        return
    reach = await services.announcements.reach(audience, class_ids, event_ctx.person_id)
    if not reach.recipients and not reach.chats:
        event_ctx.reply(t("announce_nobody"))
        return
    role = speaking_as(event_ctx.who, class_ids, taught)
    names = [row.name for row in classes]
    sender = await signature(
        services, event_ctx.person_id, None if role is None else role.value, names
    )
    signed = t("announce_signed", sender=sender, text=text) if sender else text
    await _ask_confirmation(
        event_ctx,
        t(
            "announce_preview",
            audience=audience_name(audience, class_names_text(names) or None),
            reach=len(reach.recipients) - len(reach.unreachable),
            blocked=len(reach.unreachable),
            text=signed,
        ),
        {
            "peers": reach.recipients,
            "chats": reach.chats,
            "text": text,
            "signed": signed,
            "audience": audience.value,
            "class": class_ids[0] if class_ids else None,
            "classes": class_ids,
        },
    )


async def _refusal(event_ctx: EventContext, taught: list[int]) -> str:
    """Why the announcement is refused: a teacher hears which classes are theirs."""
    who = event_ctx.who
    if not who.has(*TEACHING_ROLES):
        return t("announce_not_allowed")
    own = set(who.classes_as(Role.CLASS_TEACHER)) | set(taught)
    if not own:
        return t("announce_no_classes")
    classes = await event_ctx.services.school.pupil_classes()
    names = [row.name for row in classes if row.id in own]
    return t("announce_not_allowed_teacher", classes=class_names_text(names))


@router.command("post")
async def post(event_ctx: EventContext) -> None:
    args = event_ctx.args
    head, _, text = args.strip().partition(" ")
    channel = CHANNELS.get(head.lower())
    if channel is None or not text.strip():
        event_ctx.reply(t("post_usage"))
        return
    if not may_post(event_ctx.who, channel):
        event_ctx.reply(t("post_not_allowed"))
        return
    peers = await event_ctx.services.announcements.channel_peers(channel)
    if not peers:
        event_ctx.reply(_no_channel(channel))
        return
    preview = t("post_preview", channel=t(f"channel_{channel}"), text=text.strip())
    await _ask_confirmation(
        event_ctx, preview, {"peers": peers, "text": text.strip(), "channel": channel}
    )


async def _ask_confirmation(event_ctx: EventContext, preview: str, payload: dict[str, Any]) -> None:
    await next_step(event_ctx, SendDialog.CONFIRM, **payload)
    event_ctx.reply(preview, keyboard=confirm_keyboard(BUTTONS["send"], "send_confirm"))


@router.step(SendDialog.CONFIRM, choice=("send_confirm", BUTTONS["send"]))
async def send_confirmed(event_ctx: EventContext) -> None:
    dialog = event_ctx.dialog
    services = event_ctx.services
    await services.dialogs.delete(event_ctx.person_id)
    refusal = await _refusal_now(event_ctx, dialog)
    if refusal is not None:
        event_ctx.reply(refusal, keyboard=main_menu(event_ctx.who))
        return
    # /post goes to a channel's chat, /announce to people (and a subject teacher's chats).
    to_chat = "channel" in dialog
    recipients: list[Address] = [
        Chat(int(peer)) if to_chat else Person(int(peer)) for peer in dialog["peers"]
    ]
    recipients += [Chat(int(peer)) for peer in dialog.get("chats") or []]
    await services.notifier.broadcast(
        recipients,
        str(dialog.get("signed") or dialog["text"]),
        key=f"send:{event_ctx.event_id}",
        report_to=event_ctx.person_id,
    )
    event_ctx.reply(t("announce_queued"), keyboard=main_menu(event_ctx.who))


async def _refusal_now(event_ctx: EventContext, dialog: dict[str, Any]) -> str | None:
    """The preview was allowed; sending is allowed only if it still is (a class taken away
    since, say). Dialogs from before these fields were kept are checked by role only."""
    channel, audience = dialog.get("channel"), dialog.get("audience")
    if isinstance(channel, str) and not may_post(event_ctx.who, channel):
        return t("post_not_allowed")
    known = isinstance(audience, str) and audience in {a.value for a in Audience}
    listed = dialog.get("classes")
    if isinstance(listed, list):
        class_ids = [int(c) for c in listed if isinstance(c, int)]
    else:
        single = payload_int(dialog.get("class"))
        class_ids = [] if single is None else [single]
    if known:
        taught = await event_ctx.services.teaching.taught_ids(event_ctx.who)
        if not may_announce(event_ctx.who, Audience(str(audience)), class_ids, taught):
            return t("announce_not_allowed")
    return None


@router.step(SendDialog.CONFIRM)
async def send_unclear(event_ctx: EventContext) -> None:
    event_ctx.reply(
        t("dialog_expects_button"), keyboard=confirm_keyboard(BUTTONS["send"], "send_confirm")
    )


@router.command("propose")
async def propose(event_ctx: EventContext) -> None:
    args = event_ctx.args
    text = args.strip()
    if not text:
        event_ctx.reply(t("propose_usage"))
        return
    services = event_ctx.services
    proposal_id = await services.announcements.propose(event_ctx.who, text)
    keyboard = choice_keyboard(
        [
            (BUTTONS["publish_school"], "proposal", {"id": proposal_id, "to": "school"}),
            (BUTTONS["publish_staff"], "proposal", {"id": proposal_id, "to": "staff"}),
            (BUTTONS["decline_proposal"], "proposal", {"id": proposal_id, "to": ""}),
        ],
        per_row=1,
    )
    for admin in await services.school.admin_ids():
        event_ctx.send(
            Person(admin), t("propose_for_admin", id=proposal_id, text=text), keyboard=keyboard
        )
    event_ctx.reply(t("propose_sent", id=proposal_id))


@router.button("proposal")
async def proposal_decided(event_ctx: EventContext) -> None:
    data = event_ctx.data
    proposal_id, channel = payload_int(data.get("id")), data.get("to")
    if proposal_id is None or channel not in ("school", "staff", ""):
        await event_ctx.answer_callback(t("stale_button"))
        return
    services = event_ctx.services
    peers = await services.announcements.channel_peers(channel) if channel else []
    if channel and not peers:
        await event_ctx.answer_callback(None)
        event_ctx.reply(_no_channel(channel))
        return
    outcome, proposal = await services.announcements.decide(
        event_ctx.who, proposal_id, bool(channel)
    )
    if outcome is not ProposalOutcome.DONE or proposal is None:
        await event_ctx.answer_callback(t("propose_already", id=proposal_id))
        return
    await event_ctx.answer_callback(None)
    if channel:
        await services.notifier.broadcast(
            [Chat(peer) for peer in peers], proposal.text, key=f"proposal:{proposal_id}"
        )
        where = t(f"channel_{channel}")
        event_ctx.reply(t("propose_published", id=proposal_id, channel=where))
        event_ctx.send(
            Person(proposal.proposed_by),
            t("propose_author_published", id=proposal_id, channel=where),
        )
    else:
        event_ctx.reply(t("propose_declined", id=proposal_id))
        event_ctx.send(Person(proposal.proposed_by), t("propose_author_declined", id=proposal_id))


@router.action(MESSAGES_ALLOWED, MESSAGES_DENIED)
async def messages_allowed_or_denied(event_ctx: EventContext) -> None:
    """Keeps a person's "can receive" flag as the messenger reports it."""
    action = event_ctx.incoming.action
    allowed = action is not None and action.kind == MESSAGES_ALLOWED
    await event_ctx.services.announcements.set_can_receive(event_ctx.person_id, allowed)


def _no_channel(channel: str) -> str:
    """«Канал «Сотрудники» ещё не привязан…»: the channel's name starts the sentence."""
    name = t(f"channel_{channel}")
    return t("post_no_channel", channel=name[:1].upper() + name[1:], code=channel)
