"""The confidentiality gate as intake sees it: the policies chain, run in isolated worker processes
(``mailhub.gate.workers``: a deadline and a memory cap each), turned into an SMTP reply with the
reason in Vietnamese and English.

Three answers:

- pass, or refuse (``550 5.7.1``): the policies' verdict. A check that raises MemoryError inside the
  worker is refused as uninspectable ("too large or complex to check"): content that cannot be read
  within the limits the operator set cannot be shown to be free of marks, and a retry would meet the
  same limit. (The policies themselves turn most failures of a reader into such a finding.)
- try later (``451 4.7.1``, ``GateDecision.temporary``): the check could not finish for a reason of
  mailhub's own: the worker overran ``MAILHUB_POLICY_TIMEOUT_SECONDS`` and was killed, or died (the
  kernel's OOM killer, a SIGKILL), or the check raised an unexpected error (a bug), or the gate is
  stopping. Nothing is audited for it; the pool logs one line.

Each listener has its own workers (``MAILHUB_POLICY_WORKERS`` each): mail from anywhere (inbound) can
only saturate its own, while officials' submissions and the mail mailhub composes use the others.

A short letter of plain text from the submission listener (an official who logged in, an office
system of the trusted networks) is checked on the listener itself (``mailhub.gate.here``: which letters,
and how the verdict is kept the workers' own): the round trip to a worker cost more than the check (a
5 KB letter is checked in a third of a millisecond; the hand-off and the answer's wake-ups cost a
millisecond of CPU and some ten of waiting under load). Mail from the Internet always goes to the
workers. A client whose letter took more than ``HERE_SLOW_SECONDS`` of CPU to check has its mail checked
in the workers for the next ``HERE_SLOW_PENALTY_SECONDS``; and when ``HERE_SLOW_LETTERS`` letters were
slow within ``HERE_SLOW_WINDOW_SECONDS``, from any clients (a sender with many addresses, each trying
once), every letter is checked in the workers for ``HERE_PAUSE_SECONDS``: the listener's loop is never
held more than a few slow checks a minute.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import compat32

from mailhub.config import Settings
from mailhub.gate import here
from mailhub.gate.process import check_content
from mailhub.gate.workers import (
    CLOSED,
    DIED,
    DONE,
    ERROR,
    MEMORY,
    TIMEOUT,
    Outcome,
    WorkerPool,
    content_label,
)
from mailhub.relay.intake import INBOUND, LOCAL, SUBMISSION, GateDecision
from mailhub.templates import render
from policies import BLOCK, Finding, PolicyChain, Verdict

log = logging.getLogger("mailhub.gate.policy_gate")

CheckFunction = Callable[[bytes, tuple[str, ...], int, str | None], Verdict]

RULE_NAMES_VI = {
    "confidential-mark": "mang dấu độ mật",
    "classification-stamp": "mang dấu độ mật",
    "classification-field": "ghi độ mật",
    "subject-tag": "tiêu đề mang dấu độ mật",
    "declared-secret": "được khai là tài liệu bí mật nhà nước",
    "companion-stamp": "mang dấu kèm theo tài liệu mật",
    "uninspectable": "không kiểm tra được nội dung",
    "attachment-type": "có tệp đính kèm thuộc loại không được phép",
    "size": "quá kích thước cho phép",
    "file-name-mark": "có tên tệp mang dấu độ mật",
}


@dataclass(frozen=True)
class Unchecked:
    """A check that could not finish: the message is neither passed nor refused, only put off."""

    rule: str  # timeout, worker-died, check-error, unavailable
    evidence: str  # one line in English, never words of the content
    reason_vi: str
    reason_en: str


class PolicyGate:
    """The policies chain in worker processes; ``function`` (module-level, picklable) is what the workers
    run, ``check_content`` unless a test gives a deliberately slow or crashing one."""

    def __init__(self, names: tuple[str, ...], max_size: int, *, workers: int = 2, timeout: float = 30.0,
                 memory_mb: int = 1024, function: CheckFunction = check_content) -> None:
        self._chain = PolicyChain.named(names, max_size=max_size)  # unknown names fail at start-up
        self.names = names
        self.max_size = max_size
        self.workers = workers
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.function = function
        self._pools: dict[str, WorkerPool] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._slow_clients: dict[str, float] = {}  # client -> until when its letters go to the workers
        self._slow_times: collections.deque[float] = collections.deque()  # when letters were slow here, any client's
        self._here_paused_until = 0.0  # until when every letter goes to the workers

    @classmethod
    def from_settings(cls, settings: Settings, function: CheckFunction = check_content) -> PolicyGate:
        return cls(settings.policy_names, settings.max_message_size, workers=settings.policy_workers,
                   timeout=settings.policy_timeout_seconds, memory_mb=settings.policy_memory_mb, function=function)

    def pool(self, lane: str = LOCAL) -> WorkerPool:
        """The workers of a lane: ``inbound``, or ``submission`` (also mail mailhub composes)."""
        key = INBOUND if lane == INBOUND else SUBMISSION
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = WorkerPool(self.function, workers=self.workers, timeout=self.timeout,
                                                     memory_mb=self.memory_mb, name=f"policy-{key}")
        return pool

    async def start(self, lanes: tuple[str, ...] = (SUBMISSION, INBOUND)) -> None:
        """Start the workers now (``serve`` does), rather than on the first message, and return once each
        lane's have answered a check (the first clients do not wait for them to start). A letter is
        checked here once too, so that the first one a client sends does not pay for imports (and look slow)."""
        for lane in lanes:
            self.pool(lane).start()
        if SUBMISSION in lanes and self.function is check_content:
            here.check_here(WARM_UP_LETTER, self._chain)
        await asyncio.gather(*(asyncio.wrap_future(self.submit(WARM_UP_LETTER, lane=lane)) for lane in lanes))

    def submit(self, content: bytes, *, document: str | None = None, lane: str = LOCAL,
               client: str = "") -> Future[Outcome]:
        if self._closed:  # a session still open while the server stops starts no new workers
            closed: Future[Outcome] = Future()
            closed.set_result(Outcome(CLOSED, detail="the content gate is stopping"))
            return closed
        return self.pool(lane).submit(content, self.names, self.max_size, document, client=client)

    def verdict(self, content: bytes, *, document: str | None = None, lane: str = LOCAL) -> Verdict | Unchecked:
        """Blocks the calling thread until the check ends (never longer than the deadline, plus any wait)."""
        return self.result(self.submit(content, document=document, lane=lane).result(), content, document)

    def check(self, content: bytes, *, composed: bool = False) -> GateDecision:
        """``composed``: mail mailhub wrote itself from its templates and a clerk's text (a notice, a
        schedule, an invitation). When it is small and all text, it is checked in this process."""
        if composed and self.function is check_content and is_plain_text(content):
            return self.decision(self._inline(content))
        return self.decision(self.verdict(content))

    def _inline(self, content: bytes) -> Verdict | Unchecked:
        """A small message mailhub composed, of text parts alone, is checked in this process: there is
        no document for a hostile parser to choke on, and starting a worker would cost a command longer
        than the check. Anything with an attachment, and anything that came from outside (a delivery
        report quotes what it returns), goes to the workers, under their deadline."""
        try:
            return check_content(content, self.names, self.max_size)
        except Exception as exc:  # a local failure is never a pass
            log.exception("the content check of message %s failed", content_label(content))
            return self.result(Outcome(ERROR, detail=type(exc).__name__), content)

    async def check_async(self, content: bytes, *, lane: str = LOCAL, client: str = "") -> GateDecision:
        """For the listeners: a short letter from the submission listener here (the module's note), else
        waits on the pool's own dispatcher thread, occupying no thread of the loop's."""
        if self._may_check_here(content, lane, client):
            started = here.CLOCK.now()  # CPU time: a check preempted on a busy machine is not slow
            try:  # choosing the letter costs like the check, and counts with it
                verdict = here.check_here(content, self._chain) if here.short_plain_letter(content) else None
            except Exception:  # a local failure here is no verdict: the workers decide
                log.exception("the content check of message %s failed here; the workers check it",
                              content_label(content))
                verdict = None
            spent = here.CLOCK.now() - started
            if spent > HERE_SLOW_SECONDS:
                self._slow_here(client, spent)
            if verdict is not None:
                return self.decision(verdict)
        try:
            outcome = await asyncio.wrap_future(self.submit(content, lane=lane, client=client))
        except Exception as exc:  # a local failure is never a refusal
            log.exception("the content gate could not take a message")
            outcome = Outcome(ERROR, detail=type(exc).__name__)
        return self.decision(self.result(outcome, content))

    def _slow_here(self, client: str, spent: float) -> None:
        now = time.monotonic()
        if len(self._slow_clients) >= 10000:  # forget those whose time is up
            self._slow_clients = {c: until for c, until in self._slow_clients.items() if until > now}
        self._slow_clients[client] = now + HERE_SLOW_PENALTY_SECONDS
        log.info("a letter from %s took %.0f ms to check: its mail goes to the workers for %.0f s", client,
                 spent * 1000, HERE_SLOW_PENALTY_SECONDS)
        self._slow_times.append(now)
        while self._slow_times and self._slow_times[0] < now - HERE_SLOW_WINDOW_SECONDS:
            self._slow_times.popleft()
        if len(self._slow_times) >= HERE_SLOW_LETTERS and self._here_paused_until <= now:
            self._here_paused_until = now + HERE_PAUSE_SECONDS
            log.warning("%d letters were slow to check on the listener within %.0f s, from any clients: every "
                        "letter goes to the workers for %.0f s", len(self._slow_times), HERE_SLOW_WINDOW_SECONDS,
                        HERE_PAUSE_SECONDS)

    def _may_check_here(self, content: bytes, lane: str, client: str) -> bool:
        if lane != SUBMISSION or self.function is not check_content or len(content) > here.HERE_LIMIT or self._closed:
            return False
        now = time.monotonic()
        if self._here_paused_until > now:
            return False
        until = self._slow_clients.get(client)
        if until is not None:
            if until > now:
                return False
            del self._slow_clients[client]
        return True

    def result(self, outcome: Outcome, content: bytes, document: str | None = None) -> Verdict | Unchecked:
        where = document or "message"
        if outcome.kind == DONE and isinstance(outcome.value, Verdict):
            return outcome.value
        if outcome.kind == MEMORY:
            return Verdict(BLOCK, (Finding("uninspectable", where,
                                           f"too large or complex to check within {self.memory_mb} MB of memory"),))
        seconds = f"{self.timeout:g}"
        if outcome.kind == TIMEOUT:
            return Unchecked("timeout", f"the check did not finish within {seconds} s and was stopped",
                             f"chưa kiểm tra xong nội dung sau {seconds} giây",
                             f"the content check did not finish within {seconds} s")
        if outcome.kind == DIED:
            return Unchecked("worker-died", f"the checking process {outcome.detail or 'stopped'}",
                             "tiến trình kiểm tra nội dung bị dừng giữa chừng", "the content check process stopped")
        if outcome.kind == CLOSED:
            return Unchecked("unavailable", "the content gate is stopping",
                             "bộ kiểm tra nội dung đang tạm dừng", "the content checker is stopping")
        detail = outcome.detail or f"the check returned {type(outcome.value).__name__}"
        log.warning("the content check of message %s failed (%s); answered 'try later'", content_label(content),
                    detail)
        return Unchecked("check-error", f"internal error in the check ({detail})",
                         "lỗi nội bộ khi kiểm tra nội dung", "internal error in the content check")

    def decision(self, result: Verdict | Unchecked) -> GateDecision:
        if isinstance(result, Unchecked):
            return GateDecision(blocked=True, temporary=True, rule=result.rule, detail=result.evidence,
                                reason=render("policy_temporary.txt", reason_vi=result.reason_vi,
                                              reason_en=result.reason_en).strip())
        if not result.blocked:
            return GateDecision(blocked=False, not_read="; ".join(dict.fromkeys(n.where for n in result.notes)))
        return GateDecision(
            blocked=True,
            rule=",".join(dict.fromkeys(f.rule for f in result.findings)),
            location="; ".join(dict.fromkeys(f.where for f in result.findings)),
            reason=reply_text(result.findings),
        )

    def close(self) -> None:
        """Kill every worker; checks in flight are answered 'try later'. Idempotent."""
        with self._lock:
            self._closed = True
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()


INLINE_LIMIT = 256 * 1024  # bytes: larger messages are checked in the workers, under their deadline
HERE_SLOW_SECONDS = 0.005  # a check that took more CPU sends its client's mail to the workers...
HERE_SLOW_PENALTY_SECONDS = 600.0  # ...for this long
HERE_SLOW_LETTERS = 5  # this many slow letters from any clients (each address trying once)...
HERE_SLOW_WINDOW_SECONDS = 60.0  # ...within this long...
HERE_PAUSE_SECONDS = 60.0  # ...send every letter to the workers for this long
WARM_UP_LETTER = ("From: <vanthu@mailhub.invalid>\r\nTo: <vanthu@mailhub.invalid>\r\nSubject: Kiểm tra\r\n"
                  "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
                  "\r\nKính gửi các đồng chí: lịch họp tuần (Кiểm tra).\r\n").encode()  # Cyrillic К: look-alikes load
TEXT_TYPES = {"text/plain", "text/html", "multipart/alternative", "multipart/mixed", "multipart/related"}


def is_plain_text(content: bytes) -> bool:
    """A message of text parts only: no attachment, no file name, no other kind of part, small."""
    if len(content) > INLINE_LIMIT:
        return False
    try:
        message = BytesParser(policy=compat32).parsebytes(content)
        for part in message.walk():
            if part.get_content_type() not in TEXT_TYPES or part.get_filename() is not None or \
                    str(part.get("Content-Disposition", "")).strip().lower().startswith("attachment"):
                return False
    except Exception:  # headers the parser cannot take: the workers read it
        return False
    return True


def reply_text(findings: tuple[Finding, ...]) -> str:
    first = findings[0]
    where = first.where if first.where != "body" else "nội dung thư"
    reason_vi = f"{where} {RULE_NAMES_VI.get(first.rule, first.rule)}"
    if first.rule in ("uninspectable", "attachment-type", "size"):
        reason_vi += f" ({first.evidence})"  # a reason about the file, never words of the content
    reason_en = f"{first.rule} in {first.where}" + (f" ({first.evidence})" if first.rule == "uninspectable" else "")
    return render("policy_reply.txt", reason_vi=reason_vi, reason_en=reason_en).strip()
