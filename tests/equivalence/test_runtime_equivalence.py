"""Runtime equivalence: the converted config makes circusd run the programs the way
supervisord runs the original.

Every case (tests/runtime_cases/*/, and the golden fixtures/*/ listed in
tests/runtime_cases/FIXTURES or marked ``runtime: true``) runs under supervisord and,
converted by the CLI, under circusd, with tests/probe.py as every program. The probes record
argv, cwd, environment (minus SUPERVISOR_*), uid/gid/groups, umask, stdin, other open fds,
where stdout/stderr end up (and whether stderr is stdout), start order, the signals received
on stop, and restarts. The differences must be exactly those the converter reported: each
finding code's rule lists the fields it accounts for (``Rule.observes``); no difference may
go unexplained, and no finding that claims a difference may come without one (except the
documented codes in ``runtime.NOT_SHOWN_BY_A_SHORT_RUN``, about failure handling a short run
cannot show).
"""

from __future__ import annotations

import json
import os
import re
import signal
from pathlib import Path

import pytest
from e2e import runtime
from e2e.daemons import short_tmpdir

CASES = runtime.discover()
# Our own cases also run converted with --exact (hooks) and --no-wrappers (approximations
# whose differences must show and be reported); the golden fixtures with the defaults.
VARIANTS = [
    (case, flags)
    for case in CASES
    for flags in ([(), ("--exact",), ("--no-wrappers",)] if case.own else [()])
]


@pytest.mark.daemons
@pytest.mark.parametrize(
    ("case", "flags"), VARIANTS, ids=[" ".join((c.id, *f)) for c, f in VARIANTS]
)
def test_circus_runs_what_supervisor_runs(case: runtime.Case, flags: tuple[str, ...]) -> None:
    if os.geteuid() != 0 and re.search(r"(?m)^\s*user\s*=", case.conf.read_text()):
        pytest.skip("switching to another user needs root")
    result = runtime.run_case(case, *flags)
    report = result.report()
    assert len(result.supervisor) == len(result.expected), report
    assert len(result.circus) == len(result.expected), report
    bad = runtime.unexplained(result.diffs, result.findings, result.expected)
    assert not bad, (
        "differences no finding accounts for:\n" + "\n".join(map(str, bad)) + ("\n\n" + report)
    )
    noise = runtime.unshown(result.diffs, result.findings, result.expected)
    assert not noise, (
        "findings whose difference never showed:\n"
        + "\n".join(f"{f.code} [{f.section}] {f.message}" for f in noise)
        + ("\n\n" + report)
    )


# ---------------------------------------------------------------- the harness itself


def test_cases_exist_and_use_the_probe() -> None:
    names = {c.name for c in CASES}
    assert {"environment", "dir_umask", "user", "redirect", "numprocs", "priority"} <= names
    assert {"logfiles", "stopsignal", "docker", "defaults", "command", "fcgi"} <= names
    for case in CASES:
        if case.own:
            assert runtime.PLACEHOLDER in case.conf.read_text(), case.conf
    listing = (runtime.CASES_DIR / "FIXTURES").read_text().splitlines()
    listed = {line.split("#")[0].strip() for line in listing}
    for name in listed - {""}:
        assert f"fixture-{name}" in names, f"{name} listed in FIXTURES but not found"


@pytest.mark.daemons
def test_sh_wrapper_keeps_a_stale_daemon_pwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """supervisord hands its children its own PWD even when it names another directory (the
    usual case with directory=); sh would export PWD=<cwd>, the wrapper restores the daemon's.
    The other cases run the daemons without PWD (the wrapper's unset branch)."""
    case = runtime.Case("stale_pwd", tmp_path / "supervisord.conf")
    case.conf.write_text(
        "[supervisord]\nnodaemon=true\nlogfile=%(here)s/s.log\npidfile=%(here)s/s.pid\n"
        "[program:wrapped]\ncommand=@PROBE@ wrapped\ndirectory=/usr/share\n"
        "redirect_stderr=true\nstdout_logfile=%(here)s/w.out\n"
    )
    monkeypatch.setitem(runtime.DAEMON_ENV, "PWD", "/")
    result = runtime.run_case(case)
    report = result.report()
    assert [d.field for d in result.diffs] == ["stdin"], report  # S2C106, as everywhere
    for seen in (result.supervisor, result.circus):
        assert [(o.fields["cwd"], o.fields["env"].get("PWD")) for o in seen] == [
            ("/usr/share", "/")
        ], report


