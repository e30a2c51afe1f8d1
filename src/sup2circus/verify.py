"""``--verify``: load a conversion's circus.ini the way circusd does and compare with the intent.

circusd runs ``circus.config.get_config(path)`` and then builds every watcher with
``circus.watcher.Watcher.load_from_config`` (circus/arbiter.py:416-425). The second step expands
``$UPPER`` names and strips env values, builds the output streams (a FileStream opens its file)
and imports hooks; when it raises, circusd only logs a warning and runs without that watcher.
:func:`verify` performs both steps in-process, without starting anything and without creating
log files (FileStream opening is redirected to ``/dev/null`` while loading), then compares each
watcher with the :class:`~sup2circus.circus_model.Intent` the translator recorded.

circus ships no type information: every call into it is isolated in the ``_circus_*`` helpers,
which return plain typed values.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .api import Conversion
from .circus_model import CircusConfig, Intent, Stream
from .circus_model import Watcher as WatcherModel
from .translate import PWD_RESTORE

__all__ = ["LoadedWatcher", "load_circus", "verify"]

_FILE_STREAM = "circus.stream.file_stream.FileStream"
_STDOUT_STREAM = "circus.stream.StdoutStream"
_PREFIXED_STREAM = "sup2circus.circus_streams.PrefixedStdoutStream"
_UPPER_VAR = re.compile(r"\$([A-Z]+[A-Z0-9_]*)")
# paths that are circusd's own stdout/stderr (a pipe under Docker) or a terminal
_PIPE_LIKE = re.compile(
    r"^/(dev/(stdout|stderr|stdin|fd/\d+|tty\w*|console|pts/.*)|proc/(self|\d+)/fd/\d+)$"
)


@dataclass
class LoadedStream:
    """One output stream as circus built it (``None`` in :class:`LoadedWatcher` = no stream)."""

    cls: str
    filename: str | None
    max_bytes: int | None
    backup_count: int | None
    copy: str | None = None  # PrefixedStdoutStream's copy (file, stdout, stderr, none)


@dataclass
class LoadedWatcher:
    """What circusd would run for one ``[watcher:...]`` section."""

    name: str
    priority: int
    error: str | None = None  # circusd drops the watcher ("Failed to create watcher")
    argvs: list[list[str]] = field(default_factory=list)  # execve argv, one per wid
    working_dir: str = ""
    working_dir_set: bool = False
    env: dict[str, str] = field(default_factory=dict)
    env_written: set[str] = field(default_factory=set)  # set by [env]/[env:x], not inherited
    copy_env: bool = False
    uid: str | None = None
    stop_signal: int = 15
    graceful_timeout: float = 30.0
    autostart: bool = True
    respawn: bool = True
    numprocesses: int = 1
    stdout: LoadedStream | None = None
    stderr: LoadedStream | None = None
    close_child_stdout: bool = False
    close_child_stderr: bool = False
    stdin_socket: str | None = None
    hooks: dict[str, str] = field(default_factory=dict)
    # options no intent covers, as loaded (the converter leaves them at circus's defaults)
    others: dict[str, object] = field(default_factory=dict)


# circus 0.19 options the converter never writes: their defaults (Watcher.__init__)
_OTHER_DEFAULTS: dict[str, object] = {
    "gid": None,
    "max_retry": 5,
    "warmup_delay": 0.0,
    "stop_children": False,
    "send_hup": False,
    "singleton": False,
    "max_age": 0,
    "on_demand": False,
    "rlimits": {},
    "close_child_stdin": True,
    "use_sockets": False,
    "copy_path": False,
}
_STREAM_KEYS = {"class", "filename", "max_bytes", "backup_count"}


@dataclass
class LoadedConfig:
    circus: dict[str, object]
    sockets: list[str]
    watchers: list[LoadedWatcher]  # in circusd's start order
    socket_options: dict[str, dict[str, str]] = field(default_factory=dict)
    socket_errors: dict[str, str] = field(default_factory=dict)


class CircusRefusal(Exception):
    """``get_config`` raised: circusd would exit at start-up."""


# --------------------------------------------------------------------------- circus glue
_CIRCUS_GLUE = threading.Lock()


@contextlib.contextmanager
def _quiet_and_contained() -> Iterator[dict[int, str]]:
    """Redirect FileStream opening to /dev/null (recording the real name), silence circus's
    logger and restore ``sys.path`` (hooks and PYTHONPATH handling may extend it)."""
    from circus.stream import file_stream  # type: ignore[import-untyped]

    opened: dict[int, str] = {}
    base: Any = file_stream._FileStreamBase

    def _open(self: Any) -> Any:
        name = str(self._filename)
        opened[id(self)] = name
        full = os.path.normpath(os.path.join(os.getcwd(), name))
        if _PIPE_LIKE.match(full):
            # circus opens FileStreams 'a+', which fails on a pipe (circusd under Docker)
            raise OSError(
                f"FileStream on {name!r}: not seekable when circusd's output is a pipe "
                "(circusd drops the watcher)"
            )
        return open(os.devnull, "a+")  # owned by the stream, closed by _stream()

    logger = logging.getLogger("circus")
    # one at a time: the patch, the logger and sys.path are the whole process's (threads that
    # verified at once saw each other's streams and left the patch in place)
    with _CIRCUS_GLUE:
        was_disabled = logger.disabled
        saved_path = list(sys.path)
        original_open = base._open
        base._open = _open
        logger.disabled = True
        try:
            yield opened
        finally:
            base._open = original_open
            logger.disabled = was_disabled
            sys.path[:] = saved_path


def _stream(inst: Any, opened: Mapping[int, str]) -> LoadedStream | None:
    if inst is None:
        return None
    cls = type(inst)
    filename = opened.get(id(inst), getattr(inst, "_filename", None))
    copy = getattr(inst, "copy", None) if isinstance(getattr(inst, "copy", None), str) else None
    # PrefixedStdoutStream: the rotation is its inner FileStream's (copy = file)
    rotating = getattr(inst, "_file", None) if copy is not None else inst
    max_bytes = getattr(rotating, "_max_bytes", None)
    backups = getattr(rotating, "_backup_count", None)
    close = getattr(inst, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):
            close()
    return LoadedStream(
        cls=f"{cls.__module__}.{cls.__qualname__}",
        filename=None if filename is None else str(filename),
        max_bytes=None if max_bytes is None else int(max_bytes),
        backup_count=None if backups is None else int(backups),
        copy=copy,
    )


def _argvs(w: Any, socket_names: Sequence[str]) -> list[list[str]]:
    """The argv execve gets for each wid, as Watcher.spawn_process + Process.format_args."""
    from circus import util  # type: ignore[import-untyped]
    from circus.process import Process  # type: ignore[import-untyped]

    cmd = util.replace_gnu_args(w.cmd, env=w.env)
    out: list[list[str]] = []
    for wid in range(1, max(int(w.numprocesses), 1) + 1):
        proc = Process(
            w.name,
            wid,
            cmd,
            args=w.args,
            working_dir=w.working_dir,
            shell=w.shell,
            env=w.env,
            rlimits=w.rlimits,
            executable=w.executable,
            use_fds=w.use_sockets,
            watcher=w,
            spawn=False,
        )
        args = [str(a) for a in proc.format_args(sockets_fds={n: -1 for n in socket_names})]
        out.append(["/bin/sh", "-c", *args] if w.shell else args)
    return out


def _others(w: Any, wcfg: Mapping[str, Any]) -> dict[str, object]:
    """The options of :data:`_OTHER_DEFAULTS` as circus loaded them, and any stream option
    other than class, filename and rotation (``time_format`` changes what FileStream writes)."""
    others: dict[str, object] = {}
    for key in _OTHER_DEFAULTS:
        value: Any = getattr(w, key, None)
        if key == "rlimits":
            value = dict(value or {})
        elif key in ("max_retry", "max_age"):
            value = int(value)
        elif key == "warmup_delay":
            value = float(value)
        elif key != "gid":
            value = bool(value)
        others[key] = value
    for channel in ("stdout_stream", "stderr_stream"):
        conf = dict(wcfg.get(channel) or {})
        if str(conf.get("class", "")) == _PREFIXED_STREAM:
            continue  # its own options (process, channel, copy) belong to the idiom
        for key in sorted(set(conf) - _STREAM_KEYS):
            others[f"{channel}.{key}"] = conf[key]
    return others


def _hook_text(spec: str, ignore_failure: bool) -> str:
    return f"{spec} (failure ignored)" if ignore_failure else spec


def _describe_error(exc: BaseException) -> str:
    inner = getattr(exc, "exception", None)
    name = getattr(exc, "import_name", None)
    if isinstance(exc, ImportError) and name is not None and inner is not None:
        # circus.util.ImportStringError: a hook (or stream class) that cannot be imported
        return f"cannot import {name!r}: {type(inner).__name__}: {inner}"
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= 300 else text[:297] + "..."


def load_circus(path: str) -> LoadedConfig:
    """Load ``path`` as circusd would (``get_config`` + ``Watcher.load_from_config``) using
    this process's environment and working directory; nothing is started and no log file is
    created. Raises :class:`CircusRefusal` when circusd would not start, ImportError without
    circus."""
    from circus.config import get_config  # type: ignore[import-untyped]
    from circus.watcher import Watcher  # type: ignore[import-untyped]

    with _quiet_and_contained() as opened:
        try:
            cfg: dict[str, Any] = get_config(path)
        except Exception as exc:
            raise CircusRefusal(f"{type(exc).__name__}: {exc}") from None
        sockets = [str(s["name"]) for s in cfg.get("sockets", [])]
        written_env = _written_env([str(w["name"]) for w in cfg["watchers"]], path)
        socket_options, socket_errors = _load_sockets(cfg.get("sockets", []))
        loaded: list[LoadedWatcher] = []
        for wcfg in cfg["watchers"]:
            name = str(wcfg["name"])
            priority = int(wcfg.get("priority", 0))
            working_dir_set = bool(wcfg.get("working_dir"))
            hook_specs = {
                str(k): _hook_text(str(v[0]), bool(v[1]))
                for k, v in dict(wcfg.get("hooks") or {}).items()
            }
            try:
                w = Watcher.load_from_config(wcfg)
                argvs = _argvs(w, sockets)
            except Exception as exc:
                error = _describe_error(exc)
                loaded.append(LoadedWatcher(name=name, priority=priority, error=error))
                continue
            loaded.append(
                LoadedWatcher(
                    name=name,
                    priority=int(w.priority),
                    argvs=argvs,
                    working_dir=str(w.working_dir),
                    working_dir_set=working_dir_set,
                    env={str(k): str(v) for k, v in (w.env or {}).items()},
                    env_written=written_env.get(name, set()),
                    copy_env=bool(w.copy_env),
                    uid=None if w.uid is None else str(w.uid),
                    stop_signal=int(w.stop_signal),
                    graceful_timeout=float(w.graceful_timeout),
                    autostart=bool(w.autostart),
                    respawn=bool(w.respawn),
                    numprocesses=int(w.numprocesses),
                    stdout=_stream(w.stdout_stream, opened),
                    stderr=_stream(w.stderr_stream, opened),
                    close_child_stdout=bool(w.close_child_stdout),
                    close_child_stderr=bool(w.close_child_stderr),
                    stdin_socket=None if w.stdin_socket is None else str(w.stdin_socket),
                    hooks=hook_specs,
                    others=_others(w, wcfg),
                )
            )
    # circus's arbiter starts by priority, highest first; get_config sorted by name already
    # and the sort is stable.
    loaded.sort(key=lambda lw: lw.priority, reverse=True)
    circus_keys = (
        "endpoint",
        "pubsub_endpoint",
        "stats_endpoint",
        "multicast_endpoint",
        "check_delay",
        "umask",
        "pidfile",
        "loglevel",
        "logoutput",
        "endpoint_owner",
        "statsd",
        "httpd",
        "debug",
        "warmup_delay",
    )
    return LoadedConfig(
        circus={**{k: cfg.get(k) for k in circus_keys}, "plugins": len(cfg.get("plugins", []))},
        sockets=sockets,
        watchers=loaded,
        socket_options=socket_options,
        socket_errors=socket_errors,
    )


def _written_env(names: Sequence[str], path: str) -> dict[str, set[str]]:
    """The variables the file's [env] and [env:pattern] sections set for each watcher, as
    get_config applies them (circus/config.py: fnmatch on each comma-separated pattern).
    get_config merges them with circusd's environment under copy_env; this keeps them apart."""
    from fnmatch import fnmatch

    from circus.config import read_config

    cfg, _ = read_config(path)
    common = {str(k) for k, _ in cfg.items("env")} if "env" in cfg.sections() else set()
    written = {name: set(common) for name in names}
    for section in cfg.sections():
        if not section.startswith("env:"):
            continue
        keys = {str(k) for k, _ in cfg.items(section, noreplace=True)}
        for pattern in (p.strip() for p in section.split("env:", 1)[1].split(",")):
            for name in names:
                if fnmatch(name, pattern):
                    written[name] |= keys
    return written


