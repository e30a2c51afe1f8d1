"""The docker/ demo run on the host: the very same files, only ports and paths rewritten.

``cd tests && python -m e2e.demo --write-docs`` refreshes the before/after block of docs/docker.md
from the current converter (tests/container/test_demo.py fails while it is stale)."""

from __future__ import annotations

import contextlib
import html
import http.client
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from dockerfile_parse import DockerfileParser

from .daemons import (
    REPO,
    Daemon,
    Proc,
    base_env,
    circusd_argv,
    free_port,
    require,
    rewrite_circus_endpoints,
    running,
    supervisord_argv,
    wait_for,
    which,
)

DOCKER = REPO / "docker"
SUPERVISORD_CONF = DOCKER / "supervisord.conf"
NGINX_CONF = DOCKER / "nginx.conf"
DOCKERFILE = DOCKER / "Dockerfile"
APP_DIR = DOCKER / "app"

# Where the Dockerfile puts things in the image.
IMAGE_CONF = "/srv/supervisord.conf"
IMAGE_INI = "/srv/circus.ini"
IMAGE_APP = "/srv/server"
APP_BIND = "127.0.0.1:5000"

EXPECTED_INDEX = "Hello from Flask, through nginx and gunicorn\n"
SLOW_SECONDS = 1.5
SHUTDOWN_LIMIT = 5.0


def _sub(pattern: str, repl: str, text: str, what: str, count: int | None = None) -> str:
    """Replace ``pattern`` in every line that is not a comment (``#``/``;``)."""
    lines, n = [], 0
    for line in text.splitlines(keepends=True):
        if not line.lstrip().startswith(("#", ";")):
            line, k = re.subn(pattern, lambda _m: repl, line)
            n += k
        lines.append(line)
    new = "".join(lines)
    assert n >= 1, f"host rewrite: {what} not found"
    if count is not None:
        assert n == count, f"host rewrite: {what} found {n} times, expected {count}"
    return new


def conversion_argv(conf: Path, out: Path) -> list[str]:
    """The Dockerfile's ``RUN sup2circus ...`` step, with the image paths mapped to ``conf``
    (a copy of docker/supervisord.conf) and ``out``."""
    parser = DockerfileParser(str(DOCKERFILE))
    runs = [i["value"] for i in parser.structure if i["instruction"] == "RUN"]
    steps = [shlex.split(v) for v in runs if v.split()[0] == "sup2circus"]
    assert len(steps) == 1, f"expected one RUN sup2circus step, got {runs}"
    argv = steps[0]
    mapped = {IMAGE_CONF: str(conf), IMAGE_INI: str(out)}
    exe = which("sup2circus")
    assert exe is not None, "the sup2circus command is not installed (pip install -e .)"
    return [exe, *(mapped.get(a, a) for a in argv[1:])]


def convert_with_cli(out: Path) -> subprocess.CompletedProcess[str]:
    """Run the Dockerfile's conversion step on a copy of docker/supervisord.conf placed next to
    ``out`` (under /tmp, like /srv in the image: no pyproject.toml settings above it)."""
    srv = out.parent / "srv"
    srv.mkdir(exist_ok=True)
    conf = srv / "supervisord.conf"
    shutil.copyfile(SUPERVISORD_CONF, conf)
    return subprocess.run(
        conversion_argv(conf, out), capture_output=True, text=True, timeout=60, cwd=srv
    )


@dataclass
class HostLayout:
    """The per-test directory that stands in for the image's file system."""

    root: Path
    web_port: int
    app_port: int

    @property
    def server_dir(self) -> Path:
        return self.root / "server"

    @property
    def nginx_conf(self) -> Path:
        return self.root / "nginx.conf"

    def prepare(self) -> None:
        shutil.copytree(APP_DIR, self.server_dir, ignore=shutil.ignore_patterns("__pycache__"))
        (self.root / "home").mkdir()
        (self.root / "nginx").mkdir()
        self.nginx_conf.write_text(self.rewrite_nginx(NGINX_CONF.read_text()))

    def rewrite_nginx(self, text: str) -> str:
        text = _sub(r"listen\s+80\s*;", f"listen 127.0.0.1:{self.web_port};", text, "listen 80")
        text = _sub(re.escape(APP_BIND), f"127.0.0.1:{self.app_port}", text, APP_BIND)
        text = _sub(r"/run/nginx\.pid", str(self.root / "nginx.pid"), text, "pid path")
        return _sub(r"/var/lib/nginx/", f"{self.root}/nginx/", text, "temp paths")

    def rewrite_programs(self, text: str) -> str:
        """Ports and paths in a supervisord.conf or circus.ini: the app directory, gunicorn's
        bind address, and nginx's config file (plus ``-e stderr`` so that nginx does not touch
        /var/log/nginx before it has read its config)."""
        text = _sub(re.escape(IMAGE_APP), str(self.server_dir), text, IMAGE_APP)
        text = _sub(re.escape(APP_BIND), f"127.0.0.1:{self.app_port}", text, APP_BIND)
        return _sub(
            r" -g (?=\S)",
            f" -c {self.nginx_conf} -e stderr -g ",
            text,
            "nginx's -g option",
            count=1,
        )


