"""The circus side of the pipeline: what :mod:`.translate` produces and :mod:`.write` prints.

Every value here is the exact string to write; ``Intent`` records what circus's own loader
must produce from it (``--verify`` and the differential tests compare against it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Stream:
    """Where one output channel of a watcher goes under circus.

    ``kind``: ``inherit`` (circusd's own stdout/stderr), ``file`` (a FileStream on ``path``),
    ``null`` (closed to /dev/null), ``stdout`` (merged into the stdout channel by a wrapper).
    """

    kind: str
    path: str | None = None
    max_bytes: int = 0
    backup_count: int = 0


@dataclass(frozen=True, slots=True)
class Intent:
    """What circusd must end up running for one watcher (one supervisor process, or several
    identical ones when ``numprocesses`` > 1)."""

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
    umask: int | None = None  # applied by a wrapper
    hooks: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Watcher:
    name: str
    options: tuple[tuple[str, str], ...]  # ordered, exactly as written
    env_section: str | None  # escaped [env:...] section name, when env is non-empty
    env: tuple[tuple[str, str], ...]  # [env:...] entries, exactly as written
    intent: Intent
    process: str  # the supervisor process (group:name) this watcher runs
    source: str  # supervisor section, e.g. "program:web"
    comments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Socket:
    name: str
    options: tuple[tuple[str, str], ...]
    comments: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CircusConfig:
    header: tuple[str, ...]
    circus: tuple[tuple[str, str], ...]
    sockets: tuple[Socket, ...] = ()
    watchers: tuple[Watcher, ...] = ()  # in start order
    # deferred %(ENV_X)s names: circusd's environment must define them
    deferred_env: tuple[str, ...] = ()
