"""[inet_http_server], [unix_http_server], [supervisorctl], [rpcinterface:x] and the sections
supervisord reads but sup2circus only reports on (``server_configs_from_parser``,
``get_plugins``)."""

from __future__ import annotations

import os

from .. import datatypes as dt
from ..findings import InputError
from ..mapping import section_kind
from ..model import OtherSection, RawSection, ServerSpec
from .context import (
    Context,
    Maps,
    NotConverted,
    check_owner,
    error,
    expand_home,
    module_found,
    option_loc,
    same_maps,
)
from .expand import Val, expand
from .options import conv, get, skip_section

_RPC_FACTORY = "supervisor.rpcinterface_factory"


def servers(ctx: Context) -> list[ServerSpec]:
    """The HTTP servers (inet ones first, like supervisor) and supervisorctl's settings."""
    out: list[ServerSpec] = []
    env_only = ctx.environ.merged()
    for name, sec in ctx.sections.items():
        if name.startswith("inet_http_server"):
            try:
                out.append(_inet(ctx, sec, env_only))
            except NotConverted as exc:
                skip_section(ctx, name, exc)
    here_maps = ctx.environ.merged(same_maps({"here": ctx.here}))
    for name, sec in ctx.sections.items():
        if name.startswith("unix_http_server"):
            try:
                out.append(_unix(ctx, sec, here_maps, env_only))
            except NotConverted as exc:
                skip_section(ctx, name, exc)
    ctl = ctx.sections.get("supervisorctl")
    if ctl is not None:
        out.append(_ctl(ctx, ctl))
    return out


def _inet(ctx: Context, sec: RawSection, env_only: Maps) -> ServerSpec:
    username, password_set = _auth(ctx, sec, env_only)
    pv = get(ctx, sec, "port", None, env_only)
    if pv is None:
        raise error(
            f"section [{sec.name}] has no port value", sec.loc, hint="add port = 127.0.0.1:9001"
        )
    host, port = conv(dt.inet_address, pv, sec, "port")
    return ServerSpec(
        section=sec.name,
        kind="inet",
        host=host,
        port=port,
        username=username,
        password_set=password_set,
        section_loc=sec.loc,
        options=dict(sec.options),
    )


def _unix(ctx: Context, sec: RawSection, here_maps: Maps, env_only: Maps) -> ServerSpec:
    fv = get(ctx, sec, "file", None, here_maps)
    if fv is None:
        raise error(
            f"section [{sec.name}] has no file value",
            sec.loc,
            hint="add file = /run/supervisor.sock",
        )
    sfile = expand_home(ctx, sec, "file", fv.text.strip())
    if not os.path.isabs(sfile):
        loc = option_loc(sec, "file")
        what = "the relative path"
        ctx.reporter.report(
            "S2C019", loc, sec.name, "file", what=what, which="working directory", option="file"
        )
        try:
            sfile = os.path.join(os.getcwd(), sfile)
        except FileNotFoundError:
            raise InputError(
                "the relative path in file is completed with the current directory, which no "
                "longer exists",
                loc.file,
                loc.line,
                hint="write an absolute path, or convert in a directory that exists",
            ) from None
    sfile = os.path.normpath(sfile)
    username, password_set = _auth(ctx, sec, env_only)
    chown: str | None = None
    cv = get(ctx, sec, "chown", None, env_only)
    if cv is not None:
        chown = cv.text
        check_owner(ctx, sec, "chown", chown)
    chmod = 0o700
    mv = get(ctx, sec, "chmod", None, env_only)
    if mv is not None:
        try:
            chmod = dt.octal_type(mv.text)
        except ValueError:
            raise error(
                f"Invalid chmod value {mv.text}",
                option_loc(sec, "chmod"),
                hint="use an octal mode such as 0700",
            ) from None
    return ServerSpec(
        section=sec.name,
        kind="unix",
        file=sfile,
        chmod=chmod,
        chown=chown,
        username=username,
        password_set=password_set,
        section_loc=sec.loc,
        options=dict(sec.options),
    )


def _ctl(ctx: Context, ctl: RawSection) -> ServerSpec:
    serverurl: str | None = None
    raw = ctl.options.get("serverurl")
    if raw is not None:
        try:
            serverurl = expand(raw.value, {"here": ctx.here, **ctx.environ.real}, "serverurl")
        except ValueError:
            serverurl = raw.value
    user = ctl.options.get("username")
    return ServerSpec(
        section="supervisorctl",
        kind="ctl",
        serverurl=serverurl,
        username=None if user is None else user.value,
        password_set="password" in ctl.options,
        section_loc=ctl.loc,
        options=dict(ctl.options),
    )


def _auth(ctx: Context, sec: RawSection, maps: Maps) -> tuple[str | None, bool]:
    # deferrable: circus has no authentication (S2C303), so they are never written and an
    # %(ENV_X)s in them needs nothing from this machine
    uv, pv = (_never_written(ctx, sec, opt, maps) for opt in ("username", "password"))
    if (uv is None) != (pv is None):
        raise error(
            f"Section [{sec.name}] contains incomplete authentication: If a username or a "
            "password is specified, both the username and password must be specified",
            option_loc(sec, "username" if uv is not None else "password"),
            hint="set both username and password, or neither",
        )
    return (None if uv is None else uv.text), pv is not None


def _never_written(ctx: Context, sec: RawSection, opt: str, maps: Maps) -> Val | None:
    try:
        return get(ctx, sec, opt, None, maps, deferrable=True)
    except NotConverted as exc:
        if exc.code != "S2C018":
            raise
        return Val(None, sec.options[opt].value)  # a name circus cannot refer to: as written


def rpcinterfaces(ctx: Context) -> None:
    """get_plugins: the factory is required and its options are expanded (env only)."""
    env_only = ctx.environ.merged()
    for name, sec in ctx.sections.items():
        if not name.startswith("rpcinterface:"):
            continue
        fv = get(ctx, sec, _RPC_FACTORY, None, env_only)
        if fv is None:
            raise error(
                f"section [{name}] does not specify a {_RPC_FACTORY}",
                sec.loc,
                hint=f"add {_RPC_FACTORY} = supervisor.rpcinterface:make_main_rpcinterface",
            )
        if not dt.import_spec_ok(fv.text):
            raise error(
                f"{fv.text} cannot be resolved within [{name}]",
                option_loc(sec, _RPC_FACTORY),
                hint="the factory must be module:attribute",
            )
        top = fv.text.strip().split(":")[0].split(".")[0]
        # supervisor itself is wherever supervisord runs
        if top != "supervisor" and not module_found(top):
            loc = option_loc(sec, _RPC_FACTORY)
            ctx.reporter.report("S2C307", loc, name, _RPC_FACTORY, section=name, module=top)
        for opt in sec.options:
            if opt != _RPC_FACTORY:
                get(ctx, sec, opt, None, env_only)


_MODELLED_KINDS = frozenset(
    {
        "program",
        "fcgi-program",
        "eventlistener",
        "group",
        "supervisord",
        "unix_http_server",
        "inet_http_server",
        "supervisorctl",
    }
)


def others(ctx: Context) -> list[OtherSection]:
    """The sections no spec stands for (rpcinterface, include, unknown ones)."""
    return [
        OtherSection(name=name, section_loc=sec.loc, options=dict(sec.options))
        for name, sec in ctx.sections.items()
        if section_kind(name) not in _MODELLED_KINDS
    ]
