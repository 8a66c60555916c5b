"""The confidentiality gate as intake sees it: the policies chain, run off the event loop
(large messages in a worker process), turned into an SMTP refusal with the reason in
Vietnamese and English."""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor

from mailhub.intake import GateDecision
from mailhub.templates import render
from policies import Finding, PolicyChain, Verdict, check_message

log = logging.getLogger("mailhub.gate")

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
}


def _check(content: bytes, names: tuple[str, ...], max_size: int) -> Verdict:
    return check_message(content, PolicyChain.named(names, max_size=max_size))


class PolicyGate:
    """Small messages are checked in the calling thread; large ones in a process pool, so text
    extraction of big attachments never competes with the SMTP dialogs for the interpreter."""

    def __init__(self, names: tuple[str, ...], max_size: int, inline_bytes: int = 256 * 1024,
                 pool: Executor | None = None) -> None:
        PolicyChain.named(names, max_size=max_size)  # unknown names fail at start-up, not on the first message
        self.names = names
        self.max_size = max_size
        self.inline_bytes = inline_bytes
        self._pool = pool

    def _executor(self) -> Executor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("forkserver"))
        return self._pool

    def verdict(self, content: bytes) -> Verdict:
        if len(content) <= self.inline_bytes:
            return _check(content, self.names, self.max_size)
        return self._executor().submit(_check, content, self.names, self.max_size).result()

    def check(self, content: bytes) -> GateDecision:
        try:
            verdict = self.verdict(content)
        except Exception as exc:  # what cannot be read cannot be shown to be free of marks
            log.exception("the content gate could not read a message")
            verdict = Verdict("block", (Finding("uninspectable", "message",
                                                f"the message cannot be read ({type(exc).__name__})"),))
        if not verdict.blocked:
            return GateDecision(blocked=False)
        return GateDecision(
            blocked=True,
            rule=",".join(dict.fromkeys(f.rule for f in verdict.findings)),
            location="; ".join(dict.fromkeys(f.where for f in verdict.findings)),
            reason=reply_text(verdict.findings),
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def reply_text(findings: tuple[Finding, ...]) -> str:
    first = findings[0]
    where = first.where if first.where != "body" else "nội dung thư"
    reason_vi = f"{where} {RULE_NAMES_VI.get(first.rule, first.rule)}"
    if first.rule in ("uninspectable", "attachment-type", "size"):
        reason_vi += f" ({first.evidence})"  # a reason about the file, never words of the content
    reason_en = f"{first.rule} in {first.where}" + (f" ({first.evidence})" if first.rule == "uninspectable" else "")
    return render("policy_reply.txt", reason_vi=reason_vi, reason_en=reason_en).strip()
