"""Values the bot keeps by key, as text (the long poll's `ts`, the group's id)."""

from __future__ import annotations

from bot.storage.base import Repo, Statement


class KeyValueRepo(Repo):
    async def get(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM settings_kv WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    async def set(self, key: str, value: str) -> None:
        await self._run(self.set_statement(key, value))

    def set_statement(self, key: str, value: str) -> Statement:
        return Statement(
            "INSERT INTO settings_kv (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [(key, value)],
        )
