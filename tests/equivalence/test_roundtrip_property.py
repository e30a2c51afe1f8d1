"""Property: a random program with hostile values converts to a circus.ini that circus reads
back as what supervisor runs -- or a finding says what differs (an error finding when the item
could not be converted). Both judges are the daemons' own loaders (see test_differential).

Hostile values: quotes, backslashes, ``%%``, ``;`` and ``#`` (comment characters of one parser
or the other), ``$NAME``, ``$(circus.wid)``, ``((circus.env.x))``, unicode, tabs, surrounding
whitespace, long values and continuation lines, in the command, environment values, the
directory and log paths; and the config's own directory (``%(here)s``) with line breaks and
comment characters in its name.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_differential import compare

from sup2circus.api import Conversion, ConvertOptions, convert_file
from sup2circus.findings import Severity

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

NASTY = [
    "'",
    '"',
    "\\",
    "%%",
    ";",
    " ;",
    "#",
    " #",
    "$",
    "$HOME",
    "$S2C_DIFF",
    "$Home",
    "${HOME}",
    "$(circus.wid)",
    "$(CIRCUS.ENV.HOME)",
    "((circus.wid))",
    "%(program_name)s",
    "%(ENV_S2C_DIFF)s",
    "%(process_num)02d",
    "é",
    "☃",
    "日本",
    "\t",
    " ",
    "=",
    ",",
    "*",
    "[x]",
    "?",
    "rem",
]

piece = st.one_of(
    st.sampled_from(NASTY),
    st.text(alphabet="abcXYZ019_-./:@+", min_size=1, max_size=8),
)
word = st.lists(piece, min_size=1, max_size=5).map("".join)


@st.composite
def arg(draw: st.DrawFn) -> str:
    text = draw(word)
    quote = draw(st.sampled_from(["", "", "'", '"']))
    if quote and quote not in text and "\\" not in text:
        return f"{quote}{text}{quote}"
    return text


@st.composite
def command(draw: st.DrawFn) -> str:
    args = draw(st.lists(arg(), min_size=0, max_size=5))
    if draw(st.integers(0, 9)) == 0:
        args.append("x" * draw(st.integers(200, 2000)))  # a long line
    line = " ".join(["/usr/bin/prog", *args])
    if draw(st.booleans()) and args:
        # a continuation line (supervisor joins it with a newline; shlex splits there)
        line = line + "\n    " + draw(arg())
    return line


env_value = st.lists(piece, min_size=0, max_size=4).map("".join).filter(lambda v: '"' not in v)
env_key = st.one_of(
    st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True),
    # names the wrappers or circus treat specially: PWD (the sh wrapper hands it over; circus's
    # names ignore case), HOME and PATH (circus expands $UPPER), names sh drops
    st.sampled_from(["PWD", "pwd", "HOME", "PATH", "a.b", "MY-VAR"]),
)
path_piece = st.lists(
    st.sampled_from(["a", "b c", "d;e", "f #g", "$X", "$(circus.wid)", "é", "%%", "h'i", "j,k"]),
    min_size=1,
    max_size=3,
).map("".join)


@st.composite
def program(draw: st.DrawFn) -> str:
    name = draw(st.from_regex(r"[a-z][a-z0-9_.-]{0,10}", fullmatch=True))
    lines = [f"[program:{name}]", "command=" + draw(command())]
    if draw(st.booleans()):
        pairs = draw(st.dictionaries(env_key, env_value, min_size=1, max_size=3))
        sep = draw(st.sampled_from([",", ",\n    "]))  # continuation lines too
        lines.append("environment=" + sep.join(f'{k}="{v}"' for k, v in pairs.items()))
    if draw(st.booleans()):
        lines.append("directory=" + draw(st.sampled_from(["/tmp/", "%(here)s/", "/srv/", "rel/"])))
        lines[-1] += draw(path_piece)
    if draw(st.booleans()):
        lines.append(
            "stdout_logfile="
            + draw(
                st.one_of(
                    path_piece.map(lambda p: "%(here)s/logs/" + p + ".log"),
                    path_piece.map(lambda p: "logs/" + p + ".log"),  # relative
                    st.sampled_from(
                        ["/dev/stdout", "/dev/fd/1", "/proc/1/fd/1", "NONE", "AUTO", "/dev/null"]
                    ),
                    st.just("/var/log/%(program_name)s-%(ENV_S2C_DIFF)s.log"),
                )
            )
        )
        if draw(st.booleans()):
            lines.append(f"stdout_logfile_maxbytes={draw(st.sampled_from(['0', '1KB', '5MB']))}")
            lines.append(f"stdout_logfile_backups={draw(st.integers(0, 3))}")
    if draw(st.booleans()):
        lines.append("user=" + draw(st.sampled_from(["nobody", "root", "s2c-no-such-user", "0"])))
    if draw(st.booleans()):
        lines.append(f"umask={draw(st.sampled_from(['022', '077', '0']))}")
    if draw(st.booleans()):
        lines.append("redirect_stderr=true")
    elif draw(st.booleans()):
        lines.append(
            "stderr_logfile="
            + draw(st.sampled_from(["/dev/stderr", "/dev/stdout", "NONE", "/tmp/s2c-e.log"]))
        )
    if draw(st.booleans()):
        lines.append(f"numprocs={draw(st.integers(2, 3))}")
        lines.append(
            "process_name="
            + draw(
                st.sampled_from(
                    ["%(program_name)s_%(process_num)02d", "%(process_num)d", "w-%(process_num)s"]
                )
            )
        )
    if draw(st.booleans()):
        lines.append(f"stopsignal={draw(st.sampled_from(['INT', 'QUIT', 'KILL', 'USR1']))}")
        lines.append(f"stopwaitsecs={draw(st.integers(0, 60))}")
    if draw(st.booleans()):
        lines.append(f"priority={draw(st.integers(-5, 1000))}")
    if draw(st.booleans()):
        lines.append("autostart=false")
    if draw(st.booleans()):  # the restart and stop policy (--exact's hooks carry it)
        lines.append(f"autorestart={draw(st.sampled_from(['true', 'false', 'unexpected']))}")
        lines.append(f"exitcodes={draw(st.sampled_from(['0', '0,2', '1', '3,0']))}")
        lines.append(f"startsecs={draw(st.integers(0, 5))}")
        lines.append(f"startretries={draw(st.integers(0, 5))}")
    if draw(st.booleans()):
        group = draw(st.sampled_from([("true", "true"), ("false", "true"), ("false", "false")]))
        lines.append(f"stopasgroup={group[0]}\nkillasgroup={group[1]}")
    return "\n".join(lines) + "\n"


@st.composite
def config(draw: st.DrawFn) -> str:
    programs = draw(st.lists(program(), min_size=1, max_size=3))
    head = "[supervisord]\nnodaemon=true\n"
    if draw(st.booleans()):  # a daemonizing supervisord: its directory, user and umask
        head = "[supervisord]\nnodaemon=false\n"
        head += draw(st.sampled_from(["", "directory=/srv\n", "directory=rel\n"]))
        head += draw(st.sampled_from(["", "user=nobody\n", "user=root\n"]))
        head += draw(st.sampled_from(["", "umask=077\n"]))
    if draw(st.booleans()):
        head += 'environment=GLOBAL_S2C="' + draw(env_value) + '"\n'
    text = head + "\n" + "\n".join(programs)
    names = [p.split("]", 1)[0].removeprefix("[program:") for p in programs]
    if draw(st.booleans()):
        members = draw(st.lists(st.sampled_from(names), min_size=1, max_size=len(names)))
        text += f"\n[group:grp]\nprograms={','.join(dict.fromkeys(members))}\n"
        text += f"priority={draw(st.integers(1, 999))}\n"
    return text


def round_trip(text: str, where: str = "", **kw: Any) -> None:
    """``text`` as supervisord.conf in a fresh directory (``where``: its name) whose log
    directory exists (no S2C012 to hide behind), through both judges (test_differential)."""
    with tempfile.TemporaryDirectory(prefix="s2crt") as tmp:
        here = Path(tmp) / where
        here.mkdir(exist_ok=True)
        conf = here / "supervisord.conf"
        conf.write_text(text, encoding="utf-8")
        (here / "logs").mkdir()
        work = Path(tmp) / "work"
        work.mkdir()
        compare(conf, work, **kw)


@SETTINGS
@given(text=config())
# found by this property: a multi-line argument in a wrapped command (the "# runs:" comment)
@example(
    text='[supervisord]\nnodaemon=true\n[program:a]\ncommand=/usr/bin/prog " x\n    "0\n'
    "redirect_stderr=true\n"
)
# found by this property after c8d2415: killasgroup with stopsignal=KILL signals no group
@example(
    text="[supervisord]\nnodaemon=true\n[program:a]\ncommand=/usr/bin/prog x\n"
    "stopsignal=KILL\nkillasgroup=true\n"
)
# found by a sweep: the sh wrapper's $1 was circus's $(circus.env.PWD), which circus substitutes
# from the [env] value as written (the text $S2C_DIFF); PWD is set by the `env` wrapper (S2C115)
@example(
    text="[supervisord]\nnodaemon=true\n[program:a]\ncommand=/usr/bin/prog\n"
    'environment=PWD="%(ENV_S2C_DIFF)s"\numask=022\n'
)
# found by a sweep: circus's names ignore case, so the wrapper's $(circus.env.PWD) read the
# [env] section's pwd; such a name is set by the `env` wrapper (S2C115)
@example(
    text="[supervisord]\nnodaemon=true\n[program:a]\ncommand=/usr/bin/prog\n"
    'environment=pwd="/x"\nredirect_stderr=true\n'
)
def test_hostile_programs_round_trip(text: str) -> None:
    round_trip(text)


@settings(SETTINGS, max_examples=30)
@given(text=config(), flag=st.sampled_from(["exact", "no_wrappers"]))
def test_hostile_programs_round_trip_with_a_flag(text: str, flag: str) -> None:
    round_trip(text, **{flag: True})


# the config's own directory reaches the values through %(here)s: a line break in its name
# must not reach circus.ini as one (circus reads it with universal newlines)
HOSTILE_DIRS = ["a\rb", "c\nd", "e\r\nf", "g h", "i;j", "k #l", "$HOME", "m'n", "o]p"]


@settings(SETTINGS, max_examples=30)
@given(text=config(), where=st.sampled_from(HOSTILE_DIRS))
@example(
    text="[supervisord]\nnodaemon=true\n[program:a]\ncommand=/usr/bin/prog\ndirectory=%(here)s\n",
    where="a\rb",
)
# found by a sweep: supervisord expands [supervisord] environment= twice, %%r becomes the
# whole dictionary's repr, which does not parse when the directory name has a quote
@example(
    text='[supervisord]\nnodaemon=true\nenvironment=G="%%rem"\n[program:a]\ncommand=/usr/bin/prog\n',
    where="m'n",
)
@example(
    text='[supervisord]\nnodaemon=true\nenvironment=G="%%rem"\n[program:a]\ncommand=/usr/bin/prog\n',
    where="g h",
)
def test_hostile_config_directories_round_trip(text: str, where: str) -> None:
    round_trip(text, where=where)


# %(ENV_S2C_DIFF)s's value, baked in by --resolve-env (deferred, circus reads it itself). The
# variable is in both daemons' environments, so the children inherit it too: no surrounding
# whitespace and no $UPPER, which circus rewrites in every inherited variable (S2C116, a fact of
# circusd's environment that no config can change). Not here: $(circus.*) text, which circus
# expands once more in a command (the test below shows it), and unbalanced quotes, with which
# neither daemon can split the command (the circus judge does not model that spawn error), and
# `%`, which supervisord expands once more in a log file name: with this value it refuses to
# start, while the deferred conversion cannot know circusd's value.
HOSTILE_VALUES = ["a\rb", "c\nd", "e\r\nf", "g ;h", "$circus.wid", "i'j'k", "k #l", "m,n"]


@settings(SETTINGS, max_examples=30)
@given(text=config(), value=st.sampled_from(HOSTILE_VALUES), resolve=st.booleans())
@example(
    text="[supervisord]\nnodaemon=true\n[program:a]\ncommand=/usr/bin/prog\n"
    "directory=/srv/%(ENV_S2C_DIFF)s\n",
    value="a\rb",
    resolve=True,
)
@example(
    # found by this property: the split value makes `env` run "b0", so the wrapper's umask and
    # 2>&1 never apply; S2C115 is the warning that explains it
    text="[supervisord]\nnodaemon=true\n[program:a]\ncommand=/usr/bin/prog x\n"
    'environment=A="%(ENV_S2C_DIFF)s0"\numask=022\nredirect_stderr=true\n',
    value="a\rb",
    resolve=False,
)
def test_hostile_environment_values_round_trip(text: str, value: str, resolve: bool) -> None:
    round_trip(text, extra_env={"S2C_DIFF": value}, resolve_env=resolve)


def test_circus_expands_circus_references_in_a_deferred_value_of_the_command() -> None:
    """A difference no finding reports yet: circus substitutes $(circus.env.X) in a command when
    it loads circus.ini, and $(circus.*) again at each spawn, so such text in circusd's value of
    X is expanded; supervisord passes it on literally."""
    text = "[supervisord]\nnodaemon=true\n[program:a]\ncommand=/usr/bin/prog %(ENV_S2C_DIFF)s\n"
    with tempfile.TemporaryDirectory(prefix="s2crt") as tmp:
        conf = Path(tmp) / "supervisord.conf"
        conf.write_text(text, encoding="utf-8")
        work = Path(tmp) / "work"
        work.mkdir()
        shown = r"argv: supervisor \['/usr/bin/prog', '\$\(circus.wid\)'\] != circus \[.*'1'\]"
        with pytest.raises(AssertionError, match=shown):
            compare(conf, work, extra_env={"S2C_DIFF": "$(circus.wid)"})


@pytest.mark.parametrize("value", ["hello wide world", "i'j'k", 'a"b"c', "tab\there", "x\\y"])
@pytest.mark.parametrize(
    ("command", "deferred"),
    [
        # inside quotes: the words from there on are written as they stand, quotes kept
        ('/usr/bin/prog "%(ENV_S2C_DIFF)s"', True),
        ("/usr/bin/prog '-x=%(ENV_S2C_DIFF)s' after", True),
        ('/usr/bin/prog %(ENV_S2C_DIFF)s "a b" "%(ENV_S2C_DIFF)s"x\'y z\' last', True),
        ('/bin/sh -c "echo %(ENV_S2C_DIFF)s && exec /usr/bin/prog"', True),
        ("/usr/bin/prog %(ENV_S2C_DIFF)s 'quoted'", True),  # outside quotes: re-quoted words
        # ... unless circus would substitute something in them (supervisord passes $(circus.*)
        # on as it is) or it is the program's own name (a wrapper's words come after it): only
        # this machine's value could be written, which is not done unless asked (S2C018)
        ('/usr/bin/prog "%(ENV_S2C_DIFF)s $(circus.wid)"', False),
        ('"/usr/bin/%(ENV_S2C_DIFF)s"', False),
    ],
)
@pytest.mark.parametrize("wrapper", ["", "umask=022\n", "environment=__name__=x\n"])
def test_a_deferred_value_keeps_its_quoting(
    command: str, deferred: bool, value: str, wrapper: str
) -> None:
    text = f"[supervisord]\nnodaemon=true\n[program:a]\ncommand={command}\n{wrapper}"
    with tempfile.TemporaryDirectory(prefix="s2crt") as tmp:
        conf = Path(tmp) / "supervisord.conf"
        conf.write_text(text, encoding="utf-8")
        env = {"S2C_DIFF": value}
        conversion = convert_file(conf, ConvertOptions(environ=env))
        assert ("$(circus.env.S2C_DIFF)" in conversion.text) is deferred
        assert value not in conversion.text
        not_written = [f.option for f in conversion.findings if f.code == "S2C018"]
        assert not_written == ([] if deferred else ["command"])
        work = Path(tmp) / "work"
        work.mkdir()
        compare(conf, work, extra_env=env)


@pytest.mark.parametrize("value", ["plain", "hello wide world", "a\rb", "back\\slash"])
@pytest.mark.parametrize(
    "environment",
    [
        'A="$HOME%(ENV_S2C_DIFF)s"',  # literal $UPPER text: only the env wrapper is exact
        'A="%(ENV_s2c_diff)s"',  # a lower-case name: an [env] section cannot defer it
    ],
)
def test_a_deferred_value_in_the_env_wrapper_is_a_warning(environment: str, value: str) -> None:
    """circus puts circusd's value of a deferred reference into cmd before splitting it, so the
    `env` wrapper passes it on split and unquoted: S2C115 says so (a warning), and explains
    every difference the daemons show."""
    conversion = _compare_environment(environment, {"S2C_DIFF": value, "s2c_diff": value})
    [wrapper] = [f for f in conversion.findings if f.code == "S2C115"]
    assert wrapper.severity is Severity.WARNING, wrapper
    assert "before splitting it" in wrapper.message and "(exact)" not in wrapper.message
    assert "# wrapper: sets A (env)" in conversion.text  # not "exactly"


@pytest.mark.parametrize(
    "value",
    [
        "%(ENV_S2C_DIFF)s_DIR",  # $S2C_DIFF_DIR would name another variable
        "%(ENV_S2C_DIFF)sX",
        "%(ENV_S2C_DIFF)s9",
        "%(ENV_S2C_DIFF)sdir",  # lower case ends circus's name: $S2C_DIFF is enough
        " %(ENV_S2C_DIFF)s",  # circus strips an [env] value
        "%(ENV_S2C_DIFF)s ",
    ],
)
def test_a_deferred_reference_in_an_env_value_keeps_its_neighbours(value: str) -> None:
    """Where circus would read a deferred reference in an [env] section as another name, or
    strip the value around it, the variable is set another way (or a finding says so)."""
    _compare_environment(f'A="{value}"', {"S2C_DIFF": "v", "S2C_DIFF_DIR": "other"})


@pytest.mark.parametrize("key", ["__name__", "rem", "REM", "Rem.x", "a.b", "x-y"])
def test_an_environment_name_an_env_section_cannot_hold(key: str) -> None:
    """circus sets __name__ itself, and drops a line whose first word is rem: such a variable
    is set another way; other names go into the [env] section as they are."""
    _compare_environment(f'{key}="v",OTHER="w"')


def _compare_environment(environment: str, extra_env: dict[str, str] | None = None) -> Conversion:
    """Both judges on one program with ``environment=<environment>``; its conversion."""
    text = (
        "[supervisord]\nnodaemon=true\n[program:a]\ncommand=/usr/bin/prog x\n"
        f"environment={environment}\n"
    )
    with tempfile.TemporaryDirectory(prefix="s2crt") as tmp:
        conf = Path(tmp) / "supervisord.conf"
        conf.write_text(text, encoding="utf-8")
        work = Path(tmp) / "work"
        work.mkdir()
        compare(conf, work, extra_env=extra_env)
        return convert_file(conf, ConvertOptions(environ=extra_env or {}))
