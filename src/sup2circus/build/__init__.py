"""Build the model of what supervisord 4.3 would run from the raw config.

This mirrors, step by step, ``ServerOptions.read_config``, ``process_groups_from_parser``,
``_processes_from_section`` and ``server_configs_from_parser`` of supervisor 4.3.0, including
their quirks:

* which option is expanded with which names (group-level reads only know ``here`` and
  ``ENV_*``; process options also know ``program_name``, ``group_name``, ``host_node_name``;
  ``directory``, log files and ``command`` also ``process_num``, ``numprocs`` and the program's
  own ``environment=`` names);
* the expansion dict is mutated across the process numbers of one program, so ``ENV_`` names
  defined by one process's environment stay visible to the next ones;
* log file names and ``[supervisord] environment`` are expanded twice;
* errors supervisord raises on any machine become :class:`ConfigError` with the option's
  file and line; facts of this machine (users, directories, importable modules) become
  findings or nothing.

``%(ENV_X)s`` from the converting machine's environment is deferred (kept as
:func:`model.env_marker`) in the fields circus can defer (command, directory, log file paths,
environment values) unless ``options.resolve_env``; elsewhere it is resolved with S2C007.

The steps: :mod:`.options` (option names, reading one option), :mod:`.supervisord`,
:mod:`.servers` (rpcinterface, HTTP servers, supervisorctl), :mod:`.groups` and
:mod:`.processes`; :mod:`.expand` holds the expansion, :mod:`.context` the build's state.
"""

from __future__ import annotations

from ..model import RawConfig, SupervisorConfig
from ..options import ConvertOptions
from .context import new_context
from .groups import EVENT_TYPES, groups
from .options import check_options
from .processes import MAX_NUMPROCS
from .servers import others, rpcinterfaces, servers
from .supervisord import check_daemon_dirs, report_baked, supervisord

__all__ = ["EVENT_TYPES", "MAX_NUMPROCS", "build"]


def build(raw: RawConfig, options: ConvertOptions | None = None) -> SupervisorConfig:
    """What supervisord would run for ``raw`` (see the module docstring)."""
    ctx = new_context(raw, options or ConvertOptions())
    check_options(ctx)
    supd = supervisord(ctx)
    rpcinterfaces(ctx)
    group_specs, process_specs = groups(ctx)
    check_daemon_dirs(ctx, process_specs)
    server_specs = servers(ctx)
    other_sections = others(ctx)
    report_baked(ctx)
    return SupervisorConfig(
        raw=raw,
        supervisord=supd,
        groups=tuple(group_specs),
        processes=tuple(process_specs),
        servers=tuple(server_specs),
        others=tuple(other_sections),
        findings=tuple(ctx.reporter.findings()),
        deferred_env=tuple(sorted(ctx.deferred)),
        undefined_env=tuple(ctx.undefined.values()),
    )
