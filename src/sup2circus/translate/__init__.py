"""Translate the supervisor model into the circus model, topic by topic, with findings.

Input: :class:`~sup2circus.model.SupervisorConfig` (what supervisord would run). Output:
:class:`~sup2circus.circus_model.CircusConfig` (what to write) and the findings. Each process
goes through the topics in :data:`TOPICS` (one module each), which fill in its
:class:`~.context.Draft`; the rule texts live in :mod:`sup2circus.rules`.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Callable

from .. import circus_syntax as cs
from .._version import __version__
from ..circus_model import CircusConfig, Intent, Socket, Watcher
from ..findings import Finding, Loc, Severity
from ..model import ProcessSpec, SupervisorConfig
from ..options import ConvertOptions
from ..reporter import Reporter
from .command import PWD_ARGS, PWD_RESTORE, translate_command, unsplittable
from .context import Context, Draft
from .daemon import circus_section, other_sections
from .environment import report_env_names, report_undefined, translate_environment
from .lifecycle import translate_lifecycle
from .listeners import idiom_plan, prefix_streams, translate_listener
from .ordering import (
    case_clashes,
    circus_priorities,
    group_findings,
    start_priorities,
    watcher_name,
)
from .sockets import translate_socket
from .spelling import CIRCUS_ENV_REF_RE, replace_markers
from .streams import report_auto_logs, translate_streams

__all__ = ["PWD_RESTORE", "translate"]

# The topics of one process, in order: each reads what the earlier ones decided (the command's
# wrapper needs the environment's `env` variables and the streams' redirections).
TOPICS: tuple[Callable[[Context, Draft], None], ...] = (
    translate_environment,
    translate_streams,
    translate_command,
    translate_lifecycle,
    translate_socket,
    prefix_streams,
    report_auto_logs,
)


def translate(model: SupervisorConfig, opts: ConvertOptions) -> tuple[CircusConfig, list[Finding]]:
    severities: dict[str, Severity] = {}
    if opts.exact:
        from ..exact import EXACT_CODES

        # the codes the hooks reproduce are info, whatever a call site asks for
        severities = dict.fromkeys(EXACT_CODES, Severity.INFO)
    reporter = Reporter(severities)
    reporter.extend(model.findings)
    ctx = Context(
        model,
        opts,
        reporter,
        plan=idiom_plan(model, opts),
        stop_order=opts.exact and len({q.group_name for q in model.processes}) > 1,
    )
    circus = circus_section(ctx)
    other_sections(ctx)
    watchers = _watchers(ctx)
    report_env_names(ctx)
    converted = _converted(model, watchers)
    group_findings(ctx, converted)
    _config_findings(ctx, watchers, converted)
    case_clashes(ctx, watchers)
    sockets = sorted(ctx.sockets, key=lambda s: s.name)
    deferred = _deferred_in_use(model, circus, sockets, watchers)
    report_undefined(ctx, watchers, deferred)
    config = CircusConfig(
        header=_header(ctx, circus[0][1], watchers, deferred),
        circus=tuple(circus),
        sockets=tuple(sockets),
        watchers=tuple(watchers),
        deferred_env=deferred,
    )
    return config, reporter.findings()


def translate_process(ctx: Context, p: ProcessSpec, name: str) -> Draft | None:
    """The draft of one process's watcher; None when it is not converted."""
    if p.kind == "eventlistener":
        translate_listener(ctx, p)
        return None
    if not p.argv:
        unsplittable(ctx, p)
        return None
    if not cs.header_reads_back(name):
        # only %(ENV_X)s or %(host_node_name)s in process_name can bring one (the name is not
        # shown: it may be an environment value)
        detail = (
            "the process name holds a line break or a character UTF-8 cannot encode, which a "
            "circus section name cannot hold; watcher not converted"
        )
        ctx.reporter.report(
            "S2C501", p.loc_of("process_name"), p.section, "process_name", detail=detail
        )
        return None
    d = Draft(p, name, cs.escape_glob(name))
    for topic in TOPICS:
        topic(ctx, d)
        if not d.ok:
            # not converted: the later topics would report on a watcher that does not exist
            return None
    if p.numprocs > 1:
        d.comments.append(
            f"process {p.process_num} of {p.section} (numprocs={p.numprocs}, "
            f"numprocs_start={p.numprocs_start})"
        )
    return d


def _watchers(ctx: Context) -> list[Watcher]:
    """The watchers, in start order, each with a circus priority reproducing supervisord's
    start order."""
    procs = ctx.model.processes
    names = [watcher_name(p) for p in procs]
    sup_prio = start_priorities(ctx)
    made: dict[int, Watcher] = {}
    # in the order of the sections in the source: a fact several processes report (merged by
    # the reporter) names them in that order
    for i in sorted(
        range(len(procs)), key=lambda i: (procs[i].section_loc.file, procs[i].section_loc.line)
    ):
        d = translate_process(ctx, procs[i], names[i])
        if d is not None:
            # made now, so that only the watcher is kept, at the usual priority: -supervisor's
            made[i] = _watcher(ctx, d, -sup_prio[i])
    kept = sorted(made)
    prios = circus_priorities(ctx, [sup_prio[i] for i in kept], [names[i] for i in kept])
    return [_at_priority(ctx, made.pop(i), prio) for i, prio in zip(kept, prios, strict=True)]


def _at_priority(ctx: Context, w: Watcher, priority: int) -> Watcher:
    """``w`` at circus priority ``priority``."""
    if w.intent.priority == priority:
        return w
    at = ctx.share(("priority", str(priority)))
    options = tuple(at if o[0] == "priority" else o for o in w.options)
    intent = dataclasses.replace(w.intent, priority=priority)
    return dataclasses.replace(w, options=options, intent=intent)


