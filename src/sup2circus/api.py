"""The public, pure API: supervisor config text in, circus.ini text and findings out.

Pipeline: :mod:`.read` (supervisor-exact ini reading with locations) -> :mod:`.build`
(the :mod:`.model`: what supervisord would run) -> :mod:`.translate` (the mapping table in
:mod:`.mapping`) -> :mod:`.write` (deterministic circus.ini).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, cast

from .findings import FACTORY, Finding, Record, Severity, _set, sorted_findings

if TYPE_CHECKING:
    from dataclasses import dataclass as record

    from .circus_model import CircusConfig
    from .model import RawConfig
else:
    from .findings import record


@record(frozen=True)
class ConvertOptions(Record):
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

    resolve_env: bool
    no_wrappers: bool
    exact: bool
    runtime_dir: str
    environ: Mapping[str, str] | None
    host_node_name: str | None
    exit_on_fatal: bool

    def __init__(
        self,
        resolve_env: bool = False,
        no_wrappers: bool = False,
        exact: bool = False,
        runtime_dir: str = "/tmp",
        environ: Mapping[str, str] | None = None,
        host_node_name: str | None = None,
        exit_on_fatal: bool = False,
    ) -> None:
        _set(self, "resolve_env", resolve_env)
        _set(self, "no_wrappers", no_wrappers)
        _set(self, "exact", exact or exit_on_fatal)
        _set(self, "runtime_dir", runtime_dir)
        _set(self, "environ", environ)
        _set(self, "host_node_name", host_node_name)
        _set(self, "exit_on_fatal", exit_on_fatal)

    def env(self) -> Mapping[str, str]:
        return os.environ if self.environ is None else self.environ


@record(frozen=True)
class Conversion(Record):
    """The result of one conversion: the circus.ini text and the findings, sorted."""

    _rec_no_compare: ClassVar[tuple[str, ...]] = ("circus", "texts")
    _rec_no_repr: ClassVar[tuple[str, ...]] = ("circus", "texts")
    _rec_factories: ClassVar[dict[str, Callable[[], Any]]] = {"texts": dict}
    text: str
    findings: tuple[Finding, ...]
    source: str
    files_read: tuple[str, ...]
    # The translated circus model (see sup2circus.translate.CircusConfig), for --verify.
    circus: object  # not compared, not in repr
    # The text of every file read (path -> text), for inline suppression comments.
    texts: Mapping[str, str]  # not compared, not in repr

    def __init__(
        self,
        text: str,
        findings: tuple[Finding, ...],
        source: str,
        files_read: tuple[str, ...] = (),
        circus: object = None,
        texts: Mapping[str, str] = FACTORY,
    ) -> None:
        _set(self, "text", text)
        _set(self, "findings", findings)
        _set(self, "source", source)
        _set(self, "files_read", files_read)
        _set(self, "circus", circus)
        _set(self, "texts", self._rec_factories["texts"]() if texts is FACTORY else texts)

    def worst(self) -> Severity | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)

    def pieces(self) -> Iterator[str]:
        """The circus.ini text in pieces that add up to it: ``text``, or for a conversion made
        with ``render=False``, written from the model about 250 KB at a time (a big circus.ini
        is never held whole)."""
        if self.text or self.circus is None:
            if self.text:
                yield self.text
            return
        from .write import write_pieces

        yield from write_pieces(cast("CircusConfig", self.circus))


def convert_text(
    text: str,
    *,
    filename: str = "<stdin>",
    base_dir: str | None = None,
    options: ConvertOptions | None = None,
    render: bool = True,
) -> Conversion:
    """Convert supervisor config ``text``.

    ``filename`` is used in findings; ``base_dir`` is supervisor's ``%(here)s`` and the base
    of ``[include]`` globs (default: the current directory). ``render=False`` skips writing the
    circus.ini text (``text`` is then ``""``; ``circus`` holds the model, see
    :func:`sup2circus.write.write_pieces`): for linting. Raises
    :class:`~sup2circus.findings.Sup2CircusError` for input supervisord would refuse.
    """
    from .read import read_text

    opts = options or ConvertOptions()
    with collector_paused():
        return _convert_raw(
            read_text(
                text,
                filename=filename,
                base_dir=base_dir,
                environ=opts.env(),
                host_node_name=opts.host_node_name,
            ),
            opts,
            filename,
            render,
        )


def convert_file(
    path: str | os.PathLike[str], options: ConvertOptions | None = None, *, render: bool = True
) -> Conversion:
    """Convert the supervisor config at ``path`` (with its ``[include]``d files); ``render`` as
    in :func:`convert_text`."""
    from .read import read_file

    opts = options or ConvertOptions()
    with collector_paused():
        return _convert_raw(
            read_file(os.fspath(path), environ=opts.env(), host_node_name=opts.host_node_name),
            opts,
            os.fspath(path),
            render,
        )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one conversion.

    The pipeline makes hundreds of thousands of small objects and no reference cycles
    (tests/test_api_memory.py checks this), so the collector's passes only cost time: with 10,000
    programs they were a third of the conversion. Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _convert_raw(
    raw: RawConfig, opts: ConvertOptions, source: str, render: bool = True
) -> Conversion:
    """The rest of the pipeline, once read: build -> translate -> write."""
    from .build import build
    from .translate import translate
    from .write import write

    files_read, texts = raw.files_read, raw.texts
    model = build(raw, opts)
    del raw  # the caller keeps no reference: what only the reader needed is freed now
    circus, findings = translate(model, opts)
    del model
    return Conversion(
        text=write(circus) if render else "",
        findings=tuple(sorted_findings(findings)),
        source=source,
        files_read=files_read,
        circus=circus,
        texts=texts,
    )


def convert(text: str) -> str:
    """Convert supervisor config text to circus.ini text (findings are dropped; use
    :func:`convert_text` to get them)."""
    return convert_text(text).text
