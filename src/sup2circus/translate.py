"""Translate the supervisor model into the circus model, option by option, with findings.

Input: :class:`~sup2circus.model.SupervisorConfig` (what supervisord would run). Output:
:class:`~sup2circus.circus_model.CircusConfig` (what to write) and the findings. The option
table in :mod:`.mapping` says which circus form each supervisor option takes and which codes
it may report; the rule texts live in :mod:`.rules`.
"""

from __future__ import annotations

import functools
import operator
import os
import posixpath
import re
import shlex
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from . import circus_syntax as cs
from ._version import __version__
from .circus_model import CircusConfig, Intent, Socket, Stream, Watcher
from .findings import Finding, Loc, Severity, merge_duplicates
from .model import (
    ENV_MARK_RE,
    ENV_MARK_START,
    AutoRestart,
    LogKind,
    LogSpec,
    ProcessSpec,
    SupervisorConfig,
    as_written,
    env_marker,
)
from .options import ConvertOptions
from .redact import shown_env_name
from .rules import RULES

if TYPE_CHECKING:
    from .idioms import Plan

STDOUT_DEVICES = frozenset({"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "/proc/1/fd/1"})
STDERR_DEVICES = frozenset({"/dev/stderr", "/dev/fd/2", "/proc/self/fd/2", "/proc/1/fd/2"})

SH = "/bin/sh"
PWD_REF = "$(circus.env.PWD)"
# The start of every sh -c wrapper script: sh exports PWD=<its cwd>, so the script hands the
# program circusd's own PWD (or none), as supervisord would (docs/conversion.md, "The sh wrapper")
PWD_RESTORE = '[ "$1" = "$2" ]&&unset PWD||PWD=$1;shift 2;'
ENV = "/usr/bin/env"

LOGLEVELS = {
    "critical": "critical",
    "error": "error",
    "warn": "warning",
    "warning": "warning",
    "info": "info",
    "debug": "debug",
    "trace": "debug",
    "blather": "debug",
}

DEFAULT_RPC_FACTORY = "supervisor.rpcinterface:make_main_rpcinterface"


class _Ctx:
    """The findings of one translation."""

    __slots__ = ("findings", "forced", "once", "once_sec", "opts")

    def __init__(self, opts: ConvertOptions, exact_codes: frozenset[str] = frozenset()) -> None:
        self.opts = opts
        self.findings: list[Finding] = []
        self.once: set[tuple[str, str]] = set()
        # add_once per section: section -> bits of the codes already reported (_ONCE_BITS)
        self.once_sec: dict[str, int] = {}
        # the severity of the codes reproduced by the hooks (--exact): info, whatever is asked
        self.forced: dict[str, Severity] = dict.fromkeys(exact_codes, Severity.INFO)

    def severity(self, code: str, given: Severity | None = None) -> Severity:
        """The severity a finding of ``code`` gets: info for a code the hooks reproduce, else
        ``given``, else the rule's."""
        sev = self.forced.get(code, given)
        return RULES[code].severity if sev is None else sev

    def add(
        self,
        code: str,
        message: str,
        loc: Loc,
        section: str | None,
        option: str | None,
        severity: Severity | None = None,
    ) -> None:
        # rules.finding(code, ..., severity) with self.severity, made here (one call less per
        # finding: tens of thousands per config)
        self.findings.append(
            Finding(
                code,
                self.severity(code, severity),
                message,
                loc.file,
                loc.line,
                section,
                option,
                loc.column,
            )
        )

    def add_once(
        self, key: str, code: str, message: str, loc: Loc, section: str | None, option: str | None
    ) -> None:
        if (code, key) in self.once:
            return
        self.once.add((code, key))
        self.add(code, message, loc, section, option)

    def once_for(self, sec: str, code: str) -> bool:
        """True the first time ``code`` is asked for section ``sec`` (``add_once`` with a key
        made from ``sec`` alone, without keeping a key per section and code)."""
        bit = _ONCE_BITS[code]
        seen = self.once_sec.get(sec, 0)
        if seen & bit:
            return False
        self.once_sec[sec] = seen | bit
        return True


_UNKNOWN: Any = object()
# the [env:...] entries and the Intent env of a watcher
_EnvResult = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]

# codes reported at most once per section (each always with the same key made from the section)
_ONCE_BITS = {"S2C120": 1, "S2C125": 2, "S2C101": 4, "S2C102": 8, "S2C103": 16}
_BIT_101, _BIT_102, _BIT_103 = (_ONCE_BITS[c] for c in ("S2C101", "S2C102", "S2C103"))


# --------------------------------------------------------------------------- deferred env


def _deferred_map(values: Iterable[str]) -> dict[str, str]:
    """marker -> circus reference for every deferred env reference in ``values``."""
    out: dict[str, str] = {}
    for v in values:
        if ENV_MARK_START not in v:
            continue
        for name in ENV_MARK_RE.findall(v):
            out[env_marker(name)] = f"$(circus.env.{name})"
    return out


def _circus_ref(m: re.Match[str]) -> str:
    return f"$(circus.env.{m.group(1)})"


def _replace_markers(value: str) -> str:
    if ENV_MARK_START not in value:
        return value
    return ENV_MARK_RE.sub(_circus_ref, value)


# A value circus reads back as is in an [env:...] section (no comment, no stripping, no
# $NAME, not ""): checked by a regex instead of env_value_reads_back (same answer, tested).
_PLAIN_ENV_VALUE = re.compile(r'[^\s;$"](?:[^\n;$]*[^\s;$"])?').fullmatch
# A value circus reads back as is as an option, with no $(circus.*) / ((circus.*)) in it.
_PLAIN_VALUE = re.compile(r'[^\s;"(](?:[^\n;(]*[^\s;"(])?').fullmatch
# Words circus_syntax writes as they are (is_safe_token), separated by single spaces.
_PLAIN_WORDS = cs.SAFE_WORDS_RE.fullmatch


def _env_spelling(value: str) -> str | None:
    """:func:`_env_value_spelling`, with a fast path for plain values."""
    if ENV_MARK_START not in value and _PLAIN_ENV_VALUE(value):
        return value
    return _env_value_spelling(value)


@functools.lru_cache(maxsize=512)
def _env_value_spelling(value: str) -> str | None:
    """How to write ``value`` (which may hold deferred markers) in an [env:...] section so the
    child gets it, or None when impossible."""
    if not ENV_MARK_RE.search(value):
        return value if cs.env_value_reads_back(value) else None
    # Deferred refs become $NAME (expanded by circus from its own environment) -- only
    # possible for names circus's $-regex matches in full, with no other $UPPER text around.
    literal_parts = ENV_MARK_RE.split(value)[0::2]
    if any(cs.ENV_DOLLAR_RE.search(p) for p in literal_parts):
        return None
    out = []
    pos = 0
    for m in ENV_MARK_RE.finditer(value):
        name = m.group(1)
        if not cs.ENV_DOLLAR_RE.fullmatch(f"${name}"):
            return None
        after = value[m.end() : m.end() + 1]
        if after and (after.isupper() or after.isdigit() or after == "_"):
            return None
        out.append(value[pos : m.start()])
        out.append(f"${name}")
        pos = m.end()
    out.append(value[pos:])
    written = "".join(out)
    if not cs.reads_back(written, allow_vars=True) or written != written.strip():
        return None
    # a value that becomes empty/whitespace-padded after expansion is stripped by circus
    first, last = value[:1], value[-1:]
    if first.isspace() or last.isspace():
        return None
    return written


def _spell_value(value: str) -> str | None:
    """``value`` (a path, a directory) with its markers as ``$(circus.env.X)``, when circus
    reads that back unchanged and finds no other ``$(circus.*)`` in it; else None."""
    if ENV_MARK_START not in value and _PLAIN_VALUE(value):
        return value
    return _spell_value_slow(value)


@functools.lru_cache(maxsize=512)
def _spell_value_slow(value: str) -> str | None:
    spelled = _replace_markers(value)
    if cs.reads_back(spelled, allow_vars=True) and _only_our_refs(spelled, value):
        return spelled
    return None


def _reads_back(value: str) -> bool:
    """:func:`cs.reads_back` (without variables), with a fast path for plain values."""
    return _PLAIN_VALUE(value) is not None or cs.reads_back(value)


# --------------------------------------------------------------------------- streams

_UNSAFE_FILE_CHAR = re.compile(r"[^\w.\-]")


def _safe_file_name(name: str) -> str:
    # \w is exactly str.isalnum() or "_" (tested)
    return _UNSAFE_FILE_CHAR.sub("_", name)


_AUTO_LOG, _FILE_LOG, _NONE_LOG = LogKind.AUTO, LogKind.FILE, LogKind.NONE

# (kind, path, max_bytes, backups); kind: out | err | null | file
_TargetT = tuple[str, "str | None", int, int]
_OUT: _TargetT = ("out", None, 0, 0)
_ERR: _TargetT = ("err", None, 0, 0)
_NULL_TARGET: _TargetT = ("null", None, 0, 0)


def _target(log: LogSpec, auto_path: str) -> _TargetT:
    kind = log.kind
    if kind is LogKind.NONE:
        return _NULL_TARGET
    if kind is LogKind.SYSLOG:
        return _OUT
    if kind is LogKind.AUTO:
        return ("file", auto_path, log.maxbytes, log.backups)
    path = log.path or ""
    if path in STDOUT_DEVICES:
        return _OUT
    if path in STDERR_DEVICES:
        return _ERR
    return ("file", path, log.maxbytes, log.backups)


# immutable, shared by every watcher
_INHERIT = Stream(kind="inherit")
_INHERIT_ERR = Stream(kind="inherit-err")
_NULL = Stream(kind="null")
_STDOUT = Stream(kind="stdout")
_STDERR = Stream(kind="stderr")
_DAEMON_STDOUT = Stream(kind="daemon-stdout")
_COPY_ENV = ("copy_env", "true")
_AUTOSTART = {True: ("autostart", "true"), False: ("autostart", "false")}
_RESPAWN = {True: ("respawn", "true"), False: ("respawn", "false")}
_CLOSE_OUT = ("close_child_stdout", "true")
_CLOSE_ERR = ("close_child_stderr", "true")
_FILE_STREAM_CLASS = {c: (f"{c}_stream.class", "FileStream") for c in ("stdout", "stderr")}
_STREAM_FILENAME = {c: f"{c}_stream.filename" for c in ("stdout", "stderr")}
_STREAM_MAX_BYTES = {c: f"{c}_stream.max_bytes" for c in ("stdout", "stderr")}
_STREAM_BACKUP_COUNT = {c: f"{c}_stream.backup_count" for c in ("stdout", "stderr")}
_PWD_SEG = f"'{PWD_REF}' {cs.quote_token(PWD_REF)}"

# what process() hands to _finish(): name, options (with a None where the priority goes), its
# index, env section name, env, processes, source, comments, Intent fields (see _finish)
_Pending = tuple[
    str,
    list["tuple[str, str] | None"],
    int,
    "str | None",
    tuple[tuple[str, str], ...],
    tuple[str, ...],
    str,
    tuple[str, ...],
    tuple[Any, ...],
]


@functools.lru_cache(maxsize=2048)
def _token_ok(token: str) -> bool:
    """``cs.token_round_trips`` as the translator asks it, without its work for safe words.

    A safe word is written as is. With markers, a safe word holding one distinct marker is
    written with each marker replaced by its reference (both replacements find the same
    occurrences), which has no quote, space, ``;`` or ``((``: it reads back (tested).
    """
    if ENV_MARK_START in token:
        if cs.is_safe_token(token) and len(set(ENV_MARK_RE.findall(token))) == 1:
            return True
        return cs.token_round_trips(token, ENV_MARK_RE)
    return token == PWD_REF or cs.is_safe_token(token) or cs.token_round_trips(token, None)


def _join_argv(argv: list[str] | tuple[str, ...], deferred: dict[str, str] | None) -> str:
    """``cs.join_argv(argv, deferred)``: every key of ``deferred`` is a marker, so a token
    without ENV_MARK_START is spelled as without deferred references (cached)."""
    if not deferred:
        return " ".join(map(cs.quote_plain, argv))
    refs = tuple(deferred.items())
    return " ".join(
        [_quote_marked(t, refs) if ENV_MARK_START in t else cs.quote_plain(t) for t in argv]
    )


@functools.lru_cache(maxsize=256)
def _quote_marked(token: str, refs: tuple[tuple[str, str], ...]) -> str:
    """``cs.quote_token(token, dict(refs))`` (cached: the processes of a program share it)."""
    return cs.quote_token(token, dict(refs))


# --------------------------------------------------------------------------- translator


class _Translator:
    def __init__(self, model: SupervisorConfig, opts: ConvertOptions) -> None:
        self.m = model
        self.opts = opts
        exact_codes: frozenset[str] = frozenset()
        if opts.exact:
            from .exact import EXACT_CODES

            exact_codes = frozenset(EXACT_CODES)
        self.ctx = _Ctx(opts, exact_codes=exact_codes)
        # the severity of the codes process() reports itself, without ctx.add
        self.severities: dict[str, Severity] = {c: self.ctx.severity(c) for c in _ONCE_BITS}
        # S2C123: (environment= location, section) -> the watchers it gives an [env:...] section
        # (with where each watcher's section is, to name them in source order)
        self.env_name_watchers: dict[tuple[Loc, str], list[tuple[tuple[str, int, int], str]]] = {}
        self.sockets: list[Socket] = []
        self.socket_names: dict[str, str] = {}
        # supervisord stops one group at a time; --exact reproduces it when there are several
        self.stop_order = opts.exact and len({q.group_name for q in model.processes}) > 1
        sd = model.supervisord
        self.sd_env: dict[str, str] = dict(sd.environment)
        self.childlogdir = sd.childlogdir or "/tmp"
        self.safe_ident = _safe_file_name(sd.identifier or "supervisor")
        # shared option tuples, caches of per-value answers
        self._pairs: dict[tuple[str, str], tuple[str, str]] = {}
        self._num_pairs: dict[tuple[str, int], tuple[str, str]] = {}
        self._tuples: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}
        self._scripts: dict[tuple[int | str | None, ...], str] = {}
        self._wrapper_comments: dict[tuple[int | str | None, ...], str] = {}
        self._env_entry: dict[tuple[str, str], tuple[tuple[str, str], tuple[str, str]] | None] = {}
        self._env_results: dict[
            tuple[tuple[str, str], ...],
            tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] | None,
        ] = {}
        self._stream_pairs: dict[tuple[str, int, int], tuple[tuple[str, str], ...]] = {}
        self._messages101: dict[tuple[bool, tuple[int, ...]], str] = {}
        self._messages102: dict[tuple[int, int], str] = {}
        # Docker's listener idioms (sup2circus.idioms), when the config has any or asks for one
        self.plan = _idiom_plan(model, opts)

    # ------------------------------------------------------------------ [circus]
    def circus_section(self) -> list[tuple[str, str]]:
        sd = self.m.supervisord
        ctx = self.ctx
        out: list[tuple[str, str]] = []
        # no stats_endpoint: writing one makes circus turn statsd on and run circusd-stats
        endpoint, pubsub = self._endpoints()
        out += [
            ("endpoint", endpoint),
            ("pubsub_endpoint", pubsub),
            ("multicast_endpoint", ""),
            ("check_delay", "1"),
        ]
        if not sd.present:
            return out
        sec = "supervisord"
        if not sd.nodaemon:
            ctx.add(
                "S2C201",
                "supervisord daemonizes (nodaemon is false): start circusd with `circusd "
                "--daemon` to do the same; circus.ini cannot say it",
                sd.loc_of("nodaemon"),
                sec,
                "nodaemon",
            )
            out.append(("umask", format(sd.umask, "03o")))
        elif "umask" in sd.options:
            ctx.add(
                "S2C206",
                f"umask={format(sd.umask, '03o')} is ignored by supervisord with nodaemon=true; "
                "not written (circus would apply it to every child)",
                sd.loc_of("umask"),
                sec,
                "umask",
            )
        level = LOGLEVELS.get(sd.loglevel.lower(), "info")
        if "loglevel" in sd.options:
            out.append(("loglevel", level))
            if level != sd.loglevel.lower():
                ctx.add(
                    "S2C203",
                    f"loglevel={sd.loglevel} written as loglevel = {level} (circus knows only "
                    "critical, error, warning, info, debug)",
                    sd.loc_of("loglevel"),
                    sec,
                    "loglevel",
                )
        logfile = sd.logfile
        if "logfile" in sd.options:
            if logfile in STDOUT_DEVICES or logfile in STDERR_DEVICES:
                out.append(("logoutput", "-"))
                where = "stderr"
            elif logfile.lower() == "syslog":
                out.append(("logoutput", "syslog:///dev/log"))
                where = "syslog"
            else:
                if cs.reads_back(logfile):
                    out.append(("logoutput", logfile))
                where = logfile
            ctx.add(
                "S2C202",
                f"supervisord logs to {logfile}"
                + (" and to stdout (nodaemon)" if sd.nodaemon and not sd.silent else "")
                + f" with rotation; circusd logs to {where} only, without rotation",
                sd.loc_of("logfile"),
                sec,
                "logfile",
            )
            if logfile in _DEVICES and sd.logfile_maxbytes:
                self._daemon_log_rotation()
        else:
            ctx.add(
                "S2C202",
                "supervisord logs to supervisord.log in its working directory"
                + (" and to stdout (nodaemon)" if sd.nodaemon and not sd.silent else "")
                + "; circusd logs to its stderr",
                sd.section_loc,
                sec,
                "logfile",
            )
        for opt in ("logfile_maxbytes", "logfile_backups"):
            if opt in sd.options:
                ctx.add(
                    "S2C202",
                    f"{opt} has no circus equivalent: circusd's log is not rotated",
                    sd.loc_of(opt),
                    sec,
                    opt,
                )
        if "pidfile" in sd.options:
            if cs.reads_back(sd.pidfile):
                out.append(("pidfile", sd.pidfile))
            ctx.add(
                "S2C204",
                "circusd refuses to start when the pidfile holds another live pid "
                "(supervisord overwrites it)",
                sd.loc_of("pidfile"),
                sec,
                "pidfile",
            )
        for opt, what in (
            ("minfds", "raises the open-files limit of supervisord (and its children)"),
            ("minprocs", "raises the process limit of supervisord"),
            ("identifier", "names supervisord in its XML-RPC API"),
            ("nocleanup", "keeps AUTO log files at start"),
            ("strip_ansi", "strips ANSI escapes from child logs"),
            ("silent", "silences the log on stdout"),
            ("childlogdir", "holds AUTO log files"),
        ):
            if opt in sd.options:
                ctx.add(
                    "S2C205",
                    f"{opt} ({what}) has no circus equivalent and is not converted",
                    sd.loc_of(opt),
                    sec,
                    opt,
                )
        if "directory" in sd.options:
            if sd.nodaemon:
                msg = "directory is ignored by supervisord with nodaemon=true; not converted"
            else:
                msg = (
                    "supervisord chdirs to directory when daemonizing: written as working_dir "
                    "of every watcher without its own directory"
                )
            ctx.add("S2C205", msg, sd.loc_of("directory"), sec, "directory")
        return out

    def _endpoints(self) -> tuple[str, str]:
        ctx = self.ctx
        unix = [s for s in self.m.servers if s.kind == "unix"]
        inet = [s for s in self.m.servers if s.kind == "inet"]
        base: str | None = None
        for s in unix[:1]:
            if s.file and cs.reads_back(s.file) and len(s.file) + 12 <= 107:
                base = s.file
            ctx.add(
                "S2C301",
                f"[{s.section}] file={s.file}: circusctl uses endpoint ipc://{base or '...'} "
                "(ZeroMQ, no authentication; the socket's mode comes from circusd's umask, "
                "not chmod)",
                s.section_loc,
                s.section,
                "file",
            )
            if s.username or s.password_set:
                ctx.add(
                    "S2C306",
                    f"[{s.section}] requires a username/password; circus endpoints have no "
                    "authentication: anyone who can open the socket controls circusd",
                    s.options["username"].loc if "username" in s.options else s.section_loc,
                    s.section,
                    "username",
                )
        for s in inet[:1]:
            ctx.add(
                "S2C302",
                f"[{s.section}] port={s.host or ''}:{s.port}: written as a local ipc:// "
                "endpoint, never TCP (circus's TCP endpoints have no authentication)",
                s.options["port"].loc if "port" in s.options else s.section_loc,
                s.section,
                "port",
            )
            if s.username or s.password_set:
                ctx.add(
                    "S2C303",
                    f"[{s.section}] requires a username/password, which circus cannot enforce",
                    s.options["username"].loc if "username" in s.options else s.section_loc,
                    s.section,
                    "username",
                )
        for s in self.m.servers:
            if s.kind == "ctl":
                ctx.add(
                    "S2C304",
                    "[supervisorctl] is not converted: use circusctl --endpoint "
                    "(or CIRCUSCTL_ENDPOINT)",
                    s.section_loc,
                    s.section,
                    None,
                )
        if base is None:
            d = self.opts.runtime_dir.rstrip("/") or "/"
            return (
                f"ipc://{posixpath.join(d, 'circus.sock')}",
                f"ipc://{posixpath.join(d, 'circus-pubsub.sock')}",
            )
        return (f"ipc://{base}", f"ipc://{base}.pubsub")

    # ------------------------------------------------------------------ others
    def other_sections(self) -> None:
        for o in self.m.others:
            if o.name.startswith("rpcinterface:"):
                factory = o.options.get("supervisor.rpcinterface_factory")
                if factory is not None and factory.value.strip() == DEFAULT_RPC_FACTORY:
                    continue
                self.ctx.add(
                    "S2C305",
                    f"[{o.name}] loads an XML-RPC extension into supervisord; circus has no "
                    "XML-RPC API and the extension is not converted (nor imported)",
                    o.section_loc,
                    o.name,
                    "supervisor.rpcinterface_factory",
                )

    # ------------------------------------------------------------------ processes
    def watcher_name(self, p: ProcessSpec) -> str:
        if p.group_name == p.program_name and p.name == p.program_name and p.numprocs == 1:
            return p.name
        return f"{p.group_name}:{p.name}"

    def process(self, p: ProcessSpec, name: str) -> _Pending | None:
        """Translate one process; None when it is not converted. The watcher itself is made
        by :meth:`_finish` once its priority is known."""
        ctx = self.ctx
        add = ctx.add
        sec = p.section
        if p.kind == "eventlistener":
            if self.plan is not None and sec in self.plan.listeners:
                if ctx.once_for(sec, "S2C120"):
                    self._idiom_listener(p)
                return None
            if ctx.once_for(sec, "S2C120"):
                add(
                    "S2C120",
                    f"[{sec}] is an event listener: circus has no event protocol (as a plain "
                    "watcher it would read EOF and crash-loop); not converted -- rewrite it as a "
                    "circus plugin or hook",
                    p.section_loc,
                    sec,
                    None,
                )
            return None
        sd = self.m.supervisord
        if not p.argv:
            if ctx.once_for(sec, "S2C125"):
                add(
                    "S2C125",
                    "the command cannot be split into arguments (an unclosed quote or a trailing "
                    "backslash?): supervisord would fail to start it; watcher not converted",
                    p.loc_of("command"),
                    sec,
                    "command",
                )
            return None
        opts = self.opts
        pair = self._pair
        fappend = ctx.findings.append
        sevs = self.severities
        options: list[tuple[str, str] | None] = []
        comments: list[str] = []
        ok = True

        # ---------------- environment
        # once-per-section codes already reported for this section (see _ONCE_BITS)
        seen = ctx.once_sec.get(sec, 0)
        seen_before = seen
        wrapper_env: list[tuple[str, str]] = []
        pattern = cs.escape_glob(name)
        # the same environment gives the same [env:...] entries (when all of them can be)
        fast: _EnvResult | None = None
        if pattern is not None:
            found = self._env_results.get(p.environment, _UNKNOWN)
            if found is _UNKNOWN:
                fast = self._env_entries(p.environment)
            else:
                fast = cast("_EnvResult | None", found)
        if fast is not None:
            env_pairs, env_intent = fast
        else:
            env_pairs, env_intent = self._env_slow(p, name, pattern, wrapper_env)
        if env_pairs:
            # one S2C123 per environment= line, naming its watchers (reported by run())
            where = (
                (p.loc_of("environment"), sec)
                if p.environment
                else (sd.loc_of("environment"), "supervisord")
            )
            in_source = (p.section_loc.file, p.section_loc.line, p.process_num)
            self.env_name_watchers.setdefault(where, []).append((in_source, name))

        # ---------------- streams
        out_log = p.stdout
        err_log = p.stderr
        redirect = p.redirect_stderr
        auto_out = self._auto_path(p.name, "stdout") if out_log.kind is _AUTO_LOG else ""
        auto_err = (
            self._auto_path(p.name, "stderr") if not redirect and err_log.kind is _AUTO_LOG else ""
        )
        t_out = _target(out_log, auto_out)
        t_err = _target(err_log, auto_err) if not redirect else t_out
        if (out_log.maxbytes and out_log.path in _DEVICES) or (
            not redirect and err_log.maxbytes and err_log.path in _DEVICES
        ):
            self._device_rotation(p)
        redirs: list[str] = []
        out_stream = _INHERIT
        err_stream = _INHERIT
        stream_opts: list[tuple[str, str]] = []

        # S2C110/112/113: nothing to say for plain files, NONE (the usual case)
        if (
            (out_log.kind is not _FILE_LOG and out_log.kind is not _NONE_LOG)
            or out_log.syslog
            or out_log.capture_maxbytes
            or out_log.events_enabled
        ):
            self._channel_findings(p, "stdout", out_log, auto_out)
        if not redirect and (
            (err_log.kind is not _FILE_LOG and err_log.kind is not _NONE_LOG)
            or err_log.syslog
            or err_log.capture_maxbytes
            or err_log.events_enabled
        ):
            self._channel_findings(p, "stderr", err_log, auto_err)

        # stdout
        out_kind = t_out[0]
        if out_kind == "null":
            options_close_out = True
            out_stream = _NULL
        else:
            options_close_out = False
            if out_kind == "file":
                out_stream = self._file_stream(p, "stdout", t_out, stream_opts)
            elif out_kind == "err":
                out_stream = _INHERIT_ERR
        close_err = False
        if redirect:
            if out_kind == "null":
                close_err = True
                err_stream = _NULL
            elif opts.no_wrappers:
                add(
                    "S2C105",
                    "redirect_stderr=true without wrappers: stderr goes to the same place through "
                    "a second stream, and the order between stdout and stderr lines is lost",
                    p.loc_of("redirect_stderr"),
                    sec,
                    "redirect_stderr",
                    severity=Severity.WARNING,
                )
                if out_stream.kind == "file":
                    assert out_stream.path is not None
                    stream_opts += [
                        ("stderr_stream.class", "FileStream"),
                        ("stderr_stream.filename", out_stream.path),
                        ("stderr_stream.max_bytes", str(out_stream.max_bytes)),
                        ("stderr_stream.backup_count", str(out_stream.backup_count)),
                    ]
                    err_stream = out_stream
                elif out_stream.kind == "inherit":
                    stream_opts.append(("stderr_stream.class", "StdoutStream"))
                    err_stream = _DAEMON_STDOUT
            else:
                redirs.append("2>&1")
                err_stream = _STDOUT
                add(
                    "S2C105",
                    "redirect_stderr=true: the command is wrapped in sh -c '... 2>&1' so that "
                    "stderr shares stdout's stream, in order (exact)",
                    p.loc_of("redirect_stderr"),
                    sec,
                    "redirect_stderr",
                )
        else:
            err_kind = t_err[0]
            if err_kind == "null":
                close_err = True
                err_stream = _NULL
            elif err_kind == "file":
                err_stream = self._file_stream(p, "stderr", t_err, stream_opts)
                if (
                    out_stream.kind == "file"
                    and err_stream.kind == "file"
                    and out_stream.path == err_stream.path
                ):
                    add(
                        "S2C114",
                        "stdout and stderr are logged to the same file: circus rotates its two "
                        "streams on that file independently (use redirect_stderr=true)",
                        p.loc_of("stderr_logfile"),
                        sec,
                        "stderr_logfile",
                    )
            elif err_kind == "out":
                if out_stream.kind == "inherit" and not opts.no_wrappers:
                    redirs.append("2>&1")
                    err_stream = _STDOUT
                else:
                    stream_opts.append(("stderr_stream.class", "StdoutStream"))
                    err_stream = _DAEMON_STDOUT
        if out_stream.kind == "inherit-err":
            if err_stream.kind == "inherit" and not opts.no_wrappers:
                redirs.append("1>&2")
                out_stream = _STDERR
            else:
                add(
                    "S2C124",
                    "stdout to stderr cannot be expressed here: stdout goes to circusd's stdout",
                    p.loc_of("stdout_logfile"),
                    sec,
                    "stdout_logfile",
                )
                out_stream = _INHERIT

        # ---------------- command
        umask = p.umask
        if umask is not None and opts.no_wrappers:
            add(
                "S2C104",
                f"umask={format(umask, '03o')} is lost without wrappers (circus has no "
                "per-watcher umask; the child inherits circusd's)",
                p.loc_of("umask"),
                sec,
                "umask",
                severity=Severity.WARNING,
            )
        elif umask is not None:
            add(
                "S2C104",
                f"umask={format(umask, '03o')}: the command is wrapped in "
                'sh -c \'umask ... && exec "$0" "$@"\' (exact)',
                p.loc_of("umask"),
                sec,
                "umask",
            )
        use_umask = umask is not None and not opts.no_wrappers
        program_argv = p.argv
        wrapped = use_umask or bool(redirs)
        # the wrapper's script and comment depend on this only (shared strings)
        wrap_key = (umask if use_umask else None, *redirs)
        # sh (dash) always exports PWD=<cwd>: the script restores circusd's own PWD, or unsets it
        # when circusd has none (then circus leaves the reference literal, equal to the 2nd arg)
        script = self._script(wrap_key) if wrapped else ""
        argv: list[str] | tuple[str, ...]
        joined = " ".join(program_argv)
        marked = ENV_MARK_START in joined
        if (
            not wrapper_env
            and _PLAIN_WORDS(joined) is not None
            and joined.count(" ") == len(program_argv) - 1
            and (not marked or len(set(ENV_MARK_RE.findall(joined))) == 1)
            and (not wrapped or _token_ok(script))
        ):
            # The usual command: words that need no quoting, with at most one distinct deferred
            # reference. Each word is spelled as itself with its markers replaced (as
            # _token_ok's safe words), the result has no other space than between words, and
            # every token reads back (tested against the general path below).
            spelled = _replace_markers(joined) if marked else joined
            words = (
                # the words without a marker stay the model's strings (shared, not copies)
                [
                    w if ENV_MARK_START in a else a
                    for a, w in zip(program_argv, spelled.split(" "), strict=True)
                ]
                if marked
                else program_argv
            )
            if wrapped:
                first = words[0]
                cmd = f"{SH} -c {cs.quote_plain(script)} {first} {_PWD_SEG}"
                if len(words) > 1:
                    cmd += spelled[len(first) :]
                argv = [SH, "-c", script, program_argv[0], PWD_REF, PWD_REF, *program_argv[1:]]
                intended = (SH, "-c", script, first, PWD_REF, PWD_REF, *words[1:])
                intent_program = tuple(words) if marked else program_argv
                comments.append(self._wrapper_comment(wrap_key, wrapper_env, True))
                comments.append("runs: " + shlex.join(words))
            else:
                # usually spelled as the user wrote it: then keep one string, the model's
                cmd = p.command if spelled == p.command else spelled
                argv = program_argv
                intended = intent_program = tuple(words) if marked else program_argv
        else:
            pre_argv: list[str] | tuple[str, ...]
            tail: list[str] | tuple[str, ...] = ()
            if wrapper_env or wrapped:
                env_argv: list[str] = []
                if wrapper_env:
                    env_argv += [ENV] + [f"{k}={v}" for k, v in wrapper_env]
                    if program_argv and "=" in program_argv[0]:
                        env_argv.append(
                            "--"
                        )  # pragma: no cover - `env` would take it as NAME=VALUE
                pre_argv = env_argv
                if wrapped:
                    pre_argv += [SH, "-c", script, *program_argv[:1]]
                    tail = program_argv[1:]
                else:
                    pre_argv += program_argv
                tokens: list[str] | tuple[str, ...] = [*pre_argv, *tail]
            else:
                pre_argv = tokens = program_argv
            marked = ENV_MARK_START in " ".join(tokens)
            deferred = _deferred_map(tokens) if marked else None
            pre = _join_argv(pre_argv, deferred)
            post = _join_argv(tail, deferred) if tail else ""
            if wrapped:
                cmd = (
                    f"{pre} {_PWD_SEG} {post}"
                    if pre and post
                    else " ".join(filter(None, (pre, _PWD_SEG, post)))
                )
                argv = [*pre_argv, PWD_REF, PWD_REF, *tail]
            else:
                # usually spelled as the user wrote it: then keep one string, the model's
                cmd = p.command if pre == p.command else pre
                argv = pre_argv
            if wrapped or wrapper_env:
                comments.append(self._wrapper_comment(wrap_key, wrapper_env, wrapped))
                comments.append(
                    "runs: "
                    + shlex.join(
                        [_replace_markers(a) for a in program_argv] if marked else program_argv
                    )
                )
            # the argv circus will run, and the user's program (shared tuples when nothing
            # changes)
            if marked:
                intended = tuple([_replace_markers(a) for a in argv])
                if argv is program_argv:
                    intent_program = intended
                else:
                    intent_program = tuple([_replace_markers(a) for a in program_argv])
            else:
                intended = argv if argv is program_argv else tuple(argv)
                intent_program = program_argv
            if not all(map(_token_ok, argv)):
                # not every token reads back as itself: check the whole command
                check = cs.split_cmd(cmd) if cs.reads_back(cmd, allow_vars=True) else None
                refs_ok = _only_our_refs(f"{pre} {post}", " ".join(tokens))
                if check != list(intended) or not refs_ok:
                    add(
                        "S2C501",
                        "the command cannot be written so that circus reads back the same argv "
                        "(newline followed by spaces inside an argument?); watcher not converted",
                        p.loc_of("command"),
                        sec,
                        "command",
                    )
                    ok = False
        if (
            program_argv
            and "/" in program_argv[0]
            and not program_argv[0].startswith(("/", ENV_MARK_START))  # deferred: not relative
            and p.directory
        ):
            add(
                "S2C117",
                f"command {as_written(program_argv[0])} is relative: supervisord resolves it "
                "against its own working directory, circus against working_dir "
                f"({as_written(p.directory)}); use an absolute path",
                p.loc_of("command"),
                sec,
                "command",
            )
        options.append(("cmd", cmd))
        options.append(_COPY_ENV)

        # ---------------- working dir / user
        directory = p.directory
        if directory is None and sd.directory and not sd.nodaemon:
            directory = sd.directory
        working_dir: str | None = None
        if directory is not None:
            wd = _spell_value(directory)
            if wd is not None:
                options.append(pair("working_dir", wd))
                working_dir = wd
            else:
                working_dir = _replace_markers(directory)
                add(
                    "S2C501",
                    "directory cannot be written so that circus reads it back unchanged; "
                    "watcher not converted",
                    p.loc_of("directory"),
                    sec,
                    "directory",
                )
                ok = False
        user = p.user
        if user is None and sd.user:
            user = sd.user
            ctx.add_once(
                "sd-user",
                "S2C122",
                f"[supervisord] user={sd.user}: supervisord drops privileges itself; written as "
                "uid on every watcher (circusd itself keeps its user)",
                sd.loc_of("user"),
                "supervisord",
                "user",
            )
        if user is not None:
            if _reads_back(user):
                options.append(pair("uid", user))
            else:
                add(
                    "S2C501",
                    "user cannot be written so that circus reads it back; watcher not converted",
                    p.loc_of("user"),
                    sec,
                    "user",
                )
                ok = False

        # ---------------- lifecycle
        options.append(_AUTOSTART[p.autostart])
        exact_opts: tuple[tuple[str, str], ...] = ()
        respawn = p.autorestart is not AutoRestart.FALSE
        if opts.exact:
            from .exact import exact_respawn, exact_watcher_options

            shutdown_on = self.plan.shutdown_on if self.plan is not None else ""
            exact_opts = exact_watcher_options(
                p,
                stop_order=self.stop_order,
                shutdown_on=shutdown_on,
                shutdown_status=self.plan.shutdown_status if self.plan is not None else 0,
            )
            if exact_opts:
                respawn = exact_respawn(p, shutdown_on=shutdown_on)
        options.append(_RESPAWN[respawn])
        # S2C101-103 become info under --exact (as in ctx.add)
        if p.autorestart is AutoRestart.UNEXPECTED and not seen & _BIT_101:
            seen |= _BIT_101
            loc = p.loc_of("autorestart")
            fappend(
                Finding(
                    "S2C101",
                    sevs["S2C101"],
                    self._s2c101(p),
                    loc.file,
                    loc.line,
                    sec,
                    "autorestart",
                    loc.column,
                )
            )
        if p.startsecs > 0 and not seen & _BIT_102:
            seen |= _BIT_102
            opt = "startretries" if "startretries" in p.options else "startsecs"
            loc = p.loc_of(opt)
            fappend(
                Finding(
                    "S2C102",
                    sevs["S2C102"],
                    self._s2c102(p.startsecs, p.startretries),
                    loc.file,
                    loc.line,
                    sec,
                    opt,
                    loc.column,
                )
            )
        if (p.stopasgroup or p.killasgroup) and not seen & _BIT_103:
            seen |= _BIT_103
            opt = "stopasgroup" if p.stopasgroup else "killasgroup"
            loc = p.loc_of(opt)
            fappend(
                Finding(
                    "S2C103",
                    sevs["S2C103"],
                    self._s2c103(opt),
                    loc.file,
                    loc.line,
                    sec,
                    opt,
                    loc.column,
                )
            )
        if seen != seen_before:
            ctx.once_sec[sec] = seen
        prio_index = len(options)
        options.append(None)  # ("priority", ...), once known
        options.append(pair("stop_signal", p.stopsignal_name))
        options.append(self._num_pair("graceful_timeout", p.stopwaitsecs))
        options.extend(stream_opts)
        if options_close_out:
            options.append(_CLOSE_OUT)
        if close_err:
            options.append(_CLOSE_ERR)

        # ---------------- fcgi socket
        if p.kind == "fcgi-program" and p.socket is not None:
            sock_name = self._socket(p)
            if sock_name:
                options.append(("stdin_socket", sock_name))

        if p.serverurl is not None:
            add(
                "S2C107",
                "serverurl sets SUPERVISOR_SERVER_URL for the child; circus sets no "
                "SUPERVISOR_* variables",
                p.loc_of("serverurl"),
                sec,
                "serverurl",
            )
        if self.plan is not None and self.plan.prefixed:
            out_stream, err_stream = self._prefix_streams(p, options, out_stream, err_stream)
        options.extend(exact_opts)
        if not ok:
            return None
        if p.numprocs > 1:
            comments.append(
                f"process {p.process_num} of {sec} (numprocs={p.numprocs}, "
                f"numprocs_start={p.numprocs_start})"
            )
        intent_fields = (
            intended,
            intent_program,
            working_dir,
            env_intent,
            tuple([(k, _replace_markers(v)) for k, v in wrapper_env]) if wrapper_env else (),
            user,
            p.stopsignal,
            float(p.stopwaitsecs),
            p.autostart,
            respawn,
            out_stream,
            err_stream,
            umask if use_umask else None,
            tuple([(k, v) for k, v in exact_opts if k.startswith("hooks.")]) if exact_opts else (),
        )
        return (
            name,
            options,
            prio_index,
            pattern if env_pairs else None,
            env_pairs,
            (name if name is not p.name else f"{p.group_name}:{p.name}",),
            sec,
            tuple(comments) if comments else (),
            intent_fields,
        )

    def _finish(self, pending: _Pending, prio: int) -> Watcher:
        """The watcher of a translated process, at circus priority ``prio``."""
        name, options, prio_index, env_section, env, processes, source, comments, i = pending
        options[prio_index] = self._num_pair("priority", prio)
        # positional arguments (Intent's and Watcher's field order): a third faster than by
        # keyword, for every watcher
        argv, program_argv, wd, ienv, wenv, uid, sig, grace, auto, respawn, out, err, um, hooks = i
        intent = Intent(
            argv,
            program_argv,
            wd,
            ienv,
            wenv,
            uid,
            sig,
            grace,
            auto,
            respawn,
            prio,
            1,
            out,
            err,
            um,
            hooks,
        )
        return Watcher(
            name,
            tuple(options),  # type: ignore[arg-type]  # the placeholder is filled
            env_section,
            env,
            intent,
            processes,
            source,
            comments,
        )

    # ------------------------------------------------------------------ per-process helpers
    def _script(self, wrap_key: tuple[int | str | None, ...]) -> str:
        """The ``sh -c`` script of a wrapper: ``wrap_key`` is the umask (or None) and the
        redirections (shared strings)."""
        script = self._scripts.get(wrap_key)
        if script is None:
            umask = wrap_key[0]
            redirs = cast("tuple[str, ...]", wrap_key[1:])
            # $1 is circusd's PWD as circus substitutes it, $2 the same reference spelled so
            # that circus leaves it alone: equal when circusd has no PWD (then unset it)
            script = PWD_RESTORE
            if umask is not None:
                assert isinstance(umask, int)
                script += f"umask {format(umask, '03o')}&&"
            script += 'exec "$0" "$@"'
            if redirs:
                script += " " + " ".join(redirs)
            self._scripts[wrap_key] = script
        return script

    def _wrapper_comment(
        self,
        wrap_key: tuple[int | str | None, ...],
        wrapper_env: list[tuple[str, str]],
        wrapped: bool,
    ) -> str:
        """The comment saying what the wrapper does (shared strings, without wrapper_env)."""
        comment = None if wrapper_env else self._wrapper_comments.get(wrap_key)
        if comment is None:
            umask = wrap_key[0]
            redirs = wrap_key[1:]
            why = []
            if wrapper_env:
                why.append("sets " + ", ".join(k for k, _ in wrapper_env) + " exactly (env)")
            if umask is not None:
                assert isinstance(umask, int)
                why.append(f"umask {format(umask, '03o')}")
            if "2>&1" in redirs:
                why.append("stderr into stdout, in order")
            if "1>&2" in redirs:
                why.append("stdout into stderr")
            comment = "wrapper: " + "; ".join(why) + (" (keeps circusd's PWD)" if wrapped else "")
            if not wrapper_env:
                self._wrapper_comments[wrap_key] = comment
        return comment

    def _pair(self, key: str, value: str) -> tuple[str, str]:
        """The option ``(key, value)``, one shared tuple per distinct pair."""
        t = (key, value)
        return self._pairs.setdefault(t, t)

    def _num_pair(self, key: str, value: int) -> tuple[str, str]:
        """``(key, str(value))``, shared."""
        t = self._num_pairs.get((key, value))
        if t is None:
            t = self._num_pairs[(key, value)] = (key, str(value))
        return t

    def _share(self, t: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        """One shared tuple per distinct environment."""
        return self._tuples.setdefault(t, t)

    def _env_slow(
        self, p: ProcessSpec, name: str, pattern: str | None, wrapper_env: list[tuple[str, str]]
    ) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
        """The [env:...] entries and Intent env, variable by variable, when some variable
        cannot be written in [env:...] (reported, and added to ``wrapper_env``)."""
        sd = self.m.supervisord
        sec = p.section
        add = self.ctx.add
        pair = self._pair
        opts = self.opts
        merged: dict[str, str] = dict(self.sd_env)
        merged.update(p.environment)
        env_section: list[tuple[str, str]] = []
        intent_env: list[tuple[str, str]] = []
        raw_envs: str | None = None
        p_env: dict[str, str] | None = None
        for key, value in merged.items():
            if pattern is not None and cs.env_key_ok(key):
                spelled = _env_spelling(value)
                if spelled is not None:
                    env_section.append(pair(key, spelled))
                    intent_env.append(pair(key, _replace_markers(value)))
                    continue
            if p_env is None:
                p_env = dict(p.environment)
            if raw_envs is None:
                raw_envs = " , ".join(
                    o.options["environment"].value for o in (p, sd) if "environment" in o.options
                )
            origin = "environment"
            opt_loc = p.loc_of("environment") if key in p_env else sd.loc_of("environment")
            opt_sec = sec if key in p_env else "supervisord"
            if pattern is None:
                reason = f"the watcher name {name!r} cannot be matched exactly by [env:...]"
            else:
                reason = (
                    "circus would change its value in an [env] section (surrounding spaces, "
                    "' ;', $NAME expansion, or an unwritable name)"
                )
            if opts.no_wrappers:
                add(
                    "S2C501",
                    f"variable {shown_env_name(key, raw_envs)}: {reason}; not converted "
                    "(--no-wrappers)",
                    opt_loc,
                    opt_sec,
                    origin,
                )
                continue
            wrapper_env.append((key, value))
            add(
                "S2C115",
                f"variable {shown_env_name(key, raw_envs)}: {reason}; set through an `env` "
                "wrapper in cmd instead (exact)",
                opt_loc,
                opt_sec,
                origin,
            )
        return (
            self._share(tuple(env_section)) if env_section else (),
            self._share(tuple(intent_env)) if intent_env else (),
        )

    def _env_entries(
        self, environment: tuple[tuple[str, str], ...]
    ) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] | None:
        """The [env:...] entries and the Intent env of a process with this ``environment=``
        (and a watcher name [env:...] can match), when every variable can be written there;
        None when some cannot (then process() reports them one by one)."""
        found = self._env_results.get(environment, _UNKNOWN)
        if found is not _UNKNOWN:
            return cast("_EnvResult | None", found)
        merged = dict(self.sd_env)
        merged.update(environment)
        section = []
        intent = []
        result: tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] | None = None
        entries = self._env_entry
        for item in merged.items():
            try:
                both = entries[item]
            except KeyError:
                key, value = item
                spelled = _env_spelling(value) if cs.env_key_ok(key) else None
                both = entries[item] = (
                    None
                    if spelled is None
                    else (self._pair(key, spelled), self._pair(key, _replace_markers(value)))
                )
            if both is None:
                break
            section.append(both[0])
            intent.append(both[1])
        else:
            result = (tuple(section), tuple(intent))
        self._env_results[environment] = result
        return result

    def _auto_path(self, name: str, chan: str) -> str:
        """The file supervisor's AUTO log of process ``name`` is written as."""
        return posixpath.join(
            self.childlogdir, f"{_safe_file_name(name)}-{chan}---{self.safe_ident}.log"
        )

    def _s2c101(self, p: ProcessSpec) -> str:
        key = (p.is_set("autorestart"), p.exitcodes)
        msg = self._messages101.get(key)
        if msg is None:
            msg = self._messages101[key] = (
                "autorestart=unexpected"
                + (" (the default)" if not p.is_set("autorestart") else "")
                + f" with exitcodes={','.join(map(str, p.exitcodes))}: "
                + (
                    "reproduced by sup2circus hooks (--exact)"
                    if self.opts.exact
                    else "circus restarts every exit (respawn = true), expected ones "
                    "included; set autorestart=true/false or convert with --exact"
                )
            )
        return msg

    def _s2c102(self, startsecs: int, startretries: int) -> str:
        key = (startsecs, startretries)
        msg = self._messages102.get(key)
        if msg is None:
            msg = self._messages102[key] = (
                f"startsecs={startsecs}, startretries={startretries}: "
                + (
                    "reproduced by sup2circus hooks (--exact)"
                    if self.opts.exact
                    else "supervisord gives up (FATAL) after startretries fast exits with "
                    "back-off; circus restarts a failing process forever"
                )
            )
        return msg

    def _s2c103(self, opt: str) -> str:
        return f"{opt}=true: " + (
            "reproduced by sup2circus hooks (--exact)"
            if self.opts.exact
            else "circus signals only the main process; its children survive a stop "
            "(convert with --exact to signal the process group)"
        )

    def _channel_findings(self, p: ProcessSpec, chan: str, log: LogSpec, auto: str) -> None:
        """S2C110/S2C112/S2C113 for one output channel, in this order."""
        kind = log.kind
        add = self.ctx.add
        sec = p.section
        opt = f"{chan}_logfile"
        if kind is LogKind.AUTO:
            add(
                "S2C110",
                f"{opt}=AUTO: supervisord picks a random file name in childlogdir; "
                f"written as {auto}",
                p.loc_of(opt),
                sec,
                opt,
            )
        if kind is LogKind.SYSLOG or log.syslog:
            add(
                "S2C112",
                f"{chan} to syslog has no circus equivalent"
                + (
                    "; the output goes to circusd's stdout instead"
                    if kind is LogKind.SYSLOG
                    else ""
                ),
                p.loc_of(f"{chan}_syslog" if log.syslog else opt),
                sec,
                f"{chan}_syslog" if log.syslog else opt,
            )
        if log.capture_maxbytes or log.events_enabled:
            for extra in ("capture_maxbytes", "events_enabled"):
                o = f"{chan}_{extra}"
                if extra == "events_enabled" and self._prefixed(p, chan):
                    continue  # reported by _prefix_streams
                if o in p.options:
                    add(
                        "S2C113",
                        f"{o} feeds supervisor events (PROCESS_COMMUNICATION/PROCESS_LOG); "
                        "circus has no such events, not converted",
                        p.loc_of(o),
                        sec,
                        o,
                    )

    def _file_stream(
        self, p: ProcessSpec, chan: str, t: _TargetT, stream_opts: list[tuple[str, str]]
    ) -> Stream:
        """The FileStream options of channel ``chan`` (appended to ``stream_opts``)."""
        _, path, max_bytes, backups = t
        assert path is not None
        sec = p.section
        add = self.ctx.add
        spelled = _spell_value(path)
        if spelled is None:
            add(
                "S2C501",
                f"{chan} log path cannot be written so that circus reads it back unchanged; "
                "output left on circusd's " + chan,
                p.loc_of(f"{chan}_logfile"),
                sec,
                f"{chan}_logfile",
            )
            return _INHERIT
        sizes = self._stream_pairs.get((chan, max_bytes, backups))
        if sizes is None:
            sizes = self._stream_pairs[(chan, max_bytes, backups)] = (
                (_STREAM_MAX_BYTES[chan], str(max_bytes)),
                (_STREAM_BACKUP_COUNT[chan], str(backups)),
            )
        stream_opts.append(_FILE_STREAM_CLASS[chan])
        stream_opts.append((_STREAM_FILENAME[chan], spelled))
        stream_opts += sizes
        if max_bytes > 0 and backups == 0:
            add(
                "S2C111",
                f"{chan}_logfile_backups=0 with maxbytes>0: supervisord truncates the file "
                "at each rollover, circus never truncates it (it grows without bound)",
                p.loc_of(f"{chan}_logfile_backups"),
                sec,
                f"{chan}_logfile_backups",
            )
        return Stream("file", spelled, max_bytes, backups)

    # ------------------------------------------------------------------ container idioms
    def _idiom_listener(self, p: ProcessSpec) -> None:
        """The findings of a recognised listener idiom (see :mod:`.idioms`), not converted."""
        from .idioms import dash_message, listener_message

        assert self.plan is not None
        found = self.plan.listeners[p.section]
        opts = self.opts
        if found.kind == "stdout":
            code, sev = "S2C132", None
        else:
            code, sev = "S2C130", (Severity.INFO if opts.exact else None)
        message = listener_message(p.section, found, opts.exact, opts.exit_on_fatal)
        self.ctx.add(code, message, p.section_loc, p.section, None, severity=sev)
        if found.sigprefix:
            self.ctx.add("S2C131", dash_message(found), p.loc_of("command"), p.section, "command")

    def _prefixed(self, p: ProcessSpec, chan: str) -> bool:
        if self.plan is None or chan not in self.plan.prefixed:
            return False
        from .idioms import prefixable

        return prefixable(p, chan)

    def _prefix_streams(
        self,
        p: ProcessSpec,
        options: list[tuple[str, str] | None],
        out_stream: Stream,
        err_stream: Stream,
    ) -> tuple[Stream, Stream]:
        """supervisor_stdout: the channels with events enabled go through the prefixing stream,
        which also copies them where they went (``options`` is changed in place)."""
        from .idioms import STREAM_CLASS

        streams = {"stdout": out_stream, "stderr": err_stream}
        for chan in ("stdout", "stderr"):
            if not self._prefixed(p, chan):
                continue
            current = streams[chan]
            copy = {"file": "file", "null": "none", "inherit": chan, "daemon-stdout": "stdout"}
            opt = f"{chan}_events_enabled"
            if current.kind not in copy:
                # merged into the other channel by a `2>&1` wrapper: one stream, one prefix
                self.ctx.add(
                    "S2C113",
                    f"{opt} with supervisor_stdout: {chan} is merged into the other channel by "
                    "the command wrapper, so it cannot get its own prefix; not converted",
                    p.loc_of(opt),
                    p.section,
                    opt,
                )
                continue
            # the stream options come after the priority placeholder (None): its index holds
            keep = [
                o
                for o in options
                if o is None
                or not (o[0].startswith(f"{chan}_stream.") or o[0] == f"close_child_{chan}")
            ]
            options[:] = keep
            options += [
                (f"{chan}_stream.class", STREAM_CLASS),
                (f"{chan}_stream.process", p.name),
                (f"{chan}_stream.channel", chan),
                (f"{chan}_stream.copy", copy[current.kind]),
            ]
            if current.kind == "file":
                assert current.path is not None
                options += [
                    (f"{chan}_stream.filename", current.path),
                    (f"{chan}_stream.max_bytes", str(current.max_bytes)),
                    (f"{chan}_stream.backup_count", str(current.backup_count)),
                ]
            streams[chan] = Stream(
                "prefixed", current.path, current.max_bytes, current.backup_count
            )
            self.ctx.add(
                "S2C132",
                f"{opt}=true with supervisor_stdout: each chunk of {chan} also goes to circusd's "
                f"stdout as '{p.name} {chan} | ...' (sup2circus.circus_streams)",
                p.loc_of(opt),
                p.section,
                opt,
            )
        return streams["stdout"], streams["stderr"]

    def _device_rotation(self, p: ProcessSpec) -> None:
        """S2C134: a channel logged to /dev/stdout or /dev/stderr with rotation on."""
        for chan, log in (("stdout", p.stdout), ("stderr", p.stderr)):
            if chan == "stderr" and p.redirect_stderr:
                continue
            if not log.maxbytes or log.path not in _DEVICES:
                continue
            opt = f"{chan}_logfile_maxbytes"
            self.ctx.add(
                "S2C134",
                f"{chan}_logfile={log.path} with {opt}={log.maxbytes} (rotation on): when "
                "supervisord's output is a pipe (docker logs) it logs a CRIT 'Illegal seek' "
                "line after every chunk of output; with a regular file it works. circusd "
                f"writes to its own {'stdout' if log.path in STDOUT_DEVICES else 'stderr'} "
                f"without rotation and logs nothing: set {opt}=0",
                p.loc_of(opt if opt in p.options else f"{chan}_logfile"),
                p.section,
                opt if opt in p.options else f"{chan}_logfile",
            )

    def _daemon_log_rotation(self) -> None:
        """S2C210: [supervisord] logfile=/dev/stdout (or stderr) with rotation on."""
        sd = self.m.supervisord
        opt = "logfile_maxbytes" if "logfile_maxbytes" in sd.options else "logfile"
        self.ctx.add(
            "S2C210",
            f"logfile={sd.logfile} with logfile_maxbytes={sd.logfile_maxbytes} (rotation on): "
            "when supervisord's output is a pipe (as under Docker) it exits at start with "
            "'OSError: [Errno 29] Illegal seek' and starts nothing; with a regular file it "
            "runs. The converted circusd logs there and starts every program: set "
            "logfile_maxbytes=0 so that both behave the same",
            sd.loc_of(opt),
            "supervisord",
            opt,
        )

    def _socket(self, p: ProcessSpec) -> str | None:
        s = p.socket
        assert s is not None
        sec = p.section
        name = p.program_name.lower()
        if name in self.socket_names:
            return self.socket_names[name]
        opts: list[tuple[str, str]] = []
        if s.family == "unix":
            assert s.path is not None
            opts.append(("path", s.path))
            opts.append(("family", "AF_UNIX"))
            opts.append(("replace", "true"))
            mode = 0o700 if s.mode is None else s.mode
            opts.append(("umask", str(0o777 & ~mode)))
        else:
            opts.append(("host", s.host or ""))
            opts.append(("port", str(s.port)))
        if s.backlog is not None:
            opts.append(("backlog", str(s.backlog)))
        if not all(cs.reads_back(v) for _, v in opts):
            self.ctx.add(
                "S2C501",
                "the socket cannot be written so that circus reads it back",
                p.loc_of("socket"),
                sec,
                "socket",
            )
            return None
        self.ctx.add(
            "S2C118",
            f"socket {s.url} becomes [socket:{name}] on the watcher's stdin (stdin_socket); "
            "circus binds it for its whole lifetime instead of on first start",
            p.loc_of("socket"),
            sec,
            "socket",
        )
        if s.owner:
            self.ctx.add(
                "S2C119",
                f"socket_owner={s.owner} has no circus equivalent: the socket stays owned by "
                "circusd's user",
                p.loc_of("socket_owner"),
                sec,
                "socket_owner",
            )
        self.sockets.append(Socket(name, tuple(opts), (f"from [{sec}] socket={s.url}",)))
        self.socket_names[name] = name
        return name

    # ------------------------------------------------------------------ whole config
    def run(self) -> CircusConfig:
        m = self.m
        ctx = self.ctx
        circus = self.circus_section()
        self.other_sections()
        watchers = self._watchers()
        for (loc, section), placed in self.env_name_watchers.items():
            names = [name for _, name in sorted(placed)]
            ctx.add(
                "S2C123",
                "circus adds __name__=env:NAME to the environment of "
                + ("watcher " if len(names) == 1 else "watchers ")
                + ", ".join(names)
                + " (NAME: the watcher's; a side effect of every [env:...] section)",
                loc,
                section,
                "environment",
            )
        # groups
        for g in m.groups:
            if g.heterogeneous:
                ctx.add(
                    "S2C121",
                    f"[group:{g.name}] start order (group priority {g.priority}, then programs= "
                    f"order) is encoded in watcher priorities; members are named {g.name}:NAME so "
                    f"`circusctl stop '{g.name}:*'` works; circus stops them concurrently",
                    g.section_loc,
                    g.section,
                    "programs",
                )
        if len(m.groups) > 1:
            first = m.processes[0] if m.processes else None
            if first is not None:
                ctx.add_once(
                    "stop",
                    "S2C108",
                    "supervisord stops groups one at a time in reverse start order, waiting for "
                    "each; "
                    + (
                        "reproduced by sup2circus hooks (--exact)"
                        if self.stop_order
                        else "circusd signals every watcher at once (--exact reproduces it)"
                    ),
                    first.section_loc,
                    first.section,
                    "priority",
                )
        piped = next((q for q in m.processes if q.kind == "program"), None)
        if piped is not None:
            # fcgi programs get their socket on stdin in both daemons
            ctx.add_once(
                "stdin",
                "S2C106",
                "circus gives every child /dev/null on stdin (supervisord: a pipe that never "
                "reaches EOF); programs that read stdin will see EOF",
                piped.section_loc,
                piped.section,
                None,
            )
        if m.processes:
            first = m.processes[0]
            ctx.add_once(
                "inherited-env",
                "S2C116",
                "with copy_env = true circus expands $NAME references and strips surrounding "
                "spaces in the variables circusd itself inherits (supervisord passes them "
                "unchanged)",
                first.section_loc,
                first.section,
                None,
            )
            ctx.add_once(
                "supervisor-env",
                "S2C107",
                "circus does not set SUPERVISOR_ENABLED, SUPERVISOR_PROCESS_NAME, "
                "SUPERVISOR_GROUP_NAME, SUPERVISOR_SERVER_URL in the children",
                first.section_loc,
                first.section,
                None,
            )
        if not watchers:
            ctx.add(
                "S2C017",
                "no programs: circusd would run nothing; did an [include] miss?",
                Loc(m.raw.main_file, 1),
                None,
                None,
            )
        # case clashes
        seen: dict[str, str] = {}
        for w in watchers:
            low = w.name.lower()
            if low == w.name:
                low = w.name
            if low in seen and seen[low] != w.name:
                p = next(x for x in m.processes if f"{x.group_name}:{x.name}" in w.processes)
                ctx.add(
                    "S2C502",
                    f"watchers {seen[low]!r} and {w.name!r} differ only in case: circusctl "
                    "looks names up case-insensitively, so one cannot be addressed",
                    p.section_loc,
                    p.section,
                    None,
                )
            seen.setdefault(low, w.name)
        header = [
            f"Generated by sup2circus {__version__} from {os.path.basename(m.raw.main_file)}.",
            "Do not edit by hand: change the supervisor config and convert again.",
            "Start it with: circusd circus.ini   (circusctl --endpoint " + circus[0][1] + ")",
        ]
        if m.deferred_env:
            header.append(
                "circusd's environment must define: " + ", ".join(sorted(set(m.deferred_env)))
            )
        if self.opts.exit_on_fatal and m.processes:
            first = m.processes[0]
            ctx.add(
                "S2C133",
                "--exit-on-fatal: when a process gives up (FATAL), circusd stops every watcher "
                "and exits 1; supervisord keeps running without a listener that stops it",
                first.section_loc,
                first.section,
                None,
            )
        if self.opts.exact and any(w.intent.hooks for w in watchers):
            header.append(
                "--exact: the hooks need the `sup2circus` package importable by circusd's Python "
                "(pip install sup2circus); check with `sup2circus --verify`."
            )
        return CircusConfig(
            header=tuple(header),
            circus=tuple(circus),
            sockets=tuple(sorted(self.sockets, key=lambda s: s.name)),
            watchers=tuple(watchers),
            deferred_env=tuple(sorted(set(m.deferred_env))),
        )

    def _watchers(self) -> list[Watcher]:
        """The watchers, in start order, each with a circus priority reproducing supervisord's
        start order.

        circusd starts watchers by priority descending, ties by name ascending. Prefer the
        readable ``-supervisor_priority``; fall back to distinct numbers when the names would
        break ties differently from supervisord.
        """
        procs = self.m.processes
        names = list(map(self.watcher_name, procs))
        group_prio = {g.name: g.priority for g in self.m.groups}
        sup_prio = [group_prio.get(p.group_name, p.priority) for p in procs]
        finish = self._finish
        found = self.ctx.findings
        # each process's findings, to put them in source order afterwards (see _source_order;
        # _finish reports nothing, so the blocks are contiguous)
        blocks: list[tuple[str, int, int, int]] = []
        block = blocks.append
        translate = self.process

        def process(p: ProcessSpec, name: str) -> _Pending | None:
            """:meth:`process`, recording the block of findings it made."""
            start = len(found)
            pending = translate(p, name)
            if len(found) > start:
                block((p.section_loc.file, p.section_loc.line, start, len(found)))
            return pending

        if not self.stop_order and _ordered(sup_prio, names):
            # ordered for all processes, so for those converted too: -priority it is, and each
            # watcher can be made at once
            out = []
            for p, name, sp in zip(procs, names, sup_prio, strict=True):
                pending = process(p, name)
                if pending is not None:
                    out.append(finish(pending, -sp))
            _source_order(found, blocks)
            return out
        pendings: list[_Pending] = []
        kept_prio: list[int] = []
        for p, name, sp in zip(procs, names, sup_prio, strict=True):
            pending = process(p, name)
            if pending is not None:
                pendings.append(pending)
                kept_prio.append(sp)
        _source_order(found, blocks)
        n = len(pendings)
        if self.stop_order or not _ordered(kept_prio, [w[0] for w in pendings]):
            # distinct numbers: circus then also stops exactly in reverse start order
            prios = [n - i for i in range(n)]
        else:
            prios = [-sp for sp in kept_prio]
        return [finish(w, prio) for w, prio in zip(pendings, prios, strict=True)]


