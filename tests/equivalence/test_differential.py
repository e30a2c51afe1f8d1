"""Differential tests: supervisor 4.3 (on the input) and circus 0.19 (on the output) must agree.

For every golden case, every real-world config of the shared corpus and supervisor's own test
fixtures: convert with :func:`sup2circus.convert_file`, ask both judges what their daemon would
run, and compare process by process (supervisor ``group:name`` <-> the circus watcher whose
``processes`` hold it): argv, cwd, environment, user, stop signal and timeout, autostart, start
order and log destinations. Every difference must be named by a finding whose rule lists that
field in ``observes`` (``rules.py``); a process with no watcher needs an error finding. Configs
supervisord refuses must be refused by sup2circus too (ConfigError).

No daemon runs here: both judges are the daemons' own loaders.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import supervisor
from judges.circus_judge import DEFAULT_ENV, CircusRefused, circus_config_view, circus_view
from judges.supervisor_judge import SupervisorRefused, supervisor_options, supervisor_view

from sup2circus import ConfigError, ConvertOptions, convert_file, convert_text
from sup2circus.api import Conversion
from sup2circus.circus_model import CircusConfig
from sup2circus.findings import Severity
from sup2circus.model import ENV_MARK_START
from sup2circus.rules import RULES
from sup2circus.translate import PWD_RESTORE

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = sorted((ROOT / "fixtures").glob("*/supervisord.conf"))
CORPUS = sorted(Path("/work/shared/corpus/realworld").glob("*.conf"))
SUPERVISOR_FIXTURES = sorted(
    (Path(supervisor.__file__).parent / "tests" / "fixtures").glob("*.conf")
)

# circusd's (and supervisord's) environment in these tests
BASE_ENV = dict(DEFAULT_ENV, HOME="/root", S2C_DIFF="base-value")
ENV_REF = re.compile(r"%\(ENV_([^()]+)\)")

# Info findings about exact wrappers (`env`, `sh -c 'umask ..'`, `2>&1`) and circus's __name__
# variable: the comparison below accounts for them itself, so they explain no difference
# (their warning forms, under --no-wrappers, do).
EXACT_WRAPPERS = {"S2C104", "S2C105", "S2C115", "S2C123"}

# What supervisord adds to every child's environment (process.py:310-321)
SUPERVISOR_VARS = (
    "SUPERVISOR_ENABLED",
    "SUPERVISOR_PROCESS_NAME",
    "SUPERVISOR_GROUP_NAME",
    "SUPERVISOR_SERVER_URL",
)

# Output destinations that mean "the daemon's own stdout/stderr" (see SEMANTICS.md T18).
DAEMON_STDOUT = {"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "/proc/1/fd/1"}
DAEMON_STDERR = {"/dev/stderr", "/dev/fd/2", "/proc/self/fd/2", "/proc/1/fd/2"}

# listeners not converted as watchers on purpose: their intent is (S2C130 says when it is not)
_LISTENER_IDIOMS = frozenset({"S2C130", "S2C132"})


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


def environment_for(conf: Path) -> dict[str, str]:
    """BASE_ENV plus a value for every %(ENV_X)s the config (or a file next to it) names, so that
    supervisor does not refuse a config only because this machine lacks a variable."""
    env = dict(BASE_ENV)
    texts = [conf]
    texts += [p for p in conf.parent.rglob("*") if p.is_file() and p.suffix in (".conf", ".ini")]
    for path in texts[:200]:
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        for name in ENV_REF.findall(text):
            env.setdefault(name, f"v-{name.lower()}")
    return env


# --------------------------------------------------------------------------- normal forms
def sup_destination(
    path: Any, maxbytes: Any, backups: Any, opened_in: str | None = None
) -> tuple[Any, ...]:
    """``opened_in``: the directory supervisord opens the log file from when it is not the one
    it started in (circusd's): ``[supervisord] directory`` when it daemonizes, since it opens
    the files at spawn, after ``_daemonize``'s chdir. A relative path is joined with it."""
    if path is None:
        return ("null",)
    if path == "AUTO":
        return ("auto",)
    if path in DAEMON_STDOUT:
        return ("daemon-stdout",)
    if path in DAEMON_STDERR:
        return ("daemon-stderr",)
    if opened_in:
        path = os.path.join(opened_in, path)
    return ("file", path, int(maxbytes or 0), int(backups or 0))


def sup_streams(
    p: dict[str, Any], opened_in: str | None = None
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    def dest(channel: str) -> tuple[Any, ...]:
        d = sup_destination(
            p[f"{channel}_logfile"],
            p[f"{channel}_logfile_maxbytes"],
            p[f"{channel}_logfile_backups"],
            opened_in,
        )
        return (*d, "+syslog") if p[f"{channel}_syslog"] else d

    out = dest("stdout")
    return out, (out if p["redirect_stderr"] else dest("stderr"))


SH_WRAPPER = re.compile(
    r'(?P<pwd>\[ "\$1" = "\$2" \]&&unset PWD\|\|PWD=\$1;shift 2;)?'
    r"(?:umask (?P<umask>[0-7]+)&&)?"
    r'exec "\$0" "\$@"(?: (?P<redirect>2>&1|1>&2))?'
)


def unwrap(argv: list[str]) -> tuple[list[str], dict[str, str | None], str, int | None]:
    """Split the converter's wrappers off a circus argv: ``env K=V... [--]`` and
    ``sh -c '[PWD restore][umask NNN&&]exec "$0" "$@"[ 2>&1| 1>&2]'``. Returns the program argv, the
    wrapper environment, the redirection ('' / '2>&1' / '1>&2') and the umask."""
    env: dict[str, str | None] = {}
    rest = _unwrap_env(list(argv), env)
    redirect, umask = "", None
    if len(rest) >= 4 and os.path.basename(rest[0]) == "sh" and rest[1] == "-c":
        m = SH_WRAPPER.fullmatch(rest[2])
        if m:
            umask = int(m["umask"], 8) if m["umask"] else None
            redirect = m["redirect"] or ""
            rest = rest[3:]
            if m["pwd"] and len(rest) >= 3:
                # PWD restore: prog '$(circus.env.PWD)' '$(''circus.env.PWD)' args...
                env["PWD"] = None if rest[1] == rest[2] else rest[1]  # None: unset
                rest = [rest[0], *rest[3:]]
            # the names sh drops (not shell identifiers) are set again by `env` after it
            rest = _unwrap_env(rest, env)
    return rest, env, redirect, umask


def _unwrap_env(rest: list[str], env: dict[str, str | None]) -> list[str]:
    """``env K=V... [--] PROGRAM...``: the assignments into ``env``, the rest returned."""
    if not rest or os.path.basename(rest[0]) != "env" or len(rest) < 2:
        return rest
    i = 1
    while i < len(rest) and "=" in rest[i] and not rest[i].startswith("="):
        key, _, value = rest[i].partition("=")
        env[key] = value
        i += 1
    if i < len(rest) and rest[i] == "--":
        i += 1
    return rest[i:]


def circus_streams(w: dict[str, Any], redirect: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    def dest(channel: str) -> tuple[Any, ...]:
        s = w[channel]
        if s is None:
            if w[f"close_child_{channel}"]:
                return ("null",)
            return (f"daemon-{channel}",)
        if s["class"].endswith(".FileStream"):
            return ("file", s["filename"], s["max_bytes"], s["backup_count"])
        if s["class"].endswith(".StdoutStream"):
            return ("daemon-stdout",)
        return ("other", s["class"])

    out, err = dest("stdout"), dest("stderr")
    if redirect == "2>&1":
        err = out
    elif redirect == "1>&2":
        out = err
    return out, err


def socket_address(url: str) -> tuple[Any, ...]:
    if url.startswith("unix://"):
        return ("unix", url[len("unix://") :])
    host, _, port = url[len("tcp://") :].rpartition(":")
    return ("tcp", host, int(port))


def circus_address(sock: dict[str, Any] | None) -> tuple[Any, ...] | None:
    if sock is None:
        return None
    if sock.get("path"):
        return ("unix", sock["path"])
    return ("tcp", sock.get("host", "localhost"), int(sock.get("port", 8080)))


# --------------------------------------------------------------------------- the comparison
class Diff:
    def __init__(self, conversion: Conversion) -> None:
        self.findings = conversion.findings
        self.unexplained: list[str] = []

    def explained(self, section: str, field: str, name: str | None = None) -> bool:
        """A finding about this section (or the daemon) whose rule observes ``field``; for an
        environment variable the finding must also name the variable."""
        for f in self.findings:
            rule = RULES.get(f.code)
            if rule is None or field not in rule.observes:
                continue
            if f.code in EXACT_WRAPPERS and f.severity is Severity.INFO:
                continue
            # [supervisord] environment= not converted at all (an error): every variable
            not_converted = f.option == "environment" and f.severity is Severity.ERROR
            if name is not None and name not in f.message and not not_converted:
                continue
            if f.section in (section, "supervisord", None):
                return True
        return False

    def check(self, section: str, proc: str, field: str, sup: Any, circ: Any) -> None:
        name = sup[0] if field == "env" else None
        if sup == circ or self.explained(section, field, name):
            return
        self.unexplained.append(
            f"{proc} [{section}] {field}: supervisor {sup!r} != circus {circ!r}"
        )


def options(conf: Path, env: dict[str, str], **flags: Any) -> ConvertOptions:
    """The golden case's options.json (--exact, --no-wrappers...), with this test's env."""
    extra: dict[str, Any] = dict(flags)
    opt_file = conf.parent / "options.json"
    if conf.parent.parent.name == "fixtures" and opt_file.exists():
        extra = json.loads(opt_file.read_text())
    extra.pop("environ", None)
    return ConvertOptions(environ=env, **extra)


def _applied(umask: int | None) -> int | None:
    """The mask a process gets from ``os.umask(umask)``: the kernel keeps its low 9 bits."""
    return None if umask is None else umask & 0o777


def compare(
    conf: Path, tmp_path: Path, extra_env: dict[str, str] | None = None, **flags: Any
) -> list[str]:
    """What both daemons would run for ``conf``, compared (``extra_env``: set in the
    environment of both, and of the conversion)."""
    env = environment_for(conf) | (extra_env or {})
    main = tmp_path / "main.conf"
    try:
        try:
            sup = supervisor_view(str(conf), env=env)
        except SupervisorRefused as exc:
            if "supervisord section" not in str(exc):
                raise
            # a conf.d snippet: sup2circus converts it as if [include]d by an empty main file
            main.write_text(f"[supervisord]\n[include]\nfiles = {conf}\n", encoding="utf-8")
            sup = supervisor_view(str(main), env=env)
    except SupervisorRefused as exc:  # supervisord refuses this config
        try:
            refused = convert_file(conf, options(conf, env, **flags))
        except ConfigError:
            return [f"(refused by both: {type(exc).__name__})"]
        # [supervisord] environment=%r...: supervisord expands the whole dictionary into it
        # and refuses the result when it is no KEY=value list; sup2circus never expands it
        # (S2C015, an error), so it cannot tell
        assert any(
            f.code == "S2C015" and f.section == "supervisord" and f.severity is Severity.ERROR
            for f in refused.findings
        ), f"supervisord refuses this config, sup2circus converts it: {exc}"
        return [f"(refused by supervisord, S2C015 error: {type(exc).__name__})"]
    conversion = convert_file(conf, options(conf, env, **flags))
    # what supervisord itself does before running any child (SEMANTICS.md §5): it drops
    # privileges to [supervisord] user, and chdirs to directory only when it daemonizes
    # (a conf.d snippet has no daemon settings of its own: the real main file is unknown)
    daemon_user = daemon_cwd = daemon_umask = daemon_uid = None
    # where supervisord puts AUTO logs (a snippet's main file sets no childlogdir: the default)
    childlogdir = tempfile.gettempdir()
    snippet = main.exists() or any(f.code == "S2C009" for f in conversion.findings)
    if not snippet:
        daemon = supervisor_options(str(conf), env=env)
        childlogdir = daemon.childlogdir
        daemon_uid = daemon.uid
        daemon_user = (
            None if daemon_uid is None else getattr(daemon_uid, "written", str(daemon_uid))
        )
        # supervisord chdirs only to a directory that is set and not empty (options.py)
        daemon_cwd = None if daemon.nodaemon else daemon.directory or None
        daemon_umask = None if daemon.nodaemon else daemon.umask
    model = conversion.circus
    assert isinstance(model, CircusConfig)
    ini = tmp_path / "circus.ini"
    ini.write_text(conversion.text, encoding="utf-8")
    logs = tmp_path / "logs"
    logs.mkdir()
    try:
        whole = circus_config_view(str(ini), env=env, log_dir=str(logs))
    except CircusRefused as exc:
        pytest.fail(f"circusd refuses the converted config: {exc}")
    circ = {w["name"]: w for w in whole["watchers"]}
    circus_umask = whole["circus"]["umask"]
    diff = Diff(conversion)

    failed = [f"{n}: {w['error']}" for n, w in circ.items() if w["failed"]]
    assert not failed, f"circusd would drop watchers: {failed}"

    by_process = {w.process: w for w in model.watchers}
    sup_order: list[str] = []
    auto_files: dict[str, str] = {}  # AUTO log file -> the process writing it
    for p in sup:
        name = p["name"]
        section = p["section"]
        model_w = by_process.get(name)
        if model_w is None:
            # a program of a [group:x] that is not converted is reported on the group
            group = f"group:{name.split(':', 1)[0]}"
            errors = [
                f
                for f in conversion.findings
                if f.section in (section, group)
                and (f.severity is Severity.ERROR or f.code in _LISTENER_IDIOMS)
            ]
            if not errors:
                diff.unexplained.append(f"{name} [{section}]: no watcher and no error finding")
            continue
        if daemon_uid and p["uid"] is not None and p["uid"] != int(daemon_uid):
            # supervisord dropped to daemon_uid: a child cannot switch to another user and
            # exits 127 at every start (options.drop_privileges)
            diff.unexplained.append(f"{name} [{section}]: never runs under supervisord")
            continue
        sup_order.append(model_w.name)
        w = circ.get(model_w.name)
        assert w is not None, f"watcher {model_w.name} not loaded by circus"
        program, wrapper_env, redirect, wrapper_umask = unwrap(w["argv"])
        diff.check(section, name, "argv", p["argv"], program)
        # cwd: None = the daemon's own cwd (circus: working_dir not set)
        sup_cwd = p["directory"] if p["directory"] is not None else daemon_cwd
        if p["directory"] and daemon_cwd and not os.path.isabs(sup_cwd):
            # the child's chdir, from the directory supervisord changed to when daemonizing
            sup_cwd = os.path.join(daemon_cwd, sup_cwd)
        circ_cwd = w["working_dir"] if w["raw"].get("working_dir") else None
        diff.check(section, name, "cwd", sup_cwd, circ_cwd)
        # environment: supervisor's merged child env vs circusd's + sections + wrapper
        sup_env = dict(env)  # supervisord's own environment, inherited
        sup_env.update(p["environment"])  # [supervisord] environment= + the program's
        for key in SUPERVISOR_VARS:
            sup_env.pop(key, None)  # T37: supervisord adds these, circus none (S2C107)
        circ_env = dict(w["env"] or {})
        circ_env.pop("__name__", None)  # circus's own addition (S2C123)
        for key, value in wrapper_env.items():  # the wrapper's come after it
            if value is None:
                circ_env.pop(key, None)
            else:
                circ_env[key] = value
        if "LC_CTYPE" not in env and "LC_CTYPE" not in sup_env:
            circ_env.pop("LC_CTYPE", None)  # PEP 538 coercion in circusd's own interpreter
        for key in sorted(set(sup_env) | set(circ_env)):
            diff.check(section, name, "env", (key, sup_env.get(key)), (key, circ_env.get(key)))
        sup_user = p["user"] if p["user"] is not None else daemon_user
        diff.check(section, name, "user", sup_user, w["uid"])
        diff.check(section, name, "stop_signal", p["stopsignal"], w["stop_signal"])
        diff.check(
            section, name, "stop_timeout", float(p["stopwaitsecs"]), float(w["graceful_timeout"])
        )
        diff.check(section, name, "autostart", bool(p["autostart"]), w["autostart"])
        # restarts: circus respawns every exit or none (autorestart=unexpected: S2C101), unless
        # --exact's hooks apply supervisord's policy, which the watcher then carries
        policy = w["options"].get("sup2circus.autorestart")
        circ_restarts = policy if policy is not None else str(w["respawn"]).lower()
        diff.check(section, name, "restarts", p["autorestart"], circ_restarts)
        opts = w["options"]
        if policy is not None:  # the rest of supervisord's policy, as the hooks apply it
            sup_policy = (p["exitcodes"], p["startsecs"], p["startretries"])
            circ_policy = (
                [int(c) for c in opts.get("sup2circus.exitcodes", "0").split(",")],
                int(opts.get("sup2circus.startsecs", "1")),
                int(opts.get("sup2circus.startretries", "3")),
            )
            diff.check(section, name, "restarts", sup_policy, circ_policy)
        # stop: who gets the signals (circus: the main process, unless --exact's hooks signal
        # the process group)
        circ_group = tuple(
            opts.get(f"sup2circus.{o}", "false") == "true" for o in ("stopasgroup", "killasgroup")
        )
        # killasgroup is the SIGKILL after stopwaitsecs, which never comes when the stop
        # signal already is KILL (test_killasgroup_with_stopsignal_kill_is_no_difference)
        sup_kill = p["killasgroup"] and int(p["stopsignal"]) != signal.SIGKILL
        diff.check(section, name, "stop", (p["stopasgroup"], sup_kill), circ_group)
        # umask: the program's, else supervisord's own when it daemonizes (else inherited)
        sup_umask = p["umask"] if p["umask"] is not None else daemon_umask
        circ_umask = wrapper_umask if wrapper_umask is not None else circus_umask
        diff.check(section, name, "umask", _applied(sup_umask), _applied(circ_umask))
        if p["socket"] is not None:  # fcgi-program: the socket on the child's stdin
            socks = {sock["name"]: sock for sock in whole["sockets"]}
            sock = socks.get(str(w["stdin_socket"]))
            diff.check(section, name, "socket", socket_address(p["socket"]), circus_address(sock))
            # supervisord listens with socket_backlog, else socket.SOMAXCONN; circus: backlog
            sup_backlog = p["socket_backlog"] or socket.SOMAXCONN
            circ_backlog = None if sock is None else int(sock.get("backlog", 2048))
            diff.check(section, name, "socket backlog", sup_backlog, circ_backlog)
        # log files: supervisord opens them from daemon_cwd (the chdir of its daemonizing),
        # circusd from the directory it is started in, where supervisord started too; the
        # paths are compared resolved that way, not as the strings each daemon reads
        s_out, s_err = sup_streams(p, daemon_cwd)
        c_out, c_err = circus_streams(w, redirect)
        diff.check(section, name, "stdout", s_out, c_out)
        diff.check(section, name, "stderr", s_err, c_err)
        for s_dest, c_dest in ((s_out, c_out), (s_err, c_err)):
            if s_dest == ("auto",) and c_dest[0] == "file":
                # supervisord names an AUTO log at random (S2C110), but in childlogdir: no
                # finding explains another directory. It names it before daemonizing, as an
                # absolute path (create_autochildlogs: tempfile.mkstemp), so a relative
                # childlogdir is relative to the directory it starts in, like circusd's
                where = os.path.normpath(os.path.dirname(c_dest[1]))
                diff.check(section, name, "auto log dir", os.path.normpath(childlogdir), where)
                # ... and at random: two processes never share one file
                other = auto_files.setdefault(c_dest[1], name)
                if other != name:
                    diff.unexplained.append(f"{name}: AUTO log {c_dest[1]} shared with {other}")

    # nothing runs under circus that supervisord would not run
    sup_names = {p["name"] for p in sup}
    for w in model.watchers:
        if w.process not in sup_names:
            diff.unexplained.append(f"watcher {w.name} runs {w.process}, not a supervisord process")
    # start order: supervisor's list is in start order; circus's by its arbiter's sort
    circ_order = [n for n in circ if n in set(sup_order)]
    want = list(dict.fromkeys(sup_order))
    if want != circ_order and not any(
        "start_order" in RULES[f.code].observes for f in conversion.findings if f.code in RULES
    ):
        diff.unexplained.append(f"start order: supervisor {want} != circus {circ_order}")
    assert not diff.unexplained, "\n".join(diff.unexplained)
    return [f"{len(sup)} processes agree"]


def compare_text(text: str, tmp_path: Path, **kw: Any) -> list[str]:
    """:func:`compare` of ``text`` written as ``tmp_path``/supervisord.conf (``work`` beside)."""
    conf = tmp_path / "supervisord.conf"
    conf.write_text(text)
    work = tmp_path / "work"
    work.mkdir()
    return compare(conf, work, **kw)


@pytest.mark.parametrize("conf", GOLDEN, ids=_ids(GOLDEN))
def test_golden_case(conf: Path, tmp_path: Path) -> None:
    compare(conf, tmp_path)


@pytest.mark.parametrize("flag", ["no_wrappers", "exact"])
@pytest.mark.parametrize("conf", GOLDEN, ids=_ids(GOLDEN))
def test_golden_case_with_flag(conf: Path, tmp_path: Path, flag: str) -> None:
    compare(conf, tmp_path, **{flag: True})


_STDOUT_TO = ["%(here)s/logs/out.log", "/dev/stdout", "/dev/stderr", "NONE", "AUTO"]
_STDERR_TO = ["%(here)s/logs/err.log", "/dev/stdout", "/dev/stderr", "NONE"]


@pytest.mark.parametrize("no_wrappers", [False, True])
@pytest.mark.parametrize("redirect", [False, True])
@pytest.mark.parametrize("stderr", _STDERR_TO)
@pytest.mark.parametrize("stdout", _STDOUT_TO)
def test_stream_routing_matrix(
    tmp_path: Path, stdout: str, stderr: str, redirect: bool, no_wrappers: bool
) -> None:
    """Every pair of destinations of one program's two streams, with and without
    redirect_stderr and wrappers: circusd routes each stream where supervisord does, or a
    finding says what differs."""
    here = tmp_path / "conf"
    (here / "logs").mkdir(parents=True)
    conf = here / "supervisord.conf"
    conf.write_text(
        "[supervisord]\nnodaemon=true\n[program:a]\ncommand=/usr/bin/prog\n"
        f"stdout_logfile={stdout}\nstderr_logfile={stderr}\n"
        f"redirect_stderr={str(redirect).lower()}\n"
        # no rotation, as in a container: with it, S2C134 would account for any difference
        "stdout_logfile_maxbytes=0\nstderr_logfile_maxbytes=0\n",
        encoding="utf-8",
    )
    work = tmp_path / "work"
    work.mkdir()
    compare(conf, work, no_wrappers=no_wrappers)


@pytest.mark.parametrize("conf", CORPUS, ids=_ids(CORPUS))
def test_realworld(conf: Path, tmp_path: Path) -> None:
    compare(conf, tmp_path)


@pytest.mark.parametrize("conf", SUPERVISOR_FIXTURES, ids=_ids(SUPERVISOR_FIXTURES))
def test_supervisor_fixture(conf: Path, tmp_path: Path) -> None:
    compare(conf, tmp_path)


@pytest.mark.parametrize(
    "option",
    [
        # supervisord's child calls os.umask(-1), which the kernel takes modulo 0o777; sh's
        # umask builtin refuses -01
        "umask=-1",
        "umask=1022",
        # supervisord's child fails to chdir('') and never runs the program
        "directory=",
        # names that are not shell identifiers: set again by `env` after the sh wrapper
        'umask=027\nenvironment=a.b="x,y",MY-VAR="  p  ",ok="1"',
        # existing_directory(''): supervisord refuses an empty directory or childlogdir
        "[supervisord] directory=",
        "[supervisord] childlogdir=",
    ],
)
def test_odd_values_run_as_supervisord_runs_them(option: str, tmp_path: Path) -> None:
    daemon = option.removeprefix("[supervisord] ") if option.startswith("[") else "nodaemon=true"
    program = "" if option.startswith("[") else option
    compare_text(
        f"[supervisord]\n{daemon}\n[program:a]\ncommand=/bin/echo hi\n{program}\n", tmp_path
    )


@pytest.mark.parametrize(
    "sections",
    [
        # circus lower-cases socket names: one [socket:x] would serve both programs
        "[fcgi-program:X]\ncommand=/bin/echo hi\nsocket=tcp://127.0.0.1:9001\n"
        "[fcgi-program:x]\ncommand=/bin/echo hi\nsocket=tcp://127.0.0.1:9002\n",
        # a socket circus cannot read back: the program would run without it (S2C501)
        "[fcgi-program:y]\ncommand=/bin/echo hi\nsocket=unix:///tmp/$(circus.wid).sock\n",
    ],
    ids=["names-differ-in-case", "unwritable-socket"],
)
def test_fcgi_programs_get_their_own_socket(sections: str, tmp_path: Path) -> None:
    compare_text(f"[supervisord]\nnodaemon=true\n{sections}", tmp_path)


@pytest.mark.parametrize(
    ("entry", "value"),
    [
        ("B=%(ENV_S2C_V)s,C=1", "plain"),
        ("B=%(ENV_S2C_V)s,C=1", "c,o=m"),
        ("B=%(ENV_S2C_V)s,C=1", 'q"uote'),
        ('B="%(ENV_S2C_V)s"', "c,o=m"),
        ('B="%(ENV_S2C_V)s"', "two words"),
        ('B="%(ENV_S2C_V)s"', 'q"uote'),
        # (supervisord refuses B=two words here: tests/build/test_build.py checks S2C018)
    ],
)
def test_deferred_environment_values_as_supervisord_parses_them(
    entry: str, value: str, tmp_path: Path
) -> None:
    # supervisord parses environment= after expanding it; circus passes a deferred value whole
    text = f"[supervisord]\nnodaemon=true\n[program:a]\ncommand=/bin/echo hi\nenvironment={entry}\n"
    compare_text(text, tmp_path, extra_env={"S2C_V": value})


@pytest.mark.parametrize(
    ("daemon_env", "program"),
    [
        ("HOME=%(ENV_HOME)s", "command=/bin/echo %(ENV_HOME)s"),
        ("HOME=%(ENV_HOME)s", "command=/bin/echo hi\ndirectory=%(ENV_HOME)s"),
        ("", 'command=/bin/echo %(ENV_S2C_V)s\nenvironment=s2c_v="%(ENV_S2C_V)s"'),
        ("HOME=%(ENV_HOME)s", "command=/bin/echo hi\nstdout_logfile=%(ENV_HOME)s/o.log"),
    ],
)
def test_a_deferred_reference_to_a_variable_environment_sets(
    daemon_env: str, program: str, tmp_path: Path
) -> None:
    # found by the runtime sweep: circus substitutes $(circus.env.X) in a watcher's options
    # from the watcher's [env] values as written (HOME = $HOME gives the text $HOME), where
    # supervisord uses environment='s expanded value: not converted (S2C501)
    env = f"environment={daemon_env}\n" if daemon_env else ""
    text = f"[supervisord]\nnodaemon=true\n{env}[program:a]\n{program}\n"
    compare_text(text, tmp_path, extra_env={"S2C_V": "v"})
    found = convert_text(text, options=ConvertOptions(environ={"HOME": "/root", "S2C_V": "v"}))
    assert [f.code for f in found.findings if f.severity is Severity.ERROR] == ["S2C501"]


@pytest.mark.parametrize("nodaemon", ["true", "false"])
@pytest.mark.parametrize("directory", ["rel", "/srv/abs", "%(ENV_HOME)s/x"])
def test_a_relative_program_directory_under_a_daemon_directory(
    directory: str, nodaemon: str, tmp_path: Path
) -> None:
    # supervisord's child changes to it from [supervisord] directory when supervisord daemonizes
    text = (
        f"[supervisord]\nnodaemon={nodaemon}\ndirectory=/srv\n"
        f"[program:a]\ncommand=/bin/echo hi\ndirectory={directory}\n"
    )
    compare_text(text, tmp_path)


@pytest.mark.parametrize("program_user", ["root", "0", "daemon", "nobody", ""])
@pytest.mark.parametrize("daemon_user", ["nobody", "root"])
def test_a_program_runs_as_the_user_supervisord_can_give_it(
    daemon_user: str, program_user: str, tmp_path: Path
) -> None:
    # supervisord drops to [supervisord] user first: as nobody it cannot switch to another user
    user = f"user={program_user}\n" if program_user else ""
    text = (
        f"[supervisord]\nnodaemon=true\nuser={daemon_user}\n"
        f"[program:a]\ncommand=/bin/echo hi\n{user}"
    )
    compare_text(text, tmp_path)


@pytest.mark.parametrize("program_env", ["", 'environment=LOGROOT="/custom"'])
def test_auto_logs_under_a_deferred_childlogdir(program_env: str, tmp_path: Path) -> None:
    # circus takes $(circus.env.LOGROOT) from the watcher's [env] first (the program's
    # environment=), supervisord from its own environment: compare checks the AUTO log's
    # directory
    text = (
        "[supervisord]\nnodaemon=true\nchildlogdir=%(ENV_LOGROOT)s/logs\n"
        f"[program:a]\ncommand=/bin/echo hi\n{program_env}\n"
    )
    compare_text(text, tmp_path, extra_env={"LOGROOT": str(tmp_path)})


@pytest.mark.parametrize("nodaemon", ["false", "true"])
def test_relative_log_files_under_a_daemon_directory(
    nodaemon: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # supervisord opens b.log after its daemonizing chdir to directory: {srv}/logs/b.log (and
    # c.log in {srv}); with nodaemon=true it never changes directory. The AUTO logs of a (and
    # of b's stderr) are named before it daemonizes: logs/ where it started, like circusd's.
    # Started where logs/ exists: no S2C012 (missing log directory) explains the log files
    monkeypatch.chdir(tmp_path)
    (tmp_path / "logs").mkdir()
    srv = tmp_path / "srv"
    conf = tmp_path / "supervisord.conf"
    conf.write_text(
        f"[supervisord]\nnodaemon={nodaemon}\ndirectory={srv}\nchildlogdir=logs\n"
        "[program:a]\ncommand=/bin/echo hi\n"
        "[program:b]\ncommand=/bin/echo hi\nstdout_logfile=logs/b.log\n"
        "[program:c]\ncommand=/bin/echo hi\nredirect_stderr=true\nstdout_logfile=c.log\n"
    )
    work = tmp_path / "work"
    work.mkdir()
    assert compare(conf, work) == ["3 processes agree"]
    assert not [
        f for f in convert_file(conf, options(conf, BASE_ENV)).findings if f.code == "S2C012"
    ]


def test_a_group_that_is_not_converted_leaves_no_member_behind(tmp_path: Path) -> None:
    # supervisord runs g:a and g:b; [program:a] cannot be converted (S2C015), so neither runs
    # under circus: b, a member of g, is never run as a group of its own
    conf = tmp_path / "g.conf"
    conf.write_text(
        "[supervisord]\nnodaemon=true\n[group:g]\nprograms=a,b\n"
        "[program:a]\ncommand=/bin/a %s\n[program:b]\ncommand=/bin/b\n",
        encoding="utf-8",
    )
    compare(conf, tmp_path)


def test_corpora_are_there() -> None:
    assert len(GOLDEN) >= 30
    assert len(CORPUS) >= 100
    assert len(SUPERVISOR_FIXTURES) >= 20


# --------------------------------------------------------------------------- the judge itself
def _ini(tmp_path: Path, body: str) -> str:
    path = tmp_path / "c.ini"
    path.write_text("[circus]\nendpoint = ipc:///tmp/s2c-d.sock\nmulticast_endpoint =\n\n" + body)
    return str(path)


def test_circus_judge_reports_dropped_watchers(tmp_path: Path) -> None:
    """T18/T20/T34: circusd drops these watchers silently; the judge reports them."""
    ini = _ini(
        tmp_path,
        "[watcher:pipe]\ncmd = /bin/true\nstdout_stream.class = FileStream\n"
        "stdout_stream.filename = /dev/stdout\n\n"
        "[watcher:size]\ncmd = /bin/true\nstdout_stream.class = FileStream\n"
        "stdout_stream.filename = /var/log/x/out.log\nstdout_stream.max_bytes = 1KB\n\n"
        "[watcher:hook]\ncmd = /bin/true\nhooks.after_reap = s2c_nonexistent.mod\n\n"
        "[watcher:ok]\ncmd = /bin/echo 100%% a;b $(circus.wid) ; comment\npriority = 3\n",
    )
    view = {w["name"]: w for w in circus_view(ini, log_dir=str(tmp_path))}
    assert view["pipe"]["failed"] and "seekable" in view["pipe"]["error"]
    assert view["size"]["failed"] and "1KB" in view["size"]["error"]
    assert view["hook"]["failed"] and "s2c_nonexistent" in view["hook"]["error"]
    ok = view["ok"]
    assert not ok["failed"] and ok["start_index"] == 0
    # T15/T16: %% stays, the first ';' has no space before it (no comment), $(circus.wid) -> 1
    assert ok["argv"] == ["/bin/echo", "100%%", "a;b", "1", ";", "comment"]
    # the log file went to the redirected location, not /var/log
    assert not Path("/var/log/x/out.log").exists()


def test_circus_judge_env_rules(tmp_path: Path) -> None:
    """T11/T12: circus strips and $-expands section values and inherited ones."""
    ini = _ini(
        tmp_path,
        "[watcher:w]\ncmd = /bin/true\ncopy_env = true\n\n"
        "[env:w]\nPAD =   x  \nPASS = pa$SWORD1\nNOTE = a ;b\nLOW = $home\n",
    )
    env = dict(DEFAULT_ENV, SWORD1="LEAKED", INHERITED="price $USD5")
    (w,) = circus_view(ini, env=env, log_dir=str(tmp_path))
    assert w["env"]["PAD"] == "x"
    assert w["env"]["PASS"] == "paLEAKED"
    assert w["env"]["NOTE"] == "a"
    assert w["env"]["LOW"] == "$home"
    assert w["env"]["INHERITED"] == "price"
    assert w["env"]["__name__"] == "env:w"


def test_circus_judge_deferred_references(tmp_path: Path) -> None:
    """What S2C008 says circus does with a deferred reference: in cmd, an undefined
    $(circus.env.X) stays literal text; in an [env] section an undefined $X is empty, and a
    value put at either end of a variable loses its surrounding whitespace."""
    ini = _ini(
        tmp_path,
        "[watcher:w]\ncmd = /bin/prog $(circus.env.S2C_UNDEF)\ncopy_env = true\n\n"
        "[env:w]\nGONE = $S2C_UNDEF\nEDGE = $S2C_PAD\nINSIDE = <$S2C_PAD>\n",
    )
    env = dict(DEFAULT_ENV, S2C_PAD="  padded  ")
    (w,) = circus_view(ini, env=env, log_dir=str(tmp_path))
    assert w["argv"] == ["/bin/prog", "$(circus.env.S2C_UNDEF)"]
    assert w["env"]["GONE"] == ""
    assert w["env"]["EDGE"] == "padded"
    assert w["env"]["INSIDE"] == "<  padded  >"


def test_unwrap() -> None:
    argv = ["env", "A=1", "B= x ", "sh", "-c", 'umask 027&&exec "$0" "$@" 2>&1', "/bin/app", "-x"]
    assert unwrap(argv) == (["/bin/app", "-x"], {"A": "1", "B": " x "}, "2>&1", 0o27)
    assert unwrap(shlex.split("/bin/app a b")) == (["/bin/app", "a", "b"], {}, "", None)


def _compare_tampered(
    conf: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    replacements: tuple[tuple[str, str], ...],
    **flags: Any,
) -> str:
    """compare() of a conversion whose circus.ini had ``replacements`` made: its failure."""
    real = convert_file

    def tampered(path: Any, opts: Any = None) -> Conversion:
        conv = real(path, opts)
        text = conv.text
        for old, new in replacements:
            assert old in text, old
            text = text.replace(old, new)
        return Conversion(text=text, findings=(), source=conv.source, circus=conv.circus)

    monkeypatch.setattr(sys.modules[__name__], "convert_file", tampered)
    work = tmp_path / "tampered"
    work.mkdir()
    with pytest.raises(AssertionError) as err:
        compare(conf, work, **flags)
    return str(err.value)


def test_compare_detects_a_disagreement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison is not vacuous: a tampered conversion is caught, field by field."""
    conf = tmp_path / "supervisord.conf"
    conf.write_text(
        "[supervisord]\nnodaemon=true\n[program:web]\ncommand=/usr/bin/web --port 80\n"
        "directory=/srv\nstopwaitsecs=7\nautorestart=true\nstdout_logfile=/dev/stdout\n"
        'stdout_logfile_maxbytes=0\nstderr_logfile=NONE\nenvironment=MODE="prod"\n'
    )
    work = tmp_path / "work"
    work.mkdir()
    assert compare(conf, work) == ["1 processes agree"]
    tampered = (
        ("graceful_timeout = 7", "graceful_timeout = 8"),
        ("--port 80", "--port 81"),
        ("working_dir = /srv", "working_dir = /srv2"),
        ("MODE = prod", "MODE = dev"),
        ("close_child_stderr = true", "close_child_stderr = false"),
        ("respawn = true", "respawn = false"),
    )
    err = _compare_tampered(conf, tmp_path, monkeypatch, tampered)
    for field in ("argv", "cwd", "env", "stop_timeout", "stderr", "restarts"):
        assert f"] {field}: supervisor" in err, field


def test_compare_resolves_log_files_where_each_daemon_opens_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative log file under a daemonizing supervisord with a directory: the comparison
    resolves it against that directory, so circus.ini's path as written is caught."""
    conf = tmp_path / "supervisord.conf"
    conf.write_text(
        "[supervisord]\nnodaemon=false\ndirectory=/srv\n"
        "[program:b]\ncommand=/bin/echo hi\nstdout_logfile=logs/b.log\n"
    )
    tampered = (
        ("stdout_stream.filename = /srv/logs/b.log", "stdout_stream.filename = logs/b.log"),
    )
    err = _compare_tampered(conf, tmp_path, monkeypatch, tampered)
    assert "] stdout: supervisor ('file', '/srv/logs/b.log'" in err


def test_compare_detects_a_policy_disagreement_under_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--exact's hooks carry supervisord's restart and stop policy: a tampered one is caught."""
    conf = tmp_path / "supervisord.conf"
    conf.write_text(
        "[supervisord]\nnodaemon=true\n[program:web]\ncommand=/usr/bin/web\n"
        "exitcodes=0,2\nstartsecs=2\nstopasgroup=true\n"
    )
    work = tmp_path / "work"
    work.mkdir()
    assert compare(conf, work, exact=True) == ["1 processes agree"]
    tampered = (
        ("sup2circus.startsecs = 2", "sup2circus.startsecs = 3"),
        ("sup2circus.stopasgroup = true", "sup2circus.stopasgroup = false"),
    )
    err = _compare_tampered(conf, tmp_path, monkeypatch, tampered, exact=True)
    assert "] restarts: supervisor ([0, 2], 2, 3) != circus ([0, 2], 3, 3)" in err
    assert "] stop: supervisor (True, True) != circus (False, True)" in err


def test_unwrap_pwd_restore() -> None:
    script = PWD_RESTORE + 'exec "$0" "$@" 1>&2'
    pwd_ref = "$(circus.env.PWD)"
    assert unwrap(["/bin/sh", "-c", script, "/bin/app", "/srv", pwd_ref, "-x"]) == (
        ["/bin/app", "-x"],
        {"PWD": "/srv"},
        "1>&2",
        None,
    )
    assert unwrap(["/bin/sh", "-c", script, "/bin/app", pwd_ref, pwd_ref]) == (
        ["/bin/app"],
        {"PWD": None},
        "1>&2",
        None,
    )


# --------------------------------------------------------------------------- what is reported
def _finding_key(f: dict[str, object]) -> tuple[object, ...]:
    return (f["file"], f["line"], f["column"], f["code"], f["section"], f["option"])


def _checked(conf: Path) -> list[dict[str, object]] | None:
    """What ``sup2circus --check --output-format json`` reports for ``conf`` (None: refused)."""
    from click.testing import CliRunner

    from sup2circus.cli import cli

    args = ["--isolated", "--check", "--exit-zero", "--output-format", "json", str(conf)]
    r = CliRunner().invoke(cli, args, catch_exceptions=False)
    if r.exit_code != 0:
        return None
    fields = ("code", "severity", "message", "file", "line", "column", "section", "option")
    return [{k: f[k] for k in fields} for f in json.loads(r.stdout)]


@pytest.mark.parametrize("conf", CORPUS, ids=_ids(CORPUS))
def test_realworld_findings_once_and_as_checked(conf: Path) -> None:
    """Each fact is reported once (one finding per file, line, column, code, section and
    option); ``--check`` reports exactly what the conversion does; and no output shows the
    internal marker of a deferred %(ENV_X)s."""
    try:
        conv = convert_file(conf)
    except ConfigError as err:
        assert ENV_MARK_START not in str(err)
        assert _checked(conf) is None
        return
    found = [f.to_dict() for f in conv.findings]
    keys = [_finding_key(f) for f in found]
    assert len(keys) == len(set(keys)), [k for k in keys if keys.count(k) > 1]
    assert _checked(conf) == found
    assert ENV_MARK_START not in conv.text
    for f in conv.findings:
        assert ENV_MARK_START not in f.message, f
    # with every variable defined (deferred, not undefined) and with --resolve-env too
    for options in (
        ConvertOptions(environ=environment_for(conf)),
        ConvertOptions(environ=environment_for(conf), resolve_env=True, no_wrappers=True),
    ):
        try:
            other = convert_file(conf, options)
        except ConfigError as err:  # e.g. numprocs = %(ENV_X)s with X = "v-x"
            assert ENV_MARK_START not in str(err)
            continue
        assert ENV_MARK_START not in other.text
        assert all(ENV_MARK_START not in f.message for f in other.findings)
        other_keys = [_finding_key(f.to_dict()) for f in other.findings]
        assert len(other_keys) == len(set(other_keys))


@pytest.mark.parametrize(
    "conf", GOLDEN + CORPUS + SUPERVISOR_FIXTURES, ids=_ids(GOLDEN + CORPUS + SUPERVISOR_FIXTURES)
)
def test_a_finding_stands_on_the_line_of_its_option(conf: Path) -> None:
    """A finding that names an option set in its section is located on that option's line
    (where a suppression comment for it goes), not on the section's header. S2C013 (a
    duplicate) stands on the first of the two lines and names the other."""
    from sup2circus.read import read_file

    try:
        conv = convert_file(conf, ConvertOptions(environ=environment_for(conf)))
        raw = read_file(str(conf), environ=environment_for(conf), host_node_name=None)
    except ConfigError:
        return
    sections = {s.name: s for s in raw.sections}
    misplaced = []
    for f in conv.findings:
        sec = sections.get(f.section or "")
        opt = None if sec is None or f.option is None else sec.options.get(f.option)
        if opt is None or f.code == "S2C013":
            continue
        here = (os.path.realpath(opt.loc.file), opt.loc.line)
        if (os.path.realpath(f.file), f.line) != here:
            misplaced.append((f.code, f.section, f.option, f.line, opt.loc.line))
    assert misplaced == []
