"""The SMTP client side: one transaction of up to 50 recipients over a reused connection,
and the one ``classify`` that maps every outcome to delivered / deferred / bounced."""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from dataclasses import dataclass

import aiosmtplib

from mailhub.delivery.routing import HostPort, Route
from mailhub.delivery.smtp_client import SmtpClient, SmtpConnectionError
from mailhub.delivery.tls_policy import TlsPolicy, TlsRequirement, describe
from mailhub.store.models import BOUNCED, DEFERRED, DELIVERED

MAX_RCPT_PER_TRANSACTION = 50


@dataclass(frozen=True)
class Outcome:
    recipient: str
    outcome: str
    code: int | None
    text: str


def classify(code: int | None) -> str:
    """2xx delivered, 5xx bounced, everything else (4xx, no answer, network) deferred."""
    if code is not None and 200 <= code < 300:
        return DELIVERED
    if code is not None and 500 <= code < 600:
        return BOUNCED
    return DEFERRED


class Connection:
    """An open client connection to one host, reused for several transactions."""

    def __init__(self, host: HostPort, helo_name: str, timeout: float) -> None:
        self.host = host
        self.client = SmtpClient(host[0], host[1], helo_name, timeout)
        self.tls = "no TLS"  # what the delivery log says of this connection

    async def open(self, credentials: tuple[str, str] | None = None, *, policy: TlsPolicy | None = None,
                   mode: str = "may") -> None:
        requirement = TlsRequirement(mode)
        context = (policy or TlsPolicy()).context(requirement)
        try:
            await self.client.connect(tls=context, credentials=credentials, require_tls=requirement.required)
        except ssl.SSLCertVerificationError as exc:
            raise SmtpConnectionError(f"TLS certificate of {self.host[0]} not verified ({exc.verify_message}); "
                                      f"the TLS policy for this destination is {mode}") from exc
        self.tls = describe(self.client.tls_version, requirement.verified and self.client.tls_version is not None)

    @property
    def alive(self) -> bool:
        return self.client.is_connected

    async def usable(self) -> bool:
        """After a wait: is the server still there (NOOP answered 250)? A connection the server closed
        while it was idle is replaced, and the message it was to carry is not deferred for that."""
        if not self.alive:
            return False
        try:
            return (await self.client.command(b"NOOP")).code == 250
        except (OSError, TimeoutError):
            return False

    async def close(self) -> None:
        await self.client.quit()

    def abort(self) -> None:
        self.client.close()

    async def send(self, mail_from: str, recipients: Sequence[str], content: bytes) -> list[Outcome]:
        options = []
        if not content.isascii() and self.client.supports("8bitmime"):
            options.append("BODY=8BITMIME")
        if not (mail_from.isascii() and all(r.isascii() for r in recipients)) and self.client.supports("smtputf8"):
            options.append("SMTPUTF8")
        replies = await self.client.transaction(mail_from, recipients, content, options)
        if not replies.mail.ok:
            outcome = classify(replies.mail.code)
            return [Outcome(r, outcome, replies.mail.code, replies.mail.text) for r in recipients]
        results = []
        for recipient, reply in zip(recipients, replies.rcpt, strict=True):
            final = reply if not reply.ok or replies.data is None else replies.data
            results.append(Outcome(recipient, classify(final.code), final.code, final.text))
        return results


class Deliverer:
    def __init__(self, helo_name: str, timeout: float = 60.0, tls_policy: TlsPolicy | None = None) -> None:
        self.helo_name = helo_name
        self.timeout = timeout
        self.tls_policy = tls_policy or TlsPolicy()

    async def connect(self, route: Route) -> Connection:
        """The first host of the route that answers; the last error if none does."""
        last: BaseException | None = None
        for host in route.hosts:
            connection = Connection(host, self.helo_name, self.timeout)
            try:
                await connection.open(route.credentials, policy=self.tls_policy, mode=route.tls)
                return connection
            except (TimeoutError, OSError) as exc:
                connection.abort()
                last = exc
        assert last is not None
        raise last


async def remote_size_limit(host: HostPort, helo_name: str, timeout: float = 5.0) -> int | None:
    """The SIZE a server announces in EHLO, or None if it announces none or cannot be reached."""
    client = aiosmtplib.SMTP(hostname=host[0], port=host[1], local_hostname=helo_name, timeout=timeout,
                             start_tls=False)
    try:
        await client.connect()
        await client.ehlo()
        value = client.esmtp_extensions.get("size", "")
        await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        client.close()
        return None
    return int(value) if value.strip().isdigit() and int(value) > 0 else None
