"""The command and its wrappers: cmd, comments, deferred references."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sup2circus import ConvertOptions, Sup2CircusError, convert_text
from sup2circus.api import Conversion
from sup2circus.model import ENV_MARK_END, ENV_MARK_START

BASE = "[supervisord]\nnodaemon=true\n\n[program:web]\ncommand=/usr/bin/web\nautorestart=true\n"


def test_runs_comment_shows_the_argv_with_shell_quoting() -> None:
    # the comment above a wrapped watcher must show where one argument ends (issue 14)
    conf = (
        "[program:nginx]\ncommand=nginx -g 'daemon off;' --x \"a b\" %(ENV_HOME)s\n"
        "redirect_stderr=true\nstdout_logfile=/dev/stdout\n"
    )
    ini = convert_text(conf).text
    runs = [line for line in ini.splitlines() if line.startswith("# runs: ")]
    assert runs == ["# runs: nginx -g 'daemon off;' --x 'a b' '$(circus.env.HOME)'"]
    assert shlex.split(runs[0][len("# runs: ") :]) == [
        "nginx",
        "-g",
        "daemon off;",
        "--x",
        "a b",
        "$(circus.env.HOME)",
    ]


def test_demo_wrapped_commands_fit_in_160_characters() -> None:
    # the sh -c wrapper (stderr into stdout, circusd's PWD restored) stays readable (issue 14)
    conf = Path(__file__).resolve().parent.parent.parent / "docker" / "supervisord.conf"
    ini = convert_text(conf.read_text()).text
    cmds = [line[len("cmd = ") :] for line in ini.splitlines() if line.startswith("cmd = ")]
    assert len(cmds) == 2 and all("/bin/sh -c" in c for c in cmds)
    assert max(map(len, cmds)) <= 160, cmds


# ---------------------------------------------------------------------------- issue 11
def _conv(text: str, environ: dict[str, str] | None = None, **kw: object) -> Conversion:
    return convert_text(text, options=ConvertOptions(environ=environ or {}, **kw))  # type: ignore[arg-type]


def test_deferred_command_is_not_relative_and_never_shows_the_marker() -> None:
    text = (
        "[supervisord]\nnodaemon = true\n\n[program:x]\n"
        "command = %(ENV_HOME)s/bin/x\ndirectory = /srv\n"
    )
    conv = _conv(text, {"HOME": "/home/app"})
    assert not [f for f in conv.findings if f.code == "S2C117"], conv.findings
    assert "cmd = $(circus.env.HOME)/bin/x" in conv.text
    # a command that is relative still is, and its message shows what the user wrote
    rel = _conv(text.replace("%(ENV_HOME)s/bin/x", "bin/%(ENV_TOOL)s"), {"TOOL": "t"})
    (s2c117,) = [f for f in rel.findings if f.code == "S2C117"]
    assert "bin/%(ENV_TOOL)s" in s2c117.message
    assert ENV_MARK_START not in s2c117.message


_ENV_OPTIONS = (
    "command",
    "directory",
    "stdout_logfile",
    "stderr_logfile",
    "environment",
    "user",
    "priority",
    "numprocs",
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    uses=st.lists(
        st.tuples(
            st.sampled_from(_ENV_OPTIONS),
            st.sampled_from(["HOME", "APP", "UNDEFINED_X", "LOGS"]),
            st.sampled_from(["", "/", "/x", "x/", "x"]),
            st.sampled_from(["", "/bin/x", "x", "/"]),
        ),
        min_size=1,
        max_size=6,
    ),
    resolve=st.booleans(),
    no_wrappers=st.booleans(),
)
@example(  # issue 11: a false S2C117 that showed the marker
    uses=[("command", "HOME", "", "/bin/x"), ("directory", "APP", "/srv/", "")],
    resolve=False,
    no_wrappers=False,
)
def test_no_output_ever_holds_the_internal_marker(
    uses: list[tuple[str, str, str, str]], resolve: bool, no_wrappers: bool
) -> None:
    """Configs using %(ENV_X)s in many options: no finding, error or circus.ini line (comments
    included) shows the internal marker of a deferred reference."""
    options: dict[str, str] = {"command": "/bin/app"}
    for option, name, before, after in uses:
        ref = f"%(ENV_{name})s"
        if option == "environment":
            options[option] = f"V={before}{ref}{after}"
        elif option in ("priority", "numprocs"):
            options[option] = ref
        elif option == "command":
            options[option] = f"{before}{ref}{after} --flag {ref}"
        else:
            options[option] = f"{before}{ref}{after}"
    if "numprocs" in options:
        options["process_name"] = "%(program_name)s_%(process_num)d"
    text = "[supervisord]\nnodaemon = true\n\n[program:p]\n" + "".join(
        f"{k} = {v}\n" for k, v in options.items()
    )
    environ = {"HOME": "/home/app", "APP": "app", "LOGS": "/var/log/app"}
    try:
        conv = _conv(text, environ, resolve_env=resolve, no_wrappers=no_wrappers)
    except Sup2CircusError as err:
        assert ENV_MARK_START not in str(err)
        assert ENV_MARK_END not in str(err)
        return
    assert ENV_MARK_START not in conv.text and ENV_MARK_END not in conv.text
    for f in conv.findings:
        assert ENV_MARK_START not in f.message and ENV_MARK_END not in f.message, f


def test_a_user_circus_cannot_read_back_drops_the_watcher() -> None:
    # circus would substitute $(circus.wid) in uid: the watcher would run as another user
    conv = _conv(BASE + "user=$(circus.wid)\n")
    assert [(f.code, f.option) for f in conv.findings if f.code == "S2C501"] == [("S2C501", "user")]
    assert "[watcher:web]" not in conv.text


@pytest.mark.parametrize(
    ("daemon", "program", "pwd"),
    [
        ("", 'environment=PWD="  padded  "\n', "  padded  "),
        ("", 'environment=PWD="/srv/it\'s"\n', "/srv/it's"),
        ("", 'environment=PWD="/srv/$HOME"\n', "/srv/$HOME"),
        ('environment=PWD="/srv/global"\n', "", "/srv/global"),
        ("", "", None),
    ],
)
def test_the_sh_wrapper_restores_the_pwd_environment_sets(
    daemon: str, program: str, pwd: str | None
) -> None:
    """supervisord gives the program the PWD its environment= (or [supervisord]'s) sets. The
    sh wrapper's $1 was always circus's $(circus.env.PWD): the watcher's [env] value, but
    circusd's own PWD when the `env` wrapper sets it (the program got none or circusd's), and
    a value with a quote in it made circus's split fail ('No closing quotation': the watcher
    never started). Checked with both daemons (tests/runtime_cases/pwd)."""
    text = BASE.replace("nodaemon=true\n", f"nodaemon=true\n{daemon}") + "umask=027\n" + program
    (cmd,) = [x[6:] for x in _conv(text).text.splitlines() if x.startswith("cmd = ")]
    # what circus runs, its PWD set or not: $(circus.env.PWD) is the watcher's environment's
    for seen in ("/daemon", None, pwd):
        if seen is None:
            argv = shlex.split(cmd)
        else:
            argv = shlex.split(cmd.replace("$(circus.env.PWD)", seen))
        start = argv.index("-c")
        one, two = argv[start + 3], argv[start + 4]
        if pwd is None:
            assert one == (seen or "$(circus.env.PWD)") and two == "$(circus.env.PWD)"
        else:
            assert one == pwd and two == "$(circus.env.PWD)"


def test_names_that_are_not_shell_identifiers_are_set_after_sh() -> None:
    """dash, /bin/sh on Debian and Ubuntu, drops from its environment every variable whose name
    is not a shell identifier (a.b, MY-VAR, spring.profiles.active): under the sh wrapper the
    program lost them, with no finding. environment= sets them again with `env`, after sh
    (checked with both daemons: tests/runtime_cases/env_names)."""
    text = (
        BASE.replace("nodaemon=true\n", 'nodaemon=true\nenvironment=spring.x="prod",G="1"\n')
        + 'umask=027\nenvironment=a.b="x,y",MY-VAR="  padded  ",ok_1="3"\n'
    )
    (cmd,) = [x[6:] for x in _conv(text).text.splitlines() if x.startswith("cmd = ")]
    argv = shlex.split(cmd.replace("$(circus.env.PWD)", "/daemon"))
    start = argv.index("-c")
    after = argv[start + 2 :]
    assert after[0] == "/usr/bin/env" and after[1:3] == ["/daemon", "$(circus.env.PWD)"]
    assert after[3:6] == ["spring.x=prod", "a.b=x,y", "MY-VAR=  padded  "]
    assert after[6] == "/usr/bin/web"
    assert not any(w.startswith(("a.b=", "MY-VAR=", "spring.x=")) for w in argv[:start])
    # no sh wrapper: nothing drops them, the [env] section and the env prefix stay as they are
    plain = _conv(BASE + 'environment=a.b="x,y"\n').text
    assert "a.b = x,y" in plain and "/usr/bin/env" not in plain


def test_a_deferred_value_under_a_name_sh_drops_is_reported() -> None:
    """MY-VAR="%(ENV_X)s" stays in the [env] section (circus takes X from circusd's own
    environment, as supervisord does) but sh drops the name; after sh, $(circus.env.X) would
    read the watcher's environment, which environment= may set (X="own": the program got 'own',
    supervisord gives circusd's X; seen with both daemons). Not set again: S2C501 says so."""
    text = BASE + 'umask=027\nenvironment=MY-VAR="%(ENV_X)s",X="own",a.b="1"\n'
    conv = _conv(text)
    (cmd,) = [x[6:] for x in conv.text.splitlines() if x.startswith("cmd = ")]
    assert "MY-VAR=" not in cmd and "a.b=1" in cmd
    (lost,) = [f for f in conv.findings if f.code == "S2C501"]
    assert "MY-VAR" in lost.message and lost.option == "environment"


def test_a_deferred_reference_environment_also_sets_is_not_put_in_cmd() -> None:
    """A="  %(ENV_X)s",X="own": supervisord expands %(ENV_X)s from its own environment (X
    there), but in cmd circus substitutes $(circus.env.X) from the watcher's environment,
    where environment= sets X: the program got '  own' (seen with both daemons) while S2C115
    said circusd's value. Not converted: S2C501 says why."""
    conv = _conv(BASE + 'environment=A="  %(ENV_X)s",x="own"\n')
    (cmd,) = [x[6:] for x in conv.text.splitlines() if x.startswith("cmd = ")]
    assert "A=" not in cmd
    (lost,) = [f for f in conv.findings if f.code == "S2C501"]
    assert "%(ENV_X)s" in lost.message and "S2C115" not in {f.code for f in conv.findings}
