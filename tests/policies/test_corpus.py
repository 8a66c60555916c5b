"""Precision and recall of the confidentiality gate on the labelled corpus (see corpus.py)
and on the shared samples. Every case must be classified right."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies import check_message
from tests.policies.corpus import cases

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "policy"
CASES = list(cases())


@pytest.mark.parametrize(("name", "label", "raw"), CASES, ids=[c[0] for c in CASES])
def test_corpus_case(name: str, label: str, raw: bytes) -> None:
    verdict = check_message(raw)
    assert verdict.action == label, f"{name}: {verdict.findings}"
    if label == "block":
        assert all(f.rule and f.where and f.evidence for f in verdict.findings)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples are beside the repository only")
@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.eml")) if SAMPLES.is_dir() else [], ids=lambda p: p.name)
def test_shared_samples(path: Path) -> None:
    assert check_message(path.read_bytes()).action == path.name.split("-")[0]


def test_precision_and_recall_summary(capsys: pytest.CaptureFixture[str]) -> None:
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for _, label, raw in CASES:
        blocked = check_message(raw).blocked
        key = ("tp" if blocked else "fn") if label == "block" else ("fp" if blocked else "tn")
        counts[key] += 1
    precision = counts["tp"] / max(1, counts["tp"] + counts["fp"])
    recall = counts["tp"] / max(1, counts["tp"] + counts["fn"])
    with capsys.disabled():
        print(f"\npolicy corpus: {len(CASES)} cases, precision {precision:.3f}, recall {recall:.3f}, {counts}")
    assert precision == 1.0 and recall == 1.0