@pytest.mark.daemons
def test_probe_records_what_it_was_given() -> None:
    import subprocess

    root = short_tmpdir("s2cp")
    try:
        log = root / "probe.log"
        out = root / "out"
        with open(out, "wb") as stdout:
            proc = subprocess.Popen(
                [runtime.probe_python(), str(runtime.PROBE), "x", "a b", "$Y"],
                env={"PROBE_LOG": str(log), "K": " v ", "PROBE_LIFETIME": "20"},
                cwd="/usr",
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=subprocess.PIPE,
                umask=0o027,
            )
            from e2e.daemons import wait_for

            wait_for(lambda: log.exists() and log.read_text().strip(), 10, "the probe")
            proc.send_signal(signal.SIGUSR2)
            _, err = proc.communicate(timeout=10)
        records = [json.loads(line) for line in log.read_text().splitlines()]
        start = records[0]
        assert start["event"] == "start"
        assert start["argv"][1:] == ["x", "a b", "$Y"]
        assert start["env"]["K"] == " v "
        assert start["cwd"] == "/usr"
        assert start["umask"] == 0o027
        assert start["fds"]["0"] == {"kind": "null"}
        assert start["fds"]["1"] == {"kind": "file", "path": str(out)}
        assert start["fds"]["2"] == {"kind": "pipe"}
        assert [r["signal"] for r in records if r["event"] == "signal"] == ["SIGUSR2"]
        assert records[-1] == {**records[-1], "event": "exit", "reason": "SIGUSR2"}
        assert start["stderr_is_stdout"] is False
        assert out.read_text() == "probe-stdout x a b $Y\n"
        assert err.decode() == "probe-stderr x a b $Y\n"
        # 2>&1 (one open file) vs the same file opened twice
        for shared in (True, False):
            log.unlink()
            with open(out, "ab") as one, open(out, "ab") as two:
                subprocess.run(
                    [runtime.probe_python(), str(runtime.PROBE), "y"],
                    env={"PROBE_LOG": str(log), "PROBE_LIFETIME": "0"},
                    stdin=subprocess.DEVNULL,
                    stdout=one,
                    stderr=one if shared else two,
                    timeout=20,
                    check=True,
                )
            assert json.loads(log.read_text().splitlines()[0])["stderr_is_stdout"] is shared
    finally:
        import shutil

        shutil.rmtree(root, ignore_errors=True)


def _obs(key: str, pid: int, **fields: object) -> runtime.Observed:
    base: dict[str, object] = {name: None for name in runtime.FIELDS if name != "start_order"}
    base.update(argv=["p", key], env={})
    base.update(fields)
    return runtime.Observed(key, pid, base)


def test_comparison_flags_unexplained_and_unshown() -> None:
    """The checker has teeth: a difference needs a finding, a finding needs a difference."""
    expected = [
        runtime.ExpectedProcess("a", "a", frozenset({"program:a"})),
        runtime.ExpectedProcess("b", "b", frozenset({"program:b"})),
    ]
    sup = [_obs("a:a", 10, umask="0o22"), _obs("b:b", 11, env={"X": "1"})]
    cir = [_obs("", 21, umask="0o77"), _obs("", 20, env={"X": "1", "Y": "2"})]
    cir[0].fields["argv"], cir[1].fields["argv"] = ["p", "a:a"], ["p", "b:b"]
    diffs = runtime.differences(sup, [cir[1], cir[0]])
    fields = sorted((d.process, d.field) for d in diffs)
    assert fields == [("*", "start_order"), ("a:a", "umask"), ("b:b", "env")]
    # no findings: everything is unexplained
    assert len(runtime.unexplained(diffs, [], expected)) == 3
    wrapped = runtime.FindingRef("S2C104", "info", "program:a", "umask", "wrapped")
    lost = runtime.FindingRef("S2C104", "warning", "program:a", "umask", "lost")
    other = runtime.FindingRef("S2C104", "warning", "program:b", "umask", "lost")
    # an exact wrapper (info) excuses nothing; a warning about that program does
    assert {d.field for d in runtime.unexplained(diffs, [wrapped], expected)} == {
        "umask",
        "env",
        "start_order",
    }
    assert {d.field for d in runtime.unexplained(diffs, [lost], expected)} == {
        "env",
        "start_order",
    }
    # a finding about another program does not explain this one, and it claims a
    # difference that never showed
    assert {d.field for d in runtime.unexplained(diffs, [other], expected)} >= {"umask"}
    assert runtime.unshown(diffs, [other], expected) == [other]
    assert runtime.unshown(diffs, [lost], expected) == []


