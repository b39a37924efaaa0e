"""The digest and the statistics on demand, `/digest` and `/stats`; the scheduler sends
the same (bot/render/)."""

from __future__ import annotations

from bot.context import EventContext
from bot.handlers.routing import Router
from bot.render.digest import render_digest
from bot.render.stats import build_stats_text

router = Router()


@router.command("digest")
async def digest_now(event_ctx: EventContext) -> None:
    services = event_ctx.services
    since = await services.reports.last_digest_at()
    digest = await services.reports.digest(since)
    for text, keyboard in render_digest(digest, services.settings.zone):
        event_ctx.reply(text, keyboard=keyboard)


@router.command("stats")
async def stats_now(event_ctx: EventContext) -> None:
    services = event_ctx.services
    event_ctx.reply(await build_stats_text(services, await services.reports.stats()))
