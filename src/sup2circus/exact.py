"""``--exact``: the circus watcher options that reproduce supervisor's restart and stop semantics.

The translator calls :func:`exact_watcher_options` for every process and writes what it returns
at the end of the watcher; :func:`exact_respawn` gives the ``respawn`` value the hooks expect.
The hooks themselves live in :mod:`sup2circus.circus_hooks` (imported by circusd, not here).

Which supervisor settings differ from plain circus ``respawn = true/false``:

* ``autorestart=unexpected`` (the default): always (circus has no exit-code test);
* ``autorestart=true`` with ``startsecs > 0``: a fast exit is a failed start (back-off, then
  FATAL after ``startretries``), circus would restart it forever;
* ``autorestart=false`` with ``startsecs > 0`` and ``startretries > 0``: a failed start is still
  retried by supervisord; with ``startretries = 0`` it becomes FATAL at once, which
  ``respawn = false`` reproduces;
* ``stopasgroup`` / ``killasgroup``: the process group is signalled (killasgroup alone
  changes nothing when the stop signal is KILL);
* stop ordering (``stop_order=True``): supervisord stops one group at a time, waiting for each.
"""

from __future__ import annotations

import hashlib
import re

from . import model
from .model import AutoRestart

__all__ = [
    "EXACT_CODES",
    "HOOK_MODULE",
    "exact_respawn",
    "exact_watcher_options",
    "group_token",
    "hook_targets",
    "needs_group_hooks",
    "needs_restart_hooks",
]

HOOK_MODULE = "sup2circus.circus_hooks"
PREFIX = "sup2circus."

# Finding codes that become info ("reproduced by hooks") under --exact.
EXACT_CODES: frozenset[str] = frozenset({"S2C101", "S2C102", "S2C103"})

# Hooks whose failure would make circus abort a start or kill a fresh process: mark them
# ", true" (ignore failure). The functions never raise anyway; this is belt and braces.
_IGNORE_FAILURE = frozenset({"before_start", "after_spawn"})


def needs_restart_hooks(proc: model.ProcessSpec) -> bool:
    """True when plain ``respawn = true/false`` would restart this process differently."""
    if proc.autorestart is AutoRestart.UNEXPECTED:
        return True
    if proc.autorestart is AutoRestart.TRUE:
        return proc.startsecs > 0
    return proc.startsecs > 0 and proc.startretries > 0


def needs_group_hooks(proc: model.ProcessSpec) -> bool:
    return proc.signals_group


def exact_respawn(proc: model.ProcessSpec, *, shutdown_on: str = "") -> bool:
    """The circus ``respawn`` value for ``proc`` under --exact.

    With restart hooks the watcher keeps ``respawn = true`` and the hooks withhold restarts
    (and turn respawn off themselves once nothing is left to run); otherwise respawn is simply
    whether supervisor restarts exits at all.
    """
    return (
        bool(shutdown_on) or needs_restart_hooks(proc) or proc.autorestart is not AutoRestart.FALSE
    )


def _hook(name: str) -> tuple[str, str]:
    target = f"{HOOK_MODULE}.{name}"
    if name in _IGNORE_FAILURE:
        target += ", true"
    return (f"hooks.{name}", target)


def exact_watcher_options(
    proc: model.ProcessSpec,
    *,
    stop_order: bool = False,
    shutdown_on: str = "",
    shutdown_status: int = 0,
) -> tuple[tuple[str, str], ...]:
    """The extra watcher options (in order, exactly as written) for ``proc`` under --exact.

    ``stop_order``: also wait, when circus stops this watcher, for the watchers of other
    supervisor groups that circus is already stopping (supervisord's one-group-at-a-time
    shutdown). Pass it for every process when the config has more than one group.

    ``shutdown_on`` ("fatal", "exited" or "fatal,exited"): stop circusd, exiting with
    ``shutdown_status``, when the process enters that state (only the restart hooks know it, so
    they are written whatever the process's restart settings).

    Returns ``()`` when plain circus options already behave like supervisor.
    """
    restart = needs_restart_hooks(proc) or bool(shutdown_on)
    group = needs_group_hooks(proc)
    if not (restart or group or stop_order):
        return ()
    hooks: list[str] = []
    values: list[tuple[str, str]] = []
    if restart:
        hooks += ["before_start", "after_spawn", "before_reap", "after_reap"]
        values += [
            (PREFIX + "autorestart", proc.autorestart.value),
            (PREFIX + "exitcodes", ",".join(str(c) for c in proc.exitcodes)),
            # supervisord acts on a negative value as on 0; the hooks refuse one
            (PREFIX + "startsecs", str(max(0, proc.startsecs))),
            (PREFIX + "startretries", str(max(0, proc.startretries))),
        ]
        if shutdown_on:
            values += [
                (PREFIX + "shutdown_on", shutdown_on),
                (PREFIX + "shutdown_status", str(shutdown_status)),
            ]
    if restart or stop_order:
        hooks.append("before_stop")
    if group:
        hooks.append("before_signal")
        values += [
            (PREFIX + "stopasgroup", "true" if proc.stopasgroup else "false"),
            (PREFIX + "killasgroup", "true" if proc.killasgroup else "false"),
        ]
    if stop_order:
        values.append((PREFIX + "group", group_token(proc.group_name)))
    return tuple(_hook(h) for h in hooks) + tuple(values)


_SAFE_TOKEN = re.compile(r"[A-Za-z0-9_.:@+-]+")


def group_token(group_name: str) -> str:
    """The group name as written in ``sup2circus.group``: only compared for equality by the
    hooks, so a name that circus's parser could alter (``$(circus.x)``, ``;``, spaces, ``%``)
    is replaced by a stable digest."""
    if _SAFE_TOKEN.fullmatch(group_name):
        return group_name
    return "g-" + hashlib.sha1(group_name.encode("utf-8")).hexdigest()[:16]


def hook_targets(options: tuple[tuple[str, str], ...]) -> list[str]:
    """The dotted callables named by the ``hooks.*`` entries of ``options`` (for --verify)."""
    out = []
    for key, value in options:
        if key.startswith("hooks."):
            out.append(value.split(",", 1)[0].strip())
    return out
