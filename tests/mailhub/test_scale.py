"""Provincial scale: passwords the mailbox server knows, two nodes on one PostgreSQL, backups,
retention, and migrations that older nodes can keep running beside."""

from __future__ import annotations

import ast
import os
import smtplib
import sqlite3
import ssl
import time
from pathlib import Path

import pytest

from mailhub.maintenance import backup, purge
from mailhub.smtp.tls import ensure_self_signed
from tests.mailhub.conftest import World, WorldFactory
from tests.mailhub.imap_server import ImapServer
from tests.mailhub.test_relay import message

MIGRATIONS = Path(__file__).resolve().parents[2] / "mailhub" / "migrations" / "versions"


def tls_login(client: smtplib.SMTP, login: str, password: str) -> None:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    client.ehlo("client.test")
    client.starttls(context=context)
    client.ehlo("client.test")
    client.login(login, password)


@pytest.fixture
def imap(tmp_path: Path) -> ImapServer:
    cert, key = ensure_self_signed(tmp_path / "imap", "imap.bacninh.gov.vn")
    server = ImapServer({"vinhnq2@bacninh.gov.vn": "mat-khau-hop-thu"}, cert, key).start()
    yield server  # type: ignore[misc]
    server.stop()


def test_auth_with_a_password_only_the_mailbox_server_knows(make_world: WorldFactory, imap: ImapServer) -> None:
    world = make_world(auth_imap=f"127.0.0.1:{imap.port}", auth_imap_verify=False)
    with world.relay.smtp(source="127.0.0.2") as client:
        tls_login(client, "vinhnq2@bacninh.gov.vn", "mat-khau-hop-thu")
        client.sendmail("vinhnq2@bacninh.gov.vn", ["huongttt@bacninh.gov.vn"],
                        message("vinhnq2@bacninh.gov.vn", "huongttt@bacninh.gov.vn"))
    assert len(world.sink.wait_for(1)) == 1
    with world.relay.smtp(source="127.0.0.2") as client, pytest.raises(smtplib.SMTPAuthenticationError):
        tls_login(client, "vinhnq2@bacninh.gov.vn", "sai-mat-khau")
    attempts = imap.attempts
    with world.relay.smtp(source="127.0.0.2") as client:  # a recent success is cached, briefly
        tls_login(client, "vinhnq2@bacninh.gov.vn", "mat-khau-hop-thu")
    assert imap.attempts == attempts


def test_unknown_login_is_never_delegated(make_world: WorldFactory, imap: ImapServer) -> None:
    world = make_world(auth_imap=f"127.0.0.1:{imap.port}", auth_imap_verify=False)
    with world.relay.smtp(source="127.0.0.2") as client, pytest.raises(smtplib.SMTPAuthenticationError):
        tls_login(client, "outsider@gmail.com", "whatever-password")
    assert imap.attempts == 0


def test_backup_is_a_consistent_copy(world: World, tmp_path: Path) -> None:
    with world.relay.smtp() as client:
        client.sendmail("vanthu@bacninh.gov.vn", ["vinhnq@bacninh.gov.vn"],
                        message("vanthu@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"))
    world.sink.wait_for(1)
    target = tmp_path / "backup" / "mailhub.db"
    backup(world.app.engine, target)
    copy = sqlite3.connect(target)
    assert copy.execute("SELECT count(*) FROM queue_message").fetchone() == (1,)
    assert copy.execute("SELECT count(*) FROM official").fetchone() == (3,)


def test_retention_drops_old_bodies_and_log_rows_only(world: World) -> None:
    from datetime import timedelta

    from sqlmodel import Session, select

    from mailhub.store.models import DeliveryLog, QueuedMessage

    with world.relay.smtp() as client:
        client.sendmail("vanthu@bacninh.gov.vn", ["vinhnq@bacninh.gov.vn"],
                        message("vanthu@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"))
    world.sink.wait_for(1)
    time.sleep(0.5)
    now = world.app.clock()
    assert purge(world.app.engine, now, body_days=30, log_days=400).bodies == 0
    result = purge(world.app.engine, now + timedelta(days=31), body_days=30, log_days=400)
    assert result.bodies == 1 and result.log_rows == 0
    with Session(world.app.engine) as session:
        [stored] = session.exec(select(QueuedMessage)).all()
        assert stored.content is None and stored.message_id  # metadata stays
        assert len(session.exec(select(DeliveryLog)).all()) == 1


