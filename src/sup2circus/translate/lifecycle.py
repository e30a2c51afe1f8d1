"""autostart, autorestart/exitcodes, startsecs/startretries, stopsignal, stopwaitsecs,
stopasgroup/killasgroup: circus's autostart, respawn, stop_signal, graceful_timeout, and under
--exact the sup2circus hooks that reproduce the rest (:mod:`sup2circus.exact`)."""

from __future__ import annotations

from ..model import AutoRestart, ProcessSpec
from .context import Context, Draft

_BY_HOOKS = "reproduced by sup2circus hooks (--exact)"


def translate_lifecycle(ctx: Context, d: Draft) -> None:
    p = d.p
    d.respawn = p.autorestart is not AutoRestart.FALSE
    if ctx.opts.exact:
        _exact_hooks(ctx, d)
    d.lifecycle_options += [
        ("autostart", "true" if p.autostart else "false"),
        ("respawn", "true" if d.respawn else "false"),
    ]
    d.stop_options += [
        ("stop_signal", p.stopsignal_name),
        ("graceful_timeout", str(p.stopwaitsecs)),
    ]
    _restart_findings(ctx, d)


def _exact_hooks(ctx: Context, d: Draft) -> None:
    from ..exact import exact_respawn, exact_watcher_options

    plan = ctx.plan
    shutdown_on = plan.shutdown_on if plan is not None else ""
    d.exact_options = exact_watcher_options(
        d.p,
        stop_order=ctx.stop_order,
        shutdown_on=shutdown_on,
        shutdown_status=plan.shutdown_status if plan is not None else 0,
    )
    if d.exact_options:
        d.respawn = exact_respawn(d.p, shutdown_on=shutdown_on)


def _restart_findings(ctx: Context, d: Draft) -> None:
    """S2C101-103 (one finding per section: the processes of a section report the same fact;
    info under --exact: the Reporter's severities)."""
    _autorestart_finding(ctx, d.p)
    _startsecs_finding(ctx, d.p)
    _group_stop_finding(ctx, d.p)


def _autorestart_finding(ctx: Context, p: ProcessSpec) -> None:
    """S2C101: circus has no exit-code test."""
    if p.autorestart is not AutoRestart.UNEXPECTED:
        return
    ctx.reporter.report(
        "S2C101",
        p.loc_of("autorestart"),
        p.section,
        "autorestart",
        default="" if p.is_set("autorestart") else " (the default)",
        exitcodes=",".join(map(str, p.exitcodes)),
        effect=_BY_HOOKS
        if ctx.opts.exact
        else "circus restarts every exit (respawn = true), expected ones included; "
        "set autorestart=true/false or convert with --exact",
    )


def _startsecs_finding(ctx: Context, p: ProcessSpec) -> None:
    """S2C102: supervisord retries a start that fails within startsecs whatever autorestart
    says; with autorestart=false and no retries (a negative count acts as 0) it gives up at
    once, as respawn = false does."""
    never_restarts = p.autorestart is AutoRestart.FALSE
    if p.startsecs <= 0 or (never_restarts and p.startretries <= 0):
        return
    if ctx.opts.exact:
        effect = _BY_HOOKS
    elif never_restarts:
        effect = (
            "supervisord retries a start that ends within startsecs up to startretries times "
            "(with back-off) even with autorestart=false; circus never restarts it "
            "(respawn = false)"
        )
    elif p.startretries == 0:
        effect = (
            "supervisord gives up (FATAL) when a start ends within startsecs, without a "
            "retry; circus restarts a failing process forever"
        )
    else:
        # the first start and startretries retries: FATAL once backoff > startretries
        effect = (
            f"supervisord gives up (FATAL) after {p.startretries + 1} starts in a row that "
            "end within startsecs, with back-off between them; circus restarts a failing "
            "process forever"
        )
    opt = "startretries" if "startretries" in p.options else "startsecs"
    ctx.reporter.report(
        "S2C102",
        p.loc_of(opt),
        p.section,
        opt,
        startsecs=p.startsecs,
        startretries=p.startretries,
        effect=effect,
    )


def _group_stop_finding(ctx: Context, p: ProcessSpec) -> None:
    """S2C103: circus signals the main process only."""
    if not p.signals_group:
        return
    if ctx.opts.exact:
        effect = _BY_HOOKS
    elif p.stopasgroup:
        effect = (
            "circus signals only the main process; its children survive a stop "
            "(convert with --exact to signal the process group)"
        )
    else:  # killasgroup alone: the group gets only the SIGKILL after stopwaitsecs
        effect = (
            "when a stop outlasts stopwaitsecs, supervisord kills the whole process group; "
            "circus kills only the main process and its children survive (convert with "
            "--exact to kill the process group)"
        )
    opt = "stopasgroup" if p.stopasgroup else "killasgroup"
    ctx.reporter.report("S2C103", p.loc_of(opt), p.section, opt, setting=opt, effect=effect)
