"""Fault injection around ``sup2circus -o PATH``: whatever goes wrong while writing, the previous
output file is intact, no temp file is left behind, and the error is one line with exit 2.

The tests run as root, and root ignores file permissions: the permission cases run the CLI as
``nobody`` (``setpriv --reuid nobody --regid nogroup --clear-groups``). /root (and so the pyenv
interpreter and its site-packages) is not readable by nobody, so those runs use the system
interpreter (/usr/bin/python3, ``-I -S``) with private copies of the package and of click in a
world-readable temp dir on ``sys.path`` (the checkout itself may be under a 0700 directory) -- a
control run proves the unprivileged process really is unprivileged.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import sup2circus
from sup2circus import cli as cli_mod

CONFIG = """\
[supervisord]
nodaemon = true

[program:web]
command = /usr/bin/python3 -m http.server 8000
"""
OLD = "; the previous circus.ini -- must survive any failed write\n[circus]\n"
NOBODY = ["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups"]


def entries(d: Path) -> list[str]:
    return sorted(os.listdir(d))


# ------------------------------------------------------------------------------ in-process


def invoke(args: list[str]) -> tuple[int, str, str]:
    res = CliRunner().invoke(cli_mod.cli, args, catch_exceptions=True)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture
def work(tmp_path: Path) -> tuple[Path, Path]:
    conf = tmp_path / "supervisord.conf"
    conf.write_text(CONFIG, encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "circus.ini"
    target.write_text(OLD, encoding="utf-8")
    return conf, target


def assert_one_line_error(rc: int, out: str, err: str, *needles: str) -> None:
    assert "Traceback" not in err, err
    assert rc == 2, (rc, err)
    assert out == "", "nothing on stdout when -o fails"
    lines = [ln for ln in err.splitlines() if ln.strip()]
    # the findings of the conversion may come first; the error itself is ONE line, the last
    errors = [ln for ln in lines if ln.startswith("sup2circus: error")]
    assert len(errors) == 1 and lines[-1] == errors[0], lines[-5:]
    for n in needles:
        assert n in errors[0], (n, errors[0])


def test_success_replaces_the_file(work: tuple[Path, Path]) -> None:
    """Control: the same command without a fault does replace the old file."""
    conf, target = work
    rc, out, err = invoke([str(conf), "-o", str(target)])
    assert rc == 0, err
    assert out == ""
    assert "[watcher:web]" in target.read_text(encoding="utf-8")
    assert entries(target.parent) == ["circus.ini"]


@pytest.mark.parametrize("fail_at", ["first-write", "second-write", "fsync"])
def test_enospc_keeps_previous_file(
    work: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, fail_at: str
) -> None:
    """A full disk: write() (at once, or after a partial write) or fsync() fails with ENOSPC."""
    conf, target = work
    real_write, real_fsync = os.write, os.fsync
    calls = {"write": 0, "fsync": 0}

    def full_write(fd: int, data: bytes | memoryview) -> int:
        if fd <= 2:
            return real_write(fd, data)
        calls["write"] += 1
        if fail_at == "first-write" or (fail_at == "second-write" and calls["write"] > 1):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if fail_at == "second-write":
            return real_write(fd, bytes(data)[: max(1, len(data) // 2)])  # a short write
        return real_write(fd, data)

    def full_fsync(fd: int) -> None:
        calls["fsync"] += 1
        if fail_at == "fsync":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "write", full_write)
    monkeypatch.setattr(os, "fsync", full_fsync)
    rc, out, err = invoke([str(conf), "-o", str(target)])
    monkeypatch.undo()
    assert calls["write"] or calls["fsync"], "the fault was never hit: -o no longer uses os.write?"
    assert_one_line_error(rc, out, err, str(target))
    assert "No space left" in err, err
    assert target.read_text(encoding="utf-8") == OLD
    assert entries(target.parent) == ["circus.ini"], "a temp file was left behind"


def test_output_into_missing_directory(tmp_path: Path) -> None:
    conf = tmp_path / "supervisord.conf"
    conf.write_text(CONFIG, encoding="utf-8")
    target = tmp_path / "nope" / "circus.ini"
    rc, out, err = invoke([str(conf), "-o", str(target)])
    assert_one_line_error(rc, out, err, str(target))
    assert not (tmp_path / "nope").exists()


def test_output_onto_a_directory(work: tuple[Path, Path]) -> None:
    conf, target = work
    rc, out, err = invoke([str(conf), "-o", str(target.parent)])
    assert_one_line_error(rc, out, err, str(target.parent))
    assert entries(target.parent) == ["circus.ini"]
    assert target.read_text(encoding="utf-8") == OLD


def test_invalid_input_never_touches_output(work: tuple[Path, Path]) -> None:
    conf, target = work
    conf.write_text(CONFIG + "autostart = maybe\n", encoding="utf-8")
    rc, out, err = invoke([str(conf), "-o", str(target)])
    assert_one_line_error(rc, out, err, f"{conf}:6")
    assert target.read_text(encoding="utf-8") == OLD
    assert entries(target.parent) == ["circus.ini"]


# ------------------------------------------------------------------------------ unprivileged


@pytest.fixture(scope="module")
def nobody_cmd() -> Iterator[list[str]]:
    """argv prefix running ``sup2circus`` as nobody with an interpreter nobody can read."""
    if shutil.which("setpriv") is None or os.geteuid() != 0:
        pytest.skip("needs root and setpriv to become nobody")
    lib = tempfile.mkdtemp(prefix="s2cnb")
    try:
        os.chmod(lib, 0o755)
        # The checkout may sit under a directory nobody cannot traverse (a clone in /root):
        # nobody imports copies of the package and of click from a world-readable directory.
        for package in (sup2circus, click):
            source = os.path.dirname(os.path.abspath(package.__file__ or ""))
            shutil.copytree(source, os.path.join(lib, package.__name__))
        code = f"import sys; sys.path[:0] = [{lib!r}]; from sup2circus.cli import main; main()"
        chosen = None
        for py in ("/usr/bin/python3", sys.executable):
            probe = subprocess.run(
                [*NOBODY, py, "-I", "-S", "-c", code.replace("main()", "print('ok')")],
                capture_output=True,
                text=True,
                timeout=60,
            )
            if probe.returncode == 0 and probe.stdout.strip() == "ok":
                chosen = py
                break
        if chosen is None:
            pytest.fail(f"no interpreter can import sup2circus as nobody: {probe.stderr[-500:]}")
        yield [*NOBODY, chosen, "-I", "-S", "-c", code]
    finally:
        shutil.rmtree(lib, ignore_errors=True)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A temp dir nobody can traverse (pytest's tmp_path is under a 0700 directory)."""
    d = Path(tempfile.mkdtemp(prefix="s2cf", dir="/tmp"))
    os.chmod(d, 0o755)
    try:
        yield d
    finally:
        for root, dirs, _files in os.walk(d):
            for x in dirs:
                os.chmod(os.path.join(root, x), 0o755)
        shutil.rmtree(d, ignore_errors=True)


