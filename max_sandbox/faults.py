"""Fault injection switches (``sandbox.faults``).

An endpoint is named ``"POST /messages"`` (verb and the schema's route) or just ``"/messages"``
(any verb); ``methods=None`` means every API request (GET /updates included).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sandbox_kit.faults import method_set

OUTAGE_TIMES = 10**12  # as good as for ever


@dataclass
class Fault:
    # "status_before" | "status_after" | "drop_before" | "drop_after" | "slow" | "too_many"
    # | "not_ready"
    kind: str
    times: int
    methods: frozenset[str] | None
    status: int = 0
    seconds: float = 0.0
    fired: int = 0

    def matches(self, name: str) -> bool:
        if self.methods is None:
            return True
        route = name.split(" ", 1)[1]
        return name in self.methods or route in self.methods


BEFORE = ("too_many", "status_before", "drop_before", "slow")
AFTER = ("status_after", "drop_after")


@dataclass
class Faults:
    """Armed faults; each fires on the next matching requests, ``times`` times."""

    armed: list[Fault] = field(default_factory=list)
    duplicate_updates: int = 0  # the next N updates are delivered twice
    webhook_redeliveries: int = 0  # the next N webhook POSTs are repeated after their 200
    on_change: Callable[[], None] | None = field(default=None, repr=False)

    def _arm(self, fault: Fault) -> Fault:
        self.armed.append(fault)
        if self.on_change is not None:
            self.on_change()
        return fault

    def too_many_requests(
        self, times: int = 1, methods: Iterable[str] | str | None = None
    ) -> Fault:
        """The next ``times`` requests answer 429 (as when the rate limit is exceeded)."""
        return self._arm(Fault("too_many", times, method_set(methods), status=429))

    def error_before(
        self, status: int = 503, times: int = 1, methods: Iterable[str] | str | None = None
    ) -> Fault:
        """The next ``times`` requests fail with ``status`` (5xx) and have no effect."""
        return self._arm(Fault("status_before", times, method_set(methods), status=status))

    def error_after(
        self, status: int = 500, times: int = 1, methods: Iterable[str] | str | None = None
    ) -> Fault:
        """The next ``times`` requests take effect (a message is stored and delivered) but
        answer ``status``: the client cannot tell whether it went."""
        return self._arm(Fault("status_after", times, method_set(methods), status=status))

    def outage(self, status: int = 503, methods: Iterable[str] | str | None = None) -> Fault:
        """MAX is down: every matching request fails before its effect until ``clear()``."""
        return self.error_before(status, OUTAGE_TIMES, methods)

    def drop_before(self, times: int = 1, methods: Iterable[str] | str | None = None) -> Fault:
        """The next ``times`` requests have their connection closed, with no effect."""
        return self._arm(Fault("drop_before", times, method_set(methods)))

    def drop_after(self, times: int = 1, methods: Iterable[str] | str | None = None) -> Fault:
        """The next ``times`` requests take effect, then the connection closes unanswered."""
        return self._arm(Fault("drop_after", times, method_set(methods)))

    def slow(
        self, seconds: float, times: int = 1, methods: Iterable[str] | str | None = None
    ) -> Fault:
        """The next ``times`` requests are answered only after ``seconds``."""
        return self._arm(Fault("slow", times, method_set(methods), seconds=seconds))

    def attachment_not_ready(self, times: int = 1) -> Fault:
        """The next ``times`` sends carrying an uploaded attachment answer 400
        ``attachment.not.ready``, as MAX does right after an upload (the docs' text)."""
        return self._arm(Fault("not_ready", times, frozenset({"POST /messages"}), status=400))

    def duplicate_next_updates(self, times: int = 1) -> None:
        """The next ``times`` updates are delivered twice (by GET /updates and by webhook)."""
        self.duplicate_updates += times
        if self.on_change is not None:
            self.on_change()

    def redeliver_webhook(self, times: int = 1) -> None:
        """The next ``times`` webhook deliveries are POSTed again although answered 200."""
        self.webhook_redeliveries += times

    def clear(self) -> None:
        self.armed.clear()
        self.duplicate_updates = 0
        self.webhook_redeliveries = 0

    # -- consumption (used by the server) --------------------------------------------------

    def take(self, name: str, kinds: Iterable[str]) -> Fault | None:
        wanted = set(kinds)
        for fault in self.armed:
            if fault.kind in wanted and fault.matches(name):
                fault.times -= 1
                fault.fired += 1
                if fault.times <= 0:
                    self.armed.remove(fault)
                return fault
        return None

    def take_duplicate(self) -> bool:
        if self.duplicate_updates <= 0:
            return False
        self.duplicate_updates -= 1
        return True

    def take_webhook_redelivery(self) -> bool:
        if self.webhook_redeliveries <= 0:
            return False
        self.webhook_redeliveries -= 1
        return True


__all__ = ["AFTER", "BEFORE", "Fault", "Faults"]
