"""Every benchmark script still runs and prints its figures (at a tiny size: this checks that
they work, not what they measure; BENCHMARKS.md has the real runs)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

RUNS = [
    (["bench_help.py", "--people", "3", "--rounds", "1"], "ratio (ours / echo"),
    (
        ["bench_help.py", "--people", "2", "--rounds", "1", "--light", "--rate-limit", "20"],
        "sferum-bot",
    ),
    (["bench_delivery.py", "--burst", "20", "--broadcasts", "150"], "broadcast: 150 recipients"),
    (
        [
            "bench_onboarding.py",
            *("--people", "60", "--invitations", "100", "--requests", "10", "--repeat", "5"),
        ],
        "redeem",
    ),
    (["bench_reports.py", "--sizes", "200", "--repeat", "1"], "digest ms"),
    (["bench_names.py", "--people", "100", "--repeat", "1"], "class teacher"),
    (["bench_startup.py", "--people", "60", "--load", "5"], "MB"),
    (["bench_max.py", "--people", "3", "--rounds", "1"], "ratio (ours / echo"),
    (
        ["bench_max.py", "--people", "2", "--rounds", "1", "--light", "--rate-limit", "30"],
        "sferum-bot",
    ),
    (
        [
            "bench_max_faults.py",
            *("--people", "2", "--wait", "3", "--late", "0.2"),
            *("--only", "drop_after", "too_many"),
        ],
        "too_many          sferum-bot",
    ),
]
# The MAX benchmarks' echo bot is written with maxapi, which the test extra installs
# (pyproject.toml); an environment installed before it came skips them rather than fails.
NEEDS_MAXAPI = ("bench_max.py", "bench_max_faults.py")


@pytest.mark.parametrize(("arguments", "printed"), RUNS, ids=lambda value: str(value)[:40])
def test_a_benchmark_script_runs_and_prints_its_figures(arguments: list[str], printed: str) -> None:
    script, *options = arguments
    if script in NEEDS_MAXAPI and importlib.util.find_spec("maxapi") is None:
        pytest.skip(f"{script} needs maxapi: pip install -e '.[test]' (or '.[bench]')")
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *options],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert printed in result.stdout, result.stdout[-2000:]
