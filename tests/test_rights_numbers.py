"""Every number a person types or a button carries is read by one function: ASCII digits in
range, anything else a clear Russian answer, never the generic apology."""

from __future__ import annotations

import pytest

from bot.parsing import MAX_NUMBER, parse_int, parse_number, parse_person_ref, payload_int
from bot.texts import t
from tests.conftest import BotRunner
from tests.helpers import ask, consented_user, drain, school_with_classes
from tests.test_forged_payloads import forge
from vk_sandbox import VKSandbox


@pytest.mark.parametrize("text", ["¹", "²", "٣", "99999999999999999999", "0", "-1", "1.5", ""])
def test_only_ascii_digits_in_range_are_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_numbers_people_write() -> None:
    assert parse_number("№12") == 12 and parse_number(" #7 ") == 7
    assert parse_int(str(MAX_NUMBER)) == MAX_NUMBER and parse_int(str(MAX_NUMBER + 1)) is None
    assert parse_person_ref("[id99999999999999999999|Иван]") is None
    assert parse_person_ref("id¹") is None and parse_person_ref("123") is not None


@pytest.mark.parametrize("value", [True, 10**30, -5, 0, "¹", [1], None, 1.0])
def test_payload_numbers_are_untrusted(value: object) -> None:
    assert payload_int(value) is None


async def test_odd_numbers_in_commands_get_a_clear_answer(
    sandbox: VKSandbox, bot: BotRunner
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    for text in ("/approve 99999999999999999999", "/reject ¹", "/approve ²"):
        assert (await ask(admin, text)).text == t("decision_usage")
    parent = await consented_user(sandbox, "Ольга", "Белова")
    await drain(parent)
    for text in ("/done ²", "/undone 99999999999999999999"):
        assert (await ask(parent, text)).text == t("done_usage")
    assert (await ask(admin, "/event_cancel ³")).text == t("event_cancel_usage")
    assert (await ask(admin, "/annul ¹")).text == t("annul_not_found", text="¹")
    assert (await ask(admin, "/invite parent 5А ⁵")).text == t("invite_uses_invalid")
    assert (await ask(admin, "/audit ¹")).text == t("person_invalid", text="¹")
    assert (await ask(admin, "/admin_add [id99999999999999999999|Кто-то]")).text == t(
        "person_invalid", text="[id99999999999999999999|Кто-то]"
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"cmd": "approve", "id": 10**30},
        {"cmd": "done", "n": 10**30},
        {"cmd": "verify", "person": 10**30},
        {"cmd": "class_teacher_confirm", "class": "5А", "yes": 1, "person": "x"},
        {"cmd": "proposal", "id": 10**30, "to": ""},
        {"cmd": "roster_apply", "id": 10**30},
        {"cmd": "leave_decide", "person": 10**30},
    ],
)
async def test_huge_or_odd_numbers_in_buttons_are_stale_buttons(
    sandbox: VKSandbox, bot: BotRunner, payload: dict[str, object]
) -> None:
    admin = await school_with_classes(sandbox, "5А")
    answer = await forge(admin, payload)
    text = answer.get("text") if answer.get("type") == "show_snackbar" else None
    if text is None:
        text = (await admin.wait_reply()).text
    assert text in (t("stale_button"), t("roster_already_applied"), t("done_usage"))
