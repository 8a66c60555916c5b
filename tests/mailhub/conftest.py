from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mailhub.cli.main import cli

Invoke = Callable[..., Result]


@pytest.fixture
def mailhub_env(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name in ("MAILHUB_CONFIG", "MAILHUB_DATABASE_URL", "MAILHUB_HOME"):
        monkeypatch.delenv(name, raising=False)
    return {"MAILHUB_DATABASE_URL": sqlite_url, "MAILHUB_HOME": str(tmp_path / "home")}


@pytest.fixture
def invoke(mailhub_env: dict[str, str]) -> Invoke:
    """Run ``mailhub ARGS`` in-process against a real, migrated SQLite file."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, env={**mailhub_env, **(env or {})},
                                  catch_exceptions=False)

    return run
