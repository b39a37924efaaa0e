"""Validation of NewMessageBody's inline keyboards, as MAX refuses bad ones (400).

The schema gives a button's own limits (``text`` 1..128, ``payload`` up to 1024, ``url`` up to
2048, ``chat_title`` up to 200); the keyboard's size limits are in dev.max.ru's keyboard section,
not in the schema: at most 210 buttons in at most 30 rows, at most 7 buttons a row and at most 3
a row when the row holds a ``link``, ``open_app`` or ``request_*`` button.
"""

from __future__ import annotations

import secrets
from typing import Any

from .errors import bad_request

MAX_BUTTONS = 210
MAX_ROWS = 30
MAX_PER_ROW = 7
MAX_PER_ROW_WIDE = 3
WIDE_TYPES = frozenset({"link", "open_app", "request_contact", "request_geo_location"})
BUTTON_TYPES = frozenset(
    {
        "callback",
        "link",
        "request_contact",
        "request_geo_location",
        "chat",
        "open_app",
        "message",
        "clipboard",
    }
)
INTENTS = frozenset({"positive", "negative", "default"})


def _string(button: dict[str, Any], key: str, limit: int, required: bool) -> None:
    value = button.get(key)
    if value is None:
        if required:
            raise bad_request(f"button.{key}: must not be null")
        return
    if not isinstance(value, str):
        raise bad_request(f"button.{key}: must be a string")
    if len(value) > limit:
        raise bad_request(f"button.{key}: size must be between 0 and {limit}")


def validate_keyboard(payload: Any) -> list[list[dict[str, Any]]]:
    """The keyboard's rows as MAX stores them (chat buttons get a ``uuid``); MaxError if bad."""
    if not isinstance(payload, dict) or not isinstance(payload.get("buttons"), list):
        raise bad_request("inline_keyboard.payload.buttons: must not be null")
    rows = payload["buttons"]
    if not rows:
        raise bad_request("inline_keyboard.payload.buttons: must not be empty")
    if len(rows) > MAX_ROWS:
        raise bad_request(f"inline_keyboard: at most {MAX_ROWS} rows")
    total = 0
    result: list[list[dict[str, Any]]] = []
    for row in rows:
        if not isinstance(row, list) or not row:
            raise bad_request("inline_keyboard: a row must be a non-empty array")
        wide = any(isinstance(b, dict) and b.get("type") in WIDE_TYPES for b in row)
        limit = MAX_PER_ROW_WIDE if wide else MAX_PER_ROW
        if len(row) > limit:
            raise bad_request(f"inline_keyboard: at most {limit} buttons in a row")
        total += len(row)
        result.append([_button(b) for b in row])
    if total > MAX_BUTTONS:
        raise bad_request(f"inline_keyboard: at most {MAX_BUTTONS} buttons")
    return result


def _button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request("button: must be an object")
    kind = button.get("type")
    if kind not in BUTTON_TYPES:
        raise bad_request(f"button.type: unknown button type {kind!r}")
    text = button.get("text")
    if not isinstance(text, str) or not 1 <= len(text) <= 128:
        raise bad_request("button.text: size must be between 1 and 128")
    intent = button.get("intent")
    if intent is not None and intent not in INTENTS:
        raise bad_request(f"button.intent: unknown intent {intent!r}")
    if kind in ("callback", "clipboard"):
        _string(button, "payload", 1024, required=True)
    elif kind == "link":
        _string(button, "url", 2048, required=True)
        if not str(button["url"]).startswith(("https://", "http://")):
            raise bad_request("button.url: must be an http(s) URL")
    elif kind == "chat":
        _string(button, "chat_title", 200, required=True)
        _string(button, "chat_description", 400, required=False)
        _string(button, "start_payload", 512, required=False)
    result = {k: v for k, v in button.items() if v is not None}
    if kind == "chat" and "uuid" not in result:
        result["uuid"] = secrets.randbelow(2**31)
    return result


__all__ = ["MAX_BUTTONS", "MAX_PER_ROW", "MAX_ROWS", "validate_keyboard"]
