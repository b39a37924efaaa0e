"""GET /updates and its marker; webhooks with their secret, retries and redelivery."""

from __future__ import annotations

import asyncio

from max_sandbox import MaxSandbox, UserDriver
from max_sandbox.updates import UpdateLog

from .conftest import Api, Receiver


async def test_an_update_comes_again_until_a_later_marker_acknowledges_it(
    api: Api, bob: UserDriver
) -> None:
    await bob.start(payload="invite-5A")
    first = await api.updates()
    assert [u["update_type"] for u in first["updates"]] == ["bot_started"]
    assert first["updates"][0]["payload"] == "invite-5A"
    again = await api.updates()
    assert again["updates"] == first["updates"]  # not acknowledged yet
    await bob.send("Привет")
    after = await api.updates(marker=first["marker"])
    assert [u["update_type"] for u in after["updates"]] == ["message_created"]
    assert after["marker"] > first["marker"]
    done = await api.updates(marker=after["marker"])
    assert done == {"updates": [], "marker": after["marker"]}
    # An old marker does not bring acknowledged updates back.
    assert (await api.updates(marker=first["marker"]))["updates"] == []


async def test_limit_and_types_choose_what_comes(api: Api, bob: UserDriver) -> None:
    await bob.start()
    for text in ("раз", "два", "три"):
        await bob.send(text)
    two = await api.updates(limit=2)
    assert len(two["updates"]) == 2
    rest = await api.updates(marker=two["marker"], types="message_created")
    assert [u["message"]["body"]["text"] for u in rest["updates"]] == ["два", "три"]
    await api.error("GET", "/updates", 400, query={"limit": 0}, check_request=False)
    await api.error("GET", "/updates", 400, query={"timeout": 91}, check_request=False)


async def test_a_long_poll_waits_for_the_next_update(
    api: Api, sb: MaxSandbox, bob: UserDriver
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    empty = await api.ok("GET", "/updates", query={"timeout": 1})
    assert empty["updates"] == [] and loop.time() - started >= 0.9

    async def write_later() -> None:
        await asyncio.sleep(0.2)
        await bob.send("Есть кто?")

    task = asyncio.create_task(write_later())
    started = loop.time()
    answer = await api.ok("GET", "/updates", query={"timeout": 5, "marker": empty["marker"]})
    await task
    assert loop.time() - started < 2
    assert [u["update_type"] for u in answer["updates"]] == ["bot_started", "message_created"]


async def test_a_webhook_gets_each_update_with_the_secret(
    api: Api, sb: MaxSandbox, receiver: Receiver, bob: UserDriver
) -> None:
    body = {"url": receiver.url, "update_types": ["bot_started"], "secret": "s3cret-Key"}
    assert await api.ok("POST", "/subscriptions", body=body) == {"success": True}
    listed = await api.ok("GET", "/subscriptions")
    assert [s["url"] for s in listed["subscriptions"]] == [receiver.url]
    refused = await api.error("GET", "/updates", 405)
    assert "webhook" in refused["message"].lower()
    await bob.start(payload="code42")
    await bob.send("не по подписке")  # message_created is not among update_types
    await receiver.wait(1)
    headers, update = receiver.received[0]
    assert headers["X-Max-Bot-Api-Secret"] == "s3cret-Key"
    assert update["update_type"] == "bot_started" and update["payload"] == "code42"
    await sb.webhooks.drain()
    assert len(receiver.received) == 1
    gone = await api.ok("DELETE", "/subscriptions", query={"url": receiver.url})
    assert gone == {"success": True}
    assert (await api.updates())["updates"] == []  # webhook-delivered updates do not return


async def test_a_bad_subscription_is_refused(api: Api) -> None:
    await api.error("POST", "/subscriptions", 400, body={"url": ""})
    await api.error(
        "POST",
        "/subscriptions",
        400,
        body={"url": "https://bot.example/hook", "secret": "bad secret!"},
        check_request=False,
    )


async def test_a_webhook_is_retried_until_it_answers_200(
    api: Api, sb: MaxSandbox, receiver: Receiver, bob: UserDriver
) -> None:
    await api.ok("POST", "/subscriptions", body={"url": receiver.url})
    receiver.answers = [500, 503]
    await bob.start()
    await receiver.wait(3)
    assert await sb.webhooks.drain()
    assert [a.status for a in sb.webhooks.attempts] == [500, 503, 200]
    assert all(u == receiver.received[0][1] for _, u in receiver.received)


async def test_a_webhook_is_redelivered_although_it_answered_200(
    api: Api, sb: MaxSandbox, receiver: Receiver, bob: UserDriver
) -> None:
    await api.ok("POST", "/subscriptions", body={"url": receiver.url})
    sb.faults.redeliver_webhook()
    await bob.start()
    await receiver.wait(2)
    assert await sb.webhooks.drain()
    first, second = (u for _, u in receiver.received)
    assert first == second
    assert [a.redelivery for a in sb.webhooks.attempts] == [False, True]


async def test_a_duplicated_update_comes_twice_by_polling_and_by_webhook(
    api: Api, sb: MaxSandbox, receiver: Receiver, bob: UserDriver
) -> None:
    sb.faults.duplicate_next_updates()
    await bob.start()
    polled = await api.updates()
    assert len(polled["updates"]) == 2 and polled["updates"][0] == polled["updates"][1]
    await api.updates(marker=polled["marker"])
    await api.ok("POST", "/subscriptions", body={"url": receiver.url})
    sb.faults.duplicate_next_updates()
    await bob.send("дважды")
    await receiver.wait(2)
    assert receiver.received[0][1] == receiver.received[1][1]


async def test_a_webhook_that_never_answers_200_loses_the_update(
    api: Api, receiver: Receiver
) -> None:
    async with MaxSandbox(rate_limit=None, webhook_retry_delay=0.001, webhook_retries=2) as sb:
        user = sb.add_user(first_name="Ева", last_name="Ким")
        api.sb = sb
        await api.ok("POST", "/subscriptions", body={"url": receiver.url})
        receiver.answers = [500, 500, 500, 500]
        await user.start()
        assert await sb.webhooks.drain()
        assert [a.status for a in sb.webhooks.attempts] == [500, 500, 500]
        assert [u["update_type"] for u in sb.webhooks.dropped] == ["bot_started"]


def test_a_poll_reads_from_its_marker_after_old_history_was_dropped() -> None:
    # The first wanted update is found by its offset in the kept history, which no longer
    # starts at the first update once older ones were dropped: the same updates must come
    # as a walk over the whole history would give.
    log = UpdateLog(history=5)
    seqs = [log.append({"update_type": "message_created", "n": n}) for n in range(12)]
    found, marker = log.read(seqs[9], limit=2, types=None)
    assert [u["n"] for u in found] == [9, 10]
    assert marker == seqs[10] + 1
    rest, end = log.read(marker, limit=100, types=frozenset({"message_created"}))
    assert [u["n"] for u in rest] == [11]
    assert end == seqs[11] + 1
    # A marker older than what is kept starts from the oldest kept update.
    log.cursor = seqs[0]
    oldest, _ = log.read(None, limit=1, types=None)
    assert [u["n"] for u in oldest] == [7]
