"""The circus judge: what circusd 0.19 would run for a circus.ini, computed by circus itself.

circusd loads its configuration with ``circus.config.get_config(path)`` and then builds every
watcher with ``circus.watcher.Watcher.load_from_config(cfg)`` inside a ``try`` that only logs
``Failed to create watcher`` (circus/arbiter.py:416-425).  The second step matters: it runs
``parse_env_dict`` (``$UPPER`` expansion and ``strip()`` of env values), builds the output
streams (a FileStream opens its file) and imports hooks (SEMANTICS.md T12, T18, T20, T34).

:func:`circus_view` does exactly that, without starting anything, in a subprocess whose
environment and working directory are controlled (circus reads ``os.environ`` for ``$VAR``
expansion and ``copy_env``), and reports per watcher what circusd would run.  FileStream
paths are redirected into ``log_dir`` (``/dev/stdout``, ``/dev/fd/N``, ``/proc/self/fd/N``...
are opened for real: the subprocess's stdout is a pipe, so they fail as under Docker).  A
watcher that circusd would drop is reported with ``failed: True`` and the error -- never
skipped.

Each watcher dict has:

``name``, ``failed``, ``error``, ``start_index`` (position in circusd's start order, ``None``
when failed), ``priority``, ``numprocesses``, ``argv`` (the argv of process wid 1, as
``Process.format_args`` builds it), ``argvs`` (one per wid), ``exec_argv`` (what execve gets:
``/bin/sh -c`` for ``shell = true``), ``working_dir``, ``env`` (the child's whole environment,
``None`` = empty), ``uid``/``gid`` (as written), ``uid_num``/``gid_num`` (resolved here, or
``None``), ``stop_signal``, ``graceful_timeout``, ``autostart``, ``respawn``, ``copy_env``,
``close_child_stdin``/``close_child_stdout``/``close_child_stderr``, ``stdin_socket``,
``use_sockets``, ``stop_children``, ``max_retry``, ``rlimits``, ``stdout``/``stderr`` (stream
dicts: ``class``, ``filename``, ``max_bytes``, ``backup_count``, ``conf``; ``None`` = no stream,
the child inherits circusd's fd), ``hooks`` (name -> ``{"spec", "target", "ignore_failure"}``),
``options`` (free-form options, as strings).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
from typing import Any

DEFAULT_ENV = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
}

__all__ = ["DEFAULT_ENV", "CircusRefused", "circus_config_view", "circus_view"]


class CircusRefused(Exception):
    """circusd would refuse to start (``get_config`` raised: bad int, bool, signal...)."""


def circus_config_view(
    ini_path: str,
    env: dict[str, str] | None = None,
    log_dir: str | None = None,
    timeout: float = 60,
) -> dict[str, Any]:
    """The whole view: ``{"circus": {...}, "sockets": [...], "watchers": [...]}``.

    ``env`` is circusd's environment (default :data:`DEFAULT_ENV`); ``log_dir`` receives the
    redirected log files and is circusd's working directory (default: a fresh temp dir).
    Raises :class:`CircusRefused` when circusd would not start at all.
    """
    ini_path = os.path.abspath(ini_path)
    child_env = dict(DEFAULT_ENV if env is None else env)
    with tempfile.TemporaryDirectory(prefix="cj") as tmp:
        logs = log_dir or tmp
        proc = subprocess.run(
            [sys.executable, os.path.abspath(__file__), ini_path, logs],
            env=child_env,
            cwd=logs,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    out = proc.stdout.decode("utf-8", "surrogateescape")
    marker = out.rfind(_MARK)
    if proc.returncode != 0 or marker < 0:
        raise RuntimeError(
            f"circus judge crashed (rc {proc.returncode}):\n{out}\n"
            f"{proc.stderr.decode('utf-8', 'replace')}"
        )
    result: dict[str, Any] = json.loads(out[marker + len(_MARK) :])
    if "refused" in result:
        raise CircusRefused(result["refused"])
    return result


def circus_view(
    ini_path: str,
    env: dict[str, str] | None = None,
    log_dir: str | None = None,
) -> list[dict[str, Any]]:
    """Per watcher, in circusd's start order (priority desc, then name asc)."""
    watchers: list[dict[str, Any]] = circus_config_view(ini_path, env, log_dir)["watchers"]
    return watchers


_MARK = "\n@@CIRCUS-JUDGE@@\n"
# circusd's own stdout/stderr (a pipe under Docker) or a terminal: opened for real
_PIPE_LIKE = re.compile(
    r"^/(dev/(stdout|stderr|stdin|fd/\d+|tty\w*|console|pts/.*)|proc/(self|\d+)/fd/\d+)$"
)


