"""The knobs of one conversion, in a module of their own: the API, build and translate all
read them, and none of them imports another for it (no import cycle)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConvertOptions:
    """Knobs of one conversion.

    * ``resolve_env``: bake the converting machine's values of ``%(ENV_X)s`` in instead of
      deferring them to circusd's environment (``$(circus.env.X)``).
    * ``no_wrappers``: never wrap commands in ``sh -c``/``env``; approximate and report.
    * ``exact``: reproduce supervisor's restart/stop semantics with sup2circus's circus hooks.
    * ``runtime_dir``: where ipc:// endpoints go when the config names no unix socket.
    * ``environ``: the environment ``%(ENV_X)s`` reads (default: ``os.environ``).
    * ``host_node_name``: the value of ``%(host_node_name)s`` (default: ``platform.node()``).
    * ``exit_on_fatal``: when a process gives up (FATAL), circusd stops every watcher and
      exits 1 (implies ``exact``: only the hooks know when a process gives up).
    """

    resolve_env: bool = False
    no_wrappers: bool = False
    exact: bool = False
    runtime_dir: str = "/tmp"
    environ: Mapping[str, str] | None = None
    host_node_name: str | None = None
    exit_on_fatal: bool = False

    def __post_init__(self) -> None:
        if self.exit_on_fatal and not self.exact:
            object.__setattr__(self, "exact", True)  # frozen: the documented way to derive a field
        check_runtime_dir(self.runtime_dir)

    def env(self) -> Mapping[str, str]:
        return os.environ if self.environ is None else self.environ

    def node(self) -> str:
        return node_name(self.host_node_name)


# circus's pubsub endpoint there is the longest name: AF_UNIX paths hold at most 107 bytes
_LONGEST_ENDPOINT = "/circus-pubsub.sock"


def check_runtime_dir(path: str) -> None:
    """ValueError unless circusd can bind its ipc:// endpoints in directory ``path``: absolute,
    printable, short enough for a unix socket's name."""
    if not isinstance(path, str):
        raise TypeError(f"runtime_dir must be a str, not {type(path).__name__}")
    if not path.startswith("/") or not path.isprintable():
        raise ValueError(f"runtime_dir must be an absolute directory path, not {path!r}")
    longest = path.rstrip("/") + _LONGEST_ENDPOINT
    if len(longest.encode("utf-8")) > 107:
        raise ValueError(
            f"runtime_dir {path!r} is too long: circusd's socket {longest!r} would pass the 107 "
            "bytes a unix socket's name can hold"
        )


def node_name(given: str | None) -> str:
    """``%(host_node_name)s``: ``given``, or this machine's name."""
    if given is not None:
        return given
    # here, not at the top: `import sup2circus` does not load it (2 ms); the CLI does anyway,
    # through click's import of uuid
    import platform

    return platform.node()
