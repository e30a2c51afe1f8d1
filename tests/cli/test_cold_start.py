"""Cold start and CLI-side speed: what a small ``--check`` must not import, and the fast paths of
the CLI (sorting, rendering, selection, relative paths, suppression pre-check) against the
straightforward code they replace."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sup2circus import cli, lint, output, report, suppress
from sup2circus.findings import Finding, Severity, sorted_findings
from sup2circus.settings import Settings

SMALL = textwrap.dedent(
    """\
    [supervisord]
    nodaemon = true

    [program:web]
    command = /usr/bin/web --port 8000

    [program:worker]
    command = /usr/bin/worker
    autorestart = true

    [program:cron]
    command = /usr/bin/cron
    """
)

# Modules a --check of a small file has no use for (each costs milliseconds of start-up).
NOT_NEEDED = (
    "json",
    "tomllib",
    "glob",  # only [include] needs it
    "tempfile",
    "difflib",
    "urllib.parse",
    "sup2circus.verify",
    "sup2circus.docs",
    "sup2circus.exact",
    "sup2circus.circus_hooks",
    "circus",
)

PROBE = """\
import sys
from sup2circus.cli import main
sys.argv = ["sup2circus", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
print("MODULES", " ".join(sorted(sys.modules)), file=sys.stderr)
sys.exit(code)
"""


def _modules_after(tmp_path: Path, *args: str) -> tuple[int, set[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUP2CIRCUS")}
    res = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = next(x for x in res.stderr.splitlines() if x.startswith("MODULES "))
    return res.returncode, set(line.split()[1:]), res.stdout


def test_small_check_imports_only_what_it_needs(tmp_path: Path) -> None:
    (tmp_path / "supervisord.conf").write_text(SMALL)
    rc, modules, out = _modules_after(tmp_path, "--check", "supervisord.conf")
    assert rc == 1 and "Found " in out  # it did check (S2C101 and friends)
    assert "sup2circus.translate" in modules  # the probe sees the pipeline's modules
    assert sorted(set(NOT_NEEDED) & modules) == []


def test_small_conversion_imports_only_what_it_needs(tmp_path: Path) -> None:
    (tmp_path / "supervisord.conf").write_text(SMALL)
    rc, modules, out = _modules_after(tmp_path, "supervisord.conf")
    assert rc == 0 and "[watcher:web]" in out
    assert sorted(set(NOT_NEEDED) & modules) == []


def test_output_file_without_tempfile(tmp_path: Path) -> None:
    # -o writes through a temp file of its own (tempfile imports random, shutil, bz2, lzma...)
    (tmp_path / "supervisord.conf").write_text(SMALL)
    rc, modules, _ = _modules_after(tmp_path, "supervisord.conf", "--output", "circus.ini")
    assert rc == 0 and "[watcher:web]" in (tmp_path / "circus.ini").read_text()
    assert sorted(set(NOT_NEEDED) & modules) == []
    # (-o is parsed by click through a NoSuchOption for a long option "-o", which imports
    # difflib for its suggestions: click's cost, not ours)
    rc, modules, _ = _modules_after(tmp_path, "supervisord.conf", "-o", "circus.ini")
    assert rc == 0 and "tempfile" not in modules
    assert sorted(os.listdir(tmp_path)) == ["circus.ini", "supervisord.conf"]


def test_temp_file_is_new_private_and_beside_the_target(tmp_path: Path) -> None:
    names = set()
    for _ in range(50):
        fd, name = output._temp_file(str(tmp_path), ".circus.ini.")
        os.close(fd)
        assert os.path.dirname(name) == str(tmp_path)
        base = os.path.basename(name)
        assert base.startswith(".circus.ini.") and base.endswith(".tmp")
        assert os.stat(name).st_mode & 0o777 == 0o600
        names.add(name)
    assert len(names) == 50
    with pytest.raises(FileNotFoundError):
        output._temp_file(str(tmp_path / "missing"), "x.")


def test_toml_parsed_only_for_a_pyproject_naming_sup2circus(tmp_path: Path) -> None:
    (tmp_path / "supervisord.conf").write_text(SMALL)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n')
    _, modules, _ = _modules_after(tmp_path, "--check", "supervisord.conf")
    assert "tomllib" not in modules
    (tmp_path / "pyproject.toml").write_text('[tool.sup2circus]\nfail-on = "error"\n')
    rc, modules, _ = _modules_after(tmp_path, "--check", "supervisord.conf")
    assert "tomllib" in modules or sys.version_info < (3, 11)
    assert rc == 0  # fail-on = error: only warnings and infos here


def test_console_entry_runs_without_the_collector_and_exits_normally(tmp_path: Path) -> None:
    # main() as the console script runs it (argv=None) turns the cyclic garbage collector off
    # for its own process and freezes the heap before exiting (see main); the exit is still a
    # normal one: atexit handlers run and buffered output is flushed
    (tmp_path / "supervisord.conf").write_text(SMALL)
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('GC', gc.isenabled(), gc.get_freeze_count() > 0,"
        " file=sys.stderr))\n"
        "sys.stdout.write('buffered, not flushed by the probe\\n')\n"
        "from sup2circus.cli import main\n"
        "sys.argv = ['sup2circus', *sys.argv[1:]]\n"
        "main()\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", probe, "--check", "supervisord.conf"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 1, res.stderr
    assert "GC False True" in res.stderr
    assert res.stdout.startswith("buffered, not flushed by the probe\n")
    assert "Found " in res.stdout
    # called with arguments (in-process use, tests), main() leaves the collector alone
    import gc

    before = gc.get_freeze_count()
    with pytest.raises(SystemExit):
        cli.main(["--isolated", "--check", str(tmp_path / "supervisord.conf")])
    assert gc.get_freeze_count() == before
    assert gc.isenabled()


# ---------------------------------------------------------------------------- fast paths

_codes = st.sampled_from(["S2C101", "S2C102", "S2C110", "S2C004", "S2C902", "S2C9"])
_files = st.sampled_from(["a.conf", "b.conf", "/abs/x.conf", "<stdin>", "conf.d/c.conf"])
_texts = st.text(alphabet="ab \n\r\x0b\x85\u2028:é", max_size=12)
_findings = st.builds(
    Finding,
    code=_codes,
    severity=st.sampled_from(list(Severity)),
    message=_texts,
    file=_files,
    line=st.integers(1, 4),
    section=st.none() | st.sampled_from(["program:a", ""]),
    option=st.none() | st.sampled_from(["", "command", "user"]),
    column=st.integers(1, 3),
)
_many = st.lists(_findings, max_size=40)
_fast = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_fast
@given(_many)
def test_sorted_findings_is_a_stable_sort_by_sort_key(findings: list[Finding]) -> None:
    expected = sorted(findings, key=Finding.sort_key)
    got = sorted_findings(findings)
    assert [id(f) for f in got] == [id(f) for f in expected]
    assert sorted_findings(tuple(findings)) == expected
    assert sorted_findings(iter(findings)) == expected


@_fast
@given(_many, st.booleans())
def test_render_text_is_text_line_per_finding(findings: list[Finding], with_summary: bool) -> None:
    summary = report.Summary(3, 1, Severity.WARNING, False) if with_summary else None
    lines = [report.text_line(f) for f in findings]
    if summary is not None:
        lines.append(report.summary_line(findings, summary))
    assert report.render_text(findings, summary) == "".join(x + "\n" for x in lines)
    if summary is not None:  # the summary's counts, the straightforward way
        failing = sum(1 for f in findings if f.severity.rank >= Severity.WARNING.rank)
        assert f"{failing} at or above warning" in lines[-1] or not findings


def _apply_slowly(s: Settings, findings: list[Finding]) -> list[Finding]:
    out = []
    for f in findings:
        if not s.is_selected(f.code):
            continue
        sev = s.severity_of(f)
        out.append(f if sev is f.severity else replace(f, severity=sev))
    return out


_prefixes = st.lists(st.sampled_from(["ALL", "S2C", "S2C1", "S2C10", "S2C101", "S2C9"]), max_size=3)


@_fast
@given(
    _many,
    _prefixes,
    _prefixes,
    st.dictionaries(st.sampled_from(["S2C1", "S2C101", "S2C9"]), st.sampled_from(list(Severity))),
)
def test_settings_apply_is_the_per_finding_rule(
    findings: list[Finding], select: list[str], ignore: list[str], severity: dict[str, Severity]
) -> None:
    s = Settings(select=tuple(select) or ("ALL",), ignore=tuple(ignore), severity=severity)
    expected = _apply_slowly(s, findings)
    for given_as in (findings, tuple(findings), iter(findings)):
        got = s.apply(given_as)
        assert got == expected
        assert [f.severity for f in got] == [f.severity for f in expected]


def test_shown_all_is_shown_per_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    below = str(tmp_path / "conf.d" / "a.conf")
    findings = [
        Finding("S2C101", Severity.WARNING, "m", f, 1)
        for f in (below, "rel.conf", "/elsewhere/b.conf", str(tmp_path), "<stdin>", below)
    ]
    expected = [lint.shown(f) for f in findings]
    assert lint.Shown().all(findings) == expected
    assert expected[0].file == os.path.join("conf.d", "a.conf")
    assert expected[2].file == "/elsewhere/b.conf"
    unchanged = findings[1:3]
    assert lint.Shown().all(unchanged) is unchanged


@pytest.mark.parametrize(
    "comment",
    [
        "; sup2circus: ignore=S2C101",
        "# SUP2CIRCUS : IGNORE-FILE = s2c101",
        "; \u017fup2circus: ignore=S2C101",  # long s matches s under IGNORECASE
        "; sup2c\u0131rcus: ignore=S2C101",  # dotless i
        "; sup2c\u0130rcus: ignore=S2C101",  # dotted capital I
    ],
)
def test_comment_pre_check_never_hides_a_comment(comment: str) -> None:
    text = f"[program:a]\ncommand = x  {comment}\n"
    assert suppress.may_have_comments(text)
    assert [s.codes for s in suppress.parse("f", text)] == [("S2C101",)]


@_fast
@given(
    st.lists(
        st.sampled_from(
            [
                "; ",
                "sup2",
                "circus",
                "SUP2CIRCUS",
                ": ignore=S2C1",
                "\n",
                "x",
                "\u017f",
                "\u0131",
                "é",
            ]
        ),
        max_size=12,
    )
)
def test_comment_pre_check_is_implied_by_a_match(parts: list[str]) -> None:
    text = "".join(parts)
    comment_re = suppress._patterns()[0]
    if any(comment_re.search(line) for line in text.splitlines()):
        assert suppress.may_have_comments(text)
    if not suppress.may_have_comments(text):
        assert suppress.parse("f", text) == []
