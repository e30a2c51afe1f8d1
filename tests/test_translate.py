"""Unit tests of translator decisions that golden files alone would not explain."""

from __future__ import annotations

import configparser
import shlex
import sys
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sup2circus import ConvertOptions, Sup2CircusError, convert_text
from sup2circus.api import Conversion
from sup2circus.findings import Finding, Severity
from sup2circus.model import ENV_MARK_END, ENV_MARK_START

BASE = "[supervisord]\nnodaemon=true\n\n[program:web]\ncommand=/usr/bin/web\nautorestart=true\n"


def circus_section(text: str) -> dict[str, str]:
    cp = configparser.RawConfigParser()
    cp.read_string(text)
    return dict(cp["circus"])


def test_circus_section_is_local_only_and_never_starts_extra_processes() -> None:
    sec = circus_section(convert_text(BASE).text)
    assert sec["endpoint"].startswith("ipc://")
    assert sec["pubsub_endpoint"].startswith("ipc://")
    assert sec["multicast_endpoint"] == ""
    assert sec["check_delay"] == "1"
    # a stats_endpoint makes circus turn statsd on and spawn circusd-stats
    assert "stats_endpoint" not in sec
    assert "statsd" not in sec and "httpd" not in sec


def test_runtime_dir_moves_the_endpoints() -> None:
    sec = circus_section(convert_text(BASE, options=ConvertOptions(runtime_dir="/run/x")).text)
    assert sec["endpoint"] == "ipc:///run/x/circus.sock"
    assert sec["pubsub_endpoint"] == "ipc:///run/x/circus-pubsub.sock"


def test_unix_http_server_file_becomes_the_endpoint() -> None:
    conf = BASE + "\n[unix_http_server]\nfile=/run/supervisor.sock\n"
    conv = convert_text(conf)
    assert circus_section(conv.text)["endpoint"] == "ipc:///run/supervisor.sock"
    assert "S2C301" in {f.code for f in conv.findings}


def test_inet_http_server_never_becomes_tcp() -> None:
    conf = BASE + "\n[inet_http_server]\nport=0.0.0.0:9001\nusername=u\npassword=p\n"
    conv = convert_text(conf)
    assert "tcp://" not in conv.text
    codes = {f.code: f.severity.value for f in conv.findings}
    assert codes["S2C302"] == "warning"
    assert codes["S2C303"] == "error"
    assert "p\n" not in "".join(f.message for f in conv.findings)


def test_priorities_fall_back_to_distinct_numbers_when_names_would_reorder() -> None:
    # supervisor: groups by (priority, name): "a" before "a-b"; circus ties break on the full
    # watcher name, where "a-b:x" < "a:y" -- so -priority alone would reorder them.
    conf = (
        "[supervisord]\nnodaemon=true\n"
        "[program:a]\ncommand=/bin/a\nnumprocs=2\nprocess_name=y%(process_num)d\n"
        "autorestart=true\n"
        "[program:a-b]\ncommand=/bin/b\nnumprocs=2\nprocess_name=x%(process_num)d\n"
        "autorestart=true\n"
    )
    conv = convert_text(conf)
    cp = configparser.RawConfigParser()
    cp.read_string(conv.text)
    watchers = [s for s in cp.sections() if s.startswith("watcher:")]
    prios = {s.split(":", 1)[1]: int(cp[s]["priority"]) for s in watchers}
    circus_order = sorted(prios, key=lambda n: (-prios[n], n))
    assert circus_order == ["a:y0", "a:y1", "a-b:x0", "a-b:x1"]


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
    conf = Path(__file__).resolve().parent.parent / "docker" / "supervisord.conf"
    ini = convert_text(conf.read_text()).text
    cmds = [line[len("cmd = ") :] for line in ini.splitlines() if line.startswith("cmd = ")]
    assert len(cmds) == 2 and all("/bin/sh -c" in c for c in cmds)
    assert max(map(len, cmds)) <= 160, cmds


# ---------------------------------------------------------------------------- issue 11
def _conv(text: str, environ: dict[str, str] | None = None, **kw: object) -> Conversion:
    return convert_text(text, options=ConvertOptions(environ=environ or {}, **kw))  # type: ignore[arg-type]


def _key(f: Finding) -> tuple[object, ...]:
    return (f.file, f.line, f.column, f.code, f.section, f.option)


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


def test_rpcinterface_module_is_looked_up_never_imported(tmp_path: Path) -> None:
    (tmp_path / "s2c_rpc_probe_q7.py").write_text(
        f"open({str(tmp_path / 'imported')!r}, 'w').close()\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        conv = _conv(
            "[supervisord]\nnodaemon = true\n\n[rpcinterface:x]\n"
            "supervisor.rpcinterface_factory = s2c_rpc_probe_q7:make\n\n"
            "[program:p]\ncommand = /bin/p\n"
        )
    finally:
        sys.path.remove(str(tmp_path))
    assert not (tmp_path / "imported").exists()
    assert not [f for f in conv.findings if f.code == "S2C307"]  # found here


def test_no_programs_is_a_warning() -> None:
    conv = _conv("[supervisord]\nnodaemon = true\n\n[include]\nfiles = /nonexistent-q7/*.conf\n")
    (f,) = [f for f in conv.findings if f.code == "S2C017"]
    assert f.severity is Severity.WARNING
    assert f.message == "no programs: circusd would run nothing; did an [include] miss?"
    one = _conv("[supervisord]\nnodaemon = true\n\n[program:p]\ncommand = /bin/p\n")
    assert not [f for f in one.findings if f.code == "S2C017"]
