"""python -m tests.policies.hostile_round2: build, check each case, print the verdicts."""

from __future__ import annotations

from tests.policies.hostile_round2 import corpus

if __name__ == "__main__":  # python -m tests.policies.hostile_round2: build, check each case, print the verdicts
    import sys
    import time

    from policies import check_document, check_message

    started = time.perf_counter()
    built = corpus()
    print(f"{len(built)} cases in {time.perf_counter() - started:.2f} s")
    only = sys.argv[1:]
    for name, label, filename, data in built:
        if only and not any(o in name for o in only):
            continue
        began = time.perf_counter()
        verdict = check_message(data) if filename.endswith(".eml") else check_document(filename, data)
        flag = "ok  " if verdict.action == label else "MISS"
        found = "; ".join(f"{f.rule}: {f.evidence[:70]}" for f in verdict.findings)[:200]
        print(f"{flag} {name} [{label}] -> {verdict.action} ({time.perf_counter() - began:.1f}s) {found}")
