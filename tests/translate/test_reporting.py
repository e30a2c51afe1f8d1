"""Translate's findings: one per fact, in source order, with the right severity."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from sup2circus import ConvertOptions, convert_file, convert_text
from sup2circus.api import Conversion
from sup2circus.findings import Finding, Severity

BASE = "[supervisord]\nnodaemon=true\n\n[program:web]\ncommand=/usr/bin/web\nautorestart=true\n"


def _conv(text: str, environ: dict[str, str] | None = None, **kw: object) -> Conversion:
    return convert_text(text, options=ConvertOptions(environ=environ or {}, **kw))  # type: ignore[arg-type]


def test_findings_at_one_place_come_in_source_order() -> None:
    # [supervisord] environment= makes an [env:...] section (S2C123) for every watcher: one
    # finding at that line names them in the order the programs appear in the file, not in
    # start order (priority 1 starts first here)
    text = (
        "[supervisord]\nenvironment = A=1\n\n"
        "[program:zeta]\ncommand = /bin/z\npriority = 3\n\n"
        "[program:alpha]\ncommand = /bin/a\npriority = 1\n\n"
        "[program:mid]\ncommand = /bin/m\npriority = 2\n"
    )
    conv = convert_text(text, options=ConvertOptions(environ={}))
    s2c123 = [f for f in conv.findings if f.code == "S2C123"]
    # one fact, reported once, naming every watcher it concerns
    assert [f.line for f in s2c123] == [2]
    assert "of watchers zeta, alpha, mid (" in s2c123[0].message
    starts = [w.name for w in conv.circus.watchers]  # type: ignore[attr-defined]
    assert starts == ["alpha", "mid", "zeta"]


@pytest.mark.parametrize("where", ["program", "supervisord"])
def test_no_s2c123_when_the_environment_sets_name_itself(where: str) -> None:
    """environment=__name__=x is set by the `env` wrapper, over circus's __name__=env:NAME:
    the program sees supervisord's value (verified with both daemons), so S2C123 would claim
    a difference that never shows. Without wrappers the variable is lost (S2C501) and
    circus's __name__ is what the program gets: S2C123 stays."""
    env = "environment = __name__=x,A=1\n"
    daemon = "[supervisord]\n" + (env if where == "supervisord" else "")
    program = "[program:web]\ncommand = /bin/web\n" + (env if where == "program" else "")
    text = f"{daemon}\n{program}"
    conv = _conv(text)
    assert "__name__=x" in conv.text
    assert "S2C123" not in {f.code for f in conv.findings}
    bare = _conv(text, no_wrappers=True)
    assert {"S2C123", "S2C501"} <= {f.code for f in bare.findings}


def _key(f: Finding) -> tuple[object, ...]:
    return (f.file, f.line, f.column, f.code, f.section, f.option)


def test_each_fact_is_reported_once() -> None:
    """numprocs' processes, a [supervisord] setting every watcher inherits, build and translate
    checking the same thing: one finding per (place, code, section, option)."""
    text = (
        "[supervisord]\nnodaemon = true\nuser = nobody-here-q7\nenvironment = A=1\n\n"
        "[program:web]\ncommand = /bin/web\nnumprocs = 4\n"
        "process_name = %(program_name)s_%(process_num)d\nredirect_stderr = true\n"
        "stdout_logfile = /nonexistent-q7/%(process_num)d/web.log\n\n"
        "[program:api]\ncommand = /bin/api\nuser = missing-user-q7\n"
        "stdout_logfile = /nonexistent-q7/api.log\n"
    )
    conv = _conv(text)
    keys = [_key(f) for f in conv.findings]
    assert len(keys) == len(set(keys)), sorted(keys, key=str)
    codes = Counter(f.code for f in conv.findings)
    assert codes["S2C105"] == 1  # numprocs = 4, one fact
    assert codes["S2C011"] == 2  # [supervisord] user, [program:api] user
    assert codes["S2C012"] == 2  # web's (four directories, one option) and api's
    (web_dirs,) = [f for f in conv.findings if f.code == "S2C012" and f.section == "program:web"]
    assert all(f"/nonexistent-q7/{n}" in web_dirs.message for n in range(4))
    (env_name,) = [f for f in conv.findings if f.code == "S2C123"]
    assert "watchers web:web_0, web:web_1, web:web_2, web:web_3, api (" in env_name.message


def test_facts_of_this_machine_are_info() -> None:
    """A log directory, a user or an rpcinterface module missing *here* may exist where the
    config runs: info, so that a lint on a CI runner does not fail on them."""
    text = (
        "[supervisord]\nnodaemon = true\n\n"
        "[rpcinterface:twiddler]\n"
        "supervisor.rpcinterface_factory = no_such_module_q7.rpc:make\n\n"
        "[rpcinterface:std]\n"
        "supervisor.rpcinterface_factory = json.decoder:JSONDecoder\n\n"
        "[program:web]\ncommand = /bin/web\nuser = missing-user-q7\n"
        "stdout_logfile = /nonexistent-q7/web.log\n"
    )
    conv = _conv(text)
    by_code = {f.code: f for f in conv.findings}
    assert by_code["S2C012"].severity is Severity.INFO
    assert by_code["S2C011"].severity is Severity.INFO
    missing = [f for f in conv.findings if f.code == "S2C307"]
    assert [(f.severity, f.section) for f in missing] == [(Severity.INFO, "rpcinterface:twiddler")]
    assert "no_such_module_q7" in missing[0].message
    assert "no_such_module_q7" not in sys.modules
    assert conv.worst() is Severity.WARNING  # S2C101 and the like only: nothing of this machine


