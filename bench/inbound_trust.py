"""Forged senders on port 25, tried as an outsider would (from 127.0.0.2, which is not a province
mail server), and AUTH guessing from one office address: how many forgeries are refused or
neutralised, and how fast the throttle answers. DNS comes from the test stand-in on loopback.

    .venv/bin/python bench/inbound_trust.py
"""

from __future__ import annotations

import ssl
import sys
import tempfile
import time
from base64 import b64encode
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import report  # noqa: E402

from mailhub import db  # noqa: E402
from mailhub.app import App  # noqa: E402
from tests.mailhub.conftest import PASSWORD, seed_province  # noqa: E402
from tests.mailhub.dns_standin import dkim_key, shared_dns  # noqa: E402
from tests.mailhub.relay_harness import RunningRelay, Sink, StaticResolver, relay_settings  # noqa: E402
from tests.mailhub.test_inbound_trust import CLOSED_GROUP, HEAD, OFFICIAL, OPEN_GROUP, letter, send, signed  # noqa: E402
from tests.mailhub.test_relay import tls_login  # noqa: E402

STRANGER, MAILBOX_SERVER = "127.0.0.2", "127.0.0.1"


def forgeries(world: object) -> list[tuple[str, str, str, list[str], bytes]]:
    """(what, source, envelope, recipients, content): each must be refused."""
    dns = shared_dns()
    other_key, other_record = dkim_key()
    dns.txt("mail._domainkey.attacker.test", other_record)
    dns.txt("_dmarc.strict.test", "v=DMARC1; p=reject")
    province_key, province_record = dkim_key()
    dns.txt("mail._domainkey.bacninh.gov.vn", province_record)
    tampered = signed(letter(HEAD, CLOSED_GROUP, "Bản gốc"), "bacninh.gov.vn", province_key)
    return [
        ("member envelope to a closed group", STRANGER, HEAD, [CLOSED_GROUP], letter(HEAD, CLOSED_GROUP)),
        ("member in From:, outside envelope", STRANGER, "x@mailer.test", [CLOSED_GROUP], letter(HEAD, CLOSED_GROUP)),
        ("province From: to an open group", STRANGER, "x@mailer.test", [OPEN_GROUP], letter(HEAD, OPEN_GROUP)),
        ("province From: signed by another domain", STRANGER, "x@attacker.test", [OPEN_GROUP],
         signed(letter(HEAD, OPEN_GROUP), "attacker.test", other_key)),
        ("province DKIM, message changed after signing", STRANGER, HEAD, [CLOSED_GROUP],
         tampered.replace(b"Message-ID: <", b"Message-ID: <9")),
        ("DMARC p=reject domain, unauthenticated", STRANGER, "ceo@strict.test", [OPEN_GROUP],
         letter("ceo@strict.test", OPEN_GROUP)),
        ("mailbox server, member envelope, other From:", MAILBOX_SERVER, HEAD, [CLOSED_GROUP],
         letter(OFFICIAL, CLOSED_GROUP)),
        ("two From: headers", STRANGER, "x@mailer.test", [OPEN_GROUP],
         letter("x@mailer.test", OPEN_GROUP).replace(b"From:", f"From: {HEAD}\r\nFrom:".encode(), 1)),
    ]


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="mailhub-trust-"))
    url = f"sqlite:///{work / 'mailhub.db'}"
    db.upgrade(db.make_engine(url))
    sink = Sink().start()
    app = App.build(relay_settings(work, url, sink.port))
    seed_province(app, work)
    relay = RunningRelay(app, StaticResolver({})).start()
    deadline = time.monotonic() + 120
    while not relay.inbound[1] and time.monotonic() < deadline:  # a loaded machine starts the gate slowly
        time.sleep(0.2)

    class World:
        pass

    world = World()
    world.relay, world.sink, world.dns = relay, sink, shared_dns()  # type: ignore[attr-defined]
    try:
        refused = []
        for what, source, envelope, to, content in forgeries(world):
            code, text = send(world, source, envelope, to, content)  # type: ignore[arg-type]
            refused.append((what, code, text.decode(errors="replace")[:60]))
        rows = [(what, f"{code} {text}") for what, code, text in refused]
        count = sum(code >= 500 for _, code, _ in refused)
        rows.append(("forged senders refused", f"{count}/{len(refused)}"))
        rows += throttle(world, app)
        report("inbound trust: forgeries from 127.0.0.2, AUTH guessing from one address", rows)
    finally:
        relay.stop()
        sink.stop()
        app.close()


def _no_verify() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


def throttle(world: object, app: App) -> list[tuple[str, str]]:
    app.directory.set_password(OFFICIAL, PASSWORD)

    def guess(_: int) -> tuple[int, float]:
        """One AUTH PLAIN per connection (smtplib.login would try a second mechanism after a 535)."""
        started = time.monotonic()
        with world.relay.smtp(source="127.0.0.4") as client:  # type: ignore[attr-defined]
            client.ehlo("guess.test")
            client.starttls(context=_no_verify())
            client.ehlo("guess.test")
            code, _ = client.docmd("AUTH", "PLAIN " + b64encode(f"\0{HEAD}\0doan-mo".encode()).decode())
            return code, time.monotonic() - started

    def colleague_login() -> float:
        started = time.monotonic()
        with world.relay.smtp(source="127.0.0.4") as client:  # type: ignore[attr-defined]
            tls_login(client, OFFICIAL, PASSWORD)
        return time.monotonic() - started

    quiet = min(colleague_login() for _ in range(3))
    started = time.monotonic()
    with ThreadPoolExecutor(20) as attacker:
        guesses = [attacker.submit(guess, n) for n in range(20)]
        time.sleep(0.5)
        colleague = colleague_login()
        results = [g.result() for g in guesses]
    total = time.monotonic() - started
    checked = sum(code == 535 for code, _ in results)
    return [
        ("20 parallel bad passwords, one account", f"{checked} checked, {sum(c == 454 for c, _ in results)} "
                                                   f"refused unchecked (454) in {total:.1f} s"),
        ("guess rate allowed", f"{checked / total:.2f} passwords/s for that account from that address"),
        ("colleague's correct password, same address", f"{colleague * 1000:.0f} ms during the attack, "
                                                        f"{quiet * 1000:.0f} ms without"),
    ]


if __name__ == "__main__":
    main()
