"""[supervisord], [unix_http_server]/[inet_http_server], [supervisorctl] and [rpcinterface:x]:
the [circus] section (circusd's own settings and endpoints)."""

from __future__ import annotations

import posixpath

from .. import circus_syntax as cs
from ..mapping import row
from ..model import ServerSpec, SupervisordSpec, as_written
from .context import Context
from .spelling import spell_value
from .streams import DEVICES, device_rollover

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

# [supervisord] options with no circus equivalent: S2C205's text for each. silent (S2C202) and
# nocleanup (S2C110) are not here: circusd does what their other value does.
_NOT_CONVERTED = {
    opt: f"{opt} ({what}) has no circus equivalent and is not converted"
    for opt, what in (
        ("minfds", "raises the open-files limit of supervisord (and its children)"),
        ("minprocs", "raises the process limit of supervisord"),
        ("strip_ansi", "strips ANSI escapes from child logs"),
    )
} | {
    # still in circus.ini: they name the AUTO log files (S2C110)
    "identifier": "identifier (names supervisord in its XML-RPC API) has no circus equivalent; "
    "it stays in the names of the AUTO log files",
    "childlogdir": "childlogdir has no circus equivalent; the AUTO log files are written there, "
    "under fixed names",
}


def _is_default(sd: SupervisordSpec, option: str) -> bool:
    """Whether ``option`` holds supervisor's default: then it does what it does unset, where
    nothing is reported either."""
    r = row("supervisord", option)
    return bool(getattr(sd, option) == (r.value if r.parser is not None else r.default))


def circus_section(ctx: Context) -> list[tuple[str, str]]:
    """The [circus] section's options (and the findings of [supervisord] and the servers)."""
    sd = ctx.model.supervisord
    # no stats_endpoint: writing one makes circus turn statsd on and run circusd-stats
    endpoint, pubsub = _endpoints(ctx)
    out = [
        ("endpoint", endpoint),
        ("pubsub_endpoint", pubsub),
        ("multicast_endpoint", ""),
        ("check_delay", "1"),
    ]
    if not sd.present:
        return out
    sec = "supervisord"
    if not sd.nodaemon:
        ctx.reporter.report("S2C201", sd.loc_of("nodaemon"), sec, "nodaemon")
        out.append(("umask", format(sd.umask, "03o")))
    elif "umask" in sd.options:
        ctx.reporter.report(
            "S2C206", sd.loc_of("umask"), sec, "umask", umask=format(sd.umask, "03o")
        )
    level = LOGLEVELS.get(sd.loglevel.lower(), "info")
    if "loglevel" in sd.options:
        out.append(("loglevel", level))
        if level != sd.loglevel.lower():
            loc = sd.loc_of("loglevel")
            ctx.reporter.report("S2C203", loc, sec, "loglevel", loglevel=sd.loglevel, level=level)
    out += _daemon_log(ctx)
    if "pidfile" in sd.options:
        if cs.reads_back(sd.pidfile):
            out.append(("pidfile", sd.pidfile))
            ctx.reporter.report("S2C204", sd.loc_of("pidfile"), sec, "pidfile")
        else:
            detail = "pidfile cannot be written so that circus reads it back; circusd writes none"
            ctx.reporter.report("S2C501", sd.loc_of("pidfile"), sec, "pidfile", detail=detail)
    for opt, detail in _NOT_CONVERTED.items():
        if opt == "childlogdir" and not any(p.writes_auto_log() for p in ctx.model.processes):
            continue  # no watcher logs there: nothing differs
        if opt in sd.options and not _is_default(sd, opt):
            ctx.reporter.report("S2C205", sd.loc_of(opt), sec, opt, detail=detail)
    if "directory" in sd.options:
        if sd.nodaemon:
            detail = "directory is ignored by supervisord with nodaemon=true; not converted"
        else:
            detail = (
                "supervisord chdirs to directory when daemonizing: written as working_dir "
                "of every watcher without its own directory, and joined with the programs' "
                "relative directories and log file paths (supervisord uses them from there)"
            )
        ctx.reporter.report("S2C205", sd.loc_of("directory"), sec, "directory", detail=detail)
    return out


def _daemon_log(ctx: Context) -> list[tuple[str, str]]:
    """supervisord's own log: circusd's logoutput. One S2C202 says where each daemon logs and
    whether supervisord rotates (logfile_maxbytes > 0), when they differ; S2C210 speaks of
    rotation on a device."""
    sd = ctx.model.supervisord
    sec = "supervisord"
    out = []
    also = " and to stdout (nodaemon)" if sd.nodaemon and not sd.silent else ""
    logfile = sd.logfile
    # only the exact name "syslog" (options.py, loggers.py): SYSLOG is a file of that name
    rotated = bool(sd.logfile_maxbytes) and logfile != "syslog" and logfile not in DEVICES
    rotation = " with rotation" if rotated else ""
    if "logfile" in sd.options:
        spelled = spell_value(logfile)  # circus substitutes $(circus.env.X) in logoutput
        if logfile == "syslog":
            out.append(("logoutput", "syslog:///dev/log"))
            where = "syslog"
        elif spelled is not None:
            # circus opens it as supervisord does, /dev/stdout and the like included (a
            # WatchedFileHandler: no seek, so a pipe is fine)
            out.append(("logoutput", spelled))
            where = logfile
        else:
            where = "its stderr (the path cannot be written so that circus reads it back)"
        if where != logfile or also or rotated:
            detail = (
                f"supervisord logs to {as_written(logfile)}{rotation}{also}; circusd logs to "
                f"{as_written(where)} only" + (", without rotation" if rotated else "")
            )
            ctx.reporter.report("S2C202", sd.loc_of("logfile"), sec, "logfile", detail=detail)
        if logfile in DEVICES and sd.logfile_maxbytes:
            _daemon_log_rotation(ctx)
    else:
        # daemonized (circusd --daemon, S2C201), circusd's stderr is /dev/null
        lost = (
            ""
            if sd.nodaemon
            else (", which circusd --daemon sends to /dev/null: set logfile to keep a log")
        )
        detail = (
            f"supervisord logs to supervisord.log in its working directory{rotation}{also}; "
            f"circusd logs to its stderr{lost}"
        )
        ctx.reporter.report("S2C202", sd.section_loc, sec, "logfile", detail=detail)
    return out