def test_migrations_only_expand() -> None:
    """Nodes of the previous version keep running while `mailhub db upgrade` runs: upgrades add
    tables, columns and indexes; anything destructive must wait for a later contract release."""
    destructive = {"drop_table", "drop_column", "alter_column", "rename_table", "execute"}
    for path in sorted(MIGRATIONS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        upgrade = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade")
        calls = {n.func.attr for n in ast.walk(upgrade) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Attribute)}
        assert not calls & destructive, f"{path.name} contracts the schema: {calls & destructive}"


@pytest.mark.postgres
def test_two_nodes_on_one_postgresql_deliver_every_recipient_exactly_once(
        postgres_schema_url: str, tmp_path: Path) -> None:
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    from mailhub.app import App
    from tests.conftest import _truncate_all
    from tests.mailhub.conftest import seed_province
    from tests.mailhub.relay_harness import RunningRelay, Sink, relay_settings

    engine_app = App.build(relay_settings(tmp_path, postgres_schema_url, 1), check_schema=False)
    _truncate_all(engine_app.engine)
    seed_province(engine_app, tmp_path)
    engine_app.close()
    sink = Sink().start()
    nodes = []
    for number in range(2):
        app = App.build(relay_settings(tmp_path / f"node{number}", postgres_schema_url, sink.port))
        nodes.append(RunningRelay(app).start())
    try:
        def send(n: int) -> None:
            relay = nodes[n % 2]
            with relay.smtp() as client:
                client.sendmail("vanthu@bacninh.gov.vn", ["vinhnq@bacninh.gov.vn", "huongttt@bacninh.gov.vn"],
                                message("vanthu@bacninh.gov.vn", "vinhnq@bacninh.gov.vn", f"Thông báo {n}"))

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(send, range(300)))
        deadline = time.monotonic() + 60
        while sum(len(m.rcpt_tos) for m in sink.messages) < 600 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.5)  # anything delivered twice would arrive by now
        deliveries = Counter((m.content.split(b"Subject: ")[1].split(b"\r\n")[0], r)
                             for m in sink.messages for r in m.rcpt_tos)
        assert len(deliveries) == 600
        assert max(deliveries.values()) == 1
    finally:
        for node in nodes:
            node.stop()
            node.app.close()
        sink.stop()


def test_postgres_url_is_configured_in_ci() -> None:
    if os.environ.get("CI"):
        assert os.environ.get("MAILHUB_TEST_DATABASE_URL")


def test_ldap_bind_with_the_directory_password() -> None:
    """ldap3's offline server (MOCK_SYNC) stands for Active Directory: the bind itself is real ldap3."""
    import ldap3

    from mailhub.smtp.credentials import LdapChecker

    checker = LdapChecker("ldaps://dc.bacninh.gov.vn", "uid={local},ou=people,dc=bacninh,dc=gov,dc=vn")
    server = ldap3.Server("dc.bacninh.gov.vn")
    setup = ldap3.Connection(server, user="cn=admin", password="x", client_strategy=ldap3.MOCK_SYNC)
    setup.strategy.add_entry("uid=vinhnq,ou=people,dc=bacninh,dc=gov,dc=vn",
                             {"objectClass": "inetOrgPerson", "userPassword": "mat-khau-ad"})

    def check(login: str, password: str) -> bool:
        return checker.check(login, password, server=server, strategy=ldap3.MOCK_SYNC)

    assert check("vinhnq@bacninh.gov.vn", "mat-khau-ad")
    assert not check("vinhnq@bacninh.gov.vn", "sai")
    assert not check("huongttt@bacninh.gov.vn", "mat-khau-ad")
    assert not check("vinhnq@bacninh.gov.vn", "")  # never an unauthenticated bind
    assert checker.bind_name("a,b@bacninh.gov.vn") == "uid=a\\,b,ou=people,dc=bacninh,dc=gov,dc=vn"


def test_an_older_node_runs_beside_a_newer_schema_but_a_behind_schema_is_refused(sqlite_url: str,
                                                                                   tmp_path: Path) -> None:
    from sqlalchemy import text

    from mailhub.app import App
    from mailhub.config import Settings
    from mailhub.db import make_engine
    from mailhub.errors import MailhubError

    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    app = App.build(Settings(home=tmp_path, database_url=sqlite_url))
    assert any("newer" in note for note in app.notes)
    app.close()
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    with pytest.raises(MailhubError, match="mailhub db upgrade"):
        App.build(Settings(home=tmp_path, database_url=sqlite_url))
    engine.dispose()


def test_the_schema_head_every_command_compares_with_is_alembics_own() -> None:
    from mailhub import db

    assert db.head_revision() == db.SCHEMA_HEAD
