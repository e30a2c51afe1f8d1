"""The declarative mapping table: every supervisor option -> its circus form or a finding.

This one table drives three things:

* the reader/builder's notion of which options each section type knows (anything else is an
  ``S2C004 unknown-option`` finding, with the closest valid name suggested);
* the translator (:mod:`.translate`), which looks up each option's circus target and the codes
  it may report;
* the documentation: the conversion matrix in the README and docs/conversion.md, and the rule
  list in docs/rules.md (:mod:`.docs`), so code and docs cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OptionMapping:
    section: str  # section kind: program, fcgi-program, eventlistener, group, supervisord, ...
    option: str
    default: str | None  # supervisor's default, as text (None: no default / required)
    circus: str  # the circus form (option, section, wrapper or hook), or "-" for none
    fidelity: str  # exact | exact (wrapper) | exact (hook, --exact) | approx | none
    codes: tuple[str, ...] = ()  # finding codes this option can produce
    note: str = ""


def _p(
    option: str,
    default: str | None,
    circus: str,
    fidelity: str,
    *codes: str,
    note: str = "",
    section: str = "program",
) -> OptionMapping:
    return OptionMapping(section, option, default, circus, fidelity, tuple(codes), note)


# Options every process section ([program:x], [fcgi-program:x], [eventlistener:x]) reads.
_PROCESS: tuple[OptionMapping, ...] = (
    _p(
        "command",
        None,
        "cmd",
        "exact",
        "S2C501",
        "S2C117",
        "S2C125",
        "S2C015",
        note="expanded, comments and %% resolved, re-quoted so circus's parser returns the same "
        "argv",
    ),
    _p(
        "process_name",
        "%(program_name)s",
        "[watcher:NAME]",
        "exact",
        "S2C502",
        note="watcher name = supervisorctl name: `prog`, or `group:process`",
    ),
    _p(
        "numprocs",
        "1",
        "one watcher per process (numprocesses when identical)",
        "exact",
        "S2C109",
        "S2C126",
    ),
    _p("numprocs_start", "0", "process_num expanded per watcher", "exact", "S2C109"),
    _p(
        "priority",
        "999",
        "priority (negated; start order encoded)",
        "exact",
        "S2C108",
        note="circus starts the highest priority first; stops are not sequential",
    ),
    _p("autostart", "true", "autostart", "exact"),
    _p(
        "autorestart",
        "unexpected",
        "respawn (hooks with --exact)",
        "exact (hook, --exact)",
        "S2C101",
    ),
    _p("exitcodes", "0", "hooks with --exact", "exact (hook, --exact)", "S2C101"),
    _p("startsecs", "1", "hooks with --exact", "exact (hook, --exact)", "S2C102"),
    _p("startretries", "3", "hooks with --exact", "exact (hook, --exact)", "S2C102"),
    _p("stopsignal", "TERM", "stop_signal", "exact"),
    _p("stopwaitsecs", "10", "graceful_timeout (always written: circus default is 30)", "exact"),
    _p("stopasgroup", "false", "hooks with --exact", "exact (hook, --exact)", "S2C103"),
    _p("killasgroup", "false", "hooks with --exact", "exact (hook, --exact)", "S2C103"),
    _p("user", None, "uid", "exact", "S2C011"),
    _p(
        "redirect_stderr",
        "false",
        'sh -c \'exec "$0" "$@" 2>&1\' wrapper',
        "exact (wrapper)",
        "S2C105",
    ),
    _p(
        "stdout_logfile",
        "AUTO",
        "stdout_stream (FileStream / inherit / close_child_stdout)",
        "exact",
        "S2C110",
        "S2C012",
        "S2C112",
        "S2C124",
        "S2C134",
        note="/dev/stdout & co. inherit circusd's fd; NONE closes; AUTO gets a fixed path",
    ),
    _p("stdout_logfile_maxbytes", "50MB", "stdout_stream.max_bytes (bytes)", "exact", "S2C134"),
    _p("stdout_logfile_backups", "10", "stdout_stream.backup_count", "exact", "S2C111"),
    _p("stdout_capture_maxbytes", "0", "-", "none", "S2C113"),
    _p(
        "stdout_events_enabled",
        "false",
        "- (with supervisor_stdout: PrefixedStdoutStream)",
        "none",
        "S2C113",
        "S2C132",
    ),
    _p("stdout_syslog", "false", "-", "none", "S2C112"),
    _p(
        "stderr_logfile",
        "AUTO",
        "stderr_stream (FileStream / inherit / close_child_stderr)",
        "exact",
        "S2C110",
        "S2C012",
        "S2C112",
        "S2C114",
        "S2C134",
    ),
    _p("stderr_logfile_maxbytes", "50MB", "stderr_stream.max_bytes (bytes)", "exact", "S2C134"),
    _p("stderr_logfile_backups", "10", "stderr_stream.backup_count", "exact", "S2C111"),
    _p("stderr_capture_maxbytes", "0", "-", "none", "S2C113"),
    _p(
        "stderr_events_enabled",
        "false",
        "- (with supervisor_stdout: PrefixedStdoutStream)",
        "none",
        "S2C113",
        "S2C132",
    ),
    _p("stderr_syslog", "false", "-", "none", "S2C112"),
    _p(
        "environment",
        "",
        "[env:NAME] (+ `env` wrapper for values circus would rewrite)",
        "exact",
        "S2C115",
        "S2C123",
        "S2C503",
        "S2C008",
        "S2C007",
        "S2C016",
    ),
    _p("directory", None, "working_dir", "exact", "S2C501"),
    _p("umask", None, 'sh -c \'umask NNN && exec "$0" "$@"\' wrapper', "exact (wrapper)", "S2C104"),
    _p("serverurl", "AUTO", "-", "none", "S2C107"),
)

_FCGI: tuple[OptionMapping, ...] = tuple(
    _p(o, d, c, f, *codes, section="fcgi-program")
    for o, d, c, f, codes in (
        ("socket", None, "[socket:NAME] + stdin_socket", "exact", ("S2C118",)),
        ("socket_backlog", "SOMAXCONN", "[socket:NAME] backlog", "exact", ()),
        ("socket_mode", "0700", "[socket:NAME] umask (decimal)", "exact", ()),
        ("socket_owner", None, "-", "none", ("S2C119",)),
    )
)

_EVENTLISTENER: tuple[OptionMapping, ...] = (
    _p(
        "events",
        None,
        "- (two Docker idioms: sup2circus hooks / PrefixedStdoutStream)",
        "none",
        "S2C120",
        "S2C130",
        "S2C131",
        "S2C132",
        section="eventlistener",
        note="PROCESS_STATE_FATAL + kill supervisord: --exact hooks stop circusd; "
        "PROCESS_LOG + supervisor_stdout: prefixed streams",
    ),
    _p("buffer_size", "10", "-", "none", "S2C120", section="eventlistener"),
    _p(
        "result_handler",
        "supervisor.dispatchers:default_handler",
        "-",
        "none",
        "S2C120",
        "S2C132",
        section="eventlistener",
    ),
)

_GROUP: tuple[OptionMapping, ...] = (
    _p(
        "programs",
        None,
        "watcher names group:program, start order in priorities",
        "exact",
        "S2C121",
        section="group",
    ),
    _p(
        "priority",
        "999",
        "start order encoded in watcher priorities",
        "exact",
        "S2C121",
        section="group",
    ),
)

_SUPERVISORD: tuple[OptionMapping, ...] = tuple(
    _p(o, d, c, f, *codes, section="supervisord")
    for o, d, c, f, codes in (
        ("nodaemon", "false", "- (circusd --daemon on the command line)", "approx", ("S2C201",)),
        (
            "logfile",
            "supervisord.log",
            "[circus] logoutput",
            "approx",
            ("S2C202", "S2C012", "S2C210"),
        ),
        ("logfile_maxbytes", "50MB", "-", "none", ("S2C202", "S2C210")),
        ("logfile_backups", "10", "-", "none", ("S2C202",)),
        ("loglevel", "info", "[circus] loglevel (renamed)", "exact", ("S2C203",)),
        ("pidfile", "supervisord.pid", "[circus] pidfile", "approx", ("S2C204",)),
        ("umask", "022", "[circus] umask (only when daemonizing)", "exact", ("S2C206",)),
        ("user", None, "uid on every watcher", "approx", ("S2C122", "S2C011")),
        ("directory", None, "-", "none", ("S2C205",)),
        (
            "childlogdir",
            "(temp dir)",
            "directory of AUTO log files",
            "approx",
            ("S2C110", "S2C012"),
        ),
        ("environment", "", "[env] (+ `env` wrapper)", "exact", ("S2C115", "S2C123", "S2C015")),
        ("minfds", "1024", "-", "none", ("S2C205",)),
        ("minprocs", "200", "-", "none", ("S2C205",)),
        ("identifier", "supervisor", "-", "none", ("S2C205",)),
        ("nocleanup", "false", "-", "none", ("S2C205",)),
        ("strip_ansi", "false", "-", "none", ("S2C205",)),
        ("silent", "false", "-", "none", ("S2C205",)),
    )
)

_SERVERS: tuple[OptionMapping, ...] = (
    _p(
        "file",
        None,
        "[circus] endpoint = ipc://FILE (+ pubsub_endpoint)",
        "approx",
        "S2C301",
        section="unix_http_server",
    ),
    _p("chmod", "0700", "-", "none", "S2C301", section="unix_http_server"),
    _p(
        "chown",
        None,
        "[circus] endpoint_owner (user only)",
        "approx",
        "S2C301",
        section="unix_http_server",
    ),
    _p("username", None, "-", "none", "S2C306", section="unix_http_server"),
    _p("password", None, "-", "none", "S2C306", section="unix_http_server"),
    _p(
        "port",
        None,
        "ipc:// endpoint in the runtime directory (never TCP)",
        "none",
        "S2C302",
        section="inet_http_server",
    ),
    _p("username", None, "-", "none", "S2C303", section="inet_http_server"),
    _p("password", None, "-", "none", "S2C303", section="inet_http_server"),
    _p("serverurl", None, "circusctl --endpoint", "none", "S2C304", section="supervisorctl"),
    _p("username", None, "-", "none", "S2C304", section="supervisorctl"),
    _p("password", None, "-", "none", "S2C304", section="supervisorctl"),
    _p("prompt", "supervisor", "-", "none", "S2C304", section="supervisorctl"),
    _p("history_file", None, "-", "none", "S2C304", section="supervisorctl"),
    _p(
        "files",
        None,
        "inlined: included sections are merged into the output",
        "exact",
        "S2C001",
        "S2C002",
        "S2C003",
        "S2C015",
        "S2C017",
        section="include",
    ),
    _p(
        "supervisor.rpcinterface_factory",
        None,
        "-",
        "none",
        "S2C305",
        "S2C307",
        section="rpcinterface",
    ),
)

MAPPING: tuple[OptionMapping, ...] = (
    _PROCESS + _FCGI + _EVENTLISTENER + _GROUP + _SUPERVISORD + _SERVERS
)

# Which option rows apply to which section kind.
_KIND_ROWS = {
    "program": ("program",),
    "fcgi-program": ("program", "fcgi-program"),
    "eventlistener": ("program", "eventlistener"),
    "group": ("group",),
    "supervisord": ("supervisord",),
    "unix_http_server": ("unix_http_server",),
    "inet_http_server": ("inet_http_server",),
    "supervisorctl": ("supervisorctl",),
    "include": ("include",),
    "rpcinterface": ("rpcinterface",),
}

# rpcinterface sections take arbitrary factory keyword options; supervisorctl has a few more.
OPEN_SECTIONS = frozenset({"rpcinterface"})


def section_kind(section: str) -> str | None:
    """The kind of a supervisor section name, or None for a section supervisor ignores.

    Mirrors supervisor: ``program:``/``fcgi-program:``/``eventlistener:``/``group:``/
    ``rpcinterface:`` prefixes; ``unix_http_server``/``inet_http_server`` match by prefix
    (supervisor uses ``startswith``); ``supervisord``/``supervisorctl``/``include`` exactly.
    """
    if ":" in section:
        prefix = section.split(":", 1)[0]
        if prefix in ("program", "fcgi-program", "eventlistener", "group", "rpcinterface"):
            return prefix
    for prefix in ("unix_http_server", "inet_http_server"):
        if section.startswith(prefix):
            return prefix
    if section in ("supervisord", "supervisorctl", "include"):
        return section
    return None


def known_options(kind: str) -> frozenset[str]:
    """Options supervisor reads in a section of this kind."""
    rows = _KIND_ROWS.get(kind, ())
    names = {m.option for m in MAPPING if m.section in rows}
    if kind == "eventlistener":
        # supervisor refuses redirect_stderr=true there but still reads it
        names.add("redirect_stderr")
    return frozenset(names)


def all_known_options() -> dict[str, tuple[str, ...]]:
    """option name -> the section kinds that read it."""
    out: dict[str, list[str]] = {}
    for kind in _KIND_ROWS:
        for name in known_options(kind):
            out.setdefault(name, []).append(kind)
    return {k: tuple(v) for k, v in out.items()}


def suggest(option: str, kind: str) -> str | None:
    """The closest valid option name for a misspelled one, if any is close."""
    import difflib

    matches = difflib.get_close_matches(option, sorted(known_options(kind)), n=1, cutoff=0.75)
    return matches[0] if matches else None
