"""The single entry to the queue (Postfix's cleanup): every message, from SMTP or composed
by mailhub itself, is checked, stamped and committed here.

parse -> checks (hops, headers, sender rights) -> content gate -> stamp -> ONE transaction.
A refusal raises Refused with the precise reply; nothing of a refused message is kept.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sqlmodel import Session

from directory import Directory
from mailhub.errors import MailhubError
from mailhub.queue.core import Activity, Clock, NewMessage, NewRecipient, Queue, new_queue_id
from mailhub.relay.headers import (
    check_headers,
    header_block,
    missing_headers,
    protocol_name,
    received_header,
)
from mailhub.relay.recipients import GROUP, PERSON, RETURN_PATH, RecipientDecision, Recipients
from mailhub.relay.refusals import (
    FROM_NOT_OWNED,
    GATE_TEMPORARY,
    GROUP_NEEDS_AUTHENTICATION,
    MALFORMED,
    MORE_THAN_ONE_FROM,
    NO_VALID_RECIPIENTS,
    POLICY_BLOCKED,
    Refused,
)
from mailhub.relay.sender_trust import authenticated_author, check_author_fields, check_inbound_sender, vouched_by
from mailhub.store.models import AuditEvent

if TYPE_CHECKING:  # the sender checks and the signer load only where they are used (not in every command)
    from mailhub.senders import SenderAuthentication
    from mailhub.signing.signer import DkimSigner

log = logging.getLogger("mailhub.relay.intake")

SUBMISSION, INBOUND, LOCAL = "submission", "inbound", "local"
# on a reply to an organizer whose sender no one vouches for: passed on, but it changed no answer
STAMP_HERE_BYTES = 64 * 1024  # a larger message is stamped in a thread (its headers are parsed, maybe signed)
NOT_VERIFIED = b"X-Mailhub-Sender-Verified: no (not from a province mail server, no aligned DKIM or SPF)\r\n"


@dataclass(frozen=True)
class Submission:
    content: bytes
    mail_from: str
    rcpt_tos: tuple[str, ...]
    listener: str = LOCAL
    client_ip: str = "127.0.0.1"
    helo: str = "localhost"
    login: str | None = None
    trusted: bool = False
    tls: bool = False
    esmtp: bool = True
    kind: str = "relay"
    mail_server: bool = False  # inbound from one of the province's mailbox servers (MAILHUB_PROVINCE_MAIL_SERVERS)
    sender_auth: SenderAuthentication | None = None  # SPF/DKIM/DMARC of a message from the Internet


@dataclass(frozen=True)
class GateDecision:
    blocked: bool
    rule: str = ""
    location: str = ""
    reason: str = ""  # the reply text, Vietnamese then English, one line each; never words of the content
    temporary: bool = False  # not checked (deadline, dead worker, stopping): try later; blocked too, failing closed
    detail: str = ""  # for a temporary decision: why, one line in English
    not_read: str = ""  # where ordinary pictures passed unread (the audit notes it); names only as hashes


class ContentGate(Protocol):
    def check(self, content: bytes, *, composed: bool = False) -> GateDecision: ...

    async def check_async(self, content: bytes, *, lane: str = LOCAL, client: str = "") -> GateDecision: ...


class PassGate:
    def check(self, content: bytes, *, composed: bool = False) -> GateDecision:
        return GateDecision(blocked=False)

    async def check_async(self, content: bytes, *, lane: str = LOCAL, client: str = "") -> GateDecision:
        return GateDecision(blocked=False)


class GateUnavailable(Refused, MailhubError):
    """The gate could not check the message now: ``451 4.7.1`` on SMTP, and for a command that composes
    mail one line ("try again later") and a non-zero exit. Nothing is audited and nothing is queued."""

    def __init__(self, decision: GateDecision) -> None:
        Refused.__init__(self, GATE_TEMPORARY.with_text(decision.reason or GATE_TEMPORARY.text))
        self.decision = decision

    def __str__(self) -> str:
        why = self.decision.detail or self.decision.rule or "the content gate is unavailable"
        return f"not sent, try again later: the message could not be checked ({why}); nothing was queued"


@dataclass(frozen=True)
class Accepted:
    queue_id: str
    recipients: int
    message_id: str


class Intake:
    def __init__(
        self,
        *,
        queue: Queue,
        directory: Directory,
        recipients: Recipients,
        hostname: str,
        clock: Clock,
        gate: ContentGate | None = None,
        on_enqueued: Callable[[], None] | None = None,
        signer: DkimSigner | None = None,
        smime: Callable[[bytes, str], bytes] | None = None,
    ) -> None:
        self.queue = queue
        self.directory = directory
        self.recipients = recipients
        self.hostname = hostname
        self.clock = clock
        self.gate = gate or PassGate()
        self.on_enqueued = on_enqueued
        self.signer = signer
        self.smime = smime  # (composed message, its author) -> the message S/MIME-signed in the agency's name

    def accept(self, submission: Submission, *, decision: GateDecision | None = None) -> Accepted:
        """Check, stamp and commit one message (its own transaction, shared with whatever else is
        waiting: group commit). ``decision``: the gate's answer when the caller already has it;
        without it, the gate is asked here. The listeners do the same steps themselves, with the
        stamping beside the gate's check rather than after it (``stamp``, ``screen``, ``ready``,
        ``Queue.enqueue_soon``, ``accepted``)."""
        message, screened = self.prepare(submission, decision=decision)
        self.queue.enqueue(message)
        if screened.not_read:
            self.audit_unread(submission, screened)
        return self.accepted(message, submission)

    def accepted(self, message: NewMessage, submission: Submission, *, notify: bool = True) -> Accepted:
        """After the commit: wake delivery (unless it wrote the message itself), log the line every
        queued message gets."""
        if notify:
            self.notify()
        log.info("%s: queued from=<%s> nrcpt=%d size=%d via=%s", message.queue_id, message.sender,
                 len(message.recipients), message.size, submission.listener)
        return Accepted(message.queue_id, len(message.recipients), message.message_id)

    def audit_unread(self, submission: Submission, screened: GateDecision) -> None:
        """A message that passed with pictures the gate did not read: noted for the audit."""
        self._audit(submission, screened, event="not-read")

    def enqueue_in(self, session: Session, submission: Submission) -> str:
        """For mail mailhub composes: check and stamp the message, and write it in the caller's
        transaction, so the meeting, notice or schedule it belongs to and its queued message commit
        together (or not at all). A refusal raised here carries its audit in ``refusal.record``, to
        write once the caller's transaction is gone. Call ``notify()`` after the commit."""
        message, screened = self.prepare(submission, audit_now=False)
        self.queue.enqueue_in(session, message)
        log.info("%s: queued from=<%s> nrcpt=%d size=%d via=composed", message.queue_id, message.sender,
                 len(message.recipients), message.size)
        if screened.not_read:
            session.add(self._audit_event(submission, screened, "not-read"))
        return message.queue_id

    def notify(self) -> None:
        """Tell the delivery manager (when one runs in this process) that there is new work."""
        if self.on_enqueued:
            self.on_enqueued()

    def prepare(self, submission: Submission, *, decision: GateDecision | None = None,
                audit_now: bool = True) -> tuple[NewMessage, GateDecision]:
        """Everything before the queue write: header checks, sender rights, recipient decisions and
        expansion, the stamps (``stamp``), then the content gate (``screen``, once)."""
        stamped = self.stamp(submission)
        screened = self.screen(submission, decision=decision, audit_now=audit_now)
        return self.ready(stamped), screened

    @staticmethod
    def ready(stamped: NewMessage | None) -> NewMessage:
        """The message to queue, once the gate has passed it; a refusal when no mailbox is left."""
        if stamped is None:
            raise Refused(NO_VALID_RECIPIENTS)
        return stamped

    def stamps_from_memory(self, submission: Submission) -> bool:
        """Whether ``stamp`` would not read the database for this message: an office system's letter on the
        submission port (no login to check the From: against), small, to recipients decided at RCPT. Such a
        message is stamped on the listener's loop; any other in a thread."""
        return (submission.listener == SUBMISSION and submission.trusted and submission.login is None
                and submission.sender_auth is None and submission.kind != "composed"
                and len(submission.content) <= STAMP_HERE_BYTES
                and self.recipients.from_memory(submission.rcpt_tos, sender=submission.mail_from, may_relay=True,
                                                report=submission.kind == "dsn"))

    def stamp(self, submission: Submission) -> NewMessage | None:
        """Header checks, sender rights, recipient decisions and expansion, the Received stamp, missing
        headers and the signature: everything but the content gate, whose verdict (``screen``) the
        message still needs before it may be queued (``ready``). Refuses (raises) on headers and
        recipients; None when no mailbox is left once groups are expanded (refused, once screened)."""
        content = submission.content
        if submission.listener != LOCAL:  # an Authentication-Results claiming to be ours is forged
            from mailhub.senders.results import strip_forged_results

            content = strip_forged_results(content, self.hostname, from_outside=submission.sender_auth is not None)
        summary = check_headers(header_block(content))
        if submission.listener != LOCAL and summary.from_fields > 1:
            raise Refused(MORE_THAN_ONE_FROM)
        if submission.listener == SUBMISSION and not summary.from_addresses:
            raise Refused(MALFORMED.with_text("Message has no From: header"))
        if submission.login:
            for address in summary.from_addresses:
                if not self.directory.may_send_as(submission.login, address):
                    raise Refused(FROM_NOT_OWNED.with_text(
                        f"From: <{address}> is not an address {submission.login} may send as"))
        if submission.listener == INBOUND and submission.sender_auth is not None:  # from the Internet
            check_author_fields(summary)
            check_inbound_sender(submission, summary.from_addresses, self.recipients.domains)
        vouched = vouched_by(submission)
        single_from = summary.from_addresses[0] if len(summary.from_addresses) == 1 else ""

        may_relay = submission.listener == LOCAL or bool(submission.login) or submission.trusted
        decisions = self.recipients.decide_all(submission.rcpt_tos, sender=submission.mail_from,
                                               may_relay=may_relay, report=submission.kind == "dsn")
        author = ""  # asked of the directory only when a group or an organizer address needs it
        if submission.listener != LOCAL and any(d.kind in (GROUP, PERSON) for d in decisions):
            author = single_from if submission.login else authenticated_author(  # a login's From: is checked above
                vouched, from_address=single_from, mail_from=submission.mail_from, directory=self.directory)
            decisions = self._closed_groups(decisions, submission, author, vouched, may_relay)
        refused = [d for d in decisions if d.refusal is not None]
        if refused and (len(refused) == len(decisions) or submission.listener == LOCAL):
            first = refused[0]
            reply = first.refusal or NO_VALID_RECIPIENTS
            raise Refused(reply.with_text(f"{reply.text}: {first.address}"))

        targets = self._expand([d for d in decisions if d.refusal is None])
        if not targets:
            return None

        now = self.clock()
        queue_id = new_queue_id()
        received = received_header(
            helo=submission.helo, client_ip=submission.client_ip, hostname=self.hostname,
            protocol=protocol_name(esmtp=submission.esmtp, tls=submission.tls, authenticated=bool(submission.login)),
            queue_id=queue_id, recipient=targets[0].address if len(targets) == 1 else None, when=now,
        )
        added, message_id = b"", summary.message_id
        if submission.listener in (SUBMISSION, LOCAL):
            added, message_id = missing_headers(summary, domain=self.hostname, when=now)
        if submission.sender_auth is not None:
            from mailhub.senders.results import authentication_results

            added = authentication_results(submission.sender_auth, self.hostname) + added
        if submission.listener == INBOUND and not author and any(d.kind == PERSON for d in decisions):
            added += NOT_VERIFIED  # for the organizer: this reply changed no answer
        if self.smime is not None and submission.kind == "composed" and single_from:
            content = self.smime(content, single_from)
        stamps = received + added  # in front of the content as it came: no second copy of a large message
        if self.signer is not None and single_from and (submission.listener != INBOUND or submission.mail_server):
            # ours to sign: what officials, office systems, the mailbox server and mailhub itself send
            stamps = self.signer.signatures(stamps + content, single_from.rpartition("@")[2]) + stamps
        activity = (Activity(submission.login, "submission", queue_id),) if submission.login else ()
        return NewMessage(
            content=content,
            stamps=stamps,
            sender=submission.mail_from,
            recipients=tuple(targets),
            message_id=message_id,
            kind=submission.kind,
            submitted_by=vouched,
            client_address=submission.client_ip,
            activity=activity,
            queue_id=queue_id,
        )

    def _closed_groups(self, decisions: list[RecipientDecision], submission: Submission,
                       author: str, vouched: str, may_relay: bool) -> list[RecipientDecision]:
        """A group that is not open to everyone takes the message only from an author someone vouches
        for (login, office system, mailbox server, aligned DKIM/SPF: ``author``) who may post there.
        The envelope sender seen at RCPT is only a claim."""
        checked = []
        for decision in decisions:
            if decision.kind == GROUP and decision.refusal is None and \
                    not self.recipients.may_post(decision.address, author, from_inside=may_relay):
                log.info("refused from=<%s> client=%s: group %s needs an authenticated poster (vouched by %s)",
                         submission.mail_from, submission.client_ip, decision.address, vouched)
                decision = RecipientDecision(decision.address, GROUP, GROUP_NEEDS_AUTHENTICATION.with_text(
                    f"{GROUP_NEEDS_AUTHENTICATION.text} (From: must be a listed poster, and its sender verified)"))
            checked.append(decision)
        return checked

    def screen(self, submission: Submission, *, audit_now: bool = True,
               decision: GateDecision | None = None) -> GateDecision:
        """The content gate alone: refuse (and audit) a marked message; nothing of it is stored.
        Commands that compose mail call this before they record or queue anything; one holding a
        transaction passes ``audit_now=False`` and writes ``refusal.record()`` after it. A message the
        gate could not check raises GateUnavailable (try later) and is not audited."""
        verdict = decision or self.gate.check(submission.content, composed=submission.kind == "composed")
        if verdict.temporary:
            raise GateUnavailable(verdict)
        if verdict.blocked:
            def record() -> None:
                self._audit(submission, verdict)

            if audit_now:
                record()
            raise Refused(POLICY_BLOCKED.with_text(verdict.reason or POLICY_BLOCKED.text),
                              None if audit_now else record)
        return verdict

    def _expand(self, decisions: list[RecipientDecision]) -> list[NewRecipient]:
        """Every mailbox the message goes to. A return path or an organizer address is itself a
        recipient too: the replies stage reads the message there, after the queue (an organizer's
        real mailbox gets the message as well, as an ordinary recipient)."""
        seen: dict[str, NewRecipient] = {}
        for decision, expansion in zip(decisions, self.recipients.expand_all(decisions), strict=True):
            if decision.kind in (RETURN_PATH, PERSON):
                seen.setdefault(decision.address, NewRecipient(address=decision.address, original=decision.address))
            for address in expansion:
                seen.setdefault(address, NewRecipient(address=address, original=decision.address))
        return list(seen.values())

    def _audit(self, submission: Submission, verdict: GateDecision, event: str = "blocked") -> None:
        """Metadata and a hash only: a refused message's content is never stored. ``not-read``: a
        message that passed with pictures the gate did not read (ordinary photos), noted for the audit."""
        with Session(self.queue.engine) as session:
            session.add(self._audit_event(submission, verdict, event))
            session.commit()
        log.info("%s from=<%s> client=%s rule=%s where=%s", "refused" if event == "blocked" else "noted",
                 submission.mail_from, submission.client_ip, verdict.rule or "image-not-read",
                 verdict.location or verdict.not_read)

    def _audit_event(self, submission: Submission, verdict: GateDecision, event: str) -> AuditEvent:
        return AuditEvent(
            at=self.clock(), event=event, sender=submission.mail_from,
            recipients=",".join(submission.rcpt_tos)[:4000], client_address=submission.client_ip,
            sha256=hashlib.sha256(submission.content).hexdigest(),
            rule=(verdict.rule if event == "blocked" else "image-not-read")[:64],
            location=(verdict.location if event == "blocked" else verdict.not_read)[:500], detail="",
        )
