"""[fcgi-program:x] socket=: a circus [socket:NAME] on the watcher's stdin."""

from __future__ import annotations

from .. import circus_syntax as cs
from ..circus_model import Socket
from ..model import ProcessSpec
from .context import Context, Draft


def translate_socket(ctx: Context, d: Draft) -> None:
    p = d.p
    if p.kind != "fcgi-program" or p.socket is None:
        return
    name = p.program_name.lower()
    # the processes of one program share its socket
    if name in ctx.socket_names or _add_socket(ctx, p, name):
        d.socket_options.append(("stdin_socket", name))


def _add_socket(ctx: Context, p: ProcessSpec, name: str) -> bool:
    """Add program ``p``'s socket as [socket:name]; False when it cannot be written."""
    s = p.socket
    assert s is not None
    sec = p.section
    opts: list[tuple[str, str]] = []
    if s.family == "unix":
        assert s.path is not None
        mode = 0o700 if s.mode is None else s.mode
        opts += [
            ("path", s.path),
            ("family", "AF_UNIX"),
            ("replace", "true"),
            ("umask", str(0o777 & ~mode)),
        ]
    else:
        opts += [("host", s.host or ""), ("port", str(s.port))]
    if s.backlog is not None:
        opts.append(("backlog", str(s.backlog)))
    if not all(cs.reads_back(v) for _, v in opts):
        detail = "the socket cannot be written so that circus reads it back"
        ctx.reporter.report("S2C501", p.loc_of("socket"), sec, "socket", detail=detail)
        return False
    ctx.reporter.report("S2C118", p.loc_of("socket"), sec, "socket", url=s.url, name=name)
    if s.owner:
        ctx.reporter.report("S2C119", p.loc_of("socket_owner"), sec, "socket_owner", owner=s.owner)
    ctx.sockets.append(Socket(name, tuple(opts), (f"from [{sec}] socket={s.url}",)))
    ctx.socket_names.add(name)
    return True
