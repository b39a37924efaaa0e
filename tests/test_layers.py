"""The layers' imports, read from the source: the core imports no handler, and the domain,
the storage and the scheduler import no VK library (issue #13). Every import counts, one
inside a function or under TYPE_CHECKING too: each is a dependency a reader has to follow."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Below the handlers: what the scheduler's jobs and the handlers both build on.
CORE = ("scheduler", "bot/domain", "bot/storage", "bot/render")
HANDLERS = ("bot.handlers",)
VK_LIBRARIES = ("vkbottle", "vkbottle_types")


def imports_in(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module the source imports, relative imports resolved; `from bot import handlers`
    gives `bot.handlers` as well as `bot`, since the name may be a module."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def _modules(folder: str) -> list[tuple[str, str, bool]]:
    """(path, module, is_package) of every Python file under the folder."""
    paths = sorted((ROOT / folder).rglob("*.py"))
    assert paths, f"{folder} has no Python files: the layer has moved, update this test"
    modules = []
    for path in paths:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules.append((str(path.relative_to(ROOT)), ".".join(parts), is_package))
    return modules


def offenders(folders: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for folder in folders:
        for path, module, is_package in _modules(folder):
            source = (ROOT / path).read_text(encoding="utf-8")
            for name in sorted(imports_in(source, module, is_package)):
                if any(name == bad or name.startswith(bad + ".") for bad in forbidden):
                    found.append(f"{path} imports {name}")
    return found


def test_the_core_imports_no_handler() -> None:
    assert offenders(CORE, HANDLERS) == []


def test_the_domain_the_storage_and_the_scheduler_import_no_vk_library() -> None:
    assert offenders(("bot/domain", "bot/storage", "scheduler"), VK_LIBRARIES) == []


# The messenger's adapter; everything else is the messenger-neutral core.
ADAPTER = "bot/vk"


def _core_modules() -> list[tuple[str, str, bool]]:
    """Every module outside the VK adapter: the bot's package and the scheduler."""
    return [
        (path, module, is_package)
        for folder in ("bot", "scheduler")
        for path, module, is_package in _modules(folder)
        if not path.startswith(ADAPTER + "/")
    ]


def test_nothing_outside_the_vk_adapter_imports_a_vk_library() -> None:
    found = []
    for path, module, is_package in _core_modules():
        source = (ROOT / path).read_text(encoding="utf-8")
        for name in sorted(imports_in(source, module, is_package)):
            if any(name == bad or name.startswith(bad + ".") for bad in VK_LIBRARIES):
                found.append(f"{path} imports {name}")
    assert found == []


# The wiring that chooses the messenger: it alone, beside the adapter, names the VK adapter.
WIRING = frozenset({"bot/app.py"})


def test_only_the_wiring_knows_the_vk_adapter() -> None:
    """The dispatcher, the context, the notifier, the scheduler…: a second messenger is a
    second adapter beside `bot/vk/`, nothing in the core to change."""
    found = []
    for path, module, is_package in _core_modules():
        if path in WIRING:
            continue
        source = (ROOT / path).read_text(encoding="utf-8")
        for name in sorted(imports_in(source, module, is_package)):
            if name == "bot.vk" or name.startswith("bot.vk."):
                found.append(f"{path} imports {name}")
    assert found == []


def test_the_handlers_import_no_vk_library() -> None:
    assert offenders(("bot/handlers",), VK_LIBRARIES) == []


# That no module outside the adapter knows VK's chat numbering, keyboard JSON or mention
# markup is tests/test_outgoing_layers.py's scan.


@pytest.mark.parametrize(
    ("source", "module", "is_package", "expected"),
    [
        ("import bot.handlers.chats", "scheduler.jobs", False, "bot.handlers.chats"),
        ("from bot.handlers.events import event_text", "scheduler.jobs", False, "bot.handlers"),
        ("from bot import handlers", "scheduler.jobs", False, "bot.handlers"),
        ("def f():\n    from vkbottle.bot import Message", "bot.domain.x", False, "vkbottle"),
        ("from ..handlers import rules", "bot.render.digest", False, "bot.handlers"),
        ("from .handlers.rules import Command", "bot", True, "bot.handlers"),
        ("from . import chats", "bot.render", True, "bot.render.chats"),
    ],
)
def test_every_form_of_import_is_seen(
    source: str, module: str, is_package: bool, expected: str
) -> None:
    names = imports_in(source, module, is_package)
    assert any(name == expected or name.startswith(expected + ".") for name in names), names


# The MAX adapter: MAX's specifics stay inside `bot/max/`, and only the wiring names it.
MAX_ADAPTER = "bot/max"
MAX_ONLY = ("bot.max",)


def test_only_the_wiring_knows_the_max_adapter() -> None:
    found = []
    for folder in ("bot", "scheduler"):
        for path, module, is_package in _modules(folder):
            if path in WIRING or path.startswith(MAX_ADAPTER + "/"):
                continue
            source = (ROOT / path).read_text(encoding="utf-8")
            for name in sorted(imports_in(source, module, is_package)):
                if any(name == bad or name.startswith(bad + ".") for bad in MAX_ONLY):
                    found.append(f"{path} imports {name}")
    assert found == []


def test_the_adapters_do_not_know_each_other() -> None:
    """Two messengers side by side: neither adapter imports the other, nor a VK library
    inside MAX's."""
    assert offenders(("bot/max",), ("bot.vk", *VK_LIBRARIES)) == []
    assert offenders(("bot/vk",), MAX_ONLY) == []


def test_max_specifics_stay_in_the_max_adapter() -> None:
    """MAX's API paths and update types are named nowhere else in the bot."""
    pattern = re.compile(
        r"""["'](/updates|/messages|/answers|/uploads|/subscriptions)["']"""
        r"""|["'](message_created|message_callback|bot_started)["']"""
    )
    found = []
    for folder in ("bot", "scheduler"):
        for path, _, _ in _modules(folder):
            if path.startswith(MAX_ADAPTER + "/"):
                continue
            for number, line in enumerate(
                (ROOT / path).read_text(encoding="utf-8").splitlines(), 1
            ):
                if pattern.search(line):
                    found.append(f"{path}:{number}: {line.strip()}")
    assert found == []
