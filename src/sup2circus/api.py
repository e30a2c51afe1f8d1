"""The public, pure API: supervisor config text in, circus.ini text and findings out.

Pipeline: :mod:`.read` (supervisor-exact ini reading with locations) -> :mod:`.build`
(the :mod:`.model`: what supervisord would run) -> :mod:`.translate` (the mapping table in
:mod:`.mapping`) -> :mod:`.write` (deterministic circus.ini).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from .findings import Finding, Severity, sorted_findings
from .options import ConvertOptions

if TYPE_CHECKING:
    from .circus_model import CircusConfig
    from .model import RawConfig


@dataclass(frozen=True, slots=True)
class Conversion:
    """The result of one conversion: the circus.ini text and the findings, sorted."""

    text: str
    findings: tuple[Finding, ...]
    source: str
    files_read: tuple[str, ...] = ()
    # The translated circus model (see sup2circus.translate.CircusConfig), for --verify.
    circus: object = field(default=None, compare=False, repr=False)
    # The text of each file read that may hold an inline suppression comment (path -> text).
    texts: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

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

    if not isinstance(text, str):  # bytes failed deep in the reader, naming str as the wrong type
        raise TypeError(
            f"convert_text() takes the config as str, not {type(text).__name__}: decode it as "
            "UTF-8 first, or give its path to convert_file()"
        )
    opts = options or ConvertOptions()
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
    return _convert_raw(
        read_file(os.fspath(path), environ=opts.env(), host_node_name=opts.host_node_name),
        opts,
        os.fspath(path),
        render,
    )


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
