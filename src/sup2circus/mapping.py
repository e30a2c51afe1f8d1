"""The mapping table: one row per supervisor option, and it runs.

Each row declares, for one option: the section kinds that read it, supervisor's default, its
parser (from :mod:`.datatypes`), which names it is expanded with (:data:`EXPANSIONS`), its
circus form and fidelity (docs), the translation topic that handles it (a module of
``translate/``), the finding codes it may emit, and -- for the few options that need more than
"text or default -> expand -> parse -> the model's field" -- the build handler that reads it.

It drives:

* which options each section kind knows (anything else is ``S2C004``/``S2C005``);
* build's reading of the ordinary options (:func:`ordinary_rows`: one generic loop);
* the docs: the conversion matrix and the rule list (:mod:`.docs`), so code and docs cannot
  drift; tests/build/test_mapping.py checks every finding is declared on its option's row.

Adding an ordinary [program:x] option: a row here (in supervisor's read order), the model's
field of the same name (model.py), and its translation (the row's topic).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import datatypes as dt
from .model import AutoRestart

# how an option's value is expanded (the names its %(name)s may use), by supervisor 4.3
EXPANSIONS = {
    "program": "here, program_name, group_name, host_node_name, ENV_*",
    "process": "also process_num, numprocs and the program's own environment= names",
    "process, twice": "as process, then once more with the same names",
    "group": "here, ENV_*",
    "group, program_name": "here, program_name, ENV_*",
    "supervisord": "here, ENV_*",
    "supervisord, twice": "here, ENV_*; then again with here, host_node_name, ENV_*",
    "env": "ENV_* only",
    "include": "here, host_node_name, ENV_* (when reading)",
    "none": "not expanded",
}
# the codes any option expanded that way may emit, besides its row's own: S2C007 (an ENV_
# name resolved now), S2C014 (an undefined ENV_ name where circus cannot defer it: not
# converted), S2C015 (a bare %s), S2C010 (%(host_node_name)s baked in, where it is a name)
_EXPANSION_CODES = {
    "program": ("S2C007", "S2C010", "S2C014", "S2C015"),
    "process": ("S2C007", "S2C010", "S2C014", "S2C015"),
    "process, twice": ("S2C007", "S2C010", "S2C014", "S2C015"),
    "group": ("S2C007", "S2C014", "S2C015"),
    "group, program_name": ("S2C007", "S2C014", "S2C015"),
    "supervisord": ("S2C007", "S2C014", "S2C015"),
    "supervisord, twice": ("S2C007", "S2C010", "S2C014", "S2C015"),
    "env": ("S2C007", "S2C014", "S2C015"),
    "include": ("S2C007", "S2C010", "S2C015"),
    "none": (),
}
# S2C013: any option may be set twice in one section (the reader reports it)
_READING_CODES = ("S2C013",)
TOPICS = frozenset(
    {
        "command",
        "environment",
        "streams",
        "lifecycle",
        "ordering",
        "daemon",
        "sockets",
        "listeners",
        "read",  # handled when reading the files ([include])
    }
)
# the section kinds a row of each section group applies to
_KINDS = {
    "program": ("program", "fcgi-program", "eventlistener"),
    "fcgi-program": ("fcgi-program",),
    "eventlistener": ("eventlistener",),
}


# per section group: the expansion, translate topic and build handler of its rows, unless a
# row says otherwise
_DEFAULTS = {
    "program": ("program", "lifecycle", ""),
    "fcgi-program": ("group", "sockets", "groups._fcgi_program"),
    "eventlistener": ("group", "listeners", "groups._eventlistener"),
    "group": ("group", "ordering", "groups._group"),
    "supervisord": ("supervisord", "daemon", "supervisord.supervisord"),
    "unix_http_server": ("env", "daemon", "servers._unix"),
    "inet_http_server": ("env", "daemon", "servers._inet"),
    "supervisorctl": ("none", "daemon", "servers._ctl"),
    "include": ("include", "read", "read"),
    "rpcinterface": ("env", "daemon", "servers.rpcinterfaces"),
}


def auto_restart(value: str) -> AutoRestart:
    """autorestart= as the model holds it."""
    return AutoRestart(dt.auto_restart(value))


def list_of_exitcodes(value: str) -> tuple[int, ...]:
    """exitcodes= as the model holds it."""
    return tuple(dt.list_of_exitcodes(value))


@dataclass(frozen=True, slots=True)
class OptionMapping:
    section: str  # the section group: program, fcgi-program, eventlistener, group, supervisord...
    option: str
    default: str | None  # supervisor's default, as text (None: no default / required)
    circus: str  # the circus form (option, section, wrapper or hook), or "-" for none
    fidelity: str  # exact | exact (wrapper) | exact (hook, --exact) | approx | none
    codes: tuple[str, ...] = ()  # finding codes this option can produce
    note: str = ""
    parser: Callable[[str], Any] | None = None  # None: the expanded text itself
    expand: str = "none"  # a key of EXPANSIONS
    topic: str = ""  # the translate/ module that handles it (TOPICS)
    handler: str = ""  # the build function that reads it, when not the generic loop
    kinds: tuple[str, ...] = ()  # the section kinds that read it
    value: Any = None  # the default, parsed (None: no default, or none the parser takes)

    @property
    def all_codes(self) -> tuple[str, ...]:
        """Every code a finding about this option may have: the row's own, its expansion's
        and the reader's."""
        return self.codes + _EXPANSION_CODES[self.expand] + _READING_CODES


