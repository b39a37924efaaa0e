"""How an event finds its handler: the command catalogue is the router.

A handler registers, by decorator on its feature's `Router`, for a command (typed, a button
label or a button payload: `bot/commands.py` says who may use it and where), a callback
button, a dialog step, an action, or any message a check accepts. Routes are looked up by
key (the command the message means, the step its sender is at, the button pressed, the
action), and among those that could take the event the first declared wins, the features
taken in the order `bot.handlers.routers()` gives; the fallback, last, answers the rest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.commands import known_commands, spec
from bot.context import EventContext
from bot.conversation.incoming import CHAT_ACTIONS
from bot.dialogs import Steps
from bot.domain.access import refusal_for
from bot.handlers.args import PICK, ArgumentError, person_pick

Handler = Callable[[EventContext], Awaitable[None]]
Check = Callable[[EventContext], bool]
# A message (typed, a text button, a chat's member event) or a pressed callback button.
View = Literal["message", "button"]
Key = tuple[str, str]

# The dialog payload's keys for the command that began the dialog and where it began.
COMMAND = "command"
ORIGIN = "origin_peer"


@dataclass(frozen=True)
class Route:
    view: View
    handler: Handler
    # None: asked about every event of its view (after the keyed ones declared before it).
    key: Key | None = None
    check: Check | None = None


class Router:
    """One feature's handlers, in the order they are declared."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def _add(self, route: Route) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes.append(Route(route.view, handler, route.key, route.check))
            return handler

        return register

    def command(self, name: str) -> Callable[[Handler], Handler]:
        """Command `name`, where and by whom the catalogue allows it; `ctx.args` holds what
        follows it. Refusals are explained by the fallback, from the same catalogue."""
        command = spec(name)

        def allowed(ctx: EventContext) -> bool:
            if command.where != "any" and (command.where == "chat") != ctx.in_chat:
                return False
            return refusal_for(ctx.who, command.roles) is None

        return self._add(Route("message", _noop, ("command", name), allowed))

    def button(self, name: str) -> Callable[[Handler], Handler]:
        """A callback button whose payload names command `name`, pressed by someone allowed;
        `ctx.data` holds its payload."""
        command = spec(name)
        return self._add(
            Route(
                "button",
                _noop,
                ("button", name),
                lambda ctx: refusal_for(ctx.who, command.roles) is None,
            )
        )

    def step(
        self, *states: Steps, choice: tuple[str, str] | None = None, check: Check | None = None
    ) -> Callable[[Handler], Handler]:
        """The sender is at one of these dialog steps, writes where the dialog began and may
        still use the command that began it; with `choice` (cmd, label), only the dialog
        button naming `cmd` or its label typed; with `check`, only what it accepts.
        `ctx.dialog` holds the dialog's data."""
        if choice is not None:
            check = _choice(*choice)

        def register(handler: Handler) -> Handler:
            for state in states:
                self.routes.append(Route("message", handler, ("dialog", state.key), check))
            return handler

        return register

    def action(self, *kinds: str) -> Callable[[Handler], Handler]:
        """An action: a chat's member joined or left, the bot added or removed, messages
        allowed or denied."""

        def register(handler: Handler) -> Handler:
            for kind in kinds:
                self.routes.append(Route("message", handler, ("action", kind)))
            return handler

        return register

    def message(self, check: Check | None = None) -> Callable[[Handler], Handler]:
        """Any message `check` accepts (every message without one)."""
        return self._add(Route("message", _noop, None, check))

    def any_button(self) -> Callable[[Handler], Handler]:
        """Any pressed button no other handler took."""
        return self._add(Route("button", _noop, None))


async def _noop(ctx: EventContext) -> None:  # replaced by the decorated handler
    return None


def _choice(cmd: str, label: str) -> Check:
    folded = label.casefold()

    def chosen(ctx: EventContext) -> bool:
        pressed = ctx.incoming.button
        if pressed is not None:
            return pressed[0] == cmd
        return ctx.incoming.text.strip().casefold() == folded

    return chosen


