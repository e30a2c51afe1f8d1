"""[program:x], [fcgi-program:x] and [eventlistener:x] -> one ProcessSpec per process, as
supervisor's ``_processes_from_section`` reads them (in its order, so the first error is the
one supervisord reports).

The expansions of one program are one dict mutated across its process numbers, like
supervisor's ``common_expansions``: the ``ENV_`` names one process's ``environment=`` defines
stay visible to the next ones. ``command``, ``directory``, the log files and ``process_name``
are expanded with it (log files twice); every other option with the [supervisord] expansions
under it.
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple

from .. import datatypes as dt
from ..mapping import ordinary_rows, row
from ..model import LogKind, LogSpec, ProcessSpec, RawSection, SocketSpec
from .context import (
    Context,
    Maps,
    NotConverted,
    check_user,
    error,
    expand_home,
    option_loc,
)
from .expand import Val, ev
from .options import check_dirs, conv, get, name_of, parse_env, read

MAX_NUMPROCS = 10_000
# [program:x] options read plainly, once per section, in supervisor's order
_ORDINARY = ordinary_rows("program", "program")
# per output channel: its *_capture_maxbytes, *_events_enabled, *_logfile_backups,
# *_logfile_maxbytes and *_syslog rows
_CHANNEL_ROWS = {
    ch: tuple(
        row("program", f"{ch}_{name}")
        for name in (
            "capture_maxbytes",
            "events_enabled",
            "logfile_backups",
            "logfile_maxbytes",
            "syslog",
        )
    )
    for ch in ("stdout", "stderr")
}
_LOGKIND = {dt.LogfileKind(k.value): k for k in LogKind}


class KindFields(NamedTuple):
    """What only some section kinds have (fcgi-program: socket; eventlistener: the rest)."""

    socket: SocketSpec | None = None
    events: tuple[str, ...] = ()
    buffer_size: int = 10
    result_handler: str | None = None


class _Settings(NamedTuple):
    """The options read once per section (the same for each of its processes)."""

    # the ordinary options (mapping.ordinary_rows), by name: the ProcessSpec fields they fill
    ordinary: dict[str, Any]
    capture_maxbytes: tuple[int, int]  # stdout, stderr
    events_enabled: tuple[bool, bool]
    serverurl: str | None
    user: str | None
    umask: int | None

    @property
    def numprocs(self) -> int:
        return int(self.ordinary["numprocs"])

    @property
    def numprocs_start(self) -> int:
        return int(self.ordinary["numprocs_start"])


class _PerProcess(NamedTuple):
    """What differs between the processes of one program."""

    name: str
    process_num: int
    command: str
    directory: str | None
    stdout: LogSpec
    stderr: LogSpec
    environment: tuple[tuple[str, str], ...]


def processes(
    ctx: Context,
    sec: RawSection,
    group_name: str,
    kind: str,
    extra: KindFields,
    program_name: str | None = None,
) -> list[ProcessSpec]:
    """``_processes_from_section``, sorted by (priority, name) like supervisor.
    ``program_name``: the section's checked name, when the caller made it."""
    if program_name is None:
        program_name = name_of(sec, sec.name.split(":", 1)[1], None)
    # common_expansions, already updated with the [supervisord] expansions
    common = Maps(dict(ctx.environ.real), dict(ctx.environ.defer))
    for key, v in (
        ("here", ctx.here),
        ("program_name", program_name),
        ("host_node_name", ctx.node),
        ("group_name", group_name),
    ):
        common.set(key, v, v)
    st = _settings(ctx, sec, ctx.environ.merged(common))
    process_name = _process_name(sec, st)
    per_process = []
    for process_num in range(st.numprocs_start, st.numprocs + st.numprocs_start):
        # expansions = common_expansions (the same dict, mutated on purpose)
        common.set("process_num", process_num, process_num)
        common.set("numprocs", st.numprocs, st.numprocs)
        common.real.update(ctx.environ.real)
        common.defer.update(ctx.environ.defer)
        per_process.append(_per_process(ctx, sec, st, process_name, common, process_num))
    out = [_spec(sec, kind, program_name, group_name, st, p, extra) for p in per_process]
    # programs.sort(): by (priority, name), stable (one priority here)
    out.sort(key=lambda p: p.name)
    return out


