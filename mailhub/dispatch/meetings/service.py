"""Creating, updating and cancelling meetings: the directory says who, the builder says what,
intake sends (so documents pass the confidentiality gate), and the database remembers."""

from __future__ import annotations

import json
import mimetypes
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from directory import Directory, InvalidInput
from mailhub.dispatch.composing import audited_refusals, one_line, write_output
from mailhub.dispatch.letterhead import Letterhead, Signer
from mailhub.dispatch.meetings.compose import Document, describe, invitation_message
from mailhub.dispatch.meetings.ical import MeetingSpec, Override, build_calendar
from mailhub.dispatch.meetings.letters import (
    meeting_letterhead,
    shift_exceptions,
    signer_json,
    store_documents,
    stored_documents,
)
from mailhub.dispatch.people import People
from mailhub.dispatch.person import Person
from mailhub.errors import MailhubError
from mailhub.queue.core import Clock
from mailhub.relay.intake import LOCAL, Intake, Submission
from mailhub.relay.service_addresses import ServiceAddresses
from mailhub.store.meeting_models import Meeting, MeetingAttendee, MeetingMessage, MeetingOverride
from mailhub.timeutil import LOCAL as LOCAL_TZ
from mailhub.timeutil import aware


@dataclass(frozen=True)
class InviteRequest:
    title: str
    start: datetime
    end: datetime
    organizer: str
    to: tuple[str, ...]
    location: str = ""
    chair: str | None = None
    agenda: str = ""
    attachments: tuple[Path, ...] = ()
    online_url: str = ""
    bridges: tuple[str, ...] = ()
    weekly_until: date | None = None
    skip: tuple[date, ...] = ()
    number: str = ""  # Số: 45/GM-UBND
    signer: Signer | None = None  # the signer block; the organizer agency's head by default


@dataclass(frozen=True)
class Changes:
    title: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    location: str | None = None
    agenda: str | None = None
    to: tuple[str, ...] | None = None
    online_url: str | None = None
    bridges: tuple[str, ...] | None = None
    chair: str | None = None


@dataclass(frozen=True)
class Outgoing:
    kind: str
    recipients: tuple[Person, ...]
    content: bytes


