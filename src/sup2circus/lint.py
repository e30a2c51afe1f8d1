"""The lint workflow, as ``sup2circus --check`` runs it, for library users too.

:func:`check` converts each path without writing anything (a Dockerfile or a shell script is
checked by :mod:`sup2circus.container`), applies the inline suppression comments
(:mod:`sup2circus.suppress`), then the settings (:mod:`sup2circus.settings`: selection,
severity overrides, the ``fail-on`` threshold), and returns one :class:`LintResult`::

    from sup2circus import check
    from sup2circus.settings import resolve

    result = check(["supervisord.conf"], resolve(config=None))
    for f in result.findings:
        print(f.file, f.line, f.code, f.message)
    raise SystemExit(result.exit_status)

:func:`convert_one` is the same workflow for one conversion (``sup2circus FILE``), and
:func:`strict_failure`/:func:`verify_failure` its ``--strict`` and ``--verify`` steps.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from . import api
from .filekind import file_kind
from .findings import ConfigError, Finding, InputError, Loc, Sup2CircusError, sorted_findings
from .options import ConvertOptions

if TYPE_CHECKING:
    from .report import Failure
    from .settings import Settings

#: Exit statuses: nothing at or above the threshold; findings at or above it (or --strict,
#: --verify); unreadable or invalid input, a bad setting, a usage error, an unwritable output.
EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
CIRCUS_EXTRA_HINT = "install the circus extra: pip install 'sup2circus[circus]'"


class RunFailed(Exception):
    """The run failed as a whole (:class:`sup2circus.report.Failure` says why and its exit
    status); the command reports it in its output format."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


@dataclass(frozen=True, slots=True)
class LintResult:
    """What :func:`check` found.

    * ``findings``: every finding reported, sorted, paths below the current directory shown
      relative to it; a file that could not be converted is one S2C900/S2C901 finding;
    * ``suppressed``: how many findings suppression comments removed;
    * ``files``: how many distinct files were checked: those given, and the files they
      [include] (as a conversion counts the files it read);
    * ``failures``: the S2C900/S2C901 findings (the files that could not be converted);
    * ``exit_status``: 2 if a file could not be converted, else 1 if a finding is at or above
      the settings' ``fail_on``, else 0 (``sup2circus --check``'s status without --exit-zero).
    """

    findings: tuple[Finding, ...]
    suppressed: int
    files: int
    failures: tuple[Finding, ...]
    exit_status: int


def check(
    paths: Sequence[str | os.PathLike[str]],
    settings: Settings | None = None,
    options: ConvertOptions | None = None,
    *,
    stdin_text: str | None = None,
) -> LintResult:
    """Lint ``paths`` (supervisor configs, Dockerfiles, shell scripts, as ``str`` or
    ``pathlib.Path``; ``-`` is standard input, or ``stdin_text`` when given) as
    ``sup2circus --check`` does. A path given twice is checked once; a file another checked
    file [include]s is reported in that file's context only. An input that cannot be read
    (standard input too) is an S2C900 finding, and the others are still checked.
    Without ``options``, the settings' own (``exact``, ``no-wrappers``, ``runtime-dir``) apply.
    Raises :class:`~sup2circus.settings.SettingsError` when the settings' ``runtime_dir`` is
    not one circusd can bind in."""
    if isinstance(paths, str | os.PathLike):  # a str is a Sequence[str] of its characters
        raise TypeError(f"check() takes a list of paths: check([{os.fspath(paths)!r}])")
    if settings is None:
        from .settings import Settings

        settings = Settings()
    options = options or settings.convert_options()
    # as convert_file does: a Path's findings name it as a str (their file is a str)
    names = [os.fspath(p) for p in paths]
    sources: list[Source] = []
    failed: list[tuple[str, Finding]] = []
    seen: set[str] = set()
    for name in names:
        key = _key(name)
        if key in seen:
            continue
        seen.add(key)
        try:
            sources.append(_convert(name, options, stdin_text))
        except Sup2CircusError as exc:
            failed.append((name, shown(error_finding(exc, "<stdin>" if name == "-" else name))))
    reported, covered = _in_context(sources)
    # A file another given file [include]s is checked in that context only: alone it may fail
    # where supervisord reads it fine (a section that completes one of the main config's).
    errors = _one_error_per_place([(n, f) for n, f in failed if _key(n) not in covered])
    findings, texts = _merged(reported)
    report, suppressed = process(findings, texts, settings)
    report = sorted_findings([*errors, *report])
    status = EXIT_OK
    if errors:
        status = EXIT_INPUT
    elif any(settings.fails(f) for f in report):
        status = EXIT_FINDINGS
    for src in sources:  # their [include]d files were checked too: the findings name them
        seen.update(_key(p) for p in src.conversion.files_read)
    return LintResult(tuple(report), suppressed, len(seen), tuple(errors), status)


