"""``sferum-bot sandbox``: talk to the real bot in a terminal, with no VK account.

A local VK sandbox (:mod:`vk_sandbox`) is started on loopback, and the real bot
(:class:`bot.app.Application`) runs against it with a temporary SQLite database (or the one
given with ``--database``, which is then kept across runs, with the sandbox's side beside it:
:mod:`sandbox_chat.state`). A demo school is already there (:mod:`sandbox_chat.demo`).

The tool knows nothing of the bot's commands: it only sends texts, presses buttons and prints
whatever the bot answers: as they come in the terminal chat (:mod:`sandbox_chat.terminal`), or
as a transcript when it plays a script (:mod:`sandbox_chat.script`, which describes the
format). :mod:`sandbox_chat.session` is what both share; :mod:`sandbox_chat.run` wires it all.

A development tool, not part of the bot: ``bot.cli`` imports it only for ``sferum-bot sandbox``.
"""

from sandbox_chat.demo import DEMO_SCHOOL, SCHOOL_NAME
from sandbox_chat.run import run_sandbox
from sandbox_chat.script import ScriptError, Step, parse_script

__all__ = ["DEMO_SCHOOL", "SCHOOL_NAME", "ScriptError", "Step", "parse_script", "run_sandbox"]