_DEVICES = STDOUT_DEVICES | STDERR_DEVICES


def _idiom_plan(model: SupervisorConfig, opts: ConvertOptions) -> Plan | None:
    """:func:`sup2circus.idioms.scan`'s plan, or None when there is nothing to do (the module
    is then not imported)."""
    if not opts.exit_on_fatal and not any(p.kind == "eventlistener" for p in model.processes):
        return None
    from .idioms import scan

    return scan(model, exact=opts.exact, exit_on_fatal=opts.exit_on_fatal)


def _source_order(found: list[Finding], blocks: list[tuple[str, int, int, int]]) -> None:
    """Put the findings of each process's block (file, section line, start, end; the blocks
    are contiguous, in start order) in the order of the processes' sections in the source, in
    place. The findings are sorted by location in the end anyway; made in start order (by
    priority) they are shuffled, and the sort of tens of thousands costs twice as much."""
    if len(blocks) < 2:
        return
    ordered = sorted(blocks, key=_BLOCK_KEY)
    if ordered == blocks:
        return
    first, last = blocks[0][2], blocks[-1][3]
    found[first:last] = [f for _, _, start, end in ordered for f in found[start:end]]


# a block's (file, section line)
_BLOCK_KEY = operator.itemgetter(0, 1)


def _ordered(sup_prio: list[int], names: list[str]) -> bool:
    """True when circus's start order (priority descending, then name) of watchers at
    priority ``-sup_prio`` is their order in the list (a stable sort would keep it)."""
    for i in range(1, len(names)):
        a, b = sup_prio[i - 1], sup_prio[i]
        if a > b or (a == b and names[i - 1] > names[i]):
            return False
    return True


def _only_our_refs(written: str, value: str) -> bool:
    """True when the only $(circus.*) references in ``written`` are the deferred environment
    references we put there for the markers of ``value``, in order."""
    found = [m.group(0) for m in cs.CIRCUS_VAR_RE.finditer(written)]
    return found == [f"$(circus.env.{n})" for n in ENV_MARK_RE.findall(value)]


def translate(model: SupervisorConfig, opts: ConvertOptions) -> tuple[CircusConfig, list[Finding]]:
    t = _Translator(model, opts)
    cfg = t.run()
    return cfg, merge_duplicates([*model.findings, *t.ctx.findings])
