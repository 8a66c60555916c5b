"""S/MIME: an agency's certificate (PKCS#12 from its CA) signs what is sent in its name; openssl
verifies it against the CA, and a signed invitation still works as an invitation."""

from __future__ import annotations

import email
import json
import subprocess
from email.policy import default
from pathlib import Path

import pytest

from tests.mailhub.conftest import Invoke, World
from tests.mailhub.smime_ca import ThrowawayCA
from tests.mailhub.test_interop import NODE, ical_js
from tests.mailhub.test_meetings import create

PASSWORD = b"mat-khau-p12"


@pytest.fixture
def ca(world: World, cli: Invoke, tmp_path: Path) -> ThrowawayCA:
    authority = ThrowawayCA()
    p12 = tmp_path / "stttt.p12"
    p12.write_bytes(authority.agency_p12("Sở Thông tin và Truyền thông", "stttt@bacninh.gov.vn", PASSWORD))
    secret = tmp_path / "password"
    secret.write_bytes(PASSWORD)
    result = cli("directory", "certificate", "import", "STTTT", str(p12), "--password-file", str(secret))
    assert result.exit_code == 0, result.output
    return authority


def openssl_verify(content: bytes, authority: ThrowawayCA, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    (tmp_path / "ca.pem").write_bytes(authority.pem)
    (tmp_path / "signed.eml").write_bytes(content)
    return subprocess.run(["openssl", "smime", "-verify", "-CAfile", str(tmp_path / "ca.pem"), "-in",
                           str(tmp_path / "signed.eml"), "-out", str(tmp_path / "inner.eml")], capture_output=True)


def test_a_notice_in_the_agency_s_name_is_signed_and_verifies(world: World, cli: Invoke, ca: ThrowawayCA,
                                                              tmp_path: Path) -> None:
    result = cli("notice", "send", "--subject", "Thông báo lịch trực", "--body", "Nội dung thông báo.",
                 "--to", "vinhnq@bacninh.gov.vn", "--from", "stttt@bacninh.gov.vn")
    assert result.exit_code == 0, result.output
    [received] = world.sink.wait_for(1)
    message = email.message_from_bytes(received.content, policy=default)
    assert message.get_content_type() == "multipart/signed" and message["Subject"] == "Thông báo lịch trực"
    assert message.get_param("micalg") == "sha-256"
    checked = openssl_verify(received.content, ca, tmp_path)
    assert checked.returncode == 0, checked.stderr
    tampered = received.content.replace(b"quoted-printable", b"8bit", 1)
    assert openssl_verify(tampered, ca, tmp_path).returncode != 0


@pytest.mark.skipif(not NODE, reason="node (ical.js)")
def test_a_signed_invitation_keeps_its_accept_and_decline(world: World, cli: Invoke, ca: ThrowawayCA,
                                                          tmp_path: Path) -> None:
    create(cli)  # organizer stttt@bacninh.gov.vn: the STTTT certificate signs it
    [received] = world.sink.wait_for(1)
    assert openssl_verify(received.content, ca, tmp_path).returncode == 0
    message = email.message_from_bytes(received.content, policy=default)
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    parsed = ical_js(part.get_payload(decode=True))
    assert parsed["method"] == "REQUEST"
    assert all(a["rsvp"] == "TRUE" for a in parsed["events"][0]["attendees"])  # type: ignore[index]


def test_mail_of_an_agency_without_a_certificate_goes_unsigned(world: World, cli: Invoke, ca: ThrowawayCA) -> None:
    result = cli("notice", "send", "--subject", "Thông báo", "--body", "x", "--to", "vinhnq@bacninh.gov.vn",
                 "--from", "syt@bacninh.gov.vn")
    assert result.exit_code == 0, result.output
    [received] = world.sink.wait_for(1)
    assert email.message_from_bytes(received.content, policy=default).get_content_type() != "multipart/signed"


def test_certificates_near_expiry_are_flagged_and_bad_files_refused(world: World, cli: Invoke,
                                                                    tmp_path: Path) -> None:
    authority = ThrowawayCA()
    p12 = tmp_path / "syt.p12"
    p12.write_bytes(authority.agency_p12("Sở Y tế", "syt@bacninh.gov.vn", PASSWORD, days=10))
    secret = tmp_path / "password"
    secret.write_bytes(PASSWORD)
    assert cli("directory", "certificate", "import", "SYT", str(p12), "--password-file", str(secret)).exit_code == 0
    [listed] = json.loads(cli("directory", "certificate", "list", "--json").stdout)
    assert listed["agency"] == "SYT" and listed["expiring"] is True and listed["days_left"] <= 10
    secret.write_bytes(b"wrong")
    refused = cli("directory", "certificate", "import", "SYT", str(p12), "--password-file", str(secret))
    assert refused.exit_code == 1 and "password" in refused.stderr
    assert cli("directory", "certificate", "import", "NOPE", str(p12), "--password-file", str(secret)).exit_code == 1
