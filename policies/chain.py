"""Policies: named predicates over an extracted message, run as an ordered chain where every
hit is recorded (Mailman's rule/chain vocabulary). Pure: no database, SMTP or CLI."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Protocol

from policies.extract import Limits, extract_document, extract_message
from policies.extract.base import shown_name
from policies.marks import find_marks
from policies.types import BLOCK, PASS, Extraction, Finding, Verdict


class Policy(Protocol):
    @property
    def name(self) -> str: ...

    def check(self, message: Extraction) -> Verdict | None: ...


def _verdict(findings: Iterable[Finding]) -> Verdict | None:
    found = tuple(findings)
    return Verdict(BLOCK, found) if found else None


@dataclass(frozen=True)
class ConfidentialMarks:
    """Refuse anything that carries a state-secret mark, wherever it is."""

    name: str = "confidential-mark"

    def check(self, message: Extraction) -> Verdict | None:
        return _verdict(f for part in message.parts for f in find_marks(part))


@dataclass(frozen=True)
class Uninspectable:
    """Fail closed: what cannot be read cannot be shown to be free of marks."""

    name: str = "uninspectable"

    def check(self, message: Extraction) -> Verdict | None:
        return _verdict(Finding(self.name, u.where, u.reason) for u in message.uninspectable)


@dataclass(frozen=True)
class MaxSize:
    limit: int = 25 * 1024 * 1024
    name: str = "size"

    def check(self, message: Extraction) -> Verdict | None:
        if message.size > self.limit:
            return _verdict([Finding(self.name, "message", f"{message.size} bytes, over {self.limit}")])
        return None


@dataclass(frozen=True)
class AttachmentTypes:
    """Refuse executables and scripts, which have no place in official mail."""

    blocked_suffixes: frozenset[str] = frozenset({
        ".exe", ".com", ".scr", ".bat", ".cmd", ".pif", ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh", ".msi",
        ".ps1", ".hta", ".cpl", ".jar", ".lnk", ".iso", ".img", ".dll", ".reg"})
    name: str = "attachment-type"

    def check(self, message: Extraction) -> Verdict | None:
        return _verdict(
            Finding(self.name, a.where, f"{PurePath(a.filename.lower()).suffix} files are not accepted")
            for a in message.attachments if PurePath(a.filename.lower()).suffix in self.blocked_suffixes)


BUILTIN: dict[str, Policy] = {
    p.name: p for p in (ConfidentialMarks(), Uninspectable(), MaxSize(), AttachmentTypes())
}
DEFAULT_ORDER = ("confidential-mark", "uninspectable", "attachment-type", "size")


@dataclass(frozen=True)
class PolicyChain:
    policies: tuple[Policy, ...]

    @classmethod
    def named(cls, names: Sequence[str] = DEFAULT_ORDER, *, max_size: int | None = None) -> PolicyChain:
        unknown = [n for n in names if n not in BUILTIN]
        if unknown:
            raise ValueError(f"unknown policies {unknown}; known: {', '.join(BUILTIN)}")
        chosen = [MaxSize(max_size) if n == "size" and max_size else BUILTIN[n] for n in names]
        return cls(tuple(chosen))

    def check(self, message: Extraction) -> Verdict:
        """Run every policy; the verdict blocks if any does, and carries every hit. Pictures that
        were not read (ordinary photos) travel as notes, for the audit."""
        findings: list[Finding] = []
        for policy in self.policies:
            verdict = policy.check(message)
            if verdict is not None and verdict.blocked:
                findings.extend(verdict.findings)
        notes = tuple(Finding("image-not-read", where, "an ordinary picture (not a document): not read")
                      for where in dict.fromkeys(message.not_read))
        return Verdict(BLOCK, tuple(findings), notes) if findings else Verdict(PASS, (), notes)


def check_message(raw: bytes, chain: PolicyChain | None = None, limits: Limits | None = None) -> Verdict:
    return (chain or PolicyChain.named()).check(extract_message(raw, limits))


def check_document(name: str, data: bytes, chain: PolicyChain | None = None, limits: Limits | None = None) -> Verdict:
    return (chain or PolicyChain.named()).check(extract_document(name, data, limits=limits))


def name_token(name: str) -> str:
    """How a file name appears in findings: see policies.extract.base.shown_name."""
    return shown_name(name)
