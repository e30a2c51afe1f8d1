"""Runtime equivalence: run a supervisord.conf under supervisord and its conversion under
circusd, with the probe (tests/probe.py) as every program, and compare what the programs saw.

A *case* is a directory holding a ``supervisord.conf`` whose commands are ``@PROBE@ ARGS``.
It is materialised twice (``sup/`` for supervisord, ``cir/`` for the conversion), so that
``%(here)s`` paths differ only by that prefix, which the comparison normalises to ``<here>``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from supervisor.options import ServerOptions

from .daemons import (
    REPO,
    Daemon,
    base_env,
    circusd_argv,
    rewrite_circus_endpoints,
    running,
    short_tmpdir,
    supervisord_argv,
    wait_for,
    which,
)

PROBE = REPO / "tests" / "probe.py"
CASES_DIR = REPO / "tests" / "runtime_cases"
FIXTURES_DIR = REPO / "fixtures"
PLACEHOLDER = "@PROBE@"
# The fields compared, as named by rules.Rule.observes.
FIELDS = (
    "argv",
    "cwd",
    "env",
    "user",
    "umask",
    "stdin",
    "extra_fds",
    "stdout",
    "stderr",
    "start_order",
    "stop_signal",
    "restarts",
)
# Set in both daemons' environment: circus would put its value into `pa$SWORD1` (T12).
DAEMON_ENV = {"SWORD1": "LEAKED", "PROBE_LIFETIME": "60"}


def probe_python() -> str:
    """A python3 every user can run (the probe also runs as ``nobody``)."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.access(candidate, os.X_OK):
            return candidate
    return which("python3") or "python3"


@dataclass(frozen=True)
class Case:
    name: str
    conf: Path  # the template

    @property
    def id(self) -> str:
        return self.name

    @property
    def own(self) -> bool:
        """One of tests/runtime_cases (not a golden fixture)."""
        return self.conf.is_relative_to(CASES_DIR)


def _listed_fixtures() -> set[str]:
    """tests/runtime_cases/FIXTURES: golden fixtures that run with the probe (one name a
    line, ``#`` comments)."""
    listing = CASES_DIR / "FIXTURES"
    if not listing.is_file():
        return set()
    names = (line.split("#", 1)[0].strip() for line in listing.read_text().splitlines())
    return {n for n in names if n}


def _has_runtime_marker(case_dir: Path) -> bool:
    """A golden fixture takes part when it is listed in tests/runtime_cases/FIXTURES, or one
    of its small metadata files says ``runtime: true`` / ``runtime = true`` (or a file named
    ``runtime`` exists)."""
    if (case_dir / "runtime").exists() or case_dir.name in _listed_fixtures():
        return True
    for meta in case_dir.iterdir():
        if not meta.is_file() or meta.suffix not in {".toml", ".json", ".yaml", ".yml", ".txt"}:
            continue
        if meta.stat().st_size > 20000:
            continue
        text = meta.read_text(errors="replace")
        if re.search(r'(?mi)^\s*"?runtime"?\s*[:=]\s*true\b', text):
            return True
    return False


def discover() -> list[Case]:
    cases = [
        Case(d.name, d / "supervisord.conf")
        for d in sorted(CASES_DIR.iterdir())
        if (d / "supervisord.conf").is_file()
    ]
    if FIXTURES_DIR.is_dir():
        for d in sorted(FIXTURES_DIR.iterdir()):
            if (d / "supervisord.conf").is_file() and _has_runtime_marker(d):
                cases.append(Case(f"fixture-{d.name}", d / "supervisord.conf"))
    return cases


def materialise(case: Case, root: Path) -> Path:
    """Copy the case's files into ``root`` with ``@PROBE@`` replaced; return the conf path."""
    root.mkdir(parents=True)
    root.chmod(0o755)
    shutil.copyfile(PROBE, root / "probe.py")
    (root / "probe.py").chmod(0o644)
    command = f"{probe_python()} {root / 'probe.py'}"
    for item in sorted(case.conf.parent.rglob("*.conf")):
        text = probe_commands(item.read_text())
        _refuse_writes_outside(item, text)
        _refuse_rotating_devices(item, text)
        target = root / item.relative_to(case.conf.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.replace(PLACEHOLDER, command))
    log = root / "probe.log"
    log.touch()
    log.chmod(0o666)
    return root / case.conf.name


