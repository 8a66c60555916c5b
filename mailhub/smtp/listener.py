"""The listening sockets: aiosmtpd's SMTP protocol on the service's own event loop."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

from aiosmtpd.smtp import SMTP

from mailhub.errors import MailhubError
from mailhub.smtp import replies
from mailhub.smtp.throttle import ConnectionLimiter


class LimitedSMTP(SMTP):
    """aiosmtpd's SMTP with a per-client connection limit."""

    def __init__(self, handler: Any, *, limiter: ConnectionLimiter, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._limiter = limiter
        self._counted: str | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) else str(peer)
        if self._counted is None and not self._limiter.acquire(address):
            self._refused = True
            transport.write(f"{replies.TOO_MANY_CONNECTIONS}\r\n".encode())  # type: ignore[attr-defined]
            transport.close()
            return
        if self._counted is None:
            self._counted = address
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._refused:
            return
        if self._counted is not None:
            self._limiter.release(self._counted)
            self._counted = None
        super().connection_lost(exc)


async def start_listener(
    handler: Any,
    *,
    host: str,
    port: int,
    hostname: str,
    tls_context: ssl.SSLContext | None,
    data_size_limit: int,
    limiter: ConnectionLimiter,
) -> asyncio.Server:
    loop = asyncio.get_running_loop()

    def factory() -> SMTP:
        return LimitedSMTP(
            handler,
            limiter=limiter,
            hostname=hostname,
            ident="mailhub",
            tls_context=tls_context,
            data_size_limit=data_size_limit,
            enable_SMTPUTF8=True,
            auth_require_tls=True,
            loop=loop,
        )

    try:
        return await loop.create_server(factory, host=host, port=port, reuse_address=True)
    except OSError as exc:
        hint = " (ports below 1024 need root or CAP_NET_BIND_SERVICE: see the README)" if port < 1024 else ""
        raise MailhubError(f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}") from exc
