"""After the upgrade to neutral records: what was stored before it is still handled, and
dialogs begun before it go on; the router picks handlers as the labelers did."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from bot.clock import Clock
from bot.commands import known_commands, parse_command
from bot.config import Settings
from bot.context import EventContext
from bot.handlers import routers
from bot.handlers.events import EventDialog
from bot.handlers.privacy import ForgetDialog
from bot.handlers.requests import RequestDialog
from bot.handlers.routing import Router, Routes
from bot.storage import Database
from bot.storage.inbox import InboxRow
from bot.texts import BUTTONS, t
from bot.vk.intake import TS_KEY
from bot.vk.parse import dedup_key, person_key
from tests.conftest import BotRunner
from tests.helpers import consented_user, drain, person_of, school_with_classes
from vk_sandbox import VKSandbox


async def test_an_update_stored_before_the_upgrade_is_answered_once_after_it(
    sandbox: VKSandbox, settings_for: Callable[..., Settings]
) -> None:
    settings = settings_for()
    runner = BotRunner(settings)
    await runner.start()
    anna = await consented_user(sandbox, "Анна", "Кузнецова")
    await drain(anna)
    await runner.stop()
    # Written while the bot is down, and stored as the old intake stored it: VK's update.
    await anna.send("/cancel")
    update = sandbox.events[-1]
    db = Database(settings.database_path, Clock())
    await db.open()
    try:
        seq = await db.reader.inbox.last_seq() + 1
        row = InboxRow(dedup_key(update), seq, person_key(update), update)
        await db.write(
            lambda tx: tx.inbox.add_many_statement([row]),
            # The long poll goes on past it: only the stored row can bring the answer.
            lambda tx: tx.kv.set_statement(TS_KEY, str(sandbox.log.next_ts)),
        )
    finally:
        await db.close()
    await runner.start()
    try:
        assert (await anna.wait_reply()).text == t("cancel_nothing")
        assert await drain(anna, within=0.5) == []
    finally:
        await runner.stop()


async def test_a_dialog_begun_before_the_upgrade_goes_on_after_it(
    sandbox: VKSandbox, settings_for: Callable[..., Settings]
) -> None:
    runner = BotRunner(settings_for())
    app = await runner.start()
    try:
        await school_with_classes(sandbox, "5А")
        anna = await consented_user(sandbox, "Анна", "Кузнецова")
        await drain(anna)
        # The step as the labelers' dialogs stored it: `Group:value`.
        step = (
            await person_of(app.db, anna),
            "RequestDialog:role",
            {"origin_peer": anna.peer_id, "command": "request"},
        )
        await app.db.write(lambda tx: tx.states.set_many_statement([step]))
        await anna.send(BUTTONS["i_am_parent"])
        assert (await anna.wait_reply()).text == t("request_ask_class")
    finally:
        await runner.stop()


def test_dialog_steps_keep_the_names_databases_hold() -> None:
    assert RequestDialog.ROLE.key == "RequestDialog:role"
    assert ForgetDialog.CONFIRM.key == "ForgetDialog:confirm"
    assert str(EventDialog.TITLE) == "EventDialog:title"


def test_every_route_is_for_a_command_the_catalogue_knows() -> None:
    keyed = [route.key for router in routers() for route in router.routes if route.key]
    named = {name for kind, name in keyed if kind in ("command", "button")}
    assert named <= known_commands()
    assert {kind for kind, _ in keyed} == {"command", "button", "dialog", "action"}


class _NoDialogs:
    async def get(self, person: int) -> None:
        return None


def _typed(text: str) -> SimpleNamespace:
    """Just what routing reads of an event: a typed message, its sender in no dialog."""
    incoming = SimpleNamespace(kind="message", command=parse_command(text), action=None)
    services = SimpleNamespace(dialogs=_NoDialogs())
    return SimpleNamespace(incoming=incoming, services=services, person_id=1, args="")


async def test_among_the_routes_that_could_take_an_event_the_first_declared_wins() -> None:
    first, second = Router(), Router()
    taken: list[str] = []

    @second.message(lambda ctx: True)
    async def anything(ctx: EventContext) -> None:
        taken.append("anything")

    @first.message(lambda ctx: ctx.incoming.command is not None)
    async def commands(ctx: EventContext) -> None:
        taken.append("commands")

    routes = Routes([first, second])
    await routes.dispatch(_typed("/whatever"))  # type: ignore[arg-type]
    await routes.dispatch(_typed("просто текст"))  # type: ignore[arg-type]
    assert taken == ["commands", "anything"]