_WRITING_OPTIONS = re.compile(
    r"(?mi)^\s*(\w*logfile|childlogdir|pidfile|file|socket|directory)\s*[=:]\s*(\S+)"
)


def _refuse_writes_outside(conf: Path, text: str) -> None:
    """A case may only name paths inside its run directory (``%(here)s``), /dev/* and
    existing directories to run in; and no TCP ports (they could collide)."""
    for match in _WRITING_OPTIONS.finditer(text):
        option, value = match.group(1).lower(), match.group(2)
        inside = ("%(here)s", "unix://%(here)s", "/dev/")
        if value.startswith(inside) or value.upper() in {"AUTO", "NONE"}:
            continue
        if option == "directory" and Path(value).is_dir():
            continue
        if value.startswith("/") or value.startswith(("tcp://", "unix://")):
            raise AssertionError(f"{conf}: {option}={value} is outside the run directory")


_DEVICE_NAMES = ("/dev/stdout", "/dev/stderr", "/dev/fd/", "/proc/")


def _refuse_rotating_devices(conf: Path, text: str) -> None:
    """No device log with rotation on: supervisord's rollover renames /dev/stdout itself
    (S2C134), taking it away from every process of the machine. Its maxbytes must be 0."""
    import configparser

    from supervisor.datatypes import byte_size

    parser = configparser.RawConfigParser(
        inline_comment_prefixes=(";", "#"), strict=False, interpolation=None
    )
    parser.read_string(text)
    for section in parser.sections():
        names = ["logfile"] if section == "supervisord" else ["stdout_logfile", "stderr_logfile"]
        for name in names:
            path = parser.get(section, name, fallback="")
            maxbytes = parser.get(section, f"{name}_maxbytes", fallback="50MB")
            if path.startswith(_DEVICE_NAMES) and byte_size(maxbytes) != 0:
                raise AssertionError(
                    f"{conf}: [{section}] {name}={path} rotates a device "
                    f"({name}_maxbytes={maxbytes}): set it to 0"
                )


def probe_commands(text: str) -> str:
    """A golden fixture written with real programs (``command=/usr/bin/app --flag``) runs
    with the probe in their place (``command=@PROBE@ --flag``): only the program's path is
    replaced, the arguments stay. Files that already use ``@PROBE@`` are left alone."""
    if PLACEHOLDER in text:
        return text
    return re.sub(r"(?mi)^(command\s*[=:]\s*)(\S+)", rf"\g<1>{PLACEHOLDER}", text)


@dataclass(frozen=True)
class ExpectedProcess:
    group: str
    name: str
    sections: frozenset[str]  # supervisor sections whose findings apply to this process


def expected_processes(conf: Path) -> list[ExpectedProcess]:
    """The processes supervisord starts from ``conf`` (autostart ones), with the sections a
    finding may name to be about them."""
    options = ServerOptions()
    options.realize(args=["-c", str(conf)])
    members = _group_members(conf)
    out = []
    for group in options.process_group_configs:
        for pc in group.process_configs:
            if not pc.autostart:
                continue
            sections = {f"{kind}:{group.name}" for kind in ("program", "fcgi-program")}
            sections |= {f"eventlistener:{group.name}", f"group:{group.name}"}
            sections |= {f"program:{p}" for p in members.get(group.name, ())}
            out.append(ExpectedProcess(group.name, pc.name, frozenset(sections)))
    return out


