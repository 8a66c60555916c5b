"""Waking a running `serve` when a command has queued mail (Postfix's pickup FIFO): `serve` binds a
Unix datagram socket in its home; a command that commits a message sends one byte to it. Without a
server listening the byte goes nowhere, and the server's poll finds the message anyway."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from pathlib import Path

SOCKET_NAME = "delivery.wake"


class WakeListener:
    """The server's end: every datagram calls ``wake``."""

    def __init__(self, home: Path, wake: Callable[[], None]) -> None:
        self.path = home / SOCKET_NAME
        self.wake = wake
        self._socket: socket.socket | None = None
        self._inode = 0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # left by a server that was killed
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.bind(str(self.path))
        except OSError:  # a path too long for a socket, a read-only home: polling still works
            return
        sock.setblocking(False)
        self._socket = sock
        with contextlib.suppress(OSError):
            self._inode = self.path.stat().st_ino
        loop.add_reader(sock.fileno(), self._drain)

    def _drain(self) -> None:
        assert self._socket is not None
        with contextlib.suppress(BlockingIOError):
            while self._socket.recv(64):
                pass
        self.wake()

    def close(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._socket is not None:
            loop.remove_reader(self._socket.fileno())
            self._socket.close()
            self._socket = None
            with contextlib.suppress(OSError):  # only our own: a server started since has bound its own there
                if self.path.stat().st_ino == self._inode:
                    self.path.unlink()


class WakeSender:
    """The senders' end: one datagram per wake-up, never blocking, from any thread; without a server
    listening it goes nowhere, and the server's poll finds the message within a second anyway."""

    def __init__(self, home: Path) -> None:
        self.path = str(home / SOCKET_NAME)
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._socket.setblocking(False)

    def wake(self) -> None:
        with contextlib.suppress(OSError):
            self._socket.sendto(b"\0", self.path)

    def close(self) -> None:
        self._socket.close()


def poke(home: Path) -> None:
    """A command's end: tell a server in ``home``, if one runs, that there is new mail."""
    sender = WakeSender(home)
    sender.wake()
    sender.close()
