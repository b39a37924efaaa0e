"""`sferum-bot sandbox`: a scripted demo, the terminal chat through a pipe, a failing script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.texts import BUTTONS, ROLE_NAMES, t

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo.txt"


def _sandbox(
    *args: str, cwd: Path, stdin: str | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VK_")}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", *args],
        env=env,
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def test_the_demo_script_plays_and_prints_the_transcript(tmp_path: Path) -> None:
    result = _sandbox("--script", str(DEMO), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "> Анна Кузнецова: Начать" in out
    assert "< бот → Анна Кузнецова: Здравствуйте, Анна!" in out
    assert f"[1] {BUTTONS['agree']}*  [2] {BUTTONS['decline']}*" in out
    assert f"> Анна Кузнецова: [{BUTTONS['agree']}]" in out
    admin_role = t("consent_roles_granted", roles=ROLE_NAMES["admin"])
    assert f"< бот → Ирина Петрова: {t('consent_given')} {admin_role}" in out
    assert "Traceback" not in result.stderr
    # Nothing is left behind in the working directory (the database was a temporary one).
    assert list(tmp_path.iterdir()) == []


def test_the_terminal_chat_works_through_a_pipe(tmp_path: Path) -> None:
    commands = ":new Тест Тестов\nНачать\n:press 1\n:quit\n"
    result = _sandbox(cwd=tmp_path, stdin=commands)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Добавлен пользователь Тест Тестов" in out
    assert "[бот → Тест Тестов] Здравствуйте, Тест!" in out
    assert f"[Тест Тестов нажимает «{BUTTONS['agree']}»]" in out
    assert f"[бот → Тест Тестов, уведомление] {t('consent_given')}" in out
    assert f"[бот → Тест Тестов] {t('consent_given')}" in out
    assert "Песочница остановлена." in out
    assert "Traceback" not in result.stderr


def test_end_of_input_stops_the_chat_cleanly(tmp_path: Path) -> None:
    result = _sandbox(cwd=tmp_path, stdin=":as Петрова\n/help\n")

    assert result.returncode == 0, result.stderr
    assert f"[бот → Ирина Петрова] {t('help_before_consent')}" in result.stdout
    assert "Песочница остановлена." in result.stdout


def test_a_missing_button_fails_the_script_with_a_readable_message(tmp_path: Path) -> None:
    script = tmp_path / "broken.txt"
    script.write_text(
        "# a person asks for something the bot never offered\n"
        "Анна Кузнецова: Начать\n"
        "Анна Кузнецова: [Записаться в кружок]\n"
        "Анна Кузнецова: /help\n",
        encoding="utf-8",
    )
    result = _sandbox("--script", str(script), cwd=tmp_path)

    assert result.returncode == 1
    assert "строка 3" in result.stderr
    assert "«Записаться в кружок»" in result.stderr
    assert f"«{BUTTONS['agree']}»" in result.stderr  # the labels that are there
    assert "Traceback" not in result.stderr
    # The transcript stops at the failing step.
    assert "Здравствуйте, Анна!" in result.stdout
    assert "> Анна Кузнецова: /help" not in result.stdout


def test_a_malformed_script_line_is_reported_before_anything_starts(tmp_path: Path) -> None:
    script = tmp_path / "malformed.txt"
    script.write_text("Анна Кузнецова: Начать\nпросто текст без имени\n", encoding="utf-8")
    result = _sandbox("--script", str(script), cwd=tmp_path)

    assert result.returncode == 2
    assert "строка 2" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_the_bot_runs_without_loading_the_sandbox_chat(tmp_path: Path) -> None:
    # The chat is a development tool beside the bot: `sferum-bot run` must not need it.
    probe = (
        "import sys, bot.app, bot.cli, scheduler\n"
        "bot.cli.build_parser()\n"
        "print(sorted(name for name in sys.modules if name.startswith('sandbox_chat')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_script_names_people_and_follows_links_the_same_way_on_vk(tmp_path: Path) -> None:
    # The forms a script shares with MAX: {id:N} is `idN` here, link= opens a vk.me link.
    script = tmp_path / "link.txt"
    script.write_text(
        "Ирина Петрова: /agree\n"
        "Ирина Петрова: /invite teacher\n"
        "Елена Смирнова: link=https://vk.me/club229000044?ref={last_invite}\n"
        f"Елена Смирнова: [{BUTTONS['agree']}]\n"
        "Ирина Петрова: /verify {id:1003}\n",
        encoding="utf-8",
    )
    result = _sandbox("--script", str(script), cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "> Ирина Петрова: /verify id1003" in result.stdout
    assert t("join_teacher_done") in result.stdout
    assert f"< бот → Елена Смирнова: {t('verify_you')}" in result.stdout