def _group_members(conf: Path) -> dict[str, tuple[str, ...]]:
    import configparser

    parser = configparser.RawConfigParser(
        inline_comment_prefixes=(";", "#"), strict=False, interpolation=None
    )
    parser.read(conf)
    out = {}
    for section in parser.sections():
        if section.startswith("group:") and parser.has_option(section, "programs"):
            names = [p.strip() for p in parser.get(section, "programs").split(",") if p.strip()]
            out[section.split(":", 1)[1]] = tuple(names)
    return out


@dataclass(frozen=True)
class FindingRef:
    code: str
    severity: str
    section: str | None
    option: str | None
    message: str


def convert(conf: Path, out: Path, *flags: str) -> list[FindingRef]:
    """Convert with the CLI; return the findings (JSON on stderr)."""
    exe = which("sup2circus")
    assert exe is not None, "the sup2circus command is not installed"
    # TMPDIR: supervisor's default childlogdir (AUTO logs) is the temp dir, which the
    # converter resolves when it converts; keep both inside the run directory.
    env = {**os.environ, "TMPDIR": str(conf.parent)}
    result = subprocess.run(
        [exe, "--isolated", "--output-format", "json", *flags, str(conf), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=conf.parent,
        env=env,
    )
    assert result.returncode == 0, f"conversion failed ({result.returncode}):\n{result.stderr}"
    text = result.stderr.strip()
    data = json.loads(text) if text else []
    return [
        FindingRef(f["code"], f["severity"], f.get("section"), f.get("option"), f["message"])
        for f in data
    ]


@dataclass
class ProbeRun:
    """Everything the probes recorded under one daemon."""

    root: Path
    daemon_stdout: str
    daemon_stderr: str
    records: list[dict[str, Any]]
    files: dict[str, str]  # relative path -> content (output files in the run directory)
    exit_status: int | None
    notes: list[str] = field(default_factory=list)

    def starts(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r["event"] == "start"]


_NOT_OUTPUT = {"probe.py", "probe.log", "daemon.out", "daemon.err"}


def run(kind: str, conf: Path, expected: int, settle: float = 0.3) -> ProbeRun:
    """Run ``conf`` under supervisord (``kind='supervisor'``) or circusd until ``expected``
    probes have started, then SIGTERM the daemon and collect the observations."""
    root = conf.parent
    home = root / "home"
    home.mkdir(exist_ok=True)
    env = base_env(home, PROBE_LOG=str(root / "probe.log"), TMPDIR=str(root), **DAEMON_ENV)
    argv = circusd_argv(conf) if kind == "circus" else supervisord_argv(conf)
    daemon = Daemon(argv, root, env, root / "daemon.out", root / "daemon.err", timeout=60)
    log = root / "probe.log"

    def started() -> int:
        daemon.snapshot()  # remember every process, for the cleanup
        return sum(1 for r in _records(log) if r["event"] == "start")

    try:
        return _run(kind, daemon, log, root, expected, settle, started)
    finally:
        _kill_probes(log, root)


def _run(
    kind: str,
    daemon: Daemon,
    log: Path,
    root: Path,
    expected: int,
    settle: float,
    started: Callable[[], int],
) -> ProbeRun:
    with running(daemon):
        try:
            wait_for(lambda: started() >= expected, 20, f"{expected} probes to start")
        except AssertionError as exc:
            raise AssertionError(f"{kind}: {exc}\n{daemon.output()}") from None
        time.sleep(settle)
        daemon.snapshot()
        daemon.signal(signal.SIGTERM)
        status = daemon.wait(20)
        assert status is not None, f"{kind} did not stop within 20 s\n{daemon.output()}"
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name not in _NOT_OUTPUT and path.suffix not in {".conf"}:
            if path.name.endswith(".ini") or path.name.startswith("supervisord."):
                continue
            files[str(path.relative_to(root))] = path.read_text(errors="replace")
    return ProbeRun(root, daemon.stdout(), daemon.stderr(), _records(log), files, status)


def _kill_probes(log: Path, root: Path) -> None:
    """Kill, by PID, any probe of this run still alive (e.g. orphaned by a daemon that did not
    stop it): the PIDs come from the probe log, checked against the process's command line."""
    marker = str(root / "probe.py")
    for record in _records(log):
        if record["event"] != "start":
            continue
        with contextlib.suppress(psutil.Error):
            proc = psutil.Process(record["pid"])
            if marker in proc.cmdline():
                proc.kill()


def _records(log: Path) -> list[dict[str, Any]]:
    """The probe log's records (a line still being written is left for the next read)."""
    out = []
    text = log.read_text() if log.exists() else ""
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n"):
            break
        if line.strip():
            out.append(json.loads(line))
    return out


# ------------------------------------------------------------------ observations


@dataclass
class Observed:
    """One process as the probe saw it, normalised (the run directory becomes ``<here>``)."""

    key: str  # supervisor's group:name, or a circus process matched to one
    pid: int
    fields: dict[str, Any]


def _norm(value: Any, root: Path) -> Any:
    if isinstance(value, str):
        return value.replace(str(root), "<here>")
    if isinstance(value, list):
        return [_norm(v, root) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v, root) for k, v in value.items()}
    return value