def _one_error_per_place(failed: list[tuple[str, Finding]]) -> list[Finding]:
    """One S2C900/S2C901 finding per file and line. An [include]d file that cannot be read or
    parsed fails every given file that includes it, and itself when it is given too (pre-commit
    passes both): it is reported once, as the including file's conversion words it, since that
    is how supervisord reads it. ``failed``: (the name given, its error finding)."""
    chosen: dict[tuple[str, int], tuple[bool, Finding]] = {}
    for name, f in failed:
        real = _key(f.file)
        via_include = real != _key(name)
        key = (real, f.line)
        if key not in chosen or (via_include and not chosen[key][0]):
            chosen[key] = (via_include, f)
    return [f for _, f in chosen.values()]


def _in_context(sources: list[Source]) -> tuple[list[Source], set[str]]:
    """The sources to report, and the files they read (real paths, ``-`` for standard input).
    A file another source [include]s is reported in that context only, when that source is
    reported itself: first every source nothing includes, then, in the order given, each
    source none of the reported ones read. Without that second pass nothing would report an
    [include] cycle (a.conf includes b.conf, which includes a.conf), nor a file only a
    dropped source includes (supervisord does not follow the [include] of an included file)."""
    keys = [_key(src.name) for src in sources]
    reads = [
        {_key(p) for p in src.conversion.files_read} | {key}
        for src, key in zip(sources, keys, strict=True)
    ]
    included = set().union(*(read - {key} for read, key in zip(reads, keys, strict=True)))
    reported: dict[int, Source] = {}
    covered: set[str] = set()
    for roots in (True, False):
        for i, src in enumerate(sources):
            if i in reported or keys[i] in covered or (roots and keys[i] in included):
                continue
            reported[i] = src
            covered |= reads[i]
    return list(reported.values()), covered


def _merged(sources: list[Source]) -> tuple[list[Finding], dict[str, str]]:
    """The findings of ``sources`` and the texts of the files they read, each once. Two
    configs may [include] one file under two names (``conf.d/*.conf`` and ``./conf.d/*.conf``,
    or a symlinked directory): it is one file, so its findings are compared by real path, or
    each would be reported twice, and its text kept once, or its suppression comments too."""
    real: dict[str, str] = {}  # a file name -> its real path, made once per name

    def key(file: str) -> str:
        if file not in real:
            real[file] = _key(file)
        return real[file]

    findings: dict[tuple[object, ...], Finding] = {}
    texts: dict[str, tuple[str, str]] = {}  # real path -> (the name it was read by, its text)
    for src in sources:
        for path, text in src.conversion.texts.items():
            texts.setdefault(key(path), (path, text))
        for f in src.conversion.findings:
            findings.setdefault((key(f.file), f.line, f.column, f.code, f.message), f)
    return list(findings.values()), dict(texts.values())


