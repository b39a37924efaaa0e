"""The sandbox as a newcomer meets it: invitations in scripts, a kept database, no flood
limit by default, group chats in the terminal chat, and who has no role yet."""

from __future__ import annotations

from pathlib import Path

from bot.texts import t
from tests.test_sandbox_chat import _sandbox

CONSENT = "Ирина Петрова: Начать\nИрина Петрова: [Согласен(на)]\n"


def _script(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_script_uses_the_invitation_it_just_created(tmp_path: Path) -> None:
    script = _script(
        tmp_path,
        "invite.txt",
        CONSENT + "Ирина Петрова: /invite teacher\n"
        "Елена Смирнова: ref={last_invite}\n"
        "Елена Смирнова: [Согласен(на)]\n",
    )
    result = _sandbox("--script", script, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "< бот → Елена Смирнова: " + t("join_teacher_done") in result.stdout
    assert "{last_invite}" not in result.stdout


def test_last_invite_before_any_invitation_is_a_readable_failure(tmp_path: Path) -> None:
    script = _script(tmp_path, "early.txt", "Елена Смирнова: /join {last_invite}\n")
    result = _sandbox("--script", script, cwd=tmp_path)

    assert result.returncode == 1
    assert "строка 1" in result.stderr
    assert "приглашения" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_long_script_is_not_cut_short_by_the_flood_limit(tmp_path: Path) -> None:
    script = _script(tmp_path, "many.txt", "Анна Кузнецова: /help\n" * 25)
    result = _sandbox("--script", script, cwd=tmp_path, timeout=90)

    assert result.returncode == 0, result.stderr
    assert t("flood_slow_down") not in result.stdout
    assert result.stdout.count("< бот → Анна Кузнецова: ") == 25


def test_a_kept_database_keeps_who_allows_messages(tmp_path: Path) -> None:
    database = str(tmp_path / "school.sqlite3")
    first = _script(
        tmp_path,
        "first.txt",
        CONSENT + "Ирина Петрова: /invite teacher\n"
        "Елена Смирнова: ref={last_invite}\n"
        "Елена Смирнова: [Согласен(на)]\n",
    )
    assert _sandbox("--script", first, "--database", database, cwd=tmp_path).returncode == 0

    # Next run: Елена writes nothing, yet hears of her verification as in VK she would.
    second = _script(tmp_path, "second.txt", "Ирина Петрова: /verify id1003\n")
    result = _sandbox("--script", second, "--database", database, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "< бот → Елена Смирнова: " + t("verify_you") in result.stdout


def test_a_group_chat_is_played_in_a_script(tmp_path: Path) -> None:
    script = _script(
        tmp_path,
        "chat.txt",
        CONSENT + "Ирина Петрова: /class_add 5А\n"
        "Ирина Петрова: /invite teacher\n"
        "Елена Смирнова: ref={last_invite}\n"
        "Елена Смирнова: [Согласен(на)]\n"
        "Ирина Петрова: /verify id1003\n"
        "Ирина Петрова: /class_teacher 5А id1003\n"
        "Елена Смирнова: :chat new Родители 5А\n"
        "Елена Смирнова: :chat add Ольга Белова\n"
        "Елена Смирнова: :chat admin\n"
        "Елена Смирнова @ Родители 5А: /bind parents 5А\n"
        "Ольга Белова @ Родители 5А: Добрый вечер!\n",
    )
    result = _sandbox("--script", script, cwd=tmp_path, timeout=60)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "< бот → беседа «Родители 5А»: " + t("bind_done", what="родители 5А") in out
    assert "> Ольга Белова @ Родители 5А: Добрый вечер!" in out
    assert "Traceback" not in result.stderr


def test_the_terminal_chat_plays_a_group_chat_and_tells_who_has_no_role(
    tmp_path: Path,
) -> None:
    commands = (
        ":as Смирнова\n:users\n"
        ":chat new Беседа 5А\n:chat add Белова\n/bind\n:chats\n:dm\n/help\n:quit\n"
    )
    result = _sandbox(cwd=tmp_path, stdin=commands)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "1003       Елена Смирнова — учитель; в боте роли пока нет" in out
    assert "[бот → беседа «Беседа 5А»] Здравствуйте!" in out
    assert "[Елена Смирнова @ Беседа 5А] /bind" in out
    assert "«Беседа 5А» (бот — участник): Елена Смирнова, Ольга Белова" in out
    assert f"[бот → Елена Смирнова] {t('help_before_consent')}" in out
    assert "Traceback" not in result.stderr
