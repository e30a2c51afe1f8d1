"""The suite runs every test file: pytest's default ``norecursedirs`` once skipped tests/build/
(a directory named "build") without a word."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_every_test_file_is_collected() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=TESTS.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    collected = {line.split("::", 1)[0] for line in out.splitlines() if "::" in line}
    on_disk = {str(p.relative_to(TESTS.parent)) for p in TESTS.rglob("test_*.py")}
    assert on_disk - collected == set()
    assert "tests/build/test_mapping.py" in collected
