"""``python -m max_sandbox`` serves the API until interrupted."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from pathlib import Path

import aiohttp

REPO_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_standalone_sandbox_answers_with_its_token() -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "max_sandbox",
        "--port",
        str(port),
        "--token",
        "t0ken",
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 20)
        assert f"127.0.0.1:{port}" in line.decode()
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/me", headers={"Authorization": "t0ken"}) as r,
        ):
            assert r.status == 200
            assert (await r.json())["username"] == "gym44_bot"
    finally:
        process.terminate()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 10)
