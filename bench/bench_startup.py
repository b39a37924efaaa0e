"""Start-up time and peak memory of the bot process with a 2,000-person school loaded.

The bot runs as a real process (`python -m bot`) against the local sandbox. A message is
written the moment the process is spawned; start-up time is how long until it is answered.
Peak memory is the process's VmHWM after the school has used it for a while.

    python bench/bench_startup.py [--people 2000] [--load 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.school import populate  # noqa: E402
from bot.storage import Database  # noqa: E402
from bot.vk.intake import TS_KEY  # noqa: E402
from vk_sandbox import VKSandbox  # noqa: E402

GROUP_ID = 229000044


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def main(args: argparse.Namespace) -> None:
    async with VKSandbox(group_id=GROUP_ID, rate_limit=20) as sandbox:
        with tempfile.TemporaryDirectory() as folder:
            database = Path(folder) / "school.sqlite3"
            async with Database(database) as db:
                await populate(db, args.people, args.people * 5, args.people // 4)
                async with aiohttp.ClientSession() as session:
                    answer = await session.post(
                        sandbox.api_url + "groups.getLongPollServer",
                        params={"access_token": sandbox.token, "v": "5.199"},
                        data={"group_id": GROUP_ID},
                    )
                    ts = (await answer.json())["response"]["ts"]
                async with db.transaction() as tx:
                    # As a bot that has run before: it resumes the long poll where it was.
                    await tx.kv.set(TS_KEY, str(ts))
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("VK_")},
                "PYTHONPATH": str(ROOT),
                "VK_TOKEN": sandbox.token,
                "VK_API_URL": sandbox.api_url,
                "VK_GROUP_ID": str(GROUP_ID),
                "DATABASE_PATH": str(database),
                "LOG_LEVEL": "WARNING",
            }
            first = sandbox.add_user(first_name="Первый", last_name="Пользователь")
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", env=env, cwd=folder,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            await first.send("/help")
            await first.wait_reply(timeout=60)
            startup = time.perf_counter() - started
            users = [
                sandbox.add_user(first_name="Житель", last_name=str(n)) for n in range(args.load)
            ]

            async def use(user: object) -> None:
                for text in ("/agree", "/duties", "/chats", "/help"):
                    await user.send(text)  # type: ignore[attr-defined]
                    await user.wait_reply(timeout=60)  # type: ignore[attr-defined]

            await asyncio.gather(*(use(user) for user in users))
            memory = peak_memory_mb(process.pid)
            process.terminate()
            await process.wait()
    print(f"school: {args.people} people, {args.people * 5} invitations; load: {args.load} people")
    print(f"start-up to the first answered message: {startup:.2f} s")
    print(f"peak memory of the bot process (VmHWM): {memory:.1f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--load", type=int, default=200)
    asyncio.run(main(parser.parse_args()))
