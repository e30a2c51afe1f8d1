"""What the topics of one translation share: the model, the options, the reporter, and the
per-process draft each topic fills in."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

from ..circus_model import Socket, Stream
from ..findings import Loc
from ..model import ENV_MARK_RE, ProcessSpec, SupervisorConfig
from ..options import ConvertOptions
from ..reporter import Reporter

if TYPE_CHECKING:
    from ..idioms import Plan

INHERIT = Stream(kind="inherit")

T = TypeVar("T")

# where a watcher's section is in the source: (file, line, process_num), to name watchers in
# source order
SourcePlace = tuple[str, int, int]


@dataclass(slots=True)
class Context:
    """One translation: its inputs, its findings and what the processes add to the config."""

    model: SupervisorConfig
    opts: ConvertOptions
    reporter: Reporter
    # Docker's listener idioms (sup2circus.idioms), when the config has any or asks for one
    plan: Plan | None = None
    # supervisord stops one group at a time; --exact reproduces it when there are several
    stop_order: bool = False
    sockets: list[Socket] = field(default_factory=list)
    socket_of: dict[str, str] = field(default_factory=dict)  # [fcgi-program:x] -> its socket
    # S2C123: (environment= location, section) -> the watchers it gives an [env:...] section
    env_name_watchers: dict[tuple[Loc, str], list[tuple[SourcePlace, str]]] = field(
        default_factory=dict
    )
    # one object per distinct value of the watchers (see share)
    shared: dict[object, object] = field(default_factory=dict)
    # AUTO log file -> the process (group:name) that writes it: one each, as supervisord's
    auto_logs: dict[str, str] = field(default_factory=dict)

    def share(self, value: T) -> T:
        """``value``, or the equal one already shared: the watchers of a big config repeat
        most options and environments (10,000 programs: 20 MB less at the peak, which was
        1.43x supervisor's without it, over the 1x target of docs/performance.md)."""
        return cast(T, self.shared.setdefault(value, value))


@dataclass(slots=True)
class Draft:
    """One process being translated: each topic fills its part; ``ok`` False drops it."""

    p: ProcessSpec
    name: str  # the watcher's name
    env_glob: str | None  # the [env:...] pattern matching exactly the watcher, if any
    ok: bool = True
    comments: list[str] = field(default_factory=list)
    # environment
    # [supervisord]'s environment= updated with the program's (set by the first topic)
    environment: dict[str, str] = field(default_factory=dict)
    env_section: tuple[tuple[str, str], ...] = ()  # [env:...] entries as written
    env_intent: tuple[tuple[str, str], ...] = ()  # what circus sets from them
    wrapper_env: list[tuple[str, str]] = field(default_factory=list)  # set by an `env` wrapper
    # streams
    stdout: Stream = INHERIT
    stderr: Stream = INHERIT
    redirections: list[str] = field(default_factory=list)  # sh redirections of the wrapper
    stream_options: list[tuple[str, str]] = field(default_factory=list)
    prefix_options: list[tuple[str, str]] = field(default_factory=list)
    auto_logs: list[tuple[str, str]] = field(default_factory=list)  # (option, path): S2C110
    # command
    command_options: list[tuple[str, str]] = field(default_factory=list)
    argv: tuple[str, ...] = ()  # what circus runs
    program_argv: tuple[str, ...] = ()  # the user's program
    umask: int | None = None  # applied by the wrapper
    working_dir: str | None = None
    user: str | None = None
    # lifecycle
    lifecycle_options: list[tuple[str, str]] = field(default_factory=list)  # before priority
    stop_options: list[tuple[str, str]] = field(default_factory=list)  # after priority
    respawn: bool = True
    exact_options: tuple[tuple[str, str], ...] = ()
    # sockets
    socket_options: list[tuple[str, str]] = field(default_factory=list)


def from_daemon_directory(ctx: Context, p: ProcessSpec, option: str, path: str) -> str:
    """``path`` (a program's log file or directory, of ``option``) as circusd must name it to
    reach what supervisord reaches. supervisord opens a program's log files and changes to its
    directory when it spawns it, after it daemonized and changed to [supervisord] directory
    (``ServerOptions._daemonize``): a relative path is relative to that directory, while
    circusd uses the directory it was started in (``circusd --daemon`` does not change
    directory). A path starting with a deferred %(ENV_X)s is relative or absolute as X says:
    written as it stands, with S2C137."""
    sd = ctx.model.supervisord
    if sd.nodaemon or not sd.directory or path.startswith("/"):
        return path
    deferred = ENV_MARK_RE.match(path)
    if deferred:
        ctx.reporter.report(
            "S2C137",
            p.loc_of(option),
            p.section,
            option,
            option=option,
            name=deferred.group(1),
            directory=sd.directory,
        )
        return path
    return posixpath.join(sd.directory, path)
