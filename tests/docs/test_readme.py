"""The README's promises: the Quick start shape, and fragments in sync with docs/."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

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


def _python_blocks(after_heading: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    m = re.search(rf"^### {re.escape(after_heading)}\n(.*?)(?=^## )", text, re.S | re.M)
    assert m, after_heading
    return re.findall(r"```python\n(.*?)```", m.group(1), re.S)


def test_readme_library_examples_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the examples as a reader pastes them, next to the demo's supervisord.conf and its
    # Dockerfile from before the migration
    docker = ROOT / "docker"
    (tmp_path / "supervisord.conf").write_text((docker / "supervisord.conf").read_text())
    (tmp_path / "Dockerfile").write_text((docker / "Dockerfile.supervisor").read_text())
    monkeypatch.chdir(tmp_path)
    convert_block, check_block = _python_blocks("As a library")
    exec(compile(convert_block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "[watcher:" in out and "S2C" in out
    with pytest.raises(SystemExit) as exit_:
        exec(compile(check_block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "supervisord.conf" in out and "Dockerfile" in out
    # the Dockerfile installs and runs supervisord: warnings, at the default fail-on
    assert exit_.value.code == 1
