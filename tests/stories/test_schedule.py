"""Events, reminders, the digest and the weekly report on both messengers, on a frozen clock
(Monday 30 November 2026, 08:00 in Moscow); the test runs the scheduler's ticks itself.

The weekly report's chart is a picture uploaded before it is sent: on VK through
photos.getMessagesUploadServer and photos.saveMessagesPhoto, on MAX through
POST /uploads?type=image and the upload's token in the message's `image` attachment."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from bot.texts import BUTTONS, t
from max_sandbox import MaxSandbox
from tests.conftest import DIRECTOR_ID, BotRunner
from tests.helpers import (
    Sandbox,
    admin_user,
    ask,
    consented_user,
    drain,
    next_starting,
    school_with_classes,
    submit_join_request,
    tick,
)


async def test_an_event_is_announced_then_reminded_before_it_starts(
    sandbox: Sandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await admin_user(sandbox)
    await tick(clocked_bot)
    await ask(admin, "/event")
    await ask(admin, "Педсовет")
    audience = await ask(admin, "завтра 15:30")
    await admin.press(audience.button(BUTTONS["audience_staff"]))
    assert (await admin.wait_reply()).text == t("event_ask_link")
    await admin.send("https://vk.com/call/join/abc")
    announced, created = await admin.wait_replies(2)
    assert announced.text.startswith("📅 Педсовет\nКогда: 01.12.2026 15:30")
    assert created.text.startswith("Событие №1 запланировано на 01.12.2026 15:30. Сообщено: 1.")

    frozen_clock.set(frozen_clock.now().replace(day=1, month=12, hour=12, minute=10))  # 15:10
    await tick(clocked_bot)
    assert not any(message.text.startswith("⏰") for message in await drain(admin))
    frozen_clock.advance(timedelta(minutes=6))  # 15:16, 14 minutes before the start
    await tick(clocked_bot)
    reminder = await next_starting(admin, "⏰")
    assert reminder.text.startswith("⏰ Через 14 минут начнётся: Педсовет")


async def test_the_morning_digest_lists_what_waits_with_buttons(
    sandbox: Sandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    assert await tick(clocked_bot) == []  # the first tick only notes the time
    frozen_clock.advance(timedelta(minutes=1))
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    await submit_join_request(parent, "5А")
    await admin.wait_reply()  # the request itself

    frozen_clock.advance(timedelta(days=1))  # Tuesday 08:00
    assert "digest" in await tick(clocked_bot)
    digest = await admin.wait_reply()
    assert digest.text.startswith("Сводка на 01.12.2026:")
    assert "• Ждут решения: 1 заявка; самая старая — 1 день" in digest.text
    assert BUTTONS["approve"] in digest.labels

    await admin.press(digest.button(BUTTONS["approve"]))
    await admin.wait_event_answer()
    await next_starting(admin, "Заявка №1 принята")


async def test_the_weekly_report_brings_figures_and_an_uploaded_chart(
    sandbox: Sandbox, clocked_bot: BotRunner, frozen_clock: FrozenClock
) -> None:
    admin = await school_with_classes(sandbox, "5А", "5Б")
    director = await consented_user(sandbox, "Людмила", "Дровосекова", user_id=DIRECTOR_ID)
    await drain(director)
    await tick(clocked_bot)
    stats = (await ask(director, "/stats")).text
    assert stats.startswith("Статистика использования «Сферума» на 30.11.2026")

    frozen_clock.advance(timedelta(days=7, hours=1))  # next Monday 09:00
    assert "weekly_report" in await tick(clocked_bot)
    for person in (director, admin):
        report = await next_starting(person, t("report_header"))
        assert report.has_photo
    if isinstance(sandbox, MaxSandbox):
        uploads = sandbox.calls_to("POST /uploads")
        assert uploads and all(call.query.get("type") == "image" for call in uploads)
        picture = next(m for m in director.messages if m.has_photo)
        assert sandbox.file_data(picture.raw_attachments[0]).startswith(b"\x89PNG")
    else:
        assert sandbox.calls_to("photos.saveMessagesPhoto")
