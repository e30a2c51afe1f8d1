"""The public, pure API: supervisor config text in, circus.ini text and findings out.

Pipeline: :mod:`.read` (supervisor-exact ini reading with locations) -> :mod:`.build`
(the :mod:`.model`: what supervisord would run) -> :mod:`.translate` (the mapping table in
:mod:`.mapping`) -> :mod:`.write` (deterministic circus.ini).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .findings import Finding, Severity

if TYPE_CHECKING:
    from .model import RawConfig


@dataclass(frozen=True)
class ConvertOptions:
    """Knobs of one conversion.

    * ``resolve_env``: bake the converting machine's values of ``%(ENV_X)s`` in instead of
      deferring them to circusd's environment (``$(circus.env.X)``).
    * ``no_wrappers``: never wrap commands in ``sh -c``/``env``; approximate and report.
    * ``exact``: reproduce supervisor's restart/stop semantics with sup2circus's circus hooks.
    * ``runtime_dir``: where ipc:// endpoints go when the config names no unix socket.
    * ``environ``: the environment ``%(ENV_X)s`` reads (default: ``os.environ``).
    * ``host_node_name``: the value of ``%(host_node_name)s`` (default: ``platform.node()``).
    """

    resolve_env: bool = False
    no_wrappers: bool = False
    exact: bool = False
    runtime_dir: str = "/tmp"
    environ: Mapping[str, str] | None = None
    host_node_name: str | None = None

    def env(self) -> Mapping[str, str]:
        return os.environ if self.environ is None else self.environ


@dataclass(frozen=True)
class Conversion:
    """The result of one conversion: the circus.ini text and the findings, sorted."""

    text: str
    findings: tuple[Finding, ...]
    source: str
    files_read: tuple[str, ...] = ()
    # The translated circus model (see sup2circus.translate.CircusConfig), for --verify.
    circus: object = field(default=None, compare=False, repr=False)
    # The text of every file read (path -> text), for inline suppression comments.
    texts: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def worst(self) -> Severity | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)


def convert_text(
    text: str,
    *,
    filename: str = "<stdin>",
    base_dir: str | None = None,
    options: ConvertOptions | None = None,
) -> Conversion:
    """Convert supervisor config ``text``.

    ``filename`` is used in findings; ``base_dir`` is supervisor's ``%(here)s`` and the base
    of ``[include]`` globs (default: the current directory). Raises
    :class:`~sup2circus.findings.Sup2CircusError` for input supervisord would refuse.
    """
    from .read import read_text

    opts = options or ConvertOptions()
    raw = read_text(
        text,
        filename=filename,
        base_dir=base_dir,
        environ=opts.env(),
        host_node_name=opts.host_node_name,
    )
    return _convert_raw(raw, opts, filename)


def convert_file(path: str | os.PathLike[str], options: ConvertOptions | None = None) -> Conversion:
    """Convert the supervisor config at ``path`` (with its ``[include]``d files)."""
    from .read import read_file

    opts = options or ConvertOptions()
    raw = read_file(os.fspath(path), environ=opts.env(), host_node_name=opts.host_node_name)
    return _convert_raw(raw, opts, os.fspath(path))


def _convert_raw(raw: RawConfig, opts: ConvertOptions, source: str) -> Conversion:
    """The rest of the pipeline, once read: build -> translate -> write."""
    from .build import build
    from .translate import translate
    from .write import write

    model = build(raw, opts)
    circus, findings = translate(model, opts)
    return Conversion(
        text=write(circus),
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        source=source,
        files_read=raw.files_read,
        circus=circus,
        texts=raw.texts,
    )


def convert(text: str) -> str:
    """Convert supervisor config text to circus.ini text (findings are dropped; use
    :func:`convert_text` to get them)."""
    return convert_text(text).text
