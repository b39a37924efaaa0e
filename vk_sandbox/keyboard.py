"""Keyboard validation (messages.send / messages.edit ``keyboard``).

Limits follow VK's bot keyboard documentation: a regular keyboard has at most 10 rows and 40
buttons, an inline one at most 6 rows and 10 buttons, a row at most 5 buttons; location,
vkpay and open_app buttons fill a whole row; labels are at most 40 characters and payloads at
most 255 characters. A violation is error 911.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from .errors import VKError

MAX_ROWS = 10
MAX_BUTTONS = 40
MAX_INLINE_ROWS = 6
MAX_INLINE_BUTTONS = 10
MAX_ROW_WIDTH = 5
MAX_LABEL = 40
MAX_PAYLOAD = 255

ACTION_TYPES = frozenset({"text", "open_link", "location", "vkpay", "open_app", "callback"})
WIDE_TYPES = frozenset({"location", "vkpay", "open_app"})
COLORS = frozenset({"primary", "secondary", "negative", "positive", "default"})


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _invalid(detail: str) -> VKError:
    return VKError(911, detail)


def _payload_string(action: dict[str, Any], where: str) -> str | None:
    payload = action.get("payload")
    if payload is None:
        return None
    if isinstance(payload, str):
        try:
            json.loads(payload)
        except ValueError:
            raise _invalid(f"{where}: payload must be valid JSON") from None
        text = payload
    elif isinstance(payload, dict | list | int | float | bool):
        text = compact_json(payload)
    else:
        raise _invalid(f"{where}: payload must be a JSON string or object")
    if len(text) > MAX_PAYLOAD:
        raise _invalid(f"{where}: payload is too long (max {MAX_PAYLOAD} chars)")
    return text


def _label(action: dict[str, Any], where: str, required: bool = True) -> str | None:
    label = action.get("label")
    if label is None:
        if required:
            raise _invalid(f"{where}: label is required")
        return None
    if not isinstance(label, str):
        raise _invalid(f"{where}: label must be a string")
    if required and not label:
        raise _invalid(f"{where}: label is empty")
    if len(label) > MAX_LABEL:
        raise _invalid(f"{where}: label is too long (max {MAX_LABEL} chars)")
    return label


@functools.lru_cache(maxsize=1024)
def validate_keyboard(raw: str) -> dict[str, Any]:
    """Parse and validate a keyboard JSON string; return it normalised (payloads as strings).

    Bots send the same few keyboards over and over, so results are cached: the dict returned
    is shared by every message with that keyboard and must not be changed."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise _invalid("keyboard is not valid JSON") from None
    if not isinstance(data, dict):
        raise _invalid("keyboard must be an object")
    buttons = data.get("buttons")
    if not isinstance(buttons, list):
        raise _invalid("buttons must be an array of rows")
    inline = data.get("inline", False)
    one_time = data.get("one_time", False)
    if not isinstance(inline, bool) or not isinstance(one_time, bool):
        raise _invalid("inline and one_time must be booleans")
    max_rows = MAX_INLINE_ROWS if inline else MAX_ROWS
    max_buttons = MAX_INLINE_BUTTONS if inline else MAX_BUTTONS
    if len(buttons) > max_rows:
        raise _invalid(f"too many rows: {len(buttons)}, max {max_rows}")
    total = 0
    rows: list[list[dict[str, Any]]] = []
    for r, row in enumerate(buttons):
        if not isinstance(row, list):
            raise _invalid(f"row {r} must be an array")
        if len(row) > MAX_ROW_WIDTH:
            raise _invalid(f"row {r}: too many buttons: {len(row)}, max {MAX_ROW_WIDTH}")
        total += len(row)
        out_row: list[dict[str, Any]] = []
        for c, button in enumerate(row):
            where = f"button [{r}][{c}]"
            out_row.append(_validate_button(button, where, row_len=len(row)))
        rows.append(out_row)
    if total > max_buttons:
        raise _invalid(f"too many buttons: {total}, max {max_buttons}")
    return {"one_time": one_time, "inline": inline, "buttons": rows}


def _validate_button(button: Any, where: str, row_len: int) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise _invalid(f"{where} must be an object")
    action = button.get("action")
    if not isinstance(action, dict):
        raise _invalid(f"{where}: action is required")
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        raise _invalid(f"{where}: unknown action type {kind!r}")
    color = button.get("color")
    if color is not None and color not in COLORS:
        raise _invalid(f"{where}: unknown color {color!r}")
    if kind in WIDE_TYPES and row_len > 1:
        raise _invalid(f"{where}: a {kind} button must be alone in its row")
    out_action: dict[str, Any] = {"type": kind}
    payload = _payload_string(action, where)
    if kind in ("text", "callback"):
        out_action["label"] = _label(action, where)
    elif kind == "open_link":
        link = action.get("link")
        if not isinstance(link, str) or not link.startswith(("http://", "https://")):
            raise _invalid(f"{where}: link must be an http(s) URL")
        out_action["link"] = link
        out_action["label"] = _label(action, where)
    elif kind == "vkpay":
        if not isinstance(action.get("hash"), str):
            raise _invalid(f"{where}: hash is required for vkpay")
        out_action["hash"] = action["hash"]
    elif kind == "open_app":
        for key in ("app_id", "owner_id"):
            if not isinstance(action.get(key), int):
                raise _invalid(f"{where}: {key} is required for open_app")
            out_action[key] = action[key]
        out_action["label"] = _label(action, where)
        if isinstance(action.get("hash"), str):
            out_action["hash"] = action["hash"]
    if payload is not None:
        out_action["payload"] = payload
    out: dict[str, Any] = {"action": out_action}
    if color is not None:
        out["color"] = color
    return out


__all__ = ["compact_json", "validate_keyboard"]
