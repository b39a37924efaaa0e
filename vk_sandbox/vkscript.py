"""A small subset of VKScript for ``execute``.

Supported: ``return <expr>;`` where ``<expr>`` is an API call ``API.section.method({...})``
(argument optional), an array or object literal (which may contain API calls), a string,
number, ``true``, ``false`` or ``null``. Anything else is a compile error (error 12).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from .errors import VKError

MAX_API_CALLS = 25


class Token(NamedTuple):
    kind: str  # "name", "string", "number", "punct", "eof"
    value: str
    pos: int


@dataclass(frozen=True)
class Call:
    method: str
    args: Any  # an AST node (object literal) or None


@dataclass(frozen=True)
class ListNode:
    items: list[Any]


@dataclass(frozen=True)
class ObjectNode:
    items: list[tuple[str, Any]]


@dataclass(frozen=True)
class Literal:
    value: Any


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<number>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?)
  | (?P<string>"[^"\\\n]*(?:\\.[^"\\\n]*)*"|'[^'\\\n]*(?:\\.[^'\\\n]*)*')
  | (?P<punct>[\[\]{}(),:;.])
  | (?P<error>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _compile_error(detail: str) -> VKError:
    return VKError(12, detail)


def _unquote(text: str, pos: int) -> str:
    body = text[1:-1]
    # Fast paths for what clients send most: no escapes, or JSON-compatible ones.
    if "\\" not in body:
        return body
    if text[0] == '"':
        with contextlib.suppress(ValueError):
            decoded = json.loads(text, strict=False)
            if isinstance(decoded, str):
                return decoded
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        i += 1
        esc = body[i]
        if esc == "u":
            digits = body[i + 1 : i + 5]
            if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise _compile_error(f"bad \\u escape at position {pos + i}")
            out.append(chr(int(digits, 16)))
            i += 5
        else:
            out.append(_ESCAPES.get(esc, esc))
            i += 1
    # Join UTF-16 surrogate pairs written as two \u escapes.
    joined = "".join(out)
    return joined.encode("utf-16", "surrogatepass").decode("utf-16")


def tokenize(code: str) -> list[Token]:
    # finditer runs the scan in C; a character no token starts with is an "error" token.
    tokens = [
        Token(match.lastgroup or "", match.group(), match.start())
        for match in _TOKEN_RE.finditer(code)
        if match.lastgroup != "ws"
    ]
    for token in tokens:
        if token.kind == "error":
            raise _compile_error(f"unexpected character {token.value!r} at position {token.pos}")
    tokens.append(Token("eof", "", len(code)))
    return tokens


class _Parser:
    def __init__(self, code: str) -> None:
        self.tokens = tokenize(code)
        self.i = 0
        self.calls = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def next(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        tok = self.next()
        if tok.value != value or tok.kind not in ("punct", "name"):
            found = tok.value or "end of code"
            raise _compile_error(f"'{value}' expected, '{found}' found at position {tok.pos}")

    def program(self) -> Any:
        if self.tok.kind != "name" or self.tok.value != "return":
            raise _compile_error(
                "only 'return <expression>;' is supported by this sandbox, "
                f"found '{self.tok.value}' at position {self.tok.pos}"
            )
        self.next()
        node = self.expr()
        if self.tok.value == ";":
            self.next()
        if self.tok.kind != "eof":
            raise _compile_error(f"unexpected '{self.tok.value}' at position {self.tok.pos}")
        return node

    def expr(self) -> Any:
        tok = self.tok
        if tok.kind == "punct" and tok.value == "[":
            return self.array()
        if tok.kind == "punct" and tok.value == "{":
            return self.obj()
        if tok.kind == "string":
            self.next()
            return Literal(_unquote(tok.value, tok.pos))
        if tok.kind == "number":
            self.next()
            number = float(tok.value)
            return Literal(int(number) if number.is_integer() and "." not in tok.value else number)
        if tok.kind == "name":
            if tok.value in ("true", "false", "null"):
                self.next()
                return Literal({"true": True, "false": False, "null": None}[tok.value])
            if tok.value == "API":
                return self.call()
        found = tok.value or "end of code"
        raise _compile_error(f"unsupported expression '{found}' at position {tok.pos}")

    def call(self) -> Call:
        self.expect("API")
        parts: list[str] = []
        while self.tok.value == ".":
            self.next()
            name = self.next()
            if name.kind != "name":
                raise _compile_error(f"method name expected at position {name.pos}")
            parts.append(name.value)
        if len(parts) != 2:
            raise _compile_error("API.<section>.<method>(...) expected")
        self.expect("(")
        args: Any = None
        if self.tok.value != ")":
            args = self.expr()
            if not isinstance(args, ObjectNode):
                raise _compile_error(f"{'.'.join(parts)}: an object literal argument expected")
        self.expect(")")
        self.calls += 1
        return Call(".".join(parts), args)

    def array(self) -> ListNode:
        self.expect("[")
        items: list[Any] = []
        while self.tok.value != "]":
            items.append(self.expr())
            if self.tok.value == ",":
                self.next()
            elif self.tok.value != "]":
                raise _compile_error(f"',' or ']' expected at position {self.tok.pos}")
        self.expect("]")
        return ListNode(items)

    def obj(self) -> ObjectNode:
        self.expect("{")
        items: list[tuple[str, Any]] = []
        while self.tok.value != "}":
            key_tok = self.next()
            if key_tok.kind == "string":
                key = _unquote(key_tok.value, key_tok.pos)
            elif key_tok.kind in ("name", "number"):
                key = key_tok.value
            else:
                raise _compile_error(f"property name expected at position {key_tok.pos}")
            self.expect(":")
            items.append((key, self.expr()))
            if self.tok.value == ",":
                self.next()
            elif self.tok.value != "}":
                raise _compile_error(f"',' or '}}' expected at position {self.tok.pos}")
        self.expect("}")
        return ObjectNode(items)


def parse(code: str) -> Any:
    """Parse VKScript into an AST; raises VKError 12 on unsupported code."""
    fast = _parse_json_calls(code)
    return fast if fast is not None else _Parser(code).program()


_RETURN_LIST = re.compile(r"\s*return\s*\[\s*")
_CALL_HEAD = re.compile(
    r"API\s*\.\s*([A-Za-z_$][A-Za-z0-9_$]*)\s*\.\s*([A-Za-z_$][A-Za-z0-9_$]*)\s*\(\s*"
)
_SPACE = re.compile(r"\s*")


def _after_space(code: str, pos: int) -> int:
    match = _SPACE.match(code, pos)
    assert match is not None  # \s* matches everywhere
    return match.end()


def _vkscript_number(text: str) -> int | float:
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def _not_vkscript(name: str) -> Any:
    raise ValueError(f"{name} is not VKScript")


# JSON is VKScript's literal syntax, so `json` may read the arguments: numbers as the parser
# reads them, and NaN/Infinity (which JSON's decoder would accept) refused.
_JSON_ARGS = json.JSONDecoder(
    parse_float=_vkscript_number, parse_int=_vkscript_number, parse_constant=_not_vkscript
)


def _parse_json_calls(code: str) -> ListNode | None:
    """`return [API.a.b({...}), ...];` with JSON arguments (what clients send nearly always)
    read by the json module; None for anything else, which the full parser then reads."""
    match = _RETURN_LIST.match(code)
    if match is None:
        return None
    pos = match.end()
    items: list[Any] = []
    while True:
        head = _CALL_HEAD.match(code, pos)
        if head is None:
            return None
        pos = head.end()
        try:
            args, pos = _JSON_ARGS.raw_decode(code, pos)
        except ValueError:
            return None
        if not isinstance(args, dict):
            return None
        pos = _after_space(code, pos)
        if not code.startswith(")", pos):
            return None
        pos = _after_space(code, pos + 1)
        node = ObjectNode([(key, Literal(value)) for key, value in args.items()])
        items.append(Call(f"{head.group(1)}.{head.group(2)}", node))
        if code.startswith(",", pos):
            pos = _after_space(code, pos + 1)
            continue
        if code.startswith("]", pos):
            break
        return None
    tail = code[pos + 1 :].strip()
    return ListNode(items) if tail in ("", ";") else None


def to_param(value: Any) -> str:
    """How a VKScript value becomes a method parameter string."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join(to_param(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    return str(value)


CallFn = Callable[[str, dict[str, str]], Awaitable[Any]]


async def evaluate(node: Any, call: CallFn) -> Any:
    """Evaluate an AST; ``call(method, params)`` runs one API call and returns its result."""
    counter = [0]

    async def ev(n: Any) -> Any:
        if isinstance(n, Literal):
            return n.value
        if isinstance(n, ListNode):
            return [await ev(item) for item in n.items]
        if isinstance(n, ObjectNode):
            return {key: await ev(value) for key, value in n.items}
        if isinstance(n, Call):
            args = await ev(n.args) if n.args is not None else {}
            counter[0] += 1
            if counter[0] > MAX_API_CALLS:
                raise VKError(13, f"too many API calls (max {MAX_API_CALLS})")
            params = {k: to_param(v) for k, v in args.items() if v is not None}
            return await call(n.method, params)
        raise TypeError(f"unknown node {n!r}")

    return await ev(node)


__all__ = ["MAX_API_CALLS", "evaluate", "parse", "to_param"]
