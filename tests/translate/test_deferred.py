"""What circusd's environment must define: circus.ini's header and S2C008."""

from __future__ import annotations

import pytest

from sup2circus import ConvertOptions, convert_text
from sup2circus.findings import Severity


def _header(text: str, environ: dict[str, str] | None = None, resolve: bool = False) -> list[str]:
    opts = ConvertOptions(environ=environ or {}, resolve_env=resolve)
    conv = convert_text(text, options=opts)
    return [line for line in conv.text.splitlines() if line.startswith("# circusd's environment")]


def test_the_header_asks_only_for_the_variables_the_watchers_read() -> None:
    # BBB is used only by a listener and CCC only by a command that cannot be split: neither
    # is converted, so circusd never reads them; asking for them would send the user after
    # variables nothing uses
    text = (
        "[supervisord]\n"
        "[program:a]\ncommand = /bin/echo %(ENV_AAA)s\n"
        "stdout_logfile = /tmp/%(ENV_DDD)s.log\n"
        "[eventlistener:l]\ncommand = /bin/cat %(ENV_BBB)s\nevents = PROCESS_STATE\n"
        '[program:c]\ncommand = /bin/echo "%(ENV_CCC)s\n'
        '[program:e]\ncommand = /bin/env\nenvironment = X="%(ENV_EEE)s"\n'
    )
    assert _header(text) == ["# circusd's environment must define: AAA, DDD, EEE"]


def test_a_wrapper_does_not_ask_for_pwd() -> None:
    # an sh wrapper hands the program circusd's PWD, when it has one: not a variable to define
    text = (
        "[program:a]\ncommand = /bin/echo %(ENV_AAA)s\nredirect_stderr = true\numask = 077\n"
        "[eventlistener:l]\ncommand = /bin/cat %(ENV_PWD)s\nevents = PROCESS_STATE\n"
    )
    assert _header(text) == ["# circusd's environment must define: AAA"]


def test_no_deferred_variable_no_line() -> None:
    text = "[program:a]\ncommand = /bin/echo %(ENV_AAA)s\n"
    assert _header(text, environ={"AAA": "1"}) == ["# circusd's environment must define: AAA"]
    assert _header(text, environ={"AAA": "1"}, resolve=True) == []


def _s2c008(text: str) -> list[tuple[str | None, str | None, int, str]]:
    conv = convert_text(text, options=ConvertOptions(environ={}))
    return [(f.section, f.option, f.line, f.message) for f in conv.findings if f.code == "S2C008"]


def test_an_undefined_variable_is_one_info_at_its_first_use() -> None:
    # circusd's environment must have it: one fact, at the first use (in supervisor's reading
    # order: directory before command), however many values use it
    text = (
        "[program:a]\ncommand = /bin/a %(ENV_NOPE)s\ndirectory = /srv/%(ENV_NOPE)s\n"
        "[program:b]\ncommand = /bin/b %(ENV_NOPE)s %(ENV_OTHER)s\n"
    )
    found = _s2c008(text)
    assert [(s, o, line) for s, o, line, _ in found] == [
        ("program:a", "directory", 3),
        ("program:b", "command", 5),
    ]
    assert "%(ENV_NOPE)s is not defined in this environment" in found[0][3]
    assert "%(ENV_OTHER)s is not defined in this environment" in found[1][3]
    conv = convert_text(text, options=ConvertOptions(environ={}))
    assert {f.severity for f in conv.findings if f.code == "S2C008"} == {Severity.INFO}


def test_an_undefined_variable_circus_ini_does_not_read_is_no_finding() -> None:
    # BBB is used only by a listener, which is not converted: circusd needs nothing
    text = (
        "[program:a]\ncommand = /bin/echo %(ENV_AAA)s\n"
        "[eventlistener:l]\ncommand = /bin/cat %(ENV_BBB)s\nevents = PROCESS_STATE\n"
    )
    assert [(s, o) for s, o, _, _ in _s2c008(text)] == [("program:a", "command")]


