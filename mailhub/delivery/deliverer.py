"""The SMTP client side: one transaction of up to 50 recipients over a reused connection,
and the one ``classify`` that maps every outcome to delivered / deferred / bounced."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aiosmtplib

from mailhub.delivery.routing import HostPort, Route
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
        self.client = aiosmtplib.SMTP(hostname=host[0], port=host[1], local_hostname=helo_name, timeout=timeout,
                                      start_tls=None, validate_certs=False)
        self.used = 0

    async def open(self) -> None:
        await self.client.connect()

    @property
    def alive(self) -> bool:
        return self.client.is_connected

    async def close(self) -> None:
        if self.client.is_connected:
            try:
                await self.client.quit()
            except (TimeoutError, aiosmtplib.SMTPException, OSError):
                self.client.close()

    async def send(self, mail_from: str, recipients: Sequence[str], content: bytes) -> list[Outcome]:
        if self.used:
            await self.client.rset()
        self.used += 1
        options = []
        if not content.isascii() and self.client.supports_extension("8bitmime"):
            options.append("BODY=8BITMIME")
        if not (mail_from.isascii() and all(r.isascii() for r in recipients)) and \
                self.client.supports_extension("smtputf8"):
            options.append("SMTPUTF8")
        try:
            await self.client.mail(mail_from, options=options)
        except aiosmtplib.SMTPResponseException as exc:
            outcome = classify(exc.code)
            return [Outcome(r, outcome, exc.code, exc.message) for r in recipients]
        results: dict[str, Outcome] = {}
        accepted: list[str] = []
        for recipient in recipients:
            try:
                await self.client.rcpt(recipient)
                accepted.append(recipient)
            except aiosmtplib.SMTPResponseException as exc:
                results[recipient] = Outcome(recipient, classify(exc.code), exc.code, exc.message)
        if accepted:
            try:
                response = await self.client.data(content)
                for recipient in accepted:
                    results[recipient] = Outcome(recipient, classify(response.code), response.code, response.message)
            except aiosmtplib.SMTPResponseException as exc:
                for recipient in accepted:
                    results[recipient] = Outcome(recipient, classify(exc.code), exc.code, exc.message)
        else:
            await self.client.rset()
            self.used = 0
        return [results[r] for r in recipients]


class Deliverer:
    def __init__(self, helo_name: str, timeout: float = 60.0) -> None:
        self.helo_name = helo_name
        self.timeout = timeout

    async def connect(self, route: Route) -> Connection:
        """The first host of the route that answers; the last error if none does."""
        last: BaseException | None = None
        for host in route.hosts:
            connection = Connection(host, self.helo_name, self.timeout)
            try:
                await connection.open()
                if route.credentials:  # aiosmtplib has upgraded to TLS if the server offers it
                    await connection.client.login(*route.credentials)
                return connection
            except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
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
