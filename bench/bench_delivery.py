"""Delivery under VK's limit of 20 calls a second, through the local sandbox.

1. A burst: N people write /help in the same second; replies per second until every one is
   answered (ceiling 20 calls × 25 messages per execute = 500 a second), lost replies.
2. Broadcasts of one text to 1,500 and 15,000 recipients: seconds and API calls (ceiling
   20 × 25 × 100 = 50,000 recipients a second; at best ceil(n / 2,500) execute calls).

    python bench/bench_delivery.py [--burst 500] [--broadcasts 1500,15000]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from pathlib import Path

from loguru import logger

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import Application  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.conversation.identity import vk_account  # noqa: E402
from bot.conversation.outgoing import Person  # noqa: E402
from vk_sandbox import VKSandbox  # noqa: E402

GROUP_ID = 229000044


def top_level(sandbox: VKSandbox, since: int) -> int:
    return sum(1 for call in sandbox.calls[since:] if not call.via_execute)


async def burst(sandbox: VKSandbox, people: int) -> None:
    users = [sandbox.add_user(first_name="Ученик", last_name=f"Номер{n}") for n in range(people)]
    since = len(sandbox.calls)
    started = time.perf_counter()
    await asyncio.gather(*(user.send("/help") for user in users))
    answered = 0
    for user in users:
        try:
            await user.wait_reply(timeout=60)
            answered += 1
        except AssertionError:
            pass
    seconds = time.perf_counter() - started
    print(
        f"burst: {people} people, {answered} answered, {people - answered} lost, "
        f"{seconds:.2f} s, {answered / seconds:.0f} replies/s (ceiling 500), "
        f"{top_level(sandbox, since)} API calls"
    )


async def broadcast(sandbox: VKSandbox, app: Application, recipients: int, offset: int) -> None:
    users = [
        sandbox.add_user(first_name="Родитель", last_name=f"Номер{n}", user_id=offset + n)
        for n in range(recipients)
    ]
    for user in users:
        user.state.can_write = True
    async with app.db.transaction() as tx:
        found = await tx.accounts.people_for([vk_account(user.user_id) for user in users])
    peers = [Person(person) for person in found.values()]
    since = len(sandbox.calls)
    started = time.perf_counter()
    await app.services.notifier.broadcast(
        peers, "Объявление для всех родителей.", f"bench:{offset}"
    )
    await asyncio.gather(*(user.wait_reply(timeout=120) for user in users))
    seconds = time.perf_counter() - started
    calls = top_level(sandbox, since)
    print(
        f"broadcast: {recipients} recipients in {seconds:.2f} s, {calls} API calls "
        f"(ceil(n/100) = {math.ceil(recipients / 100)}, best ceil(n/2500) = "
        f"{math.ceil(recipients / 2500)}), {recipients / seconds:.0f} recipients/s"
    )


async def main(args: argparse.Namespace) -> None:
    logger.remove()
    logger.add(sys.stderr, level="ERROR")
    async with VKSandbox(group_id=GROUP_ID, rate_limit=20) as sandbox:
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                vk_token=sandbox.token,
                vk_api_url=sandbox.api_url,
                database_path=Path(folder) / "bench.sqlite3",
            )
            app = Application(settings, run_scheduler=False)
            await app.start()
            try:
                await burst(sandbox, args.burst)
                for index, size in enumerate(int(s) for s in args.broadcasts.split(",")):
                    await broadcast(sandbox, app, size, 1_000_000 * (index + 1))
            finally:
                await app.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--burst", type=int, default=500)
    parser.add_argument("--broadcasts", default="1500,15000")
    asyncio.run(main(parser.parse_args()))
