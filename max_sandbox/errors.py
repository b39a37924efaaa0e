"""MAX's error answers: an HTTP status with ``{"code": ..., "message": ...}``."""

from __future__ import annotations

from typing import Any


class MaxError(Exception):
    """An API error as MAX answers it; ``status`` is the HTTP code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


def bad_request(message: str, code: str = "proto.payload") -> MaxError:
    return MaxError(400, code, message)


def unauthorized() -> MaxError:
    return MaxError(401, "verify.token", "Invalid access_token")


def forbidden(message: str, code: str = "access.denied") -> MaxError:
    return MaxError(403, code, message)


def not_found(message: str, code: str = "not.found") -> MaxError:
    return MaxError(404, code, message)


def not_allowed(message: str) -> MaxError:
    return MaxError(405, "method.not.allowed", message)


def too_many_requests() -> MaxError:
    return MaxError(429, "too.many.requests", "Too many requests")


def server_error(status: int) -> MaxError:
    if status == 503:
        return MaxError(503, "service.unavailable", "Service temporarily unavailable")
    return MaxError(status, "internal.error", "Internal server error")


__all__ = [
    "MaxError",
    "bad_request",
    "forbidden",
    "not_allowed",
    "not_found",
    "server_error",
    "too_many_requests",
    "unauthorized",
]
