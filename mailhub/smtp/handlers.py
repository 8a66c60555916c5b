"""aiosmtpd hooks for the two listeners. Decisions live in intake and recipients;
these hooks only translate between the SMTP dialog and them. Nothing is delivered here."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from base64 import b64decode
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, Session

from directory import Directory, InvalidInput, normalise_address
from mailhub.queue.core import NewMessage
from mailhub.relay import refusals
from mailhub.relay.domains import Domains
from mailhub.relay.intake import INBOUND, SUBMISSION, Intake, Submission
from mailhub.relay.recipients import Recipients
from mailhub.relay.refusals import Refused
from mailhub.senders import SenderAuthentication, SenderAuthenticator
from mailhub.smtp import replies
from mailhub.smtp.listener import hook_names
from mailhub.smtp.throttle import AuthThrottle

log = logging.getLogger("mailhub.smtp")
SENDER_CHECK_THREADS = 8
SENDER_CHECKS_PER_CLIENT = 2
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _membership(networks: list[Network]) -> Callable[[str], bool]:
    """``_in_networks`` for one list fixed at start-up, remembered per client address (every message
    asks it several times; parsing the address was a few per cent of the listener's time)."""
    return lru_cache(maxsize=4096)(partial(_in_networks, networks=networks))


def _in_networks(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # a dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d
    return any(ip in network for network in networks)


def peer_ip(session: Session) -> str:
    peer = session.peer
    return str(peer[0]) if isinstance(peer, tuple) else str(peer or "")


def envelope_sender(envelope: Envelope) -> str:
    """The envelope sender, with the null sender as ""."""
    sender = envelope.mail_from or ""
    return "" if sender == "<>" else sender


@dataclass(frozen=True)
class ListenerContext:
    """What both listeners' hooks need."""

    intake: Intake
    recipients: Recipients
    directory: Directory
    domains: Domains
    max_recipients: int
    authenticate: Callable[[str, str], str | None]


class BaseHandler:
    listener = INBOUND

    def __dir__(self) -> list[str]:  # aiosmtpd scans the handler's names on every connection
        return hook_names(type(self))

    def __init__(self, context: ListenerContext) -> None:
        self.intake = context.intake
        self.recipients = context.recipients
        self.directory = context.directory
        self.domains = context.domains
        self.max_recipients = context.max_recipients
        self.authenticate = context.authenticate

    def may_relay(self, session: Session) -> bool:
        return False

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          mail_options: list[str]) -> str:
        address = "" if address.strip() in ("", "<>") else address  # aiosmtpd gives the null sender as "<>"
        if address:
            try:
                normalise_address(address)
            except InvalidInput:
                return str(replies.BAD_SENDER)
        refusal = await self.check_sender(session, address)
        if refusal is not None:
            return str(refusal)
        envelope.mail_from = address or "<>"  # aiosmtpd needs a true value to allow RCPT
        envelope.mail_options.extend(mail_options)
        return str(replies.OK)

    async def check_sender(self, session: Session, address: str) -> refusals.Reply | None:
        return None

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if len(envelope.rcpt_tos) >= self.max_recipients:
            return str(replies.TOO_MANY_RECIPIENTS)
        sender, may_relay = envelope_sender(envelope), self.may_relay(session)
        decision = self.recipients.cached(address, sender=sender, may_relay=may_relay)
        if decision is None:
            decision = await asyncio.to_thread(self.recipients.decide, address, sender=sender, may_relay=may_relay)
        if decision.refusal is not None:
            return str(decision.refusal)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return str(replies.RCPT_OK)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        session.reading_data = False  # type: ignore[attr-defined]  # the whole message is in: no ceiling now
        content = envelope.original_content or (
            envelope.content if isinstance(envelope.content, bytes) else str(envelope.content or "").encode())
        client = peer_ip(session)
        # the gate reads the content in its own worker processes while a thread checks the headers and
        # recipients and stamps the message (after the sender's DNS checks, which it needs); this
        # session waits, no one else does. Nothing is queued before the gate has passed it.
        checking = asyncio.ensure_future(self.intake.gate.check_async(content, lane=self.listener, client=client))
        try:
            sender_auth = await self.authenticate_sender(session, envelope, content)
            submission = Submission(
                content=content,
                mail_from=envelope_sender(envelope),
                rcpt_tos=tuple(envelope.rcpt_tos),
                listener=self.listener,
                client_ip=client,
                helo=session.host_name or "unknown",
                login=self.login(session),
                trusted=self.is_trusted(session),
                mail_server=self.is_mail_server(session),
                tls=session.ssl is not None,
                esmtp=session.extended_smtp,
                sender_auth=sender_auth,
            )
            stamped, failed = self._stamp_here(submission) if self.intake.stamps_from_memory(submission) \
                else await self._stamp(submission)
            # the session waits for its own check whatever the stamp said, so that one connection never has
            # more than one message in the gate's workers (a refusal it provokes at will frees none of them)
            decision = await checking
            if isinstance(failed, Refused):  # headers and recipients are answered first, as always
                raise failed
            if decision.temporary:
                log.info("not checked, try later: a message from %s (%s)", client, decision.detail)
                return str(refusals.GATE_TEMPORARY.with_text(decision.reason or refusals.GATE_TEMPORARY.text))
            if decision.blocked:  # refused, and audited (metadata and a hash only), whatever else failed
                await asyncio.to_thread(self.intake.screen, submission, decision=decision)
            if failed is not None:
                raise failed
            message = self.intake.ready(stamped)
            delivery_knows = await self.intake.queue.enqueue_async(message)
            if decision.not_read:
                await asyncio.to_thread(self.intake.audit_unread, submission, decision)
            accepted = self.intake.accepted(message, submission, notify=not delivery_knows)
        except Refused as refusal:
            log.info("refused from %s: %s", client, refusal.reply)
            return str(refusal.reply)
        except Exception:  # a failure of mailhub's own is never a permanent refusal
            log.exception("intake failed for a message from %s", client)
            return str(refusals.TEMPORARY_FAILURE)
        finally:
            checking.cancel()  # the session went away before the gate answered: its answer is not wanted
        return f"{replies.QUEUED} {accepted.queue_id}"

    async def _stamp(self, submission: Submission) -> tuple[NewMessage | None, Exception | None]:
        """``Intake.stamp`` in a thread; its refusal or failure returned, to weigh beside the gate's verdict."""
        try:
            return await asyncio.to_thread(self.intake.stamp, submission), None
        except Exception as exc:  # Refused, or a failure of mailhub's own (the gate's verdict may still refuse)
            return None, exc

    def _stamp_here(self, submission: Submission) -> tuple[NewMessage | None, Exception | None]:
        """The same on the loop, for a message ``stamps_from_memory``: the hand-off to a thread and back cost
        more than the stamp, and no database is read."""
        try:
            return self.intake.stamp(submission), None
        except Exception as exc:
            return None, exc

    async def authenticate_sender(self, session: Session, envelope: Envelope,
                                  content: bytes) -> SenderAuthentication | None:
        return None

    def login(self, session: Session) -> str | None:
        return None

    def is_trusted(self, session: Session) -> bool:
        return False

    def is_mail_server(self, session: Session) -> bool:
        return False


class InboundHandler(BaseHandler):
    """Port 25: mail from anywhere, only for the service domain. No AUTH here. Every message from
    anyone but the province's mailbox servers has its sender checked (SPF, DKIM, DMARC); intake
    decides what a claim of the province's domains or a failed DMARC policy gets."""

    listener = INBOUND

    def __init__(self, context: ListenerContext, *, mail_servers: list[Network] | None = None,
                 sender_checks: SenderAuthenticator | None = None) -> None:
        super().__init__(context)
        self.mail_servers = mail_servers or []
        self._from_mail_server = _membership(self.mail_servers)
        self.sender_checks = sender_checks
        # the checks wait on other people's DNS: their own threads, a few per client, and a deadline,
        # so that no sender can slow anyone else's mail (the mailbox servers' is never checked)
        self._check_pool = ThreadPoolExecutor(max_workers=SENDER_CHECK_THREADS, thread_name_prefix="mailhub-senders")
        self._per_client: dict[str, list] = {}  # client -> [its semaphore, sessions using it]

    def is_mail_server(self, session: Session) -> bool:
        return self._from_mail_server(peer_ip(session))

    async def authenticate_sender(self, session: Session, envelope: Envelope,
                                  content: bytes) -> SenderAuthentication | None:
        if self.sender_checks is None or self.is_mail_server(session):
            return None
        checks, client = self.sender_checks, peer_ip(session)
        mail_from, helo = envelope_sender(envelope), session.host_name or "unknown"
        slot = self._per_client.setdefault(client, [asyncio.Semaphore(SENDER_CHECKS_PER_CLIENT), 0])
        slot[1] += 1  # sessions of this client waiting or checking
        try:
            async with slot[0]:
                work = asyncio.get_running_loop().run_in_executor(
                    self._check_pool, partial(checks.check, content, mail_from=mail_from, helo=helo, client_ip=client))
                return await asyncio.wait_for(work, timeout=checks.deadline)
        except TimeoutError:
            log.info("sender checks of a message from %s took longer than %.0f s: try later", client, checks.deadline)
            return checks.unverifiable(content, mail_from=mail_from, helo=helo)
        finally:
            slot[1] -= 1
            if slot[1] == 0:
                self._per_client.pop(client, None)

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        return [r for r in responses if not r[4:].upper().startswith("AUTH")]

    async def handle_AUTH(self, server: SMTP, session: Session, envelope: Envelope, args: list[str]) -> str:
        return str(replies.AUTH_NOT_HERE)


class SubmissionHandler(BaseHandler):
    """Port 587: officials after STARTTLS + AUTH, and trusted office systems."""

    listener = SUBMISSION

    def __init__(self, context: ListenerContext, *, trusted_networks: list[Network],
                 login_throttle: AuthThrottle, on_lockout: Callable[[str, str], None] | None = None) -> None:
        super().__init__(context)
        self.trusted_networks = trusted_networks
        self._from_trusted = _membership(trusted_networks)
        self._login_throttle = login_throttle
        self.on_lockout = on_lockout  # writes the lock-out to the audit (``mailhub audit list``)

    def is_trusted(self, session: Session) -> bool:
        return self._from_trusted(peer_ip(session))

    def login(self, session: Session) -> str | None:
        return str(session.auth_data) if session.authenticated and session.auth_data else None

    def may_relay(self, session: Session) -> bool:
        return bool(session.authenticated) or self.is_trusted(session)

    async def check_sender(self, session: Session, address: str) -> refusals.Reply | None:
        login = self.login(session)
        if login:
            if not address:
                return replies.SENDER_NOT_OWNED
            allowed = await asyncio.to_thread(self.directory.may_send_as, login, address)
            return None if allowed else replies.SENDER_NOT_OWNED
        if self.is_trusted(session):
            if address and not self.domains.is_own(address.rpartition("@")[2]):
                return replies.SENDER_NOT_LOCAL
            return None
        return replies.STARTTLS_FIRST if session.ssl is None else replies.AUTH_REQUIRED

    async def auth_PLAIN(self, server: SMTP, args: list[str]) -> AuthResult:
        if len(args) == 1:
            answer = await server.challenge_auth("")
            if answer is MISSING:
                return AuthResult(success=False, handled=False)
            raw = bytes(answer)
        else:
            try:
                raw = b64decode(args[1].encode(), validate=True)
            except ValueError:
                await server.push("501 5.5.2 Cannot decode base64")
                return AuthResult(success=False, handled=True)
        parts = raw.split(b"\x00")
        if len(parts) != 3:
            await server.push("501 5.5.2 Cannot split AUTH PLAIN value")
            return AuthResult(success=False, handled=True)
        return await self._verify(server, parts[1], parts[2])

    async def auth_LOGIN(self, server: SMTP, args: list[str]) -> AuthResult:
        if len(args) == 1:
            login = await server.challenge_auth("Username:")
        else:
            try:
                login = b64decode(args[1].encode(), validate=True)
            except ValueError:
                await server.push("501 5.5.2 Cannot decode base64")
                return AuthResult(success=False, handled=True)
        if login is MISSING:
            return AuthResult(success=False, handled=False)
        password = await server.challenge_auth("Password:")
        if password is MISSING:
            return AuthResult(success=False, handled=False)
        return await self._verify(server, bytes(login), bytes(password))

    async def _verify(self, server: SMTP, login: bytes, password: bytes) -> AuthResult:
        assert server.session is not None
        client = peer_ip(server.session)
        name = login.decode("utf-8", "replace").strip()
        decision = self._login_throttle.begin(name, client)
        if not decision.allowed:
            return AuthResult(success=False, handled=False, message=str(replies.AUTH_THROTTLED))
        account: str | None = None
        try:
            await asyncio.sleep(decision.delay)  # the penalty: this session waits, no one else does
            account = await asyncio.to_thread(self.authenticate, name, password.decode("utf-8", "replace"))
        finally:
            locked = self._login_throttle.end(name, client, success=account is not None)
        if account is None:
            if locked:
                log.warning("AUTH locked out: login=<%s> client=%s after repeated failures", name[:100], client)
                if self.on_lockout is not None:
                    await asyncio.to_thread(self.on_lockout, name[:320], client)
            await asyncio.sleep(0.5)  # slows password guessing without blocking others
            return AuthResult(success=False, handled=False, message=str(replies.AUTH_INVALID))
        return AuthResult(success=True, auth_data=account, message=str(replies.AUTH_OK))
