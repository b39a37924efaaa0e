"""A broadcast's delivery report to whoever sent it."""

from __future__ import annotations

from bot.context import Services
from bot.conversation.outgoing import OutgoingMessage, Person
from bot.storage.outbox import DeliveryCounts, OutboxRow
from bot.texts import TEXTS, t


async def delivery_report(services: Services, row: OutboxRow, counts: DeliveryCounts) -> None:
    """Tells whoever sent a broadcast how it went, once every recipient is settled."""
    if row.report_to is None:
        return
    text = t(
        "announce_report", sent=counts.sent, blocked=counts.undeliverable, failed=counts.failed
    )
    if counts.failed_by_error:
        reasons = "; ".join(
            t("delivery_failure", reason=_failure_reason(code), count=count)
            for code, count in counts.failed_by_error.items()
        )
        text += "\n" + t("announce_report_failures", reasons=reasons)
    await services.notifier.send([OutgoingMessage(Person(row.report_to), text)], f"report:{row.id}")


def _failure_reason(code: int) -> str:
    """Why VK did not deliver, in words (error 0: the bot gave up without VK's answer)."""
    key = f"delivery_error_{code}"
    return t(key) if key in TEXTS else t("delivery_error_other", code=code)
