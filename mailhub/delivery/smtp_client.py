"""A small SMTP client for delivery: opportunistic STARTTLS, AUTH PLAIN/LOGIN at a smart host, and
command pipelining (RFC 2920) where the server offers it, so that one transaction of 50 recipients
is one write and one read (``RSET``, ``MAIL``, 50 ``RCPT`` and ``DATA`` together) instead of 53
round trips. Without PIPELINING the same commands go one at a time.

Every failure is an ``OSError`` (``SmtpConnectionError``) or a ``TimeoutError``; a server's
refusal is a reply, never an exception, except at connection set-up (``SmtpSetupError``).
"""

from __future__ import annotations

import asyncio
import base64
import collections
import re
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass


class SmtpConnectionError(ConnectionError):
    """The line dropped, or the server said something that is not SMTP."""


class SmtpSetupError(SmtpConnectionError):
    """The server refused the greeting, EHLO/HELO, STARTTLS or AUTH."""

    def __init__(self, reply: Reply, step: str) -> None:
        super().__init__(f"{step}: {reply.code} {reply.text}")
        self.reply = reply


@dataclass(frozen=True)
class Reply:
    code: int
    text: str

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 400


@dataclass(frozen=True)
class TransactionReplies:
    mail: Reply
    rcpt: tuple[Reply, ...]
    data: Reply | None  # None: no recipient was accepted, so no content was sent


_NEWLINES = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


def _on_the_wire(piece: bytes) -> bytes:
    """CRLF line ends and dot-stuffing; a piece that needs neither (nearly every one: the queue keeps
    CRLF) is passed as it is, without the regular expressions' copies."""
    crlf = piece.count(b"\r\n")
    if piece.count(b"\n") != crlf or piece.count(b"\r") != crlf:
        piece = _NEWLINES.sub(b"\r\n", piece)
    if piece.startswith(b".") or b"\n." in piece:
        piece = _LEADING_DOT.sub(b"..", piece)
    return piece


DATA_CHUNK = 1 << 20  # a large message goes out a megabyte at a time, never copied whole


def data_chunks(content: bytes, size: int = DATA_CHUNK) -> Iterator[bytes]:
    """The content as it goes on the wire after DATA, in pieces cut at line ends: CRLF line ends,
    dot-stuffed, ended by ``.``."""
    start, last = 0, b""
    while start < len(content):
        cut = content.find(b"\n", start + size) if start + size < len(content) else -1
        end = len(content) if cut == -1 else cut + 1
        piece = _on_the_wire(content[start:end])
        if piece:
            last = piece[-2:]
            yield piece
        start = end
    yield b".\r\n" if last == b"\r\n" else b"\r\n.\r\n"


def data_block(content: bytes) -> bytes:
    return b"".join(data_chunks(content))


_WIRE_CACHE: collections.OrderedDict[int, tuple[bytes, bytes]] = collections.OrderedDict()
WIRE_CACHE_ENTRIES = 16  # messages; only those up to DATA_CHUNK bytes are kept


def wire_pieces(content: bytes) -> Iterator[bytes]:
    """``data_chunks``, made once per message: a notice to 10,000 officials goes out in 200 transactions
    of the same bytes. Kept by identity (the same ``bytes`` object), for small messages only."""
    if len(content) > DATA_CHUNK:
        yield from data_chunks(content)
        return
    cached = _WIRE_CACHE.get(id(content))
    if cached is None or cached[0] is not content:
        cached = (content, data_block(content))
        _WIRE_CACHE[id(content)] = cached
        while len(_WIRE_CACHE) > WIRE_CACHE_ENTRIES:
            _WIRE_CACHE.popitem(last=False)
    else:
        _WIRE_CACHE.move_to_end(id(content))
    yield cached[1]


def _path(address: str, utf8: bool) -> bytes:
    return f"<{address}>".encode("utf-8" if utf8 else "ascii", "strict")