def _settings(ctx: Context, sec: RawSection, maps: Maps) -> _Settings:
    """The options supervisor reads before the per-process loop, in its order."""
    ordinary: dict[str, Any] = {}
    for r in _ORDINARY:
        default = None  # the row's own (read() returns it parsed when the option is absent)
        if r.option == "killasgroup":  # supervisor: its default is stopasgroup's value
            default = "true" if ordinary["stopasgroup"] else "false"
        ordinary[r.option] = read(ctx, r, sec, maps, default)
    if ordinary["numprocs"] > MAX_NUMPROCS:
        # supervisord would try to run them all; one watcher per process would be absurd
        raise NotConverted(
            f"numprocs={ordinary['numprocs']} is more than sup2circus converts "
            f"({MAX_NUMPROCS} processes per program)",
            option_loc(sec, "numprocs"),
            "numprocs",
            code="S2C126",
        )
    # (environment: read without expansion)
    capture = []
    events = []
    for ch in ("stdout", "stderr"):
        capture.append(read(ctx, _CHANNEL_ROWS[ch][0], sec, maps))
        events.append(read(ctx, _CHANNEL_ROWS[ch][1], sec, maps))
    serverurl: str | None = None
    if "serverurl" in sec.options:
        sv = get(ctx, sec, "serverurl", None, maps)
        serverurl = None if sv is None else sv.text
        if serverurl and serverurl.strip().upper() == "AUTO":
            serverurl = None
    return _Settings(
        ordinary=ordinary,
        capture_maxbytes=(capture[0], capture[1]),
        events_enabled=(events[0], events[1]),
        serverurl=serverurl,
        user=_user(ctx, sec, maps),
        umask=_umask(ctx, sec, maps),
    )


def _user(ctx: Context, sec: RawSection, maps: Maps) -> str | None:
    uv = get(ctx, sec, "user", None, maps) if "user" in sec.options else None
    if uv is None:
        return None
    check_user(ctx, sec, "user", uv.text)
    return uv.text


def _umask(ctx: Context, sec: RawSection, maps: Maps) -> int | None:
    umv = get(ctx, sec, "umask", None, maps) if "umask" in sec.options else None
    return None if umv is None else conv(dt.octal_type, umv, sec, "umask")


def _process_name(sec: RawSection, st: _Settings) -> str | None:
    """The checked, unexpanded process_name (None: the default, %(program_name)s)."""
    pn_opt = sec.options.get("process_name")
    process_name = name_of(
        sec, "%(program_name)s" if pn_opt is None else pn_opt.value, "process_name"
    )
    if st.numprocs > 1 and "%(process_num)" not in process_name:
        raise error(
            "%(process_num) must be present within process_name when numprocs > 1 "
            f"in section {sec.name!r}",
            option_loc(sec, "process_name" if "process_name" in sec.options else "numprocs"),
            hint="set process_name=%(program_name)s_%(process_num)02d",
        )
    if st.ordinary["stopasgroup"] and not st.ordinary["killasgroup"]:
        raise error(
            f"Cannot set stopasgroup=true and killasgroup=false in section {sec.name!r}",
            option_loc(sec, "killasgroup"),
            hint="remove killasgroup=false: stopasgroup implies killasgroup",
        )
    return None if pn_opt is None else process_name


def _per_process(
    ctx: Context,
    sec: RawSection,
    st: _Settings,
    process_name: str | None,
    common: Maps,
    process_num: int,
) -> _PerProcess:
    """One process's values, read in supervisor's order."""
    environment = _environment(ctx, sec, common)
    # what supervisor's get() expands with: the [supervisord] expansions under
    # common_expansions (as the environment above left them)
    maps = ctx.environ.merged(common)
    dv = get(ctx, sec, "directory", None, maps, deferrable=True)
    log_files: list[tuple[str, str]] = []
    stdout = _log(ctx, sec, "stdout", st, common, maps, log_files)
    stderr = _log(ctx, sec, "stderr", st, common, maps, log_files)
    check_dirs(ctx, sec, log_files)
    cv = get(ctx, sec, "command", None, maps, deferrable=True)
    if cv is None:
        raise error(
            f"program section {sec.name} does not specify a command",
            sec.loc,
            hint="add command = /path/to/program args",
        )
    if process_name is None:
        # the default %(program_name)s: common's program_name (ENV_ names cannot replace it)
        name = str(common.real["program_name"])
    else:
        pn_loc = option_loc(sec, "process_name")
        val = Val(process_name, process_name)
        name = ev(ctx, val, common, "process_name", pn_loc, sec.name, "process_name").text
    return _PerProcess(
        name=name,
        process_num=process_num,
        command=cv.text,
        directory=None if dv is None else dv.text,
        stdout=stdout,
        stderr=stderr,
        environment=environment,
    )