def _destinations(run: ProbeRun, marker: str) -> list[str]:
    places = []
    if marker in run.daemon_stdout.splitlines():
        places.append("daemon:stdout")
    if marker in run.daemon_stderr.splitlines():
        places.append("daemon:stderr")
    for rel, text in run.files.items():
        if marker in text.splitlines():
            places.append(f"file:{rel}")
    return sorted(places)


def _same_as_stdout(start: dict[str, Any]) -> list[str]:
    """``["=stdout"]`` when fd 2 is the very same pipe/file as fd 1 (redirect_stderr: one
    stream, order preserved), not merely the same destination."""
    if start["fds"]["1"]["kind"] == "null":
        return []  # circus dups one /dev/null onto 0, 1 and 2: nothing goes anywhere anyway
    return ["=stdout"] if start.get("stderr_is_stdout") else []


def observe(run: ProbeRun) -> list[Observed]:
    """One Observed per process (its first start), ordered by start (pid order)."""
    by_pid: dict[int, dict[str, Any]] = {}
    signals: dict[int, list[str]] = {}
    for r in run.records:
        if r["event"] == "signal":
            signals.setdefault(r["pid"], []).append(r["signal"])
    starts = run.starts()
    count = Counter(tuple(s["argv"]) for s in starts)
    for s in starts:
        by_pid[s["pid"]] = s
    out = []
    for pid in _pid_order(list(by_pid)):
        s = by_pid[pid]
        label = " ".join(s["argv"][1:])
        env = {
            k: v
            for k, v in s["env"].items()
            if not k.startswith("SUPERVISOR_") and k not in ("PROBE_LOG",)
        }
        fields = {
            "argv": s["argv"],
            "cwd": s["cwd"],
            "env": env,
            "user": {"uid": s["uid"], "gid": s["gid"], "groups": s["groups"]},
            "umask": oct(s["umask"]),
            "stdin": s["fds"]["0"]["kind"],
            "extra_fds": sorted(d["kind"] for d in s.get("other_fds", {}).values()),
            "stdout": _destinations(run, f"probe-stdout {label}"),
            "stderr": _destinations(run, f"probe-stderr {label}") + _same_as_stdout(s),
            "stop_signal": signals.get(pid, []),
            "restarts": count[tuple(s["argv"])] - 1,
        }
        key = s["env"].get("SUPERVISOR_PROCESS_NAME", "")
        if key:
            key = f"{s['env'].get('SUPERVISOR_GROUP_NAME', '')}:{key}"
        out.append(Observed(key, pid, _norm(fields, run.root)))
    return out