class SmtpClient:
    def __init__(self, host: str, port: int, helo_name: str, timeout: float) -> None:
        self.host, self.port = host, port
        self.helo_name = helo_name
        self.timeout = timeout
        self.extensions: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._dirty = False  # a transaction was started and not ended: RSET before the next
        self.tls_version: str | None = None  # 'TLSv1.3' once STARTTLS succeeded

    async def connect(self, *, tls: ssl.SSLContext | None, credentials: tuple[str, str] | None = None,
                      require_tls: bool = False) -> None:
        """Greeting, EHLO (HELO if refused), STARTTLS when offered and ``tls`` is given, AUTH if asked.
        ``require_tls``: a server that does not offer STARTTLS is not used (a TLS policy of encrypt or
        verify; the context then decides what is verified)."""
        self._reader, self._writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port),
                                                            self.timeout)
        self._expect(await self._read(), 220, "greeting")
        await self._hello()
        if require_tls and (tls is None or "starttls" not in self.extensions):
            self.close()
            raise SmtpConnectionError(f"{self.host}:{self.port} does not offer STARTTLS, and TLS is required")
        if tls is not None and "starttls" in self.extensions:
            self._expect(await self.command(b"STARTTLS"), 220, "STARTTLS")
            assert self._writer is not None
            await asyncio.wait_for(self._writer.start_tls(tls, server_hostname=self.host), self.timeout)
            secure = self._writer.get_extra_info("ssl_object")
            self.tls_version = secure.version() if secure is not None else None
            await self._hello()
        if credentials is not None:
            await self._login(*credentials)

    @property
    def is_connected(self) -> bool:
        return self._writer is not None and not self._writer.is_closing() and \
            self._reader is not None and not self._reader.at_eof()

    def supports(self, extension: str) -> bool:
        return extension.lower() in self.extensions

    async def command(self, line: bytes) -> Reply:
        self._write(line + b"\r\n")
        return await self._read()

    async def transaction(self, mail_from: str, recipients: Sequence[str], content: bytes,
                          options: Sequence[str] = ()) -> TransactionReplies:
        """One mail transaction; pipelined when the server offers PIPELINING."""
        utf8 = "SMTPUTF8" in options
        mail = b"MAIL FROM:" + b" ".join([_path(mail_from, utf8), *(o.encode("ascii") for o in options)])
        commands = ([b"RSET"] if self._dirty else []) + [mail] + [b"RCPT TO:" + _path(r, utf8) for r in recipients]
        self._dirty = True
        if self.supports("pipelining"):
            self._write(b"".join(c + b"\r\n" for c in [*commands, b"DATA"]))
            replies = await self._read_many(len(commands) + 1)  # and DATA's: answered in any case (354, or 503/554)
            pipelined_data: Reply | None = replies.pop()
        else:
            pipelined_data = None
            replies = [await self.command(c) for c in commands]
        if len(commands) > len(recipients) + 1:
            replies = replies[1:]  # the RSET's
        mail_reply, rcpt_replies = replies[0], tuple(replies[1:])
        accepted = mail_reply.ok and any(r.ok for r in rcpt_replies)
        if pipelined_data is not None:
            data_reply = pipelined_data
        elif accepted:
            data_reply = await self.command(b"DATA")
        else:
            return TransactionReplies(mail_reply, rcpt_replies, None)
        if data_reply.code != 354:
            return TransactionReplies(mail_reply, rcpt_replies, data_reply if accepted else None)
        for piece in wire_pieces(content):
            self._write(piece)
            await self._drain()
        final = await self._read()
        self._dirty = False  # the reply to the content ends the transaction (RFC 5321 3.3): no RSET needed
        return TransactionReplies(mail_reply, rcpt_replies, final)

    async def quit(self) -> None:
        try:
            if self.is_connected:
                await self.command(b"QUIT")
        except (OSError, TimeoutError):
            pass
        finally:
            self.close()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._writer = None

    async def _hello(self) -> None:
        reply = await self.command(b"EHLO " + self.helo_name.encode("ascii", "replace"))
        if reply.code != 250:
            self._expect(await self.command(b"HELO " + self.helo_name.encode("ascii", "replace")), 250, "HELO")
            self.extensions = {}
            return
        self.extensions = {}
        for line in reply.text.split("\n")[1:]:
            keyword, _, parameters = line.strip().partition(" ")
            if keyword:
                self.extensions[keyword.lower()] = parameters

    async def _login(self, user: str, password: str) -> None:
        mechanisms = self.extensions.get("auth", "").upper().split()
        if "PLAIN" in mechanisms or "LOGIN" not in mechanisms:
            token = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
            self._expect(await self.command(f"AUTH PLAIN {token}".encode()), 235, "AUTH PLAIN")
            return
        self._expect(await self.command(b"AUTH LOGIN"), 334, "AUTH LOGIN")
        self._expect(await self.command(base64.b64encode(user.encode())), 334, "AUTH LOGIN")
        self._expect(await self.command(base64.b64encode(password.encode())), 235, "AUTH LOGIN")

    def _write(self, data: bytes) -> None:
        if self._writer is None or self._writer.is_closing():
            raise SmtpConnectionError(f"connection to {self.host}:{self.port} is closed")
        self._writer.write(data)

    async def _read(self) -> Reply:
        """One reply, however many lines (``250-...`` continues, ``250 ...`` ends)."""
        return (await self._read_many(1))[0]

    async def _read_many(self, count: int) -> list[Reply]:
        """``count`` replies (a pipelined group), under one deadline: no task or timer per line."""
        if self._reader is None:
            raise SmtpConnectionError(f"not connected to {self.host}:{self.port}")
        reader = self._reader
        replies: list[Reply] = []
        async with asyncio.timeout(self.timeout):
            if self._writer is not None:
                await self._writer.drain()
            lines: list[str] = []
            while len(replies) < count:
                raw = await reader.readline()
                if not raw.endswith(b"\n"):
                    self.close()
                    raise SmtpConnectionError(f"{self.host}:{self.port} closed the connection")
                line = raw.decode("utf-8", "surrogateescape").rstrip("\r\n")
                if len(line) < 3 or not line[:3].isdigit() or line[3:4] not in ("", " ", "-"):
                    self.close()
                    raise SmtpConnectionError(f"not an SMTP reply from {self.host}:{self.port}: {line[:80]!r}")
                lines.append(line[4:])
                if line[3:4] != "-":
                    replies.append(Reply(int(line[:3]), "\n".join(lines)))
                    lines = []
        return replies

    async def _drain(self) -> None:
        if self._writer is not None:
            async with asyncio.timeout(self.timeout):
                await self._writer.drain()

    def _expect(self, reply: Reply, code: int, step: str) -> None:
        if reply.code != code:
            self.close()
            raise SmtpSetupError(reply, step)
