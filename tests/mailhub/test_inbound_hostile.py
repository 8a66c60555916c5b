"""What a hostile stranger on port 25 tried against inbound trust (from 127.0.0.2), kept as
regressions: other spellings of the province's domains, encoded-word authors, dressed-up
Authentication-Results, replayed signatures with a second Subject, replies that used to crash the
replies stage, and an official answering for a colleague through a shared group."""

from __future__ import annotations

import email
import json
from email.policy import default

import pytest
from sqlmodel import Session, col, select

from directory.groups import add_members, create_group
from mailhub.senders.dns_lookup import MAX_KEY_BYTES, _key_bytes
from mailhub.store.models import ActivityEvent, QueueRecipient
from tests.mailhub import itip_samples
from tests.mailhub.conftest import Invoke, World, wait_until
from tests.mailhub.dns_standin import dkim_key
from tests.mailhub.itip_samples import outlook_reply
from tests.mailhub.test_inbound_trust import (
    CLOSED_GROUP,
    HEAD,
    MAILBOX_SERVER,
    OPEN_GROUP,
    STRANGER,
    _subject,
    letter,
    send,
    signed,
)
from tests.mailhub.test_meetings import create, wait_for_replies

ORGANIZER = "stttt@lich.bacninh.gov.vn"
FORMS = {
    "trailing dot": b"From: Chu tich <vinhnq@bacninh.gov.vn.>",
    "NUL after the domain": b"From: Chu tich <vinhnq@bacninh.gov.vn\x00>",
    "ideographic full stops": "From: Chu tich <vinhnq@bacninh\u3002gov\u3002vn>".encode(),
    "zero-width space": "From: Chu tich <vinhnq@bacninh.gov.vn\u200b>".encode(),
    "address in an encoded-word": b"From: =?utf-8?q?vinhnq=40bacninh=2Egov=2Evn?=",
    "angle address in an encoded-word": b"From: =?utf-8?q?Chu_tich_=3Cvinhnq=40bacninh=2Egov=2Evn=3E?=",
    "domain literal": b"From: Chu tich <vinhnq@[bacninh.gov.vn]>",
    "a subdomain of the province": "From: Chủ tịch <chutich@ubnd.bacninh.gov.vn>".encode(),
    "mailhub's own service domain": b"From: Van phong <stttt@lich.bacninh.gov.vn>",
    "two addresses": b"From: CEO <ceo@strict.test>, <nobody@attacker.test>",
}


@pytest.mark.parametrize("name", list(FORMS))
def test_other_spellings_of_a_protected_author_are_refused(world: World, name: str) -> None:
    world.dns.txt("_dmarc.strict.test", "v=DMARC1; p=reject")
    content = letter("x@y.test", OPEN_GROUP, f"Dạng {name}").replace(b"From: x@y.test", FORMS[name], 1)
    code, _ = send(world, STRANGER, "bounce@mailer.test", [OPEN_GROUP], content)
    assert code == 550, name


@pytest.mark.parametrize("dressed", ["(mailhub)mailhub.test", '"mailhub.test"', "mailhub.test.", "MAILHUB.TEST/1",
                                     "other.example"])
def test_no_authentication_results_from_outside_reach_the_mailbox(world: World, dressed: str) -> None:
    forged = letter("citizen@gmail.com", OPEN_GROUP, f"AR {dressed}",
                    {"Authentication-Results": f"{dressed}; dkim=pass header.d=bacninh.gov.vn",
                     "X-Mailhub-Sender-Verified": "yes"})
    assert send(world, STRANGER, "citizen@gmail.com", [OPEN_GROUP], forged)[0] == 250
    assert wait_until(lambda: any(_subject(m.content) == f"AR {dressed}" for m in world.sink.messages))
    got = email.message_from_bytes(next(m.content for m in world.sink.messages
                                        if _subject(m.content) == f"AR {dressed}"), policy=default)
    assert [str(v).split(";")[0] for v in got.get_all("Authentication-Results")] == ["mailhub.test"]
    assert got.get_all("X-Mailhub-Sender-Verified") is None


def test_a_replayed_province_signature_with_a_second_subject_is_refused(world: World) -> None:
    key, record = dkim_key()
    world.dns.txt("mail._domainkey.bacninh.gov.vn", record)
    genuine = signed(letter(HEAD, OPEN_GROUP, "Thông báo lịch họp"), "bacninh.gov.vn", key)
    replay = b"Subject: =?utf-8?q?KH=E1=BA=A8N=3A_chuy=E1=BB=83n_ti=E1=BB=81n_ngay?=\r\n" + genuine
    code, text = send(world, STRANGER, HEAD, [CLOSED_GROUP], replay)
    assert (code, text[:5]) == (550, b"5.6.0")


