"""MAX updates → the inbox: by long polling (GET /updates, its `marker` stored with the
events it covers, so a restart neither repeats nor skips), or by webhook (MAX posts each
update; it is stored and answered 200 at once; a redelivery is deduplicated by event id).

Each update is parsed once, here; the names and dialogs it reveals are kept first (see
bot/max/directory.py)."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import secrets
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from loguru import logger

from bot.intake import InboxWriter
from bot.max.api import MaxAPI, MaxAPIError, TransientMaxError
from bot.max.directory import Directory
from bot.max.parse import Learned, Me, learn, parse_update
from bot.storage import Database

MARKER_KEY = "max_marker"
SECRET_KEY = "max_webhook_secret"
SECRET_HEADER = "X-Max-Bot-Api-Secret"
POLL_LIMIT = 100
RESTART_PAUSES = (0.5, 1.0, 2.0, 5.0, 10.0)
# What the bot handles; MAX sends only these to a subscription that names them.
UPDATE_TYPES = (
    "message_created",
    "message_callback",
    "bot_started",
    "bot_stopped",
    "bot_added",
    "bot_removed",
    "user_added",
    "user_removed",
)


class MaxIntake:
    def __init__(
        self,
        db: Database,
        api: MaxAPI,
        writer: InboxWriter,
        directory: Directory,
        me: Me,
        wait: int = 25,
    ) -> None:
        self._db = db
        self._api = api
        self._writer = writer
        self._directory = directory
        self._me = me
        self._wait = wait

    async def store(self, updates: Sequence[dict[str, Any]], marker: str | None) -> int:
        """Stores the updates' records with the stream position they came with."""
        learned = Learned()
        for update in updates:
            learn(update, learned, self._me)
        self._directory.note_names(learned.names)
        await self._directory.note_dialogs(learned.dialogs)
        records = [parse_update(update, self._me) for update in updates]
        position = None if marker is None else (MARKER_KEY, marker)
        return await self._writer.store(records, position)

    # ------------------------------------------------------------------------ long polling

    async def poll_forever(self) -> None:
        failures = 0
        marker = await self._db.reader.kv.get(MARKER_KEY)
        while True:
            try:
                answer = await self._api.request(
                    "GET",
                    "/updates",
                    {"marker": marker, "timeout": self._wait, "limit": POLL_LIMIT},
                    poll_wait=self._wait,
                )
                updates = [u for u in answer.get("updates") or () if isinstance(u, dict)]
                next_marker = answer.get("marker")
                new = None if next_marker is None else str(next_marker)
                if updates or (new is not None and new != marker):
                    await self.store(updates, new)
                    marker = new or marker
                failures = 0
            except asyncio.CancelledError:
                raise
            except (TransientMaxError, MaxAPIError, ValueError) as error:
                pause = RESTART_PAUSES[min(failures, len(RESTART_PAUSES) - 1)]
                failures += 1
                logger.warning("MAX long poll failed ({}); again in {} s", error, pause)
                await asyncio.sleep(pause)

    # ------------------------------------------------------------------------ webhooks

    async def unsubscribe_others(self, keep: str | None = None) -> None:
        """Drops the subscriptions other than `keep`: MAX refuses long polling while one
        exists, and a webhook address changed in the settings must not keep the old one."""
        try:
            answer = await self._api.request("GET", "/subscriptions")
        except (TransientMaxError, MaxAPIError) as error:
            logger.warning("MAX subscriptions could not be read ({})", error)
            return
        for subscription in answer.get("subscriptions") or ():
            url = subscription.get("url") if isinstance(subscription, dict) else None
            if url and url != keep:
                await self._api.request("DELETE", "/subscriptions", {"url": url})
                logger.info("MAX: an old webhook subscription dropped")

    async def subscribe(self, url: str) -> str:
        """Subscribes `url` with the secret kept in the database (made on the first start)."""
        secret = await self._db.reader.kv.get(SECRET_KEY)
        if secret is None:
            secret = secrets.token_urlsafe(32)  # [A-Za-z0-9_-], as MAX wants it
            async with self._db.transaction() as tx:
                await tx.kv.set(SECRET_KEY, secret)
        await self._api.request(
            "POST",
            "/subscriptions",
            body={"url": url, "update_types": list(UPDATE_TYPES), "secret": secret},
        )
        logger.info("MAX: subscribed to webhooks")
        return secret

    async def serve_webhooks(self, listen: str, secret: str) -> None:
        """Listens until cancelled; each update is stored before it is answered 200."""
        host, _, port = listen.rpartition(":")

        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                logger.warning("MAX webhook: a request without the subscription's secret")
                return web.Response(status=401)
            try:
                update = json.loads(await request.read())
            except ValueError:
                return web.Response(status=400)
            if not isinstance(update, dict):
                return web.Response(status=400)
            try:
                await self.store([update], None)
            except Exception as error:
                # MAX posts it again later: nothing is lost by refusing now.
                logger.warning("MAX webhook update not stored ({})", type(error).__name__)
                return web.Response(status=503)
            return web.Response(status=200, text="ok")

        app = web.Application()
        app.router.add_post("/{tail:.*}", receive)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host.strip("[]"), int(port)).start()
            logger.info("MAX: listening for webhooks on port {}", port)
            await asyncio.Event().wait()
        finally:
            with contextlib.suppress(Exception):
                await runner.cleanup()
