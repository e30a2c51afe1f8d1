"""Docker's supervisor idioms under real daemons (issue 13): supervisord 4.3 from the config,
circusd 0.19 from its conversion.

* a "kill supervisord" listener: when a program gives up (FATAL), supervisord exits 0 and so does
  circusd converted with --exact, every other child gone; --exit-on-fatal exits 1; a
  ``kill -SIGQUIT`` listener never fires under dash;
* supervisor_stdout (a Python 3 copy of the 0.1.1 package, which is Python 2 only): the same
  prefixed lines come out of both daemons;
* ``/dev/stdout`` logs with rotation: supervisord exits at start (Illegal seek) when its stdout is
  a pipe and runs with a file; a program's ``/dev/stdout`` log gets a CRIT line per chunk, and with
  a file each rollover renames the device name away or truncates the file.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import psutil
import pytest
from e2e.daemons import (
    Daemon,
    base_env,
    circusd_argv,
    daemon_in,
    rewrite_circus_endpoints,
    running,
    supervisord_argv,
    wait_for,
    which,
)

from sup2circus.api import ConvertOptions, convert_file

pytestmark = pytest.mark.daemons

LOOP = "printf 'READY\\n' && while read line; do {kill}; done < /dev/stdin"


def fatal_config(root: Path, kill: str | None) -> Path:
    """``bad`` fails its 2 starts (FATAL after ~2 s); ``good`` and ``other`` keep running.
    ``startsecs=5``: on a loaded machine supervisord may notice an exit of /bin/false only after
    the default 1 s, and then takes it for a started process that died (restarts forever)."""
    sleep = which("sleep") or "/bin/sleep"
    text = f"""\
[supervisord]
nodaemon=true
logfile={root}/supervisord.log
logfile_maxbytes=0
pidfile={root}/supervisord.pid
childlogdir={root}

[program:bad]
command=/bin/false
startretries=1
startsecs=5
stdout_logfile=NONE
stderr_logfile=NONE

[program:good]
command={sleep} 100
stdout_logfile=NONE
stderr_logfile=NONE

[program:other]
command={sleep} 101
autorestart=false
stdout_logfile=NONE
stderr_logfile=NONE
"""
    if kill is not None:
        text += (
            f'\n[eventlistener:quit]\ncommand=sh -c "{LOOP.format(kill=kill)}"\n'
            "events=PROCESS_STATE_FATAL\n"
        )
    conf = root / "supervisord.conf"
    conf.write_text(text)
    return conf


def circus_ini(conf: Path, **options: bool) -> Path:
    conv = convert_file(conf, ConvertOptions(**options))
    ini = conf.parent / "circus.ini"
    ini.write_text(rewrite_circus_endpoints(conv.text, conf.parent))
    return ini


def read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def run_until_exit(d: Daemon, sleepers: int = 2) -> tuple[int | None, float, list[int]]:
    """Start ``d``, wait for its ``sleep`` children, then for its exit: (status, seconds from
    start, pids of the descendants still alive afterwards)."""
    began = time.monotonic()
    with running(d):

        def sleeping() -> bool:
            return sum(1 for p in d.snapshot() if p.name == "sleep") >= sleepers

        wait_for(sleeping, 15, f"{sleepers} sleep children")
        status = d.wait(20)
        took = time.monotonic() - began
        left = [p.pid for p in d.seen.values() if p.alive()]
    return status, took, left


def test_fatal_listener_stops_supervisord_and_converted_circusd(root: Path) -> None:
    conf = fatal_config(root, "kill -QUIT $PPID")
    status, took, left = run_until_exit(daemon_in(root, supervisord_argv(conf), "sup"))
    log = (root / "supervisord.log").read_text()
    assert status == 0, log
    assert "gave up: bad entered FATAL state" in log and "received SIGQUIT" in log
    assert took < 15 and left == []

    ini = circus_ini(conf, exact=True)
    d = daemon_in(root, circusd_argv(ini), "cir")
    status, took, left = run_until_exit(d)
    assert status == 0, d.output()
    assert took < 15 and left == []
    log = (root / "supervisord.log").read_text()  # circusd's logoutput, converted
    assert "sup2circus: bad entered FATAL state: stopping every watcher" in log


def test_exit_on_fatal_makes_circusd_exit_1(root: Path) -> None:
    conf = fatal_config(root, None)
    d = daemon_in(root, circusd_argv(circus_ini(conf, exit_on_fatal=True)), "cir")
    status, took, left = run_until_exit(d)
    assert status == 1, d.output()
    assert took < 15 and left == []


def test_a_sigquit_listener_never_fires_under_dash(root: Path) -> None:
    if Path("/bin/sh").resolve().name != "dash":
        pytest.skip("/bin/sh is not dash")
    conf = fatal_config(root, "kill -SIGQUIT $PPID")
    d = daemon_in(root, supervisord_argv(conf), "sup")
    log = root / "supervisord.log"
    with running(d):
        try:
            wait_for(lambda: "gave up: bad" in read(log), 20, "bad to give up")
        except AssertionError:
            raise AssertionError(d.output() + read(log)) from None
        assert d.wait(4) is None  # still running 4 s later: the listener's kill failed
    assert "received SIGQUIT" not in log.read_text()


# --------------------------------------------------------------------------- supervisor_stdout

# supervisor-stdout 0.1.1 (Noah Kantrowitz, BSD; PyPI) in Python 3. The package itself is
# Python 2 only (`print '%s %s | %s' % (...),` in event_handler), so it cannot be installed for
# supervisor 4.3 on Python 3.11; these are its lines, with that print written print(..., end='')
# and the bytes supervisor 4 hands to a result handler decoded.
SUPERVISOR_STDOUT = """\
import sys

