"""--exact under real daemons: supervisord from a supervisord.conf and circusd from the circus.ini
that --exact produces behave the same (SEMANTICS.md Q2 restart cases, Q3 stop cases, stop order).

Each test runs one supervisord and one circusd side by side on the same programs (a small probe,
written below) and compares: number of starts in the same window (within one), final state
(supervisor EXITED/FATAL/STOPPED = circus ``stopped``; RUNNING/STARTING/BACKOFF = ``active``),
the signals each process got, and which processes survive.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from sup2circus import model
from sup2circus.exact import exact_respawn, exact_watcher_options
from sup2circus.findings import Loc

pytestmark = pytest.mark.daemons

PROBE = r"""
import json, os, signal, sys, time
log, name, sleep, code, flags = sys.argv[1:6]
sleep, code = float(sleep), int(code)
role = "main"

def emit(**kw):
    kw.update(name=name, role=role, pid=os.getpid(), t=time.time())
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.write(fd, (json.dumps(kw) + "\n").encode())
    os.close(fd)

def on_signal(signum, frame):
    emit(ev="signal", sig=signum)
    if "i" in flags:
        return
    if "s" in flags:
        time.sleep(0.5)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)

for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
    signal.signal(s, on_signal)
emit(ev="start", pgid=os.getpgid(0))
if "f" in flags:
    if os.fork() == 0:
        role = "child"
        if os.fork() == 0:
            role = "grandchild"
        emit(ev="start", pgid=os.getpgid(0))
        while True:
            time.sleep(60)
if sleep < 0:
    while True:
        time.sleep(60)
