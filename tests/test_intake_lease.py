"""The events lease: one live process holds it; a stopped, lapsed or dead holder's is taken."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.lease import LEASE, EventsLease
from bot.storage import Database


async def test_a_live_holder_keeps_the_lease_until_it_lets_go(tmp_path: Path) -> None:
    async with Database(tmp_path / "bot.sqlite3") as db:
        first, second = EventsLease(db), EventsLease(db)
        assert await first.take()
        assert not await second.take()
        assert await first.take()  # renewed
        await first.release()
        assert await second.take()
        assert not await first.take()
        await second.release()


async def test_a_lapsed_lease_is_taken(tmp_path: Path) -> None:
    async with Database(tmp_path / "bot.sqlite3") as db:
        first, second = EventsLease(db, ttl=-1.0), EventsLease(db)
        assert await first.take()
        assert await second.take()
        assert not await first.take()


async def test_the_lease_of_a_process_that_died_is_taken_at_once(tmp_path: Path) -> None:
    # A process that ran and ended: its id names nobody now.
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await process.wait()
    async with Database(tmp_path / "bot.sqlite3") as db:
        mine = EventsLease(db)
        host = mine.owner.split(":")[0]
        async with db.transaction() as tx:
            until = datetime.now(UTC) + timedelta(minutes=5)
            assert await tx.leases.take(LEASE, f"{host}:{process.pid}:dead", until, None)
        assert await mine.take()
        # An application of this very process that crashed holds nothing either.
        crashed = EventsLease(db)
        await mine.release()
        assert await crashed.take()
        crashed.abandon()
        assert await mine.take()