def _load_sockets(
    configs: Sequence[dict[str, Any]],
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Each socket as get_config left it, and the ones CircusSocket.load_from_config refuses
    (circusd: "Failed to create socket"). The socket objects are closed at once, never bound."""
    from circus.sockets import CircusSocket  # type: ignore[import-untyped]

    options: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    for conf in configs:
        name = str(conf["name"])
        options[name] = {str(k): str(v) for k, v in conf.items()}
        try:
            sock = CircusSocket.load_from_config(dict(conf))
        except Exception as exc:
            errors[name] = _describe_error(exc)
        else:
            sock.close()
    return options, errors


# --------------------------------------------------------------------------- comparison
class _Resolver:
    """Resolves deferred ``%(ENV_X)s`` references in intended values the way circus will:
    ``$(circus.env.X)`` in commands and paths, ``$X`` in env sections, against this process's
    environment (plus the watcher's own env sections for commands, as circus does)."""

    def __init__(self, names: Sequence[str], environ: Mapping[str, str], text: str = "") -> None:
        self.names = {n.lower(): n for n in names}
        self.upper = set(names)
        self.environ = environ
        # values of every variable the text lets circus substitute: never print them
        referenced = {n.lower() for n in names}
        for m in _CIRCUS_REF.finditer(text):
            key = (m.group(1) or m.group(2)).lower()
            if key.startswith("circus.env."):
                referenced.add(key[len("circus.env.") :])
        referenced.update(n.lower() for n in _UPPER_VAR.findall(text))
        self.secrets = sorted(
            {v for k, v in environ.items() if k.lower() in referenced and len(v) >= 3},
            key=len,
            reverse=True,
        )

    def text(self, value: str, extra: Mapping[str, str] | None = None) -> str:
        if not self.names:
            return value
        env = {k.lower(): v for k, v in self.environ.items()}
        env.update({k.lower(): v for k, v in (extra or {}).items()})

        def repl(m: re.Match[str]) -> str:
            key = (m.group(1) or m.group(2)).lower()
            if key.startswith("circus.env."):
                name = key[len("circus.env.") :]
                if name in self.names and name in env:
                    return env[name]
            return m.group(0)

        return _CIRCUS_REF.sub(repl, value)

    def env_value(self, value: str) -> str:
        """An intended [env:x] value: deferred names (``$X`` as written, or recorded as
        ``$(circus.env.X)``) read circusd's environment, an undefined one gives ''."""
        if not self.upper:
            return value

        def repl(m: re.Match[str]) -> str:
            key = (m.group(1) or m.group(2) or "").lower()
            if key.startswith("circus.env.") and key[len("circus.env.") :] in self.names:
                return self.environ.get(self.names[key[len("circus.env.") :]], "")
            return m.group(0)

        def repl_upper(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in self.upper:
                return self.environ.get(name, "")
            return m.group(0)

        return _CIRCUS_REF.sub(repl, _UPPER_VAR.sub(repl_upper, value)).strip()

    def redact(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, "<$-value>")
        return value


_CIRCUS_REF = re.compile(r"\$\(([\w.\-]+)\)|\(\(([\w.\-]+)\)\)", re.I)


def _show_argv(argv: Sequence[str], redact: _Resolver) -> str:
    return "[" + ", ".join(repr(redact.redact(a)) for a in argv) + "]"


def _stream_problem(
    channel: str,
    want: Stream,
    got: LoadedStream | None,
    closed: bool,
    resolve: _Resolver,
    extra: Mapping[str, str],
) -> str | None:
    def describe(s: LoadedStream | None, closed: bool) -> str:
        if s is None:
            return "/dev/null (closed)" if closed else "circusd's own " + channel
        if s.cls == _FILE_STREAM:
            return (
                f"FileStream {resolve.redact(s.filename or '')!r} "
                f"max_bytes={s.max_bytes} backup_count={s.backup_count}"
            )
        if s.copy is not None:
            return (
                f"{s.cls} copy={s.copy} filename={resolve.redact(s.filename or '')!r} "
                f"max_bytes={s.max_bytes} backup_count={s.backup_count}"
            )
        return s.cls

    have = describe(got, closed)
    if got is not None and closed:
        # close_child_<channel> nulls the child's fd after Popen piped it: the stream gets nothing
        have += f" but close_child_{channel} sends the output to /dev/null"
    if want.kind == "file":
        path = resolve.text(want.path or "", extra)
        ok = (
            got is not None
            and not closed
            and got.cls == _FILE_STREAM
            and got.filename == path
            and got.max_bytes == want.max_bytes
            and got.backup_count == want.backup_count
        )
        wanted = (
            f"FileStream {want.path!r} max_bytes={want.max_bytes} backup_count={want.backup_count}"
        )
    elif want.kind == "null":
        ok = got is None and closed
        wanted = "/dev/null (closed)"
    elif want.kind == "inherit":
        ok = got is None and not closed
        wanted = "circusd's own " + channel
    elif want.kind in ("stdout", "stderr") and want.kind != channel:
        # merged into the other channel by a `2>&1` / `1>&2` wrapper: circus must not capture
        # this channel separately
        ok = got is None
        wanted = f"merged into {want.kind} by the command wrapper (no {channel} stream)"
    elif want.kind == "prefixed":
        # supervisor_stdout (sup2circus.idioms): the prefixing stream, copying to want.path
        copy_to = resolve.text(want.path, extra) if want.path is not None else None
        ok = (
            got is not None
            and not closed
            and got.cls == _PREFIXED_STREAM
            and got.filename == copy_to
            # a filename without copy = file writes no file
            and (got.copy == "file") == (copy_to is not None)
            and (
                copy_to is None
                or (got.max_bytes, got.backup_count) == (want.max_bytes, want.backup_count)
            )
        )
        wanted = f"{_PREFIXED_STREAM}" + (
            f" copying to {want.path!r} max_bytes={want.max_bytes} backup_count={want.backup_count}"
            if want.path
            else ""
        )
    elif want.kind == "daemon-stdout":
        ok = got is not None and not closed and got.cls == _STDOUT_STREAM
        wanted = "circusd's own stdout (StdoutStream)"
    else:
        return f"{channel}: unknown intended stream kind {want.kind!r}"
    if ok:
        return None
    return f"{channel} goes to {have}, intended {wanted}"


def _circus_env_rewrite(value: str, environ: Mapping[str, str]) -> str:
    """What circus's ``parse_env_dict`` makes of an inherited value (T11)."""
    return _UPPER_VAR.sub(lambda m: environ.get(m.group(1), ""), value).strip()


def _resolve_pwd_restore(argv: list[str], environ: Mapping[str, str]) -> None:
    """The converter's sh wrappers restore circusd's PWD: ``sh -c '...' prog
    '$(circus.env.PWD)' '$(''circus.env.PWD)'`` -- circus substitutes the first (when PWD is
    set), never the second. Apply that to the intended argv."""
    for i in range(len(argv) - 4):
        if argv[i + 1] == "-c" and PWD_RESTORE in argv[i + 2]:
            if argv[i + 4] == "$(circus.env.PWD)" and "PWD" in environ:
                argv[i + 4] = environ["PWD"]
            return


def _compare(model: WatcherModel, got: LoadedWatcher, resolve: _Resolver) -> list[str]:
    intent: Intent = model.intent
    problems: list[str] = []
    env_extra = dict(intent.env)
    argv = [resolve.text(a, env_extra) for a in intent.argv]
    _resolve_pwd_restore(argv, resolve.environ)
    for wid, have in enumerate(got.argvs, start=1):
        if have != argv:
            where = f" (process {wid})" if len(got.argvs) > 1 else ""
            diff = next(
                (i for i, (a, b) in enumerate(zip(have, argv, strict=False)) if a != b),
                min(len(have), len(argv)),
            )
            problems.append(
                f"argv{where} differs at position {diff}: circus runs "
                f"{_show_argv(have, resolve)}, intended {_show_argv(intent.argv, resolve)}"
            )
            break
    if intent.working_dir is None:
        if got.working_dir_set:
            problems.append(
                f"working_dir is {resolve.redact(got.working_dir)!r}, intended circusd's own cwd"
            )
    elif got.working_dir != resolve.text(intent.working_dir, env_extra):
        problems.append(
            f"working_dir is {resolve.redact(got.working_dir)!r}, intended {intent.working_dir!r}"
        )
    if not got.copy_env:
        problems.append(
            "copy_env is off: the child would start with an empty environment (no PATH, HOME)"
        )
    for key, value in intent.env:
        if key not in got.env or key not in got.env_written:
            # (inherited from this process is not enough: circusd's environment may lack it)
            problems.append(f"environment variable {key} is not set by circus")
        elif got.env[key] != resolve.env_value(value):
            problems.append(
                f"environment variable {key} would have another value than intended "
                "(circus rewrites it)"
            )
    intended_keys = {k for k, _ in intent.env} | {"__name__"}
    environ = resolve.environ
    for key in sorted(got.env):
        if key in intended_keys:
            continue
        if key not in environ:
            problems.append(f"environment variable {key} is set by circus but not intended")
        elif got.env[key] not in (environ[key], _circus_env_rewrite(environ[key], environ)):
            problems.append(f"environment variable {key} is overridden by circus but not intended")
    if (got.uid or None) != (intent.uid or None):
        problems.append(f"uid is {got.uid!r}, intended {intent.uid!r}")
    if got.stop_signal != intent.stop_signal:
        problems.append(f"stop_signal is {got.stop_signal}, intended {intent.stop_signal}")
    if got.graceful_timeout != float(intent.graceful_timeout):
        problems.append(
            f"graceful_timeout is {got.graceful_timeout:g}, intended {intent.graceful_timeout:g}"
        )
    if got.autostart != intent.autostart:
        problems.append(f"autostart is {got.autostart}, intended {intent.autostart}")
    if got.respawn != intent.respawn:
        problems.append(f"respawn is {got.respawn}, intended {intent.respawn}")
    if got.priority != intent.priority:
        problems.append(f"priority is {got.priority}, intended {intent.priority}")
    if got.numprocesses != intent.numprocesses:
        problems.append(f"numprocesses is {got.numprocesses}, intended {intent.numprocesses}")
    for channel, want, stream, closed in (
        ("stdout", intent.stdout, got.stdout, got.close_child_stdout),
        ("stderr", intent.stderr, got.stderr, got.close_child_stderr),
    ):
        problem = _stream_problem(channel, want, stream, closed, resolve, env_extra)
        if problem:
            problems.append(problem)
    want_hooks = {}
    for key, value in intent.hooks:
        spec, _, flag = value.partition(",")
        ignore = flag.strip().lower() in ("1", "true", "yes", "on", "y", "t")
        want_hooks[key.removeprefix("hooks.")] = _hook_text(spec.strip(), ignore)
    if got.hooks != want_hooks:
        problems.append(f"hooks are {got.hooks}, intended {want_hooks}")
    for option, loaded in got.others.items():
        if loaded != _OTHER_DEFAULTS.get(option):
            default = _OTHER_DEFAULTS.get(option, "unset")
            problems.append(f"{option} is {loaded!r}, intended circus's default {default!r}")
    return problems


def _check_circus_section(
    config: CircusConfig, loaded: LoadedConfig, resolve: _Resolver
) -> list[str]:
    problems: list[str] = []
    # circus substitutes $(circus.env.X) when it loads the file (logoutput, pidfile...)
    written = {k: resolve.text(v) for k, v in config.circus}

    def shown(value: object) -> str:
        return repr(resolve.redact(value)) if isinstance(value, str) else repr(value)

    def differs(key: str) -> str:
        got = loaded.circus.get(key)
        return f"[circus] {key} reads back as {shown(got)}, written {shown(written[key])}"

    for key in ("endpoint", "pubsub_endpoint", "stats_endpoint"):
        value = loaded.circus.get(key)
        if key in written and value != written[key]:
            problems.append(differs(key))
        if key != "stats_endpoint" and not str(value).startswith("ipc://"):
            problems.append(
                f"[circus] {key} is {shown(value)}: circus control endpoints have no "
                "authentication, only ipc:// is safe"
            )
    if loaded.circus.get("multicast_endpoint"):
        problems.append(
            "[circus] multicast_endpoint is not empty: circusd would bind UDP on 0.0.0.0"
        )
    for key, kind in (("check_delay", float), ("umask", int)):
        if key in written and written[key] != "":
            try:
                want: object = kind(written[key]) if kind is float else int(written[key], 8)
            except ValueError:
                want = written[key]
            if loaded.circus.get(key) != want:
                problems.append(differs(key))
    for key in ("pidfile", "loglevel", "logoutput", "endpoint_owner"):
        if key in written and loaded.circus.get(key) != written[key]:
            problems.append(differs(key))
    for key, (default, intended) in _UNWRITTEN_CIRCUS.items():
        value = loaded.circus.get(key)
        if key not in written and value not in (default, None):
            problems.append(f"[circus] {key} is {shown(value)}, intended {intended}")
    return problems


# [circus] options as circus 0.19 loads them when the file does not set them, and how a message
# names that: written where the converter did not write them, circusd would start extra
# processes or plugins, write other files, or hand its children another umask
_UNWRITTEN_CIRCUS: dict[str, tuple[object, str]] = {
    "plugins": (0, "0"),
    "statsd": (False, "False"),
    "httpd": (False, "False"),
    "debug": (False, "False"),
    "warmup_delay": (0, "0"),
    "umask": (None, "circusd's own"),
    "pidfile": (None, "none"),
    "loglevel": (None, "none"),
    "logoutput": (None, "none"),
    "endpoint_owner": (None, "none"),
}


def _check_sockets(config: CircusConfig, loaded: LoadedConfig) -> list[str]:
    problems: list[str] = []
    for name, error in sorted(loaded.socket_errors.items()):
        problems.append(f"socket {name!r}: circusd would drop it: {error}")
    for sock in config.sockets:
        got = loaded.socket_options.get(sock.name.lower())
        if got is None:
            problems.append(f"socket {sock.name!r}: circus does not load it")
            continue
        for key, value in sock.options:
            have = got.get(key)
            if key in ("replace", "so_reuseport"):
                want = str(value.strip().lower() in ("1", "true", "yes", "on", "y", "t"))
            else:
                want = value
            if have != want:
                problems.append(
                    f"socket {sock.name!r}: {key} reads back as {have!r}, written {value!r}"
                )
    return problems


def verify_text(text: str, config: CircusConfig | None) -> list[str]:
    """Problems found when circus loads ``text`` (compared with ``config``'s intents)."""
    import circus  # noqa: F401  (ImportError: circus is not installed)

    with tempfile.TemporaryDirectory(prefix="s2cv") as tmp:
        path = os.path.join(tmp, "circus.ini")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            loaded = load_circus(path)
        except CircusRefusal as exc:
            message = " ".join(str(exc).replace(path, "circus.ini").split())
            return [f"circusd would refuse to start: {message}"]
    problems: list[str] = []
    by_name: dict[str, LoadedWatcher] = {}
    for lw in loaded.watchers:
        if lw.error is not None:
            problems.append(f"watcher {lw.name!r}: circusd would drop it: {lw.error}")
        by_name[lw.name] = lw
    if config is None:
        return problems
    resolve = _Resolver(config.deferred_env, os.environ, text)
    problems.extend(_check_circus_section(config, loaded, resolve))
    wanted = {w.name for w in config.watchers}
    for name in sorted(set(by_name) - wanted):
        problems.append(f"watcher {name!r}: circus loads it but it was not intended")
    for model in config.watchers:
        got = by_name.get(model.name)
        if got is None:
            problems.append(f"watcher {model.name!r}: circus does not load it")
            continue
        if got.error is not None:
            continue
        problems.extend(f"watcher {model.name!r}: {p}" for p in _compare(model, got, resolve))
        if got.stdin_socket is not None and got.stdin_socket not in loaded.sockets:
            problems.append(
                f"watcher {model.name!r}: stdin_socket {got.stdin_socket!r} is not a circus "
                "socket (circus lower-cases socket names)"
            )
    problems.extend(_check_sockets(config, loaded))
    # start order: the intended watchers, in the order written (= start order)
    started = [lw.name for lw in loaded.watchers if lw.error is None and lw.name in wanted]
    intended = [w.name for w in config.watchers if w.name in started]
    if started != intended:
        problems.append(f"start order differs: circus starts {started}, intended {intended}")
    return problems


def verify(conversion: Conversion) -> list[str]:
    """Load ``conversion.text`` with circus's own loader and list every way circusd would run
    something other than intended (empty = OK). Raises ImportError without circus."""
    config = conversion.circus if isinstance(conversion.circus, CircusConfig) else None
    # (a conversion made with render=False has no text: its pieces are written from the model)
    problems = verify_text("".join(conversion.pieces()), config)
    if conversion.circus is not None and config is None:
        problems.append("internal: the conversion carries no circus model to compare with")
    return problems


def verified(conversion: Conversion) -> str:
    """What :func:`verify` checked when it found nothing, in one line (for ``--verify``)."""
    import circus

    config = conversion.circus
    n = len(config.watchers) if isinstance(config, CircusConfig) else 0
    return (
        f"circus {circus.__version__} loads {n} watcher{'' if n == 1 else 's'} as intended "
        "(argv, cwd, environment, user, stop and restart, streams, sockets, start order)"
    )
