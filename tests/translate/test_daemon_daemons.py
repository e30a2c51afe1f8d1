"""The [circus] section and what circus cannot express, with both daemons running: each test
shows the difference a finding claims."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from e2e.daemons import (
    circusd_argv,
    daemon_in,
    rewrite_circus_endpoints,
    running,
    supervisord_argv,
    wait_for,
    which,
)

from sup2circus.api import Conversion, ConvertOptions, convert_file

pytestmark = pytest.mark.daemons


def write_conf(root: Path, program: str, daemon: str = "") -> Path:
    """``root``/supervisord.conf: [supervisord] (its log and pidfile in ``root``, then
    ``daemon``'s lines) and [program:web] with ``program``'s lines."""
    conf = root / "supervisord.conf"
    conf.write_text(
        f"[supervisord]\nnodaemon=true\nlogfile={root}/daemon.log\npidfile={root}/daemon.pid\n"
        f"{daemon}\n[program:web]\n{program}\n"
    )
    return conf


def converted(conf: Path) -> tuple[Conversion, Path]:
    """The conversion of ``conf`` and its circus.ini (endpoints in the test's directory)."""
    conversion = convert_file(conf, ConvertOptions())
    ini = conf.parent / "circus.ini"
    ini.write_text(rewrite_circus_endpoints(conversion.text, conf.parent))
    return conversion, ini


def both(conf: Path, ini: Path) -> tuple[tuple[str, list[str]], ...]:
    return ("sup", supervisord_argv(conf)), ("cir", circusd_argv(ini))


def text(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def test_a_pidfile_naming_a_live_process(root: Path) -> None:
    conf = write_conf(root, "command=/bin/sleep 100")
    conv, ini = converted(conf)
    assert [f.code for f in conv.findings if f.option == "pidfile"] == ["S2C204"]
    other = subprocess.Popen(["/bin/sleep", "60"])  # a live process that is not the daemon
    try:
        for name, argv in both(conf, ini):
            d = daemon_in(root, argv, name)
            (root / "daemon.pid").write_text(f"{other.pid}\n")
            if name == "sup":  # supervisord overwrites the pidfile and runs
                with running(d):
                    wait_for(lambda: "spawned: 'web'" in text(root / "daemon.log"), 10, "web")
                    assert (root / "daemon.pid").read_text().strip() == str(d.pid)
            else:  # circusd refuses to start (its message calls the file stale)
                with running(d):
                    assert d.wait(10) == 1, d.output()
                assert f"pid file '{root}/daemon.pid'" in d.output()
    finally:
        other.kill()
        other.wait()


def test_logfile_backups_zero_truncates_only_under_supervisord(root: Path) -> None:
    chunk = "x" * 599  # + newline: 600 bytes per write, 2,400 in all
    script = f"for i in 1 2 3 4; do echo {chunk}; sleep 0.2; done; echo done; exec sleep 100"
    log = root / "web.log"
    conf = write_conf(
        root,
        f'command=/bin/sh -c "{script}"\nstdout_logfile={log}\n'
        "stdout_logfile_maxbytes=1000\nstdout_logfile_backups=0",
    )
    conv, ini = converted(conf)
    assert [f.code for f in conv.findings if f.option == "stdout_logfile_backups"] == ["S2C111"]
    sizes = {}
    for name, argv in both(conf, ini):
        log.unlink(missing_ok=True)
        with running(daemon_in(root, argv, name)):
            wait_for(lambda: "done" in text(log), 15, f"{name}: web's output")
            sizes[name] = log.stat().st_size
        assert not list(root.glob("web.log.*"))  # no backup file in either
    assert sizes["sup"] < 1000 < 2400 < sizes["cir"]  # truncated at rollover / grows on


def test_one_log_file_for_both_streams_rotates_alike(root: Path) -> None:
    """stdout and stderr into one rotated file without redirect_stderr: supervisord, like
    circus, rotates it through two independent handlers (one per stream), so in both a rotated
    file can be far below maxbytes (the other stream's handler renamed it early). No finding
    (S2C114 claimed this of circus only)."""
    pairs = " ".join(
        f"echo o{i}-{'x' * 90}; echo e{i}-{'y' * 90} >&2; sleep 0.05;" for i in range(30)
    )
    log = root / "web.log"
    conf = write_conf(
        root,
        f"command=/bin/sh -c '{pairs} echo done; exec sleep 100'\n"
        f"stdout_logfile={log}\nstderr_logfile={log}\n"
        "stdout_logfile_maxbytes=1000\nstdout_logfile_backups=3\n"
        "stderr_logfile_maxbytes=1000\nstderr_logfile_backups=3",
    )
    conv, ini = converted(conf)
    assert [f.code for f in conv.findings if f.option and f.option.endswith("_logfile")] == []
    for name, argv in both(conf, ini):
        for old in root.glob("web.log*"):
            old.unlink()
        with running(daemon_in(root, argv, name)):
            wait_for(lambda: "e29-" in _all_logs(root), 20, f"{name}: web's output")
            rotated = [p.stat().st_size for p in root.glob("web.log.*")]
        assert len(rotated) == 3, (name, rotated)
        assert min(rotated) < 500, (name, rotated)


def _all_logs(root: Path) -> str:
    return "".join(text(p) for p in sorted(root.glob("web.log*")))


def test_watcher_names_that_differ_only_in_case(root: Path) -> None:
    conf = write_conf(root, "command=/bin/sleep 100\n\n[program:Web]\ncommand=/bin/sleep 101")
    conv, ini = converted(conf)
    assert [f.code for f in conv.findings if f.code == "S2C502"] == ["S2C502"]
    with running(daemon_in(root, circusd_argv(ini), "cir")) as d:
        wait_for(lambda: sum(p.name == "sleep" for p in d.snapshot()) == 2, 10, "two sleeps")
        ctl = [which("circusctl") or "circusctl", "--endpoint", f"ipc://{root}/c.sock", "list"]
        listed = subprocess.run(ctl, capture_output=True, text=True, timeout=20, check=True)
    # both run, but circus knows one name for the two: one cannot be addressed
    assert listed.stdout.split() == ["web"]


def test_the_supervisor_variables_only_supervisord_sets(root: Path) -> None:
    conf = write_conf(root, f'command=/bin/sh -c "env > {root}/env.$$.txt; exec sleep 100"')
    conv, ini = converted(conf)
    (finding,) = [f for f in conv.findings if f.code == "S2C107"]
    seen = {}
    for name, argv in both(conf, ini):
        for old in root.glob("env.*.txt"):
            old.unlink()
        with running(daemon_in(root, argv, name)):
            wait_for(lambda: any(p.stat().st_size for p in root.glob("env.*.txt")), 10, "env")
            (dump,) = root.glob("env.*.txt")
            names = {line.split("=", 1)[0] for line in dump.read_text().splitlines()}
            seen[name] = {n for n in names if n.startswith("SUPERVISOR_")}
    assert {"SUPERVISOR_ENABLED", "SUPERVISOR_PROCESS_NAME", "SUPERVISOR_GROUP_NAME"} <= seen["sup"]
    assert seen["cir"] == set()
    assert all(n in finding.message for n in seen["sup"])


def test_minfds_raises_the_limit_only_under_supervisord(root: Path) -> None:
    if os.geteuid() != 0 and resource.getrlimit(resource.RLIMIT_NOFILE)[1] < 2048:
        pytest.skip("supervisord could not raise the open-files limit to 2048 here")
    limit = root / "limit.txt"
    conf = write_conf(
        root, f'command=/bin/sh -c "ulimit -Sn > {limit}; exec sleep 100"', daemon="minfds=2048"
    )
    conv, ini = converted(conf)
    assert [f.code for f in conv.findings if f.option == "minfds"] == ["S2C205"]
    seen = {}
    for name, argv in both(conf, ini):
        limit.unlink(missing_ok=True)
        # both daemons start with a soft limit of 512 open files
        low = [which("prlimit") or "/usr/bin/prlimit", "--nofile=512:", *argv]
        with running(daemon_in(root, low, name)):
            wait_for(lambda: text(limit).strip(), 10, "the limit")
            seen[name] = int(limit.read_text())
    assert seen == {"sup": 2048, "cir": 512}


def test_an_event_listener_as_a_plain_watcher_crash_loops(root: Path) -> None:
    # what S2C120 says of writing an [eventlistener:x] as a watcher: circus gives it /dev/null
    # on stdin and no events, so supervisor's listener loop reads EOF, fails and is restarted
    listener = root / "listener.py"
    starts = root / "starts"
    listener.write_text(
        "import sys\n"
        f"open({str(starts)!r}, 'a').write('start\\n')\n"
        "sys.stdout.write('READY\\n')\n"
        "sys.stdout.flush()\n"
        "header = sys.stdin.readline()\n"
        "headers = dict(x.split(':') for x in header.split())  # childutils.get_headers\n"
        "sys.stdin.read(int(headers['len']))\n"
    )
    conf = root / "supervisord.conf"
    conf.write_text(
        "[supervisord]\nnodaemon=true\n\n"
        f"[eventlistener:listener]\ncommand={sys.executable} {listener}\nevents=PROCESS_STATE\n"
    )
    conv = convert_file(conf, ConvertOptions())
    assert [f.code for f in conv.findings if f.code == "S2C120"] == ["S2C120"]
    assert "[watcher:listener]" not in conv.text  # not converted
    # written by hand: the plain watcher sup2circus does not write
    watcher = (
        f"[circus]\ncheck_delay = 1\n\n[watcher:listener]\ncmd = {sys.executable} {listener}\n"
    )
    ini = root / "circus.ini"
    ini.write_text(rewrite_circus_endpoints(watcher, root))
    with running(daemon_in(root, circusd_argv(ini), "cir")):
        wait_for(lambda: starts.exists() and len(starts.read_text().split()) >= 3, 15, "restarts")


def _missing_dir_conf(root: Path, daemon: str) -> Path:
    conf = root / "supervisord.conf"
    conf.write_text(
        f"[supervisord]\nnodaemon=true\npidfile={root}/daemon.pid\n{daemon}\n"
        "[program:web]\ncommand=/bin/sleep 100\n"
    )
    return conf


def test_a_missing_directory_of_the_daemon_log_stops_both_daemons(root: Path) -> None:
    conf = _missing_dir_conf(root, f"logfile={root}/gone/daemon.log")
    conv, ini = converted(conf)
    (message,) = [f.message for f in conv.findings if f.code == "S2C012"]
    assert "supervisord refuses to start and so does circusd when it logs there" in message
    for name, argv in both(conf, ini):
        with running(daemon_in(root, argv, name)) as d:
            status = d.wait(10)
            assert status not in (None, 0), (name, status, d.output())
            assert not any(p.name == "sleep" for p in d.snapshot())


def test_a_missing_childlogdir_drops_the_watchers_logging_there(root: Path) -> None:
    conf = _missing_dir_conf(root, f"logfile={root}/daemon.log\nchildlogdir={root}/gone")
    conv, ini = converted(conf)
    (message,) = [f.message for f in conv.findings if f.code == "S2C012"]
    assert "circusd silently drops the watchers whose AUTO log files go there" in message
    with running(daemon_in(root, supervisord_argv(conf), "sup")) as d:
        assert d.wait(10) not in (None, 0), d.output()
    with running(daemon_in(root, circusd_argv(ini), "cir")) as d:
        # circusd drops the watcher when it loads it (its log says why), and runs on
        log = root / "daemon.log"
        wait_for(lambda: "Arbiter now waiting for commands" in text(log), 10, "circusd")
        assert f"No such file or directory: '{root}/gone/web-stdout" in text(log)
        assert d.wait(0.1) is None, d.output()
        assert not any(p.name == "sleep" for p in d.snapshot())


def test_umask_minus_one_is_a_mask_of_777_in_both_daemons(root: Path) -> None:
    # supervisord's child calls os.umask(-1): the kernel keeps 0o777; the wrapper writes that
    seen = root / "umask.txt"
    conf = write_conf(root, f'command=/bin/sh -c "umask > {seen}; exec sleep 100"\numask=-1')
    _, ini = converted(conf)
    masks = {}
    for name, argv in both(conf, ini):
        seen.unlink(missing_ok=True)
        with running(daemon_in(root, argv, name)):
            wait_for(lambda: text(seen).strip(), 10, "the umask")
            masks[name] = text(seen).strip()
    assert masks == {"sup": "0777", "cir": "0777"}


def test_an_empty_directory_never_runs_the_program(root: Path) -> None:
    # what S2C136 says: supervisord's child fails chdir('') and exits 127 before the program
    # runs; the watcher is not converted
    ran = root / "ran.txt"
    conf = write_conf(root, f'command=/bin/sh -c "echo ran > {ran}"\ndirectory=\nstartsecs=0')
    conv, _ = converted(conf)
    assert [f.code for f in conv.findings if f.option == "directory"] == ["S2C136"]
    assert conv.circus.watchers == ()  # type: ignore[attr-defined]
    with running(daemon_in(root, supervisord_argv(conf), "sup")):
        wait_for(lambda: "exit status 127" in text(root / "daemon.log"), 10, "the exit")
    assert not ran.exists()


def test_the_daemon_log_and_childlogdir_follow_the_daemon_environment(root: Path) -> None:
    # %(ENV_HOME)s in [supervisord] logfile and childlogdir is the daemon's HOME (root/home,
    # see daemon_in), not the converting machine's: circusd substitutes $(circus.env.HOME)
    home = root / "home"
    auto = home / "logs"
    auto.mkdir(parents=True)
    conf = root / "supervisord.conf"
    conf.write_text(
        f"[supervisord]\nnodaemon=true\npidfile={root}/daemon.pid\n"
        "logfile=%(ENV_HOME)s/daemon.log\nchildlogdir=%(ENV_HOME)s/logs\n"
        '[program:web]\ncommand=/bin/sh -c "echo hello; exec sleep 100"\n'
    )
    _, ini = converted(conf)
    for name, argv in both(conf, ini):
        for old in [home / "daemon.log", *auto.iterdir()]:
            old.unlink(missing_ok=True)
        with running(daemon_in(root, argv, name)):
            wait_for(lambda: "hello" in "".join(map(text, auto.iterdir())), 10, f"{name} AUTO")
            wait_for(lambda: text(home / "daemon.log"), 10, f"{name}'s own log")