@pytest.mark.daemons
def test_a_naive_conversion_is_caught(tmp_path: Path) -> None:
    """A hand-written naive circus.ini (priority not negated, no copy_env, umask as an
    option) differs in start order, environment and umask, and nothing explains it."""
    case = runtime.Case("naive", tmp_path / "supervisord.conf")
    case.conf.write_text(
        "[supervisord]\nnodaemon=true\nlogfile=%(here)s/s.log\npidfile=%(here)s/s.pid\n"
        "[program:a]\ncommand=@PROBE@ a\npriority=1\numask=077\nstdout_logfile=NONE\n"
        "stderr_logfile=NONE\n"
        "[program:b]\ncommand=@PROBE@ b\npriority=2\nstdout_logfile=NONE\nstderr_logfile=NONE\n"
    )
    root = short_tmpdir("s2cn")
    try:
        sup_conf = runtime.materialise(case, root / "sup")
        cir = root / "cir"
        cir_conf = runtime.materialise(case, cir)
        command = cir_conf.read_text().split("command=", 1)[1].split(" a\n", 1)[0]
        ini = cir / "circus.ini"
        ini.write_text(
            f"[circus]\nendpoint = ipc://{cir}/c.sock\npubsub_endpoint = ipc://{cir}/p.sock\n"
            "multicast_endpoint =\ncheck_delay = 1\n"
            f"[watcher:a]\ncmd = {command} a\npriority = 1\numask = 077\n"
            f"[watcher:b]\ncmd = {command} b\npriority = 2\n"
            f"[env:a,b]\nPROBE_LOG = {cir}/probe.log\n"
        )
        sup = runtime.observe(runtime.run("supervisor", sup_conf, 2))
        circ = runtime.observe(runtime.run("circus", ini, 2))
        diffs = runtime.differences(sup, circ)
        fields = {d.field for d in diffs}
        assert {"start_order", "env", "umask"} <= fields, "\n".join(map(str, diffs))
        expected = runtime.expected_processes(sup_conf)
        assert runtime.unexplained(diffs, [], expected) == diffs
    finally:
        import shutil

        shutil.rmtree(root, ignore_errors=True)


def test_once_per_config_findings_cover_every_process() -> None:
    expected = [
        runtime.ExpectedProcess("a", "a", frozenset({"program:a"})),
        runtime.ExpectedProcess("b", "b", frozenset({"program:b"})),
    ]
    diffs = [runtime.Difference("b:b", "stdin", "pipe", "null")]
    on_a = runtime.FindingRef("S2C106", "info", "program:a", None, "stdin")
    assert runtime.unexplained(diffs, [on_a], expected) == []
    # a per-program code on another program explains nothing
    umask_a = runtime.FindingRef("S2C104", "warning", "program:a", "umask", "lost")
    diffs = [runtime.Difference("b:b", "umask", "0o22", "0o77")]
    assert runtime.unexplained(diffs, [umask_a], expected) == diffs


@pytest.mark.parametrize(
    "log",
    [
        "stdout_logfile=/dev/stdout\n",
        "stderr_logfile=/dev/stderr\nstderr_logfile_maxbytes=1KB\n",
        "stdout_logfile=/dev/fd/1\nstdout_logfile_maxbytes=0\nstderr_logfile=/dev/fd/2\n",
    ],
)
def test_a_case_never_rotates_a_device(tmp_path: Path, log: str) -> None:
    """supervisord's rotation of a /dev/stdout log renames /dev/stdout itself (S2C134): a case
    that could do it would take the device away from the whole machine (a sweep did). Such a
    case is refused before any daemon runs; maxbytes=0 on every device log is fine."""
    case = runtime.Case("device", tmp_path / "supervisord.conf")
    case.conf.write_text(f"[supervisord]\nnodaemon=true\n[program:a]\ncommand=@PROBE@ a\n{log}")
    with pytest.raises(AssertionError, match="rotates"):
        runtime.materialise(case, tmp_path / "run")
    fixed = re.sub(
        r"(?m)^(\w+_logfile)=(/\S+)\n(\1_maxbytes=\S+\n)?", r"\1=\2\n\1_maxbytes=0\n", log
    )
    case.conf.write_text(f"[supervisord]\nnodaemon=true\n[program:a]\ncommand=@PROBE@ a\n{fixed}")
    runtime.materialise(case, tmp_path / "ok")
    daemon = "[supervisord]\nnodaemon=true\nlogfile=/dev/stdout\n[program:a]\ncommand=@PROBE@ a\n"
    case.conf.write_text(daemon)
    with pytest.raises(AssertionError, match="rotates"):
        runtime.materialise(case, tmp_path / "daemon")


def test_a_finding_about_name_accounts_for_that_variable_only() -> None:
    """S2C123 (circus adds __name__) accounted for every environment difference of its
    watchers: a variable the sh wrapper dropped went unnoticed (tests/runtime_cases/env_names)."""
    expected = [runtime.ExpectedProcess("a", "a", frozenset({"program:a"}))]
    sup = [_obs("a:a", 10, env={"a.b": "1"})]
    cir = [_obs("", 20, env={"__name__": "env:a"})]
    cir[0].fields["argv"] = sup[0].fields["argv"]
    diffs = runtime.differences(sup, cir)
    assert [d.supervisor for d in diffs] == [{"__name__": None}, {"a.b": "1"}]
    name = runtime.FindingRef("S2C123", "info", "program:a", "environment", "__name__")
    assert [d.supervisor for d in runtime.unexplained(diffs, [name], expected)] == [{"a.b": "1"}]