@dataclass
class Response:
    status: int
    content_type: str
    body: str


def get(port: int, path: str, timeout: float = 10) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        resp = conn.getresponse()
        return Response(resp.status, resp.getheader("Content-Type", ""), resp.read().decode())
    finally:
        conn.close()


def _healthy(port: int) -> bool:
    try:
        return get(port, "/health", timeout=2).status == 200
    except OSError:
        return False


@dataclass
class Tree:
    """The daemon's processes, by role."""

    direct: list[Proc]
    nginx_master: list[Proc]
    nginx_workers: list[Proc]
    gunicorn_master: list[Proc]
    gunicorn_workers: list[Proc]
    other: list[Proc]

    def shape(self) -> dict[str, int]:
        return {
            "direct children": len(self.direct),
            "nginx master": len(self.nginx_master),
            "nginx workers": len(self.nginx_workers),
            "gunicorn master": len(self.gunicorn_master),
            "gunicorn workers": len(self.gunicorn_workers),
            "other": len(self.other),
        }


def classify(daemon_pid: int, procs: list[Proc]) -> Tree:
    tree = Tree([], [], [], [], [], [])
    gunicorn_masters = {
        p.pid for p in procs if p.ppid == daemon_pid and any("gunicorn" in a for a in p.cmdline)
    }
    for p in procs:
        title = " ".join(p.cmdline)
        if p.ppid == daemon_pid:
            tree.direct.append(p)
        if title.startswith("nginx: master process"):
            tree.nginx_master.append(p)
        elif title.startswith("nginx: worker process"):
            tree.nginx_workers.append(p)
        elif p.pid in gunicorn_masters:
            tree.gunicorn_master.append(p)
        elif p.ppid in gunicorn_masters:
            tree.gunicorn_workers.append(p)
        else:
            tree.other.append(p)
    return tree


@dataclass
class Outcome:
    """What one run of the demo showed."""

    daemon: str
    index: Response
    health: Response
    slow: Response | None
    tree: dict[str, int]
    exit_status: int | None
    shutdown_seconds: float
    survivors: list[Proc]
    stdout: str
    stderr: str
    slow_error: str | None = None
    others: list[str] = field(default_factory=list)  # unexpected processes, by command line

    def comparable(self) -> dict[str, object]:
        """The parts that must be the same under supervisord and circusd."""
        return {
            "index": self.index,
            "health": (self.health.status, self.health.content_type, self.health.body),
            "slow": self.slow,
            "slow_error": self.slow_error,
            "tree": self.tree,
            "survivors": len(self.survivors),
            "stopped in time": self.shutdown_seconds <= SHUTDOWN_LIMIT,
        }


