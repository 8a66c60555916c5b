"""Who may speak for whom on port 25: the province's domains only from its mailbox servers or with
their DKIM signature, DMARC policies of other domains, closed groups and invitation answers only
from authenticated senders. DNS answers come from the stand-in on loopback (dns_standin.py); the
SMTP peers are real: mailhub serving, clients from 127.0.0.1 (the province's mailbox server in
these tests) and from 127.0.0.2 (anyone else on the Internet)."""

from __future__ import annotations

import email
import json
import smtplib
from email.message import EmailMessage
from email.policy import default

import dkim
import pytest
from sqlmodel import Session, select

from directory.groups import add_members, add_posters, create_group
from mailhub.store.models import ActivityEvent
from tests.mailhub.conftest import Invoke, World, wait_until
from tests.mailhub.dns_standin import dkim_key
from tests.mailhub.itip_samples import delegated_reply, outlook_reply
from tests.mailhub.test_meetings import create, wait_for_replies

MAILBOX_SERVER, STRANGER = "127.0.0.1", "127.0.0.2"
OFFICIAL, HEAD = "huongttt@bacninh.gov.vn", "vinhnq@bacninh.gov.vn"  # HEAD is in lanhdao (heads of department)
CLOSED_GROUP, OPEN_GROUP = "lanhdao@lich.bacninh.gov.vn", "gopy@lich.bacninh.gov.vn"


def letter(sender: str, to: str, subject: str = "Chỉ đạo khẩn", extra: dict[str, str] | None = None) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, to, subject
    m["Message-ID"] = f"<{abs(hash((sender, to, subject)))}@test>"
    for name, value in (extra or {}).items():
        m[name] = value
    m.set_content("Đề nghị các đồng chí triển khai ngay.")
    return m.as_bytes().replace(b"\n", b"\r\n")


def signed(content: bytes, domain: str, key: bytes, selector: str = "mail") -> bytes:
    return dkim.sign(content, selector.encode(), domain.encode(), key,
                     include_headers=[b"from", b"to", b"subject", b"message-id"]) + content


def send(world: World, source: str, mail_from: str, to: list[str], content: bytes) -> tuple[int, bytes]:
    """The DATA reply (or the first refusal before it)."""
    with world.relay.smtp("inbound", source=source) as client:
        client.ehlo("mx.sender.test")
        code, text = client.mail(mail_from)
        if code != 250:
            return code, text
        accepted = [r for r in to if client.rcpt(r)[0] == 250]
        if not accepted:
            return 550, b"no recipient accepted"
        return client.data(content)


def _subject(content: bytes) -> str:
    return str(email.message_from_bytes(content, policy=default)["Subject"])


def test_a_forged_member_to_a_closed_group_is_refused_and_the_mailbox_server_gets_through(world: World) -> None:
    code, text = send(world, STRANGER, HEAD, [CLOSED_GROUP], letter(f"Chủ tịch UBND <{HEAD}>", CLOSED_GROUP))
    assert (code, text[:5]) == (550, b"5.7.1") and b"bacninh.gov.vn" in text
    code, _ = send(world, MAILBOX_SERVER, HEAD, [CLOSED_GROUP],
                   letter(HEAD, CLOSED_GROUP, "Từ máy chủ thư của tỉnh"))
    assert code == 250
    assert wait_until(lambda: any(_subject(m.content) == "Từ máy chủ thư của tỉnh" for m in world.sink.messages))
    assert not any(_subject(m.content) == "Chỉ đạo khẩn" for m in world.sink.messages)


def test_the_province_domain_signed_with_its_dkim_key_is_accepted_from_anywhere(world: World) -> None:
    key, record = dkim_key()
    world.dns.txt("mail._domainkey.bacninh.gov.vn", record)
    content = signed(letter(HEAD, CLOSED_GROUP, "Ký DKIM của tỉnh"), "bacninh.gov.vn", key)
    assert send(world, STRANGER, HEAD, [CLOSED_GROUP], content)[0] == 250
    assert wait_until(lambda: any(_subject(m.content) == "Ký DKIM của tỉnh" for m in world.sink.messages))
    received = next(m for m in world.sink.messages if _subject(m.content) == "Ký DKIM của tỉnh")
    results = email.message_from_bytes(received.content, policy=default).get_all("Authentication-Results")
    assert len(results) == 1 and "dkim=pass" in str(results[0]) and "mailhub.test" in str(results[0])
    # the same key on a changed message, or another domain's key, is not the province's signature
    tampered = content.replace(b"Message-ID: <", b"Message-ID: <1")
    assert send(world, STRANGER, HEAD, [CLOSED_GROUP], tampered)[:1] == (550,)
    other_key, other_record = dkim_key()
    world.dns.txt("mail._domainkey.attacker.test", other_record)
    foreign = signed(letter(HEAD, CLOSED_GROUP, "Chữ ký lạ"), "attacker.test", other_key)
    assert send(world, STRANGER, "x@attacker.test", [CLOSED_GROUP], foreign)[:1] == (550,)