def parse_when(value: str) -> datetime:
    """'YYYY-MM-DD HH:MM' in Asia/Ho_Chi_Minh, or an ISO time with its own offset."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a time like 2026-12-07 08:00") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ)


class MeetingService:
    def __init__(self, *, engine: Engine, directory: Directory, intake: Intake,
                 service_addresses: ServiceAddresses, clock: Clock) -> None:
        self.engine = engine
        self.directory = directory
        self.intake = intake
        self.service_addresses = service_addresses
        self.clock = clock
        self.resolver = People(directory, intake.recipients.domains, service_addresses)

    # -- create / update / cancel ---------------------------------------------------------------

    def create(self, request: InviteRequest, output: Path | None = None) -> Meeting:
        if not request.title.strip():
            raise InvalidInput("a meeting needs a title")
        one_line(request.title, request.location, request.online_url, *request.bridges)
        if request.end <= request.start:
            raise InvalidInput("the meeting must end after it starts")
        if request.weekly_until and request.weekly_until < request.start.astimezone(LOCAL_TZ).date():
            raise InvalidInput("--weekly-until is before the first meeting")
        one_line(request.number)
        organizer, real, head = self.resolver.organizer(request.organizer)
        attendees = self.resolver.people(request.to)
        chair = self.resolver.person(request.chair, "CHAIR") if request.chair else None
        documents = tuple(_document(path) for path in request.attachments)
        uid = f"{uuid.uuid4()}@{self.service_addresses.domain}"
        meeting = Meeting(uid=uid, title=request.title.strip(), starts_at=request.start, ends_at=request.end,
                          location=request.location, organizer=real, organizer_name=organizer.name,
                          organizer_service=organizer.email, chair=chair.email if chair else None,
                          chair_name=chair.name if chair else "", agenda=request.agenda,
                          online_url=request.online_url, bridges=json.dumps(list(request.bridges)),
                          weekly_until=request.weekly_until, exdates=json.dumps([d.isoformat() for d in request.skip]),
                          attachments=json.dumps([d.filename for d in documents]),
                          document_number=request.number.strip(), signer=signer_json(request.signer))
        spec = self._spec(meeting, attendees, chair, ())
        head = meeting_letterhead(head, meeting)
        outgoing = [self.compose(spec, "request", "REQUEST", spec.everyone, head, documents)]
        with audited_refusals(), Session(self.engine, expire_on_commit=False) as session:
            session.add(meeting)
            session.flush()
            assert meeting.id is not None
            for person in spec.everyone:
                session.add(MeetingAttendee(meeting_id=meeting.id, email=person.email, display_name=person.name,
                                            agency_code=person.agency, role=person.role))
            store_documents(session, meeting.id, documents)
            self._commit(session, meeting, outgoing, output)  # the meeting and its invitation together, or neither
        self._sent(outgoing, output)
        return meeting

    def update(self, meeting_id: int, changes: Changes, occurrence: date | None = None,
               output: Path | None = None) -> Meeting:
        with audited_refusals():
            return self._update(meeting_id, changes, occurrence, output)

    def _update(self, meeting_id: int, changes: Changes, occurrence: date | None,
                output: Path | None) -> Meeting:
        with Session(self.engine, expire_on_commit=False) as session:
            meeting = self._meeting(session, meeting_id)
            if meeting.status == "cancelled":
                raise MailhubError(f"meeting {meeting_id} is cancelled")
            meeting.sequence += 1
            one_line(changes.title or "", changes.location or "")
            removed: tuple[Person, ...] = ()
            if occurrence is not None:
                if changes.to is not None or changes.chair is not None or changes.bridges is not None:
                    raise InvalidInput("--to, --chair and --bridge apply to the whole series, not to one --occurrence")
                self._check_occurrence(meeting, occurrence)
                self._override(session, meeting, occurrence, changes)
            else:
                for name in ("title", "location", "agenda", "online_url"):
                    if getattr(changes, name) is not None:
                        setattr(meeting, name, getattr(changes, name))
                if changes.bridges is not None:
                    meeting.bridges = json.dumps(list(changes.bridges))
                if changes.chair is not None:
                    self._replace_chair(session, meeting, self.resolver.person(changes.chair, "CHAIR"))
                if changes.start is not None or changes.end is not None:
                    meeting.time_sequence = meeting.sequence  # answers given before do not stand for the new time
                    duration = meeting.ends_at - meeting.starts_at
                    if changes.start is not None and meeting.weekly_until:
                        shift_exceptions(session, meeting, changes.start)
                    meeting.starts_at = changes.start or meeting.starts_at
                    meeting.ends_at = changes.end or meeting.starts_at + duration
                    if meeting.ends_at <= meeting.starts_at:
                        raise InvalidInput("the meeting must end after it starts")
                if changes.to is not None:
                    removed = self._replace_attendees(session, meeting, self.resolver.people(changes.to))
            meeting.updated_at = self.clock()
            spec = self.spec_of(session, meeting)
            head = self.letterhead(meeting)
            assert meeting.id is not None
            documents = stored_documents(session, meeting.id)  # an update replaces the item: its documents too
            outgoing = [self.compose(spec, "update", "REQUEST", spec.everyone, head, documents, occurrence)]
            if removed:
                outgoing.append(self.compose(spec, "cancel", "CANCEL", removed, head, ()))
            self._commit(session, meeting, outgoing, output)
        self._sent(outgoing, output)
        return meeting

    def cancel(self, meeting_id: int, occurrence: date | None = None, output: Path | None = None) -> Meeting:
        with audited_refusals(), Session(self.engine, expire_on_commit=False) as session:
            meeting = self._meeting(session, meeting_id)
            if meeting.status == "cancelled":
                raise MailhubError(f"meeting {meeting_id} is already cancelled")
            meeting.sequence += 1
            if occurrence is not None:
                self._check_occurrence(meeting, occurrence)
                self._override(session, meeting, occurrence, Changes(), cancelled=True)
            else:
                meeting.status = "cancelled"
            meeting.updated_at = self.clock()
            spec = self.spec_of(session, meeting)
            outgoing = [self.compose(spec, "cancel", "CANCEL", spec.everyone, self.letterhead(meeting), (), occurrence)]
            self._commit(session, meeting, outgoing, output)
        self._sent(outgoing, output)
        return meeting

    def send_reminders(self, lead: timedelta) -> int:
        from mailhub.dispatch.meetings.reminders import send_reminders

        return send_reminders(self, lead)

    # -- pieces ----------------------------------------------------------------------------

    def _meeting(self, session: Session, meeting_id: int) -> Meeting:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise MailhubError(f"no meeting {meeting_id}")
        return meeting

    def _check_occurrence(self, meeting: Meeting, occurrence: date) -> None:
        first = meeting.starts_at.astimezone(LOCAL_TZ).date()
        last = meeting.weekly_until or first
        if not (first <= occurrence <= last and (occurrence - first).days % 7 == 0):
            raise InvalidInput(f"{occurrence} is not a date on which meeting {meeting.id} takes place")

    def _override(self, session: Session, meeting: Meeting, occurrence: date, changes: Changes,
                  cancelled: bool = False) -> None:
        assert meeting.id is not None
        override = session.exec(select(MeetingOverride).where(
            MeetingOverride.meeting_id == meeting.id, MeetingOverride.occurrence == occurrence)).first()
        override = override or MeetingOverride(meeting_id=meeting.id, occurrence=occurrence)
        if changes.start is not None:
            override.starts_at = changes.start
            override.ends_at = changes.end or changes.start + (meeting.ends_at - meeting.starts_at)
        elif changes.end is not None:
            override.ends_at = changes.end
        for name in ("title", "location"):
            if getattr(changes, name) is not None:
                setattr(override, name, getattr(changes, name))
        override.cancelled = override.cancelled or cancelled
        override.sequence = meeting.sequence
        session.add(override)
        session.flush()

    def _replace_chair(self, session: Session, meeting: Meeting, chair: Person) -> None:
        assert meeting.id is not None
        for row in session.exec(select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting.id)).all():
            if row.role == "CHAIR" and row.email != chair.email:
                row.role = "REQ-PARTICIPANT"
                session.add(row)
        found = session.exec(select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting.id,
                                                           MeetingAttendee.email == chair.email)).first()
        seat = found or MeetingAttendee(meeting_id=meeting.id, email=chair.email, display_name=chair.name,
                                        agency_code=chair.agency)
        seat.role, seat.active = "CHAIR", True
        session.add(seat)
        meeting.chair, meeting.chair_name = chair.email, chair.name
        session.flush()

    def _replace_attendees(self, session: Session, meeting: Meeting, wanted: tuple[Person, ...]) -> tuple[Person, ...]:
        assert meeting.id is not None
        rows = {a.email: a for a in session.exec(select(MeetingAttendee).where(
            MeetingAttendee.meeting_id == meeting.id)).all()}
        keep = {p.email for p in wanted} | ({meeting.chair} if meeting.chair else set())
        removed = []
        for email, row in rows.items():
            if row.active and email not in keep:
                row.active = False
                removed.append(Person(row.email, row.display_name, row.role, row.agency_code))
                session.add(row)
        for person in wanted:
            existing = rows.get(person.email)
            if existing is None:
                session.add(MeetingAttendee(meeting_id=meeting.id, email=person.email, display_name=person.name,
                                            agency_code=person.agency, role=person.role))
            elif not existing.active:
                existing.active = True
                session.add(existing)
        session.flush()
        return tuple(removed)

    def _spec(self, meeting: Meeting, attendees: tuple[Person, ...], chair: Person | None,
              overrides: tuple[Override, ...]) -> MeetingSpec:
        spec = MeetingSpec(
            uid=meeting.uid, sequence=meeting.sequence, title=meeting.title, start=meeting.starts_at,
            end=meeting.ends_at, organizer=Person(meeting.organizer_service, meeting.organizer_name),
            attendees=attendees, location=meeting.location, chair=chair, agenda=meeting.agenda,
            online_url=meeting.online_url, bridges=tuple(json.loads(meeting.bridges)),
            weekly_until=meeting.weekly_until,
            exdates=tuple(date.fromisoformat(d) for d in json.loads(meeting.exdates)),
            overrides=overrides, documents=tuple(json.loads(meeting.attachments)),
        )
        return replace(spec, description=describe(spec))

    def spec_of(self, session: Session, meeting: Meeting) -> MeetingSpec:
        rows = session.exec(select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting.id,
                                                          MeetingAttendee.active == True)  # noqa: E712
                            .order_by(col(MeetingAttendee.id))).all()
        chair = next((Person(r.email, r.display_name, "CHAIR", r.agency_code) for r in rows if r.role == "CHAIR"),
                     None)
        attendees = tuple(Person(r.email, r.display_name, r.role, r.agency_code) for r in rows if r.role != "CHAIR")
        overrides = tuple(
            Override(o.occurrence, o.sequence, o.title, aware(o.starts_at), aware(o.ends_at), o.location,
                     o.cancelled)
            for o in session.exec(select(MeetingOverride).where(MeetingOverride.meeting_id == meeting.id)).all())
        # ORGANIZER and From on the configured service domain: it follows a change of the setting (the
        # address a meeting was first sent from keeps working as an alias)
        meeting.organizer_service = self.service_addresses.for_address(meeting.organizer, meeting.organizer_name,
                                                                       session=session)
        return self._spec(meeting, attendees, chair, overrides)

    def letterhead(self, meeting: Meeting) -> Letterhead:
        _, head = self.resolver.sender(meeting.organizer)
        return meeting_letterhead(head, meeting)

    def compose(self, spec: MeetingSpec, kind: str, method: str, recipients: tuple[Person, ...],
                 head: Letterhead, documents: tuple[Document, ...], occurrence: date | None = None) -> Outgoing:
        now = self.clock()
        attendees = recipients if method == "CANCEL" and recipients != spec.everyone else None
        calendar = build_calendar(spec, method, now=now, attendees=attendees, occurrence=occurrence).to_ical()
        content = invitation_message(spec, kind=kind, method=method, calendar=calendar, recipients=recipients,
                                     documents=documents, head=head, now=now, occurrence=occurrence)
        return Outgoing(kind, recipients, content)

    def _check(self, outgoing: list[Outgoing], sender: str, *, audit_now: bool = True) -> None:
        """Refuse before anything is recorded or queued: the gate's verdict, in both languages."""
        for message in outgoing:
            self.intake.screen(Submission(content=message.content, mail_from=sender,
                                          rcpt_tos=tuple(p.email for p in message.recipients), kind="composed"),
                               audit_now=audit_now)

    def queue_messages(self, session: Session, meeting: Meeting, outgoing: list[Outgoing]) -> None:
        """Check and queue each message in the caller's transaction (the gate runs once, in intake),
        with the row that ties it to the meeting. Call ``notify`` after the commit."""
        for message in outgoing:
            queue_id = self.intake.enqueue_in(session, Submission(
                content=message.content, mail_from=meeting.organizer_service,
                rcpt_tos=tuple(p.email for p in message.recipients), listener=LOCAL, kind="composed"))
            assert meeting.id is not None
            session.add(MeetingMessage(meeting_id=meeting.id, queue_id=queue_id, kind=message.kind))

    def notify(self) -> None:
        self.intake.notify()

    def _commit(self, session: Session, meeting: Meeting, outgoing: list[Outgoing], output: Path | None) -> None:
        """A change and its messages in one commit. A preview screens the messages and changes nothing:
        no meeting, no SEQUENCE, no attendee, no queued message."""
        if output is not None:
            self._check(outgoing, meeting.organizer_service, audit_now=False)
            session.rollback()
            return
        session.add(meeting)
        self.queue_messages(session, meeting, outgoing)
        session.commit()

    def _sent(self, outgoing: list[Outgoing], output: Path | None) -> None:
        if output is not None:
            write_output(output, [m.content for m in outgoing], [m.kind for m in outgoing])
        else:
            self.notify()


def _document(path: Path) -> Document:
    if not path.is_file():
        raise InvalidInput(f"attachment {path} does not exist")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Document(path.name, path.read_bytes(), content_type)




__all__ = ["Changes", "InviteRequest", "MeetingService", "parse_when"]
