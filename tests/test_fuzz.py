"""Fuzzing through the sandbox: arbitrary text, payloads and attachment shapes.

The bot never crashes, never stays silent to a private message, never leaves a transaction
open. Examples are few by default (CI time); FUZZ_EXAMPLES raises them."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import all_specs
from tests.conftest import GROUP_ID, BotRunner, make_settings
from vk_sandbox import UserDriver, VKSandbox

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
COMMANDS = [spec.name for spec in all_specs()]

texts = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.sampled_from(COMMANDS).map(lambda name: f"/{name}"),
    st.tuples(st.sampled_from(COMMANDS), st.text(max_size=80)).map(lambda p: f"/{p[0]} {p[1]}"),
    st.text(max_size=5000),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
EXTRA = {"id": json_values, "person": json_values, "value": json_values}
payloads = st.one_of(
    st.none(),
    st.fixed_dictionaries({"cmd": st.sampled_from(COMMANDS)}, optional=EXTRA),
    json_values.map(lambda value: json.dumps(value)[:250]),
)
STICKER = {"inner_type": "base_sticker_new", "sticker_id": 1, "product_id": 1}
SHAPE_KEYS = st.sampled_from(["type", "photo", "doc", "link"])
attachments = st.one_of(
    st.just([]),
    st.just([{"type": "sticker", "sticker": STICKER}]),
    st.lists(st.dictionaries(SHAPE_KEYS, json_values, max_size=3), max_size=2),
)
messages = st.lists(st.tuples(texts, payloads, attachments), min_size=1, max_size=4)


async def _read_the_rest(person: UserDriver) -> None:
    while True:
        try:
            await person.wait_reply(timeout=0.3)
        except AssertionError:
            return


async def _scenario(batch: list[tuple[str, Any, list[Any]]], consent: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with VKSandbox(group_id=GROUP_ID) as sandbox:
            runner = BotRunner(make_settings(sandbox, Path(folder) / "bot.sqlite3", flood_limit=0))
            await runner.start()
            try:
                person = sandbox.add_user(first_name="Фаззер", last_name="Случайный")
                if consent:
                    await person.send("/agree")
                    await person.wait_reply()
                    await _read_the_rest(person)
                for text, payload, shapes in batch:
                    if not text.strip() and not shapes:
                        text = "."  # VK does not deliver an empty message
                    before = len(person.messages)
                    await person.send(text, payload=payload, attachments=shapes)
                    while len(person.messages) <= before:  # never silence
                        await person.wait_reply(timeout=10)
                    await _read_the_rest(person)
                app = runner.app
                assert app is not None
                assert all(not task.done() for task in app._tasks), "a loop died"
                assert not app.db.in_transaction
            finally:
                await runner.stop()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(batch=messages, consent=st.booleans())
def test_arbitrary_input_is_always_answered_and_breaks_nothing(
    batch: list[tuple[str, Any, list[Any]]], consent: bool
) -> None:
    asyncio.run(_scenario(batch, consent))
