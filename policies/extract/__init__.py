"""Text extraction from every part a person could read: MIME bodies and headers at every nesting
level, attachments of any common office format (by their packages' every part), PDFs with their
annotations and forms, archives and attached messages, scans by OCR; recursively, within one
budget per message. What cannot be read completely is reported, never taken as clean."""

from __future__ import annotations

from dataclasses import replace

from policies.extract.base import Budget, BudgetExceeded, DocumentError, Limits
from policies.extract.dispatch import read_file
from policies.extract.message import read_message
from policies.types import Extraction, Uninspectable


def extract_message(raw: bytes, limits: Limits | None = None, budget: Budget | None = None) -> Extraction:
    budget = budget or Budget(limits or Limits())
    try:
        budget.bytes(len(raw))
        return replace(read_message(raw, budget), size=len(raw))  # the size as sent, not the parts added up
    except BudgetExceeded as exc:  # wherever it ran out (a long plain body too): uninspectable, for good
        return Extraction((), (Uninspectable("message", str(exc)),), size=len(raw))


def extract_document(name: str, data: bytes, where: str | None = None, limits: Limits | None = None,
                     budget: Budget | None = None, content_type: str = "") -> Extraction:
    """One file on its own (``mailhub policy check FILE``): its own name is shown as given."""
    from policies.types import TextPart

    budget = budget or Budget(limits or Limits())
    name_part = Extraction((TextPart(where or name, name, "filename"),))
    read = read_file(name, data, where or name, 0, budget, content_type)
    return Extraction(name_part.parts + read.parts, read.uninspectable, read.attachments, len(data), read.not_read)


__all__ = ["Budget", "DocumentError", "Limits", "extract_document", "extract_message"]
