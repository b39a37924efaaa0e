"""Under VK's limit, the answers to button presses that wait for a free call go together in
one `execute`: each call taken alone would spend a slot that 25 replies could have used
(`bench_help.py --rate-limit 20`, see BENCHMARKS.md, "After issue 13")."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from bot.conversation.identity import vk_account
from bot.storage import Database
from bot.vk.api import ResilientAPI
from bot.vk.gateway import VKGateway
from bot.vk.limiter import RateLimiter


class _LimitedAPI:
    """VK's limit as the bot's own client keeps it; records how many answers each call
    carried."""

    def __init__(self) -> None:
        self.limiter = RateLimiter(2, period=0.3, margin=0.0)
        self.calls: list[int] = []

    async def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        await self.limiter.acquire()
        if method == "execute":
            self.calls.append(params["code"].count("sendMessageEventAnswer"))
            return {"response": [1] * self.calls[-1]}
        assert method == "messages.sendMessageEventAnswer", method
        self.calls.append(1)
        return {"response": 1}


async def test_answers_waiting_for_the_limit_go_in_one_call() -> None:
    api = _LimitedAPI()
    gateway = VKGateway(cast(ResilientAPI, api), group_id=1, db=cast(Database, None))
    for _ in range(2):  # the limit is spent for the moment
        await api.limiter.acquire()

    for press in range(10):  # presses arriving one after another meanwhile
        gateway.answer_callback_soon(f"event{press}", vk_account(100 + press), 100 + press, None)
        await asyncio.sleep(0.01)
    await gateway.finish_answers()

    assert sum(api.calls) == 10  # every press answered, once
    assert api.calls == [10]


async def test_an_answer_with_nothing_to_wait_for_goes_at_once() -> None:
    api = _LimitedAPI()
    gateway = VKGateway(cast(ResilientAPI, api), group_id=1, db=cast(Database, None))
    gateway.answer_callback_soon("event", vk_account(100), 100, "Готово")
    await asyncio.wait_for(gateway.finish_answers(), timeout=0.2)
    assert api.calls == [1]
