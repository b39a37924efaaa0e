"""Photo and document uploads for messages, and attachments."""

from __future__ import annotations

import struct
import zlib

import aiohttp
import pytest
from vkbottle import API, DocMessagesUploader, PhotoMessageUploader, VKAPIError

from vk_sandbox import UserDriver, VKSandbox

from .conftest import Raw, VKSchema


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def test_photo_upload_with_vkbottle(
    api: API, sandbox: VKSandbox, alice: UserDriver, raw: Raw, vk_schema: VKSchema
) -> None:
    await alice.send("hi")
    attachment = await PhotoMessageUploader(api).upload(tiny_png(), peer_id=alice.peer_id)
    assert attachment.startswith(f"photo-{sandbox.group_id}_")
    await api.messages.send(
        peer_id=alice.peer_id, message="Расписание", attachment=attachment, random_id=1
    )
    message = await alice.wait_reply(1)
    assert message.has_photo
    assert message.attachments == ["_".join(attachment.split("_")[:2])]  # no access key
    answer = await raw.call("photos.getMessagesUploadServer", peer_id=alice.peer_id)
    vk_schema.response("photos_getMessagesUploadServer_response", answer)


async def test_photo_upload_raw_shapes(raw: Raw, vk_schema: VKSchema, sandbox: VKSandbox) -> None:
    server = await raw.ok("photos.getMessagesUploadServer")
    form = aiohttp.FormData()
    form.add_field("photo", tiny_png(640, 480), filename="s.png", content_type="image/png")
    async with raw.session.post(server["upload_url"], data=form) as response:
        uploaded = await response.json(content_type=None)
    assert set(uploaded) == {"server", "photo", "hash"}
    answer = await raw.call("photos.saveMessagesPhoto", **uploaded)
    vk_schema.response("photos_saveMessagesPhoto_response", answer)
    [photo] = answer["response"]
    assert photo["owner_id"] == -sandbox.group_id
    assert max(s["width"] for s in photo["sizes"]) == 640
    error = await raw.error("photos.saveMessagesPhoto", **uploaded)  # used already
    assert error["error_code"] == 100
    error = await raw.error("photos.saveMessagesPhoto", **{**uploaded, "hash": "0" * 32})
    assert error["error_code"] == 121


async def test_photo_upload_rejects_non_images(api: API, raw: Raw) -> None:
    server = await raw.ok("photos.getMessagesUploadServer")
    form = aiohttp.FormData()
    form.add_field("photo", b"%PDF-1.4 not an image", filename="x.jpg")
    async with raw.session.post(server["upload_url"], data=form) as response:
        uploaded = await response.json(content_type=None)
    assert uploaded["photo"] == "[]"
    error = await raw.error("photos.saveMessagesPhoto", **uploaded)
    assert error["error_code"] == 100
    assert error["error_msg"].endswith("photos_list is invalid")
    with pytest.raises(VKAPIError[100]):
        await PhotoMessageUploader(api).upload(b"GIF? no", peer_id=0)


async def test_doc_upload_with_vkbottle(
    api: API, raw: Raw, sandbox: VKSandbox, alice: UserDriver, vk_schema: VKSchema
) -> None:
    await alice.send("hi")
    attachment = await DocMessagesUploader(api).upload(
        b"PK\x03\x04 data", peer_id=alice.peer_id, title="Ведомость.xlsx"
    )
    assert attachment.startswith(f"doc-{sandbox.group_id}_")
    await api.messages.send(peer_id=alice.peer_id, attachment=attachment, random_id=1)
    message = await alice.wait_reply(1)
    assert message.text == ""
    assert message.attachments[0].startswith("doc-")
    answer = await raw.call("docs.getMessagesUploadServer", peer_id=alice.peer_id, type="doc")
    vk_schema.response("docs_getUploadServer_response", answer)
    form = aiohttp.FormData()
    form.add_field("file", b"a;b\n1;2\n", filename="list.csv")
    async with raw.session.post(answer["response"]["upload_url"], data=form) as response:
        uploaded = await response.json(content_type=None)
    saved = await raw.call("docs.save", file=uploaded["file"], title="Список")
    vk_schema.response("docs_save_response", saved)
    doc = saved["response"]["doc"]
    assert doc["title"] == "Список"
    assert doc["ext"] == "csv"
    assert doc["size"] == 8
    async with raw.session.get(doc["url"]) as response:
        assert await response.read() == b"a;b\n1;2\n"
    error = await raw.error("docs.save", file=uploaded["file"])
    assert error["error_code"] == 105


async def test_bot_downloads_users_document(
    raw: Raw, sandbox: VKSandbox, alice: UserDriver
) -> None:
    server = await raw.server()
    await alice.send("", document=("Список 5А.xlsx", b"\x00\x01binary\xff"))
    [update] = (await raw.a_check(server))["updates"]
    doc = update["object"]["message"]["attachments"][0]["doc"]
    async with raw.session.get(doc["url"]) as response:
        assert response.status == 200
        assert await response.read() == b"\x00\x01binary\xff"
    async with raw.session.get(f"{sandbox.base_url}/files/doc1_1") as response:
        assert response.status == 404
