"""One process at a time takes the events: it polls VK, handles the inbox and drains the outbox.

While a new version takes over, two processes share the database. Both storing and handling
the same events would race over the inbox's order and answer some events twice; so the one
holding the lease does all of it, renewing the lease while it runs, and the other waits. A
process that stops hands the lease over at once; one that died leaves it to lapse, or to be
taken at once when its process is seen to be gone."""

from __future__ import annotations

import os
import secrets
import socket
from datetime import UTC, datetime, timedelta

from bot.storage import Database

LEASE = "events"
LEASE_TTL = 30.0  # seconds a lease lasts unless renewed
RENEW_EVERY = 5.0  # how often its holder renews it
WAIT_CHECK = 2.0  # how often a waiting process asks whether it is free

# The owners of leases this process holds: an owner of this process not among them (an
# application that crashed in a test) is gone, as a process that died would be.
_HELD_HERE: set[str] = set()


def _new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _alive(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # cannot tell from here: the lease's time decides
    pid = int(pid_text)
    if pid == os.getpid():
        return owner in _HELD_HERE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EventsLease:
    def __init__(self, db: Database, ttl: float = LEASE_TTL) -> None:
        self._db = db
        self._ttl = timedelta(seconds=ttl)
        self.owner = _new_owner()

    async def take(self) -> bool:
        """Takes the lease if it is free, lapsed, its holder is gone, or it is ours already
        (then it is renewed). False while another live process holds it."""
        # Real time, not the application's clock: the lease is about processes running now.
        now = datetime.now(UTC)
        async with self._db.transaction() as tx:
            holder = await tx.leases.holder(LEASE)
            if (
                holder is not None
                and holder.owner != self.owner
                and holder.until > now
                and _alive(holder.owner)
            ):
                return False
            taken = await tx.leases.take(
                LEASE, self.owner, now + self._ttl, holder.owner if holder else None
            )
        if taken:
            _HELD_HERE.add(self.owner)
        else:
            _HELD_HERE.discard(self.owner)
        return taken

    async def release(self) -> None:
        """Hands the lease over: a waiting process takes it at its next check."""
        _HELD_HERE.discard(self.owner)
        async with self._db.transaction() as tx:
            await tx.leases.release(LEASE, self.owner)

    def abandon(self) -> None:
        """As a process killed outright: the lease is left to lapse, its owner gone."""
        _HELD_HERE.discard(self.owner)
