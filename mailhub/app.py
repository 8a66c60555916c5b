"""The composition root: every long-lived object is built here, nowhere at import time."""

from __future__ import annotations

import functools
import socket
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect

from directory import Directory, DirectoryError, DirectoryOptions
from mailhub import db
from mailhub.config import Settings, parse_host_port
from mailhub.errors import ConfigurationError, MailhubError
from mailhub.timeutil import utcnow

if TYPE_CHECKING:  # the parts are imported where they are built: a command loads only what it uses
    from mailhub.delivery.manager import DeliveryManager
    from mailhub.delivery.routing import MxResolver
    from mailhub.delivery.wakeup import WakeListener
    from mailhub.dispatch.meetings.service import MeetingService
    from mailhub.dispatch.notices import NoticeService
    from mailhub.dispatch.people import People
    from mailhub.dispatch.schedules.publish import SchedulePublisher
    from mailhub.gate.policy_gate import PolicyGate
    from mailhub.queue.core import Clock, DeliveryJob, Queue
    from mailhub.relay.domains import Domains
    from mailhub.relay.intake import ContentGate, Intake
    from mailhub.relay.service_addresses import ServiceAddresses
    from mailhub.senders import DnsLookup
    from mailhub.signing.keys import KeyStore
    from mailhub.signing.smime import CertificateStore
    from mailhub.smtp.credentials import Authenticator
    from mailhub.smtp.handlers import InboundHandler, SubmissionHandler
    from mailhub.smtp.throttle import ConnectionLimiter


@dataclass
class RelayService:
    """Everything `mailhub serve` runs, wired together."""

    hostname: str
    node: str
    queue: Queue
    intake: Intake
    manager: DeliveryManager
    submission_handler: SubmissionHandler
    inbound_handler: InboundHandler
    tls_context: ssl.SSLContext
    limiter: ConnectionLimiter
    gate: ContentGate
    wake_listener: WakeListener


