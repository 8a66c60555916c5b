"""python -m tests.policies.hostile DIR: build the corpus, check it, and write it out to look at it."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

from tests.policies.hostile import corpus
from tests.policies.hostile.common import _members


def _self_check() -> None:
    """Sanity of the generated files (not of the gate): the OOXML/ODF/XPS ones open as ZIPs, the messages parse."""
    for name, _label, filename, data in corpus():
        if name.startswith("bomb-"):
            continue
        if filename.endswith(".eml"):
            message_from_bytes(data, policy=default_policy)
        elif data[:2] == b"PK":
            _members(data)


if __name__ == "__main__":  # python -m tests.policies.hostile DIR: write the corpus out to look at it
    import sys
    import time

    started = time.perf_counter()
    built = corpus()
    print(f"{len(built)} cases in {time.perf_counter() - started:.2f} s")
    _self_check()
    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        target.mkdir(parents=True, exist_ok=True)
        for name, label, filename, data in built:
            (target / f"{label}--{name}{Path(filename).suffix}").write_bytes(data)
