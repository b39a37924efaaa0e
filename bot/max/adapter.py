"""MAX as one of the messengers the wiring runs (see bot/adapters.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from loguru import logger

from bot.adapters import Loop
from bot.config import MAX_API_URL_DEFAULT, Settings
from bot.conversation.identity import MAX
from bot.intake import InboxWriter
from bot.max.api import BACKOFF, MaxAPI
from bot.max.chat_platform import MaxChatPlatform
from bot.max.directory import Directory
from bot.max.gateway import MaxGateway
from bot.max.intake import MaxIntake
from bot.max.parse import Me
from bot.max.sender import PROGRESS_EVERY, MaxSender
from bot.outbox_loop import RETRY_PAUSE_CAP, SendsThroughOutboxLoop
from bot.storage import Database

# Requests a second MAX asks bots to stay within (its documentation).
MAX_DOCUMENTED_RPS = 30


class MaxAdapter(SendsThroughOutboxLoop):
    name = MAX

    def __init__(
        self,
        settings: Settings,
        db: Database,
        writer: InboxWriter,
        longpoll_wait: int = 25,
        api_backoff: tuple[float, ...] = BACKOFF,
        send_retry_pause_cap: float = RETRY_PAUSE_CAP,
        progress_every: float = PROGRESS_EVERY,
    ) -> None:
        assert settings.max_token is not None, "MAX is off"
        self._settings = settings
        self._db = db
        self._writer = writer
        self._longpoll_wait = longpoll_wait
        self.api = MaxAPI(
            settings.max_token.get_secret_value(),
            settings.max_api_url,
            settings.max_rps,
            backoff=api_backoff,
        )
        self.directory = Directory(db)
        self.me = Me(0)
        self.gateway = MaxGateway(self.api, db, self.directory)
        self.chat_platform = MaxChatPlatform(self.api, db, self.directory)
        self.sender = MaxSender(
            db,
            self.api,
            self.directory,
            lambda: self.me.user_id,
            retry_pause_cap=send_retry_pause_cap,
            progress_every=progress_every,
        )
        self._secret: str | None = None

    async def start(self) -> None:
        settings = self._settings
        if settings.max_rps > MAX_DOCUMENTED_RPS and settings.max_api_url == MAX_API_URL_DEFAULT:
            # Above MAX's own limit only a sandbox keeps answering; MAX itself answers 429s.
            logger.warning(
                "MAX_RPS={} is above the {} requests a second MAX allows bots",
                settings.max_rps,
                MAX_DOCUMENTED_RPS,
            )
        info = await self.gateway.load_me()
        user_id = info.get("user_id")
        self.me = Me(int(user_id) if isinstance(user_id, int) else 0, self.gateway.username)
        self.chat_platform.bot_id = self.me.user_id
        self.intake = MaxIntake(
            self._db,
            self.api,
            self._writer,
            self.directory,
            self.me,
            wait=self._longpoll_wait,
        )
        webhook = self._settings.max_webhook_url
        await self.intake.unsubscribe_others(keep=webhook)
        if webhook:
            self._secret = await self.intake.subscribe(webhook)
        logger.info("MAX: bot {}", self.me.user_id)

    def loops(self) -> Mapping[str, Loop]:
        intake: Loop
        if self._secret is not None:
            secret, listen = self._secret, self._settings.max_webhook_listen

            async def webhooks() -> None:
                await self.intake.serve_webhooks(listen, secret)

            intake = webhooks
        else:
            intake = self.intake.poll_forever
        return {"max-sender": self.sender.run, "max-intake": intake}

    async def close(self) -> None:
        await self.gateway.finish_answers()
        # Give the webhook listener's cancellation a moment to close its socket.
        await asyncio.sleep(0)
        await self.api.close()
