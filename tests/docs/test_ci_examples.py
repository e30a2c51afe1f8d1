"""docs/ci.md's suppression and settings examples, pasted as a reader pastes them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sup2circus import check
from sup2circus.settings import resolve

ROOT = Path(__file__).resolve().parents[2]
CI_MD = (ROOT / "docs" / "ci.md").read_text()


def _block(lang: str, after: str) -> str:
    """The first ``lang`` fenced block after the text ``after``."""
    start = CI_MD.index(after)
    m = re.compile(rf"```{lang}\n(.*?)```", re.S).search(CI_MD, start)
    assert m, (lang, after)
    return m.group(1)


def test_the_suppression_example_suppresses_what_it_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "supervisord.conf"
    conf.write_text(_block("ini", "Suppressing one finding"))
    monkeypatch.chdir(tmp_path)
    result = check([str(conf)], resolve(config=None, isolated=True))
    codes = {f.code for f in result.findings}
    # every comment of the example suppresses a finding: none is reported as unused
    assert "S2C902" not in codes
    assert not codes & {"S2C101", "S2C102", "S2C106", "S2C117"}
    assert result.exit_status == 0


def test_the_settings_example_reads_as_its_comments_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(_block("toml", "Project settings live"))
    # a program with supervisor's defaults (autorestart=unexpected), which --exact reproduces
    (tmp_path / "supervisord.conf").write_text(
        "[supervisord]\nnodaemon = true\n\n[program:web]\ncommand = /bin/cat\n"
    )
    monkeypatch.chdir(tmp_path)
    result = check(["supervisord.conf"], resolve(config=None))
    # exact = true: what --exact reproduces exactly is reported as such, and no override turns
    # a finding that says so into a failure
    for f in result.findings:
        if "reproduced by sup2circus hooks" in f.message:
            assert f.severity.value == "info", f
    assert not any(f.code.startswith("S2C2") for f in result.findings)
    assert result.exit_status == 0
