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
    # the processes of one program share its socket
    name = ctx.socket_of.get(p.section) or _add_socket(ctx, p, _free_name(ctx, p))
    if name is None:
        d.ok = False  # an fcgi program without its socket on stdin does not run the same
        return
    d.socket_options.append(("stdin_socket", name))


def _free_name(ctx: Context, p: ProcessSpec) -> str:
    """The program's name for its [socket:...], unless another socket has it: circus
    lower-cases socket names, and [fcgi-program:X] and [fcgi-program:x] need two sockets."""
    base = p.program_name.lower()
    taken = set(ctx.socket_of.values())
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return name


def _add_socket(ctx: Context, p: ProcessSpec, name: str) -> str | None:
    """Add program ``p``'s socket as [socket:name]; None when it cannot be written."""
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
    # supervisord listens with socket_backlog, else socket.SOMAXCONN; circus's default is 2048
    # (imported here: the module costs 3.6 ms of --check's 60 ms start-up, for fcgi only)
    import socket

    opts.append(("backlog", str(socket.SOMAXCONN if s.backlog is None else s.backlog)))
    if not all(cs.reads_back(v) for _, v in opts):
        detail = "the socket cannot be written so that circus reads it back; watcher not converted"
        ctx.reporter.report("S2C501", p.loc_of("socket"), sec, "socket", detail=detail)
        return None
    ctx.reporter.report("S2C118", p.loc_of("socket"), sec, "socket", url=s.url, name=name)
    if s.owner:
        ctx.reporter.report("S2C119", p.loc_of("socket_owner"), sec, "socket_owner", owner=s.owner)
    elif s.family == "unix" and p.user is not None and p.user not in ("root", "0"):
        # supervisord (running as root) gives a unix socket to the program's user by default
        owner = f"{p.user} (supervisord's default under user={p.user})"
        ctx.reporter.report("S2C119", p.loc_of("socket"), sec, "socket", owner=owner)
    ctx.sockets.append(Socket(name, tuple(opts), (f"from [{sec}] socket={s.url}",)))
    ctx.socket_of[sec] = name
    return name
