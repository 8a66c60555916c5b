"""Invitation calendars, pure and separate from sending (RFC 5545, 5546, 6047), and the
reading of replies as real clients send them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneStandard, vCalAddress, vText

from mailhub.dispatch.person import Person
from mailhub.timeutil import LOCAL, TZID

PRODID = "-//mailhub//Lich hop UBND//VI"
ANSWERS = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative", "DELEGATED": "delegated",
           "NEEDS-ACTION": "needs-action"}


@dataclass(frozen=True)
class Override:
    """One occurrence of a series, changed or cancelled; ``occurrence`` is its original date."""

    occurrence: date
    sequence: int
    title: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    location: str | None = None
    cancelled: bool = False


@dataclass(frozen=True)
class MeetingSpec:
    uid: str
    sequence: int
    title: str
    start: datetime
    end: datetime
    organizer: Person
    attendees: tuple[Person, ...]
    location: str = ""
    chair: Person | None = None
    agenda: str = ""
    online_url: str = ""
    bridges: tuple[str, ...] = ()
    weekly_until: date | None = None
    exdates: tuple[date, ...] = ()
    overrides: tuple[Override, ...] = ()
    status: str = "CONFIRMED"
    description: str = ""
    documents: tuple[str, ...] = field(default_factory=tuple)

    @property
    def everyone(self) -> tuple[Person, ...]:
        chair = (replace(self.chair, role="CHAIR"),) if self.chair else ()
        return chair + tuple(p for p in self.attendees if not self.chair or p.email != self.chair.email)

    def original_start(self, occurrence: date) -> datetime:
        return datetime.combine(occurrence, self.start.astimezone(LOCAL).time(), LOCAL)


def timezone_component() -> Timezone:
    """A single STANDARD component: Viet Nam has kept UTC+7 without daylight saving since 1975."""
    zone = Timezone()
    zone.add("tzid", TZID)
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1975, 6, 13))
    standard.add("tzoffsetfrom", timedelta(hours=7))
    standard.add("tzoffsetto", timedelta(hours=7))
    standard.add("tzname", "ICT")
    zone.add_component(standard)
    return zone


WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _address(person: Person, *, attendee: bool, asks_reply: bool = True) -> vCalAddress:
    value = vCalAddress(f"mailto:{person.email}")
    if person.name:
        value.params["CN"] = vText(person.name)
    if attendee:
        value.params["CUTYPE"] = vText("INDIVIDUAL")
        value.params["ROLE"] = vText(person.role)
        if asks_reply:  # a cancellation asks nothing of anyone (no Accept/Decline)
            value.params["PARTSTAT"] = vText("NEEDS-ACTION")
            value.params["RSVP"] = vText("TRUE")
    return value


def _event(spec: MeetingSpec, *, now: datetime, attendees: tuple[Person, ...], sequence: int,
           start: datetime, end: datetime, title: str, location: str, status: str,
           recurrence_id: datetime | None = None, series: bool = False) -> Event:
    event = Event()
    event.add("uid", spec.uid)
    event.add("dtstamp", now.astimezone(ZoneInfo("UTC")))
    event.add("sequence", sequence)
    if recurrence_id is not None:
        event.add("recurrence-id", recurrence_id.astimezone(LOCAL))
    event.add("dtstart", start.astimezone(LOCAL))
    event.add("dtend", end.astimezone(LOCAL))
    event.add("summary", title)
    if location.strip():
        event.add("location", location.strip())
    if spec.description:
        event.add("description", spec.description)
    if spec.online_url:
        event.add("url", spec.online_url)
    event.add("status", status)
    event.add("transp", "OPAQUE")
    event.add("class", "PUBLIC")
    event.add("organizer", _address(spec.organizer, attendee=False), encode=False)
    for person in attendees:
        event.add("attendee", _address(person, attendee=True, asks_reply=status != "CANCELLED"), encode=False)
    if series and spec.weekly_until:
        until = datetime.combine(spec.weekly_until, time(23, 59, 59), LOCAL).astimezone(ZoneInfo("UTC"))
        weekday = WEEKDAY_CODES[start.astimezone(LOCAL).weekday()]  # BYDAY: some clients need it spelled out
        event.add("rrule", {"FREQ": "WEEKLY", "UNTIL": until, "BYDAY": weekday})
        cancelled = sorted({*spec.exdates, *(o.occurrence for o in spec.overrides if o.cancelled)})
        for day in cancelled:
            event.add("exdate", spec.original_start(day))
    return event


def build_calendar(spec: MeetingSpec, method: str, *, now: datetime, attendees: tuple[Person, ...] | None = None,
                   occurrence: date | None = None) -> Calendar:
    """REQUEST or CANCEL for the series, or for one occurrence when ``occurrence`` is given."""
    people = attendees if attendees is not None else spec.everyone
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(timezone_component())
    cancel = method == "CANCEL"
    if occurrence is None:
        status = "CANCELLED" if cancel else spec.status
        calendar.add_component(_event(spec, now=now, attendees=people, sequence=spec.sequence, start=spec.start,
                                      end=spec.end, title=spec.title, location=spec.location, status=status,
                                      series=True))
        if not cancel:
            for override in spec.overrides:
                if not override.cancelled:
                    calendar.add_component(_override_event(spec, override, now, people, "CONFIRMED"))
        return calendar
    override = next((o for o in spec.overrides if o.occurrence == occurrence),
                    Override(occurrence=occurrence, sequence=spec.sequence))
    calendar.add_component(_override_event(spec, override, now, people, "CANCELLED" if cancel else "CONFIRMED"))
    return calendar


def _override_event(spec: MeetingSpec, override: Override, now: datetime, people: tuple[Person, ...],
                    status: str) -> Event:
    original = spec.original_start(override.occurrence)
    duration = spec.end - spec.start
    start = override.start or original
    return _event(spec, now=now, attendees=people, sequence=override.sequence, start=start,
                  end=override.end or start + duration, title=override.title or spec.title,
                  location=spec.location if override.location is None else override.location,
                  status=status, recurrence_id=original)


@dataclass(frozen=True)
class ReplyItem:
    uid: str
    occurrence: str  # "" for the whole series, else the ISO date of RECURRENCE-ID
    attendee: str
    answer: str
    stamped_at: datetime | None
    comment: str = ""
    sequence: int = 0  # of the invitation answered (RFC 5546: the reply echoes it)
    delegated_to: tuple[str, ...] = ()  # PARTSTAT=DELEGATED: who goes instead (RFC 5546 3.2.2.3)


class ReplyError(ValueError):
    """A calendar that is not a usable reply; the message says why."""


def _addresses(value: object) -> tuple[str, ...]:
    """``"mailto:a@x","mailto:b@y"`` (a list or one string) -> ("a@x", "b@y")."""
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    found = []
    for item in items:
        text = str(item).strip().strip('"').strip()
        if text.lower().startswith("mailto:"):
            text = text[7:]
        if "@" in text and len(text) <= 320:
            found.append(text.lower())
    return tuple(found[:10])


def parse_reply(data: bytes) -> list[ReplyItem]:
    """Answers in an iTIP REPLY, tolerant of what real clients send: METHOD missing, no ORGANIZER,
    several VEVENTs, MAILTO in any case, PARTSTAT in any case."""
    try:
        calendar = Calendar.from_ical(data)
    except Exception as exc:
        raise ReplyError(f"not a readable calendar ({type(exc).__name__}: {exc})") from exc
    method = str(calendar.get("method", "REPLY")).upper()
    if method != "REPLY":  # a COUNTER proposes a change; it is not an answer
        raise ReplyError(f"calendar method {method} is not a reply")
    items: list[ReplyItem] = []
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("uid", "")).strip()
        if not uid:
            raise ReplyError("a VEVENT without UID")
        occurrence = ""
        if event.get("recurrence-id") is not None:
            value = event.decoded("recurrence-id")
            occurrence = (value.astimezone(LOCAL).date() if isinstance(value, datetime) else value).isoformat()
        stamped = event.decoded("dtstamp") if event.get("dtstamp") is not None else None
        try:
            sequence = int(str(event.get("sequence", 0) or 0))
        except ValueError:
            sequence = 0
        attendees = event.get("attendee", [])
        for attendee in attendees if isinstance(attendees, list) else [attendees]:
            params = getattr(attendee, "params", {})
            address = str(attendee).strip()
            if address.lower().startswith("mailto:"):
                address = address[7:]
            elif params.get("EMAIL"):  # iCloud and others: urn:uuid:… with the address in EMAIL=
                address = str(params.get("EMAIL"))
            partstat = str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()
            if partstat not in ANSWERS:
                raise ReplyError(f"unknown PARTSTAT {partstat!r}")
            items.append(ReplyItem(uid, occurrence, address.strip().lower(), ANSWERS[partstat],
                                   stamped if isinstance(stamped, datetime) else None,
                                   str(event.get("comment", "") or ""), sequence,
                                   _addresses(params.get("DELEGATED-TO")) if partstat == "DELEGATED" else ()))
    if not items:
        raise ReplyError("no VEVENT with an ATTENDEE")
    return items
