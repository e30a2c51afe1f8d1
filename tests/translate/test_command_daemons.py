"""The command, with both daemons running: what S2C117 says of a relative command."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from e2e.daemons import (
    circusd_argv,
    daemon_in,
    rewrite_circus_endpoints,
    running,
    supervisord_argv,
)

from sup2circus.api import ConvertOptions, convert_file

pytestmark = pytest.mark.daemons


def _app(path: Path, says: str, root: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho {says} >> {root}/ran\nexec sleep 100\n")
    path.chmod(0o755)


def _ran(root: Path, argv: list[str], name: str, seconds: float) -> str:
    """What ran under the daemon ``argv`` (started in ``root``) within ``seconds``."""
    ran = root / "ran"
    ran.unlink(missing_ok=True)
    with running(daemon_in(root, argv, name)):
        deadline = time.monotonic() + seconds
        while not ran.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    return ran.read_text() if ran.exists() else ""


def test_a_relative_command_runs_from_its_directory_if_supervisord_finds_it(root: Path) -> None:
    _app(root / "work" / "bin" / "app", "work", root)
    conf = root / "supervisord.conf"
    conf.write_text(f"""\
[supervisord]
nodaemon=true
logfile={root}/supervisord.log
pidfile={root}/supervisord.pid

[program:app]
command=bin/app
directory={root}/work
startsecs=0
""")
    conv = convert_file(conf, ConvertOptions())
    (finding,) = [f for f in conv.findings if f.code == "S2C117"]
    assert "both daemons run it from" in finding.message
    ini = root / "circus.ini"
    ini.write_text(rewrite_circus_endpoints(conv.text, root))
    # bin/app exists only under work/: supervisord (working directory: root) never starts it,
    # circusd runs it
    assert _ran(root, supervisord_argv(conf), "sup", 4) == ""
    assert "can't find command 'bin/app'" in (root / "supervisord.log").read_text()
    assert _ran(root, circusd_argv(ini), "cir", 10) == "work\n", (
        root / "supervisord.log"
    ).read_text()
    # with a bin/app under root as well, supervisord runs work/'s: the one in its directory
    _app(root / "bin" / "app", "root", root)
    assert _ran(root, supervisord_argv(conf), "sup", 10) == "work\n"
