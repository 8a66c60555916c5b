from __future__ import annotations

import json
from pathlib import Path

from tests.mailhub.conftest import Invoke


def test_config_show_masks_secrets(invoke: Invoke) -> None:
    result = invoke("config", "show", "--json", env={
        "MAILHUB_SMARTHOST_PASSWORD": "hunter2-secret",
        "MAILHUB_DATABASE_URL": "postgresql+psycopg://mailhub:pg-secret@db.example:5432/mailhub",
    })
    assert result.exit_code == 0
    values = json.loads(result.stdout)
    assert values["smarthost_password"] == "********"
    assert "pg-secret" not in result.stdout and "hunter2" not in result.stdout
    assert values["retry_min_seconds"] == 300 and values["retry_max_seconds"] == 4000
    assert values["queue_lifetime_seconds"] == 432000


def test_toml_file_then_environment_overrides(invoke: Invoke, tmp_path: Path) -> None:
    config = tmp_path / "mailhub.toml"
    config.write_text('service_domain = "lich.bacninh.gov.vn"\nsubmission_port = 10587\n', encoding="utf-8")
    result = invoke("--config", str(config), "config", "show", "--json", env={"MAILHUB_SUBMISSION_PORT": "20587"})
    values = json.loads(result.stdout)
    assert values["service_domain"] == "lich.bacninh.gov.vn"
    assert values["submission_port"] == 20587


def test_invalid_setting_is_one_line(invoke: Invoke) -> None:
    result = invoke("config", "show", env={"MAILHUB_TRUSTED_NETWORKS": "10.0.0.0/8,not-a-net"})
    assert result.exit_code == 1
    assert result.stderr.startswith("error: invalid setting trusted_networks")
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_config_file_is_one_line(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke("--config", str(tmp_path / "nope.toml"), "config", "show")
    assert result.exit_code == 1 and "does not exist" in result.stderr


def test_fresh_database_is_initialised_then_upgrade_is_idempotent(invoke: Invoke, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    first = invoke("directory", "list", "--json", env={"MAILHUB_DATABASE_URL": url})
    assert first.exit_code == 0 and json.loads(first.stdout) == []
    upgrade = invoke("db", "upgrade", env={"MAILHUB_DATABASE_URL": url})
    assert upgrade.exit_code == 0 and "database at revision" in upgrade.stdout


def test_sqlite_runs_in_wal_with_full_sync(sqlite_url: str) -> None:
    from mailhub.db import make_engine

    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    engine.dispose()


def test_config_option_after_the_command(invoke: Invoke, tmp_path: Path) -> None:
    config = tmp_path / "mailhub.toml"
    config.write_text('service_domain = "lich.bacninh.gov.vn"\n', encoding="utf-8")
    for args in (("config", "show", "--json", "--config", str(config)),
                 ("config", "show", f"--config={config}", "--json")):
        assert json.loads(invoke(*args).stdout)["service_domain"] == "lich.bacninh.gov.vn"
