"""DKIM: keys made and rotated by the CLI, and every message mailhub sends for a domain with an
active key signed so that an independent verifier (dkimpy, DNS from the stand-in) accepts it."""

from __future__ import annotations

import email
import json
import os
import re
from email.policy import default

import dkim

from tests.mailhub.conftest import Invoke, World, wait_until
from tests.mailhub.test_inbound_trust import OPEN_GROUP, STRANGER, letter, send
from tests.mailhub.test_meetings import create


def keygen(cli: Invoke, domain: str, *extra: str) -> list[dict[str, object]]:
    result = cli("dkim", "keygen", "--domain", domain, "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def publish(world: World, keys: list[dict[str, object]]) -> None:
    for key in keys:
        world.dns.txt(str(key["dns_name"]), str(key["record"]))


def verified_domains(world: World, content: bytes) -> list[tuple[str, bool]]:
    """Each signature's d= and whether it verifies, with the public keys from the DNS stand-in."""
    def txt(name: bytes, timeout: int = 5) -> bytes | None:
        values = world.dns.records.get((name.decode().rstrip(".").lower(), "TXT"))
        return values[0].encode() if values else None

    checker = dkim.DKIM(content)
    count = sum(1 for name, _ in checker.headers if name.lower() == b"dkim-signature")
    results = []
    for index in range(count):
        ok = checker.verify(idx=index, dnsfunc=txt)
        results.append((checker.domain.decode(), bool(ok)))
    return results


def test_keys_are_private_and_a_second_selector_waits_for_activation(world: World, cli: Invoke) -> None:
    first = keygen(cli, "lich.bacninh.gov.vn", "--selector", "mh1")
    assert [(k["selector"], k["algorithm"], k["active"]) for k in first] == [
        ("mh1", "rsa", True), ("mh1-ed25519", "ed25519", True)]
    private = world.app.settings.home / "dkim" / "lich.bacninh.gov.vn" / "mh1.private"
    assert oct(os.stat(private).st_mode & 0o777) == "0o600"
    second = keygen(cli, "lich.bacninh.gov.vn", "--selector", "mh2", "--algorithm", "rsa")
    assert second[0]["active"] is False
    assert cli("dkim", "activate", "--domain", "lich.bacninh.gov.vn", "--selector", "mh2").exit_code == 0
    listed = {k["selector"]: k["active"] for k in json.loads(cli("dkim", "list", "--json").stdout)}
    assert listed == {"mh1": False, "mh1-ed25519": True, "mh2": True}
    assert cli("dkim", "keygen", "--domain", "lich.bacninh.gov.vn", "--selector", "mh2").exit_code == 1  # exists
    assert cli("dkim", "keygen", "--domain", "not a domain").exit_code == 1


def test_what_mailhub_sends_is_signed_and_verifies(world: World, cli: Invoke) -> None:
    publish(world, keygen(cli, "lich.bacninh.gov.vn", "--selector", "mh1"))
    publish(world, keygen(cli, "bacninh.gov.vn", "--selector", "mh1", "--algorithm", "rsa"))
    assert cli("dkim", "check", "--domain", "lich.bacninh.gov.vn").exit_code == 0  # published, as on disk
    create(cli)  # an invitation: From the organizer's address on the service domain
    with world.relay.smtp() as client:  # an office system on the trusted network, for a province domain
        client.sendmail("vanthu@bacninh.gov.vn", ["vinhnq@bacninh.gov.vn"],
                        letter("vanthu@bacninh.gov.vn", "vinhnq@bacninh.gov.vn", "Công văn đi"))
    messages = world.sink.wait_for(2)
    for received in messages:
        message = email.message_from_bytes(received.content, policy=default)
        domain = message["From"].addresses[0].domain
        results = verified_domains(world, received.content)
        assert results and all(ok for _, ok in results) and {d for d, _ in results} == {domain}, results
        signature = str(message["DKIM-Signature"])
        assert "c=relaxed/relaxed" in signature and signature.replace(" ", "").count("from:from") == 1


def test_mail_from_the_internet_is_passed_on_unsigned(world: World, cli: Invoke) -> None:
    keygen(cli, "lich.bacninh.gov.vn", "--selector", "mh1")
    assert send(world, STRANGER, "citizen@gmail.com", [OPEN_GROUP], letter("citizen@gmail.com", OPEN_GROUP))[0] == 250
    assert wait_until(lambda: len(world.sink.messages) == 1)
    assert b"DKIM-Signature" not in world.sink.messages[0].content


def test_dns_records_lists_what_to_publish(world: World, cli: Invoke) -> None:
    keygen(cli, "lich.bacninh.gov.vn", "--selector", "mh1")
    printed = cli("dns", "records").stdout
    assert "lich.bacninh.gov.vn. IN MX" in printed and "v=spf1" in printed and "_dmarc.lich.bacninh.gov.vn." in printed
    assert "mh1._domainkey.lich.bacninh.gov.vn. IN TXT" in printed and "_mta-sts.lich.bacninh.gov.vn." in printed
    assert all(len(text) <= 255 for text in re.findall(r'"([^"]*)"', printed))  # TXT strings of at most 255


def test_trace_says_what_signed_each_delivery(world: World, cli: Invoke) -> None:
    keygen(cli, "bacninh.gov.vn", "--selector", "mh1", "--algorithm", "rsa")
    with world.relay.smtp() as client:
        client.sendmail("vanthu@bacninh.gov.vn", ["vinhnq@bacninh.gov.vn"],
                        letter("vanthu@bacninh.gov.vn", "vinhnq@bacninh.gov.vn", "Có chữ ký"))
    world.sink.wait_for(1)
    assert wait_until(lambda: json.loads(cli("trace", "vinhnq@bacninh.gov.vn", "--json").stdout or "[]") != [])
    [row] = json.loads(cli("trace", "vinhnq@bacninh.gov.vn", "--json").stdout)
    assert row["signed"] == "DKIM d=bacninh.gov.vn"
