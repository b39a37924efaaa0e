"""Digest and statistics build times as the school grows: 2,000 / 20,000 / 200,000 people.

The digest for a school of 2,000 people, 80 classes and 10,000 invitations should take under
50 ms, and its cost should grow no worse than linearly with the number of people.

    python bench/bench_reports.py [--sizes 2000,20000,200000] [--repeat 20]
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
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.school import populate  # noqa: E402
from bot.clock import Clock  # noqa: E402
from bot.domain.reports import ReportService  # noqa: E402
from bot.storage import Database  # noqa: E402


async def median_ms(repeat: int, action: Callable[[], Awaitable[object]]) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def shape(people: int) -> tuple[int, int, int]:
    """Classes (grades × letters) and invitations for a school or region of this size."""
    if people <= 2000:
        return 10, 8, 10_000
    if people <= 20_000:
        return 11, 16, 50_000
    return 11, 32, 200_000


async def main(args: argparse.Namespace) -> None:
    print(f"{'people':>8} {'classes':>8} {'invitations':>12} {'digest ms':>10} {'stats ms':>9}")
    previous: tuple[int, float] | None = None
    for people in (int(size) for size in args.sizes.split(",")):
        grades, letters, invitations = shape(people)
        with tempfile.TemporaryDirectory() as folder:
            async with Database(Path(folder) / "bench.sqlite3") as db:
                await populate(db, people, invitations, people // 4, grades, letters)
                reports = ReportService(db, Clock(), timedelta(days=7))
                digest = await median_ms(args.repeat, partial(reports.digest, None))
                stats = await median_ms(args.repeat, reports.stats)
        print(f"{people:>8} {grades * letters:>8} {invitations:>12} {digest:>10.1f} {stats:>9.1f}")
        if previous is not None:
            growth = (digest / previous[1]) / (people / previous[0])
            print(f"{'':>8} digest cost grew {growth:.2f}× the growth in people")
        previous = (people, digest)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="2000,20000,200000")
    parser.add_argument("--repeat", type=int, default=20)
    asyncio.run(main(parser.parse_args()))
