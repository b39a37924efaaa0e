"""Kill points for the crash tests: the process SIGKILLs itself at a named commit boundary
when a test has armed it.

A test sets SFERUM_KILL_FILE (in the bot's environment) to a file path and, when the moment
comes, writes a boundary's name into that file: the next time the bot reaches that boundary
it deletes the file (so the restarted bot runs on) and kills itself, as a power cut would.
Unarmed, a boundary costs one comparison."""

from __future__ import annotations

import os
import signal
from pathlib import Path

KILL_FILE = os.environ.get("SFERUM_KILL_FILE") or None

# The boundaries, in the order an event's effects pass them.
BEFORE_COMMIT = "before-commit"  # a unit that changed data is about to commit
AFTER_COMMIT = "after-commit"  # it has committed; the sender has not been woken
SENT_UNRECORDED = "sent-unrecorded"  # VK accepted messages the outbox has not marked sent
BOUNDARIES = (BEFORE_COMMIT, AFTER_COMMIT, SENT_UNRECORDED)


def boundary(name: str) -> None:
    if KILL_FILE is None:
        return
    path = Path(KILL_FILE)
    try:
        armed = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return
    if armed != name:
        return
    path.unlink(missing_ok=True)
    os.kill(os.getpid(), signal.SIGKILL)
