"""Shared fixtures: real databases (a SQLite file, and PostgreSQL when configured)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from mailhub import db

POSTGRES_URL = os.environ.get("MAILHUB_TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head; each test gets a copy (fast, and migrations are exercised)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A private schema in the test PostgreSQL, migrated once, dropped at the end."""
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("MAILHUB_TEST_DATABASE_URL must be set in CI: PostgreSQL tests never skip there")
        pytest.skip("MAILHUB_TEST_DATABASE_URL is not set")
    schema = f"mailhub_test_{uuid.uuid4().hex[:10]}"
    admin = db.make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(db.normalise_url(POSTGRES_URL)).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    engine = db.make_engine(rendered)
    db.upgrade(engine)
    engine.dispose()
    try:
        yield rendered
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _truncate_all(engine: Engine) -> None:
    with engine.begin() as connection:
        tables = [
            row[0] for row in connection.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'"))
        ]
        if tables:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, or a clean PostgreSQL schema."""
    if request.param == "sqlite":
        template = request.getfixturevalue("migrated_sqlite_template")
        path = tmp_path / "mailhub.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_schema_url")
        engine = db.make_engine(url)
        _truncate_all(engine)
        engine.dispose()
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_url(migrated_sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "mailhub.db"
    shutil.copy(migrated_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session", autouse=True)
def dns_stand_in() -> Iterator[object]:
    """Every test, and every ``mailhub`` process a test starts, asks DNS (SPF, DKIM, DMARC, MX) of a
    stand-in on loopback (tests/mailhub/dns_standin.py) instead of the Internet's."""
    from tests.mailhub.dns_standin import shared_dns

    standin = shared_dns()
    previous = os.environ.get("MAILHUB_DNS_NAMESERVERS")
    os.environ["MAILHUB_DNS_NAMESERVERS"] = standin.address
    yield standin
    if previous is None:
        os.environ.pop("MAILHUB_DNS_NAMESERVERS", None)
    else:
        os.environ["MAILHUB_DNS_NAMESERVERS"] = previous