def _p(
    option: str,
    default: str | None,
    circus: str,
    fidelity: str,
    *codes: str,
    section: str = "program",
    parser: Callable[[str], Any] | None = None,
    expand: str = "",
    topic: str = "",
    handler: str | None = None,
    note: str = "",
) -> OptionMapping:
    """A row; ``expand``, ``topic`` and ``handler`` default to its section's (_DEFAULTS)."""
    default_expand, default_topic, default_handler = _DEFAULTS[section]
    expand = expand or default_expand
    topic = topic or default_topic
    handler = default_handler if handler is None else handler
    assert expand in EXPANSIONS and topic in TOPICS, (option, expand, topic)
    kinds = _KINDS.get(section, (section,))
    value = None
    if parser is not None and default is not None:
        try:
            value = parser(default)
        except ValueError:
            value = None  # a default supervisor computes (SOMAXCONN...)
    return OptionMapping(
        section,
        option,
        default,
        circus,
        fidelity,
        codes,
        note,
        parser,
        expand,
        topic,
        handler,
        kinds,
        value,
    )


def _channel_rows(
    ch: str, logfile_codes: tuple[str, ...], note: str = ""
) -> tuple[OptionMapping, ...]:
    """The six options of one output channel: stdout's and stderr's differ only by name and by
    the codes their log file may add (S2C124; S2C135)."""
    streams = "- (with supervisor_stdout: PrefixedStdoutStream)"
    return (
        _p(
            f"{ch}_logfile",
            "AUTO",
            f"{ch}_stream (FileStream / inherit / close_child_{ch})",
            "exact",
            *(
                "S2C008",
                "S2C018",
                "S2C019",
                "S2C110",
                "S2C012",
                "S2C112",
                *logfile_codes,
                "S2C134",
                "S2C137",
                "S2C501",
            ),
            expand="process, twice",
            note=note,
            topic="streams",
            handler="processes._log",
        ),
        _p(
            f"{ch}_logfile_maxbytes",
            "50MB",
            f"{ch}_stream.max_bytes (bytes)",
            "exact",
            "S2C134",
            parser=dt.byte_size,
            expand="process",
            # loggers.RotatingFileHandler.emit vs circus FileStream (measured by the runtime
            # sweep: 1,111 against 1,010 bytes for 1KB)
            note="circus rolls over before the write that would pass it, supervisord after the "
            "write that passed it: a file differs by at most one write",
            topic="streams",
            handler="processes._log",
        ),
        _p(
            f"{ch}_logfile_backups",
            "10",
            f"{ch}_stream.backup_count",
            "exact",
            "S2C111",
            parser=dt.integer,
            expand="process",
            topic="streams",
            handler="processes._log",
        ),
        _p(
            f"{ch}_capture_maxbytes",
            "0",
            "-",
            "none",
            "S2C113",
            parser=dt.byte_size,
            topic="streams",
            handler="processes._log",
        ),
        _p(
            f"{ch}_events_enabled",
            "false",
            streams,
            "none",
            "S2C113",
            "S2C132",
            parser=dt.boolean,
            topic="streams",
            handler="processes._log",
        ),
        _p(
            f"{ch}_syslog",
            "false",
            "-",
            "none",
            "S2C112",
            parser=dt.boolean,
            expand="process",
            topic="streams",
            handler="processes._log",
        ),
    )


