"""Loads the person behind an event once, before any rule or handler looks at it."""

from __future__ import annotations

from typing import Any

from vkbottle import BaseMiddleware

from bot.context import current_event


class ActorMiddleware(BaseMiddleware[Any]):
    async def pre(self) -> None:
        ctx = current_event.get()
        if ctx.actor is None:
            ctx.actor = await ctx.services.people.load_actor(ctx.person_id)
        self.send({"event_ctx": ctx})