# --------------------------------------------------------------------------- the subprocess
def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _child(ini_path: str, log_dir: str) -> dict[str, Any]:  # pragma: no cover - subprocess
    import copy

    from circus import util
    from circus.config import get_config
    from circus.process import Process
    from circus.stream import file_stream
    from circus.watcher import Watcher

    opened: dict[int, str] = {}

    def _open(self: Any) -> Any:
        name = self._filename
        full = os.path.normpath(os.path.join(os.getcwd(), name))
        opened[id(self)] = name
        if _PIPE_LIKE.match(full) or full == os.devnull:
            return open(full, "a+")  # fails on a pipe, as under Docker
        real = os.path.join(log_dir, "redirected", full.lstrip("/"))
        os.makedirs(os.path.dirname(real), exist_ok=True)
        return open(real, "a+")

    file_stream._FileStreamBase._open = _open  # type: ignore[method-assign]

    try:
        cfg = get_config(ini_path)
    except Exception as exc:  # circusd exits
        return {"refused": f"{type(exc).__name__}: {exc}"}

    def stream_view(inst: Any, conf: dict[str, Any]) -> dict[str, Any] | None:
        if inst is None:
            return None
        cls = type(inst)
        view = {
            "class": f"{cls.__module__}.{cls.__qualname__}",
            "filename": opened.get(id(inst), getattr(inst, "_filename", None)),
            "max_bytes": getattr(inst, "_max_bytes", None),
            "backup_count": getattr(inst, "_backup_count", None),
            "time_format": getattr(inst, "_time_format", None),
            "conf": conf,
        }
        close = getattr(inst, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()
        return view

    socket_names = [s["name"] for s in cfg.get("sockets", [])]
    entries: list[dict[str, Any]] = []
    for wcfg in cfg["watchers"]:
        raw = copy.deepcopy({k: v for k, v in wcfg.items() if k != "env"})
        base = {
            "name": wcfg["name"],
            "priority": wcfg.get("priority", 0),
            "failed": False,
            "error": None,
            "raw": _jsonable(raw),
        }
        try:
            w = Watcher.load_from_config(wcfg)
        except Exception as exc:  # circusd: "Failed to create watcher", runs without it
            base.update(failed=True, error=f"{type(exc).__name__}: {exc}")
            entries.append(base)
            continue
        uid_num = gid_num = None
        try:
            uid_num = util.to_uid(w.uid) if w.uid else None
            gid_num = (
                util.to_gid(w.gid)
                if w.gid
                else (util.get_default_gid(uid_num) if uid_num is not None else None)
            )
        except Exception:
            pass
        cmd = util.replace_gnu_args(w.cmd, env=w.env)  # Watcher.spawn_process
        argvs = []
        for wid in range(1, max(w.numprocesses, 1) + 1):
            proc = Process(
                w.name,
                wid,
                cmd,
                args=w.args,
                working_dir=w.working_dir,
                shell=w.shell,
                uid=None,
                gid=None,
                env=w.env,
                rlimits=w.rlimits,
                executable=w.executable,
                use_fds=w.use_sockets,
                watcher=w,
                spawn=False,
            )
            proc.uid, proc.gid = uid_num, gid_num
            argvs.append(proc.format_args(sockets_fds={n: f"<socket:{n}>" for n in socket_names}))
        exec_argv = ["/bin/sh", "-c", *argvs[0]] if w.shell else list(argvs[0])
        hooks = {}
        for hname, fn in w.hooks.items():
            spec = raw.get("hooks", {}).get(hname)
            hooks[hname] = {
                "spec": spec[0] if spec else None,
                "ignore_failure": hname in w.ignore_hook_failure,
                "target": f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', '?')}",
            }
        base.update(
            name=w.name,
            priority=w.priority,
            numprocesses=w.numprocesses,
            argv=argvs[0],
            argvs=argvs,
            exec_argv=exec_argv,
            executable=w.executable,
            shell=bool(w.shell),
            working_dir=w.working_dir,
            env=dict(sorted(w.env.items())) if w.env is not None else None,
            uid=w.uid,
            gid=w.gid,
            uid_num=uid_num,
            gid_num=gid_num,
            stop_signal=w.stop_signal,
            graceful_timeout=w.graceful_timeout,
            autostart=w.autostart,
            respawn=w.respawn,
            copy_env=bool(w.copy_env),
            close_child_stdin=w.close_child_stdin,
            close_child_stdout=w.close_child_stdout,
            close_child_stderr=w.close_child_stderr,
            stdin_socket=w.stdin_socket,
            use_sockets=w.use_sockets,
            stop_children=w.stop_children,
            max_retry=w.max_retry,
            rlimits=w.rlimits,
            stdout=stream_view(w.stdout_stream, raw.get("stdout_stream", {})),
            stderr=stream_view(w.stderr_stream, raw.get("stderr_stream", {})),
            hooks=hooks,
            options={k: str(v) for k, v in w._options.items()},
        )
        entries.append(base)

    # circus arbiter: sorted(watchers, key=priority, reverse=True) over the name-sorted list
    # from get_config (stable: ties stay in name order).
    entries = sorted(entries, key=lambda e: e["priority"], reverse=True)
    index = 0
    for entry in entries:
        entry["start_index"] = None if entry["failed"] else index
        index += 0 if entry["failed"] else 1
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
        "httpd",
        "statsd",
    )
    return _jsonable(
        {
            "circus": {k: cfg.get(k) for k in circus_keys},
            "sockets": cfg.get("sockets", []),
            "watchers": entries,
        }
    )


if __name__ == "__main__":  # pragma: no cover - the judge's subprocess
    import logging

    logging.disable(logging.CRITICAL)
    result = _child(sys.argv[1], sys.argv[2])
    sys.stdout.write(_MARK + json.dumps(result))
    sys.stdout.flush()
