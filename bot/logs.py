"""Logging through loguru (vkbottle logs there too). Above DEBUG, no names or texts."""

from __future__ import annotations

import sys

from loguru import logger


def configure(level: str = "INFO") -> None:
    logger.remove()
    logger.add(
        sys.stderr,
        level=level,
        format="{time:YYYY-MM-DD HH:mm:ss.SSS} | {level: <8} | {name}: {message}",
        backtrace=False,
        diagnose=False,
    )
