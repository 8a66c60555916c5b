"""The confidentiality gate against a hostile corpus (see tests/policies/hostile): every marked file is refused,
everything unreadable is refused as uninspectable, every clean file passes, each within 20 s.

Resource attacks (cases named ``bomb-*``) run in a forked child with an address-space ceiling and a
wall-clock kill, so a gate that explodes fails its test instead of taking the machine down.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
import traceback
from multiprocessing.connection import Connection

import pytest

from policies import check_document, check_message
from tests.policies.hostile import corpus
from tests.policies.hostile_round2 import corpus as round2_corpus

CEILING_SECONDS = 20.0  # a ceiling, not a benchmark
BOMB_KILL_SECONDS = 40.0  # a bomb still running by then is killed (and fails)
BOMB_MEMORY_BYTES = 6 * 1024**3  # address-space limit for the child running a bomb

CASES = corpus() + round2_corpus()  # round two (tests/policies/hostile_round2): names start with "r2-"

# Evasions the gate does not catch yet, each a named gap (strict: a fix makes its test fail until the
# entry goes). None is a class the issue names; each needs a reader of what is drawn rather than stored.
KNOWN_GAPS = {
    "r2-evade-pdf-tiny-letter-in-stamp": "PDF text is read as stored; a 0.1 pt letter inside the stamp is not dropped",
    "r2-evade-pdf-invisible-letter-in-stamp": "PDF render mode 3 (invisible) letters are read as visible ones",
    "r2-evade-xlsx-white-1pt-letter-in-stamp": "a white 1 pt run in a cell is read as visible text",
    "r2-evade-html-css-content-attr": "CSS content: attr(...) is not resolved against the element",
    "r2-evade-docx-stamp-split-across-cells": "adjacent borderless cells are not joined into one reading",
    "r2-evade-pdf-stamp-as-vector-outlines": "a stamp drawn as curves has no text; typed PDF pages are not rendered",
    "r2-evade-svg-stamp-as-paths": "SVG paths are not rendered for OCR",
    "r2-evade-pdf-tounicode-lie": "the font's ToUnicode map is trusted",
}


def _param(case: tuple[str, str, str, bytes]) -> object:
    reason = KNOWN_GAPS.get(case[0])
    return pytest.param(*case, id=case[0], marks=pytest.mark.xfail(strict=True, reason=reason) if reason else ())


def _check(filename: str, data: bytes) -> tuple[str, list[tuple[str, str, str]]]:
    verdict = check_message(data) if filename.endswith(".eml") else check_document(filename, data)
    return verdict.action, [(f.rule, f.where, f.evidence) for f in verdict.findings]


def _child(connection: Connection, filename: str, data: bytes) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (BOMB_MEMORY_BYTES, BOMB_MEMORY_BYTES))
    started = time.perf_counter()
    try:
        action, findings = _check(filename, data)
        result: dict[str, object] = {"action": action, "findings": findings}
    except BaseException as exc:  # report it to the parent, whatever it is
        result = {"error": f"{type(exc).__name__}: {exc}"[:500], "traceback": traceback.format_exc()[-3000:]}
    result["elapsed"] = time.perf_counter() - started
    result["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    connection.send(result)
    connection.close()


def _run_isolated(filename: str, data: bytes) -> dict[str, object]:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, filename, data), daemon=True)
    started = time.perf_counter()
    process.start()
    sender.close()
    try:
        if receiver.poll(BOMB_KILL_SECONDS):
            return receiver.recv()
        return {"error": f"still running after {BOMB_KILL_SECONDS:.0f} s: killed",
                "elapsed": time.perf_counter() - started}
    except EOFError:
        return {"error": f"the child died (exit code {process.exitcode}; out of memory?)",
                "elapsed": time.perf_counter() - started}
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()


def _run_in_process(filename: str, data: bytes) -> dict[str, object]:
    started = time.perf_counter()
    try:
        action, findings = _check(filename, data)
        result: dict[str, object] = {"action": action, "findings": findings}
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}"[:500], "traceback": traceback.format_exc()[-3000:]}
    result["elapsed"] = time.perf_counter() - started
    return result


@pytest.mark.parametrize(("name", "label", "filename", "data"), [_param(c) for c in CASES])
def test_hostile_case(name: str, label: str, filename: str, data: bytes) -> None:
    result = (_run_isolated if name.startswith("bomb-") else _run_in_process)(filename, data)
    elapsed = float(result["elapsed"])  # type: ignore[arg-type]
    rss = f", max RSS {result['max_rss_mb']:.0f} MB" if "max_rss_mb" in result else ""
    print(f"\n{name}: expected {label}, got {result.get('action', 'ERROR')} in {elapsed:.2f} s{rss}")
    problems = []
    if "error" in result:
        problems.append(f"the gate raised instead of giving a verdict: {result['error']}\n"
                        f"{result.get('traceback', '')}")
    elif result["action"] != label:
        problems.append(f"expected {label}, the gate said {result['action']}: {result['findings']}")
    if elapsed >= CEILING_SECONDS:
        problems.append(f"took {elapsed:.1f} s (ceiling {CEILING_SECONDS:.0f} s)")
    assert not problems, f"{name} ({filename}, {len(data)} bytes{rss}): " + "; ".join(problems)
    if label == "block":
        assert all(rule and where and evidence for rule, where, evidence in result["findings"])  # type: ignore


def test_corpus_is_large_and_labelled() -> None:
    labels = {label for _, label, _, _ in CASES}
    assert labels == {"block", "pass"}
    assert len(CASES) >= 70
    assert len({name for name, *_ in CASES}) == len(CASES)
    assert all(name.startswith("r2-") for name, *_ in round2_corpus())
