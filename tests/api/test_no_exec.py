"""Nothing in a config is imported or executed during conversion, and the converter reads only
the files supervisor itself would read for that config.

* ``[rpcinterface:x] supervisor.rpcinterface_factory = evilmod:make`` and an eventlistener's
  ``result_handler = evilmod:handler`` name a module on sys.path that writes a marker file when
  imported. supervisord imports both while reading its config (a control run of supervisor's own
  parser proves the setup triggers); sup2circus must not, in any mode.
* ``command =`` lines must never run.
* Every file opened, directory listed, module imported and process spawned is recorded with an
  audit hook (``sys.addaudithook``) in a subprocess running the real CLI, and compared with what
  supervisor reads: the main file, the files its ``[include]`` globs match (not files in the same
  directories that do not match, not nested includes), plus the tool's own pyproject.toml lookup
  and the system user database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EVILMOD = """\
import os
open(os.environ["S2C_MARKER"], "a").write("imported\\n")

def make(supervisord, **config):
    open(os.environ["S2C_MARKER"], "a").write("factory called\\n")

def handler(event, response):
    pass
"""

# Runs the real CLI with an audit hook; writes what it saw to argv[1] (JSON) at exit.
AUDITED_CLI = r"""
import json, os, sys
log_path = sys.argv.pop(1)
seen = {"open": [], "listdir": [], "import": [], "spawn": []}
SPAWN = {"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
         "subprocess.Popen", "pty.spawn", "os.startfile"}
active = [True]
def hook(event, args):
    if not active[0]:
        return
    if event == "open":
        path, mode, flags = args
        if isinstance(path, (str, bytes)):
            p = os.fsdecode(path)
            w = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            seen["open"].append([p, bool(w)])
    elif event in ("os.listdir", "os.scandir", "glob.glob"):
        if args and isinstance(args[0], (str, bytes)):
            seen["listdir"].append(os.fsdecode(args[0]))
    elif event == "import":
        seen["import"].append(args[0])
    elif event in SPAWN:
        seen["spawn"].append(event)
sys.addaudithook(hook)
from sup2circus.cli import main
try:
    main()
finally:
    active[0] = False
    with open(log_path + ".tmp", "w") as fh:
        json.dump(seen, fh)
    os.replace(log_path + ".tmp", log_path)
"""

# supervisor's own parse, as supervisord does it (the control).
SUPERVISOR_PARSE = r"""
import sys
from supervisor.options import ServerOptions
o = ServerOptions()
o.configfile = sys.argv[1]
try:
    o.process_config(do_usage=False)
except ValueError as e:
    print("supervisor refused:", e)
"""


def write_tree(base: Path) -> dict[str, Path]:
    """A config tree: main + includes, decoys that must not be read, and (outside the tree, on
    PYTHONPATH) the evil module."""
    root, mods, cwd = base / "cfg", base / "mods", base / "cwd"
    for d in (root, mods, cwd):
        d.mkdir()
    (mods / "evilmod.py").write_text(EVILMOD, encoding="utf-8")
    conf_d = root / "conf.d"
    conf_d.mkdir()
    (root / "nested").mkdir()
    (root / "logs").mkdir()
    marker_cmd = root / "command-ran"
    main = root / "supervisord.conf"
    main.write_text(
        f"""\
[supervisord]
nodaemon = true
logfile = {root}/logs/supervisord.log
pidfile = {root}/logs/supervisord.pid
childlogdir = {root}/logs

[unix_http_server]
file = {root}/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[rpcinterface:evil]
supervisor.rpcinterface_factory = evilmod:make
retries = 3

[program:touch]
command = /usr/bin/touch {marker_cmd}
stdout_logfile = {root}/logs/touch.log
stderr_logfile = {root}/logs/touch.err