def _watcher(ctx: Context, d: Draft, priority: int) -> Watcher:
    """The watcher of a translated process, at circus priority ``priority``."""
    p = d.p
    share = ctx.share
    options = [
        *d.command_options,
        *d.lifecycle_options,
        ("priority", str(priority)),
        *d.stop_options,
        *d.stream_options,
        *d.socket_options,
        *d.prefix_options,
        *d.exact_options,
    ]
    env = share(tuple(map(share, d.env_section)))
    intent = Intent(
        argv=d.argv,
        program_argv=d.program_argv,
        working_dir=d.working_dir,
        env=share(tuple(map(share, d.env_intent))),
        wrapper_env=tuple((k, replace_markers(v)) for k, v in d.wrapper_env),
        uid=d.user,
        stop_signal=p.stopsignal,
        graceful_timeout=float(p.stopwaitsecs),
        autostart=p.autostart,
        respawn=d.respawn,
        priority=priority,
        numprocesses=1,
        stdout=d.stdout,
        stderr=d.stderr,
        umask=d.umask,
        hooks=tuple((k, v) for k, v in d.exact_options if k.startswith("hooks.")),
    )
    return Watcher(
        name=d.name,
        options=tuple(map(share, options)),
        env_section=d.env_glob if env else None,
        env=env,
        intent=intent,
        process=f"{p.group_name}:{p.name}",
        source=p.section,
        comments=tuple(d.comments),
    )


def _converted(model: SupervisorConfig, watchers: list[Watcher]) -> list[ProcessSpec]:
    """The processes that have a watcher, in start order."""
    kept = {w.process for w in watchers}
    return [p for p in model.processes if f"{p.group_name}:{p.name}" in kept]


_RUNNABLE = ("program:", "fcgi-program:", "eventlistener:")
# an [include] pattern that matches no file, an included file that cannot be read
_INCLUDE_MISSED = frozenset({"S2C001", "S2C002"})


def _config_findings(ctx: Context, watchers: list[Watcher], converted: list[ProcessSpec]) -> None:
    """The findings about the whole config: stdin, inherited environment, SUPERVISOR_*
    variables, no programs, --exit-on-fatal."""
    m = ctx.model
    # they concern every watcher: they stand on the first converted program of the config as
    # it was read (where a reader and a suppression comment look), not on the one that starts
    # first, nor on one that is not converted
    reading_order = {s.name: i for i, s in enumerate(m.raw.sections)}
    in_reading_order = sorted(converted, key=lambda q: reading_order.get(q.section, 0))
    piped = next((q for q in in_reading_order if q.kind == "program"), None)
    if piped is not None:
        # fcgi programs get their socket on stdin in both daemons
        ctx.reporter.report("S2C106", piped.section_loc, piped.section, None)
    if in_reading_order:
        first = in_reading_order[0]
        ctx.reporter.report("S2C116", first.section_loc, first.section, None)
        # SUPERVISOR_SERVER_URL: the first control server's, if any (a program's own
        # serverurl has its own S2C107)
        url = any(s.kind in ("unix", "inet") for s in m.servers)
        detail = (
            "circus does not set SUPERVISOR_ENABLED, SUPERVISOR_PROCESS_NAME, "
            f"SUPERVISOR_GROUP_NAME{', SUPERVISOR_SERVER_URL' if url else ''} in the children"
        )
        ctx.reporter.report("S2C107", first.section_loc, first.section, None, detail=detail)
    if (
        not watchers
        and not any(s.name.startswith(_RUNNABLE) for s in m.raw.sections)
        and not any(f.code in _INCLUDE_MISSED for f in m.findings)
    ):
        # (runnable sections that are not converted each have their own finding, and so has an
        # [include] that found nothing to read: that is why there are no programs)
        ctx.reporter.report("S2C017", Loc(m.raw.main_file, 1), None, None)
    if ctx.opts.exit_on_fatal and in_reading_order:
        first = in_reading_order[0]
        ctx.reporter.report("S2C133", first.section_loc, first.section, None)


def _deferred_in_use(
    model: SupervisorConfig,
    circus: list[tuple[str, str]],
    sockets: list[Socket],
    watchers: list[Watcher],
) -> tuple[str, ...]:
    """The deferred ``%(ENV_X)s`` names circus.ini reads: a section that was not converted
    (a listener, say) needs nothing from circusd's environment."""
    options = itertools.chain(
        circus, (o for s in sockets for o in s.options), (o for w in watchers for o in w.options)
    )
    used: set[str] = set()
    for key, value in options:
        if "$(circus.env." in value:
            # a wrapper's $(circus.env.PWD) hands the program circusd's PWD, if any: not a
            # name circusd must have
            value = value.replace(PWD_ARGS, "") if key == "cmd" else value
            used.update(CIRCUS_ENV_REF_RE.findall(value))
    used.update(n for w in watchers for _, v in w.env for n in cs.ENV_DOLLAR_RE.findall(v))
    return tuple(sorted(used.intersection(model.deferred_env)))


def _header(
    ctx: Context, endpoint: str, watchers: list[Watcher], deferred: tuple[str, ...]
) -> tuple[str, ...]:
    m = ctx.model
    header = [
        f"Generated by sup2circus {__version__} from {os.path.basename(m.raw.main_file)}.",
        "Do not edit by hand: change the supervisor config and convert again.",
        f"Start it with: circusd circus.ini   (circusctl --endpoint {endpoint})",
    ]
    if deferred:
        header.append("circusd's environment must define: " + ", ".join(deferred))
    if ctx.opts.exact and any(w.intent.hooks for w in watchers):
        header.append(
            "--exact: the hooks need the `sup2circus` package importable by circusd's Python "
            "(pip install sup2circus); check with `sup2circus --verify`."
        )
    return tuple(header)
