"""A whole envelope decided and expanded at once gives each recipient the same answer as asking
about it alone: aliases, disabled accounts, groups, selectors, duplicates, other domains."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from directory.models import MailAlias
from mailhub.app import App
from mailhub.config import Settings
from mailhub.relay.intake import SUBMISSION, Submission
from mailhub.relay.recipients import Recipients
from mailhub.store.models import QueuedMessage, QueueRecipient
from tests.mailhub.conftest import seed_province

ENVELOPE = (
    "vinhnq@bacninh.gov.vn", "VinhNQ@BacNinh.gov.vn", "vinhnq2@bacninh.gov.vn",
    "huongttt@bacninh.gov.vn",  # disabled below
    "syt@bacninh.gov.vn",  # an agency's mailbox
    "giamdoc@bacninh.gov.vn",  # an alias of vinhnq
    "nobody@bacninh.gov.vn", "friend@gmail.com", "Friend@Gmail.com", "not an address",
    "lanhdao@lich.bacninh.gov.vn", "gopy@lich.bacninh.gov.vn", "nobody@lich.bacninh.gov.vn",
    "agency:STTTT", "group:lanhdao", "agency:NOWHERE",
)


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path) -> App:
    built = App.build(Settings(home=tmp_path / "home", database_url=sqlite_url,
                               service_domain="lich.bacninh.gov.vn"))
    seed_province(built, tmp_path)
    with Session(built.engine) as session:
        session.add(MailAlias(address="giamdoc@bacninh.gov.vn", target="vinhnq@bacninh.gov.vn"))
        session.commit()
    built.directory.set_active("huongttt@bacninh.gov.vn", False)
    return built


def fresh(app: App) -> Recipients:
    return app.intake().recipients  # its own caches: nothing decided before


@pytest.mark.parametrize(("sender", "may_relay"), [("vanthu@bacninh.gov.vn", True), ("x@gmail.com", False)])
def test_decisions_and_expansions_match_one_by_one(app: App, sender: str, may_relay: bool) -> None:
    alone = [fresh(app).decide(a, sender=sender, may_relay=may_relay) for a in ENVELOPE]
    together = fresh(app).decide_all(ENVELOPE, sender=sender, may_relay=may_relay)
    assert together == alone
    usable = [d for d in alone if d.refusal is None]
    assert fresh(app).expand_all(usable) == [fresh(app).expand(d) for d in usable]


def test_a_delivery_report_to_an_unknown_own_address_is_still_sent(app: App) -> None:
    decided = fresh(app).decide_all(["nobody@bacninh.gov.vn"], sender="", may_relay=True, report=True)
    assert [d.refusal for d in decided] == [None]


def test_the_queue_gets_each_mailbox_once_with_what_the_client_wrote(app: App) -> None:
    content = (b"From: vanthu@bacninh.gov.vn\r\nTo: many\r\nSubject: test\r\n"
               b"Message-ID: <bulk@bacninh.gov.vn>\r\n\r\nbody\r\n")
    rcpts = ("giamdoc@bacninh.gov.vn", "vinhnq@bacninh.gov.vn", "syt@bacninh.gov.vn", "agency:STTTT",
             "huongttt@bacninh.gov.vn", "friend@gmail.com", "FRIEND@gmail.com")
    accepted = app.intake().accept(Submission(content=content, mail_from="vanthu@bacninh.gov.vn", rcpt_tos=rcpts,
                                              listener=SUBMISSION, trusted=True))
    with Session(app.engine) as session:
        rows = session.exec(select(QueueRecipient.address, QueueRecipient.original)
                            .join(QueuedMessage, col(QueuedMessage.id) == col(QueueRecipient.message_pk))
                            .where(QueuedMessage.queue_id == accepted.queue_id)
                            .order_by(col(QueueRecipient.id))).all()
    assert [tuple(r) for r in rows] == [
        ("vinhnq@bacninh.gov.vn", "giamdoc@bacninh.gov.vn"),
        ("syt@bacninh.gov.vn", "syt@bacninh.gov.vn"),
        ("vinhnq2@bacninh.gov.vn", "agency:STTTT"),
        ("friend@gmail.com", "friend@gmail.com"),
    ]
    assert accepted.recipients == 4


def test_a_trusted_systems_letter_to_recipients_seen_seconds_ago_is_stamped_without_the_directory(app: App) -> None:
    """What lets the listener stamp such a letter on its event loop instead of a thread: not one statement."""
    from sqlalchemy import event

    intake = app.intake()
    content = (b"From: vanthu@bacninh.gov.vn\r\nTo: vinhnq@bacninh.gov.vn\r\nSubject: test\r\n"
               b"Message-ID: <here@bacninh.gov.vn>\r\n\r\nbody\r\n")
    rcpts = ("vinhnq@bacninh.gov.vn", "friend@gmail.com")

    def letter(**changes: object) -> Submission:
        fields: dict[str, object] = dict(content=content, mail_from="vanthu@bacninh.gov.vn", rcpt_tos=rcpts,
                                         listener=SUBMISSION, trusted=True)
        fields.update(changes)
        return Submission(**fields)  # type: ignore[arg-type]

    assert not intake.stamps_from_memory(letter())  # nothing decided yet
    first = intake.stamp(letter())  # as the thread does: decides, expands, remembers
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(app.engine, "before_cursor_execute", count)
    try:
        assert intake.stamps_from_memory(letter())
        second = intake.stamp(letter())
    finally:
        event.remove(app.engine, "before_cursor_execute", count)
    assert statements == []
    assert first is not None and second is not None
    assert [r.address for r in second.recipients] == [r.address for r in first.recipients]
    assert b"Received: from localhost" in second.stamps

    assert not intake.stamps_from_memory(letter(login="vanthu@bacninh.gov.vn"))  # the From: is checked against it
    assert not intake.stamps_from_memory(letter(rcpt_tos=("group:lanhdao",)))  # a group asks more at DATA
    assert not intake.stamps_from_memory(letter(rcpt_tos=("vinhnq2@bacninh.gov.vn",)))  # not seen lately
    assert not intake.stamps_from_memory(letter(content=content + b"x" * 70_000))
    assert not intake.stamps_from_memory(letter(trusted=False))