time.sleep(sleep)
sys.exit(code)
"""


@dataclass(frozen=True)
class Case:
    name: str
    sleep: float  # seconds before exiting; < 0: run until signalled
    code: int = 0
    flags: str = ""  # f: fork child+grandchild, i: ignore signals, s: slow (0.5 s) to die
    options: dict[str, str] = field(default_factory=dict)  # supervisor [program:x] options


# --------------------------------------------------------------------------- model -> circus.ini


def _log_spec() -> model.LogSpec:
    return model.LogSpec(
        kind=model.LogKind.NONE,
        path=None,
        maxbytes=0,
        backups=0,
        syslog=False,
        capture_maxbytes=0,
        events_enabled=False,
    )


def proc_spec(case: Case, command: str) -> model.ProcessSpec:
    """The ProcessSpec supervisord builds for ``case`` (supervisor's defaults + its options)."""
    o = case.options
    stopasgroup = o.get("stopasgroup", "false") == "true"
    return model.ProcessSpec(
        section=f"program:{case.name}",
        kind="program",
        program_name=case.name,
        group_name=case.name,
        name=case.name,
        process_num=0,
        numprocs=int(o.get("numprocs", "1")),
        numprocs_start=0,
        command=command,
        argv=tuple(command.split()),
        directory=None,
        umask=None,
        priority=int(o.get("priority", "999")),
        autostart=True,
        autorestart=model.AutoRestart(o.get("autorestart", "unexpected")),
        exitcodes=tuple(int(c) for c in o.get("exitcodes", "0").split(",")),
        startsecs=int(o.get("startsecs", "1")),
        startretries=int(o.get("startretries", "3")),
        user=None,
        stopsignal=signal.SIGTERM,
        stopsignal_name="TERM",
        stopwaitsecs=int(o.get("stopwaitsecs", "10")),
        stopasgroup=stopasgroup,
        killasgroup=o.get("killasgroup", "true" if stopasgroup else "false") == "true",
        redirect_stderr=False,
        stdout=_log_spec(),
        stderr=_log_spec(),
        environment=(),
        serverurl=None,
        section_loc=Loc("supervisord.conf", 1),
        options={},
    )


def circus_ini(d: Path, cases: list[Case], commands: dict[str, str], stop_order: bool) -> str:
    lines = [
        "[circus]",
        f"endpoint = ipc://{d}/c.sock",
        f"pubsub_endpoint = ipc://{d}/p.sock",
        f"stats_endpoint = ipc://{d}/s.sock",
        "multicast_endpoint =",
        "check_delay = 1",
        "statsd = false",
        "",
    ]
    for case in cases:
        p = proc_spec(case, commands[case.name])
        lines += [
            f"[watcher:{case.name}]",
            f"cmd = {commands[case.name]}",
            "copy_env = true",
            f"numprocesses = {p.numprocs}",
            f"priority = {-p.priority}",
            f"respawn = {'true' if exact_respawn(p) else 'false'}",
            f"graceful_timeout = {p.stopwaitsecs}",
            "stop_signal = TERM",
        ]
        lines += [f"{k} = {v}" for k, v in exact_watcher_options(p, stop_order=stop_order)]
        lines.append("")
    return "\n".join(lines)


def supervisord_conf(d: Path, cases: list[Case], commands: dict[str, str]) -> str:
    lines = [
        "[supervisord]",
        "nodaemon = true",
        f"logfile = {d}/sd.log",
        f"pidfile = {d}/sd.pid",
        f"childlogdir = {d}",
        "loglevel = info",
        "[unix_http_server]",
        f"file = {d}/sd.sock",
        "[supervisorctl]",
        f"serverurl = unix://{d}/sd.sock",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
    ]
    for case in cases:
        lines += [f"[program:{case.name}]", f"command = {commands[case.name]}"]
        if int(case.options.get("numprocs", "1")) > 1:
            lines.append("process_name = %(program_name)s_%(process_num)d")
        lines += [f"{k} = {v}" for k, v in case.options.items()]
    return "\n".join(lines) + "\n"


def converted(d: Path, cases: list[Case], commands: dict[str, str], exact: bool = True) -> str:
    """What ``sup2circus --exact`` (or, without ``exact``, plain sup2circus) writes for the
    cases' supervisord.conf."""
    from sup2circus import convert_text
    from sup2circus.api import ConvertOptions

    text = supervisord_conf(d, cases, commands)
    conv = convert_text(
        text,
        filename=str(d / "supervisord.conf"),
        base_dir=str(d),
        options=ConvertOptions(exact=exact, runtime_dir=str(d)),
    )
    assert ("sup2circus.circus_hooks." in conv.text) is exact, conv.text
    return conv.text


def _endpoint(ini: str) -> str:
    for line in ini.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "endpoint":
            return value.strip()
    raise AssertionError(f"no endpoint in\n{ini}")


# --------------------------------------------------------------------------- running daemons


@dataclass
class Run:
    d: Path
    log: Path
    proc: subprocess.Popen[bytes]
    endpoint: str = ""

    def events(self) -> list[dict[str, object]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]


@contextlib.contextmanager
def daemons(
    cases: list[Case], hand_built: bool = False, exact: bool = True
) -> Iterator[tuple[Run, Run]]:
    """supervisord on the cases' supervisord.conf and circusd on its ``--exact`` conversion
    (``convert_text(..., exact=True)``; without ``exact``, the plain one), or, with
    ``hand_built``, on a circus.ini built here from :func:`exact_watcher_options` with
    ``stop_order=True``."""
    root = Path(tempfile.mkdtemp(prefix="s2cx", dir="/tmp"))
    runs: list[Run] = []
    try:
        (root / "probe.py").write_text(PROBE)
        for kind in ("sup", "cir"):
            d = root / kind
            d.mkdir()
            log = d / "events.jsonl"
            commands = {
                c.name: f"{sys.executable} -S {root}/probe.py {log} {c.name} {c.sleep} {c.code} "
                f"x{c.flags}"
                for c in cases
            }
            if kind == "sup":
                conf = d / "supervisord.conf"
                conf.write_text(supervisord_conf(d, cases, commands))
                argv = ["timeout", "-k", "5", "90", "supervisord", "-n", "-c", str(conf)]
            else:
                conf = d / "circus.ini"
                if hand_built:
                    conf.write_text(circus_ini(d, cases, commands, stop_order=True))
                else:
                    conf.write_text(converted(d, cases, commands, exact))
                argv = ["timeout", "-k", "5", "90", "circusd", "--log-output", str(d / "cd.log")]
                argv += ["--log-level", "debug", str(conf)]
            with open(d / "daemon.err", "wb") as err:
                proc = subprocess.Popen(argv, cwd=d, stdout=subprocess.DEVNULL, stderr=err)
            endpoint = ""
            if kind == "cir":
                endpoint = _endpoint(conf.read_text())
            runs.append(Run(d, log, proc, endpoint))
        yield runs[0], runs[1]
    finally:
        for run in runs:
            _terminate(run.proc, 30)
        for run in runs:
            for ev in run.events():
                _kill_pid(int(str(ev["pid"])), str(root))
        shutil.rmtree(root, ignore_errors=True)


def _terminate(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM the daemon (timeout(1) forwards it) and wait; SIGKILL its tree if it hangs."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(psutil.Error):
                for child in psutil.Process(proc.pid).children(recursive=True):
                    child.kill()
            proc.kill()
            proc.wait(5)


def _kill_pid(pid: int, marker: str) -> None:
    with contextlib.suppress(psutil.Error):
        p = psutil.Process(pid)
        if marker in " ".join(p.cmdline()):
            p.kill()


def _alive(pid: int, marker: str) -> bool:
    try:
        p = psutil.Process(pid)
        return p.status() != psutil.STATUS_ZOMBIE and marker in " ".join(p.cmdline())
    except psutil.Error:
        return False


def supervisor_states(run: Run) -> dict[str, str]:
    out = subprocess.run(
        ["supervisorctl", "-c", str(run.d / "supervisord.conf"), "status"],
        capture_output=True,
        text=True,
        timeout=20,
    ).stdout
    states: dict[str, str] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            states[parts[0].split(":")[0]] = parts[1]
    return states


def circus_states(run: Run) -> dict[str, str]:
    from circus.client import CircusClient

    client = CircusClient(endpoint=run.endpoint, timeout=10)
    try:
        reply = client.call({"command": "status", "properties": {}})
    finally:
        client.stop()
    # numprocs > 1 is converted into one watcher per process ("prog:prog_0"): a program is
    # active when any of its watchers is
    states: dict[str, str] = {}
    for name, status in reply["statuses"].items():
        if name == "circusd-stats":
            continue
        prog = str(name).split(":")[0]
        if states.get(prog) != "active":
            states[prog] = str(status)
    return states


def as_circus(state: str) -> str:
    return "stopped" if state in ("EXITED", "FATAL", "STOPPED") else "active"


def starts(run: Run) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ev in run.events():
        if ev["ev"] == "start" and ev["role"] == "main":
            counts[str(ev["name"])] = counts.get(str(ev["name"]), 0) + 1
    return counts


def wait_for(pred: object, timeout: float) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if pred():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


# --------------------------------------------------------------------------- Q2: restarts

# Processes that run 1.5 s (past startsecs=1): restart decisions by exit code.
LONG_CASES = [
    Case("ok_unexp", 1.5, 0),  # exit 0, autorestart=unexpected: 1 start, EXITED
    Case("bad_unexp", 1.5, 2),  # exit 2: restarted, RUNNING
    Case("bad_false", 1.5, 2, options={"autorestart": "false"}),  # 1, EXITED
    Case("ok_true", 1.5, 0, options={"autorestart": "true"}),  # restarted
    Case("codes02", 1.5, 2, options={"exitcodes": "0,2"}),  # 1, EXITED
    Case("np_codes", 1.5, 0, options={"numprocs": "2"}),  # 2 x 1, EXITED
    Case("secs0_ok", 0.1, 0, options={"startsecs": "0"}),  # 1, EXITED
    Case("secs_neg", 1.5, 0, options={"startsecs": "-1"}),  # as startsecs=0: 1, EXITED
]
LONG_EXPECTED = {
    "ok_unexp": 1,
    "bad_false": 1,
    "codes02": 1,
    "np_codes": 2,
    "secs0_ok": 1,
    "secs_neg": 1,
}

# Processes that exit after 0.1 s, before startsecs: failed starts, back-off 1 s, 2 s, 3 s,
# then FATAL. startsecs=3 (not 1) so that a loaded machine cannot push the exits past it.
FAST = {"startsecs": "3"}
FAST_CASES = [
    Case("fast_fail", 0.1, 1, options={**FAST, "startretries": "2"}),  # 3, FATAL
    Case("fast_ok", 0.1, 0, options=FAST),  # exit 0 is a failure too: 4, FATAL
    Case("fast_false", 0.1, 3, options={**FAST, "autorestart": "false", "startretries": "1"}),
    Case("np_fast", 0.1, 1, options={**FAST, "numprocs": "2", "startretries": "1"}),  # 2 x 2
    Case("retries_neg", 0.1, 1, options={**FAST, "startretries": "-1"}),  # as 0: 1, FATAL
]
FAST_EXPECTED = {"fast_fail": 3, "fast_ok": 4, "fast_false": 2, "np_fast": 4, "retries_neg": 1}


def _first_start(run: Run) -> float | None:
    times = [float(str(e["t"])) for e in run.events() if e["ev"] == "start"]
    return min(times) if times else None


def _starts_until(run: Run, until: float) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ev in run.events():
        if ev["ev"] == "start" and ev["role"] == "main" and float(str(ev["t"])) <= until:
            counts[str(ev["name"])] = counts.get(str(ev["name"]), 0) + 1
    return counts


def _start_times(run: Run, name: str) -> list[float]:
    return sorted(
        float(str(e["t"]))
        for e in run.events()
        if e["ev"] == "start" and e["role"] == "main" and e["name"] == name
    )


def _compare_restarts(
    cases: list[Case], window: float, expected: dict[str, int]
) -> dict[str, list[float]]:
    """... and return each daemon's start times of ``fast_ok`` (if any)."""
    """Sample each daemon ``window`` seconds after its own first start (supervisord waits
    about a second before spawning, circusd does not), then compare."""
    with daemons(cases) as (sup, cir):
        assert wait_for(lambda: _first_start(sup) and _first_start(cir), 20)
        got: dict[str, tuple[dict[str, int], dict[str, str]]] = {}
        plan = sorted([(_first_start(sup) or 0.0, "sup"), (_first_start(cir) or 0.0, "cir")])
        for first, kind in plan:
            until = first + window
            time.sleep(max(0.0, until - time.time()))
            run = sup if kind == "sup" else cir
            states = supervisor_states(run) if kind == "sup" else circus_states(run)
            got[kind] = (_starts_until(run, until), states)
        (s_starts, s_states), (c_starts, c_states) = got["sup"], got["cir"]
        detail = (
            f"\nsupervisor starts {s_starts}\ncircus starts {c_starts}\n"
            f"supervisor {s_states}\ncircus {c_states}\n"
            + (sup.d / "sd.log").read_text()[-2500:]
            + (cir.d / "cd.log").read_text()[-2500:]
        )
        for case in cases:
            s, c = s_starts.get(case.name, 0), c_starts.get(case.name, 0)
            assert s >= 1, f"{case.name} never started under supervisord{detail}"
            assert abs(s - c) <= 1, f"{case.name}: supervisor {s} starts, circus {c}{detail}"
            if case.name in expected:  # settled: EXITED or FATAL
                assert s_states[case.name] in ("EXITED", "FATAL"), case.name + detail
                assert c_states[case.name] == "stopped", case.name + detail
            else:  # restarting forever (supervisor may be between EXITED and its restart)
                assert s_states[case.name] in ("RUNNING", "STARTING", "EXITED"), detail
                assert c_states[case.name] == "active", case.name + detail
        # Not vacuous: these counts are what supervisord does, and plain respawn=true would
        # restart every one of them at check_delay pace.
        for name, n in expected.items():
            assert s_starts.get(name) == n, f"supervisord {name}{detail}"
            assert c_starts.get(name) == n, f"circusd {name}{detail}"
        for name in set(s_starts) - set(expected):
            assert s_starts[name] >= 2 and c_starts[name] >= 2, f"{name} restarts{detail}"
        return {run.d.name: _start_times(run, "fast_ok") for run in (sup, cir)}


def test_restart_by_exit_code_matches_supervisord() -> None:
    _compare_restarts(LONG_CASES, 6.0, LONG_EXPECTED)


def test_failed_starts_backoff_fatal_match_supervisord() -> None:
    times = _compare_restarts(FAST_CASES, 11.0, FAST_EXPECTED)
    # back-off: the n-th failed start waits n seconds (plus up to one 1 s tick) in both
    for daemon, starts_at in times.items():
        gaps = [b - a for a, b in itertools.pairwise(starts_at)]
        assert len(gaps) == 3, (daemon, starts_at)
        for n, gap in enumerate(gaps, start=1):
            assert n <= gap < n + 2.5, (daemon, gaps)


# --------------------------------------------------------------------------- Q3: stop


STOP_CASES = [
    # default: TERM to the main only; child and grandchild survive (both daemons)
    Case("plain", -1, flags="f", options={"priority": "10"}),
    # stopasgroup: all three get TERM and die
    Case("grp_term", -1, flags="f", options={"stopasgroup": "true", "priority": "20"}),
    # killasgroup, TERM ignored everywhere: SIGKILL to the whole group after stopwaitsecs
    Case(
        "kill_grp",
        -1,
        flags="fi",
        options={"killasgroup": "true", "stopwaitsecs": "1", "priority": "30"},
    ),
    # slow to stop (0.5 s after TERM): the next group must wait for it
    Case("slow", -1, flags="s", options={"priority": "40"}),
]


def _stop_outcome(run: Run, marker: str) -> tuple[set[tuple[str, str, int]], set[tuple[str, str]]]:
    events = run.events()
    signalled = {
        (str(e["name"]), str(e["role"]), int(str(e["sig"]))) for e in events if e["ev"] == "signal"
    }
    survivors = {
        (str(e["name"]), str(e["role"]))
        for e in events
        if e["ev"] == "start" and _alive(int(str(e["pid"])), marker)
    }
    return signalled, survivors


def _term_times(run: Run) -> dict[str, float]:
    return {
        str(e["name"]): float(str(e["t"]))
        for e in run.events()
        if e["ev"] == "signal" and e["role"] == "main"
    }


Outcome = tuple[set[tuple[str, str, int]], set[tuple[str, str]]]


def _stop_both(sup: Run, cir: Run, expected: int) -> tuple[Outcome, Outcome]:
    """Once ``expected`` events show every process started and RUNNING, SIGTERM both daemons
    and return each one's :func:`_stop_outcome` (who got which signal, who survives)."""
    for run in (sup, cir):
        assert wait_for(lambda r=run: len(r.events()) >= expected, 15), run.events()
    time.sleep(1.2)  # past startsecs: RUNNING
    for run in (sup, cir):
        run.proc.send_signal(signal.SIGTERM)
    for run in (sup, cir):
        run.proc.wait(40)
    time.sleep(0.3)
    marker = str(sup.d.parent)
    return _stop_outcome(sup, marker), _stop_outcome(cir, marker)


def _run_stop(hand_built: bool) -> tuple[dict[str, float], dict[str, float], str]:
    """Start the stop cases in both daemons, SIGTERM both daemons, compare who got which
    signal and who survives; return each daemon's TERM time per program."""
    with daemons(STOP_CASES, hand_built=hand_built) as (sup, cir):
        expected = sum(3 if "f" in c.flags else 1 for c in STOP_CASES)
        (s_sig, s_alive), (c_sig, c_alive) = _stop_both(sup, cir, expected)
        detail = (
            f"\nsupervisor signals {sorted(s_sig)} survivors {sorted(s_alive)}"
            f"\ncircus signals {sorted(c_sig)} survivors {sorted(c_alive)}\n"
            + (cir.d / "circus.ini").read_text()
            + (cir.d / "cd.log").read_text()[-3000:]
        )
        assert s_sig == c_sig, detail
        assert s_alive == c_alive, detail
        # what supervisord does (SEMANTICS.md Q3), so the comparison is not vacuous
        term = signal.SIGTERM
        assert {("grp_term", r, term) for r in ("main", "child", "grandchild")} <= s_sig, detail
        assert ("plain", "child", term) not in s_sig, detail
        assert ("kill_grp", "child", term) not in s_sig, detail  # killasgroup: KILL only
        assert s_alive == {("plain", "child"), ("plain", "grandchild")}, detail
        return _term_times(sup), _term_times(cir), detail


def test_stop_signals_match_supervisord() -> None:
    """The --exact conversion: stopasgroup / killasgroup reach child and grandchild."""
    _run_stop(hand_built=False)


def test_stop_order_matches_supervisord() -> None:
    """With stop ordering (exact_watcher_options(stop_order=True)), circusd stops one group at
    a time in reverse priority order, waiting for each, like supervisord."""
    s_t, c_t, detail = _run_stop(hand_built=True)
    for t in (s_t, c_t):
        # slow: 0.5 s to exit after TERM; kill_grp: ignores TERM, SIGKILLed after 1 s
        assert t["slow"] < t["kill_grp"] < t["grp_term"] < t["plain"], (t, detail)
        assert t["kill_grp"] - t["slow"] >= 0.4, (t, detail)
        assert t["grp_term"] - t["kill_grp"] >= 0.9, (t, detail)


def test_killasgroup_with_stopsignal_kill_is_no_difference() -> None:
    """supervisord sends the first stop signal to the group only with stopasgroup: with
    stopsignal=KILL and killasgroup alone it kills the main process, whose children survive,
    and nothing outlasts stopwaitsecs; circusd without hooks does the same, so S2C103 has
    nothing to say (it said supervisord would kill the group)."""
    from sup2circus import convert_text

    cases = [Case("kill_kg", -1, flags="f", options={"killasgroup": "true", "stopsignal": "KILL"})]
    text = supervisord_conf(Path("/tmp"), cases, {"kill_kg": "/bin/app"})
    assert [f for f in convert_text(text).findings if f.code == "S2C103"] == []
    with daemons(cases, exact=False) as (sup, cir):
        outcomes = list(_stop_both(sup, cir, 3))
    survivors = {("kill_kg", "child"), ("kill_kg", "grandchild")}
    assert outcomes[0] == outcomes[1] == (set(), survivors), outcomes


def test_without_hooks_circusd_signals_every_watcher_at_once() -> None:
    """What S2C108 says: supervisord stops one group at a time (the 0.5 s of ``slow_b`` delays
    ``slow_a``'s TERM), circusd without --exact sends every TERM at once."""
    cases = [
        Case("slow_a", -1, flags="s", options={"priority": "10"}),
        Case("slow_b", -1, flags="s", options={"priority": "20"}),
        Case("quick", -1, options={"priority": "30"}),
    ]
    with daemons(cases, exact=False) as (sup, cir):
        for run in (sup, cir):
            assert wait_for(lambda r=run: len(r.events()) >= len(cases), 15), run.events()
        time.sleep(1.2)  # past startsecs: RUNNING
        for run in (sup, cir):
            run.proc.send_signal(signal.SIGTERM)
        for run in (sup, cir):
            run.proc.wait(40)
        s_t, c_t = _term_times(sup), _term_times(cir)
    assert s_t["quick"] <= s_t["slow_b"] < s_t["slow_a"], s_t
    assert s_t["slow_a"] - s_t["slow_b"] >= 0.4, s_t  # waited for slow_b to exit
    assert max(c_t.values()) - min(c_t.values()) < 0.3, c_t


# --------------------------------------------------------------------------- reload


def test_hooks_survive_circusctl_reload() -> None:
    """After FATAL / EXITED, ``circusctl reload`` starts the watchers again from a clean
    supervisor state (like ``supervisorctl start``), and the hooks keep deciding."""
    cases = [
        Case("r_fast", 0.1, 1, options={**FAST, "startretries": "1", "numprocs": "2"}),
        Case("r_once", 0.6, 0, options={"startsecs": "0"}),
    ]
    done = {"r_fast": "stopped", "r_once": "stopped"}
    # hand-built: one watcher with numprocesses = 2 (the converter writes one per process)
    with daemons(cases, hand_built=True) as (_sup, cir):
        from circus.client import CircusClient

        def log() -> str:
            return f"{starts(cir)}\n" + (cir.d / "cd.log").read_text()[-6000:]

        assert wait_for(lambda: starts(cir) == {"r_fast": 4, "r_once": 1}, 20), log()
        assert wait_for(lambda: circus_states(cir) == done, 10), log()
        assert starts(cir) == {"r_fast": 4, "r_once": 1}, log()
        client = CircusClient(endpoint=cir.endpoint, timeout=15)
        try:
            client.call({"command": "reload", "properties": {"graceful": True}})
        finally:
            client.stop()
        assert wait_for(lambda: starts(cir) == {"r_fast": 8, "r_once": 2}, 12), log()
        assert wait_for(lambda: circus_states(cir) == done, 10), log()
        time.sleep(1.5)
        assert starts(cir) == {"r_fast": 8, "r_once": 2}, log()
