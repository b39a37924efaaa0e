"""VK's numbering and VK's message formats live in the VK adapter only (issue #13, item 2):
no module outside `bot/vk/` computes a chat's peer (2,000,000,000 + n), writes VK keyboard
JSON or VK mention markup. Read from the source, so a new module is checked as it is added."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The core and everything around it; the VK adapter and the VK sandbox are the exceptions.
SCANNED = ("bot", "scheduler")
ADAPTER = ("bot/vk/",)

# What only VK's adapter may know, and why each pattern means it.
VK_ONLY = {
    "a chat's VK peer": re.compile(r"2_?000_?000_?000|CHAT_PEER_OFFSET"),
    "VK keyboard JSON": re.compile(
        r"""["'](one_time|inline|buttons|open_link)["']|\bget_json\(|"""
        r"""from vkbottle[.\w]* import [^\n]*\b(Keyboard|KeyboardButtonColor|Text|Callback)\b"""
    ),
    "VK mention markup": re.compile(r"\[id"),
}

# Known, explained exceptions (path: the kinds allowed there).
ALLOWED = {
    # The upgrade of rows written before messages were neutral: it reads VK's numbering once
    # to tell the chats among them (migration 11).
    "bot/storage/migrations.py": {"a chat's VK peer"},
    # Incoming person arguments (`[id123|Имя]` typed by a person): read, not written; the
    # accounts part of issue #13 moves the reading of VK references into the adapter.
    "bot/parsing.py": {"VK mention markup"},
    # MAX's own inline keyboard (`{"payload": {"buttons": rows}}`) shares VK's key name.
    "bot/max/outgoing.py": {"VK keyboard JSON"},
}


def vk_knowledge(path: str, source: str) -> list[str]:
    found = []
    for kind, pattern in VK_ONLY.items():
        if kind in ALLOWED.get(path, set()):
            continue
        for number, line in enumerate(source.splitlines(), start=1):
            if pattern.search(line):
                found.append(f"{path}:{number}: {kind}: {line.strip()}")
    return found


def scanned_files() -> list[Path]:
    files = [path for folder in SCANNED for path in sorted((ROOT / folder).rglob("*.py"))]
    return [
        path
        for path in files
        if not any(str(path.relative_to(ROOT)).startswith(prefix) for prefix in ADAPTER)
    ]


def test_no_module_outside_the_vk_adapter_knows_vk_numbering_keyboards_or_mentions() -> None:
    files = scanned_files()
    assert len(files) > 50, "the scan found too few modules: the layout has moved"
    found = [
        offence
        for path in files
        for offence in vk_knowledge(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
    ]
    assert found == [], "\n".join(found)


def test_the_scan_recognises_each_kind_of_vk_knowledge() -> None:
    # What the code looked like before issue #13: each line must be caught.
    before = {
        "CHAT_PEER_OFFSET = 2_000_000_000": "a chat's VK peer",
        "return self.peer_id > CHAT_PEER_OFFSET": "a chat's VK peer",
        "from vkbottle import Callback, Keyboard, KeyboardButtonColor, Text": "VK keyboard JSON",
        "return keyboard.get_json()": "VK keyboard JSON",
        '{"one_time": False, "buttons": []}': "VK keyboard JSON",
        '"support_admin_line": "• [id{vk_id}|{name}]",': "VK mention markup",
    }
    for line, kind in before.items():
        assert [f"x.py:1: {kind}: {line}"] == vk_knowledge("x.py", line), line
    assert vk_knowledge("bot/storage/migrations.py", "WHERE peer_id > 2000000000") == []
