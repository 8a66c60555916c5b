"""The outbound TLS policy against real servers on loopback: a mailbox server with a self-signed
certificate, one whose certificate the province's CA (a throwaway one here) signed, and one
without STARTTLS. The delivery log says what each attempt had."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select

from mailhub.smtp.tls import ensure_self_signed
from mailhub.store.models import QueueRecipient
from tests.mailhub.conftest import Invoke, WorldFactory, wait_until
from tests.mailhub.relay_harness import Sink
from tests.mailhub.smime_ca import ThrowawayCA
from tests.mailhub.test_relay import message


def send_one(world, subject: str) -> None:  # type: ignore[no-untyped-def]
    with world.relay.smtp() as client:
        client.sendmail("vanthu@bacninh.gov.vn", ["vinhnq@bacninh.gov.vn"],
                        message("vanthu@bacninh.gov.vn", "vinhnq@bacninh.gov.vn", subject))


def recipient_state(world) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with Session(world.app.engine) as session:
        row = session.exec(select(QueueRecipient)).first()
    return (row.state, row.last_text or "") if row else ("", "")


def test_verify_defers_a_self_signed_server_and_may_delivers_saying_not_verified(
        make_world: WorldFactory, invoke: Invoke, tmp_path: Path) -> None:
    server = Sink(tls=ensure_self_signed(tmp_path / "mbox", "mailbox.test")).start()
    try:
        strict = make_world(smarthost=f"127.0.0.1:{server.port}", tls_policy="bacninh.gov.vn=verify,*=may")
        send_one(strict, "Phải xác thực")
        assert wait_until(lambda: recipient_state(strict)[0] == "deferred")
        assert "not verified" in recipient_state(strict)[1] and server.messages == []
    finally:
        server.stop()


def test_may_goes_through_and_the_log_says_not_verified(make_world: WorldFactory, tmp_path: Path) -> None:
    server = Sink(tls=ensure_self_signed(tmp_path / "mbox", "mailbox.test")).start()
    try:
        world = make_world(smarthost=f"127.0.0.1:{server.port}")
        send_one(world, "Cơ hội")
        assert len(server.wait_for(1)) == 1
        trace = _trace(world)
        assert trace["outcome"] == "delivered" and trace["tls"].endswith(", not verified")
        assert trace["tls"].startswith("TLSv1.")
    finally:
        server.stop()


def test_verify_delivers_to_a_server_the_province_ca_vouches_for(make_world: WorldFactory, tmp_path: Path) -> None:
    ca = ThrowawayCA()
    chain, key = ca.server_pem("localhost")
    (tmp_path / "chain.pem").write_bytes(chain)
    (tmp_path / "key.pem").write_bytes(key)
    (tmp_path / "ca.pem").write_bytes(ca.pem)
    server = Sink(tls=(tmp_path / "chain.pem", tmp_path / "key.pem")).start()
    try:
        world = make_world(smarthost=f"localhost:{server.port}", tls_policy="verify", tls_ca_file=tmp_path / "ca.pem")
        send_one(world, "Xác thực được")
        assert len(server.wait_for(1)) == 1
        assert _trace(world)["tls"].endswith(", verified")
    finally:
        server.stop()


def test_encrypt_defers_a_server_without_starttls(make_world: WorldFactory) -> None:
    world = make_world(tls_policy="encrypt")  # the world's own mailbox server offers no STARTTLS
    send_one(world, "Phải mã hóa")
    assert wait_until(lambda: recipient_state(world)[0] == "deferred")
    assert "STARTTLS" in recipient_state(world)[1] and world.sink.messages == []


def _trace(world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from mailhub.cli.main import cli

    url = world.app.engine.url.render_as_string(hide_password=False)
    assert wait_until(lambda: json.loads(CliRunner().invoke(
        cli, ["trace", "vinhnq@bacninh.gov.vn", "--json"], env={"MAILHUB_DATABASE_URL": url}).stdout or "[]") != [])
    rows = json.loads(CliRunner().invoke(cli, ["trace", "vinhnq@bacninh.gov.vn", "--json"],
                                         env={"MAILHUB_DATABASE_URL": url}).stdout)
    return rows[-1]  # type: ignore[no-any-return]
