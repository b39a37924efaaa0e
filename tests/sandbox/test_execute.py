"""execute with the VKScript subset."""

from __future__ import annotations

import json

import pytest
from vkbottle import API, VKAPIError

from vk_sandbox import UserDriver, VKSandbox, vkscript
from vk_sandbox.errors import VKError

from .conftest import Raw


def send_call(peer_id: int, text: str, random_id: int = 0, **extra: object) -> str:
    args = {"peer_id": peer_id, "message": text, "random_id": random_id, **extra}
    return f"API.messages.send({json.dumps(args, ensure_ascii=False)})"


async def test_execute_batch_with_per_call_errors(
    api: API, raw: Raw, sandbox: VKSandbox, alice: UserDriver, bob: UserDriver
) -> None:
    await alice.send("hi")
    code = "return [{}, {}, {}];".format(
        send_call(alice.user_id, "Первое «сообщение» \n с переводом строки"),
        send_call(bob.user_id, "Борису"),
        send_call(alice.user_id, "Второе ✓ 😀"),
    )
    answer = await raw.call("execute", code=code)
    first, failed, second = answer["response"]
    assert isinstance(first, int)
    assert failed is False
    assert isinstance(second, int)
    assert answer["execute_errors"] == [
        {
            "method": "messages.send",
            "error_code": 901,
            "error_msg": "Can't send messages for users without permission",
        }
    ]
    texts = [m.text for m in await alice.wait_replies(2, timeout=1)]
    assert texts == ["Первое «сообщение» \n с переводом строки", "Второе ✓ 😀"]
    # vkbottle hands the whole answer back unchanged
    result = await api.request("execute", {"code": f"return {send_call(alice.user_id, 'x')};"})
    assert isinstance(result["response"], int)
    assert "execute_errors" not in result
    nested = [c for c in sandbox.calls if c.via_execute]
    assert [c.ok for c in nested] == [True, False, True, True]


async def test_execute_objects_arrays_and_escapes(raw: Raw, alice: UserDriver) -> None:
    await alice.send("hi")
    keyboard = {"inline": True, "buttons": [[{"action": {"type": "text", "label": "Да"}}]]}
    code = (
        f"return API.messages.send({{'peer_id': {alice.user_id},"
        " 'message': 'Кавычки: \\\"x\\\" и \\u0410',"
        f" random_id: 0, keyboard: {json.dumps(keyboard)}}});"
    )
    assert isinstance(await raw.ok("execute", code=code), int)
    message = await alice.wait_reply(1)
    assert message.text == 'Кавычки: "x" и А'
    assert message.button("Да").type == "text"
    assert await raw.ok("execute", code='return {"a": [1, 2.5, true, null], "b": "c"};') == {
        "a": [1, 2.5, True, None],
        "b": "c",
    }
    users = await raw.ok("execute", code=f"return API.users.get({{user_ids: [{alice.user_id}]}});")
    assert users[0]["first_name"] == "Алиса"


async def test_execute_limit_of_25_calls(raw: Raw, alice: UserDriver) -> None:
    await alice.send("hi")
    calls = ", ".join(send_call(alice.user_id, str(i)) for i in range(25))
    assert len(await raw.ok("execute", code=f"return [{calls}];")) == 25
    calls = ", ".join(send_call(alice.user_id, str(i)) for i in range(26))
    error = await raw.error("execute", code=f"return [{calls}];")
    assert error["error_code"] == 13
    assert error["error_msg"].startswith("Runtime error occurred during code invocation")


@pytest.mark.parametrize(
    "code",
    [
        "var a = API.users.get({user_ids: 1}); return a;",
        "return API.users.get({user_ids: 1})[0].id;",
        "return API.users({});",
        "return [1, 2;",
        "return 'unterminated;",
        "return API.messages.send(1);",
    ],
)
async def test_execute_compile_errors(raw: Raw, code: str) -> None:
    error = await raw.error("execute", code=code)
    assert error["error_code"] == 12
    assert error["error_msg"].startswith("Unable to compile code")


async def test_execute_is_one_call_for_the_rate_limit(
    raw: Raw, sandbox: VKSandbox, alice: UserDriver
) -> None:
    await alice.send("hi")
    sandbox.rate_limit = 2
    calls = ", ".join(send_call(alice.user_id, str(i)) for i in range(10))
    assert len(await raw.ok("execute", code=f"return [{calls}];")) == 10
    assert len(await raw.ok("execute", code=f"return [{calls}];")) == 10
    error = await raw.error("execute", code=f"return [{calls}];")
    assert error["error_code"] == 6


async def test_execute_via_vkbottle_raises_for_whole_failures(api: API) -> None:
    with pytest.raises(VKAPIError[12]):
        await api.execute(code="while (true) {}")


async def _calls_made(tree: object) -> list[tuple[str, dict[str, str]]]:
    made: list[tuple[str, dict[str, str]]] = []

    async def record(method: str, params: dict[str, str]) -> int:
        made.append((method, params))
        return len(made)

    await vkscript.evaluate(tree, record)
    return made


JSON_CALLS = [
    "return ["
    + send_call(5, 'Текст "в кавычках"\n\\ и \u2713 😀', keyboard='{"one_time":true}')
    + "];",
    'return [API.messages.send({"peer_id": 1e3, "random_id": 1.0, "n": -2, "b": true}),'
    ' API.users.get({"user_ids": [1, 2], "x": null, "o": {"a": [1, {"b": 2}]}})] ;',
    "return [ API . messages . send ( {} ) ];",
]
OTHER_CODE = [
    "return [API.messages.send({peer_id: 1})];",
    "return API.users.get({});",
    'return [API.messages.send({"a": 1}), 5];',
]


@pytest.mark.parametrize("code", JSON_CALLS)
async def test_the_json_fast_path_reads_execute_code_as_the_full_parser_does(code: str) -> None:
    fast = vkscript._parse_json_calls(code)
    assert fast is not None
    assert await _calls_made(fast) == await _calls_made(vkscript._Parser(code).program())


@pytest.mark.parametrize("code", OTHER_CODE)
async def test_code_beyond_plain_json_calls_goes_to_the_full_parser(code: str) -> None:
    assert vkscript._parse_json_calls(code) is None
    assert await _calls_made(vkscript.parse(code))


def test_nan_is_refused_as_vkscript_refuses_it() -> None:
    with pytest.raises(VKError) as raised:
        vkscript.parse('return [API.messages.send({"peer_id": NaN})];')
    assert raised.value.code == 12
