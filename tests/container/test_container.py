"""--check on Dockerfiles and shell scripts: supervisor's lines and their circus replacements
(sup2circus.container, codes S2C601-S2C606).

The idioms are checked one by one through the module, the command line through the installed
console script (stdout, stderr, exit status), docs/migrating.md's commands by running them, and
what the replacements claim about exit statuses against real supervisord and circusd.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from e2e.daemons import (
    Daemon,
    base_env,
    circusd_argv,
    require,
    rewrite_circus_endpoints,
    running,
    short_tmpdir,
    supervisord_argv,
    wait_for,
)

from sup2circus import circusctl, container
from sup2circus.api import ConvertOptions, convert_file
from sup2circus.findings import Finding

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

CONF = """\
[supervisord]
nodaemon=true

[program:web]
command=/usr/bin/web

[program:worker]
command=/usr/bin/worker
numprocs=2
process_name=%(program_name)s_%(process_num)02d

[group:bg]
programs=job

[program:job]
command=/usr/bin/job
stdout_logfile=/var/log/job.log
"""


def dockerfile(
    tmp_path: Path, text: str, conf: str | None = None, name: str = "Dockerfile"
) -> list[Finding]:
    """The findings of a Dockerfile written in ``tmp_path`` (the build context), beside a
    supervisord.conf when ``conf`` is given."""
    if conf is not None:
        (tmp_path / "supervisord.conf").write_text(conf)
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return list(container.check_file(str(path), ConvertOptions()).findings)


def script(tmp_path: Path, text: str) -> list[Finding]:
    path = tmp_path / "entry.sh"
    path.write_text(textwrap.dedent(text))
    return list(container.check_file(str(path), ConvertOptions()).findings)


def rows(findings: list[Finding]) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in findings]


def replacement(f: Finding) -> str:
    """The command a finding proposes (the text in backquotes after 'use ')."""
    m = re.search(r"use `(.+?)` \(", f.message)
    assert m, f.message
    return m.group(1)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the build context is searched in the current directory too: make it an empty one
    monkeypatch.chdir(tmp_path)


# ---------------------------------------------------------------------------- file kinds


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("Dockerfile", "", "dockerfile"),
        ("Containerfile", "", "dockerfile"),
        ("web.Dockerfile", "", "dockerfile"),
        ("Dockerfile.supervisor", "", "dockerfile"),
        ("entry.sh", "", "shell"),
        ("entrypoint", "#!/bin/sh\n", "shell"),
        ("run", "#!/usr/bin/env bash\n", "shell"),
        ("run", "#! /bin/dash -e\n", "shell"),
        ("run", "#!/sbin/ash\n", "shell"),
        ("run", "#!/usr/bin/python3\n", None),
        ("run", "#!/bin/shell-thing\n", None),
        ("supervisord.conf", "[supervisord]\n", None),
        # names Docker and Podman accept, in any letter case
        ("dockerfile", "FROM x\n", "dockerfile"),
        ("Dockerfile-prod", "FROM x\n", "dockerfile"),
        ("prod.dockerfile", "FROM x\n", "dockerfile"),
        ("Containerfile.dev", "# syntax=docker/dockerfile:1\nFROM x\n", "dockerfile"),
        # a config is a config whatever its name: its first content is a [section] header
        ("Dockerfile.conf", "; the app\n[supervisord]\nnodaemon=true\n", None),
        ("app.sh", "\ufeff[program:web]\ncommand=/app/web\n", None),
        ("check.sh", "[ -f /x ] || exit 1\n", "shell"),
        ("run", "#!/bin/zsh\n", "shell"),
        ("run", "#!/bin/ksh\n", "shell"),
        ("run", "#!/bin/busybox sh\n", "shell"),
        ("run", "#!/usr/bin/env -S bash -e\n", "shell"),
        ("run", "\ufeff#!/bin/sh\n", "shell"),
    ],
)
def test_file_kind(tmp_path: Path, name: str, head: str, kind: str | None) -> None:
    path = tmp_path / name
    path.write_text(head + "echo hi\n")
    assert container.file_kind(str(path)) == kind


def test_a_missing_file_is_no_shell_script(tmp_path: Path) -> None:
    assert container.file_kind(str(tmp_path / "nope")) is None


# ---------------------------------------------------------------------------- shell words


def test_commands_are_split_at_operators_and_opened_in_sh_c() -> None:
    cmds = container.commands(
        "set -e && A=1 exec env B=2 supervisord -n 2>&1 | tee log; "
        "sh -ec 'supervisorctl status web >/dev/null' || exit 1"
    )
    assert [c.argv for c in cmds] == [
        ("set", "-e"),
        ("supervisord", "-n"),
        ("tee", "log"),
        ("supervisorctl", "status", "web"),
        ("exit", "1"),
    ]
    assert [c.piped for c in cmds] == [False, True, False, False, False]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("x=$(supervisorctl status)", "command substitution"),
        ("x=`supervisorctl status`", "command substitution"),
        ("echo 'supervisorctl status", "No closing quotation"),
    ],
)
def test_what_shlex_cannot_see_is_unparsed(text: str, why: str) -> None:
    with pytest.raises(container.Unparsed, match=why):
        container.commands(text)


# ---------------------------------------------------------------------------- Dockerfiles


def test_installing_supervisor(tmp_path: Path) -> None:
    found = dockerfile(
        tmp_path,
        """\
        FROM debian
        RUN apt-get update \\
            && apt-get install -y --no-install-recommends nginx supervisor \\
            && rm -rf /var/lib/apt/lists/*
        RUN apk add --no-cache supervisor
        RUN pip install supervisor==4.2.5
        RUN python3 -m pip install "supervisor>=4"
        RUN pip install supervisor-stdout
        RUN apt-get install -y nginx
        """,
    )
    assert rows(found) == [
        (3, "S2C601"),
        (5, "S2C601"),
        (6, "S2C601"),
        (7, "S2C601"),
        (8, "S2C606"),
    ]
    assert found[0].message.startswith("`apt-get install supervisor` installs supervisor")
    assert "pip install --no-cache-dir 'sup2circus[circus]'" in found[0].message
    assert found[2].message.startswith("`pip install supervisor==4.2.5`")
    assert found[3].message.startswith("`pip install supervisor>=4`")
    assert all(f.severity.value == "warning" for f in found[:4])
    assert found[4].severity.value == "info" and "supervisor-stdout" in found[4].message


def test_running_supervisord_becomes_exec_form_circusd(tmp_path: Path) -> None:
    found = dockerfile(
        tmp_path,
        """\
        FROM debian
        ENTRYPOINT ["/usr/bin/supervisord", "-c", "/etc/supervisord.conf"]
        CMD supervisord -n
        RUN supervisord -c /etc/supervisord.conf
        """,
    )
    assert rows(found) == [(2, "S2C603"), (3, "S2C603"), (4, "S2C603")]
    for f, keyword in zip(found[:2], ("ENTRYPOINT", "CMD"), strict=True):
        m = re.search(rf"`{keyword} (\[.*\])`", f.message)
        assert m, f.message
        assert json.loads(m.group(1)) == ["circusd", "/etc/circus.ini"]
        assert f.section == keyword
    assert "nothing it starts survives the build step" in found[2].message
    # no config copied: the conversion step is named where supervisord runs, with its -c
    assert "`RUN sup2circus --strict /etc/supervisord.conf -o /etc/circus.ini`" in found[0].message


@pytest.mark.parametrize(
    ("install", "copy", "packaged"),
    [
        # Debian's package installs /etc/supervisor/supervisord.conf; only conf.d is copied
        ("apt-get install -y supervisor", "COPY app.conf /etc/supervisor/conf.d/", True),
        # the main config is copied: the conversion step finds it
        ("apt-get install -y supervisor", "COPY supervisord.conf /etc/supervisor/", False),
        # pip installs no main config (the image must bring its own)
        ("pip install supervisor", "COPY app.conf /etc/supervisor/conf.d/", False),
    ],
)
def test_a_main_config_from_the_package_is_named(
    tmp_path: Path, install: str, copy: str, packaged: bool
) -> None:
    """The conversion step reads the config supervisord reads; when that is the package's own
    (not copied by the Dockerfile), removing the package (S2C601) removes it too: S2C602 says so."""
    found = dockerfile(
        tmp_path,
        f"""\
        FROM debian
        RUN {install}
        {copy}
        CMD ["supervisord", "-n", "-c", "/etc/supervisor/supervisord.conf"]
        """,
        CONF,
    )
    (s2c602,) = [f for f in found if f.code == "S2C602"]
    said = "/etc/supervisor/supervisord.conf itself is not copied here" in s2c602.message
    assert said is packaged


@pytest.mark.parametrize(
    ("install", "main"),
    [
        ("apt-get install -y supervisor", "/etc/supervisor/supervisord.conf"),
        # Alpine's and EPEL's packages install /etc/supervisord.conf (with supervisor.d/*.ini)
        ("apk add --no-cache supervisor", "/etc/supervisord.conf"),
        ("dnf install -y supervisor", "/etc/supervisord.conf"),
    ],
)
def test_the_main_config_of_the_installing_package(tmp_path: Path, install: str, main: str) -> None:
    found = dockerfile(
        tmp_path,
        f"""\
        FROM alpine
        RUN {install}
        COPY app.ini /etc/supervisor.d/app.ini
        CMD ["supervisord", "-n"]
        """,
        CONF,
    )
    (s2c602,) = [f for f in found if f.code == "S2C602"]
    assert f"`RUN sup2circus --strict {main} -o /etc/circus.ini`" in s2c602.message
    assert f"{main} itself is not copied here but installed by the supervisor package" in (
        s2c602.message
    )


def test_copying_the_config_names_the_conversion_step_and_the_watchers(tmp_path: Path) -> None:
    found = dockerfile(
        tmp_path,
        """\
        FROM debian
        COPY supervisord.conf /etc/supervisor/supervisord.conf
        ADD conf.d/ /etc/supervisor/conf.d/
        COPY --from=build /out/supervisord.conf /etc/x/
        CMD ["supervisord", "-n"]
        """,
        CONF,
    )
    assert rows(found) == [(2, "S2C602"), (3, "S2C602"), (4, "S2C606"), (5, "S2C603")]
    first, second = found[0].message, found[1].message
    step = "`RUN sup2circus --strict /etc/supervisor/supervisord.conf -o /etc/circus.ini`"
    assert step in first and step in second
    assert "convert after the last config copy (line 3)" in first
    # start order: the group, then the programs by name (priority 999 everywhere)
    assert first.endswith(
        "; supervisord.conf converts to the watchers bg:job, web, worker:worker_00, "
        "worker:worker_01"
    )
    assert "watchers" not in second  # listed for the file they come from only
    assert "sup2circus --strict" not in found[3].message  # named once, on the copies


def test_a_dockerfile_that_converts_already_needs_no_step(tmp_path: Path) -> None:
    found = dockerfile(
        tmp_path,
        """\
        FROM python:3.12-slim
        COPY supervisord.conf /srv/supervisord.conf
        RUN sup2circus --strict /srv/supervisord.conf -o /srv/circus.ini
        CMD ["circusd", "/srv/circus.ini"]
        """,
        CONF,
    )
    assert found == []


def test_healthcheck_status_maps_names_of_the_copied_config(tmp_path: Path) -> None:
    found = dockerfile(
        tmp_path,
        """\
        FROM debian
        COPY supervisord.conf /etc/supervisord.conf
        HEALTHCHECK --interval=5s CMD supervisorctl status web bg:job worker:*
        HEALTHCHECK CMD ["supervisorctl", "status", "bg:*"]
        HEALTHCHECK CMD supervisorctl status
        HEALTHCHECK CMD supervisorctl status nosuch
        HEALTHCHECK CMD supervisorctl status | grep -q RUNNING
        CMD ["supervisord", "-c", "/etc/supervisord.conf"]
        """,
        CONF,
    )
    checks = [f for f in found if f.code == "S2C604"]
    assert [f.line for f in checks] == [3, 4, 5, 6, 7]
    assert replacement(checks[0]) == (
        '[ "$(circusctl status web)" = active ] && [ "$(circusctl status bg:job)" = active ] && '
        '[ "$(circusctl status worker:worker_00)" = active ] && '
        '[ "$(circusctl status worker:worker_01)" = active ]'
    )
    assert replacement(checks[1]) == '[ "$(circusctl status bg:job)" = active ]'
    assert replacement(checks[2]) == circusctl._ALL_ACTIVE
    assert "names from supervisord.conf; no watcher for nosuch in its conversion" in (
        checks[3].message
    )
    assert "rewrite the whole pipeline" in checks[4].message
    for f in checks:
        assert "exits 3 for a process that is not running" in f.message
        # the copied file is the one supervisord reads: its endpoint is known
        assert "ENV CIRCUSCTL_ENDPOINT=ipc:///tmp/circus.sock" in f.message
        assert f.severity.value == "warning" and f.section == "HEALTHCHECK"


def test_without_the_config_the_name_rule_is_said(tmp_path: Path) -> None:
    found = dockerfile(tmp_path, "FROM x\nHEALTHCHECK CMD supervisorctl status web:web\n")
    assert rows(found) == [(2, "S2C604")]
    assert replacement(found[0]) == '[ "$(circusctl status web)" = active ]'
    assert circusctl.NAME_RULE in found[0].message
    assert "set CIRCUSCTL_ENDPOINT to the one in its header" in found[0].message


def test_supervisorctl_control_commands(tmp_path: Path) -> None:
    found = dockerfile(
        tmp_path,
        """\
        FROM debian
        COPY supervisord.conf /etc/supervisor/supervisord.conf
        RUN supervisorctl -c /etc/supervisor/supervisord.conf restart worker:* \\
            && supervisorctl stop all && supervisorctl start web
        RUN supervisorctl reread && supervisorctl update
        RUN supervisorctl shutdown
        RUN supervisorctl tail -f bg:job stdout
        RUN supervisorctl pid web
        """,
        CONF,
    )
    lines = [3, 4, 4, 5, 5, 6, 7, 8]
    assert rows(found)[1:] == [(n, "S2C604") for n in lines]
    restart, stop, start, reread, update, shutdown, tail, pid = found[1:]
    assert replacement(restart) == (
        "circusctl restart worker:worker_00 && circusctl restart worker:worker_01"
    )
    assert replacement(stop) == "circusctl stop"
    assert replacement(start) == "circusctl start web"
    conversion = (
        "sup2circus --strict /etc/supervisor/supervisord.conf -o /etc/circus.ini && "
        "circusctl reloadconfig"
    )
    assert replacement(reread) == replacement(update) == conversion
    assert "reread alone applies nothing" in reread.message
    assert replacement(shutdown) == "circusctl quit"
    assert "goes to /var/log/job.log (tail -f /var/log/job.log)" in tail.message
    assert "knows no circusctl equivalent of pid" in pid.message


def test_a_name_with_glob_characters_is_matched_as_a_name(tmp_path: Path) -> None:
    # circusctl matches a name as a glob: `circusctl stop 'a[1]'` stopped a1 and left a[1];
    # supervisorctl matches supervisor names exactly
    found = dockerfile(
        tmp_path,
        """\
        FROM debian
        RUN supervisorctl stop 'a[1]' && supervisorctl restart 'a*' && supervisorctl start g:*
        """,
        "",
    )
    stop, restart, start = [f for f in found if f.code == "S2C604"]
    assert replacement(stop) == "circusctl stop --match=simple 'a[1]'"
    assert replacement(restart) == "circusctl restart --match=simple 'a*'"
    assert replacement(start) == "circusctl start 'g:*'"  # a group's members: a glob


def test_unparsed_lines_are_reported_not_guessed(tmp_path: Path) -> None:
    found = dockerfile(
        tmp_path,
        """\
        FROM debian
        RUN <<EOF
        supervisorctl status
        EOF
        RUN x=$(supervisorctl status web)
        RUN echo "unclosed supervisorctl
        SUPERVISORCTL status
        RUN echo "unclosed, but nothing about the process manager
        """,
    )
    assert rows(found) == [(2, "S2C605"), (5, "S2C605"), (6, "S2C605"), (7, "S2C605")]
    assert "a here-document in RUN" in found[0].message
    assert "command substitution" in found[1].message
    assert "No closing quotation" in found[2].message
    assert "unknown instruction SUPERVISORCTL" in found[3].message
    assert all(f.severity.value == "warning" for f in found)


def test_other_mentions_are_infos(tmp_path: Path) -> None:
    found = dockerfile(
        tmp_path,
        "FROM debian\nRUN mkdir -p /var/log/supervisor\nVOLUME /var/log/supervisor\n",
    )
    assert rows(found) == [(2, "S2C606"), (3, "S2C606")]
    assert "`mkdir -p /var/log/supervisor`" in found[0].message


def test_the_demo_before_image(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    path = "docker/Dockerfile.supervisor"
    found = list(container.check_file(path, ConvertOptions()).findings)
    assert rows(found) == [(13, "S2C601"), (22, "S2C602"), (28, "S2C604"), (30, "S2C603")]
    watchers = ", ".join(
        w.name
        for w in convert_file("docker/supervisord.conf", render=False).circus.watchers  # type: ignore[attr-defined]
    )
    assert f"docker/supervisord.conf converts to the watchers {watchers}" in found[1].message
    assert list(container.check_file("docker/Dockerfile", ConvertOptions()).findings) == []


# ---------------------------------------------------------------------------- scripts


def test_script_idioms(tmp_path: Path) -> None:
    found = script(
        tmp_path,
        """\
        #!/bin/sh
        set -e
        if ! supervisorctl -c /etc/supervisord.conf status web >/dev/null 2>&1; then
          echo "web is down"
        fi
        supervisorctl start web \\
            worker:worker_01
        cat > /etc/supervisor/conf.d/x.conf <<-CONF
        \t[program:x]
        \tcommand=/usr/bin/x
        \tCONF
        echo done
        exec /usr/bin/supervisord -n
        """,
    )
    assert rows(found) == [(3, "S2C604"), (6, "S2C604"), (8, "S2C606"), (13, "S2C603")]
    assert replacement(found[0]) == '[ "$(circusctl status web)" = active ]'
    assert replacement(found[1]) == "circusctl start web && circusctl start worker:worker_01"
    assert found[3].message.endswith("`exec circusd /etc/circus.ini`")
    assert all(f.section is None for f in found)


def test_script_here_document_bodies_are_not_commands(tmp_path: Path) -> None:
    found = script(tmp_path, "#!/bin/sh\ncat <<EOF\nsupervisorctl status\nEOF\n")
    assert rows(found) == [(3, "S2C606")]


# ---------------------------------------------------------------------------- the command


def sup2circus(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "SUP2CIRCUS_DEBUG")}
    exe = shutil.which("sup2circus") or str(BIN / "sup2circus")
    return subprocess.run(
        [exe, "--isolated", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=60
    )


def test_cli_check_reports_a_dockerfile_and_a_config_together(tmp_path: Path) -> None:
    (tmp_path / "supervisord.conf").write_text(CONF)
    (tmp_path / "Dockerfile").write_text("FROM x\nCMD supervisord\n")
    r = sup2circus("--check", "Dockerfile", "supervisord.conf", cwd=tmp_path)
    assert r.returncode == 1 and r.stderr == ""
    lines = r.stdout.splitlines()
    assert lines[0] == (
        "Dockerfile:2:1: S2C603 warning CMD runs supervisord: run circusd on the converted "
        "config instead, in exec form so that circusd is PID 1 and gets docker stop's SIGTERM: "
        '`CMD ["circusd", "/etc/circus.ini"]`; convert while building, before it: '
        "`RUN sup2circus --strict /etc/supervisor/supervisord.conf -o /etc/circus.ini`"
    )
    assert any(line.startswith("supervisord.conf:") for line in lines)  # still reported
    assert lines[-1].startswith("Found ") and "in 2 files" in lines[-1]
    r = sup2circus("--check", "--exit-zero", "Dockerfile", cwd=tmp_path)
    assert r.returncode == 0
    r = sup2circus("--check", "--ignore", "S2C603", "Dockerfile", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == "All checks passed: 1 file, no findings.\n"


def test_cli_output_formats(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\nHEALTHCHECK CMD supervisorctl status\n")
    r = sup2circus("--check", "--output-format", "json", "Dockerfile", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    items = data if isinstance(data, list) else data["findings"]
    assert [(f["code"], f["file"], f["line"], f["section"]) for f in items] == [
        ("S2C604", "Dockerfile", 2, "HEALTHCHECK")
    ]
    r = sup2circus("--check", "--output-format", "github", "Dockerfile", cwd=tmp_path)
    assert r.stdout.startswith("::warning file=Dockerfile,line=2")
    r = sup2circus("--check", "--output-format", "sarif", "Dockerfile", cwd=tmp_path)
    assert json.loads(r.stdout)["runs"][0]["results"][0]["ruleId"] == "S2C604"


def test_cli_converting_a_dockerfile_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\nCMD supervisord\n")
    (tmp_path / "start.sh").write_text("exec supervisord\n")
    for name in ("Dockerfile", "start.sh"):
        r = sup2circus(name, cwd=tmp_path)
        assert r.returncode == 2 and r.stdout == ""
        assert r.stderr.endswith(
            f"sup2circus: error: {name}: use --check for Dockerfiles and shell scripts\n"
        )
        assert "Traceback" not in r.stderr


def test_cli_unreadable_dockerfile(tmp_path: Path) -> None:
    r = sup2circus("--check", "Dockerfile", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stdout.startswith("Dockerfile:1:1: S2C900 error cannot read: No such file")
    (tmp_path / "Dockerfile").write_bytes(b"FROM x\nCMD \xff\n")
    r = sup2circus("--check", "Dockerfile", cwd=tmp_path)
    assert r.returncode == 2
    # byte 11 is on line 2 (the report said line 1 for any byte)
    assert r.stdout.startswith("Dockerfile:2:1: S2C900 error not UTF-8 text (byte 11)")


# ---------------------------------------------------------------------------- docs/migrating.md


def _console_blocks(text: str) -> list[tuple[str, str]]:
    """(command, output) of each ```console block: one `$ ` line, then its output."""
    out = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        first, _, rest = block.partition("\n")
        assert first.startswith("$ "), block
        out.append((first[2:], rest))
    return out


def test_migrating_doc_shows_what_the_commands_print() -> None:
    blocks = _console_blocks((ROOT / "docs" / "migrating.md").read_text())
    commands = [command for command, _ in blocks]
    assert "sup2circus --check docker/Dockerfile.supervisor; " in commands[0]
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "SUP2CIRCUS_DEBUG")}
    env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
    for command, shown in blocks:
        assert command.startswith("sup2circus "), command  # only our own commands are run
        r = subprocess.run(
            ["sh", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert r.stdout == shown, f"{command}\n{r.stderr}"


# ---------------------------------------------------------------------------- real daemons


SUPERVISORD_CONF = """\
[supervisord]
nodaemon=true
logfile={d}/supervisord.log
pidfile={d}/supervisord.pid

[unix_http_server]
file={d}/s.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{d}/s.sock

[program:web]
command=sleep 300

[program:idle]
command=sleep 300
autostart=false

[group:bg]
programs=job

[program:job]
command=sleep 300
"""

HEALTHCHECKS = """\
FROM x
COPY supervisord.conf /etc/supervisord.conf
HEALTHCHECK CMD supervisorctl status web bg:job
HEALTHCHECK CMD supervisorctl status idle
HEALTHCHECK CMD supervisorctl status
HEALTHCHECK CMD supervisorctl status bg:*
"""


@pytest.mark.daemons
def test_status_exit_codes_under_both_daemons() -> None:
    """What supervisorctl and circusctl status really return, and that each replacement the
    checker proposes succeeds exactly when the supervisorctl command it replaces does."""
    supervisorctl, circusctl = require("supervisorctl"), require("circusctl")
    root = short_tmpdir("s2cc")
    try:
        conf = root / "supervisord.conf"
        conf.write_text(SUPERVISORD_CONF.format(d=root))
        (root / "Dockerfile").write_text(HEALTHCHECKS)
        found = container.check_file(str(root / "Dockerfile"), ConvertOptions()).findings
        checks = {f.line: replacement(f) for f in found if f.code == "S2C604"}
        originals = {3: "status web bg:job", 4: "status idle", 5: "status", 6: "status bg:*"}
        assert sorted(checks) == sorted(originals)
        env = base_env(root)

        def ctl(*args: str) -> subprocess.CompletedProcess[str]:
            argv = [supervisorctl, "-c", str(conf), *args]
            return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)

        sup = Daemon(supervisord_argv(conf), root, env, root / "s.out", root / "s.err")
        with running(sup):
            wait_for(lambda: "RUNNING" in ctl("status", "bg:job").stdout, 20, "supervisord")
            wait_for(lambda: "RUNNING" in ctl("status", "web").stdout, 20, "supervisord")
            assert ctl("status", "web").returncode == 0
            assert ctl("status", "idle").returncode == 3
            assert ctl("status").returncode == 3
            assert ctl("status", "nosuch").returncode == 4
            assert ctl("start", "nosuch").returncode == 1
            expected = {
                line: ctl(*args.split()).returncode == 0 for line, args in originals.items()
            }
            assert ctl("shutdown").returncode == 0
            assert sup.wait(20) is not None
        assert ctl("status").returncode == 4  # nobody listening

        conversion = convert_file(str(conf))
        sockdir = root / "c"
        sockdir.mkdir()
        ini = root / "circus.ini"
        ini.write_text(rewrite_circus_endpoints(conversion.text, sockdir))
        cenv = {**env, "CIRCUSCTL_ENDPOINT": f"ipc://{sockdir}/c.sock"}

        def cctl(*args: str) -> subprocess.CompletedProcess[str]:
            argv = [circusctl, "--timeout", "2", *args]
            return subprocess.run(argv, env=cenv, capture_output=True, text=True, timeout=30)

        def sh(command: str) -> int:
            r = subprocess.run(["sh", "-c", command], env=cenv, capture_output=True, timeout=30)
            return r.returncode

        circus = Daemon(circusd_argv(ini), root, env, root / "c.out", root / "c.err")
        with running(circus):
            wait_for(lambda: cctl("status", "bg:job").stdout == "active\n", 20, "circusd")
            assert (cctl("status", "web").returncode, cctl("status", "web").stdout) == (
                0,
                "active\n",
            )
            idle = cctl("status", "idle")
            assert (idle.returncode, idle.stdout) == (0, "stopped\n")  # supervisorctl: 3
            assert cctl("status").returncode == 0  # one stopped; supervisorctl: 3
            assert cctl("status", "nosuch").returncode == 3  # supervisorctl: 4
            assert cctl("start", "nosuch").returncode == 3  # supervisorctl: 1
            assert {line: sh(command) == 0 for line, command in checks.items()} == expected
            assert sh(checks[4]) == 1 and sh(checks[5]) == 1
            assert cctl("start", "idle").returncode == 0
            assert sh(checks[4]) == 0 and sh(checks[5]) == 0
            assert cctl("quit").returncode == 0
            assert circus.wait(20) is not None
        assert cctl("status").returncode == 1  # nobody listening
        assert sh(checks[5]) == 1 and sh(checks[3]) == 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------------------- a review of 39
# real Dockerfiles/scripts (and synthetic ones): each case below was reported wrongly


def test_here_strings_and_shifts_open_no_here_document(tmp_path: Path) -> None:
    found = dockerfile(
        tmp_path,
        """\
        FROM debian:12
        RUN grep -q foo <<< "foo bar"
        RUN apt-get update && apt-get install -y supervisor
        CMD ["supervisord", "-n"]
        """,
    )
    assert rows(found) == [(3, "S2C601"), (4, "S2C603")]
    found = script(
        tmp_path,
        """\
        #!/bin/bash
        MASK=$((1<<4))
        read -r a b <<< "x y"
        supervisorctl status web
        exec supervisord -n
        """,
    )
    assert rows(found) == [(4, "S2C604"), (5, "S2C603")]
    assert container.heredocs("cat <<-'EOF' && cat <<\\END") == [("-", "EOF"), ("", "END")]


def test_lines_inside_a_run_with_comment_lines(tmp_path: Path) -> None:
    found = dockerfile(
        tmp_path,
        """\
        FROM debian:12
        RUN apt-get update && \\
            # we used to apt-get install supervisor here; now circus
            apt-get install -y nginx
        RUN set -eux; \\
            # apt-get install supervisor from the distro
            apt-get install -y supervisor
        RUN apt-get install -y --no-install-recommends \\
                # keep the services up
                curl \\
                # and this one
                supervisor \\
            && rm -rf /var/lib/apt/lists/*
        """,
    )
    assert rows(found) == [(7, "S2C601"), (12, "S2C601")]


def test_run_flags_are_not_the_command(tmp_path: Path) -> None:
    found = dockerfile(
        tmp_path,
        """\
        FROM debian:12
        RUN --network=host pip install supervisor
        RUN --mount=type=cache,target=/var/cache/apt apt install -y supervisor
        RUN --security=insecure --mount=type=secret,id=x supervisorctl status
        """,
    )
    assert rows(found) == [(2, "S2C601"), (3, "S2C601"), (4, "S2C604")]
    assert found[0].message.startswith("`pip install supervisor`")
    assert found[1].message.startswith("`apt install supervisor`")


def test_version_and_help_run_nothing(tmp_path: Path) -> None:
    found = dockerfile(
        tmp_path,
        """\
        FROM debian
        RUN pip install supervisor && supervisord --version
        RUN supervisord -v && supervisorctl --help
        RUN --security=insecure supervisord -h
        """,
    )
    assert rows(found) == [(2, "S2C601")]


@pytest.mark.parametrize(
    ("line", "replaced"),
    [
        (
            'ENTRYPOINT ["/usr/bin/tini", "--", "/usr/bin/supervisord", "-n"]',
            'ENTRYPOINT ["/usr/bin/tini", "--", "circusd", "/etc/circus.ini"]',
        ),
        (
            'CMD ["gosu", "root", "supervisord", "-n"]',
            'CMD ["gosu", "root", "circusd", "/etc/circus.ini"]',
        ),
        (
            "CMD dumb-init -- su-exec app supervisord",
            'CMD ["dumb-init", "--", "su-exec", "app", "circusd", "/etc/circus.ini"]',
        ),
        (
            'CMD ["python3", "-m", "supervisor.supervisord", "-n"]',
            'CMD ["circusd", "/etc/circus.ini"]',
        ),
    ],
)
def test_wrappers_run_supervisord_and_are_kept(tmp_path: Path, line: str, replaced: str) -> None:
    found = dockerfile(tmp_path, f"FROM debian\n{line}\n")
    assert rows(found) == [(2, "S2C603")]
    assert f"`{replaced}`" in found[0].message


@pytest.mark.parametrize(
    "line",
    [
        "RUN env -u FOO supervisorctl status web",
        "RUN env -i A=B supervisorctl status web",
        "HEALTHCHECK CMD python -m supervisor.supervisorctl -c /app/s.conf status web || exit 1",
        "HEALTHCHECK CMD gosu app supervisorctl status web",
    ],
)
def test_wrappers_run_supervisorctl(tmp_path: Path, line: str) -> None:
    found = dockerfile(tmp_path, f"FROM debian\n{line}\n")
    assert rows(found) == [(2, "S2C604")]
    assert replacement(found[0]) == '[ "$(circusctl status web)" = active ]'


def test_shell_comments_are_no_mentions(tmp_path: Path) -> None:
    found = script(
        tmp_path,
        """\
        #!/bin/sh
        # start supervisord in the background, then run migrations
          # supervisor again
        mkdir -p /srv  # not /var/log/supervisor
        exec supervisord -n
        """,
    )
    assert rows(found) == [(5, "S2C603")]


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        # supervisord -n in the background, then the script goes on: keep the `&`
        (
            '/usr/bin/supervisord -n -c /etc/supervisord.conf > /dev/null 2>&1 &\nexec "$@"\n',
            "`circusd /etc/circus.ini &`",
        ),
        # without -n supervisord forks into the background itself
        (
            "supervisord -c /etc/supervisor/supervisord.conf\nsupervisorctl start web\n",
            "`circusd --daemon /etc/circus.ini`",
        ),
        (
            "supervisord -n; echo stopped\n",
            "in the foreground, as supervisord -n: `circusd /etc/circus.ini`",
        ),
        # the last command, or exec'd: exec circusd
        ("supervisord -n\n# the end\n\n", "`exec circusd /etc/circus.ini`"),
        ("exec gosu app supervisord -n\necho never\n", "`exec gosu app circusd /etc/circus.ini`"),
    ],
)
def test_exec_circusd_only_where_supervisord_ends_the_script(
    tmp_path: Path, text: str, advice: str
) -> None:
    found = script(tmp_path, "#!/bin/sh\n" + text)[0]
    assert found.code == "S2C603" and advice in found.message
    if "`exec " not in advice:
        assert "not `exec circusd`, which would end the script there" in found.message


def lint(tmp_path: Path, name: str, text: str) -> list[tuple[int, str]]:
    """(line, code) of what --check reports for one file, suppression comments applied."""
    from sup2circus.lint import check

    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return [(f.line, f.code) for f in check([str(path)]).findings]


def test_suppression_comments_in_a_dockerfile(tmp_path: Path) -> None:
    found = lint(
        tmp_path,
        "Dockerfile",
        """\
        # sup2circus: ignore-file=S2C606
        FROM debian:12
        RUN mkdir -p /var/log/supervisor
        # sup2circus: ignore=S2C601
        RUN apt-get update \\
            # comment lines inside the instruction are skipped by Docker
            && apt-get install -y supervisor
        RUN apt-get install -y supervisor \\
            # sup2circus: ignore=S2C601
            nginx
        RUN apt-get install -y supervisor  # sup2circus: ignore=S2C601
        # sup2circus: ignore=S2C603

        CMD ["supervisord", "-n"]
        """,
    )
    # line 11: in a Dockerfile a # starts a comment at the start of a line only; line 12 is
    # not directly above an instruction (S2C902), so CMD's S2C603 stays
    assert found == [(11, "S2C601"), (12, "S2C902"), (14, "S2C603")]


def test_suppression_comments_in_a_script(tmp_path: Path) -> None:
    found = lint(
        tmp_path,
        "entry.sh",
        """\
        #!/bin/sh
        # sup2circus: ignore-file=S2C606
        mkdir -p /var/log/supervisor
        # sup2circus: ignore=S2C604
        supervisorctl start web \\
            worker
        supervisorctl stop web  # sup2circus: ignore=S2C604
        supervisorctl status ; sup2circus: ignore=S2C604
        exec supervisord -n  # sup2circus: ignore=S2C601
        """,
    )
    # a `;` is no comment in a script (it ends the command): no suppression on line 8, and
    # an S2C902 says so (it would run `sup2circus:` as a command)
    assert found == [(8, "S2C604"), (8, "S2C902"), (9, "S2C603"), (9, "S2C902")]


@pytest.mark.parametrize("code", ["S2C601", "S2C603", "S2C606"])
def test_the_suppression_advice_is_a_comment_of_the_files_it_is_about(code: str) -> None:
    from sup2circus.explain import explain_text

    text = explain_text(code)
    assert f"# sup2circus: ignore={code}" in text and f"; sup2circus: ignore={code}" not in text
    rules = (ROOT / "docs" / "rules.md").read_text()
    section = rules.split(f"\n## {code} ", 1)[1].split("\n## ", 1)[0]
    assert f"`# sup2circus: ignore={code}`" in section and "`; sup2circus" not in section
