"""Publishing a week: the first time, the whole week; after a revision, only what changed
(higher SEQUENCE for changed items, cancellations for removed ones), with the changes highlighted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from mailhub.dispatch.composing import audited_refusals, one_line, write_output
from mailhub.dispatch.letterhead import Signer
from mailhub.dispatch.people import People
from mailhub.dispatch.schedules.reader import ScheduleEntry, read_schedule, week_days
from mailhub.dispatch.schedules.render import (
    CHANGED,
    NEW,
    REMOVED,
    SAME,
    Item,
    cancellation_message,
    schedule_message,
)
from mailhub.queue.core import Clock
from mailhub.relay.intake import LOCAL, Intake, Submission
from mailhub.store.publishing_models import Publication, ScheduleItem
from mailhub.timeutil import aware
from policies import fold

SCHEDULE_RECIPIENTS = ("Như trên", "Lưu: VT")


def _compared(uid: str, entry: ScheduleEntry, old: ScheduleItem) -> Item:
    """The row as the item it was: re-added, changed (a higher SEQUENCE) or the same."""
    fields = (entry.start, entry.end, entry.content, entry.location, entry.participants, entry.leader)
    if old.cancelled:
        status, sequence = NEW, old.sequence + 1
    elif (aware(old.starts_at), aware(old.ends_at), old.content, old.location, old.participants,
          old.leader) != fields:
        status, sequence = CHANGED, old.sequence + 1
    else:
        status, sequence = SAME, old.sequence
    return Item(uid, entry.day, entry.start, entry.end, entry.leader, entry.content, entry.location,
                entry.participants, sequence, status)


@dataclass(frozen=True)
class PublishResult:
    week: str
    new: int
    changed: int
    removed: int
    unchanged: int
    queue_id: str | None
    written: tuple[str, ...] = ()
    cancel_queue_ids: tuple[str, ...] = ()  # one cancellation message per removed item

    @property
    def sent_anything(self) -> bool:
        return bool(self.new or self.changed or self.removed)


class SchedulePublisher:
    def __init__(self, *, engine: Engine, people: People, intake: Intake, clock: Clock) -> None:
        self.engine = engine
        self.people = people
        self.intake = intake
        self.clock = clock

    def publish(self, path: Path, week: str, to: Sequence[str], organizer: str | None = None,
                output: Path | None = None, *, number: str = "", signer: Signer | None = None) -> PublishResult:
        with audited_refusals():
            return self._publish(path, week, to, organizer, output, number, signer)

    def _publish(self, path: Path, week: str, to: Sequence[str], organizer: str | None,
                 output: Path | None, number: str, signer: Signer | None) -> PublishResult:
        week = week.strip().upper()
        monday, sunday = week_days(week)
        entries = read_schedule(path, week)
        recipients = self.people.people(to)
        one_line(number)
        sender, _, head = self.people.organizer(organizer or self.people.default_sender())
        head = head.with_options(number=number, signer=signer, recipients_note=SCHEDULE_RECIPIENTS)
        domain = self.people.service_addresses.domain
        with Session(self.engine, expire_on_commit=False) as session:
            stored = {i.uid: i for i in session.exec(select(ScheduleItem).where(ScheduleItem.week == week)).all()}
            items = self._diff(week, domain, entries, stored)
            revision = any(not s.cancelled for s in stored.values()) or any(s.cancelled for s in stored.values())
            counts = {s: sum(1 for i in items if i.status == s) for s in (NEW, CHANGED, REMOVED, SAME)}
            result = PublishResult(week, counts[NEW], counts[CHANGED], counts[REMOVED], counts[SAME], None)
            if not result.sent_anything:
                return result
            now, week_number = self.clock(), monday.isocalendar()[1]
            ordered = sorted(items, key=lambda i: (i.start, i.status == REMOVED))
            contents = [schedule_message(week_number=week_number, monday=monday, sunday=sunday, items=ordered,
                                         revision=revision, organizer=sender, head=head, recipients=recipients,
                                         now=now)]
            contents += [cancellation_message(week_number=week_number, item=item, organizer=sender, head=head,
                                              recipients=recipients, now=now)
                         for item in ordered if item.status == REMOVED]
            submissions = [Submission(content=content, mail_from=sender.email, listener=LOCAL, kind="composed",
                                      rcpt_tos=tuple(p.email for p in recipients)) for content in contents]
            if output is not None:
                for submission in submissions:
                    self.intake.screen(submission, audit_now=False)
                written = write_output(output, contents, ["schedule"] + ["cancel"] * (len(contents) - 1))
                session.rollback()  # a preview changes nothing: the real publish still sees the change
                return PublishResult(**{**result.__dict__, "written": tuple(str(p) for p in written)})
            # the week and all its messages: one transaction
            queue_ids = [self.intake.enqueue_in(session, submission) for submission in submissions]
            self._store(session, week, items, stored)
            for queue_id in queue_ids:
                session.add(Publication(kind="schedule", reference=week, queue_id=queue_id))
            session.commit()
        self.intake.notify()
        return PublishResult(**{**result.__dict__, "queue_id": queue_ids[0], "cancel_queue_ids": tuple(queue_ids[1:])})

    def _diff(self, week: str, domain: str, entries: list[ScheduleEntry],
              stored: dict[str, ScheduleItem]) -> list[Item]:
        """Each row against what was sent. A row is the same item as before when its day, start and
        leader are (its UID); failing that, when its day, leader and content are: a meeting moved to
        another hour is that item changed (its calendar event moves), not one cancelled and one new."""
        items: list[Item] = []
        seen: set[str] = set()
        unmatched: list[ScheduleEntry] = []
        for entry in entries:
            uid = entry.uid(week, domain)
            old = stored.get(uid)
            if old is None:
                unmatched.append(entry)
                continue
            seen.add(uid)
            items.append(_compared(uid, entry, old))
        for entry in unmatched:
            earlier = next((old for uid, old in stored.items() if uid not in seen and not old.cancelled
                            and old.day == entry.day and fold(old.leader) == fold(entry.leader)
                            and fold(old.content) == fold(entry.content)), None)
            uid = earlier.uid if earlier is not None else entry.uid(week, domain)
            seen.add(uid)
            items.append(_compared(uid, entry, earlier) if earlier is not None else
                         Item(uid, entry.day, entry.start, entry.end, entry.leader, entry.content, entry.location,
                              entry.participants, 0, NEW))
        for uid, old in stored.items():
            if uid not in seen and not old.cancelled:
                items.append(Item(uid, old.day, aware(old.starts_at), aware(old.ends_at), old.leader, old.content,
                                  old.location, old.participants, old.sequence + 1, REMOVED))
        return items

    def _store(self, session: Session, week: str, items: list[Item], stored: dict[str, ScheduleItem]) -> None:
        now = self.clock()
        for item in items:
            row = stored.get(item.uid) or ScheduleItem(week=week, uid=item.uid, day=item.day, starts_at=item.start,
                                                       ends_at=item.end, leader=item.leader, content=item.content)
            row.day, row.starts_at, row.ends_at = item.day, item.start, item.end
            row.leader, row.content, row.location, row.participants = (item.leader, item.content, item.location,
                                                                       item.participants)
            row.sequence, row.cancelled, row.updated_at = item.sequence, item.status == REMOVED, now
            session.add(row)
