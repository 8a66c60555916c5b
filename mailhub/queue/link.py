"""The listeners' queue writes, made by the delivery process: one writer for the whole queue.

With delivery in a process of its own (the default), the listeners hand each message they accept to
that process over a private socket pair (``QueueLink``); it writes the message in the same group
commit as its own claims and outcomes, and answers once the transaction has committed; only then does
the listener say 250. Two processes no longer take turns on SQLite's one write lock (each waiting in
its busy handler, which sleeps), the listeners' interpreter no longer runs the database writes beside
twenty SMTP sessions, and the delivery process learns of the message from the write itself.

Nothing changes for durability: the answer comes after the commit. A link that breaks (the delivery
process died) or stalls fails the messages waiting on it (``LinkLost``), which the listener then writes
itself, as it does every message until the delivery process is back. A message larger than
``mailhub.queue.core.LINK_BYTES`` is always written by the listener (streamed into its row, never copied whole again).

Frames are a 4-byte length and a pickle: both ends are mailhub, and the pair is private to them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import pickle
import socket
import struct
from collections.abc import Callable
from concurrent.futures import Future

from sqlalchemy.exc import IntegrityError

from mailhub.errors import MailhubError
from mailhub.queue.core import LinkLost, NewMessage

log = logging.getLogger("mailhub.queue")
_LENGTH = struct.Struct("!I")
ANSWER_SECONDS = 60.0  # a delivery process that answers nothing for this long is not written to again


def _frame(value: object) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(payload)) + payload


async def _read_frame(reader: asyncio.StreamReader) -> object:
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    return pickle.loads(await reader.readexactly(length))


class QueueLink:
    """The listener's end: ``enqueue`` returns the queue id once the delivery process has committed."""

    def __init__(self, sock: socket.socket, answer_seconds: float | None = None) -> None:
        self._sock = sock
        self._answer_seconds = ANSWER_SECONDS if answer_seconds is None else answer_seconds
        self._writer: asyncio.StreamWriter | None = None
        self._pending: dict[int, asyncio.Future[str]] = {}
        self._numbers = itertools.count()
        self._replies: asyncio.Task[None] | None = None

    async def open(self) -> None:
        reader, self._writer = await asyncio.open_unix_connection(sock=self._sock)
        self._replies = asyncio.create_task(self._read_replies(reader))

    @property
    def usable(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    async def enqueue(self, message: NewMessage) -> str:
        if self._writer is None or not self.usable:
            raise LinkLost("the delivery process is not connected")
        number = next(self._numbers)
        answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._pending[number] = answer
        self._writer.write(_frame((number, message)))
        try:
            return await asyncio.wait_for(answer, self._answer_seconds)
        except TimeoutError:  # stuck (stopped, or waiting on a lock): the listeners write themselves from now on
            log.error("the delivery process did not answer within %g s; the listeners queue mail themselves",
                      self._answer_seconds)
            self.close()
            raise LinkLost(f"the delivery process did not answer within {self._answer_seconds:g} s") from None
        finally:
            self._pending.pop(number, None)

    async def _read_replies(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                number, queue_id, error = _answer(await _read_frame(reader))
                answer = self._pending.get(number)
                if answer is None or answer.done():
                    continue
                if error:
                    answer.set_exception(MailhubError(f"the delivery process could not queue the message ({error})"))
                else:
                    answer.set_result(queue_id)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            self.close()
            for answer in self._pending.values():
                if not answer.done():
                    answer.set_exception(LinkLost("the delivery process stopped before it answered"))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        else:
            self._sock.close()


def _answer(value: object) -> tuple[int, str, str]:
    if not (isinstance(value, tuple) and len(value) == 3):
        raise ConnectionError("a malformed answer on the queue link")
    return value[0], value[1], value[2]


async def serve_link(sock: socket.socket, write: Callable[[NewMessage], Future[str]],
                     written: Callable[[], None]) -> None:
    """The delivery process's end: each message the listener sends is handed to ``write`` (the queue's
    group commit) and answered once committed; ``written`` is called after each. Returns when the
    listener closes its end (the server is stopping or gone)."""
    reader, writer = await asyncio.open_unix_connection(sock=sock)
    answering: set[asyncio.Task[None]] = set()

    async def answer(number: int, message: NewMessage) -> None:
        try:
            queue_id, error = await asyncio.wrap_future(write(message)), ""
        except IntegrityError:  # the listener wrote it itself, having given up waiting (a stall)
            log.warning("%s: already queued by the listener", message.queue_id)
            queue_id, error = "", "IntegrityError"
        except Exception as exc:  # the listener writes it itself, and this log says where to look
            log.exception("queueing message %s for the listener failed", message.queue_id)
            queue_id, error = "", type(exc).__name__
        else:
            written()
        if not writer.is_closing():
            writer.write(_frame((number, queue_id, error)))

    try:
        while True:
            request = await _read_frame(reader)
            if not (isinstance(request, tuple) and len(request) == 2 and isinstance(request[1], NewMessage)):
                log.error("a malformed request on the queue link; the link is closed")
                break
            task = asyncio.create_task(answer(request[0], request[1]))
            answering.add(task)
            task.add_done_callback(answering.discard)
    except (asyncio.IncompleteReadError, ConnectionError, OSError):
        pass
    finally:
        if answering:
            await asyncio.gather(*answering, return_exceptions=True)
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


__all__ = ["LinkLost", "QueueLink", "serve_link"]