@dataclass
class App:
    settings: Settings
    engine: Engine
    directory: Directory
    clock: Clock = utcnow
    notes: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings, *, check_schema: bool = True, clock: Clock = utcnow) -> App:
        engine = db.make_engine(settings.effective_database_url)
        app = cls(
            settings=settings,
            engine=engine,
            directory=Directory(engine, DirectoryOptions(address_pattern=settings.address_pattern,
                                                         own_domains=tuple(settings.province_domains.split(",")))),
            clock=clock,
        )
        if check_schema:
            app.ensure_schema()
        return app

    @property
    def single_node(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def hostname(self) -> str:
        return self.settings.hostname or socket.getfqdn() or "localhost"

    def ensure_schema(self) -> None:
        """A brand-new database is initialised; an outdated one is an error, never silently changed."""
        tables = inspect(self.engine).get_table_names()
        if not tables:
            db.upgrade(self.engine)
            self.notes.append("initialised a new database")
            return
        current = db.current_revision(self.engine)
        if current == db.SCHEMA_HEAD:
            return
        head = db.head_revision()
        if current is not None and current not in db.known_revisions():
            # A newer release migrated the database; migrations only add, so this node still works
            # beside it while the nodes are rolled (expand, then contract in a later release).
            self.notes.append(f"the database schema ({current}) is newer than this mailhub's ({head})")
            return
        if current != head:
            raise MailhubError(
                f"the database schema is at {current or 'no revision'}, this mailhub needs {head}: "
                "run `mailhub db upgrade`"
            )

    def queue(self) -> Queue:
        from mailhub.queue.core import Queue, RetryPolicy

        s = self.settings
        return Queue(self.engine, RetryPolicy(s.retry_min_seconds, s.retry_max_seconds, s.queue_lifetime_seconds),
                     self.clock)

    def meetings(self, intake: Intake | None = None) -> MeetingService:
        from mailhub.dispatch.meetings.service import MeetingService

        return MeetingService(engine=self.engine, directory=self.directory, intake=intake or self.intake(),
                              service_addresses=self.service_addresses(), clock=self.clock)

    def people(self) -> People:
        from mailhub.dispatch.people import People

        return People(self.directory, self.domains(), self.service_addresses())

    def schedules(self) -> SchedulePublisher:
        from mailhub.dispatch.schedules.publish import SchedulePublisher

        return SchedulePublisher(engine=self.engine, people=self.people(), intake=self.intake(), clock=self.clock)

    def notices(self, intake: Intake | None = None) -> NoticeService:
        from mailhub.dispatch.notices import NoticeService

        return NoticeService(engine=self.engine, people=self.people(), intake=intake or self.intake(),
                             clock=self.clock)

    def service_addresses(self) -> ServiceAddresses:
        from mailhub.relay.service_addresses import ServiceAddresses

        return ServiceAddresses(self.engine, self.settings.service_domain)

    def domains(self) -> Domains:
        from mailhub.relay.domains import Domains

        extra = [d for d in self.settings.province_domains.split(",") if d.strip()]
        return Domains(self.engine, self.settings.service_domain, extra)

    def authenticator(self) -> Authenticator:
        from mailhub.smtp.credentials import Authenticator, ImapChecker, LdapChecker, PasswordChecker

        s = self.settings
        checker: PasswordChecker | None = None
        if s.auth_imap:
            host, port = parse_host_port(s.auth_imap, 993 if s.auth_imap_security == "tls" else 143)
            checker = ImapChecker(host, port, s.auth_imap_security, s.auth_imap_verify)
        elif s.auth_ldap_url:
            checker = LdapChecker(s.auth_ldap_url, s.auth_ldap_bind, s.auth_imap_verify)
        return Authenticator(self.directory, checker, s.auth_cache_seconds)

    def gate(self) -> PolicyGate:
        from mailhub.gate.policy_gate import PolicyGate

        return PolicyGate.from_settings(self.settings)

    def intake(self, *, gate: ContentGate | None = None) -> Intake:
        """The intake alone, for the CLI paths that compose mail (nothing is delivered from here)."""
        from mailhub.delivery.wakeup import poke

        intake = self._intake(self.queue(), self.domains(), gate or self.gate(), signing_if_set_up=True)
        intake.on_enqueued = functools.partial(poke, self.settings.home)  # a `serve` on this home delivers now
        return intake

    def _intake(self, queue: Queue, domains: Domains, gate: ContentGate, *, signing_if_set_up: bool = False) -> Intake:
        """``signing_if_set_up`` (a command, over in a second): the DKIM signer and the S/MIME signer
        only when keys or certificates are there now, so that a command without them loads no
        cryptography. ``serve`` always has both: a key activated while it runs is used soon after."""
        from mailhub.relay.intake import Intake
        from mailhub.relay.recipients import Recipients
        from mailhub.relay.verp import ReturnPaths

        return_paths = ReturnPaths.load(self.engine, self.settings.service_domain)
        recipients = Recipients(self.directory, domains, return_paths, self.service_addresses())
        signer, smime = None, None
        if not signing_if_set_up or _has_files(self.settings.dkim_keys or self.settings.home / "dkim"):
            from mailhub.signing.signer import DkimSigner

            signer = DkimSigner(self.dkim_keys())
        if not signing_if_set_up or _has_files(self.settings.smime_certificates or self.settings.home / "smime"):
            smime = self._smime_signer()
        return Intake(queue=queue, directory=self.directory, recipients=recipients, hostname=self.hostname,
                      clock=self.clock, gate=gate, signer=signer, smime=smime)

    def certificates(self) -> CertificateStore:
        from mailhub.signing.smime import CertificateStore

        return CertificateStore(self.settings.smime_certificates or self.settings.home / "smime")

    def _smime_signer(self) -> Callable[[bytes, str], bytes]:
        """Sign composed mail with the certificate of the agency it is sent in the name of (an organizer
        address on the service domain stands for its real address)."""
        store, service = self.certificates(), self.service_addresses()

        def sign(content: bytes, author: str) -> bytes:
            try:
                mailboxes = self.directory.resolve(service.target_of(author) or author).mailboxes
            except DirectoryError:
                return content
            return store.sign(content, mailboxes[0].agency_code, self.clock()) if mailboxes else content

        return sign

    def dns_lookup(self) -> DnsLookup:
        from mailhub.senders import DnsLookup, parse_nameservers

        return DnsLookup(parse_nameservers(self.settings.dns_nameservers), self.settings.dns_timeout_seconds)

    def dkim_keys(self) -> KeyStore:
        from mailhub.signing.keys import KeyStore

        return KeyStore(self.settings.dkim_keys or self.settings.home / "dkim")

    def relay(self, *, resolver: MxResolver | None = None, gate: ContentGate | None = None) -> RelayService:
        from mailhub.delivery.bounces import BounceNotifier
        from mailhub.delivery.deliverer import Deliverer
        from mailhub.delivery.manager import DeliveryManager
        from mailhub.delivery.mta_sts import MtaSts
        from mailhub.delivery.routing import DnsMxResolver, Router, parse_transport_map
        from mailhub.delivery.tls_policy import TlsPolicy
        from mailhub.delivery.wakeup import WakeListener
        from mailhub.replies.answers import ReplyProcessor
        from mailhub.replies.stage import RepliesStage
        from mailhub.senders import SenderAuthenticator, parse_nameservers
        from mailhub.smtp.data_memory import DataMemory
        from mailhub.smtp.handlers import InboundHandler, ListenerContext, SubmissionHandler
        from mailhub.smtp.throttle import AuthThrottle, ConnectionLimiter
        from mailhub.smtp.tls import ensure_self_signed, server_context

        s = self.settings
        try:
            smarthost = parse_host_port(s.smarthost, 25) if s.smarthost else None
            transport_map = parse_transport_map(s.transport_map)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from exc
        domains = self.domains()
        queue = self.queue()
        gate = gate or self.gate()
        intake = self._intake(queue, domains, gate)
        recipients, return_paths = intake.recipients, intake.recipients.return_paths
        node = f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        tls_policy = TlsPolicy(s.tls_policy, s.tls_ca_file)

        def mail_from(job: DeliveryJob) -> str:
            return return_paths.address(job.queue_id) if job.sender else ""

        manager = DeliveryManager(
            queue=queue,
            router=Router(domains, smarthost, transport_map,
                          resolver or DnsMxResolver(s.dns_timeout_seconds, parse_nameservers(s.dns_nameservers)),
                          self._smarthost_credentials(), tls_policy=tls_policy,
                          mta_sts=MtaSts(self.dns_lookup(), port=s.mta_sts_port, timeout=s.dns_timeout_seconds,
                                         ca_file=str(s.tls_ca_file) if s.tls_ca_file else None)
                          if s.mta_sts else None),
            deliverer=Deliverer(self.hostname, tls_policy=tls_policy),
            mail_from=mail_from,
            on_failed=BounceNotifier(intake=intake, hostname=self.hostname, service_domain=s.service_domain,
                                     organisation=self._organisation(), clock=self.clock),
            local=RepliesStage(engine=self.engine, queue=queue, return_paths=return_paths,
                               answers=ReplyProcessor(self.directory, self.clock)),
            node=node,
            concurrency=s.delivery_concurrency,
            connections_per_route=s.destination_concurrency,
            lease_seconds=s.claim_lease_seconds,
        )
        intake.on_enqueued = manager.wake
        context = ListenerContext(intake=intake, recipients=recipients, directory=self.directory,
                                  domains=domains, max_recipients=s.max_recipients,
                                  authenticate=self.authenticator())
        if s.tls_cert and s.tls_key:
            cert, key = s.tls_cert, s.tls_key
        else:
            cert, key = ensure_self_signed(s.home, self.hostname)
        return RelayService(
            hostname=self.hostname,
            node=node,
            queue=queue,
            intake=intake,
            manager=manager,
            submission_handler=SubmissionHandler(context, trusted_networks=s.trusted, login_throttle=AuthThrottle(),
                                                 on_lockout=self._audit_lockout),
            inbound_handler=InboundHandler(context, mail_servers=s.mail_servers, sender_checks=SenderAuthenticator(
                self.dns_lookup(), timeout=s.dns_timeout_seconds, claimable=domains.is_province_or_ours)),
            tls_context=server_context(cert, key),
            limiter=ConnectionLimiter(s.max_connections_per_client, s.max_connections, s.smtp_data_timeout_seconds,
                                      DataMemory(s.data_memory_mb * 1024 * 1024)),
            gate=gate,
            wake_listener=WakeListener(s.home, manager.wake),
        )

    def _audit_lockout(self, login: str, client: str) -> None:
        from sqlmodel import Session

        from mailhub.store.models import AuditEvent

        with Session(self.engine) as session:
            session.add(AuditEvent(at=self.clock(), event="auth-locked", sender=login, recipients="",
                                   client_address=client, sha256="", rule="auth-throttle",
                                   location="submission AUTH", detail=""))
            session.commit()

    def _smarthost_credentials(self) -> tuple[str, str] | None:
        s = self.settings
        if s.smarthost_username and s.smarthost_password:
            return s.smarthost_username, s.smarthost_password.get_secret_value()
        return None

    def _organisation(self) -> str:
        roots = [a for a in self.directory.agencies() if a.parent_code is None and a.active]
        return roots[0].name if roots else "tỉnh"

    def close(self) -> None:
        self.engine.dispose()


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())
