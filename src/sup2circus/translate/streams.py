"""stdout/stderr log files, redirect_stderr, syslog and the capture/events options: circus
FileStreams, closed channels, or `2>&1`/`1>&2` redirections in the command's wrapper."""

from __future__ import annotations

import posixpath
import re

from ..circus_model import Stream
from ..findings import Loc, Severity
from ..model import ENV_MARK_RE, LogKind, LogSpec, ProcessSpec, as_written
from .context import INHERIT, Context, Draft, from_daemon_directory
from .listeners import prefixed
from .spelling import spell_value

STDOUT_DEVICES = frozenset({"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "/proc/1/fd/1"})
STDERR_DEVICES = frozenset({"/dev/stderr", "/dev/fd/2", "/proc/self/fd/2", "/proc/1/fd/2"})
DEVICES = STDOUT_DEVICES | STDERR_DEVICES
# the names supervisord's log rotation can rename: symlinks in /dev (the /proc ones cannot be)
_RENAMED_AT_ROLLOVER = frozenset({"/dev/stdout", "/dev/stderr"})


def device_rollover(path: str, backups: int) -> str:
    """What a rollover of supervisord's RotatingFileHandler does to a device name when the
    daemon's own output is a regular file: with backups it renames the name itself to NAME.1
    (the /dev/stdout symlink is gone) and reopens NAME, a new regular file; where the rename
    fails (procfs: ENOENT, ignored) or without backups, it reopens NAME with 'wb', which
    truncates the daemon's output file (loggers.py doRollover; verified with the real
    supervisord in a private mount namespace)."""
    if backups > 0 and path in _RENAMED_AT_ROLLOVER:
        return (
            f"renames {path} itself to {path}.1, gone for every process of the machine, "
            f"and writes on into a new regular file {path}"
        )
    return "truncates that file"


_NULL = Stream(kind="null")
_INHERIT_ERR = Stream(kind="inherit-err")  # circusd's stderr: expressed below, then dropped
_STDOUT = Stream(kind="stdout")
_STDERR = Stream(kind="stderr")
_DAEMON_STDOUT = Stream(kind="daemon-stdout")

# the option names of a channel's FileStream (one string each, not one per watcher)
_FILE_STREAM_KEYS = {
    chan: tuple(
        f"{chan}_stream.{key}" for key in ("class", "filename", "max_bytes", "backup_count")
    )
    for chan in ("stdout", "stderr")
}

_UNSAFE_FILE_CHAR = re.compile(r"[^\w.\-]")


def safe_file_name(name: str) -> str:
    # \w is exactly str.isalnum() or "_"
    return _UNSAFE_FILE_CHAR.sub("_", name)


def auto_path(ctx: Context, p: ProcessSpec, chan: str) -> str:
    """The file supervisor's AUTO log of process ``p`` is written as: named after the process,
    or after its group too where another process of that name has the file (supervisord names
    each one at random, so two processes never share one)."""
    sd = ctx.model.supervisord
    ident = safe_file_name(sd.identifier or "supervisor")
    owner = f"{p.group_name}:{p.name}"
    stem, n = safe_file_name(p.name), 1
    while True:
        path = posixpath.join(sd.childlogdir or "/tmp", f"{stem}-{chan}---{ident}.log")
        if ctx.auto_logs.setdefault(path, owner) == owner:
            return path
        n += 1
        stem = f"{safe_file_name(p.group_name)}_{safe_file_name(p.name)}"
        stem += f"-{n}" if n > 2 else ""


def translate_streams(ctx: Context, d: Draft) -> None:
    p = d.p
    d.stdout = _channel(ctx, d, "stdout", p.stdout)
    if p.redirect_stderr:
        _redirect_stderr(ctx, d)
    else:
        d.stderr = _channel(ctx, d, "stderr", p.stderr)
    if d.stdout.kind == "inherit-err":
        _stdout_to_stderr(ctx, d)
    if _rotated_device(p.stdout) or (not p.redirect_stderr and _rotated_device(p.stderr)):
        _device_rotation(ctx, d)
    if d.stdout.kind == "null":
        d.stream_options.append(("close_child_stdout", "true"))
    if d.stderr.kind == "null":
        d.stream_options.append(("close_child_stderr", "true"))


def report_auto_logs(ctx: Context, d: Draft) -> None:
    """S2C110 for the AUTO log files: one finding for both channels where both are AUTO by
    default (the same place, the section's header). The last topic: only a watcher that is
    converted has its log files written."""
    p = d.p
    by_place: dict[Loc, list[tuple[str, str]]] = {}
    for opt, path in d.auto_logs:
        by_place.setdefault(p.loc_of(opt), []).append((opt, path))
    for loc, logs in by_place.items():
        opts, paths = zip(*logs, strict=True)
        setting, path = " and ".join(opts), " and ".join(map(as_written, paths))
        # the processes of a numprocs program: one finding naming every process's files
        ctx.reporter.report("S2C110", loc, p.section, opts[0], setting=setting, watcher=path)


def _rotated_device(log: LogSpec) -> bool:
    return bool(log.maxbytes) and log.path in DEVICES


def _channel(ctx: Context, d: Draft, chan: str, log: LogSpec) -> Stream:
    """Where channel ``chan`` goes (its FileStream options added to the draft)."""
    p = d.p
    auto = auto_path(ctx, p, chan) if log.kind is LogKind.AUTO else ""
    if auto:
        d.auto_logs.append((f"{chan}_logfile", auto))
    _channel_findings(ctx, p, chan, log)
    if log.kind is LogKind.NONE:
        return _NULL
    path = (
        auto
        if log.kind is LogKind.AUTO
        else from_daemon_directory(ctx, p, f"{chan}_logfile", log.path or "")
    )
    if log.kind is LogKind.SYSLOG or path in STDOUT_DEVICES:
        # syslog: the output goes to circusd's stdout
        return _stderr_to_stdout(ctx, d) if chan == "stderr" else INHERIT
    if path in STDERR_DEVICES:
        return _INHERIT_ERR if chan == "stdout" else INHERIT
    return _file_stream(ctx, d, chan, path, log.maxbytes, log.backups)


def _stderr_to_stdout(ctx: Context, d: Draft) -> Stream:
    """stderr_logfile=/dev/stdout: merged by the wrapper when stdout is circusd's own."""
    if d.stdout.kind == "inherit" and not ctx.opts.no_wrappers:
        d.redirections.append("2>&1")
        return _STDOUT
    d.stream_options.append(("stderr_stream.class", "StdoutStream"))
    return _DAEMON_STDOUT


def _redirect_stderr(ctx: Context, d: Draft) -> None:
    p = d.p
    loc, sec = p.loc_of("redirect_stderr"), p.section
    out = d.stdout
    if out.kind == "null":
        d.stderr = _NULL
    elif ctx.opts.no_wrappers:
        detail = (
            "redirect_stderr=true without wrappers: stderr goes to the same place through "
            "a second stream, and the order between stdout and stderr lines is lost"
        )
        ctx.reporter.report(
            "S2C105", loc, sec, "redirect_stderr", severity=Severity.WARNING, detail=detail
        )
        if out.kind == "file":
            assert out.path is not None
            d.stream_options += [
                ("stderr_stream.class", "FileStream"),
                ("stderr_stream.filename", out.path),
                ("stderr_stream.max_bytes", str(out.max_bytes)),
                ("stderr_stream.backup_count", str(out.backup_count)),
            ]
            d.stderr = out
        elif out.kind == "inherit":
            d.stream_options.append(("stderr_stream.class", "StdoutStream"))
            d.stderr = _DAEMON_STDOUT
    elif out.kind == "inherit-err":
        # stdout goes to circusd's stderr, where stderr already goes: the wrapper's 1>&2
        # (_stdout_to_stderr) puts both on it, in order
        d.stderr = INHERIT
        detail = (
            "redirect_stderr=true with stdout_logfile on stderr: the command is wrapped in "
            "sh -c '... 1>&2' so that both streams go to circusd's stderr, in order (exact)"
        )
        ctx.reporter.report("S2C105", loc, sec, "redirect_stderr", detail=detail)
    else:
        d.redirections.append("2>&1")
        d.stderr = _STDOUT
        detail = (
            "redirect_stderr=true: the command is wrapped in sh -c '... 2>&1' so that "
            "stderr shares stdout's stream, in order (exact)"
        )
        ctx.reporter.report("S2C105", loc, sec, "redirect_stderr", detail=detail)


def _stdout_to_stderr(ctx: Context, d: Draft) -> None:
    """stdout_logfile=/dev/stderr: merged by the wrapper when stderr is circusd's own."""
    if d.stderr.kind == "inherit" and not ctx.opts.no_wrappers:
        d.redirections.append("1>&2")
        d.stdout = _STDERR
    else:
        p = d.p
        ctx.reporter.report("S2C124", p.loc_of("stdout_logfile"), p.section, "stdout_logfile")
        d.stdout = INHERIT


def _channel_findings(ctx: Context, p: ProcessSpec, chan: str, log: LogSpec) -> None:
    """S2C112/S2C113 for one output channel."""
    sec = p.section
    opt = f"{chan}_logfile"
    if log.kind is LogKind.SYSLOG or log.syslog:
        # the line that sends it there: *_logfile=syslog (which turns syslog on), else *_syslog
        where = opt if log.kind is LogKind.SYSLOG else f"{chan}_syslog"
        instead = (
            "; the output goes to circusd's stdout instead" if log.kind is LogKind.SYSLOG else ""
        )
        ctx.reporter.report("S2C112", p.loc_of(where), sec, where, channel=chan, instead=instead)
    # each option that is on, with the events it feeds (one set to its off value feeds none)
    feeds = (
        ("capture_maxbytes", bool(log.capture_maxbytes), "PROCESS_COMMUNICATION"),
        ("events_enabled", log.events_enabled, "PROCESS_LOG"),
    )
    for extra, on, events in feeds:
        o = f"{chan}_{extra}"
        if not on or o not in p.options:
            continue
        if extra == "events_enabled" and prefixed(ctx, p, chan):
            continue  # reported by listeners.prefix_streams
        detail = f"{o} feeds supervisor's {events} events; circus has no such events, not converted"
        ctx.reporter.report("S2C113", p.loc_of(o), sec, o, detail=detail)


def _file_stream(
    ctx: Context, d: Draft, chan: str, path: str, max_bytes: int, backups: int
) -> Stream:
    """A FileStream on ``path`` for channel ``chan`` (its options added to the draft)."""
    p = d.p
    spelled = spell_value(path)
    # circus expands $(circus.env.X) in a watcher's options with the watcher's own [env] first;
    # supervisord expanded childlogdir's %(ENV_X)s with its own environment
    overridden = sorted(set(ENV_MARK_RE.findall(path)) & {k for k, _ in d.env_section})
    if spelled is None or overridden:
        why = (
            f"uses %(ENV_{overridden[0]})s of supervisord's environment, and its environment= "
            f"sets {overridden[0]} for circus, which would read that one"
            if overridden
            else "cannot be written so that circus reads it back unchanged"
        )
        detail = f"{chan} log path {why}; output left on circusd's {chan}"
        ctx.reporter.report(
            "S2C501", p.loc_of(f"{chan}_logfile"), p.section, f"{chan}_logfile", detail=detail
        )
        return INHERIT
    class_key, filename_key, max_bytes_key, backup_count_key = _FILE_STREAM_KEYS[chan]
    d.stream_options += [
        (class_key, "FileStream"),
        (filename_key, spelled),
        (max_bytes_key, str(max_bytes)),
        (backup_count_key, str(backups)),
    ]
    if max_bytes > 0 and backups == 0:
        opt = f"{chan}_logfile_backups"
        ctx.reporter.report("S2C111", p.loc_of(opt), p.section, opt, channel=chan)
    return Stream("file", spelled, max_bytes, backups)


# circusd's own fd a channel's final stream writes to ("inherit": the channel's own fd)
_DEVICE_OF_STREAM = {"stdout": "stdout", "daemon-stdout": "stdout", "stderr": "stderr"}


def _device_rotation(ctx: Context, d: Draft) -> None:
    """S2C134: a channel logged to /dev/stdout or /dev/stderr with rotation on. Where circusd
    writes it is read from the resolved streams: S2C124 may have sent stdout elsewhere."""
    p = d.p
    channels = (("stdout", p.stdout, d.stdout), ("stderr", p.stderr, d.stderr))
    for chan, log, stream in channels:
        if chan == "stderr" and p.redirect_stderr:
            continue
        if not _rotated_device(log) or log.path is None:
            continue
        opt = f"{chan}_logfile_maxbytes"
        where = opt if opt in p.options else f"{chan}_logfile"
        device = _DEVICE_OF_STREAM.get(stream.kind, chan)
        ctx.reporter.report(
            "S2C134",
            p.loc_of(where),
            p.section,
            where,
            channel=chan,
            path=log.path,
            setting=opt,
            maxbytes=log.maxbytes,
            device=device,
            rollover=device_rollover(log.path, log.backups),
        )