def test_a_province_address_in_from_with_an_outside_envelope_is_refused(world: World) -> None:
    code, text = send(world, STRANGER, "bounce@mailer.test", [OPEN_GROUP], letter(HEAD, OPEN_GROUP))
    assert (code, text[:5]) == (550, b"5.7.1")


def test_dmarc_reject_is_refused_quarantine_is_delivered_without_rights(world: World) -> None:
    world.dns.txt("_dmarc.strict.test", "v=DMARC1; p=reject")
    world.dns.txt("_dmarc.careful.test", "v=DMARC1; p=quarantine; rua=mailto:d@careful.test")
    world.dns.txt("strict.test", "v=spf1 ip4:127.0.0.9 -all")
    code, text = send(world, STRANGER, "ceo@strict.test", [OPEN_GROUP], letter("ceo@strict.test", OPEN_GROUP))
    assert (code, text[:6]) == (550, b"5.7.26") and b"strict.test" in text
    with world.app.directory.session() as session:
        add_posters(session, "lanhdao", ["partner@careful.test"])
        session.commit()
    # a listed poster whose domain's DMARC check fails (quarantine) gets no group rights
    assert send(world, STRANGER, "partner@careful.test", [CLOSED_GROUP],
                letter("partner@careful.test", CLOSED_GROUP))[:1] == (550,)
    # but the same sender authenticated by SPF, aligned with From:, may post
    world.dns.txt("careful.test", "v=spf1 ip4:127.0.0.2 -all")
    assert send(world, STRANGER, "partner@careful.test", [CLOSED_GROUP],
                letter("partner@careful.test", CLOSED_GROUP, "Đối tác đã xác thực"))[0] == 250
    assert wait_until(lambda: any(_subject(m.content) == "Đối tác đã xác thực" for m in world.sink.messages))


def test_dns_that_does_not_answer_is_a_temporary_refusal_never_a_pass(world: World) -> None:
    world.dns.broken.add("flaky.test")
    world.dns.broken.add("_dmarc.flaky.test")
    code, text = send(world, STRANGER, "a@flaky.test", [OPEN_GROUP], letter("a@flaky.test", OPEN_GROUP))
    assert (code, text[:5]) == (451, b"4.4.3")


def test_authentication_results_claiming_to_be_ours_are_removed(world: World) -> None:
    forged = letter("citizen@gmail.com", OPEN_GROUP, "Kết quả giả",
                    {"Authentication-Results": "mailhub.test; dkim=pass header.d=bacninh.gov.vn"})
    assert send(world, STRANGER, "citizen@gmail.com", [OPEN_GROUP], forged)[0] == 250
    assert wait_until(lambda: any(_subject(m.content) == "Kết quả giả" for m in world.sink.messages))
    received = next(m for m in world.sink.messages if _subject(m.content) == "Kết quả giả")
    results = [str(v) for v in email.message_from_bytes(received.content, policy=default)
               .get_all("Authentication-Results")]
    assert len(results) == 1 and "header.d=bacninh.gov.vn" not in results[0] and "dmarc=none" in results[0]


def test_two_from_headers_are_refused(world: World) -> None:
    content = letter("citizen@gmail.com", OPEN_GROUP).replace(b"From:", b"From: x@gmail.com\r\nFrom:", 1)
    code, text = send(world, STRANGER, "citizen@gmail.com", [OPEN_GROUP], content)
    assert (code, text[:5]) == (550, b"5.6.0")


def test_the_mailbox_server_cannot_lend_a_member_s_name_to_another_sender(world: World) -> None:
    """Vouching covers the envelope sender: From: must be that address (or one it may send as)."""
    code, text = send(world, MAILBOX_SERVER, HEAD, [CLOSED_GROUP], letter(f"Chủ tịch <{OFFICIAL}>", CLOSED_GROUP))
    assert (code, text[:5]) == (550, b"5.7.1")  # the envelope is a member, but From: is someone else


def test_a_forged_official_answer_from_outside_is_refused_and_changes_nothing(world: World, cli: Invoke) -> None:
    created = create(cli)
    uid, organizer, official = str(created["uid"]), "stttt@lich.bacninh.gov.vn", "vinhnq2@bacninh.gov.vn"
    for envelope in (official, "someone@gmail.com"):
        code, text = send(world, STRANGER, envelope, [organizer],
                          outlook_reply(uid, official, "DECLINED", organizer, stamp="20991231T000000Z"))
        assert (code, text[:5]) == (550, b"5.7.1"), envelope
    rows = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)["attendees"]
    assert next(r for r in rows if r["email"] == official)["answer"] == "needs-action"
    with Session(world.app.engine) as session:
        assert not [e for e in session.exec(select(ActivityEvent)) if e.kind == "itip-reply"]


