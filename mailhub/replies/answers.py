"""Answers that come back to an organizer's service address: iTIP REPLY (any client's dialect)
updates the attendee's answer and counts as that official using email; a read receipt (MDN)
counts too. Everything is written in the caller's transaction (the replies stage's); the message
itself reaches the organizer's real mailbox as an ordinary recipient of the same queued message."""

from __future__ import annotations

import contextlib
import email
import logging
from email.message import Message
from email.policy import compat32

from sqlalchemy import func
from sqlmodel import Session, select

from directory import Directory, DirectoryError
from mailhub.dispatch.meetings.ical import ReplyError, ReplyItem, parse_reply
from mailhub.queue.core import Clock
from mailhub.relay.headers import author_addresses
from mailhub.relay.sender_trust import authenticated_author
from mailhub.store.meeting_models import Meeting, MeetingAnswer, MeetingAttendee
from mailhub.store.models import ActivityEvent
from mailhub.timeutil import aware

log = logging.getLogger("mailhub.replies")


def calendar_parts(message: Message) -> list[bytes]:
    """Every calendar in a message: text/calendar, application/ics, or an attached .ics file."""
    found = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = (part.get_filename() or "").lower()
        if part.get_content_type() in ("text/calendar", "application/ics") or filename.endswith(".ics"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip():
                found.append(payload)
    return found


def is_read_receipt(message: Message) -> bool:
    return message.get_content_type() == "multipart/report" and \
        str(message.get_param("report-type", "")).lower() == "disposition-notification"


class ReplyProcessor:
    def __init__(self, directory: Directory, clock: Clock) -> None:
        self.directory = directory
        self.clock = clock

    def record(self, session: Session, content: bytes, sender: str, queue_id: str = "", vouched: str = "") -> None:
        """Read one message sent to an organizer address; write what it says in ``session``.

        An answer counts only from the attendee it names, and only when someone vouches for the
        sender (``vouched``: an AUTH login, a trusted office system, or one of the province's mailbox
        servers, which authenticated its own user). Any other answer is passed on to the organizer
        unchanged and logged, but changes no answer and no usage figure."""
        try:
            self._read(session, content, sender, queue_id, vouched)
        except Exception as exc:  # whatever a hostile reply holds: passed on, recorded nothing, never retried
            log.warning("%s: unreadable reply from <%s> passed on, nothing recorded: %s: %s", queue_id,
                        sender or "", exc.__class__.__name__, str(exc)[:200])

    def _read(self, session: Session, content: bytes, sender: str, queue_id: str, vouched: str) -> None:
        message = email.message_from_bytes(content, policy=compat32)
        verified = self._verified(message, sender, vouched)
        if is_read_receipt(message):
            if verified:
                self._activity(session, verified, "mdn", "read receipt")
                log.info("%s: read receipt recorded from=<%s>", queue_id, verified)
            else:
                log.info("%s: read receipt from <%s> not verified: not counted", queue_id, sender or "<>")
        seen_calendar = False
        for calendar in calendar_parts(message):
            seen_calendar = True
            try:
                items = parse_reply(calendar)
            except (ReplyError, ValueError, AttributeError, TypeError, KeyError, IndexError) as exc:
                log.warning("ignored a malformed calendar reply from %s: %s", sender or "<>", exc)
                continue
            for item in self._own_answers(items, {self._from_address(message), sender.lower()}):
                if not verified or not self._same_person(item.attendee, verified):
                    log.warning("%s: an unverified answer for <%s> from <%s> (vouched by %s): passed on, not recorded",
                                queue_id, item.attendee, sender or "<>", vouched or "no one")
                    continue
                self._record(session, item, sender, queue_id)
        if not seen_calendar and not is_read_receipt(message):
            log.info("%s: a human reply from %s to an organizer address; passed on", queue_id, sender or "<>")

    def _verified(self, message: Message, sender: str, vouched: str) -> str:
        """The author's address when whoever vouches stands behind it (relay.sender_trust), else ""."""
        return authenticated_author(vouched, from_address=self._from_address(message), mail_from=sender,
                                    directory=self.directory)

    def _same_person(self, attendee: str, verified: str) -> bool:
        """The same official (an address and its aliases or former domains), never a group they share."""
        if attendee.lower() == verified:
            return True
        mine = self._one_mailbox(verified)
        return mine is not None and mine == self._one_mailbox(attendee)

    def _one_mailbox(self, address: str) -> str | None:
        """The one mailbox an official's or agency's address (or alias) stands for; None for a group."""
        with contextlib.suppress(DirectoryError):
            resolution = self.directory.resolve(address)
            if resolution.kind in ("official", "agency") and len(resolution.mailboxes) == 1:
                return resolution.mailboxes[0].address
        return None

    @staticmethod
    def _own_answers(items: list[ReplyItem], senders: set[str]) -> list[ReplyItem]:
        """A REPLY carries the replier's own answer; some clients list every attendee. Then only the
        sender's own line counts, or, failing a match, the lines that actually answer."""
        attendees = {item.attendee for item in items}
        if len(attendees) <= 1:
            return items
        mine = [item for item in items if item.attendee in senders]
        return mine or [item for item in items if item.answer != "needs-action"]

    def _from_address(self, message: Message) -> str:
        """From: read exactly as intake read it (raw, encoded-words not decoded): the author someone
        vouched for there is the author here."""
        addresses = author_addresses(message.get_all("From", []) or [])
        return addresses[0] if len(addresses) == 1 else ""

    def _record(self, session: Session, item: ReplyItem, sender: str, queue_id: str) -> None:
        now = self.clock()
        stamped = min(aware(item.stamped_at) or now, now)  # a DTSTAMP in the future is the arrival time
        meeting = session.exec(select(Meeting).where(func.lower(Meeting.uid) == item.uid.lower())).first()
        if meeting is None:
            log.warning("%s: a reply from %s for an unknown meeting %s", queue_id, sender or "<>", item.uid)
            return
        email_address = self._attendee(session, meeting, item.attendee)
        if email_address is None:
            log.warning("%s: a reply for meeting %s from %s, who is not invited", queue_id, meeting.id,
                        item.attendee)
            return
        answer = session.exec(select(MeetingAnswer).where(
            MeetingAnswer.meeting_id == meeting.id, MeetingAnswer.email == email_address,
            MeetingAnswer.occurrence == item.occurrence)).first()
        sequence = min(item.sequence, meeting.sequence)  # no answer to a version that was never sent
        if answer is not None and (answer.sequence, aware(answer.stamped_at)) > (sequence, aware(stamped)):
            log.info("%s: an older answer from %s for meeting %s ignored", queue_id, email_address, meeting.id)
            return
        if answer is None:
            assert meeting.id is not None
            answer = MeetingAnswer(meeting_id=meeting.id, email=email_address, occurrence=item.occurrence,
                                   answer=item.answer, stamped_at=stamped)
        answer.answer, answer.stamped_at, answer.comment = item.answer, stamped, item.comment[:1000]
        answer.sequence = sequence
        session.add(answer)
        for delegate in item.delegated_to:  # the attendee's own reply names who goes instead
            self._add_delegate(session, meeting, delegate, email_address, queue_id)
        session.add(ActivityEvent(at=now, address=email_address, kind="itip-reply",
                                  detail=f"meeting {meeting.id}: {item.answer}"))
        log.info("%s: reply recorded meeting=%s attendee=<%s> answer=%s", queue_id, meeting.id, email_address,
                 item.answer)

    def _add_delegate(self, session: Session, meeting: Meeting, delegate: str, delegator: str, queue_id: str) -> None:
        """A delegate becomes an attendee, so that the delegate's own (verified) answer counts."""
        if self._attendee(session, meeting, delegate) is not None:
            return
        assert meeting.id is not None
        name, agency = "", ""
        with contextlib.suppress(DirectoryError):
            for official in self.directory.resolve(delegate).mailboxes[:1]:
                name, agency = official.display_name, official.agency_code
        session.add(MeetingAttendee(meeting_id=meeting.id, email=delegate, display_name=name[:255],
                                    agency_code=agency[:64]))
        log.info("%s: meeting %s: <%s> delegated to <%s>, now an attendee", queue_id, meeting.id, delegator, delegate)

    def _attendee(self, session: Session, meeting: Meeting, address: str) -> str | None:
        """The invited address the answer is for, also when it comes from an alias or old domain."""
        candidates = [address.lower()]
        mailbox = self._one_mailbox(address)  # an alias or former domain; never a group's members
        if mailbox is not None:
            candidates.append(mailbox)
        for candidate in candidates:
            if session.exec(select(MeetingAttendee).where(
                    MeetingAttendee.meeting_id == meeting.id,
                    func.lower(MeetingAttendee.email) == candidate)).first() is not None:
                return candidate
        return None

    def _activity(self, session: Session, address: str, kind: str, detail: str) -> None:
        if address:
            session.add(ActivityEvent(at=self.clock(), address=address.lower(), kind=kind, detail=detail))

