"""Check functions for the gate's worker processes in tests: module-level and picklable, with imports
light enough that a replacement worker starts at once. The pool runs whatever callable the gate is
built with; these run the real check after what the message's ``X-Test-Stage`` header asks for."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

from mailhub.gate.process import check_content
from policies import Verdict


def staged_check(content: bytes, names: tuple[str, ...], max_size: int, document: str | None = None) -> Verdict:
    """``burn=SECONDS`` spends CPU the way a decompression bomb does; ``hungry`` allocates far past any
    memory cap; ``raise`` is a bug in a policy; ``mark=DIR`` leaves a file named after the worker's pid
    when the stage starts. Then the real check."""
    found = re.search(rb"^X-Test-Stage:((?:[^\r\n]|\r?\n[ \t])*)", content, re.MULTILINE)  # folded, too
    stage = dict(item.partition("=")[::2] for item in found.group(1).decode().split()) if found else {}
    if "mark" in stage:
        Path(stage["mark"], str(os.getpid())).touch()
    if "burn" in stage:
        end = time.monotonic() + float(stage["burn"])
        while time.monotonic() < end:
            pass
    if "hungry" in stage:
        bytearray(64 * 1024**3)
    if "raise" in stage:
        raise RuntimeError("a bug in a policy")
    return check_content(content, names, max_size, document)


def dying_check(content: bytes, names: tuple[str, ...], max_size: int, document: str | None = None) -> Verdict:
    """A worker the kernel kills in the middle of every check."""
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")