@pytest.mark.parametrize("authenticated", [True, False])
def test_an_outside_attendee_counts_only_with_aligned_dkim(world: World, cli: Invoke, authenticated: bool) -> None:
    partner = "giamdoc@partner.test"
    created = create(cli, "--to", partner)
    uid, organizer = str(created["uid"]), "stttt@lich.bacninh.gov.vn"
    content = outlook_reply(uid, partner, "ACCEPTED", organizer)
    if authenticated:
        key, record = dkim_key()
        world.dns.txt("mail._domainkey.partner.test", record)
        content = signed(content, "partner.test", key)
    assert send(world, STRANGER, partner, [organizer], content)[0] == 250
    wait_for_replies(world, 2)  # the reply, and the report that partner.test does not exist (both to the organizer)
    rows = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)["attendees"]
    assert next(r for r in rows if r["email"] == partner)["answer"] == ("accepted" if authenticated else "needs-action")
    assert wait_until(lambda: any(_subject(m.content).startswith("Accepted") for m in world.sink.messages))
    forwarded = [m for m in world.sink.messages if _subject(m.content).startswith("Accepted")]
    assert forwarded[-1].rcpt_tos == ["stttt@bacninh.gov.vn"], "the organizer's mailbox gets the reply either way"
    assert (b"X-Mailhub-Sender-Verified: no" in forwarded[-1].content) is (not authenticated)


def test_a_closed_group_poster_at_another_domain_must_be_aligned(world: World) -> None:
    with world.app.directory.session() as session:
        create_group(session, "doi-tac", address="doitac@lich.bacninh.gov.vn")
        add_posters(session, "doi-tac", ["news@partner.test"])
        add_members(session, "doi-tac", [OFFICIAL])
        session.commit()
    target = "doitac@lich.bacninh.gov.vn"
    code, _ = send(world, STRANGER, "news@partner.test", [target], letter("news@partner.test", target))
    assert code == 550  # no DKIM, no SPF: anyone could have typed it
    key, record = dkim_key()
    world.dns.txt("mail._domainkey.partner.test", record)
    content = signed(letter("news@partner.test", target, "Bản tin đối tác"), "partner.test", key)
    assert send(world, STRANGER, "news@partner.test", [target], content)[0] == 250  # DKIM aligned with From:
    assert wait_until(lambda: any(_subject(m.content) == "Bản tin đối tác" for m in world.sink.messages))


def test_smtp_refusals_reach_a_real_client_as_errors(world: World) -> None:
    with world.relay.smtp("inbound", source=STRANGER) as client, pytest.raises(smtplib.SMTPDataError) as error:
        client.sendmail(HEAD, [CLOSED_GROUP], letter(HEAD, CLOSED_GROUP))
    assert error.value.smtp_code == 550


def test_a_delegate_named_by_the_attendee_s_own_reply_may_answer(world: World, cli: Invoke) -> None:
    result = cli("invite", "create", "--title", "Họp chuyên đề", "--start", "2026-12-08 08:00", "--end",
                 "2026-12-08 10:00", "--organizer", "stttt@bacninh.gov.vn", "--to", "vinhnq2@bacninh.gov.vn", "--json")
    assert result.exit_code == 0, result.output
    created = json.loads(result.stdout)
    uid, organizer, delegator = str(created["uid"]), "stttt@lich.bacninh.gov.vn", "vinhnq2@bacninh.gov.vn"

    def answers() -> dict[str, str]:
        shown = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)
        return {row["email"]: row["answer"] for row in shown["attendees"]}

    # not invited, not named by anyone yet: an answer from the would-be delegate changes nothing
    early = outlook_reply(uid, OFFICIAL, "ACCEPTED", organizer)
    assert send(world, MAILBOX_SERVER, OFFICIAL, [organizer], early)[0] == 250
    wait_for_replies(world, 1)
    assert OFFICIAL not in answers()
    assert send(world, MAILBOX_SERVER, delegator, [organizer],
                delegated_reply(uid, delegator, OFFICIAL, organizer))[0] == 250
    wait_for_replies(world, 2)
    shown = answers()
    assert (shown[delegator], shown[OFFICIAL]) == ("delegated", "needs-action")  # the delegate is now invited
    assert send(world, MAILBOX_SERVER, OFFICIAL, [organizer],
                outlook_reply(uid, OFFICIAL, "ACCEPTED", organizer, stamp="20261201T050000Z"))[0] == 250
    wait_for_replies(world, 3)
    assert answers()[OFFICIAL] == "accepted"
