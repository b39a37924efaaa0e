"""The outbox is read with peers taking turns, however the read is made."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.conversation.outgoing import Person
from bot.storage import Database
from bot.storage.outbox import in_turn

PER_PEER = 3


async def _queue(db: Database, peers: list[int]) -> None:
    replies = [
        (Person(peer), 1000 + index, {"text": str(index)}) for index, peer in enumerate(peers)
    ]
    await db.write(lambda tx: tx.outbox.add_replies_statement(replies))


async def test_a_small_outbox_is_read_in_turns(tmp_path: Path) -> None:
    async with Database(tmp_path / "o.sqlite3") as db:
        await _queue(db, [7, 7, 7, 7, 8, 9, 8])
        rows = await db.reader.outbox.pending_in_turn(limit=100, per_peer=PER_PEER)
    # Everyone's first, then everyone's second…; peer 7's fourth waits for the next round.
    assert [row.peer_id for row in rows] == [7, 8, 9, 7, 8, 7]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(peers=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=30))
async def test_the_plain_read_and_the_numbered_one_agree(tmp_path: Path, peers: list[int]) -> None:
    path = tmp_path / f"o{abs(hash(tuple(peers)))}.sqlite3"
    path.unlink(missing_ok=True)
    async with Database(path) as db:
        await _queue(db, peers)
        everything = await db.reader.outbox.pending(after_id=0, limit=1000)
        # A limit of the whole pile makes the read take SQLite's numbered path.
        numbered = await db.reader.outbox.pending_in_turn(limit=len(everything), per_peer=PER_PEER)
    limit = len(everything)
    assert [row.id for row in in_turn(everything, PER_PEER)][:limit] == [row.id for row in numbered]
