"""[eventlistener:x] sections: not converted (circus has no event protocol), except Docker's
idioms that :mod:`sup2circus.idioms` recognises (a listener that stops supervisord on FATAL,
supervisor_stdout's prefixed output)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..circus_model import Stream
from ..findings import Severity
from ..model import ProcessSpec, SupervisorConfig
from ..options import ConvertOptions
from .context import Context, Draft

if TYPE_CHECKING:
    from ..idioms import Plan


def idiom_plan(model: SupervisorConfig, opts: ConvertOptions) -> Plan | None:
    """:func:`sup2circus.idioms.scan`'s plan, or None when there is nothing to do (the module
    is then not imported)."""
    if not opts.exit_on_fatal and not any(p.kind == "eventlistener" for p in model.processes):
        return None
    from ..idioms import scan

    return scan(model, exact=opts.exact, exit_on_fatal=opts.exit_on_fatal)


def translate_listener(ctx: Context, p: ProcessSpec) -> None:
    """The findings of an [eventlistener:x] section (the same facts for all its processes)."""
    if ctx.plan is not None and p.section in ctx.plan.listeners:
        _idiom_listener(ctx, p, ctx.plan)
    else:
        ctx.reporter.report("S2C120", p.section_loc, p.section, None, section=p.section)


def _idiom_listener(ctx: Context, p: ProcessSpec, plan: Plan) -> None:
    """The findings of a recognised listener idiom, not converted."""
    from ..idioms import listener_message

    found = plan.listeners[p.section]
    opts = ctx.opts
    if found.kind == "stdout":
        code, severity = "S2C132", None
    else:
        code, severity = "S2C130", (Severity.INFO if opts.exact else None)
    detail = listener_message(p.section, found, opts.exact, opts.exit_on_fatal)
    ctx.reporter.report(code, p.section_loc, p.section, None, severity=severity, detail=detail)
    if found.sigprefix:
        ctx.reporter.report("S2C131", p.loc_of("command"), p.section, "command", form=found.form)


def prefixed(ctx: Context, p: ProcessSpec, chan: str) -> bool:
    """True when channel ``chan`` of ``p`` goes through supervisor_stdout's prefixing stream."""
    if ctx.plan is None or chan not in ctx.plan.prefixed:
        return False
    from ..idioms import prefixable

    return prefixable(p, chan)


# where a prefixed channel's copy goes, by the kind of stream it had
_COPY = {"file": "file", "null": "none", "inherit": "", "daemon-stdout": "stdout"}


def prefix_streams(ctx: Context, d: Draft) -> None:
    """supervisor_stdout: the channels with events enabled go through the prefixing stream,
    which also copies them where they went."""
    if ctx.plan is None or not ctx.plan.prefixed:
        return
    for chan in ("stdout", "stderr"):
        if prefixed(ctx, d.p, chan):
            stream = _prefix_channel(ctx, d, chan, d.stdout if chan == "stdout" else d.stderr)
            if chan == "stdout":
                d.stdout = stream
            else:
                d.stderr = stream


def _prefix_channel(ctx: Context, d: Draft, chan: str, current: Stream) -> Stream:
    from ..idioms import STREAM_CLASS

    p = d.p
    opt = f"{chan}_events_enabled"
    if current.kind not in _COPY:
        # merged into the other channel by a `2>&1` wrapper: one stream, one prefix
        detail = (
            f"{opt} with supervisor_stdout: {chan} is merged into the other channel by "
            "the command wrapper, so it cannot get its own prefix; not converted"
        )
        ctx.reporter.report("S2C113", p.loc_of(opt), p.section, opt, detail=detail)
        return current
    d.stream_options = [
        o
        for o in d.stream_options
        if not (o[0].startswith(f"{chan}_stream.") or o[0] == f"close_child_{chan}")
    ]
    d.prefix_options += [
        (f"{chan}_stream.class", STREAM_CLASS),
        (f"{chan}_stream.process", p.name),
        (f"{chan}_stream.channel", chan),
        (f"{chan}_stream.copy", _COPY[current.kind] or chan),
    ]
    if current.kind == "file":
        assert current.path is not None
        d.prefix_options += [
            (f"{chan}_stream.filename", current.path),
            (f"{chan}_stream.max_bytes", str(current.max_bytes)),
            (f"{chan}_stream.backup_count", str(current.backup_count)),
        ]
    detail = (
        f"{opt}=true with supervisor_stdout: each chunk of {chan} also goes to circusd's "
        f"stdout as '{p.name} {chan} | ...' (sup2circus.circus_streams)"
    )
    ctx.reporter.report("S2C132", p.loc_of(opt), p.section, opt, detail=detail)
    return Stream("prefixed", current.path, current.max_bytes, current.backup_count)
