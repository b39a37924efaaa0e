"""VK's failure modes and restarts: no event lost, none handled twice, no reply doubled."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from bot.texts import t
from tests.conftest import GROUP_ID, BotRunner, make_settings
from tests.helpers import consented_user, drain
from vk_sandbox import VKSandbox


async def _ask_help_and_count(sandbox: VKSandbox, user_name: str) -> None:
    user = await consented_user(sandbox, user_name, "Тестова")
    await drain(user)
    await user.send("/cancel")
    assert (await user.wait_reply(timeout=15)).text == t("cancel_nothing")
    await user.expect_silence(within=0.5)


@pytest.mark.parametrize("code", [1, 2, 3])
async def test_long_poll_failures_are_survived(
    sandbox: VKSandbox, bot: BotRunner, code: int
) -> None:
    sandbox.faults.longpoll_failed(code, times=2)
    await _ask_help_and_count(sandbox, "Анна")


@pytest.mark.parametrize(
    "inject",
    [
        pytest.param(lambda s: s.faults.http_500(times=3), id="http-500"),
        pytest.param(lambda s: s.faults.drop_connection(times=3), id="dropped-connection"),
        pytest.param(lambda s: s.faults.slow(1.5, times=2), id="slow-answer"),
        pytest.param(lambda s: s.faults.api_error(6, times=3), id="error-6"),
        pytest.param(lambda s: s.faults.api_error(10, times=3), id="error-10"),
    ],
)
async def test_api_faults_are_retried_without_doubling_a_reply(
    sandbox: VKSandbox, bot: BotRunner, inject: object
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    inject(sandbox)  # type: ignore[operator]
    await anna.send("/cancel")
    assert (await anna.wait_reply(timeout=20)).text == t("cancel_nothing")
    await anna.expect_silence(within=1.0)
    texts = Counter(m.text for m in anna.messages)
    assert texts[t("cancel_nothing")] == 1


async def test_a_redelivered_event_is_handled_once(sandbox: VKSandbox, bot: BotRunner) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    await anna.send("/cancel")
    await anna.wait_reply()
    sandbox.faults.redeliver_last(times=2)
    await anna.send("/support")
    await anna.wait_reply()
    await anna.expect_silence(within=1.0)
    assert [m.text for m in anna.messages].count(t("cancel_nothing")) == 1


async def test_messages_written_while_the_bot_was_down_are_answered(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    await bot.stop()

    await anna.send("/cancel")
    newcomer = sandbox.add_user(first_name="Борис", last_name="Новиков")
    await newcomer.send("Начать")

    await bot.start()
    assert (await anna.wait_reply(timeout=10)).text == t("cancel_nothing")
    greeting, _ = await newcomer.wait_replies(2, timeout=10)
    assert "Борис" in greeting.text


async def test_a_crash_between_events_loses_nothing_and_doubles_nothing(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    await bot.crash()
    await anna.send("/cancel")
    await bot.start()
    assert (await anna.wait_reply(timeout=10)).text == t("cancel_nothing")
    await bot.crash()
    await bot.start()
    await anna.expect_silence(within=1.5)


async def test_a_burst_of_200_people_gets_200_answers_within_the_rate_limit(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    people = [sandbox.add_user(first_name=f"Ученик{n}", last_name="Тестов") for n in range(200)]
    await asyncio.gather(*(person.send("/help") for person in people))
    replies = await asyncio.gather(*(person.wait_reply(timeout=30) for person in people))
    assert all(reply.text == t("help_before_consent") for reply in replies)
    assert len(sandbox.sent) == 200
    # The bot's own limiter kept it under VK's 20 calls a second: VK never had to refuse.
    assert not [call for call in sandbox.calls if call.error_code == 6]


async def test_every_reply_carries_a_random_id_for_vk_deduplication(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = sandbox.add_user(first_name="Анна", last_name="Кузнецова")
    await anna.send("Начать")
    replies = await anna.wait_replies(2)
    assert all(reply.random_id != 0 for reply in replies)
    assert len({reply.random_id for reply in replies}) == 2


async def test_messages_older_than_vk_keeps_events_are_found_in_the_conversations(
    tmp_path: Path,
) -> None:
    async with VKSandbox(group_id=GROUP_ID, history=5) as small_history:
        runner = BotRunner(make_settings(small_history, tmp_path / "bot.sqlite3"))
        await runner.start()
        try:
            anna = await consented_user(small_history, "Анна", "Кузнецова")
            await drain(anna)
            await runner.stop()
            await anna.send("/cancel")
            others = [
                small_history.add_user(first_name="Гость", last_name=f"Номер{n}") for n in range(8)
            ]
            for other in others:
                await other.send("Здравствуйте")
            await runner.start()

            assert (await anna.wait_reply(timeout=10)).text == t("cancel_nothing")
            for other in others:
                greeting, _ = await other.wait_replies(2, timeout=10)
                assert "Здравствуйте, Гость!" in greeting.text
            await anna.expect_silence(within=1.0)
        finally:
            await runner.stop()


async def test_one_persons_messages_are_answered_in_the_order_written(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    for text in ("/cancel", "/support", "/help", "абракадабра"):
        await anna.send(text)
    replies = await anna.wait_replies(4)
    assert replies[0].text == t("cancel_nothing")
    assert "info@sferum.ru" in replies[1].text
    assert replies[2].text.startswith(t("help_header"))
    assert replies[3].text == t("unknown_text")


async def test_a_flooding_person_is_told_once_and_others_are_not_slowed(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    flooder = await consented_user(sandbox, "Спамер", "Быстрый")
    await drain(flooder)
    calm = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(calm)
    for n in range(30):
        await flooder.send(f"сообщение {n}")
    await calm.send("/cancel")
    assert (await calm.wait_reply()).text == t("cancel_nothing")
    replies = await drain(flooder, within=1.0)
    texts = [reply.text for reply in replies]
    assert texts.count(t("flood_slow_down")) == 1
    # At most twenty messages in ten seconds are answered (her first contact counts too),
    # then one request to slow down, then silence.
    answered = texts.count(t("unknown_text"))
    assert 15 <= answered <= 20
    assert texts[-1] == t("flood_slow_down")
