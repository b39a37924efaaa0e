"""The jobs themselves: plain async functions of the services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from loguru import logger

if TYPE_CHECKING:
    from bot.context import Services


async def purge_departed(services: Services) -> None:
    """Personal data of people who left is deleted after DEPARTED_RETENTION (152-FZ)."""
    before = services.clock.now() - services.settings.departed_retention
    purged = await services.movement.purge_departed(before)
    if purged:
        logger.info("Deleted the data of {} departed people", purged)