def test_an_encoded_word_author_with_an_aligned_spf_cannot_answer_for_an_official(world: World,
                                                                                  cli: Invoke) -> None:
    created = create(cli)
    world.dns.txt("attacker.test", "v=spf1 ip4:127.0.0.2 -all")
    content = outlook_reply(str(created["uid"]), "vinhnq2@bacninh.gov.vn", "DECLINED", ORGANIZER).replace(
        b"From: vinhnq2@bacninh.gov.vn", b"From: =?utf-8?q?vinhnq2=40bacninh=2Egov=2Evn=2C?= x@attacker.test", 1)
    send(world, STRANGER, "x@attacker.test", [ORGANIZER], content)  # refused, or at least not believed
    rows = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)["attendees"]
    assert next(r for r in rows if r["email"] == "vinhnq2@bacninh.gov.vn")["answer"] == "needs-action"
    with Session(world.app.engine) as session:
        assert not [e for e in session.exec(select(ActivityEvent)) if e.kind == "itip-reply"]


@pytest.mark.parametrize("shape", ["group syntax in From", "garbage RECURRENCE-ID", "COUNTER"])
def test_replies_the_stage_cannot_read_are_passed_on_once(world: World, cli: Invoke, shape: str) -> None:
    created = create(cli)
    if shape == "group syntax in From":
        content = outlook_reply("no-such-uid", "x@attacker.test", "ACCEPTED", ORGANIZER).replace(
            b"From: x@attacker.test", b"From: g:; x@attacker.test", 1)
    else:
        method, extra = ("COUNTER", "") if shape == "COUNTER" else ("REPLY", "RECURRENCE-ID:garbage\r\n")
        ics = (f"BEGIN:VCALENDAR\r\nMETHOD:{method}\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
               f"ATTENDEE;PARTSTAT=DECLINED:mailto:vinhnq2@bacninh.gov.vn\r\nUID:{created['uid']}\r\n{extra}"
               "END:VEVENT\r\nEND:VCALENDAR\r\n").encode()
        content = itip_samples._mime("Declined", "vinhnq2@bacninh.gov.vn", ORGANIZER, [("text/calendar", "", ics)])
    source, envelope = (STRANGER, "x@attacker.test") if shape == "group syntax in From" else \
        (MAILBOX_SERVER, "vinhnq2@bacninh.gov.vn")
    assert send(world, source, envelope, [ORGANIZER], content)[0] == 250

    def states() -> list[tuple[str, int]]:
        with Session(world.app.engine) as session:
            rows = session.exec(select(QueueRecipient).where(col(QueueRecipient.address) == ORGANIZER)).all()
        return [(r.state, r.attempts) for r in rows]

    assert wait_until(lambda: states() != [] and all(state == "delivered" for state, _ in states()))
    rows = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)["attendees"]
    assert next(r for r in rows if r["email"] == "vinhnq2@bacninh.gov.vn")["answer"] == "needs-action"


def test_an_official_cannot_answer_for_a_colleague_through_a_shared_group(world: World, cli: Invoke) -> None:
    sender, colleague = "huongttt@bacninh.gov.vn", "vinhnq2@bacninh.gov.vn"
    with world.app.directory.session() as session:
        create_group(session, "nhom", address="nhom@lich.bacninh.gov.vn")
        add_members(session, "nhom", [colleague, sender])
        session.commit()
    created = create(cli)
    content = outlook_reply(str(created["uid"]), "nhom@lich.bacninh.gov.vn", "DECLINED", ORGANIZER).replace(
        b"From: nhom@lich.bacninh.gov.vn", f"From: {sender}".encode())
    assert send(world, MAILBOX_SERVER, sender, [ORGANIZER], content)[0] == 250
    wait_for_replies(world, 1)
    rows = json.loads(cli("meeting", "show", str(created["id"]), "--json").stdout)["attendees"]
    assert next(r for r in rows if r["email"] == colleague)["answer"] == "needs-action"


def test_oversized_dkim_keys_are_not_verified() -> None:
    _, record = dkim_key()
    assert _key_bytes(record) < MAX_KEY_BYTES  # an ordinary key is checked
    assert _key_bytes("v=DKIM1; k=rsa; p=" + "A" * 4000) > MAX_KEY_BYTES  # a 16384-bit one is not


def test_dns_trouble_that_nothing_depends_on_is_no_reason_to_defer(world: World) -> None:
    world.dns.txt("nodmarc.test", "v=spf1 include:broken.test -all")
    world.dns.broken.add("broken.test")  # SPF cannot finish, but the domain publishes no DMARC policy
    content = letter("a@nodmarc.test", OPEN_GROUP, "Không có DMARC")
    assert send(world, STRANGER, "a@nodmarc.test", [OPEN_GROUP], content)[0] == 250


@pytest.mark.parametrize("path", ["<=?utf-8?q?x=0D=0ABcc:_e?=@[1.2.3.4]>", "<@r:=?utf-8?q?a=0Ab?=@c>",
                                  "<=?utf-8?q?a=00b?=@[10.0.0.1]>"])
def test_an_encoded_word_that_decodes_to_a_line_break_is_no_path(path: str) -> None:
    from mailhub.smtp.listener import LimitedSMTP

    listener = object.__new__(LimitedSMTP)
    listener.local_part_limit = 0
    assert listener._getaddr(path) == (None, None)
    assert listener._getaddr("<vanthu@khanhhoa.gov.vn> SIZE=10") == ("vanthu@khanhhoa.gov.vn", "SIZE=10")
