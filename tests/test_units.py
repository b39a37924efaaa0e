"""Pure functions: plural forms, command parsing, text splitting."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import pytest

from bot.commands import parse_command
from bot.conversation.outgoing import Person, derived_random_id, split_text
from bot.parsing import (
    ClassNameError,
    PersonRef,
    parse_class_name,
    parse_full_name,
    parse_person_ref,
    parse_when,
    split_person_and_rest,
)
from bot.runtime import Slots
from bot.storage.outbox import OutboxRow
from bot.storage.timefmt import from_db, to_db
from bot.texts import plural
from bot.vk.api import form_encoded
from bot.vk.sender import Call, Rendered

REQUEST = ("заявка", "заявки", "заявок")


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "заявка"),
        (2, "заявки"),
        (4, "заявки"),
        (5, "заявок"),
        (11, "заявок"),
        (12, "заявок"),
        (14, "заявок"),
        (21, "заявка"),
        (22, "заявки"),
        (25, "заявок"),
        (101, "заявка"),
        (111, "заявок"),
        (0, "заявок"),
    ],
)
def test_russian_plural_agreement(count: int, expected: str) -> None:
    assert plural(count, REQUEST) == expected


@pytest.mark.parametrize(
    ("text", "payload", "name", "args"),
    [
        ("/help", None, "help", ""),
        ("/HELP", None, "help", ""),
        ("Помощь", None, "help", ""),
        ("помощь", None, "help", ""),
        ("[club229000044|@gym44] /support", None, "support", ""),
        ("anything", '{"cmd": "menu"}', "menu", ""),
        ("/invite parent 5А 30", None, "invite", "parent 5А 30"),
    ],
)
def test_commands_are_recognised_however_they_arrive(
    text: str, payload: str | None, name: str, args: str
) -> None:
    parsed = parse_command(text, payload)
    assert parsed is not None
    assert (parsed.name, parsed.args) == (name, args)


def test_plain_text_is_not_a_command() -> None:
    assert parse_command("Добрый день", None) is None


def test_long_texts_split_at_paragraphs_then_sentences() -> None:
    paragraph = "Предложение номер один. " * 100
    text = "\n\n".join([paragraph.strip()] * 5)
    parts = split_text(text, limit=4096)
    assert all(len(part) <= 4096 for part in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(
        " ", ""
    )
    assert all(part.endswith(".") for part in parts)


def test_a_word_longer_than_the_limit_is_cut() -> None:
    parts = split_text("я" * 10_000, limit=4096)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


def test_derived_random_ids_are_stable_positive_int32() -> None:
    first = derived_random_id("event", 0, 5)
    assert first == derived_random_id("event", 0, 5)
    assert first != derived_random_id("event", 1, 5)
    assert 0 < first < 2**31


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("5А", "5А"),
        ("5а", "5А"),
        ("5 А", "5А"),
        ("5-А", "5А"),
        ("11б", "11Б"),
        ("1Я", "1Я"),
        ("10 в", "10В"),
        ("7A", "7А"),
    ],
)
def test_class_names_follow_the_nomenclature(typed: str, name: str) -> None:
    assert parse_class_name(typed).name == name


@pytest.mark.parametrize("typed", ["12А", "0А", "5Z", "А5", "5АБ", "", "пятый"])
def test_impossible_class_names_are_refused(typed: str) -> None:
    with pytest.raises(ClassNameError):
        parse_class_name(typed)


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("иванов иван", "Иванов Иван"),
        ("Римский-Корсаков Николай Андреевич", "Римский-Корсаков Николай Андреевич"),
        ("  петрова   анна  ", "Петрова Анна"),
    ],
)
def test_full_names_are_normalised(typed: str, name: str) -> None:
    assert parse_full_name(typed) == name


@pytest.mark.parametrize("typed", ["Иван", "Ivanov Ivan", "Иванов 1", "а б в г д", "Иванов -Иван"])
def test_what_is_not_a_name_is_refused(typed: str) -> None:
    assert parse_full_name(typed) is None


@pytest.mark.parametrize(
    ("typed", "ref"),
    [
        ("[id123|Иван]", PersonRef(vk_id=123)),
        ("@id123", PersonRef(vk_id=123)),
        ("id123", PersonRef(vk_id=123)),
        ("123", PersonRef(vk_id=123)),
        ("https://vk.com/id123", PersonRef(vk_id=123)),
        ("vk.com/ivan.petrov", PersonRef(screen_name="ivan.petrov")),
        ("@ivanpetrov", PersonRef(screen_name="ivanpetrov")),
    ],
)
def test_person_references_in_every_form(typed: str, ref: PersonRef) -> None:
    assert parse_person_ref(typed) == ref


def test_a_mention_with_spaces_is_one_argument() -> None:
    assert split_person_and_rest("[id5|Иван Петров] 6Б") == ("[id5|Иван Петров]", "6Б")


MOSCOW = ZoneInfo("Europe/Moscow")
# Saturday 28 November 2026, 12:00 in Moscow.
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("28.11 15:30", datetime(2026, 11, 28, 15, 30, tzinfo=MOSCOW)),
        ("1.12 9:05", datetime(2026, 12, 1, 9, 5, tzinfo=MOSCOW)),
        ("27.11 10:00", datetime(2027, 11, 27, 10, 0, tzinfo=MOSCOW)),
        ("05.01.2027 08:00", datetime(2027, 1, 5, 8, 0, tzinfo=MOSCOW)),
        ("завтра 9:00", datetime(2026, 11, 29, 9, 0, tzinfo=MOSCOW)),
        ("сегодня в 18.00", datetime(2026, 11, 28, 18, 0, tzinfo=MOSCOW)),
        ("пн 10:00", datetime(2026, 11, 30, 10, 0, tzinfo=MOSCOW)),
        ("сб 11:00", datetime(2026, 12, 5, 11, 0, tzinfo=MOSCOW)),
        ("в пятницу 10:00", None),
        ("31.02 10:00", None),
        ("когда-нибудь", None),
    ],
)
def test_event_times_in_the_schools_zone(typed: str, expected: datetime | None) -> None:
    assert parse_when(typed, NOW, MOSCOW) == expected


def test_the_flood_guard_warns_once_then_ignores_for_a_while() -> None:
    from bot.flood import FloodGuard, Verdict

    guard = FloodGuard(limit=20, window=10, quiet=30)
    verdicts = [guard.judge(1, 100 + n * 0.1) for n in range(25)]
    assert verdicts[:20] == [Verdict.PASS] * 20
    assert verdicts[20] is Verdict.WARN
    assert verdicts[21:] == [Verdict.IGNORE] * 4
    assert guard.judge(2, 102.0) is Verdict.PASS  # other people are not slowed
    assert guard.judge(1, 110.0) is Verdict.IGNORE
    assert guard.judge(1, 150.0) is Verdict.PASS


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 11, 0, 0, 7, tzinfo=ZoneInfo("Europe/Moscow")),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ],
)
def test_times_are_stored_as_sortable_utc_text_and_read_back(moment: datetime) -> None:
    text = to_db(moment)
    assert text == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert from_db(text) == moment
    assert from_db(text).tzinfo is UTC


async def test_slots_admit_at_most_their_size_in_order_and_survive_cancellation() -> None:
    slots = Slots(2)
    holding: list[int] = []
    order: list[int] = []
    peak = 0

    async def hold(number: int) -> None:
        nonlocal peak
        await slots.acquire()
        try:
            holding.append(number)
            order.append(number)
            peak = max(peak, len(holding))
            await asyncio.sleep(0.01)
        finally:
            holding.remove(number)
            slots.release()

    first = [asyncio.create_task(hold(n)) for n in range(3)]
    await asyncio.sleep(0)
    doomed = asyncio.create_task(hold(99))
    rest = [asyncio.create_task(hold(n)) for n in range(3, 6)]
    await asyncio.sleep(0)
    doomed.cancel()
    await asyncio.gather(*first, *rest)
    assert peak == 2
    assert order == [0, 1, 2, 3, 4, 5]
    # Nothing leaked: both slots are free again.
    await asyncio.wait_for(asyncio.gather(slots.acquire(), slots.acquire()), timeout=1)


def test_api_parameters_are_form_encoded_so_any_text_comes_back_intact() -> None:
    data = {"peer_id": 5, "message": 'Привет & = + % "мир"\n😀', "empty": "", "random_id": 0}
    decoded = parse_qsl(form_encoded(data).decode("ascii"), keep_blank_values=True)
    assert decoded == [(key, str(value)) for key, value in data.items()]


@pytest.mark.parametrize(
    ("peer_id", "peers", "body"),
    [
        (5, (5,), {"vk": {"message": 'Текст "в кавычках"\n', "keyboard": '{"inline":true}'}}),
        (0, (1, 2, 3), {"text": "Всем", "files": [{"name": "a", "content_type": "b", "ref": "d"}]}),
        (7, (7,), {"vk": {}}),
    ],
)
def test_a_stored_message_goes_into_execute_code_with_the_parameters_it_was_stored_with(
    peer_id: int, peers: tuple[int, ...], body: dict[str, str]
) -> None:
    row = OutboxRow(1, peer_id, 4242, json.dumps(body, ensure_ascii=False), 0)
    users = {peer: peer for peer in peers}  # their VK accounts
    call = Call(row, tuple(Person(peer) for peer in peers), Rendered.of(row, users), users)
    code = call.vkscript()
    assert code.startswith("API.messages.send(") and code.endswith(")")
    assert json.loads(code[len("API.messages.send(") : -1]) == call.params()
