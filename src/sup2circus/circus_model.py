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
        _S_Stream_kind(self, kind)
        _S_Stream_path(self, path)
        _S_Stream_max_bytes(self, max_bytes)
        _S_Stream_backup_count(self, backup_count)


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
        _S_Intent_argv(self, argv)
        _S_Intent_program_argv(self, program_argv)
        _S_Intent_working_dir(self, working_dir)
        _S_Intent_env(self, env)
        _S_Intent_wrapper_env(self, wrapper_env)
        _S_Intent_uid(self, uid)
        _S_Intent_stop_signal(self, stop_signal)
        _S_Intent_graceful_timeout(self, graceful_timeout)
        _S_Intent_autostart(self, autostart)
        _S_Intent_respawn(self, respawn)
        _S_Intent_priority(self, priority)
        _S_Intent_numprocesses(self, numprocesses)
        _S_Intent_stdout(self, stdout)
        _S_Intent_stderr(self, stderr)
        _S_Intent_umask(self, umask)
        _S_Intent_hooks(self, hooks)


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
        _S_Watcher_name(self, name)
        _S_Watcher_options(self, options)
        _S_Watcher_env_section(self, env_section)
        _S_Watcher_env(self, env)
        _S_Watcher_intent(self, intent)
        _S_Watcher_processes(self, processes)
        _S_Watcher_source(self, source)
        _S_Watcher_comments(self, comments)


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


# The slot setters the hot records' __init__ use: calling a field's member descriptor
# directly is about a third faster than object.__setattr__(self, name, value), and
# tens of thousands of these records are made per big config.
_S_Stream_kind = Stream.__dict__["kind"].__set__
_S_Stream_path = Stream.__dict__["path"].__set__
_S_Stream_max_bytes = Stream.__dict__["max_bytes"].__set__
_S_Stream_backup_count = Stream.__dict__["backup_count"].__set__
_S_Intent_argv = Intent.__dict__["argv"].__set__
_S_Intent_program_argv = Intent.__dict__["program_argv"].__set__
_S_Intent_working_dir = Intent.__dict__["working_dir"].__set__
_S_Intent_env = Intent.__dict__["env"].__set__
_S_Intent_wrapper_env = Intent.__dict__["wrapper_env"].__set__
_S_Intent_uid = Intent.__dict__["uid"].__set__
_S_Intent_stop_signal = Intent.__dict__["stop_signal"].__set__
_S_Intent_graceful_timeout = Intent.__dict__["graceful_timeout"].__set__
_S_Intent_autostart = Intent.__dict__["autostart"].__set__
_S_Intent_respawn = Intent.__dict__["respawn"].__set__
_S_Intent_priority = Intent.__dict__["priority"].__set__
_S_Intent_numprocesses = Intent.__dict__["numprocesses"].__set__
_S_Intent_stdout = Intent.__dict__["stdout"].__set__
_S_Intent_stderr = Intent.__dict__["stderr"].__set__
_S_Intent_umask = Intent.__dict__["umask"].__set__
_S_Intent_hooks = Intent.__dict__["hooks"].__set__
_S_Watcher_name = Watcher.__dict__["name"].__set__
_S_Watcher_options = Watcher.__dict__["options"].__set__
_S_Watcher_env_section = Watcher.__dict__["env_section"].__set__
_S_Watcher_env = Watcher.__dict__["env"].__set__
_S_Watcher_intent = Watcher.__dict__["intent"].__set__
_S_Watcher_processes = Watcher.__dict__["processes"].__set__
_S_Watcher_source = Watcher.__dict__["source"].__set__
_S_Watcher_comments = Watcher.__dict__["comments"].__set__
