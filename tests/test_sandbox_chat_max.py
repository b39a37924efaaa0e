"""`sferum-bot sandbox --messenger max`: the same demo script and terminal chat on MAX's
sandbox; MAX's own move, following a deep link (`link=…` in a script, `:open` in the chat)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.texts import BUTTONS, ROLE_NAMES, t

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo.txt"
DEEP_LINK = "https://max.ru/gym44_bot?start="


def _sandbox(
    *args: str, cwd: Path, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    # Neither messenger's real token may leak in from the environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VK_", "MAX_"))}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--messenger", "max", *args],
        env=env,
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def test_the_demo_script_plays_on_max(tmp_path: Path) -> None:
    result = _sandbox("--script", str(DEMO), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "< бот → Анна Кузнецова: Здравствуйте, Анна!" in out
    assert f"[1] {BUTTONS['agree']}*  [2] {BUTTONS['decline']}*" in out
    admin_role = t("consent_roles_granted", roles=ROLE_NAMES["admin"])
    assert f"< бот → Ирина Петрова: {t('consent_given')} {admin_role}" in out
    # The invitation is MAX's deep link; {id:1003} is MAX's way to name the teacher.
    assert f"Ссылка: {DEEP_LINK}" in out
    assert "> Ирина Петрова: /verify max:1003" in out
    assert t("verify_done", name="Смирнова Елена") in out
    assert "< бот → беседа «Родители 5А»: Беседа привязана: родители 5А." in out
    assert "В чате, но не из класса: Белова Ольга" in out
    # A mention reads as the person sees it, without MAX's HTML markup.
    assert "• Петрова Ирина" in out and "<a href" not in out
    assert "(message)" not in out  # MAX's text buttons read as VK's do
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_script_follows_the_bots_deep_link(tmp_path: Path) -> None:
    script = tmp_path / "link.txt"
    script.write_text(
        "Ирина Петрова: /agree\n"
        "Ирина Петрова: /invite teacher\n"
        f"Елена Смирнова: link={DEEP_LINK}{{last_invite}}\n"
        f"Елена Смирнова: [{BUTTONS['agree']}]\n"
        "Ирина Петрова: /verify {id:1003}\n",
        encoding="utf-8",
    )
    result = _sandbox("--script", str(script), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"> Елена Смирнова: переходит по ссылке {DEEP_LINK}" in out
    assert t("ref_kept") in out
    assert t("join_teacher_done") in out
    assert f"< бот → Елена Смирнова: {t('verify_you')}" in out


def test_a_link_that_is_not_the_bots_fails_the_script_readably(tmp_path: Path) -> None:
    script = tmp_path / "bad.txt"
    script.write_text("Анна Кузнецова: link=https://example.org/?start=X\n", encoding="utf-8")
    result = _sandbox("--script", str(script), cwd=tmp_path)

    assert result.returncode == 1
    assert "строка 1" in result.stderr and "по ссылке не перейти" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_terminal_chat_on_max_through_a_pipe(tmp_path: Path) -> None:
    commands = (
        ":new Тест Тестов\nНачать\n:press 1\n"
        f":as Петрова\n/agree\n/invite teacher\n:as Тест\n:open {DEEP_LINK}{{last_invite}}\n"
        ":quit\n"
    )
    result = _sandbox(cwd=tmp_path, stdin=commands)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "локальной копией MAX Bot API" in out
    assert "[бот → Тест Тестов] Здравствуйте, Тест!" in out
    assert f"[бот → Тест Тестов, уведомление] {t('consent_given')}" in out
    assert f"[Тест Тестов переходит по ссылке {DEEP_LINK}" in out
    assert f"[бот → Тест Тестов] {t('join_teacher_done')}" in out
    assert "Песочница остановлена." in out


def test_a_kept_database_remembers_the_max_sandbox_too(tmp_path: Path) -> None:
    database = tmp_path / "school.sqlite3"
    first = _sandbox(
        "--database", str(database), cwd=tmp_path, stdin=":new Анна Кузнецова\n/agree\n"
    )
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "school.sqlite3.sandbox.json").exists()

    again = _sandbox("--database", str(database), cwd=tmp_path, stdin=":as Кузнецова\n/help\n")
    assert again.returncode == 0, again.stderr
    # The bot remembers her consent, and her message is not taken for an old update.
    assert f"[бот → Анна Кузнецова] {t('help_header')}" in again.stdout
