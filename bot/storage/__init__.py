"""All SQL lives in this package."""

from bot.storage.db import Database
from bot.storage.repositories import Repositories

__all__ = ["Database", "Repositories"]
