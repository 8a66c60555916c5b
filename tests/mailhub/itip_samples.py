"""Replies as real clients write them (shapes taken from Outlook/Exchange, Gmail and Thunderbird
messages), with the UID and addresses filled in."""

from __future__ import annotations

import base64


def _mime(subject: str, sender: str, to: str, parts: list[tuple[str, str, bytes]]) -> bytes:
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", "MIME-Version: 1.0",
             'Content-Type: multipart/mixed; boundary="zz"', ""]
    for content_type, disposition, body in parts:
        lines += ["--zz", f"Content-Type: {content_type}", "Content-Transfer-Encoding: base64"]
        if disposition:
            lines.append(f"Content-Disposition: {disposition}")
        lines += ["", base64.encodebytes(body).decode().strip().replace("\n", "\r\n")]
    lines += ["--zz--", ""]
    return "\r\n".join(lines).encode()


def outlook_reply(uid: str, attendee: str, partstat: str = "ACCEPTED", organizer_service: str = "",
                  occurrence: str | None = None, stamp: str = "20261201T020000Z", sequence: int = 0) -> bytes:
    """Exchange: no ORGANIZER, MAILTO upper-case, a Windows time zone, method only in the body."""
    recurrence = f"RECURRENCE-ID;TZID=SE Asia Standard Time:{occurrence}T080000\r\n" if occurrence else ""
    ics = (
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:SE Asia Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
        "TZOFFSETFROM:+0700\r\nTZOFFSETTO:+0700\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\n"
        f"ATTENDEE;PARTSTAT={partstat};CN=Nguyen Quoc Anh:MAILTO:{attendee.upper()}\r\n"
        "COMMENT;LANGUAGE=vi-VN:\\n\r\nSUMMARY;LANGUAGE=vi-VN:Accepted: Họp giao ban\r\n"
        f"{recurrence}"
        "DTSTART;TZID=SE Asia Standard Time:20261207T080000\r\nDTEND;TZID=SE Asia Standard Time:20261207T100000\r\n"
        f"UID:{uid}\r\nCLASS:PUBLIC\r\nPRIORITY:5\r\nDTSTAMP:{stamp}\r\nTRANSP:OPAQUE\r\nSTATUS:CONFIRMED\r\n"
        f"SEQUENCE:{sequence}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()
    return _mime("Accepted: Họp giao ban", attendee, organizer_service,
                 [("text/plain; charset=utf-8", "", "Đã chấp nhận.".encode()),
                  ('text/calendar; charset="utf-8"', "", ics)])


def gmail_reply(uid: str, attendee: str, organizer_service: str, partstat: str = "DECLINED",
                stamp: str = "20261201T030000Z") -> bytes:
    ics = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\n"
        "METHOD:REPLY\r\nBEGIN:VEVENT\r\nDTSTART:20261207T010000Z\r\nDTEND:20261207T030000Z\r\n"
        f"DTSTAMP:{stamp}\r\nORGANIZER;CN=Văn phòng:mailto:{organizer_service}\r\nUID:{uid}\r\n"
        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};CN=Anh;X-NUM-GUESTS=0:mailto:{attendee}"
        "\r\nCREATED:20261201T000000Z\r\nLAST-MODIFIED:20261201T030000Z\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\n"
        "SUMMARY:Họp giao ban\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()
    return _mime("Declined: Họp giao ban", attendee, organizer_service,
                 [('text/calendar; charset="UTF-8"; method=REPLY', "", ics),
                  ('application/ics; name="invite.ics"', 'attachment; filename="invite.ics"', ics)])


def thunderbird_reply(uid: str, attendee: str, organizer_service: str, partstat: str = "TENTATIVE") -> bytes:
    ics = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\r\nVERSION:2.0\r\n"
        "METHOD:REPLY\r\nBEGIN:VEVENT\r\nCREATED:20261201T000000Z\r\nLAST-MODIFIED:20261201T040000Z\r\n"
        f"DTSTAMP:20261201T040000Z\r\nUID:{uid}\r\nSUMMARY:Họp giao ban\r\n"
        f"ORGANIZER:mailto:{organizer_service}\r\n"
        f"ATTENDEE;RSVP=TRUE;CN=Anh;PARTSTAT={partstat};ROLE=REQ-PARTICIPANT:mailto:{attendee}\r\n"
        "DTSTART;TZID=Asia/Ho_Chi_Minh:20261207T080000\r\nDTEND;TZID=Asia/Ho_Chi_Minh:20261207T100000\r\n"
        "SEQUENCE:0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()
    # Thunderbird's header sometimes lacks method=; the body still says REPLY.
    return _mime("Tentative: Họp giao ban", attendee, organizer_service,
                 [("text/plain; charset=UTF-8", "", "Có thể tham dự".encode()),
                  ("text/calendar; charset=UTF-8", "", ics)])


def ics_only_reply(uid: str, attendee: str, organizer_service: str, partstat: str = "ACCEPTED") -> bytes:
    ics = (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//iOS 18//EN\r\nMETHOD:REPLY\r\n"
           f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T050000Z\r\n"
           f"ATTENDEE;PARTSTAT={partstat}:mailto:{attendee}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()
    return _mime("Accepted", attendee, organizer_service,
                 [('application/ics; name="reply.ics"', 'attachment; filename="reply.ics"', ics)])


def delegated_reply(uid: str, attendee: str, delegate: str, organizer_service: str) -> bytes:
    """Thunderbird delegating: the delegator's line (PARTSTAT=DELEGATED, DELEGATED-TO) and the delegate's."""
    ics = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\r\nVERSION:2.0\r\n"
        "METHOD:REPLY\r\nBEGIN:VEVENT\r\nCREATED:20261201T000000Z\r\nLAST-MODIFIED:20261201T040000Z\r\n"
        f"DTSTAMP:20261201T040000Z\r\nUID:{uid}\r\nSUMMARY:Họp giao ban\r\n"
        f"ORGANIZER:mailto:{organizer_service}\r\n"
        f'ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO="mailto:{delegate}":mailto:{attendee}\r\n'
        f'ATTENDEE;PARTSTAT=NEEDS-ACTION;DELEGATED-FROM="mailto:{attendee}";RSVP=TRUE:mailto:{delegate}\r\n'
        "DTSTART:20261207T010000Z\r\nDTEND:20261207T030000Z\r\nSEQUENCE:0\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    return _mime("Delegated: Họp giao ban", attendee, organizer_service,
                 [('text/calendar; charset=UTF-8; method=REPLY', "", ics)])
