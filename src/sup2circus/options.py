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

    def env(self) -> Mapping[str, str]:
        return os.environ if self.environ is None else self.environ

    def node(self) -> str:
        return node_name(self.host_node_name)


def node_name(given: str | None) -> str:
    """``%(host_node_name)s``: ``given``, or this machine's name."""
    if given is not None:
        return given
    # here, not at the top: `import sup2circus` does not load it (2 ms); the CLI does anyway,
    # through click's import of uuid
    import platform

    return platform.node()
