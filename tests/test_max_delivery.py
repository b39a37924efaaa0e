"""Exactly once without an idempotency key: MAX stores a message and the answer is lost (a
5xx after the effect, a dropped connection after the effect, a crash while the call is on
its way); the bot reads the chat back and does not send it again. A 5xx before the effect,
a 429: the message goes, once. Checked in the sandbox's per-user messages and in the chat's
history (GET /messages)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.conversation.identity import max_account
from bot.conversation.outgoing import OutgoingMessage, Person
from bot.max.sender import CLOCK_MARGIN_MS
from bot.texts import t
from max_sandbox import MaxSandbox, UserDriver
from tests.conftest import BotRunner
from tests.max_support import (  # noqa: F401
    ask,
    consented,
    drain,
    faults_fired,
    max_admin,
    max_bot,
    sb,
    start_max_bot,
)

SEND = "POST /messages"


def copies(sandbox: MaxSandbox, user: UserDriver, text: str) -> int:
    """How many messages with this text the bot has in the user's dialog."""
    history = sandbox.history.get(user.dialog_id, [])
    return sum(
        1
        for stored in history
        if stored.api["sender"]["user_id"] == sandbox.bot_id and stored.api["body"]["text"] == text
    )


async def _reply_under(sandbox: MaxSandbox, arm: Callable[[], object]) -> tuple[UserDriver, str]:
    anna = await consented(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    arm()
    reply = await ask(anna, "/help")
    await anna.expect_silence(1.0)  # nothing comes twice
    return anna, reply.text


async def test_a_reply_whose_answer_was_a_5xx_after_it_was_stored_is_not_sent_again(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    anna, text = await _reply_under(sb, lambda: sb.faults.error_after(500, methods=SEND))
    assert copies(sb, anna, text) == 1
    assert sb.calls_to("GET /messages"), "the bot read the chat back"


async def test_a_reply_whose_connection_dropped_after_it_was_stored_is_not_sent_again(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    anna, text = await _reply_under(sb, lambda: sb.faults.drop_after(methods=SEND))
    assert copies(sb, anna, text) == 1


async def test_a_reply_refused_with_a_5xx_before_it_was_stored_goes_once(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    anna, text = await _reply_under(sb, lambda: sb.faults.error_before(503, times=2, methods=SEND))
    assert copies(sb, anna, text) == 1


async def test_replies_meeting_429_are_retried_and_none_is_lost(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    people = [await consented(sb, "Ученик", f"Номер{i}") for i in range(4)]
    for person in people:
        await drain(person)
    sb.faults.too_many_requests(times=6, methods=SEND)
    for person in people:
        await person.send("/help")
    for person in people:
        reply = await person.wait_reply(timeout=10)
        assert copies(sb, person, reply.text) == 1
    assert any(call.status == 429 for call in sb.calls)


async def _person(runner: BotRunner, user: UserDriver) -> int:
    person = await runner.db.reader.accounts.person_of(max_account(user.user_id))
    assert person is not None
    return person


async def test_a_broadcast_under_faults_after_the_effect_reaches_everyone_once(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    admin = await max_admin(sb)
    parents = [await consented(sb, "Родитель", f"Номер{i}") for i in range(6)]
    for parent in parents:
        await drain(parent)
    sb.faults.error_after(500, times=2, methods=SEND)
    sb.faults.drop_after(times=2, methods=SEND)
    sb.faults.error_before(502, times=1, methods=SEND)
    text = "Собрание в четверг в 18:00"
    services = max_bot.app.services  # type: ignore[union-attr]
    recipients = [Person(await _person(max_bot, parent)) for parent in parents]
    await services.notifier.broadcast(
        recipients, text, "test-broadcast", report_to=await _person(max_bot, admin)
    )
    for parent in parents:
        message = await parent.wait_reply(timeout=10)
        assert message.text == text
    report = await admin.wait_reply(timeout=10)
    assert report.text == t("announce_report", sent=6, blocked=0, failed=0)
    await asyncio.sleep(0.5)
    for parent in parents:
        assert copies(sb, parent, text) == 1, parent


async def test_a_restart_after_an_unanswered_send_looks_for_it_and_does_not_double_it(
    sb: MaxSandbox,  # noqa: F811
    start_max_bot: Callable[..., Awaitable[BotRunner]],  # noqa: F811
) -> None:
    runner = await start_max_bot(flood_limit=0)
    anna = await consented(sb, "Анна", "Кузнецова")
    await drain(anna)
    # MAX stores the reply and the answer is lost; the bot's look into the chat hangs, and
    # the bot dies meanwhile: the row is attempted and not recorded as sent.
    sb.faults.drop_after(methods=SEND)
    sb.faults.slow(3.0, methods="GET /messages")
    await anna.send("/help")
    reply = await anna.wait_reply(timeout=5)
    await faults_fired(sb)
    await runner.crash()
    await runner.start()
    await anna.expect_silence(1.5)
    assert copies(sb, anna, reply.text) == 1
    pending = await runner.db.reader.outbox.pending(after_id=0, limit=10)
    assert pending == [], "the restarted bot found it sent"


async def test_a_send_whose_chat_stays_unreadable_for_a_while_is_still_found(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    """The look into the chat reaches back to the first attempt: while the chat cannot be
    read, round after round, the row must keep that attempt's mark (a round marks only its
    first attempts), or a message sent longer ago than the clocks' margin is missed."""
    anna = await consented(sb, "Анна", "Кузнецова")
    await drain(anna)
    sb.faults.drop_after(methods=SEND)
    sb.faults.outage(503, methods="GET /messages")
    await anna.send("/help")
    reply = await anna.wait_reply(timeout=5)
    # Rounds go about every 0.9 s here: the last look that fails starts well past the margin.
    await asyncio.sleep(CLOCK_MARGIN_MS / 1000 + 3.0)
    sb.faults.clear()
    await anna.expect_silence(2.0)
    assert copies(sb, anna, reply.text) == 1
    assert await max_bot.db.reader.outbox.pending(after_id=0, limit=10) == []


async def test_a_crash_before_an_answer_neither_drops_nor_doubles_the_reply(
    sb: MaxSandbox,  # noqa: F811
    start_max_bot: Callable[..., Awaitable[BotRunner]],  # noqa: F811
) -> None:
    runner = await start_max_bot(flood_limit=0)
    anna = await consented(sb, "Анна", "Кузнецова")
    await drain(anna)
    # The send is slow; the bot dies while it waits (MAX never stores it).
    sb.faults.slow(1.0, methods=SEND)
    await anna.send("/help")
    await faults_fired(sb)
    await runner.crash()
    await runner.start()
    reply = await anna.wait_reply(timeout=5)
    await anna.expect_silence(1.0)
    assert copies(sb, anna, reply.text) == 1


async def test_many_messages_to_one_person_arrive_promptly_and_in_order(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    anna = await consented(sb, "Анна", "Кузнецова")
    await drain(anna)
    person = await _person(max_bot, anna)
    services = max_bot.app.services  # type: ignore[union-attr]
    texts = [f"Сообщение {i}" for i in range(12)]
    await services.notifier.send_now(
        [OutgoingMessage(Person(person), text) for text in texts], "test-pile"
    )
    received = await anna.wait_replies(12, timeout=3)
    assert [m.text for m in received] == texts
