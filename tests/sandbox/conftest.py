"""Fixtures for the VK sandbox tests: a running sandbox, a vkbottle API bound to it, raw HTTP
access, and validation against VK's official JSON schema."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from jsonschema import Draft4Validator, ValidationError, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from vkbottle import API

from vk_sandbox import UserDriver, VKSandbox

REPO_ROOT = Path(__file__).resolve().parents[2]


def schema_dir() -> Path:
    env = os.environ.get("VK_API_SCHEMA_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "vk-api-schema"


def _properties(
    validator: Any, properties: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """Draft 4 ``properties`` that also honours VK's draft-3 style ``"required": true``."""
    if not validator.is_type(instance, "object"):
        return
    for name, subschema in properties.items():
        if name in instance:
            yield from validator.descend(instance[name], subschema, path=name, schema_path=name)
        elif isinstance(subschema, dict) and subschema.get("required") is True:
            yield ValidationError(f"{name!r} is a required property")


def _required(
    validator: Any, required: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(required, bool):
        return  # draft-3 style, handled by _properties
    yield from Draft4Validator.VALIDATORS["required"](validator, required, instance, schema)


VKValidator = validators.extend(Draft4Validator, {"properties": _properties, "required": _required})


class VKSchema:
    """Validates answers and events against VK's schema (refs resolved across files)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        resources: list[tuple[str, Resource[Any]]] = []
        for path in root.rglob("*.json"):
            contents = json.loads(path.read_text(encoding="utf-8"))
            resources.append((path.resolve().as_uri(), DRAFT4.create_resource(contents)))
        self.registry: Registry[Any] = Registry().with_resources(resources)

    def _validate(self, file: str, definition: str, instance: Any) -> None:
        uri = (self.root / file).resolve().as_uri()
        schema = {"$ref": f"{uri}#/definitions/{definition}"}
        validator = VKValidator(schema, registry=self.registry)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        if errors:
            details = "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
            raise AssertionError(f"{definition} does not match: {details}\n{instance!r}")

    def response(self, definition: str, answer: dict[str, Any]) -> None:
        """``answer`` is the whole ``{"response": ...}``, e.g. for ``users_get_response``."""
        section = definition.split("_", 1)[0]
        self._validate(f"{section}/responses.json", definition, answer)

    def object(self, file: str, definition: str, instance: Any) -> None:
        self._validate(file, definition, instance)

    def event(self, event: dict[str, Any]) -> None:
        """A long poll update: the envelope and its object."""
        kind = event["type"]
        envelope = {k: v for k, v in event.items() if k != "object"}
        if kind == "message_event":
            # callback_type's enum lacks message_event (VK sends it nevertheless).
            envelope["type"] = "message_new"
        self._validate("callback/objects.json", "callback_base", envelope)
        obj = event["object"]
        if kind == "message_event":
            # The schema says payload is a string; VK (and vkbottle_types) deliver an object.
            assert isinstance(obj["payload"], dict)
            obj = {**obj, "payload": json.dumps(obj["payload"])}
        self._validate("callback/objects.json", f"callback_{kind}", obj)


@pytest.fixture(scope="session")
def vk_schema() -> VKSchema:
    root = schema_dir()
    if not (root / "errors.json").is_file():
        pytest.skip(
            f"VK API JSON schema not found at {root} (set VK_API_SCHEMA_DIR to its directory)"
        )
    return VKSchema(root)


@pytest.fixture
async def sandbox() -> AsyncIterator[VKSandbox]:
    sb = VKSandbox(
        group_id=229000044,
        group_name="Гимназия № 44 г. Твери",
        screen_name="gym44tver",
        token="sandbox-token",
        rate_limit=None,
    )
    await sb.start(host="127.0.0.1", port=0)
    try:
        yield sb
    finally:
        await sb.stop()


@pytest.fixture
async def api(sandbox: VKSandbox) -> AsyncIterator[API]:
    vk = API(sandbox.token)
    vk.API_URL = sandbox.api_url
    yield vk
    await vk.http_client.close()


@pytest.fixture
def alice(sandbox: VKSandbox) -> UserDriver:
    return sandbox.add_user(first_name="Алиса", last_name="Смирнова", screen_name="alice_s")


@pytest.fixture
def bob(sandbox: VKSandbox) -> UserDriver:
    return sandbox.add_user(first_name="Борис", last_name="Петров")


class Raw:
    """Plain HTTP access to the sandbox (what VK answers, before vkbottle interprets it)."""

    def __init__(self, sandbox: VKSandbox, session: aiohttp.ClientSession) -> None:
        self.sandbox = sandbox
        self.session = session

    async def call(
        self, method: str, token: str | None = None, v: str | None = "5.199", **params: Any
    ) -> dict[str, Any]:
        query = {"access_token": token if token is not None else self.sandbox.token}
        if v is not None:
            query["v"] = v
        data = {k: str(val) for k, val in params.items()}
        async with self.session.post(self.sandbox.api_url + method, params=query, data=data) as r:
            assert r.status == 200
            result: dict[str, Any] = await r.json()
            return result

    async def ok(self, method: str, **params: Any) -> Any:
        answer = await self.call(method, **params)
        assert "response" in answer, answer
        return answer["response"]

    async def error(self, method: str, **params: Any) -> dict[str, Any]:
        answer = await self.call(method, **params)
        assert "error" in answer, answer
        error: dict[str, Any] = answer["error"]
        return error

    async def server(self) -> dict[str, Any]:
        result: dict[str, Any] = await self.ok(
            "groups.getLongPollServer", group_id=self.sandbox.group_id
        )
        return result

    async def a_check(
        self, server: dict[str, Any], ts: str | int | None = None, wait: int = 0, **extra: Any
    ) -> dict[str, Any]:
        params = {
            "act": "a_check",
            "key": server["key"],
            "ts": str(server["ts"] if ts is None else ts),
            "wait": str(wait),
            **{k: str(v) for k, v in extra.items()},
        }
        async with self.session.post(server["server"], params=params) as r:
            assert r.status == 200
            result: dict[str, Any] = await r.json()
            return result


@pytest.fixture
async def raw(sandbox: VKSandbox) -> AsyncIterator[Raw]:
    async with aiohttp.ClientSession() as session:
        yield Raw(sandbox, session)
