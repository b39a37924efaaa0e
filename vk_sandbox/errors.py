"""VK API errors as the sandbox reports them.

Codes and base messages follow ``errors.json`` of the official VK API schema (5.199).
VK appends details to some messages after a colon, e.g. error 100
``"One of the parameters specified was missing or invalid: peer_id is undefined"``.
"""

from __future__ import annotations

from typing import Any

ERROR_MESSAGES: dict[int, str] = {
    1: "Unknown error occurred",
    3: "Unknown method passed",
    5: "User authorization failed",
    6: "Too many requests per second",
    7: "Permission to perform this action is denied",
    8: "Invalid request",
    9: "Flood control",
    10: "Internal server error",
    12: "Unable to compile code",
    13: "Runtime error occurred during code invocation",
    14: "Captcha needed",
    15: "Access denied",
    18: "User was deleted or banned",
    27: "Group authorization failed",
    29: "Rate limit reached",
    100: "One of the parameters specified was missing or invalid",
    104: "Not found",
    105: "Couldn't save file",
    113: "Invalid user id",
    118: "Invalid server",
    121: "Invalid hash",
    125: "Invalid group id",
    129: "Invalid photo",
    900: "Can't send messages for users from blacklist",
    901: "Can't send messages for users without permission",
    902: "Can't send messages to this user due to their privacy settings",
    909: "Can't edit this message, because it's too old",
    911: "Keyboard format is invalid",
    912: "This is a chat bot feature, change this status in settings",
    914: "Message is too long",
    917: "You don't have access to this chat",
    919: "You can't see invite link for this chat",
    920: "Can't edit this kind of message",
    925: "You are not admin of this chat",
    927: "Chat does not exist",
    931: "You can't change invite link for this chat",
    932: "Your community can't interact with this peer",
    935: "User not found in chat",
    936: "Contact not found",
    945: "Chat was disabled",
    946: "Chat not supported",
}


def error_message(code: int, detail: str | None = None) -> str:
    """VK's message for ``code``, with ``detail`` appended after a colon when given."""
    base = ERROR_MESSAGES.get(code, "Unknown error occurred")
    return f"{base}: {detail}" if detail else base


class VKError(Exception):
    """An API error: the method answers ``{"error": {...}}``."""

    def __init__(self, code: int, detail: str | None = None, *, message: str | None = None):
        self.code = code
        self.message = message if message is not None else error_message(code, detail)
        super().__init__(f"[{code}] {self.message}")

    def to_dict(self, request_params: list[dict[str, str]]) -> dict[str, Any]:
        return {
            "error_code": self.code,
            "error_msg": self.message,
            "request_params": request_params,
        }


def param_error(detail: str) -> VKError:
    """Error 100 with VK's wording."""
    return VKError(100, detail)


__all__ = ["ERROR_MESSAGES", "VKError", "error_message", "param_error"]
