"""The ``sup2circus`` command: a thin layer over :mod:`sup2circus.api`.

Two modes:

* conversion (default): ``sup2circus FILE`` writes circus.ini on stdout (or atomically to
  ``-o PATH``) and the findings on stderr (``--output-format``);
* lint: ``sup2circus --check FILE...`` converts without writing and reports every file's
  findings on stdout, in one report.

The text report lists errors and warnings and counts the infos (``--show-info`` lists them);
json, github and sarif list every finding, and report a failed run in the same document
(:class:`sup2circus.report.Failure`) instead of an error line, so a CI job parses one format.

Exit status:

* 0  -- converted / checked (findings below the ``--fail-on`` threshold, or none);
* 1  -- ``--check``: findings at or above the threshold (never with ``--exit-zero``);
  ``--strict``: the same, and then nothing is written; ``--verify``: circus would not run what
  was intended;
* 2  -- unreadable input, a config supervisord would refuse, a bad setting, a usage error, or an
  output file that cannot be written (``--check`` still checks the other files first);
* 70 -- internal error (a bug in sup2circus: please report it); 130 -- interrupted.

Never a traceback unless ``SUP2CIRCUS_DEBUG=1`` is set.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

import click

from ._version import __version__
from .findings import (
    ConfigError,
    Finding,
    Severity,
    Sup2CircusError,
    sorted_findings,
)

if TYPE_CHECKING:
    from .api import Conversion
    from .options import ConvertOptions
    from .report import Failure
    from .settings import Settings

PROG = "sup2circus"
EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 70, 130
UNREADABLE_CODE, INVALID_CODE = "S2C900", "S2C901"
CIRCUS_EXTRA_HINT = "install the circus extra: pip install 'sup2circus[circus]'"

EPILOG = """\b
Examples:
  sup2circus supervisord.conf > circus.ini
  sup2circus -o circus.ini --strict /etc/supervisor/supervisord.conf
  sup2circus - < supervisord.conf          (includes resolve against the current directory)
  sup2circus --check --output-format github supervisord.conf conf.d/*.conf
  sup2circus --explain S2C101
  sup2circus --explain                     (every code with its title)

\b
Inline suppression (in the supervisord.conf):
  command = bin/web  ; sup2circus: ignore=S2C117
  ; sup2circus: ignore-file=S2C106

\b
Exit status:
  0   converted, or checked with nothing at/above --fail-on
  1   --check/--strict: findings at/above --fail-on; --verify: mismatch
  2   unreadable or invalid input (supervisord would refuse it), bad
      setting, usage error, output not writable
  70  internal error (a bug: please report it)
  130 interrupted
"""


class _UsageProblem(Exception):
    pass


class _Failed(Exception):
    """The run failed as a whole; reported in the output format by :func:`_report_failure`."""

    def __init__(self, failure: Failure) -> None:
        self.failure = failure


def _write(text: str | Iterable[str], err: bool = False) -> None:
    """Write ``text`` (or its pieces, one after the other) to stdout or stderr."""
    # sys.std*.buffer, not click.get_binary_stream: click's stubs changed across 8.x releases
    stream = (sys.stderr if err else sys.stdout).buffer
    wrote = False
    for piece in (text,) if isinstance(text, str) else text:
        for chunk in _encoded(piece, "backslashreplace"):
            stream.write(chunk)
            wrote = True
    if wrote:
        stream.flush()


#: Text is encoded this many characters at a time: a 10 MB circus.ini or report is never held
#: twice (as str and as bytes). UTF-8 encodes code point by code point, so the chunks' bytes are
#: the whole text's bytes.
_CHUNK = 1 << 18


def _encoded(text: str, errors: str = "strict") -> Iterator[bytes]:
    for start in range(0, len(text), _CHUNK):
        yield text[start : start + _CHUNK].encode("utf-8", errors)


def _error(message: str) -> None:
    _write(f"{PROG}: error: {' '.join(message.splitlines())}\n", err=True)


# ---------------------------------------------------------------------------- the command


@click.command(
    name=PROG,
    epilog=EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.argument("files", nargs=-1, metavar="FILE...")
@click.option(
    "-o",
    "--output",
    metavar="PATH",
    help="Write circus.ini to PATH atomically (the old file stays untouched on any failure).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Lint mode: convert every FILE without writing anything; report findings on stdout.",
)
@click.option(
    "--output-format",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default=None,
    help="Format of the findings (default: text).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"], case_sensitive=False),
    default=None,
    help="Severity threshold for --check and --strict (default: warning).",
)
@click.option("--exit-zero", is_flag=True, help="--check: report, but exit 0 despite findings.")
@click.option(
    "--strict",
    is_flag=True,
    help="Conversion: fail (exit 1, write nothing) on findings at or above --fail-on.",
)
@click.option(
    "--select", multiple=True, metavar="CODES", help="Report only these codes (prefixes, commas)."
)
@click.option(
    "--ignore", multiple=True, metavar="CODES", help="Never report these codes (prefixes, commas)."
)
@click.option(
    "--severity",
    "severities",
    multiple=True,
    metavar="CODE=LEVEL",
    help="Override a code's severity (repeatable), e.g. S2C101=error.",
)
@click.option(
    "--config",
    metavar="PATH",
    help="Read [tool.sup2circus] from this TOML file (default: nearest pyproject.toml).",
)
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--statistics", is_flag=True, help="Count findings per code instead of listing them.")
@click.option(
    "--show-info",
    is_flag=True,
    help="Text format: list info findings too (by default the summary line only counts them).",
)
@click.option(
    "--explain",
    metavar="[CODE]",
    is_flag=False,
    flag_value="",
    help="Explain a finding code and exit; without CODE, list every code with its title.",
)
@click.option(
    "--resolve-env",
    is_flag=True,
    help="Bake this machine's values of %(ENV_X)s into circus.ini instead of deferring them to "
    "circusd's environment. WARNING: this writes secrets into the file (and into image layers).",
)
@click.option(
    "--no-wrappers",
    is_flag=True,
    help="Never wrap commands in sh -c/env; approximate instead (with a finding).",
)
@click.option(
    "--exact",
    is_flag=True,
    help="Reproduce supervisor's autorestart/startsecs/stopasgroup semantics with circus hooks.",
)
@click.option(
    "--exit-on-fatal",
    is_flag=True,
    help="When a process gives up (FATAL), stop every watcher and exit circusd with status 1 "
    "(for container restart policies). Implies --exact.",
)
@click.option(
    "--runtime-dir",
    metavar="DIR",
    default=None,
    help="Directory of circus's ipc:// endpoints when the config names no socket (default /tmp).",
)
@click.option(
    "--verify",
    is_flag=True,
    help="Load the result with circus's own loader; exit 1 if circus would run anything else.",
)
@click.version_option(
    __version__, "-V", "--version", prog_name=PROG, message="%(prog)s %(version)s"
)
@click.pass_context
def cli(ctx: click.Context, /, **kw: object) -> None:
    """Convert a Supervisor configuration (supervisord.conf and its [include]d files) into a
    Circus configuration (circus.ini) that runs the same processes the same way.

    Whatever circus cannot express exactly becomes a finding (a stable code, a severity,
    file:line) instead of a silent change of behaviour; `--explain CODE` documents each one.
    With --check, sup2circus is a linter for supervisord.conf files in CI and pre-commit.
    """
    ctx.exit(_guarded(Args.from_kwargs(kw)))


@dataclass(frozen=True, slots=True)
class Args:
    files: tuple[str, ...] = ()
    output: str | None = None
    check: bool = False
    output_format: str | None = None
    fail_on: str | None = None
    exit_zero: bool = False
    strict: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    config: str | None = None
    isolated: bool = False
    statistics: bool = False
    show_info: bool = False
    explain: str | None = None
    resolve_env: bool = False
    no_wrappers: bool = False
    exact: bool = False
    runtime_dir: str | None = None
    verify: bool = False
    exit_on_fatal: bool = False

    @classmethod
    def from_kwargs(cls, kw: dict[str, object]) -> Args:
        return cls(**kw)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console-script entry point."""
    if argv is None:
        # The tool's one speed trick, for the console script's own short-lived process only:
        # no cyclic garbage collection. A conversion makes a million small objects and no
        # reference cycles (tests/test_api_memory.py), so the collector's passes only cost
        # time: on bench/gen.py's 10,000 programs, --check takes 1.57 s of CPU without them
        # and 1.93 s with them (+23%; converting: 1.67 s and 1.97 s). The heap is frozen at
        # the exit, so the interpreter's final collection has nothing to walk.
        gc.disable()
    try:
        rv = cli.main(args=argv, prog_name=PROG, standalone_mode=False)
    except click.exceptions.Exit as exc:  # pragma: no cover - depends on click version
        rv = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        rv = exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        _write("\nInterrupted.\n", err=True)
        rv = EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_broken_pipe()
        rv = EXIT_INPUT
    except Exception as exc:  # pragma: no cover - _guarded catches these first
        rv = _internal_error(exc)
    if argv is None:
        gc.freeze()
    sys.exit(rv if isinstance(rv, int) else 0)


def _quiet_broken_pipe() -> None:
    # Python would complain again when flushing stdout at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _internal_error(exc: BaseException) -> int:
    if os.environ.get("SUP2CIRCUS_DEBUG"):
        import traceback

        _write("".join(traceback.format_exception(exc)), err=True)
    where = ""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        where = f" at {os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}"
    # The exception's text is not shown: it could hold a value from the config (a secret).
    _write(
        f"{PROG}: internal error: {type(exc).__name__}{where}. This is a bug in sup2circus "
        f"{__version__}; please report it to its maintainers with a config that triggers it "
        "(set SUP2CIRCUS_DEBUG=1 to see the traceback).\n",
        err=True,
    )
    return EXIT_INTERNAL


def _report_failure(args: Args, failure: Failure, findings: Sequence[Finding] = ()) -> int:
    """Say why the run failed: one error line in the text format (after its details); in the
    others, one document with the ``findings`` and the failure, where the report goes."""
    fmt = _fmt(args)
    if fmt == "text":
        for detail in failure.details:
            _write(f"{PROG}: {' '.join(detail.splitlines())}\n", err=True)
        _error(failure.located())
    else:
        from .report import render_pieces

        pieces = render_pieces(
            fmt, findings, stats=args.statistics, version=__version__, failure=failure
        )
        _write(pieces, err=not args.check)
    return failure.exit_code


def _guarded(args: Args) -> int:
    from .report import Failure
    from .settings import SettingsError

    try:
        return _run(args)
    except _UsageProblem as exc:
        ctx = click.get_current_context(silent=True)
        if ctx is not None:
            _write(f"{ctx.get_usage()}\nTry '{PROG} --help' for help.\n", err=True)
        _error(str(exc))
        return EXIT_INPUT
    except _Failed as exc:
        return _report_failure(args, exc.failure)
    except SettingsError as exc:
        return _report_failure(args, Failure(str(exc), EXIT_INPUT))
    except Sup2CircusError as exc:
        message = exc.message + (f" ({exc.hint})" if exc.hint else "")
        return _report_failure(args, Failure(message, EXIT_INPUT, exc.file, exc.line))
    except KeyboardInterrupt:
        _write("\nInterrupted.\n", err=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_broken_pipe()
        return EXIT_INPUT
    except Exception as exc:
        return _internal_error(exc)


# ---------------------------------------------------------------------------- the run


def _run(args: Args) -> int:
    if args.explain is not None:
        return _explain(args.explain)
    _validate(args)
    from .settings import resolve

    settings = resolve(
        config=args.config,
        isolated=args.isolated,
        select=args.select,
        ignore=args.ignore,
        severity=args.severities,
        fail_on=args.fail_on,
    )
    options = _options(args, settings)
    return _check(args, settings, options) if args.check else _convert(args, settings, options)


def _validate(args: Args) -> None:
    if args.check:
        if not args.files:
            raise _UsageProblem("--check needs at least one FILE")
        for flag, on in (("-o/--output", args.output), ("--strict", args.strict)):
            if on:
                raise _UsageProblem(f"{flag} cannot be used with --check")
        if args.verify:
            raise _UsageProblem("--verify cannot be used with --check")
        if args.files.count("-") > 1:
            raise _UsageProblem("'-' (standard input) can be given only once")
    else:
        if not args.files:
            raise _UsageProblem("missing FILE (a supervisord.conf, or - for standard input)")
        if len(args.files) > 1:
            raise _UsageProblem(
                f"got {len(args.files)} files; conversion takes one FILE "
                "(use --check to lint several)"
            )
        if args.exit_zero:
            raise _UsageProblem("--exit-zero only applies to --check")
        from .container import file_kind

        if args.files[0] != "-" and file_kind(args.files[0]) is not None:
            raise _UsageProblem(f"{args.files[0]}: use --check for Dockerfiles and shell scripts")
    if args.statistics and args.output_format in ("github", "sarif"):
        raise _UsageProblem("--statistics works with --output-format text or json only")


def _options(args: Args, settings: Settings) -> ConvertOptions:
    from .options import ConvertOptions

    return ConvertOptions(
        resolve_env=args.resolve_env,
        no_wrappers=args.no_wrappers or bool(settings.no_wrappers),
        exact=args.exact or bool(settings.exact),
        runtime_dir=args.runtime_dir or settings.runtime_dir or "/tmp",
        exit_on_fatal=args.exit_on_fatal,
    )


# ---------------------------------------------------------------------------- input


def _read_stdin() -> str:
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        from .findings import InputError

        raise InputError(
            f"standard input is not UTF-8 text (byte {exc.start})",
            file="<stdin>",
            hint="supervisor reads its config as UTF-8",
        ) from None


@dataclass(slots=True)
class _Source:
    """One converted input: its conversion, and the text of every file it read."""

    name: str
    conversion: Conversion
    texts: dict[str, str]


def _convert_one(
    name: str, options: ConvertOptions, stdin_text: str | None, *, keep_model: bool = False
) -> _Source:
    """Convert one input without rendering circus.ini (the conversion's ``text`` is ""): a
    lint needs the findings only, and a conversion streams the text from the model
    (``keep_model``) with :func:`sup2circus.write.write_pieces`."""
    from . import api
    from .findings import InputError

    texts: dict[str, str] = {}
    if name != "-":
        from .container import check_file, file_kind

        if file_kind(name) is not None:  # a Dockerfile or a shell script: the lines around
            return _Source(name, check_file(name, options), texts)
    if name == "-":
        text = stdin_text if stdin_text is not None else _read_stdin()
        conv = api.convert_text(
            text, filename="<stdin>", base_dir=os.getcwd(), options=options, render=False
        )
        texts["<stdin>"] = text
    else:
        # Read a file below the current directory by its relative path: the findings then name
        # it as they are shown (see _Shown), without a copy of each; the same file.
        rel = _relative(name) if os.path.normpath(name) == name else None
        try:
            conv = api.convert_file(rel or name, options, render=False)
        except (OSError, UnicodeDecodeError) as exc:  # read.py should raise InputError itself
            reason = getattr(exc, "strerror", None) or str(exc)
            raise InputError(f"cannot read: {reason}", file=name) from None
    given = getattr(conv, "texts", None)
    if isinstance(given, dict):
        texts.update(given)
    for path in (*conv.files_read, conv.source):
        if path in texts or path.startswith("<"):
            continue
        try:
            with open(path, "rb") as fh:
                texts[path] = fh.read().decode("utf-8", "replace")
        except OSError:
            pass
    if not keep_model:
        conv = api.Conversion(
            conv.text, conv.findings, conv.source, conv.files_read, texts=conv.texts
        )
    return _Source(name, conv, texts)


def _error_finding(exc: Sup2CircusError, fallback_file: str) -> Finding:
    code = INVALID_CODE if isinstance(exc, ConfigError) else UNREADABLE_CODE
    message = exc.message + (f" ({exc.hint})" if exc.hint else "")
    return Finding(
        code=code,
        severity=Severity.ERROR,
        message=" ".join(message.splitlines()),
        file=exc.file or fallback_file,
        line=exc.line or 1,
    )


def _process(
    findings: Sequence[Finding],
    texts: dict[str, str],
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
    shown = _Shown().all(settings.apply([*outcome.kept, *outcome.unused]))
    if presorted and not outcome.unused and len({f.file for f in findings}) <= 1:
        return shown, len(outcome.suppressed)
    return sorted_findings(shown), len(outcome.suppressed)


def _shown(f: Finding) -> Finding:
    """The finding with its path relative to the current directory when it lies below it (like
    the paths given on the command line; GitHub annotations and SARIF want repository paths)."""
    return _Shown()(f)


class _Shown:
    """:func:`_shown` for many findings: each distinct path is made relative once (a big config
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
    except ValueError:
        return None
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return None
    return rel


def _fmt(args: Args) -> str:
    return args.output_format or "text"


def _render(
    args: Args,
    findings: Sequence[Finding],
    settings: Settings,
    *,
    files: int,
    suppressed: int,
    err: bool = True,
    always_summary: bool = False,
) -> Iterator[str]:
    from .report import Summary, render_pieces, use_color

    fmt = _fmt(args)
    summary = None
    if fmt == "text" and (always_summary or findings):
        summary = Summary(files, suppressed, settings.fail_on, args.exit_zero, args.show_info)
    color = fmt == "text" and use_color(sys.stderr if err else sys.stdout)
    return render_pieces(
        fmt, findings, summary=summary, color=color, stats=args.statistics, version=__version__
    )


# ---------------------------------------------------------------------------- modes


def _convert(args: Args, settings: Settings, options: ConvertOptions) -> int:
    if args.verify:
        import importlib.util

        if importlib.util.find_spec("circus") is None:
            _verify_unavailable()
    src = _convert_one(args.files[0], options, None, keep_model=True)
    report, suppressed = _process(src.conversion.findings, src.texts, settings, presorted=True)
    src.texts = {}  # read for suppression comments only
    files = len(src.conversion.files_read) or 1
    # The text report comes first; the other formats' one document, last (it holds the failure)
    text_format = _fmt(args) == "text"
    if report and text_format:
        _write(_render(args, report, settings, files=files, suppressed=suppressed), err=True)
    failure = _deliver(args, settings, src.conversion, report)
    if failure is not None:
        return _report_failure(args, failure, report)
    if not text_format:
        _write(_render(args, report, settings, files=files, suppressed=suppressed), err=True)
    return EXIT_OK


def _deliver(
    args: Args, settings: Settings, conv: Conversion, report: Sequence[Finding]
) -> Failure | None:
    """--strict, --verify, then circus.ini to stdout or ``-o``; why not, if it was not."""
    from .report import Failure

    if args.strict:
        failing = [f for f in report if settings.fails(f)]
        if failing:
            return Failure(
                f"--strict: {len(failing)} finding(s) at or above {settings.fail_on.value}; "
                "nothing written",
                EXIT_FINDINGS,
            )
    if args.verify:
        from .api import Conversion

        text = conv.text or "".join(conv.pieces())
        problems = _verify(
            Conversion(text, conv.findings, conv.source, conv.files_read, conv.circus, conv.texts)
        )
        if problems:
            return Failure(
                f"--verify: circus would not run what was intended ({len(problems)} problems)",
                EXIT_FINDINGS,
                details=tuple(f"verify: {p}" for p in problems),
            )
        if _fmt(args) == "text":  # the other formats' stream holds their one document
            from .verify import verified

            _write(f"{PROG}: verify: {verified(conv)}\n", err=True)
    if args.output and args.output != "-":
        target = os.path.realpath(args.output)
        if any(os.path.realpath(p) == target for p in conv.files_read):
            return Failure(
                f"refusing to overwrite the input file {args.output} with circus.ini", EXIT_INPUT
            )
        try:
            write_atomic(args.output, conv.pieces())
        except OSError as exc:
            return Failure(f"cannot write {args.output}: {exc.strerror or exc}", EXIT_INPUT)
    else:
        _write(conv.pieces())
    return None


def _verify_unavailable() -> NoReturn:
    from .report import Failure

    raise _Failed(Failure(f"--verify needs circus: {CIRCUS_EXTRA_HINT}", EXIT_INPUT))


def _verify(conversion: Conversion) -> list[str]:
    try:
        from .verify import verify

        return list(verify(conversion))
    except ImportError as exc:
        if (exc.name or "").split(".")[0] == "circus":
            _verify_unavailable()
        raise


def _check(args: Args, settings: Settings, options: ConvertOptions) -> int:
    stdin_text = _read_stdin() if "-" in args.files else None
    sources: list[_Source] = []
    errors: list[Finding] = []
    seen: set[str] = set()
    for name in args.files:
        key = name if name == "-" else os.path.realpath(name)
        if key in seen:
            continue
        seen.add(key)
        try:
            sources.append(_convert_one(name, options, stdin_text))
        except Sup2CircusError as exc:
            errors.append(_error_finding(exc, "<stdin>" if name == "-" else name))
    # A file another checked file [include]s is reported in that context only.
    included: set[str] = set()
    for src in sources:
        own = os.path.realpath(src.conversion.source) if src.name != "-" else None
        included.update(
            os.path.realpath(p) for p in src.conversion.files_read if os.path.realpath(p) != own
        )
    kept = [s for s in sources if s.name == "-" or os.path.realpath(s.name) not in included]
    findings: dict[tuple[object, ...], Finding] = {}
    texts: dict[str, str] = {}
    for src in kept:
        texts.update(src.texts)
        for f in src.conversion.findings:
            findings.setdefault((f.file, f.line, f.column, f.code, f.message), f)
    report, suppressed = _process(list(findings.values()), texts, settings)
    report = sorted_findings([*map(_shown, errors), *report])
    n_files = len(seen)
    _write(
        _render(
            args,
            report,
            settings,
            files=n_files,
            suppressed=suppressed,
            err=False,
            always_summary=True,
        )
    )
    if errors:
        return EXIT_INPUT
    if not args.exit_zero and any(settings.fails(f) for f in report):
        return EXIT_FINDINGS
    return EXIT_OK


# ---------------------------------------------------------------------------- --explain


def explain_text(code: str) -> str:
    """The ``--explain`` page of a rule (a code like S2C101, or its name)."""
    from .rules import RULES

    wanted = code.strip()
    rule = RULES.get(wanted.upper()) or next(
        (r for r in RULES.values() if r.name == wanted.lower()), None
    )
    if rule is None:
        import difflib

        close = difflib.get_close_matches(
            wanted.upper(), list(RULES), n=3, cutoff=0.6
        ) or difflib.get_close_matches(
            wanted.lower(), [r.name for r in RULES.values()], n=3, cutoff=0.6
        )
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise _UsageProblem(f"--explain: unknown code {code!r}{hint}")
    import textwrap

    def para(title: str, text: str) -> str:
        body = textwrap.fill(text, width=88, initial_indent="  ", subsequent_indent="  ")
        return f"{title}\n{body}"

    parts = [
        f"{rule.code} {rule.name}: {rule.title}",
        f"Default severity: {rule.severity.value}",
        "",
        para("What supervisor does:", rule.supervisor),
        para("What circus does (and why it differs):", rule.circus),
        para("How to fix it:", rule.fix),
        "How to suppress it:\n"
        f"  on the option's line:   command = ...  ; sup2circus: ignore={rule.code}\n"
        f"  for a whole file:       ; sup2circus: ignore-file={rule.code}\n"
        f'  everywhere:             --ignore {rule.code}  (or ignore = ["{rule.code}"] in '
        "[tool.sup2circus])",
    ]
    if rule.example:
        example = "\n".join("  " + line for line in rule.example.splitlines())
        parts.append(f"Example:\n{example}")
    return "\n".join(parts) + "\n"


def rules_list() -> str:
    """``--explain`` without a code: every code, its default severity and its one-line title."""
    from .rules import RULES

    return "".join(f"{r.code}  {r.severity.value:<7}  {r.title}\n" for r in RULES.values())


def _explain(code: str) -> int:
    _write(explain_text(code) if code.strip() else rules_list())
    return EXIT_OK


# ---------------------------------------------------------------------------- -o PATH


_TEMP_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def _temp_file(directory: str, prefix: str) -> tuple[int, str]:
    """A new file ``directory/prefix<random>.tmp``, created exclusively with mode 0600 (like
    ``tempfile.mkstemp``, without importing tempfile and its imports: random, shutil...)."""
    for _ in range(100):
        name = os.path.join(directory, f"{prefix}{os.urandom(6).hex()}.tmp")
        try:
            fd = os.open(name, _TEMP_FLAGS, 0o600)
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        return fd, name
    raise FileExistsError(17, "No usable temporary file name found", directory)  # pragma: no cover


#: What ``-o`` names when it is not a regular file, by ``stat.S_IFMT``.
_FILE_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
}


class NotARegularFileError(OSError):
    """``-o`` names something circus.ini must not replace (a device, a FIFO, a directory...)."""


def output_target(path: str) -> str:
    """The file ``-o path`` replaces: ``path``, or the file a symlink at ``path`` leads to (the
    link stays a link). Raises :class:`NotARegularFileError` when that exists and is not a
    regular file: replacing ``/dev/null`` or a FIFO with a file would break what uses it."""
    target = os.path.realpath(path)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    if not stat.S_ISREG(mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise NotARegularFileError(
            errno.EINVAL, f"it is {kind}; -o replaces regular files only (left untouched)", path
        )
    return target


def write_atomic(path: str, text: str | Iterable[str]) -> None:
    """Write ``text`` (or its pieces, in order) to ``path`` atomically: a temp file in the same
    directory, fsync, ``os.replace``. A symlink is written through: the file it leads to is
    replaced, in that file's directory. On any failure (KeyboardInterrupt included) the old file
    is untouched and the temp file is removed. A new file gets mode 0666 & ~umask; a replaced one
    keeps its mode. Anything but a regular file is refused (see :func:`output_target`)."""
    target = output_target(path)
    directory = os.path.dirname(target)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = _temp_file(directory, f".{os.path.basename(target)}.")
    try:
        try:
            os.fchmod(fd, mode)
            for piece in (text,) if isinstance(text, str) else text:
                for data in _encoded(piece):
                    view = memoryview(data)
                    while view:
                        n = os.write(fd, view)
                        view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)
