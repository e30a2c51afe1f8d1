"""The README's promises: the Quick start shape, and fragments in sync with docs/."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from sync_readme import synced  # noqa: E402


def test_quick_start_has_exactly_two_one_line_sh_blocks() -> None:
    text = (ROOT / "README.md").read_text()
    m = re.search(r"^## Quick start\n(.*?)(?=^## )", text, re.S | re.M)
    assert m, "README must open with a Quick start section"
    assert re.findall(r"^## .*", text, re.M)[0] == "## Quick start"
    blocks = re.findall(r"```(\w*)\n(.*?)```", m.group(1), re.S)
    assert [lang for lang, _ in blocks] == ["sh", "sh"]
    for _, body in blocks:
        assert len(body.strip().splitlines()) == 1
    assert "docker/supervisord.conf" in blocks[0][1]
    assert "scripts/test.sh" in blocks[1][1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert blocks[1][1].strip() in ci


def test_readme_fragments_are_in_sync() -> None:
    text = (ROOT / "README.md").read_text()
    assert synced(text) == text, "run: python scripts/sync_readme.py"
