"""Private key files: folders 0700, keys 0600 from the moment they exist (never world-readable)."""

from __future__ import annotations

import os
from pathlib import Path


def private_folder(folder: Path, *below: Path) -> None:
    """``folder`` and the folders ``below`` it, made and closed to everyone but their owner."""
    for path in (folder, *below):
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)


def write_private(path: Path, data: bytes, *, replace: bool = False) -> None:
    """Write ``data`` to a file only its owner can read (an existing one only when ``replace``)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    descriptor = os.open(path, flags, 0o600)
    os.fchmod(descriptor, 0o600)  # a replaced file keeps its old mode otherwise
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