def test_an_undefined_variable_is_reported_where_circus_ini_uses_it() -> None:
    # its first use is in a watcher that is not converted (a user circus cannot read back,
    # S2C501): the finding goes to the first use that circus.ini keeps
    text = (
        "[program:a]\ncommand = /bin/echo %(ENV_AAA)s\nuser = $(circus.wid)\n"
        "[program:b]\ncommand = /bin/echo\ndirectory = /srv/%(ENV_AAA)s\n"
    )
    assert [(s, o, line) for s, o, line, _ in _s2c008(text)] == [("program:b", "directory", 6)]


def test_the_daemon_log_and_childlogdir_keep_their_environment_references() -> None:
    # circus substitutes $(circus.env.X) in [circus] logoutput and in a watcher's stream file
    # names as it does in cmd: a %(ENV_X)s there is circusd's business, not this machine's
    text = (
        "[supervisord]\nnodaemon=true\nlogfile=%(ENV_HOME)s/supervisord.log\n"
        "childlogdir=%(ENV_HOME)s/logs\n[program:web]\ncommand=/usr/bin/web\n"
    )
    conv = convert_text(text, options=ConvertOptions(environ={"HOME": "/home/build machine"}))
    assert "logoutput = $(circus.env.HOME)/supervisord.log\n" in conv.text
    assert "stdout_stream.filename = $(circus.env.HOME)/logs/web-stdout---supervisor.log\n" in (
        conv.text
    )
    assert "build machine" not in conv.text
    assert [f.code for f in conv.findings if f.code in ("S2C007", "S2C014")] == []
    messages = " ".join(f.message for f in conv.findings)
    assert "%(ENV_HOME)s/supervisord.log" in messages and "%(ENV_HOME)s/logs/web-" in messages
    assert "S2CENV" not in messages
    assert conv.circus.deferred_env == ("HOME",)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("user", "password", "environ"),
    [
        ("APP_USER", "APP_PASSWD", {}),
        # names circus cannot refer to (S2C018 elsewhere): no finding either
        ("api-user", "api-token", {"api-user": "u"}),
    ],
)
def test_server_credentials_need_no_variable_from_this_machine(
    user: str, password: str, environ: dict[str, str]
) -> None:
    # circus has no authentication (S2C303): the username and password are never written, so
    # an %(ENV_X)s in them, defined where the config runs, is nobody's business here
    text = (
        "[supervisord]\nnodaemon=true\n[inet_http_server]\nport=*:9001\n"
        f"username=%(ENV_{user})s\npassword=%(ENV_{password})s\n"
        "[program:web]\ncommand=/usr/bin/web\n"
    )
    conv = convert_text(text, options=ConvertOptions(environ=environ))
    codes = [f.code for f in conv.findings if f.section == "inet_http_server"]
    assert codes == ["S2C302", "S2C303"]
    assert user[:4] not in conv.text  # "APP_": no trace of either variable
    assert not {f.code for f in conv.findings} & {"S2C018", "S2C007", "S2C014"}


def test_an_auto_log_under_a_deferred_childlogdir_is_not_redirected_by_the_program_env() -> None:
    # circus expands $(circus.env.X) in a watcher's options with the watcher's [env] first:
    # where the program's environment= sets X, circus would write the AUTO log under the
    # program's X, supervisord under its own. Such a log is left on circusd's stream (S2C501)
    text = (
        "[supervisord]\nnodaemon=true\nchildlogdir=%(ENV_LOGROOT)s/logs\n"
        '[program:own]\ncommand=/usr/bin/own\nenvironment=LOGROOT="/custom"\n'
        "[program:web]\ncommand=/usr/bin/web\n"
    )
    conv = convert_text(text, options=ConvertOptions(environ={}))
    own = next(w for w in conv.circus.watchers if w.name == "own")  # type: ignore[attr-defined]
    web = next(w for w in conv.circus.watchers if w.name == "web")  # type: ignore[attr-defined]
    assert not any("LOGROOT" in v for k, v in own.options if k.endswith("_stream.filename"))
    assert ("stdout_stream.filename", "$(circus.env.LOGROOT)/logs/web-stdout---supervisor.log") in (
        web.options
    )
    found = [f for f in conv.findings if f.code == "S2C501" and f.section == "program:own"]
    assert [f.option for f in found] == ["stderr_logfile", "stdout_logfile"]
    assert all("and its environment= sets LOGROOT for circus" in f.message for f in found)