def _pid_order(pids: list[int]) -> list[int]:
    """Fork order: pids are allocated increasingly, modulo pid_max (unwrap one wrap-around)."""
    if not pids:
        return []
    try:
        pid_max = int(Path("/proc/sys/kernel/pid_max").read_text())
    except OSError:
        pid_max = 1 << 22
    low, high = min(pids), max(pids)
    if high - low > pid_max // 2:
        return sorted(pids, key=lambda p: p + pid_max if p < pid_max // 2 else p)
    return sorted(pids)


def pair(sup: list[Observed], cir: list[Observed]) -> list[tuple[Observed, Observed | None]]:
    """Match each supervisor process with the circus process that ran the same argv (then,
    for what is left, in start order)."""
    left = list(cir)
    pairs: list[tuple[Observed, Observed | None]] = []
    pending = []
    for s in sup:
        match = next((c for c in left if c.fields["argv"] == s.fields["argv"]), None)
        if match is None:
            pending.append(s)
            pairs.append((s, None))
        else:
            left.remove(match)
            match.key = s.key
            pairs.append((s, match))
    for s in pending:
        if left:
            c = left.pop(0)
            c.key = s.key
            pairs[[p[0] for p in pairs].index(s)] = (s, c)
    return pairs


@dataclass(frozen=True)
class Difference:
    process: str  # group:name, or "*" for start order
    field: str
    supervisor: Any
    circus: Any

    def __str__(self) -> str:
        return (
            f"{self.process}: {self.field}: supervisor={self.supervisor!r} circus={self.circus!r}"
        )


def differences(sup: list[Observed], cir: list[Observed]) -> list[Difference]:
    diffs = []
    for s, c in pair(sup, cir):
        if c is None:
            diffs.append(Difference(s.key, "argv", s.fields["argv"], None))
            continue
        for name in FIELDS:
            if name == "start_order":
                continue
            a, b = s.fields[name], c.fields[name]
            if name == "env":
                # one difference per variable: a finding about one variable (S2C123's
                # __name__) must not account for another
                keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
                diffs += [Difference(s.key, "env", {k: a.get(k)}, {k: b.get(k)}) for k in keys]
            elif a != b:
                diffs.append(Difference(s.key, name, a, b))
    sup_order = [s.key for s in sup]
    cir_order = [c.key for c in cir]
    if sup_order != cir_order:
        diffs.append(Difference("*", "start_order", sup_order, cir_order))
    return diffs


# ------------------------------------------------------------------ findings vs differences

# Codes whose finding may be reported although no compared field differs, and why.
NOT_SHOWN_BY_A_SHORT_RUN = {
    # failure handling: the probes never exit by themselves, nothing is restarted
    "S2C101": "autorestart/exitcodes only matter when a process exits",
    "S2C102": "startsecs/startretries only matter when a process fails to start",
    # stop handling beyond the signal: the probes have no children and exit at once
    "S2C103": "stopasgroup/killasgroup only matter for a program with children",
    "S2C108": "sequential stops only show with programs that take time to stop",
    # log rotation: the probes write one line, far below any maxbytes
    "S2C111": "truncation at rollover only shows once a log reaches maxbytes",
    # not observed: no syslog daemon in the tests
    "S2C112": "output copied to syslog is not observed",
    # facts of the converting machine: the tests convert where they run
    "S2C007": "the conversion runs in the daemons' environment here",
    "S2C010": "the conversion runs on the same host here",
    "S2C011": "users exist here",
    "S2C012": "log directories exist here",
}
# Wrappers that are exact by design: the probe runs after the wrapper's exec, so with the
# wrapper applied (severity info) these findings must show no difference and excuse none
# (this caught `sh` exporting PWD into the programs' environment).
EXACT_WRAPPERS = {"S2C104", "S2C105", "S2C115"}
# Codes the converter reports once per config (on the first program) although they are about
# every program: such a finding applies to every process.
ONCE_PER_CONFIG = {
    "S2C106": "stdin is /dev/null for every watcher",
    "S2C107": "no SUPERVISOR_* variables in any watcher",
    "S2C108": "stops are not sequential for any watcher",
}


def observes() -> dict[str, tuple[str, ...]]:
    from sup2circus.rules import RULES

    return {code: rule.observes for code, rule in RULES.items()}


def _applies(finding: FindingRef, process: str, expected: list[ExpectedProcess]) -> bool:
    if process == "*" or finding.section is None or finding.code in ONCE_PER_CONFIG:
        return True
    kind = finding.section.split(":", 1)[0]
    if kind not in {"program", "fcgi-program", "eventlistener", "group"}:
        return True  # [supervisord] and friends: about every process
    return any(f"{p.group}:{p.name}" == process and finding.section in p.sections for p in expected)


# Findings about one environment variable, by name: they account for that variable only.
ONE_VARIABLE = {"S2C123": "__name__"}


def _excuses(finding: FindingRef, diff: Difference, obs: dict[str, tuple[str, ...]]) -> bool:
    if diff.field not in obs.get(finding.code, ()):
        return False
    if diff.field == "env" and finding.code in ONE_VARIABLE:
        return set(diff.supervisor) == {ONE_VARIABLE[finding.code]}
    return not (finding.code in EXACT_WRAPPERS and finding.severity == "info")


def unexplained(
    diffs: list[Difference], findings: list[FindingRef], expected: list[ExpectedProcess]
) -> list[Difference]:
    """Differences that no finding accounts for (its rule observes the field, it is about
    that process or about the whole config)."""
    obs = observes()
    return [
        d
        for d in diffs
        if not any(_excuses(f, d, obs) and _applies(f, d.process, expected) for f in findings)
    ]


def unshown(
    diffs: list[Difference], findings: list[FindingRef], expected: list[ExpectedProcess]
) -> list[FindingRef]:
    """Findings that say a compared field differs, but no such difference showed."""
    obs = observes()
    out = []
    for f in findings:
        fields = set(obs.get(f.code, ())) & set(FIELDS)
        if not fields or f.code in NOT_SHOWN_BY_A_SHORT_RUN:
            continue
        if f.code in EXACT_WRAPPERS and f.severity == "info":
            continue
        if not any(d.field in fields and _applies(f, d.process, expected) for d in diffs):
            out.append(f)
    return out


@dataclass
class CaseResult:
    case: Case
    findings: list[FindingRef]
    expected: list[ExpectedProcess]
    supervisor: list[Observed]
    circus: list[Observed]
    diffs: list[Difference]
    circus_ini: str
    runs: dict[str, ProbeRun]

    def report(self) -> str:
        lines = [f"case {self.case.name}:", "findings:"]
        lines += [
            f"  {f.code} {f.severity} [{f.section}] {f.option}: {f.message}" for f in self.findings
        ]
        lines += ["differences:"] + [f"  {d}" for d in self.diffs]
        lines += ["circus.ini:", self.circus_ini]
        for kind, r in self.runs.items():
            lines += [f"--- {kind} stdout ---", r.daemon_stdout[-3000:]]
            lines += [f"--- {kind} stderr ---", r.daemon_stderr[-3000:]]
        return "\n".join(lines)


def run_case(case: Case, *flags: str) -> CaseResult:
    """Materialise, convert, run both daemons (one after the other), compare."""
    root = short_tmpdir("s2cr")
    try:
        sup_conf = materialise(case, root / "sup")
        cir_conf = materialise(case, root / "cir")
        expected = expected_processes(sup_conf)
        converted = root / "cir" / "converted.ini"
        findings = convert(cir_conf, converted, *flags)
        ini_text = rewrite_circus_endpoints(converted.read_text(), root / "cir")
        ini = root / "cir" / "circus.ini"
        ini.write_text(ini_text)
        converted.unlink()
        # Both daemons at once (separate directories, sockets and logs): half the wait.
        with ThreadPoolExecutor(max_workers=2) as pool:
            sup_run = pool.submit(run, "supervisor", sup_conf, len(expected))
            cir_run = pool.submit(run, "circus", ini, len(expected))
            runs = {"supervisor": sup_run.result(), "circus": cir_run.result()}
        sup = observe(runs["supervisor"])
        cir = observe(runs["circus"])
        return CaseResult(case, findings, expected, sup, cir, differences(sup, cir), ini_text, runs)
    finally:
        shutil.rmtree(root, ignore_errors=True)