def run_as_nobody(cmd: list[str], args: list[str]) -> tuple[int, str, str]:
    res = subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=60)
    return res.returncode, res.stdout, res.stderr


def nobody_owned(path: Path) -> None:
    os.chown(path, 65534, 65534)


def test_nobody_is_really_unprivileged(nobody_cmd: list[str], shared_dir: Path) -> None:
    """Control: the unprivileged runs would fail if they were still root."""
    probe = subprocess.run(
        [*nobody_cmd[:-2], "-c", "import os; print(os.geteuid(), os.access('/root', os.R_OK))"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert probe.stdout.split() == ["65534", "False"], probe


def test_readonly_directory_as_nobody(nobody_cmd: list[str], shared_dir: Path) -> None:
    conf = shared_dir / "supervisord.conf"
    conf.write_text(CONFIG, encoding="utf-8")
    out_dir = shared_dir / "out"
    out_dir.mkdir()
    target = out_dir / "circus.ini"
    target.write_text(OLD, encoding="utf-8")
    for p in (out_dir, target):
        nobody_owned(p)
    # control: nobody can write there while the directory is writable
    rc, out, err = run_as_nobody(nobody_cmd, [str(conf), "-o", str(out_dir / "control.ini")])
    assert rc == 0, err
    assert "[watcher:web]" in (out_dir / "control.ini").read_text(encoding="utf-8")
    os.unlink(out_dir / "control.ini")
    # now the directory is read-only (for its owner too)
    os.chmod(out_dir, 0o555)
    rc, out, err = run_as_nobody(nobody_cmd, [str(conf), "-o", str(target)])
    assert_one_line_error(rc, out, err, str(target))
    assert "Permission denied" in err, err
    assert target.read_text(encoding="utf-8") == OLD
    assert entries(out_dir) == ["circus.ini"], "a temp file was left behind"


def test_unreadable_input_and_include_as_nobody(nobody_cmd: list[str], shared_dir: Path) -> None:
    conf = shared_dir / "supervisord.conf"
    conf.write_text(CONFIG + "\n[include]\nfiles = conf.d/*.conf\n", encoding="utf-8")
    (shared_dir / "conf.d").mkdir()
    secret = shared_dir / "conf.d" / "secret.conf"
    secret.write_text("[program:hidden]\ncommand = /bin/true\n", encoding="utf-8")
    os.chmod(secret, 0o600)  # root-owned: nobody cannot read it
    # an unreadable included file: supervisor skips it -> a finding, not a crash
    rc, out, err = run_as_nobody(nobody_cmd, [str(conf)])
    assert "Traceback" not in err, err
    assert rc == 0, err
    assert "[watcher:web]" in out and "hidden" not in out
    assert "secret.conf" in err, "the unreadable include must be reported"
    # an unreadable main file: exit 2, one line naming it
    os.chmod(conf, 0o600)
    rc, out, err = run_as_nobody(nobody_cmd, [str(conf)])
    assert_one_line_error(rc, out, err, str(conf))


# ----------------------------------------------------------------- SIGINT, SIGTERM, SIGHUP

SLOW_WRITE = """\
import os, sys, time
marker = sys.argv.pop(1)
real_write = os.write
def slow_write(fd, data):
    if fd <= 2:
        return real_write(fd, data)
    n = real_write(fd, bytes(data)[:16])  # a partial write is on disk...
    open(marker, "w").close()             # ...tell the test, then block mid-write
    time.sleep(60)
    return n
os.write = slow_write
from sup2circus.cli import main
main()
"""


@pytest.mark.parametrize(
    ("signum", "status"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)],
    ids=["SIGINT", "SIGTERM", "SIGHUP"],
)
@pytest.mark.parametrize("existing", [True, False])
def test_a_stop_signal_during_write(
    tmp_path: Path, existing: bool, signum: signal.Signals, status: int
) -> None:
    conf = tmp_path / "supervisord.conf"
    conf.write_text(CONFIG, encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "circus.ini"
    if existing:
        target.write_text(OLD, encoding="utf-8")
    marker = tmp_path / "in-write"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, str(marker), str(conf), "-o", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # as from a terminal: a test command started in the background (bash without job
        # control) ignores SIGINT, and the child would inherit that and sleep on
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the write never started"
            time.sleep(0.02)
        tmp_files = [x for x in entries(out_dir) if x != "circus.ini"]
        assert tmp_files, "expected the temp file to exist mid-write (write is not atomic?)"
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in err, err
    assert proc.returncode == status, (proc.returncode, err)
    assert out == ""
    if existing:
        assert target.read_text(encoding="utf-8") == OLD
        assert entries(out_dir) == ["circus.ini"], "a temp file was left behind"
    else:
        assert entries(out_dir) == [], "a temp or partial file was left behind"
