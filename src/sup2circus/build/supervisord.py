"""[supervisord] -> SupervisordSpec (``ServerOptions.read_config``'s daemon settings), which
also extends the expansions every later section sees with its ``environment=``."""

from __future__ import annotations

import os
from typing import Any

from .. import datatypes as dt
from ..findings import Loc
from ..mapping import row
from ..model import ProcessSpec, RawSection, SupervisordSpec
from .context import (
    Context,
    Maps,
    NotConverted,
    check_user,
    error,
    expand_home,
    option_loc,
    same_maps,
)
from .expand import ev
from .options import check_dirs, daemon_default, get, parse_env, read, text


def supervisord(ctx: Context) -> SupervisordSpec:
    """The daemon's settings; ``ctx.environ`` gets its ``environment=``."""
    sec = ctx.sections.get("supervisord")
    present = sec is not None
    if sec is None:
        ctx.reporter.report("S2C009", Loc(ctx.raw.main_file, 1), None, None)
        # supervisor's defaults; the snippet's [DEFAULT] applies to the including file's
        # [supervisord] too
        defaults = {} if ctx.default_section is None else ctx.default_section.options
        sec = RawSection(
            name="supervisord", loc=Loc(ctx.raw.main_file, 1), options=dict(defaults), here=ctx.here
        )
    maps = ctx.environ.merged(same_maps({"here": ctx.here}))

    def parsed(option: str) -> Any:
        """An option parsed by its mapping row (its default there too)."""
        return read(ctx, row("supervisord", option), sec, maps)

    def written(option: str, default: str | None = None, *, deferrable: bool = False) -> str:
        """An option's expanded text (its default: the mapping row's, unless given);
        ``deferrable``: a %(ENV_X)s stays for circusd's environment (circus.ini substitutes
        $(circus.env.X) in what it holds: logoutput, the watchers' log files)."""
        fallback = row("supervisord", option).default if default is None else default
        assert fallback is not None, option
        if not deferrable:
            return text(ctx, sec, option, fallback, maps)
        v = get(ctx, sec, option, fallback, maps, deferrable=True)
        assert v is not None
        return v.text

    # in supervisor's order (ServerOptions.server_configs_from_parser): the first error wins
    minfds = parsed("minfds")
    minprocs = parsed("minprocs")
    dv = get(ctx, sec, "directory", None, maps)
    directory = None if dv is None else dt.expanduser(dv.text, ctx.env)
    if directory == "":
        _no_directory(sec, "directory")
    uv = get(ctx, sec, "user", None, maps)
    user = None if uv is None else uv.text
    umask = parsed("umask")
    logfile = expand_home(ctx, sec, "logfile", written("logfile", deferrable=True))
    log_files = [(logfile, "logfile")]
    maxbytes = parsed("logfile_maxbytes")
    backups = parsed("logfile_backups")
    loglevel = parsed("loglevel")
    pidfile = expand_home(ctx, sec, "pidfile", written("pidfile"))
    identifier = written("identifier")
    nodaemon = parsed("nodaemon")
    silent = parsed("silent")
    childlogdir = expand_home(
        ctx, sec, "childlogdir", written("childlogdir", ctx.tempdir(), deferrable=True)
    )
    if childlogdir == "":
        _no_directory(sec, "childlogdir")
    if "childlogdir" in sec.options:
        log_files.append((os.path.join(childlogdir, ""), "childlogdir"))
    ctx.daemon_dirs = (sec, log_files)
    nocleanup = parsed("nocleanup")
    strip_ansi = parsed("strip_ansi")
    environment = _environment(ctx, sec, maps)
    if user is not None:
        check_user(ctx, sec, "user", user)
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


def _no_directory(sec: RawSection, option: str) -> None:
    """supervisor's ``existing_directory('')``: no machine has a directory without a name."""
    raise error(
        f"[supervisord] {option} is empty, which is not an existing directory",
        option_loc(sec, option),
        hint="name a directory, or remove the line",
    )


def _environment(ctx: Context, sec: RawSection, maps: Maps) -> tuple[tuple[str, str], ...]:
    """``environment=``: saneget-expanded, then expanded again with here, host_node_name and
    ENV_*; its names join the expansions of every later section."""
    ev1 = get(ctx, sec, "environment", "", maps, deferrable=True)
    assert ev1 is not None
    second = ctx.environ.merged(same_maps({"here": ctx.here, "host_node_name": ctx.node}))
    eloc = option_loc(sec, "environment")
    try:
        ev2 = ev(
            ctx, ev1, second, "environment", eloc, "supervisord", "environment", deferrable=True
        )
        env_text, env_real = parse_env(ctx, ev2, sec, "environment")
    except NotConverted as exc:
        daemon_default(ctx, exc, eloc, "environment")
        return ()
    for k, v in env_text.items():
        ctx.environ.set(f"ENV_{k}", env_real.get(k), v)
        ctx.machine_env_keys.discard(f"ENV_{k}")
    return tuple(env_text.items())


def check_daemon_dirs(ctx: Context, processes: list[ProcessSpec]) -> None:
    """S2C012 for [supervisord]'s log directories (logfile, childlogdir)."""
    if ctx.daemon_dirs is not None:
        sec, log_files = ctx.daemon_dirs
        check_dirs(ctx, sec, log_files, auto_logs=any(p.writes_auto_log() for p in processes))


def report_baked(ctx: Context) -> None:
    """S2C016 once per conversion: the variables --resolve-env took from this machine (the
    names only: the values may be secrets)."""
    if not ctx.baked:
        return
    first = next(iter(ctx.baked.values()))  # where the first was used
    ctx.reporter.report("S2C016", first, None, None, names=", ".join(sorted(ctx.baked)))
