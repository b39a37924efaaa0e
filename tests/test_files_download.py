"""A file a person sends is read to its end, within a size cap and a time limit."""

from __future__ import annotations

import asyncio
import io

import pytest
from openpyxl import Workbook

from bot.conversation.port import FileTooBigError
from bot.texts import t
from bot.vk.gateway import VKGateway
from tests.conftest import BotRunner
from tests.helpers import school_with_classes
from tests.test_fault_storm import run_fault_storm
from vk_sandbox import VKSandbox

PIECE = 4 * 1024


def students_workbook(count: int) -> bytes:
    """A roster of `count` students of 5А, big enough to need many pieces."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Ученики"
    sheet.append(["ФИО", "Класс"])
    for number in range(count):
        sheet.append([f"Иванов {_word(number)} Петрович", "5А"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _word(number: int) -> str:
    """A distinct Russian-looking first name for each number."""
    letters = "абвгдежзиклмнопрстуфхцчшэюя"
    word = ""
    while True:
        number, digit = divmod(number, len(letters))
        word += letters[digit]
        if number == 0:
            return "Ан" + word


def _doc_url(sandbox: VKSandbox, data: bytes) -> str:
    doc = sandbox.new_doc(7, data, "spiski.xlsx", None)
    return doc.url(sandbox.base_url)


def _gateway(bot: BotRunner) -> VKGateway:
    assert bot.app is not None
    return bot.app.vk.gateway


async def test_a_roster_that_arrives_in_pieces_is_read_whole(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    data = students_workbook(3000)
    assert len(data) > 4 * PIECE
    sandbox.faults.files_in_pieces(PIECE, pause=0.02)
    await admin.send("", document=("spiski.xlsx", data))
    assert (await admin.wait_reply()).text == t("roster_reading")
    preview = await admin.wait_reply(timeout=30)
    assert "учеников добавлено: 3000" in preview.text, preview.text


async def test_a_file_over_the_cap_is_refused_though_each_piece_is_small(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    url = _doc_url(sandbox, b"x" * (6 * PIECE))
    sandbox.faults.files_in_pieces(PIECE, pause=0.02)
    with pytest.raises(FileTooBigError):
        await _gateway(bot).download(url, 3 * PIECE)


async def test_a_file_that_does_not_arrive_in_time_is_not_taken_in_part(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    url = _doc_url(sandbox, b"x" * (20 * PIECE))
    sandbox.faults.files_in_pieces(PIECE, pause=0.2)
    assert await _gateway(bot).download(url, 100 * PIECE, seconds=0.5) is None
    # Unhindered, the same file arrives whole.
    assert await _gateway(bot).download(url, 100 * PIECE) == b"x" * (20 * PIECE)


async def test_a_roster_in_pieces_amid_a_fault_storm_is_checked_once(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    data = students_workbook(1500)
    assert len(data) > 4 * PIECE
    sandbox.faults.files_in_pieces(PIECE, pause=0.3)
    await admin.send("", document=("spiski.xlsx", data))
    # The download starts as this is sent; the storm rages while the file comes in pieces,
    # is read, and its answer goes out.
    assert (await admin.wait_reply()).text == t("roster_reading")
    await run_fault_storm(sandbox, asyncio.get_running_loop().time() + 3.0)
    preview = await admin.wait_reply(timeout=60)
    assert "учеников добавлено: 1500" in preview.text, preview.text
    await admin.expect_silence(within=1.0)
