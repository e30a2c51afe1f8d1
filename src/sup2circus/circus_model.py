"""The circus side of the pipeline: what :mod:`.translate` produces and :mod:`.write` prints.

Every value here is the exact string to write; ``Intent`` records what circus's own loader
must produce from it (``--verify`` and the differential tests compare against it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from .findings import FACTORY, Record, _set

if TYPE_CHECKING:
    from dataclasses import dataclass as record
else:
    from .findings import record


@record(frozen=True)
class Stream(Record):
    """Where one output channel of a watcher goes under circus.

    ``kind``: ``inherit`` (circusd's own stdout/stderr), ``file`` (a FileStream on ``path``),
    ``null`` (closed to /dev/null), ``stdout`` (merged into the stdout channel by a wrapper).
    """

    __slots__ = ("backup_count", "kind", "max_bytes", "path")
    kind: str
    path: str | None
    max_bytes: int
    backup_count: int

    def __init__(
        self,
        kind: str,
        path: str | None = None,
        max_bytes: int = 0,
        backup_count: int = 0,
    ) -> None:
        _set(self, "kind", kind)
        _set(self, "path", path)
        _set(self, "max_bytes", max_bytes)
        _set(self, "backup_count", backup_count)


@record(frozen=True)
class Intent(Record):
    """What circusd must end up running for one watcher (one supervisor process, or several
    identical ones when ``numprocesses`` > 1)."""

    __slots__ = (
        "argv",
        "autostart",
        "env",
        "graceful_timeout",
        "hooks",
        "numprocesses",
        "priority",
        "program_argv",
        "respawn",
        "stderr",
        "stdout",
        "stop_signal",
        "uid",
        "umask",
        "working_dir",
        "wrapper_env",
    )
    argv: tuple[str, ...]  # the argv circus will exec (wrappers included)
    program_argv: tuple[str, ...]  # the argv supervisor execs (the user's program)
    working_dir: str | None
    env: tuple[tuple[str, str], ...]  # variables set through [env]/[env:x] (after circus's rules)
    wrapper_env: tuple[tuple[str, str], ...]  # variables set through an `env` wrapper
    uid: str | None
    stop_signal: int
    graceful_timeout: float
    autostart: bool
    respawn: bool
    priority: int
    numprocesses: int
    stdout: Stream
    stderr: Stream
    umask: int | None  # applied by a wrapper
    hooks: tuple[tuple[str, str], ...]

    def __init__(
        self,
        argv: tuple[str, ...],
        program_argv: tuple[str, ...],
        working_dir: str | None,
        env: tuple[tuple[str, str], ...],
        wrapper_env: tuple[tuple[str, str], ...],
        uid: str | None,
        stop_signal: int,
        graceful_timeout: float,
        autostart: bool,
        respawn: bool,
        priority: int,
        numprocesses: int,
        stdout: Stream,
        stderr: Stream,
        umask: int | None = None,
        hooks: tuple[tuple[str, str], ...] = (),
    ) -> None:
        _set(self, "argv", argv)
        _set(self, "program_argv", program_argv)
        _set(self, "working_dir", working_dir)
        _set(self, "env", env)
        _set(self, "wrapper_env", wrapper_env)
        _set(self, "uid", uid)
        _set(self, "stop_signal", stop_signal)
        _set(self, "graceful_timeout", graceful_timeout)
        _set(self, "autostart", autostart)
        _set(self, "respawn", respawn)
        _set(self, "priority", priority)
        _set(self, "numprocesses", numprocesses)
        _set(self, "stdout", stdout)
        _set(self, "stderr", stderr)
        _set(self, "umask", umask)
        _set(self, "hooks", hooks)


@record(frozen=True)
class Watcher(Record):
    __slots__ = (
        "comments",
        "env",
        "env_section",
        "intent",
        "name",
        "options",
        "processes",
        "source",
    )
    name: str
    options: tuple[tuple[str, str], ...]  # ordered, exactly as written
    env_section: str | None  # escaped [env:...] section name, when env is non-empty
    env: tuple[tuple[str, str], ...]  # [env:...] entries, exactly as written
    intent: Intent
    processes: tuple[str, ...]  # supervisor process names (group:name) this watcher runs
    source: str  # supervisor section, e.g. "program:web"
    comments: tuple[str, ...]

    def __init__(
        self,
        name: str,
        options: tuple[tuple[str, str], ...],
        env_section: str | None,
        env: tuple[tuple[str, str], ...],
        intent: Intent,
        processes: tuple[str, ...],
        source: str,
        comments: tuple[str, ...] = (),
    ) -> None:
        _set(self, "name", name)
        _set(self, "options", options)
        _set(self, "env_section", env_section)
        _set(self, "env", env)
        _set(self, "intent", intent)
        _set(self, "processes", processes)
        _set(self, "source", source)
        _set(self, "comments", comments)


@record(frozen=True)
class Socket(Record):
    __slots__ = ("comments", "name", "options")
    name: str
    options: tuple[tuple[str, str], ...]
    comments: tuple[str, ...]

    def __init__(
        self,
        name: str,
        options: tuple[tuple[str, str], ...],
        comments: tuple[str, ...] = (),
    ) -> None:
        _set(self, "name", name)
        _set(self, "options", options)
        _set(self, "comments", comments)


@record(frozen=True)
class CircusConfig(Record):
    __slots__ = ("circus", "deferred_env", "extra", "global_env", "header", "sockets", "watchers")
    _rec_factories: ClassVar[dict[str, Callable[[], Any]]] = {"extra": dict}
    header: tuple[str, ...]
    circus: tuple[tuple[str, str], ...]
    global_env: tuple[tuple[str, str], ...]
    sockets: tuple[Socket, ...]
    watchers: tuple[Watcher, ...]  # in start order
    # deferred %(ENV_X)s names: circusd's environment must define them
    deferred_env: tuple[str, ...]
    extra: dict[str, str]

    def __init__(
        self,
        header: tuple[str, ...],
        circus: tuple[tuple[str, str], ...],
        global_env: tuple[tuple[str, str], ...],
        sockets: tuple[Socket, ...] = (),
        watchers: tuple[Watcher, ...] = (),
        deferred_env: tuple[str, ...] = (),
        extra: dict[str, str] = FACTORY,
    ) -> None:
        _set(self, "header", header)
        _set(self, "circus", circus)
        _set(self, "global_env", global_env)
        _set(self, "sockets", sockets)
        _set(self, "watchers", watchers)
        _set(self, "deferred_env", deferred_env)
        _set(self, "extra", self._rec_factories["extra"]() if extra is FACTORY else extra)
