"""Transport, auth, errors and the simple read methods."""

from __future__ import annotations

import aiohttp
import pytest
from vkbottle import API, VKAPIError

from vk_sandbox import UserDriver, VKSandbox

from .conftest import Raw, VKSchema


async def test_groups_get_by_id_shape(api: API, raw: Raw, vk_schema: VKSchema) -> None:
    groups = await api.groups.get_by_id()
    assert groups.groups[0].id == 229000044
    assert groups.groups[0].name == "Гимназия № 44 г. Твери"
    assert groups.groups[0].screen_name == "gym44tver"
    answer = await raw.call("groups.getById")
    vk_schema.response("groups_getById_object_response", answer)
    assert answer["response"]["profiles"] == []
    answer = await raw.call("groups.getById", group_id="gym44tver")
    assert answer["response"]["groups"][0]["id"] == 229000044


async def test_long_poll_server_shape(api: API, raw: Raw, vk_schema: VKSchema) -> None:
    server = await api.groups.get_long_poll_server(group_id=229000044)
    assert server.server.endswith("/longpoll/229000044")
    assert len(server.key) == 40
    answer = await raw.call("groups.getLongPollServer", group_id=229000044)
    vk_schema.response("groups_getLongPollServer_response", answer)
    assert isinstance(answer["response"]["ts"], str)
    error = await raw.error("groups.getLongPollServer")
    assert error["error_code"] == 100


async def test_users_get(
    api: API, raw: Raw, vk_schema: VKSchema, alice: UserDriver, bob: UserDriver
) -> None:
    users = await api.users.get(user_ids=[alice.user_id, "alice_s", bob.user_id])
    assert [u.id for u in users] == [alice.user_id, alice.user_id, bob.user_id]
    assert users[0].first_name == "Алиса"
    assert users[0].last_name == "Смирнова"
    answer = await raw.call(
        "users.get", user_ids=f"{alice.user_id},{bob.user_id}", fields="screen_name,photo_100"
    )
    vk_schema.response("users_get_response", answer)
    first = answer["response"][0]
    assert first["can_access_closed"] is True
    assert first["is_closed"] is False
    assert first["screen_name"] == "alice_s"
    assert answer["response"][1]["screen_name"] == f"id{bob.user_id}"
    with pytest.raises(VKAPIError[113]):
        await api.users.get(user_ids=[999])
    error = await raw.error("users.get", user_ids="nobody_here")
    assert error["error_msg"] == "Invalid user id"


async def test_resolve_screen_name(
    api: API, raw: Raw, vk_schema: VKSchema, alice: UserDriver
) -> None:
    resolved = await api.utils.resolve_screen_name(screen_name="alice_s")
    assert resolved.object_id == alice.user_id
    answer = await raw.call("utils.resolveScreenName", screen_name="alice_s")
    vk_schema.response("utils_resolveScreenName_response", answer)
    assert answer["response"] == {"type": "user", "object_id": alice.user_id}
    assert await raw.ok("utils.resolveScreenName", screen_name="gym44tver") == {
        "type": "group",
        "object_id": 229000044,
    }
    assert await raw.ok("utils.resolveScreenName", screen_name="no_such_name") == []


async def test_unknown_method_and_bad_token(api: API, raw: Raw) -> None:
    with pytest.raises(VKAPIError[3]):
        await api.request("messages.fly", {})
    error = await raw.error("groups.getById", token="wrong")
    assert error["error_code"] == 5
    assert error["error_msg"].startswith("User authorization failed")
    error = await raw.error("groups.getById", token="")
    assert error["error_code"] == 5
    bad = API("wrong-token")
    bad.API_URL = api.API_URL
    with pytest.raises(VKAPIError[5]):
        await bad.groups.get_by_id()


async def test_error_shape_and_missing_params(raw: Raw, sandbox: VKSandbox) -> None:
    error = await raw.error("messages.send", peer_id="1", random_id="0")
    assert set(error) == {"error_code", "error_msg", "request_params"}
    assert error["request_params"][:2] == [
        {"key": "method", "value": "messages.send"},
        {"key": "oauth", "value": "1"},
    ]
    assert {"key": "peer_id", "value": "1"} in error["request_params"]
    assert all(p["key"] != "access_token" for p in error["request_params"])
    error = await raw.error("messages.getConversationMembers")
    assert error["error_code"] == 100
    assert error["error_msg"] == (
        "One of the parameters specified was missing or invalid: peer_id is undefined"
    )
    error = await raw.error("messages.getConversationMembers", peer_id="abc")
    assert error["error_msg"].endswith("peer_id not integer")
    error = await raw.error("groups.getById", v=None)
    assert error["error_code"] == 8


async def test_get_and_query_only_requests(sandbox: VKSandbox) -> None:
    url = f"{sandbox.api_url}groups.getById?access_token={sandbox.token}&v=5.199"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        data = await response.json()
    assert data["response"]["groups"][0]["id"] == sandbox.group_id
    assert sandbox.calls[-1].method == "groups.getById"
    assert sandbox.calls[-1].ok
    assert "access_token" not in sandbox.calls[-1].params


async def test_calls_are_recorded(api: API, sandbox: VKSandbox) -> None:
    await api.groups.get_by_id()
    with pytest.raises(VKAPIError[100]):
        await api.request("messages.send", {"peer_id": 1})
    assert [c.method for c in sandbox.calls] == ["groups.getById", "messages.send"]
    assert sandbox.calls[1].ok is False
    assert sandbox.calls[1].error_code == 100
    assert sandbox.calls_to("messages.send")[0].params["peer_id"] == "1"


async def test_context_manager_and_custom_identity() -> None:
    async with VKSandbox(group_id=1, group_name="Школа", screen_name="school", token="t") as sb:
        vk = API("t")
        vk.API_URL = sb.api_url
        groups = await vk.groups.get_by_id()
        assert groups.groups[0].id == 1
        assert sb.api_url.startswith("http://127.0.0.1:")
