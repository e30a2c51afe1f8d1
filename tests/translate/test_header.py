"""circus.ini's header: what circusd needs to run the converted config."""

from __future__ import annotations

from sup2circus import ConvertOptions, convert_text


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