def revoked_dialog(ctx: EventContext) -> str | None:
    """The command whose dialog the sender is in but may no longer use (a role taken away
    since it began), or None."""
    state = ctx.dialog_state
    command = state.payload.get(COMMAND) if state is not None else None
    if not isinstance(command, str) or command not in known_commands():
        return None
    if refusal_for(ctx.who, spec(command).roles) is None:
        return None
    return command


class Routes:
    """Every feature's routes together, looked up by key."""

    def __init__(self, routers: Iterable[Router]) -> None:
        self._keyed: dict[tuple[View, Key], list[tuple[int, Route]]] = {}
        self._unkeyed: dict[View, list[tuple[int, Route]]] = {"message": [], "button": []}
        index = 0
        for router in routers:
            for route in router.routes:
                if route.key is None:
                    self._unkeyed[route.view].append((index, route))
                else:
                    self._keyed.setdefault((route.view, route.key), []).append((index, route))
                index += 1

    async def dispatch(self, ctx: EventContext) -> None:
        """Runs the handler the event is for, if any. A bad argument is the person's slip,
        not a failure: they are told what to type."""
        route = await self.find(ctx)
        if route is None:
            return
        try:
            await route.handler(ctx)
        except ArgumentError as error:
            ctx.reply(error.text, keyboard=error.keyboard)

    async def find(self, ctx: EventContext) -> Route | None:
        incoming = ctx.incoming
        if incoming.kind == "button":
            pressed = incoming.button
            if pressed is not None and pressed[0] == PICK:
                route = self._picked(ctx, pressed[1])
                if route is not None:
                    return route
            keys: list[Key] = [] if pressed is None else [("button", pressed[0])]
            return self._first(ctx, "button", keys, with_unkeyed=True)
        if incoming.kind == "action" and (
            incoming.action is None or incoming.action.kind not in CHAT_ACTIONS
        ):
            # Not a message: only the action's own handlers take it.
            keys = [] if incoming.action is None else [("action", incoming.action.kind)]
            return self._first(ctx, "message", keys, with_unkeyed=False)
        if incoming.kind == "other":
            return None
        ctx.dialog_state = await ctx.services.dialogs.get(ctx.person_id)
        keys = []
        if incoming.command is not None:
            keys.append(("command", incoming.command.name))
        if ctx.dialog_state is not None:
            keys.append(("dialog", ctx.dialog_state.state))
        if incoming.action is not None:
            keys.append(("action", incoming.action.kind))
        return self._first(ctx, "message", keys, with_unkeyed=True)

    def _picked(self, ctx: EventContext, payload: dict[str, object]) -> Route | None:
        """A person chosen among namesakes: the command it was chosen for runs again, with
        its arguments, as if typed (the catalogue's who and where apply as to typing it);
        `ctx.data` keeps the choice for `bot.handlers.args` to check and honour."""
        pick = person_pick(dict(payload))
        if pick is None or pick.command not in known_commands():
            return None
        ctx.data = dict(payload)
        route = self._first(ctx, "message", [("command", pick.command)], with_unkeyed=False)
        if route is not None:
            ctx.args = pick.args
        return route

    def _first(
        self, ctx: EventContext, view: View, keys: Sequence[Key], with_unkeyed: bool
    ) -> Route | None:
        candidates = [pair for key in keys for pair in self._keyed.get((view, key), ())]
        if with_unkeyed:
            candidates += self._unkeyed[view]
        candidates.sort(key=lambda pair: pair[0])
        for _, route in candidates:
            if self._takes(ctx, route):
                return route
        return None

    def _takes(self, ctx: EventContext, route: Route) -> bool:
        kind = route.key[0] if route.key is not None else None
        if kind == "dialog":
            state = ctx.dialog_state
            assert state is not None
            if state.payload.get(ORIGIN, ctx.peer_id) != ctx.peer_id:
                return False
            if revoked_dialog(ctx) is not None:
                return False
        if route.check is not None and not route.check(ctx):
            return False
        if kind == "command":
            command = ctx.incoming.command
            ctx.args = command.args if command is not None else ""
        elif kind == "button":
            pressed = ctx.incoming.button
            ctx.data = pressed[1] if pressed is not None else {}
        elif kind == "dialog":
            assert ctx.dialog_state is not None
            ctx.dialog = dict(ctx.dialog_state.payload)
        return True
