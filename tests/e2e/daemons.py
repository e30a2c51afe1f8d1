"""Run one daemon (supervisord or circusd) under a hard timeout and keep track of its processes."""

from __future__ import annotations

import configparser
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The hard bound on any daemon a test starts (the tests themselves stop them in seconds).
HARD_TIMEOUT = 60


def which(name: str) -> str | None:
    """Find ``name`` in this interpreter's bin dir, then on PATH, then in the sbin dirs."""
    candidate = BIN_DIR / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which(name) or shutil.which(name, path=SYSTEM_PATH)


def require(name: str) -> str:
    """The path of a program the test needs. Missing: fail in CI (``CI`` set), skip elsewhere."""
    import pytest

    path = which(name)
    if path is None:
        message = f"{name} is not installed (CI installs it: apt-get install -y nginx)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def short_tmpdir(prefix: str) -> Path:
    """A fresh directory directly under /tmp (short AF_UNIX paths), readable by everyone so
    that processes running as another user (nginx workers, ``user=nobody``) can reach it."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(home: Path, **extra: str) -> dict[str, str]:
    """A small, known environment for a daemon: this interpreter's bin dir first on PATH (so
    ``gunicorn``, ``circusd`` are the ones installed with the tests), HOME per test."""
    env = {
        "PATH": f"{BIN_DIR}:{SYSTEM_PATH}",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def rewrite_circus_endpoints(ini_text: str, sockdir: Path) -> str:
    """Point circusd's control and pub/sub endpoints (and the stats one, if the file sets it:
    setting it turns circusd-stats on) at ipc:// sockets in ``sockdir`` and make sure multicast
    discovery is off. Only these lines of the [circus] section change."""
    wanted = {
        "endpoint": f"ipc://{sockdir}/c.sock",
        "pubsub_endpoint": f"ipc://{sockdir}/p.sock",
        "multicast_endpoint": "",
    }
    if re.search(r"(?m)^stats_endpoint\s*=", ini_text):
        wanted["stats_endpoint"] = f"ipc://{sockdir}/s.sock"
    out: list[str] = []
    section = None
    seen: set[str] = set()
    lines = ini_text.splitlines()
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            if section == "circus":
                out.extend(f"{k} = {v}".rstrip() for k, v in wanted.items() if k not in seen)
                seen.update(wanted)
            section = stripped[1:-1]
        elif section == "circus" and "=" in line and not line[:1].isspace():
            key = line.split("=", 1)[0].strip()
            if key in wanted:
                out.append(f"{key} = {wanted[key]}".rstrip())
                seen.add(key)
                continue
        out.append(line)
    if section == "circus":
        out.extend(f"{k} = {v}".rstrip() for k, v in wanted.items() if k not in seen)
    elif "circus" not in {s for s in _sections(ini_text)}:
        out = ["[circus]", *(f"{k} = {v}".rstrip() for k, v in wanted.items()), "", *out]
    assert len(sockdir.as_posix()) + len("ipc:///c.sock") < 100
    return "\n".join(out) + "\n"


def _sections(ini_text: str) -> list[str]:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.read_string(ini_text)
    return parser.sections()


@dataclass
class Proc:
    pid: int
    create_time: float
    name: str
    cmdline: tuple[str, ...]
    ppid: int

    def alive(self) -> bool:
        try:
            p = psutil.Process(self.pid)
            return p.create_time() == self.create_time and p.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False


@dataclass
class Daemon:
    """A daemon run as ``timeout -k 5 N argv`` with stdout/stderr captured in files.

    ``seen`` holds every descendant observed by :meth:`snapshot` (pid -> Proc), so that the
    end of the test can kill exactly those processes, by PID."""

    argv: list[str]
    cwd: Path
    env: Mapping[str, str]
    stdout_path: Path
    stderr_path: Path
    timeout: int = HARD_TIMEOUT
    popen: subprocess.Popen[bytes] | None = None
    pid: int = 0
    seen: dict[int, Proc] = field(default_factory=dict)

    def start(self) -> None:
        timeout_bin = shutil.which("timeout") or "/usr/bin/timeout"
        with open(self.stdout_path, "ab") as out, open(self.stderr_path, "ab") as err:
            self.popen = subprocess.Popen(
                [timeout_bin, "-k", "5", str(self.timeout), *self.argv],
                cwd=self.cwd,
                env=dict(self.env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            kids = psutil.Process(self.popen.pid).children()
            if kids:
                self.pid = kids[0].pid
                return
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.argv[0]} exited at once:\n{self.output()}")
            time.sleep(0.01)
        raise AssertionError(f"{self.argv[0]} did not start")

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def snapshot(self) -> list[Proc]:
        """The daemon's descendants now (and remember them for the cleanup)."""
        try:
            kids = psutil.Process(self.pid).children(recursive=True)
        except psutil.Error:
            return []
        procs = []
        for kid in kids:
            try:
                with kid.oneshot():
                    proc = Proc(
                        kid.pid, kid.create_time(), kid.name(), tuple(kid.cmdline()), kid.ppid()
                    )
            except psutil.Error:
                continue
            self.seen.setdefault(proc.pid, proc)
            procs.append(proc)
        return procs

    def signal(self, sig: int) -> None:
        os.kill(self.pid, sig)

    def wait(self, timeout: float) -> int | None:
        """Wait for the daemon to exit; its exit status, or None if it is still running."""
        assert self.popen is not None
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def output(self) -> str:
        return f"--- stdout ---\n{self.stdout()}\n--- stderr ---\n{self.stderr()}"

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def kill_all(self) -> None:
        """Kill the daemon and every descendant ever seen, by PID."""
        self.snapshot()
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        for proc in self.seen.values():
            if proc.alive():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGKILL)
        if self.popen is not None:
            with contextlib.suppress(ProcessLookupError):
                self.popen.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(10)


def daemon_in(root: Path, argv: list[str], name: str) -> Daemon:
    """``argv`` to run in ``root``, with a home of its own there and its output in
    ``root/name.out`` and ``.err``. The pidfiles a previous daemon left in ``root`` are removed
    first: circusd refuses to start on one that names a live process."""
    home = root / "home"
    home.mkdir(exist_ok=True)
    for stale in root.glob("*.pid"):
        stale.unlink()
    return Daemon(argv, root, base_env(home), root / f"{name}.out", root / f"{name}.err")


@contextlib.contextmanager
def running(daemon: Daemon) -> Iterator[Daemon]:
    """Start ``daemon`` and, whatever happens, kill it and all its recorded processes after."""
    try:
        daemon.start()
        yield daemon
    finally:
        daemon.kill_all()


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def circusd_argv(ini: Path) -> list[str]:
    return [which("circusd") or "circusd", str(ini)]


def supervisord_argv(conf: Path) -> list[str]:
    return [which("supervisord") or "supervisord", "-n", "-c", str(conf)]
