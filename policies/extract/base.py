"""What every reader shares: the error that makes a part uninspectable, the per-message budget
that bounds the work a hostile file can cause, and how a file's name is shown without keeping it."""

from __future__ import annotations

import hashlib
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

from policies.types import AttachmentInfo, Extraction


class DocumentError(Exception):
    """A document that cannot be read: corrupt, encrypted, of an unknown kind, or over a limit."""


class BudgetExceeded(DocumentError):
    """The message as a whole asks for more work than a check may do: it is uninspectable."""


@dataclass(frozen=True)
class Limits:
    """Limits per message, not per archive: a set of nested containers, each harmless alone,
    cannot add up to more than these."""

    max_depth: int = 6
    max_archive_members: int = 2000
    max_total_bytes: int = 256 * 1024 * 1024  # everything unpacked, decompressed or decoded, added up
    max_attachment_bytes: int = 60 * 1024 * 1024
    max_parts: int = 10_000  # files, archive members and package parts, added up
    max_pages: int = 3_000
    max_cells: int = 2_000_000
    max_text_chars: int = 6_000_000  # text read out of everything, added up (about 2,000 dense pages)
    max_ocr_pages: int = 40
    max_seconds: float = 18.0  # wall time of one check; the worker's deadline is the backstop


@dataclass
class Budget:
    """The running total for one message: every reader charges what it unpacks or walks."""

    limits: Limits = field(default_factory=Limits)
    started: float = field(default_factory=time.monotonic)
    expanded: int = 0
    parts: int = 0
    pages: int = 0
    cells: int = 0
    ocr_pages: int = 0
    text_chars: int = 0

    @property
    def deadline(self) -> float:
        return self.started + self.limits.max_seconds

    def _over(self, what: str) -> None:
        raise BudgetExceeded(f"the message is too large or complex to check ({what})")

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            self._over(f"over {self.limits.max_seconds:.0f} s of checking")

    def bytes(self, count: int) -> None:
        self.expanded += count
        if self.expanded > self.limits.max_total_bytes:
            self._over(f"over {self.limits.max_total_bytes // 1024 // 1024} MB unpacked")

    def part(self, count: int = 1) -> None:
        self.parts += count
        if self.parts > self.limits.max_parts:
            self._over(f"over {self.limits.max_parts} files and parts")
        self.check_time()

    def page(self, count: int = 1) -> None:
        self.pages += count
        if self.pages > self.limits.max_pages:
            self._over(f"over {self.limits.max_pages} pages")

    def cell(self, count: int = 1) -> None:
        self.cells += count
        if self.cells > self.limits.max_cells:
            self._over(f"over {self.limits.max_cells} spreadsheet cells")
        if not self.cells % 50_000:
            self.check_time()

    def text(self, count: int) -> None:
        self.text_chars += count
        if self.text_chars > self.limits.max_text_chars:
            self._over(f"over {self.limits.max_text_chars // 1_000_000} million characters of text")
        self.check_time()

    def ocr_page(self) -> None:
        self.ocr_pages += 1
        if self.ocr_pages > self.limits.max_ocr_pages:
            self._over(f"over {self.limits.max_ocr_pages} scanned pages")


def shown_name(name: str) -> str:
    """A file name as logs, replies and the audit may keep it: a hash and the extension, never the
    name itself (secret documents' names are often secret titles). The same name always gives the
    same token, so an operator who knows a name can find it: sha256 of its NFC form, 10 hex digits."""
    base = PurePath(name.replace("\\", "/")).name or name
    digest = hashlib.sha256(unicodedata.normalize("NFC", base).encode()).hexdigest()[:10]
    suffix = PurePath(base.lower()).suffix
    suffix = suffix if len(suffix) <= 8 and suffix[1:].isascii() and suffix[1:].isalnum() else ""
    return f"#{digest}{suffix}"


def merge(results: list[Extraction], info: tuple[AttachmentInfo, ...] = ()) -> Extraction:
    """Several readings as one: their parts, failures, attachments and unread pictures, in order."""
    return Extraction(
        parts=tuple(p for r in results for p in r.parts),
        uninspectable=tuple(u for r in results for u in r.uninspectable),
        attachments=info + tuple(a for r in results for a in r.attachments),
        size=sum(r.size for r in results),
        not_read=tuple(n for r in results for n in r.not_read),
    )
