"""scripts/corpus_stats.py: the figures it prints about a corpus are the corpus's."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import corpus_stats  # noqa: E402

ONE = "[supervisord]\n[program:a]\ncommand=/bin/true\n[program:b]\ncommand=/bin/true\n"
# a second file that mentions sup2circus in a comment (the reader keeps such a file's text), and
# a refused one
TWO = (
    "[supervisord]\n"
    "[program:c]\ncommand=/bin/true\nuser=nobody  ; sup2circus reads this file too\n"
    "[eventlistener:l]\ncommand=/bin/cat\nevents=TICK_5\n"
)
REFUSED = "[supervisord]\n[program:d]\n"


def test_counts_programs_findings_and_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, text in (("one.conf", ONE), ("two.conf", TWO), ("refused.conf", REFUSED)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert corpus_stats.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"corpus: {tmp_path} (3 files, 1 refused, 4 programs)" in out
    assert "duplicate findings: 0" in out
    assert "files where convert and --check differ: 0" in out