def _key(name: str) -> str:
    """A given name or a file read, as one file: its real path; ``-`` for standard input; the
    name itself when it has no real path (a NUL byte in it, or a relative name once the current
    directory is removed: the reader reports those)."""
    if name in ("-", "<stdin>"):
        return "-"
    try:
        return os.path.realpath(name)
    except (ValueError, FileNotFoundError):
        return name


# ---------------------------------------------------------------------------- one conversion


class Converted(NamedTuple):
    """One conversion as ``sup2circus FILE`` reports it: the findings after suppressions and
    settings, how many were suppressed, and how many files it read."""

    conversion: api.Conversion
    findings: list[Finding]
    suppressed: int
    files: int


def convert_one(name: str, settings: Settings, options: ConvertOptions) -> Converted:
    """Convert ``name`` (``-``: standard input) without rendering circus.ini: the conversion
    keeps its model, and ``conversion.pieces()`` writes the text a piece at a time."""
    conv = _convert(name, options, None, keep_model=True).conversion
    report, suppressed = process(conv.findings, conv.texts, settings, presorted=True)
    return Converted(conv, report, suppressed, len(conv.files_read) or 1)


def strict_failure(findings: Sequence[Finding], settings: Settings) -> Failure | None:
    """``--strict``: why nothing is written, if a finding is at or above the threshold."""
    from .report import Failure

    failing = [f for f in findings if settings.fails(f)]
    if not failing:
        return None
    return Failure(
        f"--strict: {len(failing)} finding(s) at or above {settings.fail_on.value}; "
        "nothing written",
        EXIT_FINDINGS,
    )


def require_circus() -> None:
    """``--verify`` loads circus.ini with circus: raise :class:`RunFailed` if it is missing."""
    import importlib.util

    if importlib.util.find_spec("circus") is None:
        _no_circus()


def _no_circus() -> None:
    from .report import Failure

    raise RunFailed(Failure(f"--verify needs circus: {CIRCUS_EXTRA_HINT}", EXIT_INPUT))


def verify_failure(conv: api.Conversion) -> Failure | None:
    """``--verify``: why circus would not run what was intended, if it would not."""
    from .report import Failure

    text = conv.text or "".join(conv.pieces())
    whole = api.Conversion(
        text, conv.findings, conv.source, conv.files_read, conv.circus, conv.texts
    )
    try:
        from .verify import verify

        problems = list(verify(whole))
    except ImportError as exc:
        if (exc.name or "").split(".")[0] == "circus":
            _no_circus()
        raise
    if not problems:
        return None
    return Failure(
        f"--verify: circus would not run what was intended ({len(problems)} problems)",
        EXIT_FINDINGS,
        details=tuple(f"verify: {p}" for p in problems),
    )


# ---------------------------------------------------------------------------- input


def read_stdin() -> str:
    from .read import MAX_FILE_SIZE

    if sys.stdin is None:  # started with fd 0 closed
        raise InputError(
            "standard input is closed",
            file="<stdin>",
            hint="pipe a supervisord.conf into it, or give the file's path instead of -",
        )
    # at most one byte over the limit: an endless stream is refused, not held
    data = sys.stdin.buffer.read(MAX_FILE_SIZE + 1)
    if len(data) > MAX_FILE_SIZE:
        raise InputError(
            f"standard input too large (limit {MAX_FILE_SIZE} bytes)",
            file="<stdin>",
            hint="a supervisord.conf is a few kilobytes; check what is piped in",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"standard input is not UTF-8 text (byte {exc.start})",
            file="<stdin>",
            hint="supervisor reads its config as UTF-8",
        ) from None


class Source(NamedTuple):
    """One converted input and its conversion."""

    name: str
    conversion: api.Conversion


