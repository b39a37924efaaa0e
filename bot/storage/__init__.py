"""All SQL lives in this package: a module per aggregate, its rows beside its repository
(parameterised SQL in, frozen dataclasses out; no rules live here), what they share in
`base`, and in `db` the connections with `Repositories`, every repository bound to one."""

from bot.storage.db import Database, Repositories

__all__ = ["Database", "Repositories"]
