"""Translate the supervisor model into the circus model, option by option, with findings.

Input: :class:`~sup2circus.model.SupervisorConfig` (what supervisord would run). Output:
:class:`~sup2circus.circus_model.CircusConfig` (what to write) and the findings. The option
table in :mod:`.mapping` says which circus form each supervisor option takes and which codes
it may report; the rule texts live in :mod:`.rules`.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import __name__ as _pkg
from . import circus_syntax as cs
from .api import ConvertOptions
from .circus_model import CircusConfig, Intent, Socket, Stream, Watcher
from .findings import Finding, Loc, Severity
from .model import (
    ENV_MARK_RE,
    ENV_MARK_START,
    AutoRestart,
    LogKind,
    LogSpec,
    ProcessSpec,
    SupervisorConfig,
    env_marker,
)
from .redact import shown_env_name
from .rules import finding

VERSION = "0.1.0"

STDOUT_DEVICES = frozenset({"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "/proc/1/fd/1"})
STDERR_DEVICES = frozenset({"/dev/stderr", "/dev/fd/2", "/proc/self/fd/2", "/proc/1/fd/2"})

SH = "/bin/sh"
PWD_REF = "$(circus.env.PWD)"
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


@dataclass
class _Ctx:
    opts: ConvertOptions
    findings: list[Finding] = field(default_factory=list)
    once: set[tuple[str, str]] = field(default_factory=set)
    exact_codes: frozenset[str] = frozenset()

    def add(
        self,
        code: str,
        message: str,
        loc: Loc,
        section: str | None,
        option: str | None,
        severity: Severity | None = None,
    ) -> None:
        if self.opts.exact and code in self.exact_codes:
            severity = Severity.INFO  # reproduced by the hooks
        self.findings.append(finding(code, message, loc, section, option, severity))

    def add_once(
        self, key: str, code: str, message: str, loc: Loc, section: str | None, option: str | None
    ) -> None:
        if (code, key) in self.once:
            return
        self.once.add((code, key))
        self.add(code, message, loc, section, option)


# --------------------------------------------------------------------------- deferred env


def _deferred_map(values: Iterable[str], style: str) -> dict[str, str]:
    """marker -> circus reference for every deferred env reference in ``values``."""
    out: dict[str, str] = {}
    for v in values:
        for name in ENV_MARK_RE.findall(v):
            ref = f"$(circus.env.{name})" if style == "circus" else f"${name}"
            out[env_marker(name)] = ref
    return out


def _replace_markers(value: str, style: str = "circus") -> str:
    if ENV_MARK_START not in value:
        return value

    def repl(m: object) -> str:
        name = m.group(1)  # type: ignore[attr-defined]
        return f"$(circus.env.{name})" if style == "circus" else f"${name}"

    return ENV_MARK_RE.sub(repl, value)


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


# --------------------------------------------------------------------------- streams


@dataclass(frozen=True)
class _Target:
    kind: str  # out | err | null | file
    path: str | None = None
    max_bytes: int = 0
    backups: int = 0


def _target(log: LogSpec, auto_path: str) -> _Target:
    if log.kind is LogKind.NONE:
        return _Target("null")
    if log.kind is LogKind.SYSLOG:
        return _Target("out")
    if log.kind is LogKind.AUTO:
        return _Target("file", auto_path, log.maxbytes, log.backups)
    path = log.path or ""
    if path in STDOUT_DEVICES:
        return _Target("out")
    if path in STDERR_DEVICES:
        return _Target("err")
    return _Target("file", path, log.maxbytes, log.backups)


def _safe_file_name(name: str) -> str:
    return "".join(c if (c.isalnum() or c in "._-") else "_" for c in name)


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
        self.sockets: list[Socket] = []
        self.socket_names: dict[str, str] = {}
        # supervisord stops one group at a time; --exact reproduces it when there are several
        self.stop_order = opts.exact and len({q.group_name for q in model.processes}) > 1

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

    def process(self, p: ProcessSpec) -> Watcher | None:
        ctx = self.ctx
        sec = p.section
        if p.kind == "eventlistener":
            ctx.add_once(
                sec,
                "S2C120",
                f"[{sec}] is an event listener: circus has no event protocol (as a plain "
                "watcher it would read EOF and crash-loop); not converted -- rewrite it as a "
                "circus plugin or hook",
                p.section_loc,
                sec,
                None,
            )
            return None
        name = self.watcher_name(p)
        sd = self.m.supervisord
        if not p.argv:
            ctx.add_once(
                sec,
                "S2C125",
                "the command cannot be split into arguments (an unclosed quote or a trailing "
                "backslash?): supervisord would fail to start it; watcher not converted",
                p.loc_of("command"),
                sec,
                "command",
            )
            return None
        options: list[tuple[str, str]] = []
        comments: list[str] = []
        ok = True

        # ---------------- environment
        merged: dict[str, str] = dict(sd.environment)
        merged.update(dict(p.environment))
        env_section: list[tuple[str, str]] = []
        wrapper_env: list[tuple[str, str]] = []
        pattern = cs.escape_glob(name)
        raw_envs = " , ".join(
            o.options["environment"].value for o in (p, sd) if "environment" in o.options
        )
        for key, value in merged.items():
            spelled = _env_value_spelling(value) if cs.env_key_ok(key) else None
            if spelled is not None and pattern is not None:
                env_section.append((key, spelled))
                continue
            origin = "environment"
            opt_loc = (
                p.loc_of("environment") if key in dict(p.environment) else sd.loc_of("environment")
            )
            opt_sec = sec if key in dict(p.environment) else "supervisord"
            if pattern is None:
                reason = f"the watcher name {name!r} cannot be matched exactly by [env:...]"
            else:
                reason = (
                    "circus would change its value in an [env] section (surrounding spaces, "
                    "' ;', $NAME expansion, or an unwritable name)"
                )
            if self.opts.no_wrappers:
                ctx.add(
                    "S2C501",
                    f"variable {shown_env_name(key, raw_envs)}: {reason}; not converted "
                    "(--no-wrappers)",
                    opt_loc,
                    opt_sec,
                    origin,
                )
                continue
            wrapper_env.append((key, value))
            ctx.add(
                "S2C115",
                f"variable {shown_env_name(key, raw_envs)}: {reason}; set through an `env` "
                "wrapper in cmd instead (exact)",
                opt_loc,
                opt_sec,
                origin,
            )
        if env_section:
            ctx.add_once(
                f"{sec}:__name__",
                "S2C123",
                f"circus adds __name__=env:{pattern} to the environment of watcher {name} "
                "(a side effect of every [env:...] section)",
                p.loc_of("environment") if p.environment else sd.loc_of("environment"),
                sec if p.environment else "supervisord",
                "environment",
            )

        # ---------------- streams
        ident = sd.identifier or "supervisor"
        childlogdir = sd.childlogdir or "/tmp"
        auto_out = posixpath.join(
            childlogdir, f"{_safe_file_name(p.name)}-stdout---{_safe_file_name(ident)}.log"
        )
        auto_err = posixpath.join(
            childlogdir, f"{_safe_file_name(p.name)}-stderr---{_safe_file_name(ident)}.log"
        )
        t_out = _target(p.stdout, auto_out)
        t_err = _target(p.stderr, auto_err) if not p.redirect_stderr else t_out
        redirs: list[str] = []
        out_stream = Stream("inherit")
        err_stream = Stream("inherit")
        stream_opts: list[tuple[str, str]] = []

        for chan, log in (("stdout", p.stdout), ("stderr", p.stderr)):
            if chan == "stderr" and p.redirect_stderr:
                continue
            opt = f"{chan}_logfile"
            if log.kind is LogKind.AUTO:
                ctx.add(
                    "S2C110",
                    f"{opt}=AUTO: supervisord picks a random file name in childlogdir; "
                    f"written as {auto_out if chan == 'stdout' else auto_err}",
                    p.loc_of(opt),
                    sec,
                    opt,
                )
            if log.kind is LogKind.SYSLOG or log.syslog:
                ctx.add(
                    "S2C112",
                    f"{chan} to syslog has no circus equivalent"
                    + (
                        "; the output goes to circusd's stdout instead"
                        if log.kind is LogKind.SYSLOG
                        else ""
                    ),
                    p.loc_of(f"{chan}_syslog" if log.syslog else opt),
                    sec,
                    f"{chan}_syslog" if log.syslog else opt,
                )
            for extra in ("capture_maxbytes", "events_enabled"):
                o = f"{chan}_{extra}"
                if o in p.options and (log.capture_maxbytes or log.events_enabled):
                    ctx.add(
                        "S2C113",
                        f"{o} feeds supervisor events (PROCESS_COMMUNICATION/PROCESS_LOG); "
                        "circus has no such events, not converted",
                        p.loc_of(o),
                        sec,
                        o,
                    )

        def file_stream(chan: str, t: _Target) -> Stream:
            nonlocal ok
            assert t.path is not None
            path = t.path
            spelled = _replace_markers(path)
            if not cs.reads_back(spelled, allow_vars=True) or not _only_our_refs(spelled, path):
                ctx.add(
                    "S2C501",
                    f"{chan} log path cannot be written so that circus reads it back unchanged; "
                    "output left on circusd's " + chan,
                    p.loc_of(f"{chan}_logfile"),
                    sec,
                    f"{chan}_logfile",
                )
                return Stream("inherit")
            stream_opts.append((f"{chan}_stream.class", "FileStream"))
            stream_opts.append((f"{chan}_stream.filename", spelled))
            stream_opts.append((f"{chan}_stream.max_bytes", str(t.max_bytes)))
            stream_opts.append((f"{chan}_stream.backup_count", str(t.backups)))
            if t.max_bytes > 0 and t.backups == 0:
                ctx.add(
                    "S2C111",
                    f"{chan}_logfile_backups=0 with maxbytes>0: supervisord truncates the file "
                    "at each rollover, circus never truncates it (it grows without bound)",
                    p.loc_of(f"{chan}_logfile_backups"),
                    sec,
                    f"{chan}_logfile_backups",
                )
            d = posixpath.dirname(path)
            if not ENV_MARK_RE.search(path) and d and not os.path.isdir(d):
                ctx.add(
                    "S2C012",
                    f"directory {d} of the {chan} log does not exist on this machine: supervisord "
                    "refuses to start without it, circusd silently drops the watcher",
                    p.loc_of(f"{chan}_logfile"),
                    sec,
                    f"{chan}_logfile",
                )
            return Stream("file", spelled, t.max_bytes, t.backups)

        # stdout
        if t_out.kind == "null":
            options_close_out = True
            out_stream = Stream("null")
        else:
            options_close_out = False
            if t_out.kind == "file":
                out_stream = file_stream("stdout", t_out)
            elif t_out.kind == "err":
                out_stream = Stream("inherit-err")
        close_err = False
        if p.redirect_stderr:
            if t_out.kind == "null":
                close_err = True
                err_stream = Stream("null")
            elif self.opts.no_wrappers:
                ctx.add(
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
                    err_stream = Stream("daemon-stdout")
            else:
                redirs.append("2>&1")
                err_stream = Stream("stdout")
                ctx.add(
                    "S2C105",
                    "redirect_stderr=true: the command is wrapped in sh -c '... 2>&1' so that "
                    "stderr shares stdout's stream, in order (exact)",
                    p.loc_of("redirect_stderr"),
                    sec,
                    "redirect_stderr",
                )
        else:
            if t_err.kind == "null":
                close_err = True
                err_stream = Stream("null")
            elif t_err.kind == "file":
                err_stream = file_stream("stderr", t_err)
                if (
                    out_stream.kind == "file"
                    and err_stream.kind == "file"
                    and out_stream.path == err_stream.path
                ):
                    ctx.add(
                        "S2C114",
                        "stdout and stderr are logged to the same file: circus rotates its two "
                        "streams on that file independently (use redirect_stderr=true)",
                        p.loc_of("stderr_logfile"),
                        sec,
                        "stderr_logfile",
                    )
            elif t_err.kind == "out":
                if out_stream.kind == "inherit" and not self.opts.no_wrappers:
                    redirs.append("2>&1")
                    err_stream = Stream("stdout")
                else:
                    stream_opts.append(("stderr_stream.class", "StdoutStream"))
                    err_stream = Stream("daemon-stdout")
        if out_stream.kind == "inherit-err":
            if err_stream.kind == "inherit" and not self.opts.no_wrappers:
                redirs.append("1>&2")
                out_stream = Stream("stderr")
            else:
                ctx.add(
                    "S2C124",
                    "stdout to stderr cannot be expressed here: stdout goes to circusd's stdout",
                    p.loc_of("stdout_logfile"),
                    sec,
                    "stdout_logfile",
                )
                out_stream = Stream("inherit")

        # ---------------- command
        if p.umask is not None and self.opts.no_wrappers:
            ctx.add(
                "S2C104",
                f"umask={format(p.umask, '03o')} is lost without wrappers (circus has no "
                "per-watcher umask; the child inherits circusd's)",
                p.loc_of("umask"),
                sec,
                "umask",
                severity=Severity.WARNING,
            )
        elif p.umask is not None:
            ctx.add(
                "S2C104",
                f"umask={format(p.umask, '03o')}: the command is wrapped in "
                'sh -c \'umask ... && exec "$0" "$@"\' (exact)',
                p.loc_of("umask"),
                sec,
                "umask",
            )
        use_umask = p.umask is not None and not self.opts.no_wrappers
        program_argv = list(p.argv)
        argv: list[str] = []
        if wrapper_env:
            argv += [ENV] + [f"{k}={v}" for k, v in wrapper_env]
            if program_argv and "=" in program_argv[0]:
                argv.append("--")  # pragma: no cover - `env` would take it as NAME=VALUE
        pre_argv = list(argv)
        tail: list[str] = []
        wrapped = use_umask or bool(redirs)
        if wrapped:
            # sh (dash) always exports PWD=<cwd>: restore circusd's own PWD, or unset it when
            # circusd has none (then circus leaves the reference literal, equal to the 2nd arg).
            script = ""
            if use_umask:
                assert p.umask is not None
                script += f"umask {format(p.umask, '03o')} && "
            script += (
                'if [ "$1" = "$2" ]; then unset PWD; else export PWD="$1"; fi && shift 2 && '
                'exec "$0" "$@"'
            )
            if redirs:
                script += " " + " ".join(redirs)
            pre_argv += [SH, "-c", script, *program_argv[:1]]
            tail = program_argv[1:]
        else:
            pre_argv += program_argv
        deferred = _deferred_map(pre_argv + tail, "circus")
        pre = cs.join_argv(pre_argv, deferred)
        post = cs.join_argv(tail, deferred)
        if wrapped:
            pwd_seg = f"'{PWD_REF}' {cs.quote_token(PWD_REF)}"
            cmd = " ".join(x for x in (pre, pwd_seg, post) if x)
            argv = [*pre_argv, PWD_REF, PWD_REF, *tail]
        else:
            cmd = pre
            argv = pre_argv
        if wrapped or wrapper_env:
            why = []
            if wrapper_env:
                why.append("sets " + ", ".join(k for k, _ in wrapper_env) + " exactly (env)")
            if use_umask:
                assert p.umask is not None
                why.append(f"umask {format(p.umask, '03o')}")
            if "2>&1" in redirs:
                why.append("stderr into stdout, in order")
            if "1>&2" in redirs:
                why.append("stdout into stderr")
            comments.append(
                "wrapper: " + "; ".join(why) + (" (keeps circusd's PWD)" if wrapped else "")
            )
            comments.append("runs: " + " ".join(_replace_markers(a) for a in program_argv))
        intended = [_replace_markers(a) for a in argv]
        if all(
            a == PWD_REF or cs.token_round_trips(a, ENV_MARK_RE if ENV_MARK_START in a else None)
            for a in argv
        ):
            # every token reads back as itself (checked once per distinct token, cached)
            check: list[str] | None = intended
            refs_ok = True
        else:
            check = cs.split_cmd(cmd) if cs.reads_back(cmd, allow_vars=True) else None
            refs_ok = _only_our_refs(f"{pre} {post}", " ".join(pre_argv + tail))
        if check != intended or not refs_ok:
            ctx.add(
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
            and not program_argv[0].startswith("/")
            and p.directory
        ):
            ctx.add(
                "S2C117",
                f"command {program_argv[0]} is relative: supervisord resolves it against "
                "its own working directory, circus against working_dir "
                f"({p.directory}); use an absolute path",
                p.loc_of("command"),
                sec,
                "command",
            )
        options.append(("cmd", cmd))
        options.append(("copy_env", "true"))

        # ---------------- working dir / user
        directory = p.directory
        if directory is None and sd.directory and not sd.nodaemon:
            directory = sd.directory
        if directory is not None:
            wd = _replace_markers(directory)
            if cs.reads_back(wd, allow_vars=True) and _only_our_refs(wd, directory):
                options.append(("working_dir", wd))
            else:
                ctx.add(
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
            if cs.reads_back(user):
                options.append(("uid", user))
            else:
                ctx.add(
                    "S2C501",
                    "user cannot be written so that circus reads it back; watcher not converted",
                    p.loc_of("user"),
                    sec,
                    "user",
                )
                ok = False
            if not user.isdigit():
                try:
                    import pwd

                    pwd.getpwnam(user)
                except KeyError:
                    ctx.add_once(
                        f"user:{sec}",
                        "S2C011",
                        f"user {user} does not exist on this machine; fine if it exists where "
                        "circusd runs",
                        p.loc_of("user") if p.user else sd.loc_of("user"),
                        sec if p.user else "supervisord",
                        "user",
                    )

        # ---------------- lifecycle
        options.append(("autostart", "true" if p.autostart else "false"))
        exact_opts: tuple[tuple[str, str], ...] = ()
        respawn = p.autorestart is not AutoRestart.FALSE
        if self.opts.exact:
            from .exact import exact_respawn, exact_watcher_options

            exact_opts = exact_watcher_options(p, stop_order=self.stop_order)
            if exact_opts:
                respawn = exact_respawn(p)
        options.append(("respawn", "true" if respawn else "false"))
        if p.autorestart is AutoRestart.UNEXPECTED:
            ctx.add_once(
                sec,
                "S2C101",
                (
                    "autorestart=unexpected"
                    + (" (the default)" if not p.is_set("autorestart") else "")
                    + f" with exitcodes={','.join(map(str, p.exitcodes))}: "
                    + (
                        "reproduced by sup2circus hooks (--exact)"
                        if self.opts.exact
                        else "circus restarts every exit (respawn = true), expected ones "
                        "included; set autorestart=true/false or convert with --exact"
                    )
                ),
                p.loc_of("autorestart"),
                sec,
                "autorestart",
            )
        if p.startsecs > 0:
            ctx.add_once(
                f"{sec}:start",
                "S2C102",
                f"startsecs={p.startsecs}, startretries={p.startretries}: "
                + (
                    "reproduced by sup2circus hooks (--exact)"
                    if self.opts.exact
                    else "supervisord gives up (FATAL) after startretries fast exits with "
                    "back-off; circus restarts a failing process forever"
                ),
                p.loc_of("startretries" if p.is_set("startretries") else "startsecs"),
                sec,
                "startretries" if p.is_set("startretries") else "startsecs",
            )
        if p.stopasgroup or p.killasgroup:
            opt = "stopasgroup" if p.stopasgroup else "killasgroup"
            ctx.add_once(
                f"{sec}:group",
                "S2C103",
                f"{opt}=true: "
                + (
                    "reproduced by sup2circus hooks (--exact)"
                    if self.opts.exact
                    else "circus signals only the main process; its children survive a stop "
                    "(convert with --exact to signal the process group)"
                ),
                p.loc_of(opt),
                sec,
                opt,
            )
        options.append(("stop_signal", p.stopsignal_name))
        options.append(("graceful_timeout", str(p.stopwaitsecs)))
        options.extend(stream_opts)
        if options_close_out:
            options.append(("close_child_stdout", "true"))
        if close_err:
            options.append(("close_child_stderr", "true"))

        # ---------------- fcgi socket
        if p.kind == "fcgi-program" and p.socket is not None:
            sock_name = self._socket(p)
            if sock_name:
                options.append(("stdin_socket", sock_name))

        if p.serverurl is not None:
            ctx.add(
                "S2C107",
                "serverurl sets SUPERVISOR_SERVER_URL for the child; circus sets no "
                "SUPERVISOR_* variables",
                p.loc_of("serverurl"),
                sec,
                "serverurl",
            )
        options.extend(exact_opts)
        if not ok:
            return None
        env_pairs = tuple(env_section)
        intent = Intent(
            argv=tuple(intended),
            program_argv=tuple(_replace_markers(a) for a in program_argv),
            working_dir=_replace_markers(directory) if directory is not None else None,
            env=tuple((k, _replace_markers(merged[k])) for k, _ in env_section),
            wrapper_env=tuple((k, _replace_markers(v)) for k, v in wrapper_env),
            uid=user,
            stop_signal=p.stopsignal,
            graceful_timeout=float(p.stopwaitsecs),
            autostart=p.autostart,
            respawn=respawn,
            priority=0,
            numprocesses=1,
            stdout=out_stream,
            stderr=err_stream,
            umask=p.umask if use_umask else None,
            hooks=tuple((k, v) for k, v in exact_opts if k.startswith("hooks.")),
        )
        if p.numprocs > 1:
            comments.append(
                f"process {p.process_num} of {sec} (numprocs={p.numprocs}, "
                f"numprocs_start={p.numprocs_start})"
            )
        return Watcher(
            name=name,
            options=tuple(options),
            env_section=pattern if env_pairs else None,
            env=env_pairs,
            intent=intent,
            processes=(f"{p.group_name}:{p.name}",),
            source=sec,
            comments=tuple(comments),
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
        watchers: list[Watcher] = []
        sup_prio: list[int] = []
        group_prio = {g.name: g.priority for g in m.groups}
        for p in m.processes:
            w = self.process(p)
            if w is None:
                continue
            watchers.append(w)
            sup_prio.append(group_prio.get(p.group_name, p.priority))
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
        piped = [q for q in m.processes if q.kind == "program"]
        if piped:
            # fcgi programs get their socket on stdin in both daemons
            ctx.add_once(
                "stdin",
                "S2C106",
                "circus gives every child /dev/null on stdin (supervisord: a pipe that never "
                "reaches EOF); programs that read stdin will see EOF",
                piped[0].section_loc,
                piped[0].section,
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
        watchers = self._prioritise(watchers, sup_prio)
        # case clashes
        seen: dict[str, str] = {}
        for w in watchers:
            low = w.name.lower()
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
            f"Generated by sup2circus {VERSION} from {os.path.basename(m.raw.main_file)}.",
            "Do not edit by hand: change the supervisor config and convert again.",
            "Start it with: circusd circus.ini   (circusctl --endpoint " + circus[0][1] + ")",
        ]
        if m.deferred_env:
            header.append(
                "circusd's environment must define: " + ", ".join(sorted(set(m.deferred_env)))
            )
        if self.opts.exact and any(w.intent.hooks for w in watchers):
            header.append(
                f"--exact: the hooks need the `{_pkg}` package importable by circusd's Python "
                "(pip install sup2circus); check with `sup2circus --verify`."
            )
        return CircusConfig(
            header=tuple(header),
            circus=tuple(circus),
            global_env=(),
            sockets=tuple(sorted(self.sockets, key=lambda s: s.name)),
            watchers=tuple(watchers),
            deferred_env=tuple(sorted(set(m.deferred_env))),
        )

    def _prioritise(self, watchers: list[Watcher], sup_prio: list[int]) -> list[Watcher]:
        """Give each watcher a circus priority reproducing supervisord's start order.

        circusd starts watchers by priority descending, ties by name ascending. Prefer the
        readable ``-supervisor_priority``; fall back to distinct numbers when the names would
        break ties differently from supervisord.
        """
        n = len(watchers)
        cand = [-sp for sp in sup_prio]
        order = sorted(range(n), key=lambda i: (-cand[i], watchers[i].name))
        if order != list(range(n)) or self.stop_order:
            # distinct numbers: circus then also stops exactly in reverse start order
            cand = [n - i for i in range(n)]
        out = []
        for w, prio in zip(watchers, cand, strict=True):
            opts = list(w.options)
            idx = next(i for i, (k, _) in enumerate(opts) if k == "stop_signal")
            opts.insert(idx, ("priority", str(prio)))
            intent = dataclasses.replace(w.intent, priority=prio)
            out.append(dataclasses.replace(w, options=tuple(opts), intent=intent))
        return out


def _only_our_refs(written: str, value: str) -> bool:
    """True when the only $(circus.*) references in ``written`` are the deferred environment
    references we put there for the markers of ``value``, in order."""
    found = [m.group(0) for m in cs.CIRCUS_VAR_RE.finditer(written)]
    return found == [f"$(circus.env.{n})" for n in ENV_MARK_RE.findall(value)]


def translate(model: SupervisorConfig, opts: ConvertOptions) -> tuple[CircusConfig, list[Finding]]:
    t = _Translator(model, opts)
    cfg = t.run()
    return cfg, list(model.findings) + t.ctx.findings
