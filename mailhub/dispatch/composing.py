"""Shared by every command that composes mail: header-safe values, ``--output`` files, and the
audit of a refusal raised inside a transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from directory import InvalidInput
from mailhub.errors import MailhubError
from mailhub.relay.refusals import Refused


def one_line(*values: str) -> None:
    """Refuse a value that would break out of its header line (header injection)."""
    if any("\n" in v or "\r" in v for v in values):
        raise InvalidInput("a line break in a subject, title, location or link would inject a header: refused")


def write_output(path: Path, contents: list[bytes], kinds: list[str]) -> list[Path]:
    """One file, or one file per distinct message when ``path`` is a directory."""
    if path.is_dir() or str(path).endswith("/") or (len(contents) > 1 and not path.exists() and not path.suffix):
        path.mkdir(parents=True, exist_ok=True)
        written = []
        for number, (content, kind) in enumerate(zip(contents, kinds, strict=True), start=1):
            target = path / f"{number:02d}-{kind}.eml"
            target.write_bytes(content)
            written.append(target)
        return written
    if len(contents) > 1:
        raise MailhubError(f"{len(contents)} different messages would be sent: give --output a directory")
    path.write_bytes(contents[0])
    return [path]


@contextmanager
def audited_refusals() -> Iterator[None]:
    """A refusal raised inside a transaction carries its audit record; write it once the
    transaction is gone (rolled back: nothing of the refused message or its meeting is kept)."""
    try:
        yield
    except Refused as refusal:
        if refusal.record is not None:
            refusal.record()
        raise
