"""Questions to the class teacher, below the stories: which addresses a file is fetched
from, the size and count caps on what a question carries, VK photos as files, and what
forgetting a person leaves of the questions they asked or answered."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.commands import Community
from bot.conversation.incoming import FileRef
from bot.conversation.outgoing import Chat, File
from bot.conversation.port import FileTooBigError
from bot.downloads import FileHosts, origin_of
from bot.handlers import questions as handler
from bot.max.gateway import MAX_FILE_DOMAINS, MaxGateway
from bot.storage import Database
from bot.texts import t
from bot.vk.gateway import VK_FILE_DOMAINS, VKGateway
from bot.vk.parse import parse_update

VK = FileHosts(VK_FILE_DOMAINS, origin_of("http://127.0.0.1:8081/method/"))
MAX = FileHosts(MAX_FILE_DOMAINS)


@pytest.mark.parametrize(
    "url",
    [
        "https://sun9-80.userapi.com/impg/abc/photo.jpg?size=1280x960",
        "https://vk.com/doc1_2?hash=x",
        "https://psv4.vk.me/c1/d/abc/справка.pdf",
        "http://127.0.0.1:8081/files/photo1_2",  # the API's own origin: the sandbox
    ],
)
def test_files_are_fetched_from_vks_own_hosts(url: str) -> None:
    assert VK.allows(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://sun9-80.userapi.com/photo.jpg",  # not https
        "https://evil-vk.com/doc1_2",
        "https://vk.com.evil.ru/doc1_2",
        "https://userapi.com@evil.ru/photo.jpg",  # credentials naming another host
        "https://user:pw@vk.com/doc1_2",
        "http://127.0.0.1:22/files/photo1_2",  # the sandbox's host, another port
        "http://169.254.169.254/latest/meta-data",
        "https://vk.com:notaport/doc",
        "file:///etc/passwd",
        "vk.com/doc1_2",
        "",
    ],
)
def test_no_other_address_is_fetched(url: str) -> None:
    assert not VK.allows(url)


def test_max_fetches_only_from_its_own_hosts() -> None:
    assert MAX.allows("https://iu.oneme.ru/i?r=abc")
    assert MAX.allows("https://vu.okcdn.ru/file?id=1")
    assert not MAX.allows("https://sun9-80.userapi.com/photo.jpg")  # VK's, not MAX's
    assert not MAX.allows("https://oneme.ru.example.com/i")


async def test_a_gateway_refuses_a_foreign_address_without_asking_it(tmp_path: Path) -> None:
    vk = VKGateway(SimpleNamespace(API_URL="https://api.vk.com/method/"), 1, None)  # type: ignore[arg-type]
    assert await vk.download("http://127.0.0.1:9/secret", 1024) is None
    max_gateway = MaxGateway(
        SimpleNamespace(api_url="https://platform-api.max.ru"),  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
    )
    assert await max_gateway.download("https://vk.com/doc1_2", 1024) is None


def _context(text: str = "", files: tuple[FileRef, ...] = ()) -> Any:
    incoming = SimpleNamespace(text=text, files=files)
    return SimpleNamespace(incoming=incoming, messenger="vk")


def test_a_file_over_the_cap_is_refused_at_once_with_its_name() -> None:
    draft = handler._empty_draft()
    big = FileRef("скан.pdf", "pdf", handler.MAX_FILE_BYTES + 1, "https://vk.com/doc1_2")
    small = FileRef("справка.pdf", "pdf", 1000, "https://vk.com/doc1_3")
    problems = handler._gather(_context("Справка", (big, small)), draft)
    assert problems == ["Файл «скан.pdf» больше 20 МБ — его я передать не смогу."]
    assert [item[0] for item in draft["files"]] == ["справка.pdf"]
    assert draft["files"][0][4] == "vk"  # fetched later from the messenger it came by
    assert draft["text"] == "Справка"


def test_a_question_carries_at_most_ten_files() -> None:
    draft = handler._empty_draft()
    many = tuple(FileRef(f"{n}.jpg", "jpg", 0, f"https://vk.com/p{n}") for n in range(12))
    problems = handler._gather(_context("", many), draft)
    assert len(draft["files"]) == handler.MAX_FILES
    assert problems == [t("ask_too_many_files", limit=handler.MAX_FILES)]
    assert problems[0] == "В одном сообщении — не больше 10 файлов; лишние я не добавил."


async def test_a_file_bigger_than_it_said_is_named_not_passed_on() -> None:
    """The size the messenger announced is believed first; the download counts the bytes."""
    asked: list[tuple[str, int, str]] = []

    class Messengers:
        async def download(self, url: str, cap: int, messenger: str) -> bytes | None:
            asked.append((url, cap, messenger))
            if "big" in url:
                raise FileTooBigError(cap + 1)
            return None if "gone" in url else b"data"

        async def upload(self, to: Any, file: Any) -> Any:
            return SimpleNamespace(name=file.name)

    ctx: Any = SimpleNamespace(services=SimpleNamespace(messengers=Messengers()))
    files = [
        ["big.pdf", "pdf", 10, "https://vk.com/big", "vk"],
        ["gone.pdf", "pdf", 10, "https://vk.com/gone", "vk"],
        ["ok.pdf", "pdf", 10, "https://iu.oneme.ru/ok", "max"],
    ]
    stored, lost = await handler._deliver_files(ctx, 7, files)
    assert [item.name for item in stored] == ["ok.pdf"]
    assert lost == [
        "Файл «big.pdf» больше 20 МБ — его я передать не смогу.",
        "Файл «gone.pdf» не удалось получить. Пришлите его ещё раз.",
    ]
    assert {cap for _, cap, _ in asked} == {20 * 1024 * 1024}
    assert asked[2][2] == "max"


def test_a_vk_photo_is_a_file_by_its_largest_size() -> None:
    sizes = [
        {"type": "s", "width": 75, "height": 56, "url": "https://sun9-1.userapi.com/s.jpg"},
        {"type": "w", "width": 2560, "height": 1920, "url": "https://sun9-1.userapi.com/w.jpg"},
        {"type": "x", "width": 604, "height": 453, "url": "https://sun9-1.userapi.com/x.jpg"},
    ]
    update = {
        "type": "message_new",
        "event_id": "e1",
        "object": {
            "message": {
                "from_id": 5,
                "peer_id": 5,
                "text": "справка",
                "conversation_message_id": 3,
                "attachments": [
                    {"type": "photo", "photo": {"id": 9, "owner_id": 5, "sizes": sizes}},
                    {"type": "sticker", "sticker": {"sticker_id": 1}},
                ],
            }
        },
    }
    incoming = parse_update(update, Community(1))
    assert incoming.files == (
        FileRef("photo5_9.jpg", "jpg", 0, "https://sun9-1.userapi.com/w.jpg"),
    )


async def test_forgetting_the_asker_takes_their_questions_and_the_teacher_keeps_none(
    tmp_path: Path,
) -> None:
    path = tmp_path / "school.sqlite3"
    async with Database(path) as db:
        async with db.transaction() as tx:
            await tx.classes.add("5А", 5, "А")
            school_class = await tx.classes.by_name("5А")
            assert school_class is not None
            for person, name in ((1, "Белова Ольга"), (2, "Смирнова Елена"), (3, "Орлов Иван")):
                await tx.people.ensure(person)
                await tx.people.record_consent(person, name)
            first = await tx.questions.create(1, 2, school_class.id)
            await tx.questions.add_message(first, 1, "Миша заболел", [])
            await tx.questions.add_message(first, 2, "Выздоравливайте", [])
            other = await tx.questions.create(3, 2, school_class.id)
            await tx.questions.add_message(other, 3, "Когда собрание?", [])
            await tx.questions.add_message(
                other, 2, "В пятницу", [("a.pdf", "pdf", 1, "https://vk.com/d", "vk")]
            )
        async with db.transaction() as tx:
            await tx.personal.forget(await tx.personal.traces(1))
        async with db.transaction() as tx:
            await tx.personal.forget(await tx.personal.traces(2))
        assert await db.reader.questions.get(first) is None
        left = await db.reader.questions.get(other)
        assert left is not None and left.asker_id == 3 and left.teacher_id is None
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT author_id, text, files FROM question_messages").fetchall()
    assert rows == [(3, "Когда собрание?", None), (None, None, None)]


async def test_an_upload_that_times_out_is_a_file_not_passed_on_not_a_failed_event() -> None:
    """The sender then hears which file did not go (never a failed event and silence)."""

    async def slow(*_: Any, **__: Any) -> Any:
        raise TimeoutError

    vk = VKGateway(SimpleNamespace(request=slow), 1, None)  # type: ignore[arg-type]
    assert await vk.upload_photo(2000000001, b"png") is None
    assert await vk.upload_document(2000000001, "a.pdf", b"pdf") is None
    max_gateway = MaxGateway(SimpleNamespace(request=slow), None, None)  # type: ignore[arg-type]
    assert await max_gateway.upload(Chat(1), File("a.pdf", "application/pdf", b"pdf")) is None
