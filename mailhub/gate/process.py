"""What runs inside a gate worker process (``mailhub.gate.workers`` starts and watches them): the
real check, and the loop that caps the process's memory, answers one check at a time, and never
prints a traceback or a word of the content.

The worker answers each check with a tuple ``(kind, value, detail)``: ``done`` with the function's
result, ``memory`` when it raised MemoryError (and the worker then exits: a process that ran out of
memory is not trusted with the next message), ``error`` with the exception's type and line (never its
message, which may quote the content).
"""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import PurePath
from typing import Any

from policies import PolicyChain, Verdict, check_document, check_message

DONE, MEMORY, ERROR, TIMEOUT, DIED, CLOSED = "done", "memory", "error", "timeout", "died", "closed"
READY = "ready"
SMALL_BYTES = 64 * 1024  # a message this small goes to a worker in one write (``send_args``)
BACKSTOP_SECONDS = 10.0  # a worker whose parent is gone stops itself this long after the deadline


@dataclass(frozen=True)
class Outcome:
    """How a check ended, as the pool hands it to its caller (``mailhub.gate.workers``)."""

    kind: str
    value: Any = None
    detail: str = ""  # one line for logs and replies; never words of the content


def content_label(content: object) -> str:
    """How logs name a message: a prefix of its SHA-256, never its content."""
    data = content if isinstance(content, bytes | bytearray) else b""
    return "sha256:" + hashlib.sha256(data).hexdigest()[:12]


def exit_reason(process: BaseProcess) -> str:
    """Why a worker process ended, in words for the log (as the pool reports a death)."""
    code = process.exitcode
    if code is None:
        return "stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}" + (" (out of memory, or from outside)" if code == -signal.SIGKILL else "")
    return f"exited with status {code}"


def check_content(content: bytes, names: tuple[str, ...], max_size: int, document: str | None = None) -> Verdict:
    """The real check, run in a worker: a message, or a bare document when ``document`` names it."""
    chain = PolicyChain.named(names, max_size=max_size)
    if document is None:
        return check_message(content, chain)
    return check_document(document, content, chain)


def send_args(conn: Connection, args: tuple[Any, ...]) -> None:
    """A check's arguments to a worker. A small message goes pickled with the rest, in one write (it fits
    the socket's buffer: a caller on an event loop is never blocked); a larger one as it is
    (``send_bytes``: no pickled copy of a 25 MB message in the server while it is sent)."""
    if args and isinstance(args[0], bytes) and len(args[0]) > SMALL_BYTES:
        conn.send((True, args[1:]))
        conn.send_bytes(args[0])
    else:
        conn.send((False, args))


def receive_args(conn: Connection) -> tuple[Any, ...]:
    raw, rest = conn.recv()
    return (conn.recv_bytes(), *rest) if raw else tuple(rest)


def _limit_memory(memory_mb: int) -> None:
    if memory_mb <= 0:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _describe(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {PurePath(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return f"{type(exc).__name__}{where}"


def _serve(conn: Connection, func: Callable[..., Any], memory_mb: int, timeout: float) -> None:
    """The worker's loop: one check at a time, each answered on ``conn``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the backstop below ends the process outright
    _limit_memory(memory_mb)
    conn.send((READY, os.getpid(), ""))
    while True:
        try:
            args = receive_args(conn)
        except MemoryError:
            conn.send((MEMORY, None, "the message does not fit in the memory limit"))
            return
        except (EOFError, OSError):
            return  # the parent closed the pool or is gone
        signal.setitimer(signal.ITIMER_REAL, timeout + BACKSTOP_SECONDS)
        try:
            reply: tuple[str, Any, str] = (DONE, func(*args), "")
        except MemoryError:
            reply = (MEMORY, None, "")
        except Exception as exc:
            reply = (ERROR, None, _describe(exc))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        del args
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as exc:  # a result that cannot be pickled
            conn.send((ERROR, None, f"the result cannot be returned ({type(exc).__name__})"))
        if reply[0] == MEMORY:
            return


def worker_main(conn: Connection, func: Callable[..., Any], memory_mb: int, timeout: float) -> None:
    try:
        _serve(conn, func, memory_mb, timeout)
    except BaseException:
        os._exit(1)  # no traceback on the server's stderr: the pool reports the death in one line
