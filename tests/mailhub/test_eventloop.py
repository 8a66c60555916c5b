"""The server's event loop (MAILHUB_EVENT_LOOP): uvloop by default, asyncio's own on request."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest

from mailhub import eventloop


async def _loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_the_server_runs_on_uvloop_by_default() -> None:
    assert eventloop.run(_loop_module()).startswith("uvloop")


def test_asyncio_on_request() -> None:
    assert eventloop.run(_loop_module(), eventloop.ASYNCIO).startswith("asyncio")


@pytest.mark.parametrize("value", ["libuv", "UVLOOP ", ""])
def test_an_unknown_loop_is_a_one_line_error(tmp_path: os.PathLike[str], value: str) -> None:
    env = {**os.environ, "MAILHUB_HOME": str(tmp_path), "MAILHUB_EVENT_LOOP": value}
    result = subprocess.run([sys.executable, "-m", "mailhub", "serve"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "event_loop" in result.stderr
