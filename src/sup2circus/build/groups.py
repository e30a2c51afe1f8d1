"""The process groups, as ``process_groups_from_parser`` makes them: [group:x] sections first
(their members are plain programs), then each [program:x], [eventlistener:x] and
[fcgi-program:x] not in a group is a group of its own; sorted by (priority, name)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from .. import datatypes as dt
from ..model import GroupSpec, ProcessSpec, RawSection, SocketSpec
from .context import Context, Maps, NotConverted, check_owner, error, option_loc, same_maps
from .options import conv, get, name_of, skip_section, value
from .processes import KindFields, processes

# supervisor.events.EventTypes (4.3.0)
EVENT_TYPES = frozenset(
    {
        "EVENT",
        "PROCESS_STATE",
        "PROCESS_STATE_STOPPED",
        "PROCESS_STATE_EXITED",
        "PROCESS_STATE_STARTING",
        "PROCESS_STATE_STOPPING",
        "PROCESS_STATE_BACKOFF",
        "PROCESS_STATE_FATAL",
        "PROCESS_STATE_RUNNING",
        "PROCESS_STATE_UNKNOWN",
        "PROCESS_COMMUNICATION",
        "PROCESS_COMMUNICATION_STDOUT",
        "PROCESS_COMMUNICATION_STDERR",
        "PROCESS_LOG",
        "PROCESS_LOG_STDOUT",
        "PROCESS_LOG_STDERR",
        "REMOTE_COMMUNICATION",
        "SUPERVISOR_STATE_CHANGE",
        "SUPERVISOR_STATE_CHANGE_RUNNING",
        "SUPERVISOR_STATE_CHANGE_STOPPING",
        "TICK",
        "TICK_5",
        "TICK_60",
        "TICK_3600",
        "PROCESS_GROUP",
        "PROCESS_GROUP_ADDED",
        "PROCESS_GROUP_REMOVED",
    }
)
_FCGI_TCP_RE = re.compile(r"tcp://([^\s:]+):(\d+)$")

# one group entry: its spec and its processes (in supervisor's append order)
_Entry = tuple[GroupSpec, list[ProcessSpec]]
_SectionReader = Callable[[Context, RawSection, Maps], _Entry]


def groups(ctx: Context) -> tuple[list[GroupSpec], list[ProcessSpec]]:
    """The groups supervisord keeps and their processes, in start order."""
    gmaps = ctx.environ.merged(same_maps({"here": ctx.here}))
    members: set[str] = set()
    entries: list[_Entry] = []

    def read_all(prefix: str, reader: _SectionReader) -> None:
        for name, sec in ctx.sections.items():
            if not name.startswith(prefix) or name in members:
                continue
            try:
                entries.append(reader(ctx, sec, gmaps))
            except NotConverted as exc:
                skip_section(ctx, name, exc)

    def group_reader(ctx: Context, sec: RawSection, gmaps: Maps) -> _Entry:
        return _group(ctx, sec, gmaps, members)

    read_all("group:", group_reader)
    read_all("program:", _program)
    read_all("eventlistener:", _eventlistener)
    read_all("fcgi-program:", _fcgi_program)
    return _keep_first(ctx, entries)


def _keep_first(ctx: Context, entries: list[_Entry]) -> tuple[list[GroupSpec], list[ProcessSpec]]:
    """groups.sort() by (priority, name), stable; supervisord keeps the first group of a name,
    and in a group the last process of a name (in the earlier one's position)."""
    entries = sorted(entries, key=lambda e: (e[0].priority, e[0].name))
    kept: dict[str, GroupSpec] = {}
    processes_out: list[ProcessSpec] = []
    for g, procs in entries:
        first = kept.get(g.name)
        if first is not None:
            ctx.reporter.report(
                "S2C013",
                g.section_loc,
                g.section,
                None,
                duplicate=f"group name {g.name!r} of [{g.section}] is already used by "
                f"[{first.section}]",
                outcome=f"keeps only [{first.section}] and never runs [{g.section}]",
            )
            continue
        kept[g.name] = g
        by_name: dict[str, ProcessSpec] = {}
        for p in procs:
            prev = by_name.get(p.name)
            if prev is not None and prev.section == p.section:
                # the same program listed twice in programs=: one process, the fact is there
                ctx.reporter.report(
                    "S2C013",
                    g.loc_of("programs"),
                    g.section,
                    "programs",
                    duplicate=f"[{p.section}] is listed twice in programs= of [{g.section}]",
                    outcome="runs it once",
                )
            elif prev is not None:
                ctx.reporter.report(
                    "S2C013",
                    prev.section_loc,
                    prev.section,
                    None,
                    duplicate=f"process name {p.name!r} appears twice in group {g.name!r} "
                    f"([{prev.section}] and [{p.section}])",
                    outcome="keeps the last one",
                )
            by_name[p.name] = p
        processes_out.extend(by_name.values())
    return list(kept.values()), processes_out


def _homogeneous(name: str, priority: int, sec: RawSection) -> GroupSpec:
    return GroupSpec(
        name=name,
        priority=priority,
        section=sec.name,
        heterogeneous=False,
        program_sections=(sec.name,),
        section_loc=sec.loc,
        options=sec.options,
    )


def _group(ctx: Context, sec: RawSection, gmaps: Maps, members: set[str]) -> _Entry:
    """[group:x]: its programs (each member is read as a plain [program:x])."""
    name = sec.name
    gname = name_of(sec, name.split(":", 1)[1], None)
    pv = get(ctx, sec, "programs", None, gmaps)
    programs = dt.list_of_strings(pv.text if pv is not None else None)
    priority = value(ctx, dt.integer, sec, "priority", "999", gmaps)
    member_sections: list[str] = []
    for program in programs:
        psec, fsec = f"program:{program}", f"fcgi-program:{program}"
        if psec not in ctx.sections and fsec not in ctx.sections:
            raise error(
                f"[{name}] names unknown program or fcgi-program {program}",
                option_loc(sec, "programs"),
                hint=f"add a [program:{program}] section or remove it from programs=",
            )
        if psec in ctx.sections and fsec in ctx.sections:
            raise error(
                f"[{name}] name {program} is ambiguous (exists as program and fcgi-program)",
                option_loc(sec, "programs"),
                hint="rename one of the two sections",
            )
        member_sections.append(psec if psec in ctx.sections else fsec)
    # every member is the group's before any is read: a member that cannot be converted drops
    # the whole group, and supervisord never runs the others as groups of their own
    members.update(member_sections)
    procs: list[ProcessSpec] = []
    dropped: NotConverted | None = None
    for target in member_sections:
        # supervisor builds group members as plain ProcessConfig (even fcgi ones)
        try:
            procs += processes(ctx, ctx.sections[target], gname, "program", KindFields())
        except NotConverted as exc:
            # a fact of this machine: the members after it are still read, since supervisord
            # refuses an error in any of them wherever it runs
            dropped = dropped or exc.with_traceback(None)
    if dropped is not None:
        try:
            raise dropped
        finally:
            dropped = None  # the frame must not keep its own exception: a reference cycle
    spec = GroupSpec(
        name=gname,
        priority=priority,
        section=name,
        heterogeneous=True,
        program_sections=tuple(member_sections),
        section_loc=sec.loc,
        options=sec.options,
    )
    return spec, procs


def _program(ctx: Context, sec: RawSection, gmaps: Maps) -> _Entry:
    pname = name_of(sec, sec.name.split(":", 1)[1], None)
    priority = value(ctx, dt.integer, sec, "priority", "999", gmaps)
    procs = processes(ctx, sec, pname, "program", KindFields(), program_name=pname)
    return _homogeneous(pname, priority, sec), procs


def _eventlistener(ctx: Context, sec: RawSection, gmaps: Maps) -> _Entry:
    name = sec.name
    pool_name = name.split(":", 1)[1]
    priority = value(ctx, dt.integer, sec, "priority", "-1", gmaps)
    buffer_size = value(ctx, dt.integer, sec, "buffer_size", "10", gmaps)
    if buffer_size < 1:
        raise error(
            f"[{name}] section sets invalid buffer_size ({buffer_size})",
            option_loc(sec, "buffer_size"),
            hint="use buffer_size >= 1",
        )
    rh = get(ctx, sec, "result_handler", "supervisor.dispatchers:default_handler", gmaps)
    assert rh is not None
    if not dt.import_spec_ok(rh.text):
        raise error(
            f"{rh.text} cannot be resolved within [{name}]",
            option_loc(sec, "result_handler"),
            hint="result_handler must be module:attribute",
        )
    events = _events(ctx, sec, gmaps)
    if value(ctx, dt.boolean, sec, "redirect_stderr", "false", gmaps):
        raise error(
            f"[{name}] section sets redirect_stderr=true but this is not allowed "
            "because it will interfere with the eventlistener protocol",
            option_loc(sec, "redirect_stderr"),
            hint="remove redirect_stderr from the event listener",
        )
    extra = KindFields(events=events, buffer_size=buffer_size, result_handler=rh.text)
    procs = processes(ctx, sec, pool_name, "eventlistener", extra)
    return _homogeneous(pool_name, priority, sec), procs


def _events(ctx: Context, sec: RawSection, gmaps: Maps) -> tuple[str, ...]:
    ev = get(ctx, sec, "events", "", gmaps)
    assert ev is not None
    events: list[str] = []
    for e in dt.list_of_strings(ev.text):
        up = e.upper()
        if up not in events:
            events.append(up)
    if not events:
        raise error(
            f'[{sec.name}] section requires an "events" line',
            option_loc(sec, "events"),
            hint="add events = PROCESS_STATE, or the event types it listens to",
        )
    for up in events:
        if up not in EVENT_TYPES:
            raise error(
                f"Unknown event type {up} in [{sec.name}] events",
                option_loc(sec, "events"),
                hint="use supervisor's event types, such as PROCESS_STATE or TICK_5",
            )
    return tuple(events)


def _fcgi_program(ctx: Context, sec: RawSection, gmaps: Maps) -> _Entry:
    name = sec.name
    pname = name_of(sec, name.split(":", 1)[1], None)
    priority = value(ctx, dt.integer, sec, "priority", "999", gmaps)
    get(ctx, sec, "user", None, gmaps)  # expanded here; the uid is checked per process
    backlog: int | None = None
    bv = get(ctx, sec, "socket_backlog", None, gmaps)
    if bv is not None:
        backlog = conv(dt.integer, bv, sec, "socket_backlog")
        if backlog < 1 or backlog > 65535:
            raise error(
                f"Invalid socket_backlog value {backlog}",
                option_loc(sec, "socket_backlog"),
                hint="use 1..65535",
            )
    owner = _socket_owner(ctx, sec, gmaps)
    mode: int | None = None
    mv = get(ctx, sec, "socket_mode", None, gmaps)
    if mv is not None:
        try:
            mode = dt.octal_type(mv.text)
        except ValueError:
            raise error(
                f"Invalid socket_mode value {mv.text}",
                option_loc(sec, "socket_mode"),
                hint="use an octal mode such as 0700",
            ) from None
    sv = get(ctx, sec, "socket", None, gmaps.merged(same_maps({"program_name": pname})))
    if sv is None or not sv.text:
        raise error(
            f'[{name}] section requires a "socket" line',
            option_loc(sec, "socket"),
            hint="add socket = tcp://127.0.0.1:9000 or unix:///run/app.sock",
        )
    extra = KindFields(socket=_fcgi_socket(ctx, sv.text, owner, mode, backlog, sec))
    procs = processes(ctx, sec, pname, "fcgi-program", extra, program_name=pname)
    return _homogeneous(pname, priority, sec), procs


def _socket_owner(ctx: Context, sec: RawSection, gmaps: Maps) -> str | None:
    ov = get(ctx, sec, "socket_owner", None, gmaps)
    if ov is None:
        return None
    check_owner(ctx, sec, "socket_owner", ov.text)
    return ov.text


def _fcgi_socket(
    ctx: Context,
    sock: str,
    owner: str | None,
    mode: int | None,
    backlog: int | None,
    sec: RawSection,
) -> SocketSpec:
    loc = option_loc(sec, "socket")
    if sock.startswith("unix://"):
        path = sock[7:]
        if not os.path.isabs(path):
            raise error(
                f"Unix socket path {path} is not an absolute path in [{sec.name}] socket",
                loc,
                hint="use unix:///absolute/path.sock",
            )
        path = os.path.normpath(dt.expanduser(path, ctx.env))
        return SocketSpec(
            url=f"unix://{path}",
            family="unix",
            host=None,
            port=None,
            path=path,
            mode=0o700 if mode is None else mode,
            owner=owner,
            backlog=backlog,
        )
    if owner is not None or mode is not None:
        raise error(
            "socket_owner and socket_mode params should only be used with a Unix domain "
            f"socket in [{sec.name}] socket",
            loc,
            hint="remove socket_owner/socket_mode for a tcp:// socket",
        )
    m = _FCGI_TCP_RE.match(sock)
    if not m:
        raise error(
            f"Bad socket format {sock} in [{sec.name}] socket",
            loc,
            hint="use tcp://host:port or unix:///path",
        )
    host = m.group(1).lower()
    try:
        port = dt.port_number(m.group(2))
    except ValueError as exc:
        raise error(f"{exc} in [{sec.name}] socket", loc) from None
    return SocketSpec(
        url=f"tcp://{host}:{port}",
        family="tcp",
        host=host,
        port=port,
        path=None,
        mode=None,
        owner=None,
        backlog=backlog,
    )
