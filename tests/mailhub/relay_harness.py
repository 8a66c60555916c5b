"""Real peers on loopback for relay tests: an aiosmtpd sink as the mailbox server, and
mailhub's own serve() running in a thread. Only Internet DNS is replaced (StaticResolver)."""

from __future__ import annotations

import asyncio
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from mailhub import eventloop
from mailhub.app import App
from mailhub.config import Settings
from mailhub.delivery.routing import HostPort
from mailhub.server import serve
from tests.mailhub.dns_standin import shared_dns


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class SinkHandler:
    """Accepts everything unless ``reply_for`` says otherwise for a recipient."""

    reply_for: Callable[[str], str | None] = lambda address: None
    messages: list[Received] = field(default_factory=list)
    transactions: int = 0

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:
        reply = self.reply_for(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.transactions += 1
        content = envelope.original_content or b""
        self.messages.append(Received(envelope.mail_from or "", list(envelope.rcpt_tos), content))
        return "250 2.0.0 Ok: stored"


@dataclass
class PipeliningSinkHandler(SinkHandler):
    """The same, announcing PIPELINING as Postfix does (aiosmtpd reads one command at a time anyway)."""

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


class Sink:
    def __init__(self, port: int = 0, reply_for: Callable[[str], str | None] | None = None,
                 size_limit: int | None = None, auth: tuple[str, str, Path] | None = None,
                 pipelining: bool = False, tls: tuple[Path, Path] | None = None) -> None:
        self.handler = (PipeliningSinkHandler if pipelining else SinkHandler)(reply_for=reply_for or (lambda a: None))
        extra: dict[str, Any] = {"data_size_limit": size_limit} if size_limit else {}
        if auth is not None:  # a mailbox server that wants STARTTLS and AUTH from mailhub
            user, password, home = auth
            extra.update(_auth_options(user, password, home))
        if tls is not None:  # STARTTLS offered with this certificate (chain, key), nothing required
            from mailhub.smtp.tls import server_context

            extra["tls_context"] = server_context(*tls)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port or free_port(), **extra)

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def start(self) -> Sink:
        self.controller.start()
        self.running = True
        return self

    def stop(self) -> None:
        if getattr(self, "running", False):
            self.controller.stop()
            self.running = False

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def _auth_options(user: str, password: str, home: Path) -> dict[str, Any]:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    from mailhub.smtp.tls import ensure_self_signed, server_context

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
        return AuthResult(success=ok)

    cert, key = ensure_self_signed(home, "mailbox.test")
    return {"tls_context": server_context(cert, key), "require_starttls": True, "auth_required": True,
            "authenticator": authenticator}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class StaticResolver:
    """Stands in for Internet DNS (outside this machine): fixed MX answers."""

    def __init__(self, answers: dict[str, list[HostPort]]) -> None:
        self.answers = answers

    async def lookup(self, domain: str) -> list[HostPort]:
        from mailhub.delivery.routing import RouteError

        if domain not in self.answers:
            raise RouteError(f"domain {domain} does not exist", permanent=True)
        return self.answers[domain]


class RunningRelay:
    """``mailhub serve`` in a background thread with its own event loop."""

    def __init__(self, app: App, resolver: StaticResolver | None = None) -> None:
        self.app = app
        self.resolver = resolver or StaticResolver({})
        self.submission: HostPort = ("", 0)
        self.inbound: HostPort = ("", 0)
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()

            def ready(sub: HostPort, inbound: HostPort) -> None:
                self.submission, self.inbound = sub, inbound
                self._ready.set()

            await serve(self.app, stop=self._stop, resolver=self.resolver, ready=ready)

        try:
            eventloop.run(main(), self.app.settings.event_loop)  # the server's own loop (uvloop by default)
        except BaseException as exc:  # surfaced by start()/stop()
            self._error = exc
            self._ready.set()

    def start(self) -> RunningRelay:
        self._thread.start()
        self._ready.wait(10)
        if self._error:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def smtp(self, listener: str = "submission", source: str = "127.0.0.1") -> smtplib.SMTP:
        host, port = self.submission if listener == "submission" else self.inbound
        return smtplib.SMTP(host, port, source_address=(source, 0), timeout=10)


def relay_settings(tmp_path: Path, database_url: str, smarthost_port: int, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        home=tmp_path / "home", database_url=database_url, smtp_host="127.0.0.1", submission_port=0,
        inbound_port=0, smarthost=f"127.0.0.1:{smarthost_port}", trusted_networks="127.0.0.1/32",
        service_domain="lich.bacninh.gov.vn", hostname="mailhub.test", retry_min_seconds=1,
        retry_max_seconds=2, queue_lifetime_seconds=60, dns_nameservers=shared_dns().address, dns_timeout_seconds=2,
    )
    values.update(overrides)
    return Settings(**values)


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, or one reaped while its /proc entry is read, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