def _daemon_log_rotation(ctx: Context) -> None:
    """S2C210: [supervisord] logfile=/dev/stdout (or stderr) with rotation on."""
    sd = ctx.model.supervisord
    opt = "logfile_maxbytes" if "logfile_maxbytes" in sd.options else "logfile"
    ctx.reporter.report(
        "S2C210",
        sd.loc_of(opt),
        "supervisord",
        opt,
        logfile=as_written(sd.logfile),
        maxbytes=sd.logfile_maxbytes,
        rollover=device_rollover(sd.logfile, sd.logfile_backups),
    )


def _endpoints(ctx: Context) -> tuple[str, str]:
    """circusd's endpoint and pubsub endpoint: next to supervisord's (first) unix socket when
    it can be, else in the runtime directory (never TCP).

    supervisord serves every [inet_http_server*] and [unix_http_server*] section; circusd has
    one endpoint. The first server of each kind (in supervisor's order: the file's) is
    converted (S2C301, S2C302); every other one is not served (S2C308). The credentials of
    each are reported (S2C303, S2C306): circusd's one endpoint, which takes their clients,
    has none."""
    servers = ctx.model.servers
    unix = [s for s in servers if s.kind == "unix"]
    inet = [s for s in servers if s.kind == "inet"]
    runtime_dir = ctx.opts.runtime_dir.rstrip("/") or "/"
    base: str | None = None
    if unix and unix[0].file and cs.reads_back(unix[0].file) and len(unix[0].file) + 12 <= 107:
        base = unix[0].file
    endpoint = base or posixpath.join(runtime_dir, "circus.sock")
    for s in unix:
        if s is unix[0]:
            ctx.reporter.report(
                "S2C301",
                s.loc_of("file"),
                s.section,
                "file",
                section=s.section,
                file=s.file,
                endpoint=endpoint,
            )
        else:
            _not_served(ctx, s, f"file={s.file}", endpoint, unix[0])
        if s.username or s.password_set:
            ctx.reporter.report(
                "S2C306", s.loc_of("username"), s.section, "username", section=s.section
            )
    for s in inet:
        if s is inet[0]:
            ctx.reporter.report(
                "S2C302",
                s.loc_of("port"),
                s.section,
                "port",
                section=s.section,
                port=_port(s),
                endpoint=endpoint,
            )
        else:
            _not_served(ctx, s, f"port={_port(s)}", endpoint, inet[0])
        if s.username or s.password_set:
            ctx.reporter.report(
                "S2C303", s.loc_of("username"), s.section, "username", section=s.section
            )
    for s in servers:
        if s.kind == "ctl":
            ctx.reporter.report("S2C304", s.section_loc, s.section, None)
    if base is None:
        return f"ipc://{endpoint}", f"ipc://{posixpath.join(runtime_dir, 'circus-pubsub.sock')}"
    return f"ipc://{base}", f"ipc://{base}.pubsub"


def _not_served(
    ctx: Context, s: ServerSpec, setting: str, endpoint: str, first: ServerSpec
) -> None:
    """S2C308: a control server after the first of its kind."""
    opt = "file" if s.kind == "unix" else "port"
    ctx.reporter.report(
        "S2C308",
        s.loc_of(opt),
        s.section,
        opt,
        section=s.section,
        setting=setting,
        endpoint=endpoint,
        kind=s.kind,
        first=first.section,
    )


def _port(s: ServerSpec) -> str:
    """An inet server's port as written (``9001`` and ``*:9001`` parse to the same host "")."""
    raw = s.options.get("port")
    return raw.value.strip() if raw is not None else f"{s.host or ''}:{s.port}"


def other_sections(ctx: Context) -> None:
    """S2C305: an [rpcinterface:x] other than supervisor's own."""
    for o in ctx.model.others:
        if not o.name.startswith("rpcinterface:"):
            continue
        factory = o.options.get("supervisor.rpcinterface_factory")
        if factory is not None and factory.value.strip() == DEFAULT_RPC_FACTORY:
            continue
        ctx.reporter.report(
            "S2C305",
            o.loc_of("supervisor.rpcinterface_factory"),
            o.name,
            "supervisor.rpcinterface_factory",
            section=o.name,
        )