[include]
files = conf.d/*.conf
""",
        encoding="utf-8",
    )
    (conf_d / "listener.conf").write_text(
        f"""\
[eventlistener:ev]
command = /bin/sh -c 'touch {marker_cmd}; cat'
events = PROCESS_STATE
result_handler = evilmod:handler
stdout_logfile = %(here)s/../logs/ev.log

[include]
files = ../nested/*.conf
""",
        encoding="utf-8",
    )
    (conf_d / "web.conf").write_text(
        "[program:web]\ncommand = /usr/bin/python3 -m http.server 8000\n"
        "directory = %(here)s\nstdout_logfile = %(here)s/../logs/web.log\n",
        encoding="utf-8",
    )
    # decoys: in an included directory but not matched by the glob, and a nested include
    (conf_d / "README.txt").write_text("not a config\n", encoding="utf-8")
    (conf_d / "old.conf.bak").write_text("[program:old]\ncommand = /bin/false\n")
    (root / "nested" / "deep.conf").write_text("[program:deep]\ncommand = /bin/false\n")
    return {
        "root": root,
        "main": main,
        "marker": base / "imported",
        "command_marker": marker_cmd,
        "mods": mods,
        "cwd": cwd,
    }


def child_env(tree: dict[str, Path]) -> dict[str, str]:
    env = dict(os.environ)
    env["S2C_MARKER"] = str(tree["marker"])
    env["PYTHONPATH"] = os.pathsep.join(
        [str(tree["mods"]), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env.pop("SUP2CIRCUS_DEBUG", None)
    return env


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    return write_tree(tmp_path)


def test_control_supervisor_imports_the_evil_module(tree: dict[str, Path]) -> None:
    """Control: supervisor's own parser does import both specs, so the marker mechanism works
    (and the config is one supervisord accepts)."""
    res = subprocess.run(
        [sys.executable, "-c", SUPERVISOR_PARSE, str(tree["main"])],
        env=child_env(tree),
        cwd=tree["cwd"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert "refused" not in res.stdout, res.stdout
    assert tree["marker"].read_text() == "imported\n"


MODES = {
    "convert": [],
    "convert-exact": ["--exact"],
    "check": ["--check", "--exit-zero"],
    "check-sarif": ["--check", "--exit-zero", "--output-format", "sarif"],
    "verify": ["--verify"],
}


def run_audited(tree: dict[str, Path], extra: list[str], out: Path | None) -> dict[str, list]:  # type: ignore[type-arg]
    log = tree["cwd"] / f"audit-{len(os.listdir(tree['cwd']))}.json"
    args = [*extra, str(tree["main"])]
    if out is not None:
        args += ["-o", str(out)]
    res = subprocess.run(
        [sys.executable, "-c", AUDITED_CLI, str(log), *args],
        env=child_env(tree),
        cwd=tree["cwd"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode in (0, 1), (res.returncode, res.stderr[-2000:])
    assert log.exists(), res.stderr
    return dict(json.loads(log.read_text()))


@pytest.mark.parametrize("mode", sorted(MODES))
def test_nothing_imported_or_executed(tree: dict[str, Path], mode: str) -> None:
    out = tree["root"] / "circus.ini" if mode.startswith("convert") else None
    seen = run_audited(tree, MODES[mode], out)
    assert not tree["marker"].exists(), f"evilmod was imported: {tree['marker'].read_text()}"
    assert "evilmod" not in seen["import"]
    assert not tree["command_marker"].exists(), "a command from the config was run"
    assert seen["spawn"] == [], f"a process was spawned: {seen['spawn']}"
    if out is not None:
        text = out.read_text(encoding="utf-8")
        assert "[watcher:touch]" in text
        # the rpcinterface/result_handler specs are not carried into anything circus imports
        # (hooks, stream classes, plugins)
        for line in text.splitlines():
            key = line.split("=", 1)[0].strip()
            if "evilmod" in line:
                assert not (key.startswith("hooks.") or key.endswith(".class") or key == "use"), (
                    line
                )


def _system_read_ok(path: str) -> bool:
    """Files any Python process or the user database lookup may open."""
    real = os.path.realpath(path)
    prefixes = [
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        os.path.dirname(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        ),  # the source tree
        "/etc/passwd",
        "/etc/group",
        "/etc/nsswitch.conf",
        "/etc/localtime",
        "/usr/lib/locale",
        "/usr/share/zoneinfo",
        "/dev/null",
        "/dev/urandom",
        "/proc/self",
        "/dev/tty",
    ]
    return any(real == p or real.startswith(p.rstrip("/") + "/") for p in prefixes)


@pytest.mark.parametrize("mode", ["convert", "check"])
def test_reads_only_what_supervisor_reads(tree: dict[str, Path], mode: str) -> None:
    root = tree["root"]
    out = root / "circus.ini" if mode == "convert" else None
    seen = run_audited(tree, MODES[mode], out)
    main = str(tree["main"])
    allowed_reads = {
        main,
        str(root / "conf.d" / "listener.conf"),
        str(root / "conf.d" / "web.conf"),
    }
    opened = [(os.path.realpath(p), w) for p, w in seen["open"]]
    in_tree = [(p, w) for p, w in opened if p.startswith(str(root) + "/") or p == str(root)]
    # 1. reads inside the config's tree: exactly supervisor's files (+ pyproject.toml discovery)
    reads = {p for p, w in in_tree if not w and not p.endswith("pyproject.toml")}
    extra = reads - allowed_reads - {str(root)}
    assert not extra, f"read files supervisor would not: {extra}"
    assert {main, *allowed_reads} <= reads | {p for p, _ in in_tree}, "did not read the includes?"
    assert str(root / "nested" / "deep.conf") not in reads, "followed a nested [include]"
    # 2. writes: only the output file (through a temp file in its directory), nothing else --
    #    no log file, pid file, socket or directory of the config is created
    writes = {p for p, w in opened if w and not _system_read_ok(p)}
    if out is not None:
        assert all(
            p == str(out) or (os.path.dirname(p) == str(root) and ".circus.ini" in p)
            for p in writes
        ), writes
    else:
        assert writes == set(), writes
    assert sorted(os.listdir(root / "logs")) == [], "log files were created"
    # 3. reads outside the tree: only the interpreter's own files and the user database
    outside = {
        p for p, w in opened if not w and p != str(root) and not p.startswith(str(root) + "/")
    }
    unexpected = sorted(p for p in outside if not _system_read_ok(p))
    assert unexpected == [], f"opened files unrelated to the config: {unexpected}"
    # 4. listed directories: only those of the include globs (and the tool's own lookups)
    listed = {os.path.realpath(p) for p in seen["listdir"]}
    in_tree_listed = {p for p in listed if p == str(root) or p.startswith(str(root) + "/")}
    globs = {str(root / "conf.d" / "*.conf")}  # the glob.glob event carries the pattern
    assert in_tree_listed <= {str(root / "conf.d"), str(root), *globs}, in_tree_listed


def test_audit_hook_sees_reads(tree: dict[str, Path]) -> None:
    """Control: the audit wrapper does record the config files (the checks above can fail)."""
    seen = run_audited(tree, [], tree["root"] / "circus.ini")
    opened = {os.path.realpath(p) for p, _ in seen["open"]}
    assert str(tree["main"]) in opened
    assert str(tree["root"] / "conf.d" / "web.conf") in opened


def test_stdin_conversion_imports_nothing(tree: dict[str, Path]) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "sup2circus", "-"],
        input=tree["main"].read_text(),
        env=child_env(tree),
        cwd=tree["root"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in res.stderr
    assert not tree["marker"].exists()
    assert not tree["command_marker"].exists()