# One row per supervisor option. The [program:x] rows also apply to [fcgi-program:x] and
# [eventlistener:x]; those that build reads generically (no handler) are in supervisor's read
# order (``_processes_from_section``), which decides which of two bad values is reported.
MAPPING: tuple[OptionMapping, ...] = (
    _p(
        "priority",
        "999",
        "priority (negated; start order encoded)",
        "exact",
        "S2C108",
        parser=dt.integer,
        topic="ordering",
        note="circus starts the highest priority first; stops are not sequential; an "
        "[eventlistener:x] pool's own priority defaults to -1, but listeners are not converted",
    ),
    _p("autostart", "true", "autostart", "exact", parser=dt.boolean),
    _p(
        "autorestart",
        "unexpected",
        "respawn (hooks with --exact)",
        "exact (hook, --exact)",
        "S2C101",
        parser=auto_restart,
    ),
    _p(
        "startsecs", "1", "hooks with --exact", "exact (hook, --exact)", "S2C102", parser=dt.integer
    ),
    _p(
        "startretries",
        "3",
        "hooks with --exact",
        "exact (hook, --exact)",
        "S2C102",
        parser=dt.integer,
    ),
    _p("stopsignal", "TERM", "stop_signal", "exact", parser=dt.signal_number),
    _p(
        "stopwaitsecs",
        "10",
        "graceful_timeout (always written: circus default is 30)",
        "exact",
        parser=dt.integer,
    ),
    _p(
        "stopasgroup",
        "false",
        "hooks with --exact",
        "exact (hook, --exact)",
        "S2C103",
        parser=dt.boolean,
    ),
    _p(
        "killasgroup",
        "false",
        "hooks with --exact",
        "exact (hook, --exact)",
        "S2C103",
        parser=dt.boolean,
    ),
    _p(
        "exitcodes",
        "0",
        "hooks with --exact",
        "exact (hook, --exact)",
        "S2C101",
        parser=list_of_exitcodes,
    ),
    _p(
        "redirect_stderr",
        "false",
        'sh -c \'exec "$0" "$@" 2>&1\' wrapper',
        "exact (wrapper)",
        "S2C105",
        parser=dt.boolean,
        topic="streams",
    ),
    _p(
        "numprocs",
        "1",
        "one watcher per process",
        "exact",
        "S2C126",
        parser=dt.integer,
        topic="ordering",
    ),
    _p(
        "numprocs_start",
        "0",
        "process_num expanded per watcher",
        "exact",
        parser=dt.integer,
        topic="ordering",
    ),
    _p(
        "command",
        None,
        "cmd",
        "exact",
        "S2C008",
        "S2C018",
        "S2C501",
        "S2C117",
        "S2C125",
        "S2C015",
        "S2C131",
        expand="process",
        topic="command",
        handler="processes._per_process",
        note="expanded, comments and %% resolved, re-quoted so circus's parser returns the "
        "same argv; from a deferred %(ENV_X)s inside quotes on, written as it stands",
    ),
    _p(
        "process_name",
        "%(program_name)s",
        "[watcher:NAME]",
        "exact",
        "S2C502",
        "S2C501",
        expand="process",
        topic="ordering",
        handler="processes._process_name",
        note="watcher name = supervisorctl name: `prog`, or `group:process`",
    ),
    _p(
        "user",
        None,
        "uid",
        "exact",
        "S2C011",
        "S2C138",
        "S2C501",
        topic="command",
        handler="processes._user",
    ),
    *_channel_rows(
        "stdout",
        ("S2C124",),
        note="/dev/stdout & co. inherit circusd's fd; NONE closes; AUTO gets a fixed path",
    ),
    *_channel_rows("stderr", ("S2C135",)),
    _p(
        "environment",
        "",
        "[env:NAME] (+ `env` wrapper for values circus would rewrite)",
        "exact",
        "S2C115",
        "S2C123",
        "S2C008",
        "S2C018",
        "S2C007",
        "S2C016",
        "S2C501",
        parser=dt.dict_of_key_value_pairs,
        expand="process",
        topic="environment",
        handler="processes._environment",
    ),
    _p(
        "directory",
        None,
        "working_dir",
        "exact",
        "S2C008",
        "S2C018",
        "S2C501",
        "S2C136",
        "S2C137",
        expand="process",
        topic="command",
        handler="processes._per_process",
    ),
    _p(
        "umask",
        None,
        'sh -c \'umask NNN && exec "$0" "$@"\' wrapper',
        "exact (wrapper)",
        "S2C104",
        parser=dt.octal_type,
        topic="command",
        handler="processes._umask",
    ),
    _p(
        "serverurl",
        "AUTO",
        "-",
        "none",
        "S2C107",
        topic="environment",
        handler="processes._settings",
    ),
    _p(
        "socket",
        None,
        "[socket:NAME] + stdin_socket",
        "exact",
        "S2C118",
        "S2C119",
        "S2C501",
        section="fcgi-program",
        expand="group, program_name",
    ),
    _p(
        "socket_backlog",
        "SOMAXCONN",
        "[socket:NAME] backlog",
        "exact",
        section="fcgi-program",
        parser=dt.integer,
    ),
    _p(
        "socket_mode",
        "0700",
        "[socket:NAME] umask (decimal)",
        "exact",
        section="fcgi-program",
        parser=dt.octal_type,
    ),
    _p("socket_owner", None, "-", "none", "S2C119", "S2C011", section="fcgi-program"),
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
        parser=dt.list_of_strings,
        note="PROCESS_STATE_FATAL + kill supervisord: --exact hooks stop circusd; "
        "PROCESS_LOG + supervisor_stdout: prefixed streams",
    ),
    _p("buffer_size", "10", "-", "none", "S2C120", section="eventlistener", parser=dt.integer),
    _p(
        "result_handler",
        "supervisor.dispatchers:default_handler",
        "-",
        "none",
        "S2C120",
        "S2C132",
        section="eventlistener",
    ),
    _p(
        "programs",
        None,
        "watcher names group:program, start order in priorities",
        "exact",
        "S2C121",
        section="group",
        parser=dt.list_of_strings,
    ),
    _p(
        "priority",
        "999",
        "start order encoded in watcher priorities",
        "exact",
        "S2C121",
        section="group",
        parser=dt.integer,
    ),
    _p(
        "nodaemon",
        "false",
        "- (circusd --daemon on the command line)",
        "approx",
        "S2C201",
        section="supervisord",
        parser=dt.boolean,
    ),
    _p(
        "logfile",
        "supervisord.log",
        "[circus] logoutput",
        "approx",
        "S2C008",
        "S2C018",
        "S2C019",
        "S2C202",
        "S2C012",
        "S2C210",
        section="supervisord",
    ),
    _p(
        "logfile_maxbytes",
        "50MB",
        "-",
        "none",
        "S2C202",
        "S2C210",
        section="supervisord",
        parser=dt.byte_size,
    ),
    _p("logfile_backups", "10", "-", "none", "S2C202", section="supervisord", parser=dt.integer),
    _p(
        "loglevel",
        "info",
        "[circus] loglevel (renamed)",
        "exact",
        "S2C203",
        section="supervisord",
        parser=dt.logging_level,
    ),
    _p(
        "pidfile",
        "supervisord.pid",
        "[circus] pidfile",
        "approx",
        "S2C204",
        "S2C019",
        "S2C501",
        section="supervisord",
    ),
    _p(
        "umask",
        "022",
        "[circus] umask (only when daemonizing)",
        "exact",
        "S2C206",
        section="supervisord",
        parser=dt.octal_type,
    ),
    _p("user", None, "uid on every watcher", "approx", "S2C122", "S2C011", section="supervisord"),
    _p(
        "directory",
        None,
        "-",
        "none",
        "S2C205",
        section="supervisord",
        note="when supervisord daemonizes: the working_dir of every watcher without its own, "
        "and the directory the programs' relative directories and log file paths are joined "
        "with",
    ),
    _p(
        "childlogdir",
        "(temp dir)",
        "directory of AUTO log files",
        "approx",
        "S2C008",
        "S2C018",
        "S2C019",
        "S2C205",
        "S2C110",
        "S2C012",
        section="supervisord",
    ),
    _p(
        "environment",
        "",
        "[env] (+ `env` wrapper)",
        "exact",
        "S2C008",
        "S2C018",
        "S2C115",
        "S2C123",
        "S2C015",
        "S2C501",
        section="supervisord",
        parser=dt.dict_of_key_value_pairs,
        expand="supervisord, twice",
        handler="supervisord._environment",
    ),
    _p("minfds", "1024", "-", "none", "S2C205", section="supervisord", parser=dt.integer),
    _p("minprocs", "200", "-", "none", "S2C205", section="supervisord", parser=dt.integer),
    _p("identifier", "supervisor", "-", "none", "S2C205", section="supervisord"),
    _p(
        "nocleanup",
        "false",
        "- (circus never removes log files: as with nocleanup=true)",
        "approx",
        "S2C110",
        section="supervisord",
        parser=dt.boolean,
    ),
    _p("strip_ansi", "false", "-", "none", "S2C205", section="supervisord", parser=dt.boolean),
    _p(
        "silent",
        "false",
        "- (circusd logs to logoutput only: as with silent=true)",
        "approx",
        "S2C202",
        section="supervisord",
        parser=dt.boolean,
    ),
    _p(
        "file",
        None,
        "[circus] endpoint = ipc://FILE (+ pubsub_endpoint)",
        "approx",
        "S2C301",
        "S2C308",
        "S2C019",
        section="unix_http_server",
        expand="supervisord",
    ),
    _p("chmod", "0700", "-", "none", "S2C301", section="unix_http_server", parser=dt.octal_type),
    _p(
        "chown",
        None,
        "- (circusd's ipc socket keeps its default owner)",
        "none",
        "S2C301",
        "S2C011",
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
        "S2C308",
        section="inet_http_server",
        parser=dt.inet_address,
    ),
    _p("username", None, "-", "none", "S2C303", section="inet_http_server"),
    _p("password", None, "-", "none", "S2C303", section="inet_http_server"),
    _p(
        "serverurl",
        None,
        "circusctl --endpoint",
        "none",
        "S2C304",
        section="supervisorctl",
        expand="supervisord",
    ),
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
    return frozenset(m.option for m in MAPPING if kind in m.kinds)


def all_known_options() -> dict[str, tuple[str, ...]]:
    """option name -> the section kinds that read it."""
    out: dict[str, list[str]] = {}
    for m in MAPPING:
        for kind in m.kinds:
            if kind not in out.setdefault(m.option, []):
                out[m.option].append(kind)
    return {k: tuple(v) for k, v in out.items()}


def row(kind: str, option: str) -> OptionMapping:
    """The row of ``option`` in a section of ``kind``."""
    for m in MAPPING:
        if m.option == option and kind in m.kinds:
            return m
    raise KeyError((kind, option))


def ordinary_rows(kind: str, expand: str) -> tuple[OptionMapping, ...]:
    """The rows of ``kind`` build reads in its generic loop (no handler), in table order."""
    return tuple(m for m in MAPPING if kind in m.kinds and m.expand == expand and not m.handler)


def suggest(option: str, kind: str) -> str | None:
    """The closest valid option name for a misspelled one, if any is close."""
    import difflib

    matches = difflib.get_close_matches(option, sorted(known_options(kind)), n=1, cutoff=0.75)
    return matches[0] if matches else None
