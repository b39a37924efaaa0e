"""MAX's OpenAPI 3.0 schema (v0.0.32) as JSON Schema: validate answers, updates and requests.

Importable by any test (the MAX adapter's too)::

    from tests.max_sandbox.schema import load_max_schema
    schema = load_max_schema()          # None when the schema is absent
    schema.response("POST", "/messages", 200, answer)
    schema.request("POST", "/messages", {"user_id": "5"}, body)
    schema.model("Update", update)

The schema is read from ``../shared/max-api-schema`` beside the repository (``MAX_API_SCHEMA_DIR``
overrides) and never copied into the project. OpenAPI's dialect is turned into JSON Schema
2020-12: ``nullable: true`` admits null; a ``discriminator`` dispatches on its property to the
mapped model, whose ``allOf`` names the base without the dispatch; keywords JSON Schema does
not know (``example``, ``readOnly``, a property's boolean ``required``...) are dropped.

Where the schema contradicts itself the documentation's text wins, as in max_sandbox (see its
package docstring): ChatType admits "dialog" and "channel"; MessageBody does not require
``link``; NewMessageBody requires nothing; Button's discriminator knows the ``chat`` button;
UserIdsList's ``user_ids`` is read from its misplaced parameter-style ``schema``.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE = "urn:max-openapi"
PREFIX = "#/components/schemas/"
DROP = {"example", "readOnly", "xml", "externalDocs", "deprecated", "writeOnly", "style", "name"}
UNDOCUMENTED_PARAMS = {"access_token", "v"}
# GET /chats lost its responses when the docs announced its end (June 2026): ChatList it was.
FALLBACK_MODELS = {("GET", "/chats"): "ChatList"}


def schema_dir() -> Path:
    env = os.environ.get("MAX_API_SCHEMA_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "max-api-schema"


def _mapping_ref(value: Any) -> str:
    return str(value["$ref"]) if isinstance(value, dict) else str(value)


def _fix_contradictions(schemas: dict[str, Any]) -> None:
    schemas["ChatType"]["enum"] = ["chat", "dialog", "channel"]
    body = schemas["MessageBody"]
    body["required"] = [r for r in body["required"] if r in body["properties"]]
    schemas["NewMessageBody"].pop("required", None)
    schemas["Button"]["discriminator"]["mapping"].setdefault("chat", PREFIX + "ChatButton")
    user_ids = schemas["UserIdsList"]["properties"]["user_ids"]
    if "schema" in user_ids:
        fixed = dict(user_ids["schema"])
        fixed["items"] = {"type": "integer", "format": "int64"}
        fixed["maxItems"] = 100
        schemas["UserIdsList"]["properties"]["user_ids"] = fixed


def _convert(node: Any, discriminated: set[str], in_all_of: bool = False) -> Any:
    if isinstance(node, list):
        return [_convert(item, discriminated, in_all_of) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in DROP or key == "discriminator":
            continue
        if key == "required" and isinstance(value, bool):
            continue
        if key in ("maxItems", "minItems", "maxLength", "minLength") and not isinstance(value, int):
            continue
        if key == "default":
            continue
        if key == "$ref" and in_all_of and value.removeprefix(PREFIX) in discriminated:
            result[key] = value + "__base"
            continue
        if key == "properties":
            result[key] = {name: _convert(sub, discriminated) for name, sub in value.items()}
        elif key == "allOf":
            result[key] = [_convert(sub, discriminated, in_all_of=True) for sub in value]
        else:
            result[key] = _convert(value, discriminated)
    if "$ref" in result and len(result) > 1:
        # OpenAPI 3.0 ignores $ref's siblings; keep them as an allOf beside it.
        ref = result.pop("$ref")
        result = {"allOf": [{"$ref": ref}], **result}
    if node.get("nullable") is True:
        result.pop("nullable", None)
        kind = result.get("type")
        if isinstance(kind, str):
            result["type"] = [kind, "null"]
            if "enum" in result:
                result["enum"] = [*result["enum"], None]
        else:
            result = {"anyOf": [{"type": "null"}, result]}
    else:
        result.pop("nullable", None)
    return result


def _json_schemas(openapi: dict[str, Any]) -> dict[str, Any]:
    schemas = copy.deepcopy(openapi["components"]["schemas"])
    _fix_contradictions(schemas)
    discriminated = {name for name, s in schemas.items() if "discriminator" in s}
    result: dict[str, Any] = {}
    for name, schema in schemas.items():
        converted = _convert(schema, discriminated)
        if name not in discriminated:
            result[name] = converted
            continue
        result[name + "__base"] = converted
        disc = schema["discriminator"]
        prop = disc["propertyName"]
        branches = [
            {
                "if": {"properties": {prop: {"const": value}}, "required": [prop]},
                "then": {"$ref": _mapping_ref(target)},
            }
            for value, target in disc["mapping"].items()
        ]
        result[name] = {
            "allOf": [{"$ref": PREFIX + name + "__base"}, *branches],
            "properties": {prop: {"enum": list(disc["mapping"])}},
        }
    return result


class MaxSchema:
    """Validators for MAX's models, answers and requests."""

    def __init__(self, openapi: dict[str, Any]) -> None:
        self.openapi = openapi
        self.schemas = _json_schemas(openapi)
        document = {"components": {"schemas": self.schemas}}
        resource: Resource[Any] = DRAFT202012.create_resource(document)
        self.registry: Registry[Any] = Registry().with_resource(BASE, resource)

    def errors(self, schema: dict[str, Any], instance: Any) -> list[str]:
        validator = Draft202012Validator(
            {"$id": BASE + "/probe", **schema}
            if "$ref" not in schema
            else {"$ref": BASE + schema["$ref"]},
            registry=self.registry,
        )
        found = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in found]

    def _check(self, what: str, schema: dict[str, Any], instance: Any) -> None:
        problems = self.errors(schema, instance)
        if problems:
            details = "; ".join(problems[:5])
            shown = repr(instance)[:600]
            raise AssertionError(f"{what} does not match the schema: {details}\n{shown}")

    def model(self, name: str, instance: Any) -> None:
        """``instance`` is a valid ``components.schemas[name]``."""
        if name not in self.schemas:
            raise KeyError(f"no model {name!r} in the MAX schema")
        self._check(name, {"$ref": PREFIX + name}, instance)

    def operation(self, method: str, path: str) -> dict[str, Any]:
        try:
            op: dict[str, Any] = self.openapi["paths"][path][method.lower()]
        except KeyError:
            raise AssertionError(f"{method} {path} is not in the MAX schema") from None
        return op

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            section, name = node["$ref"].split("/")[-2:]
            node = self.openapi["components"][section][name]
        return node

    def _openapi_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A schema from a path item, converted; its refs point into the registry."""
        converted = _convert(schema, set())
        return {"$id": "urn:probe", "allOf": [self._rebase(converted)]}

    def _rebase(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self._rebase(x) for x in node]
        if isinstance(node, dict):
            return {
                k: (BASE + v if k == "$ref" and v.startswith("#") else self._rebase(v))
                for k, v in node.items()
            }
        return node

    def response(self, method: str, path: str, status: int, answer: Any) -> None:
        """An answer of ``method path`` with HTTP ``status``: its documented model; a status
        the operation does not list must carry an Error (the docs' text: every error is
        ``{"code", "message"}``)."""
        op = self.operation(method, path)
        documented = op.get("responses", {}).get(str(status))
        if documented is None and status == 200 and (method, path) in FALLBACK_MODELS:
            self.model(FALLBACK_MODELS[(method, path)], answer)
            return
        if documented is None:
            if status == 200:
                raise AssertionError(f"{method} {path} documents no 200 answer")
            self.model("Error", answer)
            return
        content = self._resolve(documented).get("content", {}).get("application/json")
        if content is None:
            return
        schema = self._openapi_schema(content["schema"])
        self._check(f"{method} {path} {status}", schema, answer)

    def request(self, method: str, path: str, query: dict[str, str], body: Any = None) -> None:
        """A request's query parameters (as sent, strings) and JSON body."""
        op = self.operation(method, path)
        params = {
            p["name"]: p
            for p in (self._resolve(x) for x in op.get("parameters", []))
            if p.get("in") == "query"
        }
        problems: list[str] = []
        for name in query:
            if name not in params and name not in UNDOCUMENTED_PARAMS:
                problems.append(f"unknown query parameter {name!r}")
        for name, param in params.items():
            if name not in query:
                if param.get("required"):
                    problems.append(f"missing required query parameter {name!r}")
                continue
            value = self._query_value(param.get("schema", {}), query[name])
            if value is _BAD:
                problems.append(f"{name}: {query[name]!r} is not of the documented type")
                continue
            schema = self._openapi_schema(param.get("schema", {}))
            problems += [f"{name}: {p}" for p in self.errors(schema, value)]
        request_body = op.get("requestBody")
        if request_body is not None:
            if body is None:
                if request_body.get("required"):
                    problems.append("missing the required JSON body")
            else:
                schema = self._openapi_schema(request_body["content"]["application/json"]["schema"])
                problems += [f"body {p}" for p in self.errors(schema, body)]
        elif body is not None:
            problems.append("a body where the operation takes none")
        if problems:
            raise AssertionError(f"{method} {path} request: " + "; ".join(problems))

    def calls(self, calls: Iterable[Any]) -> None:
        """Every request a client made to a MaxSandbox (its ``sb.calls``) fits the schema:
        how an adapter's tests check the requests the bot sent."""
        problems: list[str] = []
        for call in calls:
            try:
                self.request(call.method, call.path, call.query, call.body)
            except AssertionError as error:
                problems.append(str(error))
        if problems:
            raise AssertionError("\n".join(problems[:10]))

    def _query_value(self, schema: dict[str, Any], raw: str) -> Any:
        schema = self._resolve(schema) if "$ref" in schema else schema
        kind = schema.get("type")
        if kind == "array":
            items = schema.get("items", {})
            return [self._query_value(items, part) for part in raw.split(",") if part]
        if kind == "integer":
            try:
                return int(raw)
            except ValueError:
                return _BAD
        if kind == "boolean":
            return {"true": True, "false": False}.get(raw, _BAD)
        return raw


_BAD = object()


def load_max_schema() -> MaxSchema | None:
    path = schema_dir() / "openapi.json"
    if not path.is_file():
        return None
    return MaxSchema(json.loads(path.read_text(encoding="utf-8")))


__all__ = ["MaxSchema", "load_max_schema", "schema_dir"]
