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
from collections.abc import Mapping
from dataclasses import dataclass, field

from .datatypes import split_words, words_as_written
from .findings import Finding, Loc

# Marker for a deferred %(ENV_X)s. Made only of characters that supervisor's shlex-based
# environment parser treats as word characters, so it survives dict_of_key_value_pairs.
ENV_MARK_START = "S2CENVq7x"
ENV_MARK_END = "x7qS2C"
ENV_MARK_RE = re.compile(ENV_MARK_START + r"([A-Za-z_][A-Za-z0-9_]*?)" + ENV_MARK_END)
# a name of letters, digits and _ not starting with a digit: what circus's $(circus.env.X)
# can refer to, and what dash keeps in the environment it passes on (a shell identifier)
ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def env_marker(name: str) -> str:
    """The in-model stand-in for a deferred ``%(ENV_<name>)s``."""
    return f"{ENV_MARK_START}{name}{ENV_MARK_END}"


def quoted_marker_tail(command: str) -> tuple[int, str] | None:
    """Where a command with markers must be written as it stands: the index of its first word
    holding a marker inside quotes, and the command from that word on; None when every marker
    stands outside quotes.

    supervisord puts a value into the command text, then splits it, and circus does the same
    with ``$(circus.env.X)``. A marker outside quotes can become a bare reference in a word
    written anew; one inside quotes must keep its quotes, and so must the text after it (a
    quote in the value changes how the rest is split, in both daemons alike)."""
    if "'" not in command and '"' not in command:
        return None
    for index, (start, word) in enumerate(words_as_written(command)):
        markers = len(ENV_MARK_RE.findall(word))
        # a marker outside quotes makes two words when a space is put in it; inside, one
        if markers and len(split_words(ENV_MARK_RE.sub(r"\g<0> \g<0>", word))) != 1 + markers:
            return index, command[start:]
    return None


def as_written(value: str) -> str:
    """``value`` as the user wrote its deferred references (``%(ENV_X)s``), for messages: the
    marker is internal and never shown."""
    if ENV_MARK_START not in value:
        return value
    return ENV_MARK_RE.sub(r"%(ENV_\1)s", value)


# A %-conversion with no (name): formatted with supervisor's expansion dict, it takes the whole
# dict (%s gives its repr: every environment variable's value). "%%" pairs are removed first.
_UNNAMED_CONVERSION_RE = re.compile(r"%(?!\()")


def takes_whole_mapping(value: str) -> bool:
    """Whether ``value % expansions`` would format the whole expansion dict somewhere."""
    return "%" in value and _UNNAMED_CONVERSION_RE.search(value.replace("%%", "")) is not None


# --------------------------------------------------------------------------- raw layer


@dataclass(frozen=True, slots=True)
class RawOption:
    """One ``name = value`` as supervisor's parser holds it.

    ``name`` is lower-cased (supervisor's optionxform); ``value`` is the joined value
    (continuation lines joined with ``\\n``, inline comments removed, ``%(here)s`` replaced
    where supervisor replaces it, nothing else expanded). ``key_text`` is the name as written.
    """

    name: str
    value: str
    loc: Loc
    key_text: str = ""


@dataclass(frozen=True, slots=True)
class RawSection:
    name: str
    loc: Loc
    options: Mapping[str, RawOption]
    here: str  # directory of the file this section came from


@dataclass(frozen=True, slots=True)
class RawConfig:
    main_file: str  # path as given, or "<stdin>"
    here: str  # supervisor's self.here: directory of the main file (cwd for stdin)
    sections: tuple[RawSection, ...]
    files_read: tuple[str, ...]
    findings: tuple[Finding, ...] = ()
    # the text of each file read that may hold a suppression comment, by path
    texts: Mapping[str, str] = field(default_factory=dict)
    # the lines where a value was cut at an inline comment (' ;' or ' #')
    comment_cuts: frozenset[Loc] = frozenset()

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


@dataclass(frozen=True, slots=True)
class LogSpec:
    """One of a process's two output channels, as supervisor configures it."""

    kind: LogKind
    path: str | None  # for FILE; may hold deferred-env markers
    maxbytes: int
    backups: int
    syslog: bool
    capture_maxbytes: int
    events_enabled: bool


