"""How a message finds its handler, made cheaper without changing which handler it finds.

vkbottle's `FromFuncHandler` introspects a rule's `check` (unwrap, code object, defaults)
every time it asks it, for every handler it tries, for every event; `PresignedHandler` does
that once, when the bot is built, and passes exactly what vkbottle's `magic_bundle` would.
vkbottle also asks every handler in turn; `KeyedRun` asks only those that could take the
message: the ones for the command it means or the dialog step its sender is at. And vkbottle
validates each incoming message twice (the whole event, then the message again from a dump
of it); `OneParseMessageView` builds the same message from the event in one validation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from vkbottle import ABCAPI, API
from vkbottle.bot import Message
from vkbottle.dispatch.handlers import ABCHandler, FromFuncHandler
from vkbottle.dispatch.views.bot import BotMessageView
from vkbottle.tools.magic import CONTEXT_NAMES, get_default_args, resolve_arg_names

from bot.handlers.rules import Command, InDialog, parsed_command


@dataclass(frozen=True)
class Signature:
    names: frozenset[str]
    defaults: dict[str, Any]
    context_name: str | None

    @classmethod
    def of(cls, func: Callable[..., Any]) -> Signature:
        names = resolve_arg_names(func)
        context_name = next((name for name in CONTEXT_NAMES if name in names), None)
        return cls(frozenset(names), get_default_args(func), context_name)

    def bundle(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """What `magic_bundle(func, kwargs)` returns."""
        args = dict(self.defaults)
        for name, value in kwargs.items():
            if name in self.names:
                args[name] = value
        if self.context_name is not None:
            args[self.context_name] = kwargs.copy()
        return args


class PresignedHandler(FromFuncHandler[Any]):
    def __init__(self, original: FromFuncHandler[Any]) -> None:
        super().__init__(original.handler, *original.rules, blocking=original.blocking)
        self._rule_signatures = [(rule, Signature.of(rule.check)) for rule in self.rules]
        self._handler_signature = Signature.of(self.handler)

    async def filter(
        self, event: Any, context: dict[str, Any] | None = None
    ) -> dict[str, Any] | bool:
        rule_context = dict(context or {})
        for rule, signature in self._rule_signatures:
            result = await rule.check(event, **signature.bundle(rule_context))
            if result is False or result is None:
                return False
            if result is not True:
                rule_context.update(result)
        return rule_context

    async def handle(self, event: Any, **context: Any) -> Any:
        return await self.handler(event, **self._handler_signature.bundle(context))


def presigned(handler: Any) -> Any:
    """vkbottle's own function handlers become presigned ones; anything else is kept."""
    return PresignedHandler(handler) if type(handler) is FromFuncHandler else handler


ROUTED = "routed_handler"
# What a message is, for routing: the command it means, or the dialog step its sender is at.
Key = tuple[str, str]


class KeyedRun(ABCHandler[Message]):
    """Consecutive handlers that need a given command or dialog step, looked up by the
    command the message means and the step its sender is at.

    vkbottle asks every handler in turn; with some seventy of them most of a message's
    routing went on asking handlers of other commands and other steps. A run is tried where
    its first handler stood, and within it only the handlers for the message's keys, in
    their order: the handler chosen is the one vkbottle would have chosen, as every handler
    left out has a rule that would have refused the message."""

    def __init__(self, handlers: Sequence[PresignedHandler]) -> None:
        self.blocking = True
        self.handlers = list(handlers)
        self._by_key: dict[Key, list[tuple[int, PresignedHandler]]] = {}
        for index, handler in enumerate(handlers):
            for key in keys_of(handler) or ():
                self._by_key.setdefault(key, []).append((index, handler))

    async def filter(self, event: Message, context: dict[str, Any] | None = None) -> Any:
        candidates = [pair for key in message_keys(event) for pair in self._by_key.get(key, ())]
        candidates.sort(key=lambda pair: pair[0])
        for _, handler in candidates:
            result = await handler.filter(event, context)
            if result is not False:
                return (
                    {**result, ROUTED: handler} if isinstance(result, dict) else {ROUTED: handler}
                )
        return False

    async def handle(self, event: Message, **context: Any) -> Any:
        handler: PresignedHandler = context.pop(ROUTED)
        return await handler.handle(event, **context)


def keys_of(handler: Any) -> frozenset[Key] | None:
    """The keys one of which a message must have for this handler to take it; None for a
    handler without a Command or InDialog rule (it is asked about every message)."""
    if not isinstance(handler, PresignedHandler) or not handler.blocking:
        return None
    for rule in handler.rules:
        if isinstance(rule, Command):
            return frozenset({("command", rule.spec.name)})
        if isinstance(rule, InDialog):
            return frozenset(("dialog", state) for state in rule.states)
    return None


def message_keys(message: Message) -> list[Key]:
    keys: list[Key] = []
    parsed = parsed_command(message)
    if parsed is not None:
        keys.append(("command", parsed.name))
    if message.state_peer is not None:
        keys.append(("dialog", str(message.state_peer.state)))
    return keys


def by_key(handlers: Sequence[Any]) -> list[Any]:
    """The message handlers with each run of keyed handlers made one `KeyedRun`."""
    routed: list[Any] = []
    run: list[PresignedHandler] = []
    for handler in handlers:
        if keys_of(handler) is not None:
            run.append(handler)
            continue
        if run:
            routed.append(KeyedRun(run))
            run = []
        routed.append(handler)
    if run:
        routed.append(KeyedRun(run))
    return routed


def message_of(event: dict[str, Any], ctx_api: API | ABCAPI, replace_mention: bool) -> Message:
    """The message vkbottle's `message_min` builds from a `message_new` event."""
    new = event["object"]
    if new.get("message") is None:
        raise RuntimeError("Please set longpoll to latest version")  # as vkbottle says it
    return Message(
        **new["message"],
        client_info=new.get("client_info"),
        group_id=event.get("group_id"),
        replace_mention=replace_mention,
        unprepared_ctx_api=ctx_api,
    )


class OneParseMessageView(BotMessageView):
    @staticmethod
    async def get_message(
        event: dict[str, Any], ctx_api: API | ABCAPI, replace_mention: bool
    ) -> Message:
        return message_of(event, ctx_api, replace_mention)
