"""Files on MAX: the template goes out as a file attachment (uploaded through POST
/uploads), and a roster file an admin sends is downloaded and read."""

from __future__ import annotations

from bot.conversation.identity import max_account
from bot.conversation.outgoing import File, OutgoingMessage, Person
from bot.texts import t
from max_sandbox import MaxSandbox
from tests.conftest import BotRunner
from tests.max_support import (  # noqa: F401
    ask,
    drain,
    max_admin,
    max_bot,
    sb,
    start_max_bot,
)


async def test_a_file_goes_out_and_a_file_comes_in(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    admin = await max_admin(sb)
    await ask(admin, "/class_add 5А")
    # MAX answers "not ready" to a send right after its file's upload: the bot tries again.
    sb.faults.attachment_not_ready()
    template = await ask(admin, "/template")
    assert template.text == t("roster_template_caption")
    assert template.has_doc, template.attachments
    assert sb.calls_to("POST /uploads")
    data = sb.file_data(template.attachments[0])
    assert data.startswith(b"PK"), "an XLSX workbook"
    await admin.expect_silence(0.5)
    assert [m.text for m in admin.messages].count(t("roster_template_caption")) == 1

    await admin.send_file("template.xlsx", data)
    reading = await admin.wait_reply(timeout=10)
    assert reading.text == t("roster_reading")
    verdict = await admin.wait_reply(timeout=20)
    assert verdict.text, "the file was read to a verdict"


async def test_a_picture_is_uploaded_as_an_image_and_sent(
    sb: MaxSandbox,  # noqa: F811
    max_bot: BotRunner,  # noqa: F811
) -> None:
    admin = await max_admin(sb)
    person = await max_bot.db.reader.accounts.person_of(max_account(admin.user_id))
    assert person is not None
    services = max_bot.app.services  # type: ignore[union-attr]
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    stored = await services.messengers.upload(Person(person), File("chart.png", "image/png", png))
    assert stored is not None and stored.ref.startswith("max:image:")
    message = OutgoingMessage(Person(person), "Недельный отчёт", files=(stored,))
    await services.notifier.send_now([message], "test-chart")
    sent = await admin.wait_reply(timeout=5)
    assert sent.has_photo
    assert sb.file_data(sent.attachments[0]) == png
