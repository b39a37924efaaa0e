"""Onboarding queries on a large school: 2,000 people, 80 classes, 10,000 invitations.

Prints the median and 95th percentile of `/requests` and `/invites` (the services behind them)
for an admin and a class teacher, and of redeeming an invitation (check + atomic claim).

    python bench/bench_onboarding.py [--people 2000] [--invitations 10000] [--requests 500]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.school import ADMIN, REDEEMERS, populate  # noqa: E402
from bot.clock import Clock  # noqa: E402
from bot.conversation.identity import vk_account  # noqa: E402
from bot.domain.invitations import InvitationService  # noqa: E402
from bot.domain.people import PeopleService  # noqa: E402
from bot.domain.requests import RequestService  # noqa: E402
from bot.storage import Database  # noqa: E402


async def timed(repeat: int, action: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with Database(Path(folder) / "bench.sqlite3") as db:
            started = time.perf_counter()
            codes = await populate(db, args.people, args.invitations, args.requests)
            print(
                f"school: {args.people} people, 80 classes, {args.invitations} invitations, "
                f"{args.requests} pending requests (built in {time.perf_counter() - started:.1f} s)"
            )
            people = PeopleService(db, [], [])
            requests = RequestService(db)
            invitations = InvitationService(db, Clock(), timedelta(days=14), timedelta(days=7))
            # The school's people by their VK accounts (ids are the school's own).
            school_ids = await db.reader.accounts.people_of(
                [
                    vk_account(vk_id)
                    for vk_id in (ADMIN, 100_000, *range(300_000, 300_000 + REDEEMERS))
                ]
            )
            admin_id = school_ids[vk_account(ADMIN)]
            admin = await people.load_actor(admin_id)
            teacher = await people.load_actor(school_ids[vk_account(100_000)])
            rows = [
                ("/requests (admin)", lambda: requests.pending_for(admin)),
                ("/requests (class teacher)", lambda: requests.pending_for(teacher)),
                ("/invites (admin)", lambda: invitations.overview(admin)),
                ("/invites (class teacher)", lambda: invitations.overview(teacher)),
                ("sender + roles (in memory)", lambda: people.load_actor(admin_id)),
                ("sender + roles (read)", lambda: db.reader.people.snapshot(admin_id)),
            ]
            print(f"{'operation':<28} {'p50 ms':>8} {'p95 ms':>8}")
            for name, action in rows:
                p50, p95 = await timed(args.repeat, action)
                print(f"{name:<28} {p50:>8.2f} {p95:>8.2f}")
            redeemer = iter(range(300_000, 400_000))

            async def redeem() -> None:
                vk_id = next(redeemer)
                person = school_ids[vk_account(vk_id)]
                code = codes[vk_id % len(codes)]
                check = await invitations.check(person, code)
                if check.invitation is not None:
                    await invitations.redeem(person, check.invitation.id, "Петров Пётр")

            p50, p95 = await timed(args.repeat, redeem)
            print(f"{'redeem (check + claim)':<28} {p50:>8.2f} {p95:>8.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--invitations", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=200, help=f"at most {REDEEMERS}")
    asyncio.run(main(parser.parse_args()))
