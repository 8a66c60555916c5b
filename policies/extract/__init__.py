"""Text extraction from every part a person could read: MIME bodies, attachments of any
common office format, archives and attached messages, recursively and within limits."""

from __future__ import annotations

from policies.extract.dispatch import Limits, extract_document, extract_message

__all__ = ["Limits", "extract_document", "extract_message"]
