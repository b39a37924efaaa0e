"""A long broadcast on MAX (one message a request, at most MAX_RPS a second): its sender is
told how far it got every so often, and gets the delivery report at the end; people who
stopped the bot are counted as unable to receive."""

from __future__ import annotations

import re

from bot.conversation.identity import MAX, max_account
from bot.conversation.outgoing import Person
from bot.max.adapter import MaxAdapter
from bot.texts import t
from max_sandbox import MaxSandbox
from tests.conftest import BotRunner
from tests.max_support import (  # noqa: F401
    drain,
    max_admin,
    max_bot,
    sb,
    start_max_bot,
)

PROGRESS = re.compile(r"^Рассылка идёт: отправлено (\d+) из (\d+)\.$")


async def test_a_long_broadcast_reports_its_progress_and_its_delivery(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    admin = await max_admin(sb)
    app = max_bot.app
    assert app is not None
    adapter = app.adapters[MAX]
    assert isinstance(adapter, MaxAdapter)
    adapter.sender.progress_every = 0.4
    adapter.sender.progress_min = 10
    # Parents who opened the bot long ago (the sandbox lets the bot write to them).
    parents = [sb.add_user(first_name="Родитель", last_name=f"Номер{i}") for i in range(45)]
    for parent in parents[:-1]:
        parent.state.started = True
    async with app.db.transaction() as tx:
        people = await tx.accounts.people_for([max_account(p.user_id) for p in parents])
    sender = await app.db.reader.accounts.person_of(max_account(admin.user_id))
    text = "Завтра уроки начинаются в 9:00"
    await app.services.notifier.broadcast(
        [Person(people[max_account(p.user_id)]) for p in parents],
        text,
        "test-long-broadcast",
        report_to=sender,
    )
    told: list[str] = []
    while True:
        message = await admin.wait_reply(timeout=10)
        told.append(message.text)
        if not PROGRESS.match(message.text):
            break
    progress = [PROGRESS.match(line) for line in told[:-1]]
    assert progress, f"no progress before the report: {told}"
    for match in progress:
        assert match is not None
        assert 0 < int(match[1]) < 45 and int(match[2]) == 45
    assert told[-1] == t("announce_report", sent=44, blocked=1, failed=0)
    for parent in parents[:-1]:
        assert [m.text for m in parent.messages] == [text]
    assert parents[-1].messages == []
    # MAX's 30 a second, polling included, kept by the bot itself: the sandbox refused none.
    assert [call.name for call in sb.calls if call.status == 429] == []
