"""Fault injection switches (``sandbox.faults``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sandbox_kit.faults import method_set

if TYPE_CHECKING:
    from collections.abc import Callable

LONGPOLL = "<longpoll>"
FILES = "<files>"
OUTAGE_TIMES = 10**12  # as good as for ever


@dataclass
class Fault:
    kind: str  # "http_500" | "drop" | "slow" | "api_error" | "pieces"
    times: int
    methods: frozenset[str] | None
    seconds: float = 0.0
    code: int = 0
    size: int = 0
    fired: int = 0  # how many requests it has hit so far

    def matches(self, target: str) -> bool:
        if self.methods is None:
            return self.kind != "api_error" or target != LONGPOLL
        return target in self.methods


@dataclass
class Faults:
    """Armed faults; each fires on the next matching requests, ``times`` times."""

    transport: list[Fault] = field(default_factory=list)
    api_errors: list[Fault] = field(default_factory=list)
    longpoll_failures: list[tuple[int, int]] = field(default_factory=list)  # (code, times)
    file_pieces: list[Fault] = field(default_factory=list)
    redeliver: int = 0
    on_change: Callable[[], None] | None = field(default=None, repr=False)

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def longpoll_failed(self, code: int, times: int = 1) -> None:
        """The next ``times`` a_check requests answer ``{"failed": code}`` (1, 2 or 3)."""
        if code not in (1, 2, 3):
            raise ValueError("long poll failure code must be 1, 2 or 3")
        self.longpoll_failures.append((code, times))
        self._changed()

    def http_500(self, times: int = 1, methods: Iterable[str] | str | None = None) -> None:
        """The next ``times`` requests answer HTTP 500 with an HTML body.

        With ``methods=None`` long poll requests count too.
        """
        self.transport.append(Fault("http_500", times, method_set(methods)))
        self._changed()

    def outage(self, methods: Iterable[str] | str | None = None) -> Fault:
        """VK is down: every matching request answers HTTP 500 until ``clear()``.

        Returns the fault, whose ``fired`` counts the requests refused so far."""
        fault = Fault("http_500", OUTAGE_TIMES, method_set(methods))
        self.transport.append(fault)
        self._changed()
        return fault

    def drop_connection(self, times: int = 1, methods: Iterable[str] | str | None = None) -> None:
        """The next ``times`` requests get their connection closed without a response."""
        self.transport.append(Fault("drop", times, method_set(methods)))
        self._changed()

    def slow(
        self, seconds: float, times: int = 1, methods: Iterable[str] | str | None = None
    ) -> None:
        """The next ``times`` requests are answered only after ``seconds``."""
        self.transport.append(Fault("slow", times, method_set(methods), seconds=seconds))
        self._changed()

    def api_error(
        self, code: int, times: int = 1, methods: Iterable[str] | str | None = None
    ) -> None:
        """The next ``times`` API calls (optionally only ``methods``) fail with error ``code``."""
        self.api_errors.append(Fault("api_error", times, method_set(methods), code=code))

    def files_in_pieces(self, size: int, pause: float = 0.0, times: int = 1) -> None:
        """The next ``times`` file downloads arrive ``size`` bytes at a time, ``pause`` apart.

        As a slow or busy file server sends them, without announcing the size: a client that
        reads once gets a part."""
        if size <= 0:
            raise ValueError("a piece must hold at least one byte")
        self.file_pieces.append(Fault("pieces", times, None, seconds=pause, size=size))

    def redeliver_last(self, times: int = 1) -> None:
        """The next ``times`` a_check answers repeat the last delivered event (same event_id)."""
        self.redeliver += times
        self._changed()

    def clear(self) -> None:
        self.transport.clear()
        self.api_errors.clear()
        self.longpoll_failures.clear()
        self.file_pieces.clear()
        self.redeliver = 0

    # -- consumption (used by the server) --------------------------------------------------

    def take_transport(self, target: str) -> Fault | None:
        return self._take(self.transport, target)

    def take_api_error(self, method: str) -> Fault | None:
        return self._take(self.api_errors, method)

    @staticmethod
    def _take(faults: list[Fault], target: str) -> Fault | None:
        for fault in faults:
            if fault.matches(target):
                fault.times -= 1
                fault.fired += 1
                if fault.times <= 0:
                    faults.remove(fault)
                return fault
        return None

    def take_file_pieces(self) -> Fault | None:
        return self._take(self.file_pieces, FILES)

    def take_longpoll_failure(self) -> int | None:
        if not self.longpoll_failures:
            return None
        code, times = self.longpoll_failures[0]
        if times <= 1:
            self.longpoll_failures.pop(0)
        else:
            self.longpoll_failures[0] = (code, times - 1)
        return code


__all__ = ["FILES", "LONGPOLL", "Fault", "Faults"]
