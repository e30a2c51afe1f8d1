"""The docker/ demo on the host: real nginx (Debian), gunicorn, Flask, circusd and supervisord.

docker/supervisord.conf is converted by the Dockerfile's own ``RUN sup2circus ...`` step (the
CLI), then only ports and paths are rewritten for this host. The converted config must serve
the app through nginx, put both programs' output (stderr included: redirect_stderr) on
circusd's stdout, and stop everything on SIGTERM within 5 s, letting a request in flight
finish (nginx stopsignal=QUIT). supervisord runs the original file (rewritten the same way)
and must show the same outcome.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from e2e import demo
from e2e.daemons import require, short_tmpdir

pytestmark = pytest.mark.daemons


@pytest.fixture
def layout():
    require("nginx")
    require("gunicorn")
    root = short_tmpdir("s2cd")
    yield demo.new_layout(root)
    shutil.rmtree(root, ignore_errors=True)


def _check(outcome: demo.Outcome, layout: demo.HostLayout) -> None:
    where = f"\n--- {outcome.daemon} stdout ---\n{outcome.stdout}\n--- stderr ---\n{outcome.stderr}"
    # The app answers through nginx.
    assert outcome.index.status == 200, where
    assert outcome.index.body == demo.EXPECTED_INDEX, where
    assert outcome.index.content_type.startswith("text/plain"), where
    assert outcome.health.status == 200, where
    assert outcome.health.body.strip() == '{"status":"ok"}', where
    # Exactly nginx (master + workers) and gunicorn (master + worker): the daemon's direct
    # children are the programs themselves (a wrapper shell must exec, not stay in between).
    assert outcome.tree == {
        "direct children": 2,
        "nginx master": 1,
        "nginx workers": 2,
        "gunicorn master": 1,
        "gunicorn workers": 1,
        "other": 0,
    }, f"unexpected processes: {outcome.others}{where}"
    # Both programs' output reaches the daemon's stdout, stderr included (redirect_stderr).
    out = outcome.stdout
    assert '"GET / HTTP/1.1" 200' in out, f"nginx access log missing{where}"
    assert '"GET /health HTTP/1.1" 200' in out, f"nginx access log missing{where}"
    assert f"Listening at: http://127.0.0.1:{layout.app_port}" in out, f"gunicorn log{where}"
    assert "Booting worker" in out, f"gunicorn's stderr is not on stdout{where}"
    assert "slow request started" in out, where
    for line in ("Booting worker", "Listening at:", "slow request started", "GET / HTTP"):
        assert line not in outcome.stderr, f"{line!r} went to stderr{where}"
    # SIGTERM: the request in flight completes (nginx QUIT, gunicorn TERM are graceful) ...
    assert outcome.slow_error is None, f"request in flight failed: {outcome.slow_error}{where}"
    assert outcome.slow is not None and outcome.slow.status == 200, where
    assert outcome.slow.body == f"slow response after {demo.SLOW_SECONDS:g} s\n", where
    assert '"GET /slow?seconds=' in out, where
    # ... the daemon exits cleanly, and nothing it started survives, within 5 s.
    assert outcome.exit_status == 0, where
    assert not outcome.survivors, f"orphans: {outcome.survivors}{where}"
    assert outcome.shutdown_seconds <= demo.SHUTDOWN_LIMIT, where


def test_dockerfile_conversion_step_is_strict_and_clean():
    """The Dockerfile's RUN sup2circus step, run on the host, succeeds with --strict."""
    root = short_tmpdir("s2cc")
    out = root / "circus.ini"
    assert "--strict" in demo.conversion_argv(root / "supervisord.conf", out)
    result = demo.convert_with_cli(out)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # -o: the config goes to the file, findings to stderr
    text = out.read_text()
    # circus's own loader builds exactly what was meant, hooks importable (--verify)
    verify = subprocess.run(
        [*demo.conversion_argv(root / "srv" / "supervisord.conf", root / "v.ini"), "--verify"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
    )
    shutil.rmtree(root, ignore_errors=True)
    assert "[watcher:nginx]" in text and "[watcher:gunicorn]" in text
    assert verify.returncode == 0, verify.stderr


def test_demo_under_circusd(layout):
    outcome = demo.run_demo("circus", layout, demo.circus_config(layout))
    _check(outcome, layout)


def test_demo_under_supervisord(layout):
    outcome = demo.run_demo("supervisor", layout, demo.supervisor_config(layout))
    _check(outcome, layout)


def test_circusd_and_supervisord_give_the_same_outcome(layout):
    circus = demo.run_demo("circus", layout, demo.circus_config(layout))
    supervisor = demo.run_demo("supervisor", layout, demo.supervisor_config(layout))
    assert circus.comparable() == supervisor.comparable()
    # The same lines reach stdout (ignoring timestamps, pids and the daemons' own log lines).
    assert _program_lines(circus.stdout) == _program_lines(supervisor.stdout)


def _program_lines(text: str) -> list[str]:
    """The programs' own stdout lines that do not depend on timing or pids, in order of
    first appearance."""
    keep = []
    for marker in (
        '"GET / HTTP/1.1" 200',
        '"GET /health HTTP/1.1" 200',
        "Listening at:",
        "Booting worker",
        "slow request started",
        '"GET /slow?seconds=',
        "Handling signal: term",
        "Shutting down: Master",
    ):
        if marker in text:
            keep.append(marker)
    return keep


def test_docs_show_what_the_converter_writes():
    """docs/docker.md's before/after block is the current conversion of docker/supervisord.conf
    (refresh with: cd tests && python -m e2e.demo --write-docs)."""
    # (the README's copy of this section is kept in sync by scripts/sync_readme.py and its
    # own test)
    current = demo.docs_block(demo.DOCS.read_text())
    assert current == demo.render_side_by_side(), "run: cd tests && python -m e2e.demo --write-docs"