def write_stdout(s):
    sys.stdout.write(s)
    sys.stdout.flush()

def main():
    while 1:
        write_stdout('READY\\n') # transition from ACKNOWLEDGED to READY
        line = sys.stdin.readline()  # read header line from stdin
        headers = dict([ x.split(':') for x in line.split() ])
        data = sys.stdin.read(int(headers['len'])) # read the event payload
        write_stdout('RESULT %s\\n%s'%(len(data), data)) # transition from READY to ACKNOWLEDGED

def event_handler(event, response):
    line, data = response.decode('utf-8').split('\\n', 1)
    headers = dict([ x.split(':') for x in line.split() ])
    print('%s %s | %s'%(headers['processname'], headers['channel'], data), end='')

if __name__ == '__main__':
    main()
"""


def test_supervisor_stdout_lines_are_the_same_under_both(root: Path) -> None:
    (root / "supervisor_stdout.py").write_text(SUPERVISOR_STDOUT)
    python = which("python3") or "python3"
    conf = root / "supervisord.conf"
    conf.write_text(f"""\
[supervisord]
nodaemon=true
silent=true
logfile={root}/supervisord.log
pidfile={root}/supervisord.pid
childlogdir={root}

[program:web]
command=/bin/sh -c "echo one; sleep 0.3; echo two >&2; sleep 0.3; echo three; exec sleep 100"
stdout_events_enabled=true
stderr_events_enabled=true
stdout_logfile={root}/web.log
stderr_logfile=NONE

[program:both]
command=/bin/sh -c "sleep 0.1; echo merged; sleep 0.3; echo err >&2; exec sleep 100"
redirect_stderr=true
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
stdout_events_enabled=true

[program:quiet]
command=/bin/sh -c "echo hidden; exec sleep 100"
stdout_logfile={root}/quiet.log

