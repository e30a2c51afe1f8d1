#!/usr/bin/env python3
"""The runtime-equivalence probe: a managed program that records what it was given.

Run as ``probe.py NAME [ARGS...]`` under supervisord or circusd. It appends JSON lines to the
file named by ``$PROBE_LOG`` (or by a first argument ``--probe-log=PATH``):

* ``start``: argv, environment, cwd, uid/gid/euid/egid/groups, umask, pid/ppid/pgid/sid, and
  fds 0, 1, 2 (plus any other open fd) with where they point (``pipe``, ``socket``, ``null``,
  ``file`` + path, ``tty``, ``closed``), and whether fd 2 is fd 1 (``stderr_is_stdout``: one
  open file, as redirect_stderr makes it);
* ``signal``: every signal it receives, by name. A signal whose default action would end the
  process makes it exit 0 after recording it (so every stop signal stops it);
* ``exit``: when it exits (a stop signal, or ``$PROBE_LIFETIME`` seconds, default 60, as a
  safety net).

After recording ``start`` it writes one marker line to stdout and one to stderr
(``probe-stdout <args>`` / ``probe-stderr <args>``) so a test can find where each stream went.
Standard library only: it runs on the system python3 (as any user).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time

IGNORED_BY_DEFAULT = {"SIGCHLD", "SIGCONT", "SIGURG", "SIGWINCH"}
_log_fd = -1


def _write(record: dict[str, object]) -> None:
    record["pid"] = os.getpid()
    record["time"] = time.time()
    data = (json.dumps(record, sort_keys=True) + "\n").encode()
    os.write(_log_fd, data)  # O_APPEND: one write per record, records never interleave


def describe_fd(fd: int) -> dict[str, str]:
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return {"kind": "closed"}
    if target.startswith("pipe:"):
        return {"kind": "pipe"}
    if target.startswith("socket:"):
        return {"kind": "socket"}
    if target == "/dev/null":
        return {"kind": "null"}
    if target.startswith(("/dev/pts/", "/dev/tty")):
        return {"kind": "tty"}
    if target.startswith("anon_inode:"):
        return {"kind": "anon", "path": target}
    return {"kind": "file", "path": target}


_KCMP = {"x86_64": 312, "aarch64": 272, "i686": 349, "armv7l": 378}


def same_description(a: int, b: int) -> bool | None:
    """Whether fds ``a`` and ``b`` share one open file description (one was dup'ed from the
    other, as supervisor's redirect_stderr and ``2>&1`` do), by kcmp(2). None if unknown."""
    import ctypes
    import platform

    number = _KCMP.get(platform.machine())
    if number is None:
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pid = os.getpid()
        result = libc.syscall(number, pid, pid, 0, a, b)  # KCMP_FILE
    except OSError:
        return None
    return None if result < 0 else result == 0


def stderr_is_stdout() -> bool:
    """fd 2 is fd 1 (not merely the same destination). Without kcmp: the same pipe or
    socket (a regular file or /dev/null opened twice cannot be told from a dup)."""
    same = same_description(1, 2)
    if same is not None:
        return same
    try:
        one, two = os.fstat(1), os.fstat(2)
    except OSError:
        return False
    pipe_like = describe_fd(1)["kind"] in {"pipe", "socket"}
    return pipe_like and (one.st_dev, one.st_ino) == (two.st_dev, two.st_ino)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _on_signal(signum: int, _frame: object) -> None:
    name = signal.Signals(signum).name
    _write({"event": "signal", "signal": name})
    if name not in IGNORED_BY_DEFAULT:
        _write({"event": "exit", "reason": name})
        os._exit(0)


def main(argv: list[str]) -> int:
    global _log_fd
    path = os.environ.get("PROBE_LOG", "")
    args = argv[1:]
    if args and args[0].startswith("--probe-log="):
        path = args[0].split("=", 1)[1]
    if not path:
        print("probe: set PROBE_LOG or pass --probe-log=PATH", file=sys.stderr)
        return 2
    _log_fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    extra = sorted(int(n) for n in os.listdir("/proc/self/fd") if int(n) > 2)
    fds = {str(n): describe_fd(n) for n in (0, 1, 2)}
    others = {str(n): describe_fd(n) for n in extra if n != _log_fd}
    others = {n: d for n, d in others.items() if d["kind"] != "closed"}
    for sig in signal.Signals:
        if sig in (signal.SIGKILL, signal.SIGSTOP):
            continue
        with contextlib.suppress(OSError, ValueError):
            signal.signal(sig, _on_signal)
    _write(
        {
            "event": "start",
            "argv": argv,
            "env": dict(os.environ),
            "cwd": os.getcwd(),
            "uid": os.getuid(),
            "gid": os.getgid(),
            "euid": os.geteuid(),
            "egid": os.getegid(),
            "groups": sorted(os.getgroups()),
            "umask": _umask(),
            "ppid": os.getppid(),
            "pgid": os.getpgid(0),
            "sid": os.getsid(0),
            "fds": fds,
            "stderr_is_stdout": stderr_is_stdout(),
            "other_fds": others,
        }
    )
    label = " ".join(args)
    for fd, stream in ((1, "stdout"), (2, "stderr")):
        with contextlib.suppress(OSError):
            os.write(fd, f"probe-{stream} {label}\n".encode())
    deadline = time.monotonic() + float(os.environ.get("PROBE_LIFETIME", "60"))
    while time.monotonic() < deadline:
        time.sleep(0.2)
    _write({"event": "exit", "reason": "lifetime"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