def run_demo(kind: str, layout: HostLayout, config: Path) -> Outcome:
    """Run the demo under ``kind`` (``circus`` or ``supervisor``) from ``config`` (already
    rewritten for the host), exercise it and stop it with SIGTERM."""
    require("nginx")
    argv = circusd_argv(config) if kind == "circus" else supervisord_argv(config)
    daemon = Daemon(
        argv,
        cwd=layout.root,
        env=base_env(layout.root / "home"),
        stdout_path=layout.root / f"{kind}.out",
        stderr_path=layout.root / f"{kind}.err",
    )
    with running(daemon):
        try:
            wait_for(lambda: _healthy(layout.web_port), 30, "/health through nginx")

            def complete() -> bool:
                t = classify(daemon.pid, daemon.snapshot())
                return bool(t.nginx_workers and t.gunicorn_workers and t.nginx_master)

            wait_for(complete, 10, "nginx and gunicorn workers")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{daemon.output()}") from None
        index = get(layout.web_port, "/")
        health = get(layout.web_port, "/health")
        tree = classify(daemon.pid, daemon.snapshot())

        slow: list[Response] = []
        errors: list[str] = []

        def request_slow() -> None:
            try:
                slow.append(get(layout.web_port, f"/slow?seconds={SLOW_SECONDS}", timeout=15))
            except Exception as exc:  # reported in the outcome
                errors.append(repr(exc))

        client = threading.Thread(target=request_slow, daemon=True)
        client.start()
        wait_for(lambda: "slow request started" in daemon.stdout(), 10, "the slow request")
        daemon.snapshot()
        start = time.monotonic()
        daemon.signal(signal.SIGTERM)
        exit_status = daemon.wait(SHUTDOWN_LIMIT * 3)

        def all_gone() -> bool:
            return not any(p.alive() for p in daemon.seen.values())

        with contextlib.suppress(AssertionError):
            wait_for(all_gone, max(0.1, SHUTDOWN_LIMIT * 3 - (time.monotonic() - start)), "")
        elapsed = time.monotonic() - start
        survivors = [p for p in daemon.seen.values() if p.alive()]
        client.join(15)
        return Outcome(
            daemon=kind,
            index=index,
            health=health,
            slow=slow[0] if slow else None,
            slow_error=errors[0] if errors else None,
            tree=tree.shape(),
            exit_status=exit_status,
            shutdown_seconds=elapsed,
            survivors=survivors,
            stdout=daemon.stdout(),
            stderr=daemon.stderr(),
            others=[" ".join(p.cmdline) for p in tree.other],
        )


def circus_config(layout: HostLayout) -> Path:
    """Convert docker/supervisord.conf exactly as the Dockerfile does, then rewrite ports,
    paths and circusd's endpoints for this host."""
    converted = layout.root / "converted.ini"
    result = convert_with_cli(converted)
    assert result.returncode == 0, f"conversion failed:\n{result.stdout}\n{result.stderr}"
    text = rewrite_circus_endpoints(layout.rewrite_programs(converted.read_text()), layout.root)
    ini = layout.root / "circus.ini"
    ini.write_text(text)
    return ini


def supervisor_config(layout: HostLayout) -> Path:
    conf = layout.root / "supervisord.conf"
    conf.write_text(layout.rewrite_programs(SUPERVISORD_CONF.read_text()))
    return conf


def new_layout(root: Path) -> HostLayout:
    layout = HostLayout(root, free_port(), free_port())
    while layout.app_port == layout.web_port:
        layout.app_port = free_port()
    layout.prepare()
    return layout


DOCS = REPO / "docs" / "docker.md"
DOCS_BEGIN = "<!-- BEGIN side-by-side"
DOCS_END = "<!-- END side-by-side -->"


def docs_conversion() -> tuple[str, str]:
    """circus.ini and the findings (text) of the Dockerfile's conversion step, as a user
    running it next to the file sees them."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="s2cdoc", dir="/tmp") as tmp:
        srv = Path(tmp)
        shutil.copyfile(SUPERVISORD_CONF, srv / "supervisord.conf")
        argv = conversion_argv(Path("supervisord.conf"), Path("circus.ini"))
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=srv)
        assert result.returncode == 0, result.stderr
        return (srv / "circus.ini").read_text(), result.stderr


def render_side_by_side() -> str:
    """The docs block: both configs in an HTML table, then the findings."""
    ini, findings = docs_conversion()
    before = html.escape(SUPERVISORD_CONF.read_text(), quote=False)
    after = html.escape(ini, quote=False)
    return (
        f"{DOCS_BEGIN} (tests/container/test_demo.py checks that this is what the converter "
        "writes; refresh with: cd tests && python -m e2e.demo --write-docs) -->\n"
        "<table>\n"
        "<tr><th>supervisord.conf (before)</th><th>circus.ini (after)</th></tr>\n"
        f'<tr><td valign="top">\n<pre lang="ini">\n{before}</pre>\n'
        f'</td><td valign="top">\n<pre lang="ini">\n{after}</pre>\n'
        "</td></tr>\n</table>\n\n"
        "Findings (on stderr while converting; all `info`, so `--strict` passes):\n\n"
        f"```text\n{findings}```\n"
        f"{DOCS_END}"
    )


def docs_block(text: str) -> str:
    start = text.index(DOCS_BEGIN)
    end = text.index(DOCS_END, start) + len(DOCS_END)
    return text[start:end]


def write_docs() -> None:
    text = DOCS.read_text()
    DOCS.write_text(text.replace(docs_block(text), render_side_by_side()))


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--write-docs"]:
        sys.exit("usage: cd tests && python -m e2e.demo --write-docs")
    write_docs()
