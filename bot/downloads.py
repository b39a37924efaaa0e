"""A file a person sent, fetched by the URL their messenger gave for it (VK and MAX alike).

Neutral on purpose: both adapters download the same way, plain HTTP GET with a cap, so one
function serves both and a fix to it reaches both."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from loguru import logger

from bot.conversation.port import FileTooBigError

DOWNLOAD_SECONDS = 60.0
DOWNLOAD_PIECE = 64 * 1024


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, lower-cased; empty for one without a host."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


@dataclass(frozen=True)
class FileHosts:
    """Where a messenger keeps the files people send it: the bot fetches a file only from
    there, never from an address anyone could have typed (a link in a message, a forged
    attachment pointing into the school's network).

    `domains`: the messenger's file domains, over https, each with its subdomains;
    `origin`: one origin allowed as it is (`scheme://host:port`), the messenger's API's
    own, so a sandbox or a proxy in front of the API serves its files too."""

    domains: tuple[str, ...]
    origin: str = ""

    def allows(self, url: str) -> bool:
        try:
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").lower().rstrip(".")
            parts.port  # noqa: B018 - a bad port raises here: such a URL is refused
        except ValueError:
            return False
        if not host or parts.username is not None or parts.password is not None:
            return False
        if self.origin and origin_of(url) == self.origin:
            return True
        if parts.scheme.lower() != "https":
            return False
        return any(host == domain or host.endswith("." + domain) for domain in self.domains)


async def download_capped(
    url: str, max_bytes: int, seconds: float = DOWNLOAD_SECONDS, what: str = "Download"
) -> bytes | None:
    """The file read to its end; None if it cannot be fetched whole within `seconds`.
    FileTooBigError if it turns out larger than `max_bytes` (the size the server announces
    is believed first, the bytes counted as they come after). `what` starts the log lines
    (only the status or the error's kind is logged, never the URL: it may name a person)."""
    timeout = aiohttp.ClientTimeout(total=seconds)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.get(url) as answer,
        ):
            if answer.status != 200:
                logger.warning("{} failed: HTTP {}", what, answer.status)
                return None
            if (answer.content_length or 0) > max_bytes:
                raise FileTooBigError(answer.content_length or 0)
            # A server sends a file in pieces; one read returns only what has arrived.
            data = bytearray()
            async for piece in answer.content.iter_chunked(DOWNLOAD_PIECE):
                data += piece
                if len(data) > max_bytes:
                    raise FileTooBigError(len(data))
    except (aiohttp.ClientError, TimeoutError) as error:
        logger.warning("{} failed: {}", what, type(error).__name__)
        return None
    return bytes(data)


__all__ = ["DOWNLOAD_SECONDS", "FileHosts", "download_capped", "origin_of"]