[eventlistener:stdout]
command={python} {root}/supervisor_stdout.py
buffer_size=100
events=PROCESS_LOG
result_handler=supervisor_stdout:event_handler
""")
    ini = circus_ini(conf)
    outputs = {}
    for name, argv in (("sup", supervisord_argv(conf)), ("cir", circusd_argv(ini))):
        d = daemon_in(root, argv, name)
        d.env = {**d.env, "PYTHONPATH": str(root)}  # supervisord imports the result handler
        (root / "web.log").unlink(missing_ok=True)
        with running(d):
            try:
                wait_for(lambda d=d: "web stdout | three" in d.stdout(), 10, "the last line")
            except AssertionError:
                raise AssertionError(d.output() + read(root / "supervisord.log")) from None
            time.sleep(0.3)
            outputs[name] = d.stdout()
        assert (root / "web.log").read_text() == "one\nthree\n"
    # the two programs run side by side: compare each one's lines, in order
    for prefix in ("web ", "both ", "merged", "err", "hidden"):
        sup = [x for x in outputs["sup"].splitlines() if x.startswith(prefix)]
        cir = [x for x in outputs["cir"].splitlines() if x.startswith(prefix)]
        assert sup == cir, prefix
    assert sorted(outputs["sup"].splitlines()) == sorted(outputs["cir"].splitlines())
    lines = outputs["cir"].splitlines()
    assert [x for x in lines if x.startswith("web ")] == [
        "web stdout | one",
        "web stderr | two",
        "web stdout | three",
    ]
    assert [x for x in lines if x.startswith("both ")] == [
        "both stdout | merged",
        "both stdout | err",  # redirect_stderr: stderr is part of the stdout channel
    ]
    assert lines.count("merged") == lines.count("err") == 1  # /dev/stdout, unprefixed
    assert "hidden" not in outputs["cir"]


# --------------------------------------------------------------------------- /dev/stdout rotation


def run_piped(argv: list[str], root: Path, seconds: float) -> tuple[int, str]:
    """Run ``argv`` with its stdout and stderr on one pipe for up to ``seconds``; SIGTERM it then.
    Every descendant seen is killed by PID afterwards."""
    status, out, _ = run_on_pipes(argv, root, seconds, subprocess.STDOUT)
    return status, out


def run_on_pipes(
    argv: list[str], root: Path, seconds: float, stderr: int = subprocess.PIPE
) -> tuple[int, str, str]:
    """:func:`run_piped` with stderr on a pipe of its own (unless ``stderr`` says otherwise):
    (status, stdout, stderr)."""
    proc = subprocess.Popen(
        argv,
        cwd=root,
        env=base_env(root),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        start_new_session=True,
    )
    seen: dict[int, float] = {}
    deadline = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            for kid in psutil.Process(proc.pid).children(recursive=True):
                seen.setdefault(kid.pid, kid.create_time())
        except psutil.Error:
            pass
        time.sleep(0.1)
    if proc.poll() is None:
        proc.terminate()
    out, err = proc.communicate(timeout=15)
    for pid, created in seen.items():
        try:
            if psutil.Process(pid).create_time() == created:
                psutil.Process(pid).kill()
        except psutil.Error:
            pass
    return proc.returncode, out.decode(errors="replace"), (err or b"").decode(errors="replace")


@pytest.mark.parametrize("device", ["/dev/stdout", "/dev/stderr"])
def test_daemon_log_on_a_device_stays_on_that_stream(root: Path, device: str) -> None:
    conf = root / "supervisord.conf"
    conf.write_text(f"""\
[supervisord]
nodaemon=true
silent=true
logfile={device}
logfile_maxbytes=0
pidfile={root}/supervisord.pid

[program:web]
command=/bin/sleep 100
""")
    # silent: supervisord's own copy of its log on stdout (nodaemon) is off
    _, out, err = run_on_pipes(supervisord_argv(conf), root, 3)
    on, off = (out, err) if device == "/dev/stdout" else (err, out)
    assert "spawned: 'web'" in on and "spawned" not in off
    ini = root / "circus.ini"
    ini.write_text(rewrite_circus_endpoints(convert_file(conf, ConvertOptions()).text, root))
    (root / "supervisord.pid").unlink(missing_ok=True)
    _, out, err = run_on_pipes(circusd_argv(ini), root, 3)
    on, off = (out, err) if device == "/dev/stdout" else (err, out)
    assert "web started" in on and "web started" not in off


def test_daemon_log_on_a_stdout_pipe_with_rotation(root: Path) -> None:
    conf = root / "supervisord.conf"
    conf.write_text(f"""\
[supervisord]
nodaemon=true
logfile=/dev/stdout
pidfile={root}/supervisord.pid