def test_no_programs_is_a_warning() -> None:
    conv = _conv("[supervisord]\nnodaemon = true\n\n[unix_http_server]\nfile = /tmp/q7.sock\n")
    (f,) = [f for f in conv.findings if f.code == "S2C017"]
    assert f.severity is Severity.WARNING
    assert f.message == (
        "no programs: circusd would run nothing (the config and the files it includes have no "
        "[program:x], [fcgi-program:x] or [eventlistener:x] section)"
    )
    one = _conv("[supervisord]\nnodaemon = true\n\n[program:p]\ncommand = /bin/p\n")
    assert not [f for f in one.findings if f.code == "S2C017"]
    # programs that are there but not converted each have their error: "did an [include]
    # miss?" would send the reader looking for files (it did on real config 098)
    dropped = _conv("[supervisord]\n[program:p]\ncommand = /bin/p\nnumprocs=%(ENV_S2C_NOPE)s\n")
    assert [f.code for f in dropped.findings if f.severity is Severity.ERROR] == ["S2C014"]
    assert not [f for f in dropped.findings if f.code == "S2C017"]


@pytest.mark.parametrize(
    "include",
    [
        "/nonexistent-q7/*.conf",  # S2C001: the pattern matches nothing here
        "{here}/unreadable.conf",  # S2C002: the file matched cannot be read
    ],
)
def test_no_programs_because_an_include_missed_is_one_finding(include: str, tmp_path: Path) -> None:
    # the [include] finding says nothing from it is converted; "no programs" would say the
    # same fact again (18 of the 110 real configs had both)
    (tmp_path / "unreadable.conf").mkdir()  # opening it fails: supervisord skips it
    main = tmp_path / "supervisord.conf"
    main.write_text(f"[supervisord]\n[include]\nfiles = {include.format(here=tmp_path)}\n")
    conv = convert_file(main)
    assert [f.code for f in conv.findings if f.severity is Severity.WARNING] in (
        ["S2C001"],
        ["S2C002"],
    )


def test_config_wide_facts_stand_on_the_first_program_of_the_file() -> None:
    # stdin (S2C106), the inherited environment (S2C116) and SUPERVISOR_* (S2C107) concern
    # every program: they stand on the first [program:x] of the file, where a reader (and a
    # suppression comment) expects them, not on the one that happens to start first
    text = (
        "[supervisord]\n\n"
        "[program:nginx]\ncommand = /usr/sbin/nginx\nautorestart = true\n\n"
        "[program:gunicorn]\ncommand = /usr/bin/gunicorn\nautorestart = true\n"
    )
    conv = _conv(text)
    assert [w.name for w in conv.circus.watchers] == ["gunicorn", "nginx"]  # type: ignore[attr-defined]
    wide = {f.code: (f.line, f.section) for f in conv.findings if f.code in WIDE}
    assert wide == dict.fromkeys(WIDE, (3, "program:nginx"))


WIDE = ("S2C106", "S2C107", "S2C116")


def test_a_watcher_not_converted_gets_no_findings_of_the_later_topics() -> None:
    # directory= (empty) drops the watcher in the command topic: lifecycle's S2C101/S2C102 and
    # the AUTO log files' S2C110 would be about a watcher that does not exist, and the
    # config-wide facts stand on the first program that is converted
    text = (
        "[supervisord]\n\n"
        "[program:nowhere]\ncommand = /usr/bin/worker\ndirectory =\n\n"
        "[program:web]\ncommand = /usr/bin/web\n"
    )
    conv = _conv(text)
    assert [w.name for w in conv.circus.watchers] == ["web"]  # type: ignore[attr-defined]
    nowhere = sorted(f.code for f in conv.findings if f.section == "program:nowhere")
    assert nowhere == ["S2C136"]  # no S2C110 "written as ...": its log files are never written
    wide = {f.code: f.section for f in conv.findings if f.code in WIDE}
    assert wide == dict.fromkeys(WIDE, "program:web")


@pytest.mark.parametrize(
    ("extra", "server_url"),
    [
        ("", False),  # no control server, no serverurl: supervisord sets no SUPERVISOR_SERVER_URL
        ("[unix_http_server]\nfile=/tmp/q7.sock\n", True),
        ("[inet_http_server]\nport=127.0.0.1:9001\n", True),
        # b's own serverurl: its own S2C107; a gets none
        ("[program:b]\ncommand=/bin/b\nserverurl=http://h:1\n", False),
    ],
)
def test_the_supervisor_variables_named_are_those_supervisord_sets(
    extra: str, server_url: bool
) -> None:
    conv = _conv(f"[supervisord]\nnodaemon=true\n[program:a]\ncommand=/bin/a\n{extra}")
    (message,) = [
        f.message for f in conv.findings if (f.code, f.section) == ("S2C107", "program:a")
    ]
    assert ("SUPERVISOR_SERVER_URL" in message) is server_url
    assert "SUPERVISOR_ENABLED, SUPERVISOR_PROCESS_NAME, SUPERVISOR_GROUP_NAME" in message
