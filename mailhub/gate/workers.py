"""Isolated worker processes for the content gate: each check runs in a process of its own, with a
memory cap and a deadline, so a hostile attachment costs one worker, never the listeners.

``WorkerPool(func, workers=2, timeout=30, memory_mb=1024)`` runs the module-level, picklable ``func``
in ``workers`` processes started from a forkserver (never a plain fork: the server has threads); each
caps its own address space (``RLIMIT_AS``) before its first check (``mailhub.gate.process``).
``submit(*args)`` returns a ``concurrent.futures.Future`` that always resolves, with an ``Outcome``:

- ``done``: the function returned (``value``);
- ``memory``: the function raised MemoryError (the worker is retired: it is not trusted with the next);
- ``error``: the function raised something else (``detail`` names the type and line, never a message);
- ``timeout``: the check overran the deadline; the worker was SIGKILLed and is replaced;
- ``died``: the worker died mid-check (kernel OOM killer, SIGKILL from outside); it is replaced;
- ``closed``: the pool was closed (server stopping) before the check ended.

Checks wait in a FIFO while every worker is busy; the deadline starts when a worker takes the check,
so the wait counts against no one. One dispatcher thread of the pool's own does all the waiting
(``multiprocessing.connection.wait`` on the workers' pipes and sentinels): callers never block a
thread of anyone else's, and an event loop awaits the future with ``asyncio.wrap_future``.

A small check that finds a worker idle and no one waiting is written to that worker by the caller
itself (``SMALL_BYTES``: one write that fits the socket's buffer, never blocking an event loop); the
dispatcher only reads the answer. That saves the message a thread hop on its way in, which under load
is a wait for the dispatcher's turn at the interpreter. The dispatcher looks at the deadlines at least
every ``HEARTBEAT_SECONDS``, and is woken at once for a deadline sooner than that.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import logging
import multiprocessing
import os
import threading
import time
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from mailhub.gate.process import (
    CLOSED,
    DIED,
    DONE,
    ERROR,
    MEMORY,
    READY,
    SMALL_BYTES,
    TIMEOUT,
    Outcome,
    content_label,
    exit_reason,
    send_args,
    worker_main,
)

__all__ = ["CLOSED", "DIED", "DONE", "ERROR", "MEMORY", "TIMEOUT", "Outcome", "WorkerPool", "content_label"]

log = logging.getLogger("mailhub.gate.policy_gate")
START_SECONDS = 60.0  # a worker that is not ready by then is killed (it is not a check's fault)
HEARTBEAT_SECONDS = 0.25  # the dispatcher looks at the deadlines at least this often

@dataclass
class _Job:
    args: tuple[Any, ...]
    future: Future[Outcome]
    client: str = ""  # who sent it (an IP address): checks are shared fairly between clients

    def label(self) -> str:
        return content_label(self.args[0] if self.args else b"")


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    ready: bool = False
    job: _Job | None = None
    deadline: float = 0.0
    retired: bool = False  # being stopped, or about to exit: never given another check

    @property
    def pid(self) -> int:
        return self.process.pid or 0


class _Core:
    """Everything the dispatcher thread touches; the public WorkerPool only holds it, so the pool can be
    garbage-collected (and closed by its finalizer) while the thread runs."""

    def __init__(self, func: Callable[..., Any], size: int, timeout: float, memory_mb: int, name: str,
                 start_method: str) -> None:
        self.func, self.size, self.timeout, self.memory_mb, self.name = func, size, timeout, memory_mb, name
        self.context = multiprocessing.get_context("spawn") if start_method == "spawn" else \
            multiprocessing.get_context("forkserver")
        if start_method != "spawn":  # replacements start fast: the policies are imported once, in the server
            self.context.set_forkserver_preload(["__main__", "mailhub.gate.process"])
        self.workers: list[_Worker] = []  # the dispatcher's own; other threads only read a copy
        self.queue: collections.deque[_Job] = collections.deque()
        self.lock = threading.RLock()  # also held while a caller writes to a worker, and while one is retired
        self.closed = False
        self.prestart = False
        self.respawn = 0  # workers lost mid-check, replaced at the top of the next round
        self.thread: threading.Thread | None = None
        self.sleep_until = 0.0  # when the dispatcher looks at the deadlines next (it is woken for a sooner one)
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)

    # called from any thread

    def submit(self, args: tuple[Any, ...], client: str = "") -> Future[Outcome]:
        future: Future[Outcome] = Future()
        job = _Job(args, future, client)
        with self.lock:
            if self.closed:
                future.set_result(Outcome(CLOSED, detail="the content gate is stopping"))
                return future
            worker = self._direct_worker(job)
            if worker is None:
                self.queue.append(job)
                self._ensure_thread()
                self._wake()
                return future
            worker.deadline = time.monotonic() + self.timeout
            worker.job = job
            try:  # under the lock, so its pipe is not closed meanwhile; one write into an empty buffer
                send_args(worker.conn, args)
            except Exception:  # it died while idle (the dispatcher sees to it): the check waits its turn, as sent
                worker.job = None  # by no one yet (its future still pending)
                self._retire(worker)
                self.queue.appendleft(job)
                self._ensure_thread()
                self._wake()
                return future
            future.set_running_or_notify_cancel()  # cancelled meanwhile: the worker's answer is not wanted
            if worker.deadline < self.sleep_until:
                self._wake()
        return future

    def _direct_worker(self, job: _Job) -> _Worker | None:
        """With the lock held: an idle worker this check may be written to directly, when no check is
        waiting (so no one's turn is taken) and it is small; else None."""
        content = job.args[0] if job.args else None
        if self.queue or not isinstance(content, bytes) or len(content) > SMALL_BYTES:
            return None
        return self._idle()

    def _idle(self) -> _Worker | None:  # with the lock held
        return next((w for w in list(self.workers) if w.ready and w.job is None and not w.retired), None)

    def start(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.prestart = True
            self._ensure_thread()
            self._wake()

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            thread = self.thread
            self._wake()
        if thread is not None and thread is not threading.current_thread():
            thread.join(5)
            if thread.is_alive():  # stuck writing to a worker that does not read: kill them all from here
                for worker in list(self.workers):
                    worker.process.kill()
                thread.join(5)
        with self.lock:
            if thread is None or not thread.is_alive():
                for fd in (self.wake_r, self.wake_w):
                    os.close(fd)

    def busy_pids(self) -> list[int]:
        return [w.pid for w in list(self.workers) if w.job is not None]

    def _ensure_thread(self) -> None:  # with the lock held
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name=f"{self.name}-dispatcher", daemon=True)
            self.thread.start()

    def _wake(self) -> None:  # with the lock held, so the pipe is never written after close
        with contextlib.suppress(OSError):  # BlockingIOError: already awake
            os.write(self.wake_w, b"\0")

    # the dispatcher thread

    def _run(self) -> None:
        failure = ""
        try:
            while self._step():
                pass
        except Exception as exc:
            log.exception("the %s worker pool failed; its checks are answered 'try later'", self.name)
            failure = f"the worker pool failed ({type(exc).__name__})"
        for worker in list(self.workers):
            self._stop(worker)
            if worker.job is not None:
                self._finish(worker.job, Outcome(CLOSED if not failure else ERROR,
                                                 detail=failure or "the content gate is stopping"))
        with self.lock:
            jobs = list(self.queue)
            self.queue.clear()
            self.thread = None  # after a failure, the next check starts a new dispatcher
        for job in jobs:
            self._finish(job, Outcome(ERROR if failure else CLOSED, detail=failure or "the content gate is stopping"))

    def _step(self) -> bool:
        with self.lock:
            if self.closed:
                return False
            prestart, self.prestart = self.prestart, False
        wanted = self.size if prestart else min(self.size, len(self.workers) + self.respawn)
        self.respawn = 0
        while len(self.workers) < wanted and self._spawn():
            pass
        self._dispatch()
        now = time.monotonic()
        workers = list(self.workers)  # every pipe: a caller may have written a check to an idle worker
        with self.lock:
            self.sleep_until = min([now + HEARTBEAT_SECONDS, *(w.deadline for w in workers
                                                               if w.job is not None or not w.ready)])
        ready = wait([self.wake_r, *(w.conn for w in workers), *(w.process.sentinel for w in workers)],
                     max(0.0, self.sleep_until - now))
        if self.wake_r in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(self.wake_r, 4096)
        for worker in workers:
            if worker.conn in ready and worker in self.workers:
                self._receive(worker)
        for worker in list(self.workers):
            if worker.process.sentinel in ready:
                self._lost(worker, DIED)
        now = time.monotonic()
        with self.lock:  # a check a caller has just written carries its deadline already
            overdue = [w for w in self.workers if (w.job is not None or not w.ready) and now >= w.deadline]
        for worker in overdue:
            self._lost(worker, TIMEOUT)
        return True

    def _next_job(self) -> _Job:
        """Fair shares (with the lock held): the oldest check of a client with the fewest checks
        running, so one client's pile of slow files never holds up another client's mail."""
        running: dict[str, int] = {}
        for worker in self.workers:
            if worker.job is not None:
                running[worker.job.client] = running.get(worker.job.client, 0) + 1
        job = min(self.queue, key=lambda j: running.get(j.client, 0))  # min keeps the oldest of equals
        self.queue.remove(job)
        return job

    def _room(self) -> int:
        """Workers allowed now: the pool's size, plus one spare while a client that has nothing being
        checked is waiting behind others' checks (a normal message is answered at its usual speed)."""
        busy = {w.job.client for w in self.workers if w.job is not None}
        return self.size + (1 if any(j.client not in busy for j in self.queue) and busy else 0)

    def _dispatch(self) -> None:
        while True:
            with self.lock:
                if not self.queue:
                    spares = self._spares()
                    break
                idle = self._idle()
                job = self._next_job() if idle is not None else None
                starting = sum(not w.ready for w in self.workers)
                if idle is None and (len(self.workers) >= self._room() or starting >= len(self.queue)):
                    return  # every worker is busy or starting: the checks wait their turn
                if idle is not None and job is not None and job.future.set_running_or_notify_cancel():
                    idle.job = job  # taken under the lock: a caller writing directly never picks it
                else:
                    job = None
            if idle is None:
                if not self._spawn():
                    self._fail_oldest("a policy worker could not be started")
            elif job is not None:
                self._send(idle, job)
        for spare in spares:
            self._stop(spare)

    def _spares(self) -> list[_Worker]:
        """With the lock held and nothing waiting: the idle workers above the pool's size, retired (and
        stopped by the caller once the lock is released)."""
        spares = []
        while len(self.workers) > self.size and (idle := self._idle()) is not None:
            self._retire(idle)
            spares.append(idle)
        return spares

    def _spawn(self) -> bool:
        parent, child = self.context.Pipe(duplex=True)
        try:
            process = self.context.Process(target=worker_main, name=f"{self.name}-worker", daemon=True,
                                           args=(child, self.func, self.memory_mb, self.timeout))
            process.start()
        except Exception:
            log.exception("cannot start a %s worker", self.name)
            parent.close()
            return False
        finally:
            child.close()
        self.workers.append(_Worker(process, parent, deadline=time.monotonic() + START_SECONDS))
        return True

    def _send(self, worker: _Worker, job: _Job) -> None:
        worker.job, worker.deadline = job, time.monotonic() + self.timeout
        try:
            send_args(worker.conn, job.args)
        except (OSError, EOFError):
            self._lost(worker, DIED)
        except Exception as exc:  # arguments that cannot be pickled: the caller's mistake, not the worker's
            worker.job = None
            self._finish(job, Outcome(ERROR, detail=f"the check cannot be sent ({type(exc).__name__})"))

    def _receive(self, worker: _Worker) -> None:
        try:
            kind, value, detail = worker.conn.recv()
        except (EOFError, OSError):
            self._lost(worker, DIED)
            return
        if kind == READY:
            with self.lock:  # from now on a caller may give it a check (with a deadline of its own)
                worker.deadline, worker.ready = 0.0, True
            return
        with self.lock:
            job, worker.job = worker.job, None
            if kind == MEMORY:
                worker.retired = True  # it exits: no caller writes to it now
        if job is not None:
            self._finish(job, Outcome(kind, value, detail))
        if kind == MEMORY:
            log.warning("%s worker %d ran out of memory (%d MB) checking message %s; it is replaced",
                        self.name, worker.pid, self.memory_mb, job.label() if job else "?")
            self._stop(worker)
            self.respawn += 1

    def _lost(self, worker: _Worker, kind: str) -> None:
        """A worker that overran (killed here) or died: only the check it held fails."""
        if kind == DIED:
            worker.process.join(1)  # its pipe may close a moment before it has exited
        self._stop(worker)
        job, worker.job = worker.job, None
        if kind == TIMEOUT and job is None:
            why = f"was not ready within {START_SECONDS:g} s"
        elif kind == TIMEOUT:
            why = f"overran the {self.timeout:g} s deadline and was killed"
        else:
            why = exit_reason(worker.process)
        if job is not None:
            log.warning("%s worker %d %s while checking message %s; it is replaced", self.name, worker.pid, why,
                        job.label())
            self._finish(job, Outcome(kind, detail=why))
            self.respawn += 1
        elif not worker.ready:
            log.warning("%s worker %d %s before it was ready", self.name, worker.pid, why)
            self._fail_oldest(f"a policy worker could not be started (it {why})")
        else:
            log.warning("%s worker %d %s while idle; a new one starts when needed", self.name, worker.pid, why)

    def _fail_oldest(self, why: str) -> None:
        with self.lock:
            job = self.queue.popleft() if self.queue else None
        if job is not None and job.future.set_running_or_notify_cancel():
            self._finish(job, Outcome(DIED, detail=why))

    def _retire(self, worker: _Worker) -> None:
        """Out of the pool, its pipe closed; under the lock, so no caller is writing to it meanwhile."""
        with self.lock:
            worker.retired = True
            if worker in self.workers:
                self.workers.remove(worker)
            worker.conn.close()

    def _stop(self, worker: _Worker) -> None:
        self._retire(worker)
        if worker.process.exitcode is None:
            worker.process.kill()
        worker.process.join(2)

    @staticmethod
    def _finish(job: _Job, outcome: Outcome) -> None:
        if job.future.done():
            return
        if not job.future.running() and not job.future.set_running_or_notify_cancel():
            return
        job.future.set_result(outcome)


_LIVE: weakref.WeakSet[_Core] = weakref.WeakSet()


@atexit.register
def _close_live() -> None:
    """Before multiprocessing's own exit handler (registered earlier, so run later) terminates the
    workers behind the dispatchers' backs."""
    for core in list(_LIVE):
        core.close()


class WorkerPool:
    """A fixed number of worker processes running ``func``; see the module docstring."""

    def __init__(self, func: Callable[..., Any], *, workers: int = 2, timeout: float = 30.0, memory_mb: int = 1024,
                 name: str = "policy", start_method: str = "forkserver") -> None:
        self._core = _Core(func, workers, timeout, memory_mb, name, start_method)
        _LIVE.add(self._core)
        self._finalizer = weakref.finalize(self, self._core.close)

    def submit(self, *args: Any, client: str = "") -> Future[Outcome]:
        """Queue a check; never blocks. The future always resolves (see ``Outcome``). ``client``
        (an address) shares the workers fairly between senders."""
        return self._core.submit(args, client)

    def start(self) -> None:
        """Start the workers now rather than on the first check."""
        self._core.start()

    def busy_pids(self) -> list[int]:
        """Process ids of the workers checking something right now."""
        return self._core.busy_pids()

    def waiting(self) -> int:
        """Checks waiting for a worker."""
        return len(self._core.queue)

    def close(self) -> None:
        """Kill the workers; checks in flight or waiting resolve as ``closed``. Idempotent."""
        self._finalizer()