def _convert(
    name: str, options: ConvertOptions, stdin_text: str | None, *, keep_model: bool = False
) -> Source:
    """Convert one input without rendering circus.ini (the conversion's ``text`` is ""): a
    lint needs the findings only, and a conversion streams the text from the model
    (``keep_model``) with :func:`sup2circus.write.write_pieces`."""
    # a path with a NUL byte (no file has one; os.stat raises ValueError) goes to the config
    # reader, which says so
    if name != "-" and "\0" not in name and file_kind(name) is not None:  # a Dockerfile or script
        from .container import check_file

        return Source(name, check_file(name, options))
    if name == "-":
        text = stdin_text if stdin_text is not None else read_stdin()
        conv = api.convert_text(
            text,
            filename="<stdin>",
            options=options,
            render=False,  # base: the current dir
        )
    else:
        # Read a file below the current directory by its relative path: the findings then name
        # it as they are shown (see _Shown), without a copy of each; the same file.
        rel = _relative(name) if os.path.normpath(name) == name else None
        try:
            conv = api.convert_file(rel or name, options, render=False)
        except (OSError, UnicodeDecodeError) as exc:  # read.py should raise InputError itself
            reason = getattr(exc, "strerror", None) or str(exc)
            raise InputError(f"cannot read: {reason}", file=name) from None
    if not keep_model:
        conv = api.Conversion(
            conv.text, conv.findings, conv.source, conv.files_read, texts=conv.texts
        )
    return Source(name, conv)


def error_finding(exc: Sup2CircusError, fallback_file: str) -> Finding:
    """The S2C900 (unreadable) or S2C901 (refused by supervisord) finding of a failed input."""
    from .reporter import Reporter

    code = "S2C901" if isinstance(exc, ConfigError) else "S2C900"
    message = exc.message + (f" ({exc.hint})" if exc.hint else "")
    reporter = Reporter()
    loc = Loc(exc.file or fallback_file, exc.line or 1)
    reporter.report(code, loc, None, None, error=" ".join(message.splitlines()))
    return reporter.findings()[0]


# ---------------------------------------------------------------------------- the report


def process(
    findings: Sequence[Finding],
    texts: Mapping[str, str],
    settings: Settings,
    *,
    presorted: bool = False,
) -> tuple[list[Finding], int]:
    """Suppressions, then selection and severity overrides. Returns (report, suppressed).
    ``presorted``: ``findings`` are in report order already (one conversion's): then they are
    sorted again only when that order can change -- unused-suppression findings were added, or
    they name several files (shown relative to the current directory, which can reorder them)."""
    from .suppress import apply

    outcome = apply(findings, texts)
    report = Shown().all(settings.apply([*outcome.kept, *outcome.unused]))
    if presorted and not outcome.unused and len({f.file for f in findings}) <= 1:
        return report, len(outcome.suppressed)
    return sorted_findings(report), len(outcome.suppressed)


def shown(f: Finding) -> Finding:
    """The finding with its path relative to the current directory when it lies below it (like
    the paths given on the command line; GitHub annotations and SARIF want repository paths)."""
    return Shown()(f)


class Shown:
    """:func:`shown` for many findings: each distinct path is made relative once (a big config
    has tens of thousands of findings in a few files)."""

    def __init__(self) -> None:
        self._rel: dict[str, str | None] = {}

    def __call__(self, f: Finding) -> Finding:
        file = f.file
        try:
            rel = self._rel[file]
        except KeyError:
            rel = self._rel[file] = _relative(file)
        if rel is None:
            return f
        return Finding(f.code, f.severity, f.message, rel, f.line, f.section, f.option, f.column)

    def all(self, findings: list[Finding]) -> list[Finding]:
        """``[self(f) for f in findings]`` (the same list when no path changes)."""
        rel = self._rel
        for file in {f.file for f in findings}:
            if file not in rel:
                rel[file] = _relative(file)
        if all(r is None for r in rel.values()):
            return findings
        return [self(f) for f in findings]


def _relative(file: str) -> str | None:
    """``file`` relative to the current directory if it is absolute and lies below it."""
    if not os.path.isabs(file):
        return None
    try:
        rel = os.path.relpath(file)
    except (ValueError, FileNotFoundError):  # FileNotFoundError: the current dir was removed
        return None
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return None
    return rel