[program:web]
command=/bin/sh -c "echo started; exec sleep 100"
""")
    status, out = run_piped(supervisord_argv(conf), root, 10)
    assert status == 1 and "OSError: [Errno 29] Illegal seek" in out
    assert "started" not in out  # supervisord started nothing
    # with its stdout on a regular file, supervisord runs
    d = daemon_in(root, supervisord_argv(conf), "sup")
    with running(d):
        wait_for(lambda: "spawned: 'web'" in d.stdout(), 10, "web to start")
    # circusd converted starts the program with its stdout on a pipe
    conv = convert_file(conf, ConvertOptions())
    assert [f.code for f in conv.findings if f.code == "S2C210"] == ["S2C210"]
    ini = root / "circus.ini"
    ini.write_text(rewrite_circus_endpoints(conv.text, root))
    (root / "supervisord.pid").unlink(missing_ok=True)
    status, out = run_piped(circusd_argv(ini), root, 2.5)
    assert "started\n" in out and "Illegal seek" not in out


def test_program_log_on_a_stdout_pipe_with_rotation(root: Path) -> None:
    conf = root / "supervisord.conf"
    conf.write_text(f"""\
[supervisord]
nodaemon=true
logfile={root}/supervisord.log
pidfile={root}/supervisord.pid

[program:web]
command=/bin/sh -c "echo one; sleep 0.3; echo two; exec sleep 100"
stdout_logfile=/dev/stdout
""")
    _, out = run_piped(supervisord_argv(conf), root, 2.5)
    crit = [x for x in out.splitlines() if "CRIT uncaptured python exception" in x]
    assert "one\n" in out and "two\n" in out
    assert len(crit) == 2 and all("Illegal seek" in x for x in crit)
    conv = convert_file(conf, ConvertOptions())
    assert [f.option for f in conv.findings if f.code == "S2C134"] == ["stdout_logfile"]
    ini = root / "circus.ini"
    ini.write_text(rewrite_circus_endpoints(conv.text, root))
    (root / "supervisord.pid").unlink(missing_ok=True)
    _status, out = run_piped(circusd_argv(ini), root, 2.5)
    assert "one\ntwo\n" in out and "Illegal seek" not in out


CHATTY = (
    "i=0; while [ $i -lt 40 ]; do echo OUT-$i-{pad}; i=$((i+1)); sleep 0.02; done; exec sleep 100"
)


@pytest.mark.parametrize("name", ["link", "/proc/self/fd/1"])
def test_program_log_on_a_stdout_file_with_rotation(root: Path, name: str) -> None:
    """With its stdout on a regular file, supervisord rotates what the device name points to.
    A symlink to its stdout (as /dev/stdout is; a link of our own here, renaming the real one
    would take it away from the whole machine) is renamed away at the first rollover and the
    output goes on into a new regular file of that name; a name that cannot be renamed
    (/proc) has the daemon's output file truncated at each rollover. S2C134 says so."""
    link = root / "link"
    link.symlink_to("/proc/self/fd/1")
    path = link if name == "link" else Path(name)
    conf = root / "supervisord.conf"
    conf.write_text(f"""\
[supervisord]
nodaemon=true
logfile={root}/supervisord.log
pidfile={root}/supervisord.pid

[program:web]
command=/bin/sh -c "{CHATTY.format(pad="x" * 60)}"
stdout_logfile={path}
stdout_logfile_maxbytes=1KB
stdout_logfile_backups=1
stderr_logfile=NONE
""")
    d = daemon_in(root, supervisord_argv(conf), "sup")
    with running(d):
        wait_for(lambda: "OUT-39" in d.stdout() or "OUT-39" in read(link), 10, "the output")
        time.sleep(0.2)
    if name == "link":
        assert not link.is_symlink() and link.is_file()
        assert (root / "link.1").is_file()  # the symlink itself fell off the end
        assert "OUT-39" in read(link) and "OUT-39" not in d.stdout()
    else:
        assert link.is_symlink()
        assert "supervisord started" not in d.stdout()  # truncated away
        assert "OUT-0-" not in d.stdout() and "OUT-39" in d.stdout()
    device = root / "device.conf"
    device.write_text(conf.read_text().replace(str(path), "/dev/stdout" if path == link else name))
    conv = convert_file(device, ConvertOptions())
    (found,) = [f for f in conv.findings if f.code == "S2C134"]
    assert ("renames /dev/stdout itself" if path == link else "truncates") in found.message
