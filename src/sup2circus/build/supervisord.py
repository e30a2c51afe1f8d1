"""[supervisord] -> SupervisordSpec (``ServerOptions.read_config``'s daemon settings), which
also extends the expansions every later section sees with its ``environment=``."""

from __future__ import annotations

import os

from .. import datatypes as dt
from ..findings import Loc
from ..model import RawSection, SupervisordSpec
from .context import USER_CONSEQUENCE, Context, Maps, option_loc, same_maps
from .expand import ev
from .options import check_dirs, get, parse_env, text, value


def supervisord(ctx: Context) -> SupervisordSpec:
    """The daemon's settings; ``ctx.environ`` gets its ``environment=``."""
    sec = ctx.sections.get("supervisord")
    present = sec is not None
    if sec is None:
        ctx.reporter.report("S2C009", Loc(ctx.raw.main_file, 1), None, None)
        if ctx.default_section is None:
            return _defaults(ctx)
        # the snippet's [DEFAULT] applies to the including file's [supervisord] too
        sec = RawSection(
            name="supervisord",
            loc=Loc(ctx.raw.main_file, 1),
            options=dict(ctx.default_section.options),
            here=ctx.here,
        )
    maps = ctx.environ.merged(same_maps({"here": ctx.here}))
    minfds = value(ctx, dt.integer, sec, "minfds", "1024", maps)
    minprocs = value(ctx, dt.integer, sec, "minprocs", "200", maps)
    dv = get(ctx, sec, "directory", None, maps)
    directory = None if dv is None else dt.expanduser(dv.text, ctx.env)
    uv = get(ctx, sec, "user", None, maps)
    user = None if uv is None else uv.text
    umask = value(ctx, dt.octal_type, sec, "umask", "022", maps)
    logfile = dt.expanduser(text(ctx, sec, "logfile", "supervisord.log", maps), ctx.env)
    log_files = [(logfile, "logfile")]
    maxbytes = value(ctx, dt.byte_size, sec, "logfile_maxbytes", "50MB", maps)
    backups = value(ctx, dt.integer, sec, "logfile_backups", "10", maps)
    loglevel = value(ctx, dt.logging_level, sec, "loglevel", "info", maps)
    pidfile = dt.expanduser(text(ctx, sec, "pidfile", "supervisord.pid", maps), ctx.env)
    identifier = text(ctx, sec, "identifier", "supervisor", maps)
    nodaemon = value(ctx, dt.boolean, sec, "nodaemon", "false", maps)
    silent = value(ctx, dt.boolean, sec, "silent", "false", maps)
    childlogdir = dt.expanduser(text(ctx, sec, "childlogdir", ctx.tempdir(), maps), ctx.env)
    if "childlogdir" in sec.options:
        log_files.append((os.path.join(childlogdir, ""), "childlogdir"))
    check_dirs(ctx, sec, log_files)
    nocleanup = value(ctx, dt.boolean, sec, "nocleanup", "false", maps)
    strip_ansi = value(ctx, dt.boolean, sec, "strip_ansi", "false", maps)
    environment = _environment(ctx, sec, maps)
    if user is not None and not ctx.user_exists(user):
        loc = option_loc(sec, "user")
        ctx.reporter.report(
            "S2C011",
            loc,
            "supervisord",
            "user",
            owner_of="",
            user=user,
            consequence=USER_CONSEQUENCE,
        )
    return SupervisordSpec(
        present=present,
        nodaemon=nodaemon,
        logfile=logfile,
        logfile_maxbytes=maxbytes,
        logfile_backups=backups,
        loglevel=loglevel,
        pidfile=pidfile,
        umask=umask,
        user=user,
        directory=directory,
        childlogdir=childlogdir,
        environment=environment,
        minfds=minfds,
        minprocs=minprocs,
        identifier=identifier,
        nocleanup=nocleanup,
        strip_ansi=strip_ansi,
        silent=silent,
        section_loc=sec.loc,
        options=dict(sec.options),
    )


def _environment(ctx: Context, sec: RawSection, maps: Maps) -> tuple[tuple[str, str], ...]:
    """``environment=``: saneget-expanded, then expanded again with here, host_node_name and
    ENV_*; its names join the expansions of every later section."""
    ev1 = get(ctx, sec, "environment", "", maps, deferrable=True)
    assert ev1 is not None
    second = ctx.environ.merged(same_maps({"here": ctx.here, "host_node_name": ctx.node}))
    eloc = option_loc(sec, "environment")
    ev2 = ev(ctx, ev1, second, "environment", eloc, "supervisord", "environment", deferrable=True)
    env_text, env_real = parse_env(ctx, ev2, sec, "environment")
    for k, v in env_text.items():
        ctx.environ.set(f"ENV_{k}", env_real.get(k), v)
        ctx.machine_env_keys.discard(f"ENV_{k}")
    return tuple(env_text.items())


def _defaults(ctx: Context) -> SupervisordSpec:
    """supervisord's settings when no [supervisord] section is there at all."""
    return SupervisordSpec(
        present=False,
        nodaemon=False,
        logfile="supervisord.log",
        logfile_maxbytes=50 * 1024 * 1024,
        logfile_backups=10,
        loglevel="info",
        pidfile="supervisord.pid",
        umask=0o22,
        user=None,
        directory=None,
        childlogdir=ctx.tempdir(),
        environment=(),
        minfds=1024,
        minprocs=200,
        identifier="supervisor",
        nocleanup=False,
        strip_ansi=False,
        silent=False,
        section_loc=Loc(ctx.raw.main_file, 1),
        options={},
    )


def report_baked(ctx: Context) -> None:
    """S2C016 once per conversion: the variables --resolve-env took from this machine (the
    names only: the values may be secrets)."""
    if not ctx.baked:
        return
    first = next(iter(ctx.baked.values()))  # where the first was used
    ctx.reporter.report("S2C016", first, None, None, names=", ".join(sorted(ctx.baked)))
