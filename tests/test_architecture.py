"""The architecture's one direction of dependency, checked by import-linter."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_directory_and_policies_never_import_the_service() -> None:
    lint_imports = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([lint_imports], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_grows_past_the_size_limit() -> None:
    sizes = {p: len(p.read_text(encoding="utf-8").splitlines())
             for package in ("mailhub", "directory", "policies") for p in (ROOT / package).rglob("*.py")}
    assert [str(p) for p, n in sizes.items() if n > 450] == []