@dataclass(frozen=True, slots=True)
class SocketSpec:
    """An fcgi-program's socket."""

    url: str
    family: str  # "tcp" | "unix"
    host: str | None
    port: int | None
    path: str | None
    mode: int | None  # unix only; supervisor default 0o700
    owner: str | None  # "user[:group]" as written
    backlog: int | None


class Section:
    """What the records of a section share: where each of its options is set."""

    __slots__ = ()
    options: Mapping[str, RawOption]
    section_loc: Loc

    def loc_of(self, option: str) -> Loc:
        """Where ``option`` is set in the section (its header when it is not)."""
        raw = self.options.get(option)
        return raw.loc if raw is not None else self.section_loc


@dataclass(frozen=True, slots=True)
class ProcessSpec(Section):
    """One process exactly as supervisord would run it.

    ``options`` maps each option *set in the file* to its raw option (with location);
    ``section_loc`` is the section header (used for findings about defaults).
    """

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
    # fcgi-program only
    socket: SocketSpec | None = None
    # eventlistener only
    events: tuple[str, ...] = ()
    buffer_size: int = 10
    result_handler: str | None = None

    def is_set(self, option: str) -> bool:
        return option in self.options

    @property
    def signals_group(self) -> bool:
        """Whether supervisord signals the process group at a stop: its first stop signal goes
        to the group only with stopasgroup; killasgroup alone is the SIGKILL after
        stopwaitsecs, which never comes when the stop signal already is KILL (9)."""
        return self.stopasgroup or (self.killasgroup and self.stopsignal != 9)

    def writes_auto_log(self) -> bool:
        """Whether circusd gets a watcher with an AUTO log file (in childlogdir) from this
        process: a listener is no watcher, and supervisor creates no stderr log when
        redirect_stderr is true."""
        if self.kind == "eventlistener":
            return False
        stderr_auto = self.stderr.kind is LogKind.AUTO and not self.redirect_stderr
        return self.stdout.kind is LogKind.AUTO or stderr_auto


@dataclass(frozen=True, slots=True)
class GroupSpec(Section):
    """A process group as supervisord orders it (``[group:x]`` or an implicit one)."""

    name: str
    priority: int
    section: str  # "group:g" or the program's own section for homogeneous groups
    heterogeneous: bool
    program_sections: tuple[str, ...]  # in programs= order
    section_loc: Loc
    options: Mapping[str, RawOption]


@dataclass(frozen=True, slots=True)
class SupervisordSpec(Section):
    """The ``[supervisord]`` section, parsed (defaults filled in)."""

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


@dataclass(frozen=True, slots=True)
class ServerSpec(Section):
    """``[unix_http_server]``, ``[inet_http_server]`` or ``[supervisorctl]``."""

    section: str
    kind: str  # "unix" | "inet" | "ctl"
    file: str | None = None  # unix socket path
    chmod: int | None = None
    chown: str | None = None
    host: str | None = None  # inet
    port: int | None = None
    username: str | None = None
    password_set: bool = False  # never keep the password itself
    serverurl: str | None = None  # supervisorctl
    section_loc: Loc = field(default_factory=lambda: Loc("<unknown>", 0))
    options: Mapping[str, RawOption] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OtherSection(Section):
    """A section the converter does not map to a process: rpcinterface, include, unknown..."""

    name: str
    section_loc: Loc
    options: Mapping[str, RawOption]


@dataclass(frozen=True, slots=True)
class UndefinedUse:
    """A value deferring ``%(ENV_name)s``, which this machine does not define: the first such
    value of its section (translate reports S2C008 at one that circus.ini keeps)."""

    name: str
    loc: Loc
    section: str
    option: str


@dataclass(frozen=True, slots=True)
class SupervisorConfig:
    """Everything supervisord would do with the file.

    ``processes`` is in supervisord's start order: groups sorted by (priority, name), then
    within a group the order supervisor keeps its process configs.
    """

    raw: RawConfig
    supervisord: SupervisordSpec
    groups: tuple[GroupSpec, ...]
    processes: tuple[ProcessSpec, ...]
    servers: tuple[ServerSpec, ...]
    others: tuple[OtherSection, ...]
    # findings made while reading/parsing (include problems, unknown options, env resolution...)
    findings: tuple[Finding, ...] = ()
    # deferred environment names seen anywhere, for the header and findings
    deferred_env: tuple[str, ...] = ()
    # the deferred names this machine does not define, one use per section, in reading order
    undefined_env: tuple[UndefinedUse, ...] = ()
