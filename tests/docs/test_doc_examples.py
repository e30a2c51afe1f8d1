"""Examples and claims of docs/, checked as a reader would: pasted, run, compared."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sup2circus import ConvertOptions, check, convert_file, convert_text
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


def test_docker_md_says_what_a_conversion_without_exact_leaves_out() -> None:
    # docs/docker.md: without --exact "the watchers are the same minus the hooks.* and
    # sup2circus.* lines" and the priorities it names
    claim = (ROOT / "docs" / "docker.md").read_text().split("### Before and after")[1]
    claim = " ".join(claim.split("<!-- BEGIN")[0].split())
    conf = (ROOT / "docker" / "supervisord.conf").read_text()

    def watchers(exact: bool) -> list[str]:
        ini = convert_text(conf, options=ConvertOptions(exact=exact)).text
        lines = ini[ini.index("\n[watcher:") :].splitlines()
        return [ln for ln in lines if not ln.startswith(("hooks.", "sup2circus."))]

    exact, plain = watchers(True), watchers(False)
    differ = sorted({a for a, b in zip(exact, plain, strict=True) if a != b})
    assert differ == ["priority = 1", "priority = 2"]
    assert {b for a, b in zip(exact, plain, strict=True) if a != b} == {"priority = -999"}
    assert "`priority = -999`" in claim and "2 and 1" in claim


CORPUS = Path("/work/shared/corpus/realworld")  # as in test_differential.py


def test_conversion_md_figures_are_what_the_converter_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = " ".join((ROOT / "docs" / "conversion.md").read_text().split())
    # the sh wrapper: the demo's longest command, against the short form without PWD
    m = re.search(r"restoring it costs (\d+) characters", text)
    n = re.search(r"The demo's longest command is (\d+) characters \(the short form: (\d+)", text)
    assert m and n, "conversion.md names the wrapper's cost"
    ini = convert_text((ROOT / "docker" / "supervisord.conf").read_text()).text
    longest = max(len(ln) - len("cmd = ") for ln in ini.splitlines() if ln.startswith("cmd = "))
    short = len('/bin/sh -c \'exec "$0" "$@" 2>&1\' gunicorn app:app -b 127.0.0.1:5000')
    assert (int(n[1]), int(n[2]), int(m[1])) == (longest, short, longest - short)
    # what a watcher holds, measured on the largest real-world config of the corpus
    f = re.search(
        r"\((\d+) lines, (\d+) programs, (\d+) lines of circus.ini\): these three lines are "
        r"(\d+) of the \d+; the log options are (\d+) \((\d+) a program",
        text,
    )
    assert f, "conversion.md names its figures"
    confs = sorted(CORPUS.glob("*.conf"))
    if not confs:
        pytest.skip(f"no real-world corpus at {CORPUS}")
    programs = re.compile(r"^\[(?:program|fcgi-program|eventlistener):", re.M)
    largest = max(confs, key=lambda p: len(programs.findall(p.read_text())))
    monkeypatch.chdir(largest.parent)
    lines = convert_file(str(largest)).text.splitlines()
    three = sum(ln.startswith(("autostart = ", "respawn = ", "stop_signal = ")) for ln in lines)
    logs = sum(ln.startswith(("stdout_stream.", "stderr_stream.")) for ln in lines)
    n_programs = len(programs.findall(largest.read_text()))
    wc_lines = largest.read_text().count("\n")  # as wc -l counts them
    measured = (wc_lines, n_programs, len(lines), three, logs)
    assert tuple(int(x) for x in f.groups()[:5]) == measured
    assert int(f[6]) * n_programs == logs


def test_docker_readme_test_command_runs_the_tests_it_describes() -> None:
    # docker/README.md: the command "checks the Dockerfile's structure and the configs" and runs
    # the demo; a marker that deselects one of the files it names would run none of that file
    readme = (ROOT / "docker" / "README.md").read_text()
    m = re.search(r"^\$ (pytest .*)$", readme, re.M)
    assert m, "docker/README.md gives a pytest command"
    args = m.group(1).split()[1:]
    files = [a for a in args if a.endswith(".py")]
    assert files

    def collected(argv: list[str]) -> int:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
             *argv],
            cwd=ROOT, capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        counts = re.search(r"(\d+)(?:/(\d+))? tests? collected", done.stdout)
        assert counts, done.stdout + done.stderr
        return int(counts[1])

    assert collected(args) == collected(files)


def test_docker_md_names_every_finding_of_the_demo() -> None:
    # docs/docker.md: "What still differs is what the findings say"; each code the demo's
    # conversion reports, with --exact or without, is explained on the page
    page = (ROOT / "docs" / "docker.md").read_text()
    conf = (ROOT / "docker" / "supervisord.conf").read_text()
    codes = {
        f.code
        for exact in (True, False)
        for f in convert_text(conf, options=ConvertOptions(exact=exact)).findings
    }
    assert sorted(c for c in codes if c not in page) == []
