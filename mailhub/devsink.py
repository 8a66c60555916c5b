"""A stand-in mailbox server for trying mailhub without one: accepts everything on loopback
and writes each message to a folder as an .eml file (used by ``make run``)."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session


class FolderHandler:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.count += 1
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{self.count:05d}.eml"
        content = envelope.original_content or b""
        header = f"X-Envelope-From: {envelope.mail_from}\r\nX-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        (self.folder / name).write_bytes(header.encode() + content)
        print(f"sink: {envelope.mail_from} -> {', '.join(envelope.rcpt_tos)} saved as {name}", file=sys.stderr,
              flush=True)
        return "250 2.0.0 Ok: saved"


async def run_sink(host: str, port: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    loop = asyncio.get_running_loop()
    handler = FolderHandler(folder)
    server = await loop.create_server(lambda: SMTP(handler, hostname="sink.localhost", loop=loop), host, port)
    print(f"sink listening on {host}:{port}, saving to {folder}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
