"""Frozen values that cross the policies boundary."""

from __future__ import annotations

from dataclasses import dataclass

PASS, BLOCK = "pass", "block"


@dataclass(frozen=True)
class TextPart:
    """Readable text from one place in a message: ``where`` names it for a person."""

    where: str
    text: str
    kind: str = "body"  # subject, body, attachment, property, filename, ocr


@dataclass(frozen=True)
class Uninspectable:
    where: str
    reason: str


@dataclass(frozen=True)
class AttachmentInfo:
    where: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Extraction:
    parts: tuple[TextPart, ...]
    uninspectable: tuple[Uninspectable, ...] = ()
    attachments: tuple[AttachmentInfo, ...] = ()
    size: int = 0
    not_read: tuple[str, ...] = ()  # where ordinary pictures (photos, icons) were not read: noted, not refused


@dataclass(frozen=True)
class Finding:
    """One hit of one rule: which rule, where, and the evidence (the matched line)."""

    rule: str
    where: str
    evidence: str


@dataclass(frozen=True)
class Verdict:
    action: str  # pass or block
    findings: tuple[Finding, ...] = ()
    notes: tuple[Finding, ...] = ()  # what passed unread (ordinary pictures): for the audit, never a refusal

    @property
    def blocked(self) -> bool:
        return self.action == BLOCK
