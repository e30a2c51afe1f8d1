"""The docker/ demo's files, checked without a Docker engine.

The Dockerfile is parsed with dockerfile-parse and its structure asserted (base image, nginx
from apt, the project installed from the build context, the build-time conversion, the
exec-form CMD on the converted file, a HEALTHCHECK); the files it copies are checked against
each other (paths, ports) and with the real judges: supervisor's own parser for
supervisord.conf and ``nginx -t`` for nginx.conf.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser
from e2e import demo
from e2e.daemons import require, short_tmpdir
from supervisor.datatypes import RestartUnconditionally
from supervisor.options import ServerOptions

REPO = demo.REPO
DOCKERFILE = demo.DOCKERFILE


@pytest.fixture(scope="module")
def instructions() -> list[dict[str, str]]:
    parser = DockerfileParser(str(DOCKERFILE))
    return [i for i in parser.structure if i["instruction"] != "COMMENT"]


def _all(instructions: list[dict[str, str]], kind: str) -> list[dict[str, str]]:
    return [i for i in instructions if i["instruction"] == kind]


def _index(instructions: list[dict[str, str]], pred) -> int:  # type: ignore[no-untyped-def]
    hits = [n for n, i in enumerate(instructions) if pred(i)]
    assert len(hits) == 1, f"expected exactly one matching instruction, got {len(hits)}"
    return hits[0]


def _copies(instructions: list[dict[str, str]]) -> list[tuple[list[str], str]]:
    out = []
    for i in _all(instructions, "COPY"):
        words = [w for w in shlex.split(i["value"]) if not w.startswith("--")]
        out.append((words[:-1], words[-1]))
    return out


def _programs() -> dict[str, object]:
    options = ServerOptions()
    options.realize(args=["-c", str(demo.SUPERVISORD_CONF)])
    return {p.name: p for g in options.process_group_configs for p in g.process_configs}


def test_base_image_is_python_312_slim() -> None:
    parser = DockerfileParser(str(DOCKERFILE))
    assert parser.baseimage == "python:3.12-slim"
    assert len([i for i in parser.structure if i["instruction"] == "FROM"]) == 1


def test_nginx_comes_from_apt(instructions) -> None:
    runs = [shlex.split(i["value"].replace("&&", " && ")) for i in _all(instructions, "RUN")]
    apt = [r for r in runs if "apt-get" in r and "install" in r]
    assert len(apt) == 1
    words = apt[0]
    assert "update" in words, "apt-get update in the same layer as the install"
    assert "nginx" in words
    assert "-y" in words and "--no-install-recommends" in words
    assert "/var/lib/apt/lists/*" in words, "apt lists removed in the same layer"


def test_project_is_installed_from_the_build_context(instructions) -> None:
    copies = _copies(instructions)
    dests = {dest.rstrip("/") for srcs, dest in copies if "pyproject.toml" in srcs}
    assert len(dests) == 1, "pyproject.toml is copied into the image"
    project = dests.pop()
    assert any(srcs == ["src"] and dest.startswith(project) for srcs, dest in copies)
    n = _index(instructions, lambda i: i["instruction"] == "RUN" and "pip install" in i["value"])
    words = shlex.split(instructions[n]["value"])
    assert project in [w.rstrip("/") for w in words]
    names = {re.split(r"[=<>\[]", w)[0] for w in words if not w.startswith("-")}
    assert {"gunicorn", "flask", "circus"} <= names
    assert "circus==0.19.0" in words, "the circus version sup2circus is verified against"


def test_every_copied_file_exists_in_the_build_context(instructions) -> None:
    for srcs, _dest in _copies(instructions):
        for src in srcs:
            assert (REPO / src).exists(), f"COPY {src}: not in the repository (build context)"


def test_copied_files_land_where_the_configs_expect_them(instructions) -> None:
    copies = {src.rstrip("/"): dest for srcs, dest in _copies(instructions) for src in srcs}
    assert copies["docker/nginx.conf"] == "/etc/nginx/nginx.conf"  # nginx's default -c
    assert copies["docker/supervisord.conf"] == demo.IMAGE_CONF
    gunicorn = _programs()["gunicorn"]
    assert copies["docker/app"].rstrip("/") == gunicorn.directory == demo.IMAGE_APP


def test_conversion_runs_at_build_time_with_strict(instructions) -> None:
    n = _index(
        instructions,
        lambda i: i["instruction"] == "RUN" and i["value"].split()[0] == "sup2circus",
    )
    argv = shlex.split(instructions[n]["value"])
    assert "--strict" in argv, "a config with warnings must fail the build"
    assert "--exact" in argv, "supervisor's restart/stop semantics, through the hooks"
    assert demo.IMAGE_CONF in argv
    assert argv[argv.index("-o") + 1] == demo.IMAGE_INI
    # after the project is installed and the config copied in
    pip = _index(instructions, lambda i: "pip install" in i["value"])
    conf = _index(instructions, lambda i: demo.IMAGE_CONF in i["value"].split()[-1:])
    assert pip < n and conf < n


def test_cmd_is_exec_form_circusd_on_the_converted_file(instructions) -> None:
    cmds = _all(instructions, "CMD")
    assert len(cmds) == 1
    value = cmds[0]["value"].strip()
    assert value.startswith("["), "shell form leaves /bin/sh as PID 1 (it ignores SIGTERM)"
    assert json.loads(value) == ["circusd", demo.IMAGE_INI]
    assert not _all(instructions, "ENTRYPOINT")
    stop = _all(instructions, "STOPSIGNAL")
    assert not stop or stop[0]["value"] in {"SIGTERM", "TERM", str(int(signal.SIGTERM))}


def test_healthcheck_asks_the_app_through_nginx(instructions) -> None:
    checks = _all(instructions, "HEALTHCHECK")
    assert len(checks) == 1
    value = checks[0]["value"]
    assert " CMD " in f" {value} " and "NONE" not in value.split()
    assert re.search(r"http://(127\.0\.0\.1|localhost)(:80)?/health\b", value)
    assert "--timeout=" in value and "--interval=" in value
    assert [i["value"] for i in _all(instructions, "EXPOSE")] == ["80"]


def test_supervisord_conf_is_the_docker_pattern() -> None:
    options = ServerOptions()
    options.realize(args=["-c", str(demo.SUPERVISORD_CONF)])
    assert options.nodaemon is True
    programs = _programs()
    assert set(programs) == {"nginx", "gunicorn"}
    nginx, gunicorn = programs["nginx"], programs["gunicorn"]
    assert shlex.split(nginx.command) == ["nginx", "-g", "daemon off;"]
    assert nginx.stopsignal == signal.SIGQUIT
    assert shlex.split(gunicorn.command) == ["gunicorn", "app:app", "-b", demo.APP_BIND]
    assert gunicorn.directory == demo.IMAGE_APP
    for p in (nginx, gunicorn):
        assert p.autorestart is RestartUnconditionally
        assert p.stdout_logfile == "/dev/stdout"
        assert p.stdout_logfile_maxbytes == 0
        assert p.redirect_stderr is True


def test_nginx_conf_proxies_to_gunicorn_and_logs_to_the_container() -> None:
    text = re.sub(r"#.*", "", demo.NGINX_CONF.read_text())
    assert not re.search(r"(^|[;{}\s])daemon\s", text), "daemon comes from -g 'daemon off;'"
    assert re.search(r"\blisten\s+80\s*;", text)
    assert re.search(rf"proxy_pass\s+http://{re.escape(demo.APP_BIND)}\s*;", text)
    assert re.search(r"access_log\s+/dev/stdout\s*;", text)
    assert re.search(r"error_log\s+stderr\s*;", text)


def test_nginx_accepts_the_conf() -> None:
    """``nginx -t`` on the host copy (only ports and paths rewritten)."""
    nginx = require("nginx")
    root = short_tmpdir("s2ct")
    try:
        layout = demo.new_layout(root)
        result = subprocess.run(
            [nginx, "-t", "-c", str(layout.nginx_conf), "-e", "stderr", "-g", "daemon off;"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0, result.stderr
        assert "syntax is ok" in result.stderr
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_app_has_index_and_health_routes() -> None:
    text = (demo.APP_DIR / "app.py").read_text()
    assert '@app.get("/")' in text and '@app.get("/health")' in text
    assert Path(demo.APP_DIR / "app.py").is_file()
