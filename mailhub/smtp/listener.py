"""The listening sockets: aiosmtpd's SMTP protocol on the service's own event loop."""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
from collections.abc import Awaitable
from email._header_value_parser import get_addr_spec, get_angle_addr
from email.errors import HeaderParseError
from typing import Any, AnyStr, TypeVar

from aiosmtpd.smtp import DATA_SIZE_DEFAULT, MISSING, SMTP, syntax

from mailhub.errors import MailhubError
from mailhub.smtp import replies
from mailhub.smtp.data import NOMINAL, TOO_LONG, read_data, supported
from mailhub.smtp.throttle import ConnectionLimiter

log = logging.getLogger("mailhub.smtp")
T = TypeVar("T")


class LimitedSMTP(SMTP):
    """aiosmtpd's SMTP with a per-client connection limit."""

    def __init__(self, handler: Any, *, limiter: ConnectionLimiter, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._limiter = limiter
        self._counted: str | None = None
        self._refused = False
        self._continued: list[bytes] = []

    def __dir__(self) -> list[str]:
        """aiosmtpd finds its commands and AUTH mechanisms with ``dir(self)`` and ``inspect.getmembers(self)``
        on every connection, which reads every attribute and property of the session; both are methods
        of the class, so the class's ``smtp_`` and ``auth_`` names are all it needs (a third of a short
        session's time)."""
        return hook_names(type(self))

    async def push(self, status: AnyStr) -> None:
        """aiosmtpd writes and drains each line of a reply on its own: the lines of a multi-line reply
        (EHLO's six or seven) wait for its last line and go out with it, in one write."""
        response = status.encode("utf-8" if self.enable_SMTPUTF8 else "ascii") if isinstance(status, str) else status
        if response.rpartition(b"\n")[2][3:4] == b"-":  # its last line goes on (a reply may be pushed whole)
            self._continued.append(response)
            return
        if self._continued:
            response = b"\r\n".join([*self._continued, response])
            self._continued.clear()
        self._writer.write(response + b"\r\n")
        await self._writer.drain()

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd's own parsing of a MAIL/RCPT path, without the class it defines on every call; a
        plain ``<dot-atom@domain>`` (nearly every path) without the RFC 5322 parser at all."""
        if not arg:
            return "", ""
        plain = _PLAIN_PATH.match(arg)
        if plain is not None:
            addr = plain.group(1)
            if self.local_part_limit and len(addr.rpartition("@")[0]) > self.local_part_limit:
                return None, None
            return addr, plain.group(2).lstrip(" \t")
        try:
            address, rest = get_angle_addr(arg) if arg.lstrip().startswith("<") else get_addr_spec(arg)
        except HeaderParseError:
            return None, None
        addr = str(address.addr_spec)
        if self.local_part_limit and len(addr.rpartition("@")[0]) > self.local_part_limit:
            return None, None
        if _CONTROL.search(addr):  # an encoded word decoded to CR, LF or NUL: not an address anyone has
            return None, None
        return addr, rest

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

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        """aiosmtpd's DATA, with the section read in blocks (``mailhub.smtp.data``) rather than line by
        line, and a ceiling on the whole DATA phase, however slowly it is sent (aiosmtpd times out each
        read). Only the reading is bounded: once the message is in, the handler is never interrupted.
        A message declared large waits for its share of memory before 354 (``mailhub.smtp.data_memory``)."""
        if self._decode_data or not supported(self._reader):
            await self._timed(super().smtp_DATA(arg))
            return
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None and self.session is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        memory, client = self._limiter.data_memory, self._counted or ""
        declared = min(declared_size(self.envelope.mail_options), self.data_size_limit or DATA_SIZE_DEFAULT)
        reserved = await memory.reserve(declared, client)
        if reserved is None:
            log.info("large mail from %s waited %.0f s for memory: try later", self.session.peer, memory.wait_seconds)
            await self.push(str(replies.LARGE_MAIL_BUSY))
            self._set_post_data_state()
            return
        try:
            await self._read_and_handle()
        finally:
            memory.release(reserved, client)

    async def _read_and_handle(self) -> None:
        assert self.envelope is not None
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        self._reset_timeout()  # aiosmtpd's idle timer runs from the DATA command: not the wait for memory
        try:
            section = await self._timed(read_data(self._reader, size_limit=self.data_size_limit,
                                                  line_limit=self.line_length_limit, progress=self._reset_timeout))
        except asyncio.CancelledError:  # the connection went away during DATA
            self._writer.close()
            raise
        except asyncio.IncompleteReadError:
            self._writer.close()
            return
        if section.state != NOMINAL:
            await self.push("500 Line too long (see RFC5321 4.5.3.1.6)" if section.state == TOO_LONG
                            else "552 Error: Too much mail data")
            self._set_post_data_state()
            return
        self.envelope.content = self.envelope.original_content = section.content
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)

    async def _timed(self, reading: Awaitable[T]) -> T:
        assert self.session is not None
        self.session.reading_data = True  # type: ignore[attr-defined]
        timer = asyncio.get_running_loop().call_later(self._limiter.data_seconds, self._data_too_slow)
        try:
            return await reading
        finally:
            timer.cancel()

    def _data_too_slow(self) -> None:
        if self.session is None or not getattr(self.session, "reading_data", False) or self.transport is None:
            return
        log.info("DATA from %s took longer than %.0f s: connection closed", self.session.peer,
                 self._limiter.data_seconds)
        self.transport.write(f"{replies.DATA_TOO_SLOW}\r\n".encode())  # type: ignore[attr-defined]
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._refused:
            return
        if self._counted is not None:
            self._limiter.release(self._counted)
            self._counted = None
        super().connection_lost(exc)


def declared_size(mail_options: list[str]) -> int:
    """The SIZE a client declared on MAIL FROM, or 0: the last one, which aiosmtpd checked against the
    size limit (it takes the last of several)."""
    sizes = [option[5:] for option in mail_options if option.upper().startswith("SIZE=")]
    return int(sizes[-1]) if sizes and sizes[-1].isdigit() else 0


_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOMAIN = r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_PLAIN_PATH = re.compile(rf"\s*<({_ATEXT}(?:\.{_ATEXT})*@{_DOMAIN})>(?![ \t]*\()(.*)\Z", re.DOTALL)  # no comment after
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_AUTH_NAMES: dict[type, list[str]] = {}


def hook_names(cls: type) -> list[str]:
    """The names aiosmtpd looks for on a protocol or handler object (``dir()`` of its class, filtered)."""
    if cls not in _AUTH_NAMES:
        _AUTH_NAMES[cls] = [name for name in dir(cls) if name.startswith(("auth_", "smtp_", "handle_"))]
    return _AUTH_NAMES[cls]


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