def _environment(ctx: Context, sec: RawSection, common: Maps) -> tuple[tuple[str, str], ...]:
    """The program's ``environment=``, expanded with common_expansions; its names are added
    to them (``ENV_X``) for the options read after it."""
    opt = sec.options.get("environment")
    if opt is None:
        return ()
    raw = Val(opt.value, opt.value)
    v = ev(ctx, raw, common, "environment", opt.loc, sec.name, "environment", deferrable=True)
    env_text, env_real = parse_env(ctx, v, sec, "environment")
    for k, text in env_text.items():
        common.set("ENV_" + k, env_real.get(k), text)
    # names and values interned: the programs of a big config repeat them (10,000 programs:
    # 28,600 variables, 2,900 distinct; 2 MB less at the peak)
    return tuple((sys.intern(k), sys.intern(text)) for k, text in env_text.items())


def _log(
    ctx: Context,
    sec: RawSection,
    ch: str,
    st: _Settings,
    common: Maps,
    maps: Maps,
    log_files: list[tuple[str, str]],
) -> LogSpec:
    """The ``stdout``/``stderr`` channel's log file and its rotation; the file is added to
    ``log_files`` ((path, option) pairs, whose directories are checked)."""
    lf_key = f"{ch}_logfile"
    kind = LogKind.AUTO
    path: str | None = None
    lv = get(ctx, sec, lf_key, None, maps, deferrable=True)
    if lv is not None:
        # log file names are expanded twice (the second time with common_expansions)
        loc = option_loc(sec, lf_key)
        lv = ev(ctx, lv, common, lf_key, loc, sec.name, lf_key, deferrable=True)
        kind, path = _logfile(ctx, sec, lf_key, lv.text)
        if path is not None:
            log_files.append((path, lf_key))  # supervisord checks its directory (even if ignored)
    _, _, backups_row, maxbytes_row, syslog_row = _CHANNEL_ROWS[ch]
    backups = read(ctx, backups_row, sec, maps)
    maxbytes = read(ctx, maxbytes_row, sec, maps)
    syslog = read(ctx, syslog_row, sec, maps)
    if kind is LogKind.SYSLOG:
        syslog = True
    if st.ordinary["redirect_stderr"] and ch == "stderr":
        if lv is not None and dt.logfile_name(lv.text)[0] is dt.LogfileKind.FILE:
            # supervisord's own warning: the file name is ignored
            written = sec.options[lf_key].value
            ctx.reporter.report("S2C135", option_loc(sec, lf_key), sec.name, lf_key, path=written)
        kind, path = LogKind.NONE, None
    i = 0 if ch == "stdout" else 1
    return LogSpec(
        kind=kind,
        path=path,
        maxbytes=maxbytes,
        backups=backups,
        syslog=syslog,
        capture_maxbytes=st.capture_maxbytes[i],
        events_enabled=st.events_enabled[i],
    )


def _logfile(ctx: Context, sec: RawSection, option: str, text: str) -> tuple[LogKind, str | None]:
    """The log kind and path (``~`` expanded) of an expanded ``*_logfile`` value."""
    lk, p = dt.logfile_name(text)
    if p == "":
        return LogKind.NONE, None  # '' is falsy: no log file at all
    return _LOGKIND[lk], None if p is None else expand_home(ctx, sec, option, p)


def _spec(
    sec: RawSection,
    kind: str,
    program_name: str,
    group_name: str,
    st: _Settings,
    p: _PerProcess,
    extra: KindFields,
) -> ProcessSpec:
    return ProcessSpec(
        **st.ordinary,
        section=sec.name,
        kind=kind,
        program_name=program_name,
        group_name=group_name,
        name=p.name,
        process_num=p.process_num,
        command=p.command,
        argv=split_command(p.command),
        directory=p.directory,
        umask=st.umask,
        user=st.user,
        stopsignal_name=dt.signal_name(st.ordinary["stopsignal"]),
        stdout=p.stdout,
        stderr=p.stderr,
        environment=p.environment,
        serverurl=st.serverurl,
        section_loc=sec.loc,
        options=sec.options,  # the reader's (immutable by convention, like the model)
        socket=extra.socket,
        events=extra.events,
        buffer_size=extra.buffer_size,
        result_handler=extra.result_handler,
    )


def split_command(command: str) -> tuple[str, ...]:
    """shlex.split like supervisor's spawn; () when unparsable (supervisor: BadCommand).
    Each word is interned: the commands of a big config repeat their words (10,000 programs:
    64,000 words, 5,300 distinct; 3 MB less at the peak)."""
    try:
        return tuple(map(sys.intern, dt.split_words(command)))
    except ValueError:
        return ()
