"""Delivery in its own process, beside the listeners (Postfix's own split: smtpd accepts, qmgr and
smtp deliver, each on its own core). The two share nothing but the queue in the database: the
listeners commit a message and poke the delivery process's wake-up socket; the delivery process
claims, sends and records, as a node of its own.

The parent holds the child's stdin: when the parent ends, however it ends (SIGKILL included), the
child reads end-of-file, finishes what it has in flight and hands the rest back to the queue.

The child also writes the messages the listeners accept (``mailhub.queue.link``), over a socket pair
made for each child it starts; this class is the listeners' ``QueueWriter``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path

from mailhub.delivery.wakeup import WakeSender
from mailhub.errors import MailhubError
from mailhub.parts import PartProcess
from mailhub.queue.core import NewMessage
from mailhub.queue.link import LinkLost, QueueLink

log = logging.getLogger("mailhub")

READY = b"delivery ready"
RESTART_SECONDS = 1.0


class DeliveryProcess(PartProcess):
    """The parent's end: start the child (``mailhub serve --part delivery``), wake it after every commit,
    start it again if it dies, stop it with the server."""

    part = "delivery"
    ready = READY

    def __init__(self, home: Path, config_file: Path | None = None) -> None:
        super().__init__(config_file)
        self.node = ""  # the running child's node name, as its claims carry it
        self._stopping = False
        self._link: QueueLink | None = None
        self._child_end: socket.socket | None = None
        self._sender = WakeSender(home)
        self.wake = self._sender.wake  # after every commit, from any thread (the child's wake-up socket)

    def command(self) -> list[str]:
        link = ["--link-fd", str(self._child_end.fileno())] if self._child_end is not None else []
        return [*super().command(), *link]

    def pass_fds(self) -> tuple[int, ...]:
        return (self._child_end.fileno(),) if self._child_end is not None else ()

    async def start(self) -> str:
        """Start the child and wait until it delivers (its wake-up socket is bound, its first claim made)
        and takes the listeners' messages."""
        if self._link is not None:
            self._link.close()
            self._link = None
        ours, self._child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.node = await super().start()
        except BaseException:
            ours.close()
            raise
        finally:
            self._child_end.close()
            self._child_end = None
        self._link = QueueLink(ours)
        await self._link.open()
        return self.node

    @property
    def usable(self) -> bool:
        """The child is up and takes messages (not while it stops: the listeners write themselves then)."""
        return not self._stopping and self._link is not None and self._link.usable

    async def enqueue(self, message: NewMessage) -> str:
        if self._link is None:
            raise LinkLost("the delivery process is not connected")
        try:
            return await self._link.enqueue(message)
        except LinkLost:  # gone, or stalled: a stalled child is stopped, and started again like a dead one
            if self.process is not None and self.process.returncode is None and not self._stopping:
                log.error("the delivery process stopped answering the listeners; it is started again")
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
            raise

    async def watch(self, hand_back: Callable[[str], int]) -> None:
        """Until the server stops: a child that dies has its claims handed back at once (``hand_back``,
        the queue's release of one node's claims; without it they would wait for their lease) and is
        started again."""
        while not self._stopping and self.process is not None:
            status = await self.process.wait()
            if self._stopping:
                return
            log.error("the delivery process stopped (exit status %s); starting it again", status)
            if self.node:
                released = await asyncio.to_thread(hand_back, self.node)
                if released:
                    log.info("handed back %d recipients the stopped delivery process had claimed", released)
            await asyncio.sleep(RESTART_SECONDS)
            try:
                await self.start()
            except (MailhubError, OSError) as exc:
                if self._stopping:
                    return  # stopped while it was starting: nothing to try again
                log.error("%s; trying again", exc)

    async def stop(self, grace: float) -> None:
        """SIGTERM: the child finishes its deliveries in flight for up to ``grace`` seconds and hands the
        rest back; killed if it takes longer."""
        self._stopping = True
        self._sender.close()
        await super().stop(grace)
        if self._link is not None:
            self._link.close()


def watch_parent(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """The child's end: stop when the parent is gone (its end of our stdin closed)."""
    def readable() -> None:
        try:
            data = os.read(0, 512)
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(0)
            stop.set()

    loop.add_reader(0, readable)
