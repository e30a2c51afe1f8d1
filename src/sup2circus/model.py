"""The typed model between reading and translating.

Two layers, both immutable:

* ``Raw*``: what the supervisor-exact ini reader saw -- sections and options as strings, after
  supervisor's configparser settings, ``[include]`` merging and ``%(here)s`` substitution, each
  with the file and line it came from. Produced by :mod:`sup2circus.read`.
* ``*Spec``: what supervisord would run -- one :class:`ProcessSpec` per process, with every
  ``%(...)`` expansion done and every value parsed with supervisor's own rules (datatypes).
  Produced by :mod:`sup2circus.build`.

Deferred environment references: ``%(ENV_X)s`` whose value comes from the environment of the
process that runs the conversion (not from the config) is, in text fields that circus can
defer, kept as the marker ``ENV_MARK_START + X + ENV_MARK_END`` (see :func:`env_marker`); the
translator turns it into ``$(circus.env.X)`` (or ``$X`` in env sections) or resolves it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from .findings import FACTORY, Finding, Loc, Record, _set

if TYPE_CHECKING:
    from dataclasses import dataclass as record
else:
    from .findings import record

# Marker for a deferred %(ENV_X)s. Made only of characters that supervisor's shlex-based
# environment parser treats as word characters, so it survives dict_of_key_value_pairs.
ENV_MARK_START = "S2CENVq7x"
ENV_MARK_END = "x7qS2C"
ENV_MARK_RE = re.compile(ENV_MARK_START + r"([A-Za-z_][A-Za-z0-9_]*?)" + ENV_MARK_END)


def env_marker(name: str) -> str:
    """The in-model stand-in for a deferred ``%(ENV_<name>)s``."""
    return f"{ENV_MARK_START}{name}{ENV_MARK_END}"


def as_written(value: str) -> str:
    """``value`` as the user wrote its deferred references (``%(ENV_X)s``), for messages: the
    marker is internal and never shown."""
    if ENV_MARK_START not in value:
        return value
    return ENV_MARK_RE.sub(r"%(ENV_\1)s", value)


# A %-conversion with no (name): formatted with supervisor's expansion dict, it takes the whole
# dict (%s gives its repr: every environment variable's value). "%%" pairs are skipped first.
_WHOLE_MAPPING_RE = re.compile(r"%%|%(?!\()")


def takes_whole_mapping(value: str) -> bool:
    """Whether ``value % expansions`` would format the whole expansion dict somewhere."""
    return "%" in value and any(m.group() != "%%" for m in _WHOLE_MAPPING_RE.finditer(value))


def deferred_names(value: str) -> list[str]:
    """Names of the deferred environment references in ``value``, in order."""
    return ENV_MARK_RE.findall(value)


# --------------------------------------------------------------------------- raw layer


@record(frozen=True)
class RawOption(Record):
    """One ``name = value`` as supervisor's parser holds it.

    ``name`` is lower-cased (supervisor's optionxform); ``value`` is the joined value
    (continuation lines joined with ``\\n``, inline comments removed, ``%(here)s`` replaced
    where supervisor replaces it, nothing else expanded). ``key_text`` is the name as written.
    """

    __slots__ = ("key_text", "loc", "name", "value")
    name: str
    value: str
    loc: Loc
    key_text: str

    def __init__(
        self,
        name: str,
        value: str,
        loc: Loc,
        key_text: str = "",
    ) -> None:
        _S_RawOption_name(self, name)
        _S_RawOption_value(self, value)
        _S_RawOption_loc(self, loc)
        _S_RawOption_key_text(self, key_text)


@record(frozen=True)
class RawSection(Record):
    __slots__ = ("here", "loc", "name", "options")
    name: str
    loc: Loc
    options: Mapping[str, RawOption]
    here: str  # directory of the file this section came from

    def __init__(
        self,
        name: str,
        loc: Loc,
        options: Mapping[str, RawOption],
        here: str,
    ) -> None:
        _set(self, "name", name)
        _set(self, "loc", loc)
        _set(self, "options", options)
        _set(self, "here", here)


@record(frozen=True)
class RawConfig(Record):
    __slots__ = ("files_read", "findings", "here", "main_file", "sections", "texts")
    _rec_factories: ClassVar[dict[str, Callable[[], Any]]] = {"texts": dict}
    main_file: str  # path as given, or "<stdin>"
    here: str  # supervisor's self.here: directory of the main file (cwd for stdin)
    sections: tuple[RawSection, ...]
    files_read: tuple[str, ...]
    findings: tuple[Finding, ...]
    # The raw text lines of every file read, keyed by path (for suppression comments).
    texts: Mapping[str, str]

    def __init__(
        self,
        main_file: str,
        here: str,
        sections: tuple[RawSection, ...],
        files_read: tuple[str, ...],
        findings: tuple[Finding, ...] = (),
        texts: Mapping[str, str] = FACTORY,
    ) -> None:
        _set(self, "main_file", main_file)
        _set(self, "here", here)
        _set(self, "sections", sections)
        _set(self, "files_read", files_read)
        _set(self, "findings", findings)
        _set(self, "texts", self._rec_factories["texts"]() if texts is FACTORY else texts)

    def section(self, name: str) -> RawSection | None:
        for s in self.sections:
            if s.name == name:
                return s
        return None


# --------------------------------------------------------------------------- semantic layer


class AutoRestart(str, enum.Enum):
    TRUE = "true"
    FALSE = "false"
    UNEXPECTED = "unexpected"


class LogKind(str, enum.Enum):
    AUTO = "AUTO"  # supervisor picks a temp file in childlogdir
    NONE = "NONE"  # output read and discarded
    FILE = "FILE"  # a path (may be a device path like /dev/stdout)
    SYSLOG = "SYSLOG"  # the deprecated ``syslog`` magic value: no file, syslog on


@record(frozen=True)
class LogSpec(Record):
    """One of a process's two output channels, as supervisor configures it."""

    __slots__ = (
        "backups",
        "capture_maxbytes",
        "events_enabled",
        "kind",
        "maxbytes",
        "path",
        "syslog",
    )
    kind: LogKind
    path: str | None  # for FILE; may hold deferred-env markers
    maxbytes: int
    backups: int
    syslog: bool
    capture_maxbytes: int
    events_enabled: bool

    def __init__(
        self,
        kind: LogKind,
        path: str | None,
        maxbytes: int,
        backups: int,
        syslog: bool,
        capture_maxbytes: int,
        events_enabled: bool,
    ) -> None:
        _S_LogSpec_kind(self, kind)
        _S_LogSpec_path(self, path)
        _S_LogSpec_maxbytes(self, maxbytes)
        _S_LogSpec_backups(self, backups)
        _S_LogSpec_syslog(self, syslog)
        _S_LogSpec_capture_maxbytes(self, capture_maxbytes)
        _S_LogSpec_events_enabled(self, events_enabled)


@record(frozen=True)
class SocketSpec(Record):
    """An fcgi-program's socket."""

    __slots__ = ("backlog", "family", "host", "mode", "owner", "path", "port", "url")
    url: str
    family: str  # "tcp" | "unix"
    host: str | None
    port: int | None
    path: str | None
    mode: int | None  # unix only; supervisor default 0o700
    owner: str | None  # "user[:group]" as written
    backlog: int | None

    def __init__(
        self,
        url: str,
        family: str,
        host: str | None,
        port: int | None,
        path: str | None,
        mode: int | None,
        owner: str | None,
        backlog: int | None,
    ) -> None:
        _set(self, "url", url)
        _set(self, "family", family)
        _set(self, "host", host)
        _set(self, "port", port)
        _set(self, "path", path)
        _set(self, "mode", mode)
        _set(self, "owner", owner)
        _set(self, "backlog", backlog)


@record(frozen=True)
class ProcessSpec(Record):
    """One process exactly as supervisord would run it.

    ``options`` maps each option *set in the file* to its raw option (with location);
    ``section_loc`` is the section header (used for findings about defaults).
    """

    __slots__ = (
        "argv",
        "autorestart",
        "autostart",
        "buffer_size",
        "command",
        "directory",
        "environment",
        "events",
        "exitcodes",
        "group_name",
        "killasgroup",
        "kind",
        "name",
        "numprocs",
        "numprocs_start",
        "options",
        "priority",
        "process_num",
        "program_name",
        "redirect_stderr",
        "result_handler",
        "section",
        "section_loc",
        "serverurl",
        "socket",
        "startretries",
        "startsecs",
        "stderr",
        "stdout",
        "stopasgroup",
        "stopsignal",
        "stopsignal_name",
        "stopwaitsecs",
        "umask",
        "user",
        "varies_with_process_num",
    )
    section: str  # "program:web", "fcgi-program:x", "eventlistener:x"
    kind: str  # "program" | "fcgi-program" | "eventlistener"
    program_name: str
    group_name: str
    name: str  # process name, expanded
    process_num: int
    numprocs: int
    numprocs_start: int
    command: str  # expanded, before shlex split; may hold deferred-env markers
    argv: tuple[str, ...]  # shlex.split(command), as supervisor does
    directory: str | None  # may hold deferred-env markers
    umask: int | None
    priority: int
    autostart: bool
    autorestart: AutoRestart
    exitcodes: tuple[int, ...]
    startsecs: int
    startretries: int
    user: str | None
    stopsignal: int
    stopsignal_name: str  # canonical name without SIG, e.g. "TERM"
    stopwaitsecs: int
    stopasgroup: bool
    killasgroup: bool
    redirect_stderr: bool
    stdout: LogSpec
    stderr: LogSpec
    # the program's own environment= (expanded, parsed), in file order; values may hold
    # deferred-env markers. The [supervisord] environment is in SupervisordSpec.
    environment: tuple[tuple[str, str], ...]
    serverurl: str | None  # None = AUTO
    section_loc: Loc
    options: Mapping[str, RawOption]
    # names of options this process's value depends on process_num for (e.g. "command")
    varies_with_process_num: frozenset[str]
    # fcgi-program only
    socket: SocketSpec | None
    # eventlistener only
    events: tuple[str, ...]
    buffer_size: int
    result_handler: str | None

    def __init__(
        self,
        section: str,
        kind: str,
        program_name: str,
        group_name: str,
        name: str,
        process_num: int,
        numprocs: int,
        numprocs_start: int,
        command: str,
        argv: tuple[str, ...],
        directory: str | None,
        umask: int | None,
        priority: int,
        autostart: bool,
        autorestart: AutoRestart,
        exitcodes: tuple[int, ...],
        startsecs: int,
        startretries: int,
        user: str | None,
        stopsignal: int,
        stopsignal_name: str,
        stopwaitsecs: int,
        stopasgroup: bool,
        killasgroup: bool,
        redirect_stderr: bool,
        stdout: LogSpec,
        stderr: LogSpec,
        environment: tuple[tuple[str, str], ...],
        serverurl: str | None,
        section_loc: Loc,
        options: Mapping[str, RawOption],
        varies_with_process_num: frozenset[str] = frozenset(),
        socket: SocketSpec | None = None,
        events: tuple[str, ...] = (),
        buffer_size: int = 10,
        result_handler: str | None = None,
    ) -> None:
        _S_ProcessSpec_section(self, section)
        _S_ProcessSpec_kind(self, kind)
        _S_ProcessSpec_program_name(self, program_name)
        _S_ProcessSpec_group_name(self, group_name)
        _S_ProcessSpec_name(self, name)
        _S_ProcessSpec_process_num(self, process_num)
        _S_ProcessSpec_numprocs(self, numprocs)
        _S_ProcessSpec_numprocs_start(self, numprocs_start)
        _S_ProcessSpec_command(self, command)
        _S_ProcessSpec_argv(self, argv)
        _S_ProcessSpec_directory(self, directory)
        _S_ProcessSpec_umask(self, umask)
        _S_ProcessSpec_priority(self, priority)
        _S_ProcessSpec_autostart(self, autostart)
        _S_ProcessSpec_autorestart(self, autorestart)
        _S_ProcessSpec_exitcodes(self, exitcodes)
        _S_ProcessSpec_startsecs(self, startsecs)
        _S_ProcessSpec_startretries(self, startretries)
        _S_ProcessSpec_user(self, user)
        _S_ProcessSpec_stopsignal(self, stopsignal)
        _S_ProcessSpec_stopsignal_name(self, stopsignal_name)
        _S_ProcessSpec_stopwaitsecs(self, stopwaitsecs)
        _S_ProcessSpec_stopasgroup(self, stopasgroup)
        _S_ProcessSpec_killasgroup(self, killasgroup)
        _S_ProcessSpec_redirect_stderr(self, redirect_stderr)
        _S_ProcessSpec_stdout(self, stdout)
        _S_ProcessSpec_stderr(self, stderr)
        _S_ProcessSpec_environment(self, environment)
        _S_ProcessSpec_serverurl(self, serverurl)
        _S_ProcessSpec_section_loc(self, section_loc)
        _S_ProcessSpec_options(self, options)
        _S_ProcessSpec_varies_with_process_num(self, varies_with_process_num)
        _S_ProcessSpec_socket(self, socket)
        _S_ProcessSpec_events(self, events)
        _S_ProcessSpec_buffer_size(self, buffer_size)
        _S_ProcessSpec_result_handler(self, result_handler)

    def loc_of(self, option: str) -> Loc:
        raw = self.options.get(option)
        return raw.loc if raw is not None else self.section_loc

    def is_set(self, option: str) -> bool:
        return option in self.options


@record(frozen=True)
class GroupSpec(Record):
    """A process group as supervisord orders it (``[group:x]`` or an implicit one)."""

    __slots__ = (
        "heterogeneous",
        "name",
        "options",
        "priority",
        "program_sections",
        "section",
        "section_loc",
    )
    name: str
    priority: int
    section: str  # "group:g" or the program's own section for homogeneous groups
    heterogeneous: bool
    program_sections: tuple[str, ...]  # in programs= order
    section_loc: Loc
    options: Mapping[str, RawOption]

    def __init__(
        self,
        name: str,
        priority: int,
        section: str,
        heterogeneous: bool,
        program_sections: tuple[str, ...],
        section_loc: Loc,
        options: Mapping[str, RawOption],
    ) -> None:
        _set(self, "name", name)
        _set(self, "priority", priority)
        _set(self, "section", section)
        _set(self, "heterogeneous", heterogeneous)
        _set(self, "program_sections", program_sections)
        _set(self, "section_loc", section_loc)
        _set(self, "options", options)


@record(frozen=True)
class SupervisordSpec(Record):
    """The ``[supervisord]`` section, parsed (defaults filled in)."""

    __slots__ = (
        "childlogdir",
        "directory",
        "environment",
        "identifier",
        "logfile",
        "logfile_backups",
        "logfile_maxbytes",
        "loglevel",
        "minfds",
        "minprocs",
        "nocleanup",
        "nodaemon",
        "options",
        "pidfile",
        "present",
        "section_loc",
        "silent",
        "strip_ansi",
        "umask",
        "user",
    )
    present: bool  # False for a conf.d snippet converted as if included
    nodaemon: bool
    logfile: str  # path, "syslog", or "NONE"-like values as written (expanded)
    logfile_maxbytes: int
    logfile_backups: int
    loglevel: str  # supervisor level name as written, lower-cased (e.g. "warn")
    pidfile: str
    umask: int
    user: str | None
    directory: str | None
    childlogdir: str
    environment: tuple[tuple[str, str], ...]
    minfds: int
    minprocs: int
    identifier: str
    nocleanup: bool
    strip_ansi: bool
    silent: bool
    section_loc: Loc
    options: Mapping[str, RawOption]

    def __init__(
        self,
        present: bool,
        nodaemon: bool,
        logfile: str,
        logfile_maxbytes: int,
        logfile_backups: int,
        loglevel: str,
        pidfile: str,
        umask: int,
        user: str | None,
        directory: str | None,
        childlogdir: str,
        environment: tuple[tuple[str, str], ...],
        minfds: int,
        minprocs: int,
        identifier: str,
        nocleanup: bool,
        strip_ansi: bool,
        silent: bool,
        section_loc: Loc,
        options: Mapping[str, RawOption],
    ) -> None:
        _set(self, "present", present)
        _set(self, "nodaemon", nodaemon)
        _set(self, "logfile", logfile)
        _set(self, "logfile_maxbytes", logfile_maxbytes)
        _set(self, "logfile_backups", logfile_backups)
        _set(self, "loglevel", loglevel)
        _set(self, "pidfile", pidfile)
        _set(self, "umask", umask)
        _set(self, "user", user)
        _set(self, "directory", directory)
        _set(self, "childlogdir", childlogdir)
        _set(self, "environment", environment)
        _set(self, "minfds", minfds)
        _set(self, "minprocs", minprocs)
        _set(self, "identifier", identifier)
        _set(self, "nocleanup", nocleanup)
        _set(self, "strip_ansi", strip_ansi)
        _set(self, "silent", silent)
        _set(self, "section_loc", section_loc)
        _set(self, "options", options)

    def loc_of(self, option: str) -> Loc:
        raw = self.options.get(option)
        return raw.loc if raw is not None else self.section_loc


@record(frozen=True)
class ServerSpec(Record):
    """``[unix_http_server]``, ``[inet_http_server]`` or ``[supervisorctl]``."""

    __slots__ = (
        "chmod",
        "chown",
        "file",
        "host",
        "kind",
        "options",
        "password_set",
        "port",
        "section",
        "section_loc",
        "serverurl",
        "username",
    )
    _rec_factories: ClassVar[dict[str, Callable[[], Any]]] = {
        "section_loc": lambda: Loc("<unknown>", 0),
        "options": dict,
    }
    section: str
    kind: str  # "unix" | "inet" | "ctl"
    file: str | None  # unix socket path
    chmod: int | None
    chown: str | None
    host: str | None  # inet
    port: int | None
    username: str | None
    password_set: bool  # never keep the password itself
    serverurl: str | None  # supervisorctl
    section_loc: Loc
    options: Mapping[str, RawOption]

    def __init__(
        self,
        section: str,
        kind: str,
        file: str | None = None,
        chmod: int | None = None,
        chown: str | None = None,
        host: str | None = None,
        port: int | None = None,
        username: str | None = None,
        password_set: bool = False,
        serverurl: str | None = None,
        section_loc: Loc = FACTORY,
        options: Mapping[str, RawOption] = FACTORY,
    ) -> None:
        _set(self, "section", section)
        _set(self, "kind", kind)
        _set(self, "file", file)
        _set(self, "chmod", chmod)
        _set(self, "chown", chown)
        _set(self, "host", host)
        _set(self, "port", port)
        _set(self, "username", username)
        _set(self, "password_set", password_set)
        _set(self, "serverurl", serverurl)
        _set(
            self,
            "section_loc",
            self._rec_factories["section_loc"]() if section_loc is FACTORY else section_loc,
        )
        _set(self, "options", self._rec_factories["options"]() if options is FACTORY else options)


@record(frozen=True)
class OtherSection(Record):
    """A section the converter does not map to a process: rpcinterface, include, unknown..."""

    __slots__ = ("name", "options", "section_loc")
    name: str
    section_loc: Loc
    options: Mapping[str, RawOption]

    def __init__(
        self,
        name: str,
        section_loc: Loc,
        options: Mapping[str, RawOption],
    ) -> None:
        _set(self, "name", name)
        _set(self, "section_loc", section_loc)
        _set(self, "options", options)


@record(frozen=True)
class SupervisorConfig(Record):
    """Everything supervisord would do with the file.

    ``processes`` is in supervisord's start order: groups sorted by (priority, name), then
    within a group the order supervisor keeps its process configs.
    """

    __slots__ = (
        "deferred_env",
        "findings",
        "groups",
        "others",
        "processes",
        "raw",
        "servers",
        "supervisord",
    )
    raw: RawConfig
    supervisord: SupervisordSpec
    groups: tuple[GroupSpec, ...]
    processes: tuple[ProcessSpec, ...]
    servers: tuple[ServerSpec, ...]
    others: tuple[OtherSection, ...]
    # findings made while reading/parsing (include problems, unknown options, env resolution...)
    findings: tuple[Finding, ...]
    # deferred environment names seen anywhere, for the header and findings
    deferred_env: tuple[str, ...]

    def __init__(
        self,
        raw: RawConfig,
        supervisord: SupervisordSpec,
        groups: tuple[GroupSpec, ...],
        processes: tuple[ProcessSpec, ...],
        servers: tuple[ServerSpec, ...],
        others: tuple[OtherSection, ...],
        findings: tuple[Finding, ...] = (),
        deferred_env: tuple[str, ...] = (),
    ) -> None:
        _set(self, "raw", raw)
        _set(self, "supervisord", supervisord)
        _set(self, "groups", groups)
        _set(self, "processes", processes)
        _set(self, "servers", servers)
        _set(self, "others", others)
        _set(self, "findings", findings)
        _set(self, "deferred_env", deferred_env)


# The slot setters the hot records' __init__ use: calling a field's member descriptor
# directly is about a third faster than object.__setattr__(self, name, value), and
# tens of thousands of these records are made per big config.
_S_RawOption_name = RawOption.__dict__["name"].__set__
_S_RawOption_value = RawOption.__dict__["value"].__set__
_S_RawOption_loc = RawOption.__dict__["loc"].__set__
_S_RawOption_key_text = RawOption.__dict__["key_text"].__set__
_S_LogSpec_kind = LogSpec.__dict__["kind"].__set__
_S_LogSpec_path = LogSpec.__dict__["path"].__set__
_S_LogSpec_maxbytes = LogSpec.__dict__["maxbytes"].__set__
_S_LogSpec_backups = LogSpec.__dict__["backups"].__set__
_S_LogSpec_syslog = LogSpec.__dict__["syslog"].__set__
_S_LogSpec_capture_maxbytes = LogSpec.__dict__["capture_maxbytes"].__set__
_S_LogSpec_events_enabled = LogSpec.__dict__["events_enabled"].__set__
_S_ProcessSpec_section = ProcessSpec.__dict__["section"].__set__
_S_ProcessSpec_kind = ProcessSpec.__dict__["kind"].__set__
_S_ProcessSpec_program_name = ProcessSpec.__dict__["program_name"].__set__
_S_ProcessSpec_group_name = ProcessSpec.__dict__["group_name"].__set__
_S_ProcessSpec_name = ProcessSpec.__dict__["name"].__set__
_S_ProcessSpec_process_num = ProcessSpec.__dict__["process_num"].__set__
_S_ProcessSpec_numprocs = ProcessSpec.__dict__["numprocs"].__set__
_S_ProcessSpec_numprocs_start = ProcessSpec.__dict__["numprocs_start"].__set__
_S_ProcessSpec_command = ProcessSpec.__dict__["command"].__set__
_S_ProcessSpec_argv = ProcessSpec.__dict__["argv"].__set__
_S_ProcessSpec_directory = ProcessSpec.__dict__["directory"].__set__
_S_ProcessSpec_umask = ProcessSpec.__dict__["umask"].__set__
_S_ProcessSpec_priority = ProcessSpec.__dict__["priority"].__set__
_S_ProcessSpec_autostart = ProcessSpec.__dict__["autostart"].__set__
_S_ProcessSpec_autorestart = ProcessSpec.__dict__["autorestart"].__set__
_S_ProcessSpec_exitcodes = ProcessSpec.__dict__["exitcodes"].__set__
_S_ProcessSpec_startsecs = ProcessSpec.__dict__["startsecs"].__set__
_S_ProcessSpec_startretries = ProcessSpec.__dict__["startretries"].__set__
_S_ProcessSpec_user = ProcessSpec.__dict__["user"].__set__
_S_ProcessSpec_stopsignal = ProcessSpec.__dict__["stopsignal"].__set__
_S_ProcessSpec_stopsignal_name = ProcessSpec.__dict__["stopsignal_name"].__set__
_S_ProcessSpec_stopwaitsecs = ProcessSpec.__dict__["stopwaitsecs"].__set__
_S_ProcessSpec_stopasgroup = ProcessSpec.__dict__["stopasgroup"].__set__
_S_ProcessSpec_killasgroup = ProcessSpec.__dict__["killasgroup"].__set__
_S_ProcessSpec_redirect_stderr = ProcessSpec.__dict__["redirect_stderr"].__set__
_S_ProcessSpec_stdout = ProcessSpec.__dict__["stdout"].__set__
_S_ProcessSpec_stderr = ProcessSpec.__dict__["stderr"].__set__
_S_ProcessSpec_environment = ProcessSpec.__dict__["environment"].__set__
_S_ProcessSpec_serverurl = ProcessSpec.__dict__["serverurl"].__set__
_S_ProcessSpec_section_loc = ProcessSpec.__dict__["section_loc"].__set__
_S_ProcessSpec_options = ProcessSpec.__dict__["options"].__set__
_S_ProcessSpec_varies_with_process_num = ProcessSpec.__dict__["varies_with_process_num"].__set__
_S_ProcessSpec_socket = ProcessSpec.__dict__["socket"].__set__
_S_ProcessSpec_events = ProcessSpec.__dict__["events"].__set__
_S_ProcessSpec_buffer_size = ProcessSpec.__dict__["buffer_size"].__set__
_S_ProcessSpec_result_handler = ProcessSpec.__dict__["result_handler"].__set__
