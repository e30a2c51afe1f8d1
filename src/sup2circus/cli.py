"""The ``sup2circus`` command: arguments in, output printed. The work is the library's:
:mod:`sup2circus.lint` (``--check``, and the conversion's --strict/--verify), :mod:`.explain`,
:mod:`.output` (``-o``), :mod:`.report` (the formats; a failed run is reported in the json,
github and sarif documents too, see :class:`sup2circus.report.Failure`).

Every exception becomes an exit status in :func:`_exit_status`, and only there (the codes are
in EPILOG); never a traceback unless ``SUP2CIRCUS_DEBUG=1`` is set.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

import click

from ._version import __version__
from .findings import Finding, LocatedError
from .lint import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, RunFailed
from .output import StdoutError, Terminated, unwind_on_stop_signals, write_std

if TYPE_CHECKING:
    from .options import ConvertOptions
    from .report import Failure
    from .settings import Settings

PROG = "sup2circus"
EXIT_INTERNAL, EXIT_INTERRUPTED = 70, 130

EPILOG = """\b
Examples:
  sup2circus supervisord.conf > circus.ini
  sup2circus -o circus.ini --strict /etc/supervisor/supervisord.conf
  sup2circus - < supervisord.conf          (includes resolve against the current directory)
  sup2circus --check --output-format github supervisord.conf conf.d/*.conf
  sup2circus --explain S2C101
  sup2circus --explain                     (every code with its title)

\b
Inline suppression (in the supervisord.conf; in a Dockerfile or script: # on the line above):
  command = bin/web  ; sup2circus: ignore=S2C117
  ; sup2circus: ignore-file=S2C106

\b
Exit status:
  0   converted, or checked with nothing at/above --fail-on
  1   --check/--strict: findings at/above --fail-on; --verify: mismatch
  2   unreadable or invalid input (supervisord would refuse it), bad
      setting, usage error, output not writable
  70  internal error (a bug: please report it)
  130 interrupted (SIGINT; 143 SIGTERM, 129 SIGHUP): the -o file is untouched
"""

_FLAG: dict[str, Any] = {"is_flag": True}

#: Every option, declared once: (flags, click.option's keywords), in --help's order. Each
#: becomes the :class:`Args` field click names after it.
OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (("-o", "--output"), {"metavar": "PATH", "help": "Write circus.ini to PATH atomically "
        "(the old file stays untouched on any failure)."}),
    (("--check",), {**_FLAG, "help": "Lint mode: convert every FILE without writing anything; "
        "report findings on stdout."}),
    (("--output-format",), {"type": click.Choice(["text", "json", "github", "sarif"]),
        "default": None, "help": "Format of the findings (default: text)."}),
    (("--fail-on",), {"type": click.Choice(["error", "warning", "info"], case_sensitive=False),
        "default": None,
        "help": "Severity threshold for --check and --strict (default: warning)."}),
    (("--exit-zero",), {**_FLAG, "help": "--check: report, but exit 0 despite findings."}),
    (("--strict",), {**_FLAG, "help": "Conversion: fail (exit 1, write nothing) on findings at "
        "or above --fail-on."}),
    (("--select",), {"multiple": True, "metavar": "CODES",
        "help": "Report only these codes (prefixes, commas)."}),
    (("--ignore",), {"multiple": True, "metavar": "CODES",
        "help": "Never report these codes (prefixes, commas)."}),
    (("--severity", "severities"), {"multiple": True, "metavar": "CODE=LEVEL",
        "help": "Override a code's severity (repeatable), e.g. S2C101=error."}),
    (("--config",), {"metavar": "PATH", "help": "Read [tool.sup2circus] from this TOML file "
        "(default: nearest pyproject.toml)."}),
    (("--isolated",), {**_FLAG, "help": "Ignore every configuration file."}),
    (("--statistics",), {**_FLAG, "help": "Count findings per code instead of listing them."}),
    (("--show-info",), {**_FLAG, "help": "Text format: list info findings too (by default the "
        "summary line only counts them)."}),
    (("--explain",), {"metavar": "[CODE]", "is_flag": False, "flag_value": "",
        "help": "Explain a finding code and exit; without CODE, list every code with its title."}),
    (("--resolve-env",), {**_FLAG, "help": "Bake this machine's values of %(ENV_X)s into "
        "circus.ini instead of deferring them to circusd's environment. WARNING: this writes "
        "secrets into the file (and into image layers)."}),
    (("--no-wrappers",), {**_FLAG, "help": "Never wrap commands in sh -c/env; approximate "
        "instead (with a finding)."}),
    (("--exact",), {**_FLAG, "help": "Reproduce supervisor's autorestart/startsecs/stopasgroup "
        "semantics with circus hooks."}),
    (("--exit-on-fatal",), {**_FLAG, "help": "When a process gives up (FATAL), stop every "
        "watcher and exit circusd with status 1 (for container restart policies). Implies "
        "--exact."}),
    (("--runtime-dir",), {"metavar": "DIR", "default": None, "help": "Directory of circus's "
        "ipc:// endpoints when the config names no socket (default /tmp)."}),
    (("--verify",), {**_FLAG, "help": "Load the result with circus's own loader; exit 1 if "
        "circus would run anything else."}),
)  # fmt: skip


def _declare_options(command: Callable[..., None]) -> Callable[..., None]:
    """The FILE argument, :data:`OPTIONS` and --version, as stacked decorators would add them."""
    version = click.version_option(
        __version__, "-V", "--version", prog_name=PROG, message="%(prog)s %(version)s"
    )
    command = version(command)
    for flags, attrs in reversed(OPTIONS):
        command = click.option(*flags, **attrs)(command)
    return click.argument("files", nargs=-1, metavar="FILE...")(command)


@dataclass(frozen=True, slots=True)
class Args:
    """The command line, parsed once (one field per :data:`OPTIONS` entry, and FILE...)."""

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
    exit_on_fatal: bool = False
    runtime_dir: str | None = None
    verify: bool = False

    @property
    def format(self) -> str:
        return self.output_format or "text"


class UsageProblem(Exception):
    """The arguments do not make a run: usage, then the message; exit 2."""


# ---------------------------------------------------------------------------- the command


@click.command(
    name=PROG,
    epilog=EPILOG,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@_declare_options
@click.pass_context
def cli(ctx: click.Context, /, **kw: Any) -> None:
    """Convert a Supervisor configuration (supervisord.conf and its [include]d files) into a
    Circus configuration (circus.ini) that runs the same processes the same way.

    Whatever circus cannot express exactly becomes a finding (a stable code, a severity,
    file:line) instead of a silent change of behaviour; `--explain CODE` documents each one.
    With --check, sup2circus is a linter for supervisord.conf files in CI and pre-commit.
    """
    args = Args(**kw)
    try:
        status = _run(args)
    except (Exception, KeyboardInterrupt) as exc:
        status = _exit_status(exc, args)
    ctx.exit(status)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Console-script entry point."""
    if argv is None:
        # The one speed trick, for the console script's own process only: a conversion makes
        # no reference cycles (tests/api/test_api_memory.py), and without the collector --check of
        # bench/gen.py's 10,000 programs takes 1.57 s of CPU instead of 1.93 s (+23%). The heap
        # is frozen at the exit, so the final collection has nothing to walk.
        gc.disable()
        unwind_on_stop_signals()
    try:
        rv = cli.main(args=argv, prog_name=PROG, standalone_mode=False)
    except (Exception, KeyboardInterrupt) as exc:  # click's own: usage errors, --help, abort
        rv = _exit_status(exc, None)
    if argv is None:
        gc.freeze()
    sys.exit(rv if isinstance(rv, int) else 0)


# ---------------------------------------------------------------------------- errors


def _exit_status(exc: BaseException, args: Args | None) -> int:
    """The one place where an exception becomes an exit status, after saying why."""
    from .explain import UnknownCodeError
    from .report import Failure

    if isinstance(exc, click.exceptions.Exit):  # pragma: no cover - depends on click version
        return exc.exit_code
    if isinstance(exc, click.ClickException):  # click's usage errors
        exc.show()
        return exc.exit_code
    if isinstance(exc, click.Abort | KeyboardInterrupt):
        write_std("\nInterrupted.\n", err=True)
        return 128 + exc.signum if isinstance(exc, Terminated) else EXIT_INTERRUPTED
    if isinstance(exc, BrokenPipeError):
        from .output import silence_stdout

        silence_stdout()  # Python would complain again when flushing stdout at exit
        return EXIT_INPUT
    if isinstance(exc, UsageProblem | UnknownCodeError):
        ctx = click.get_current_context(silent=True)
        if ctx is not None:
            write_std(f"{ctx.get_usage()}\nTry '{PROG} --help' for help.\n", err=True)
        _error(str(exc))
        return EXIT_INPUT
    args = args or Args()
    if isinstance(exc, RunFailed):
        return _report_failure(args, exc.failure)
    if isinstance(exc, StdoutError):
        return _report_failure(args, Failure(str(exc), EXIT_INPUT))
    if isinstance(exc, LocatedError):  # bad input, a bad setting
        message = exc.message + (f" ({exc.hint})" if exc.hint else "")
        return _report_failure(args, Failure(message, EXIT_INPUT, exc.file, exc.line))
    return _internal_error(exc)


def _internal_error(exc: BaseException) -> int:
    if os.environ.get("SUP2CIRCUS_DEBUG"):
        import traceback

        write_std("".join(traceback.format_exception(exc)), err=True)
    from .report import internal_error

    write_std(internal_error(exc, PROG, __version__), err=True)
    return EXIT_INTERNAL


def _report_failure(args: Args, failure: Failure, findings: Sequence[Finding] = ()) -> int:
    """Say why the run failed: one error line in the text format (after its details); in the
    others, one document with the ``findings`` and the failure, where the report goes."""
    if args.format == "text":
        for detail in failure.details:
            write_std(f"{PROG}: {' '.join(detail.splitlines())}\n", err=True)
        _error(failure.located())
    else:
        from .report import render_pieces

        pieces = render_pieces(
            args.format, findings, stats=args.statistics, version=__version__, failure=failure
        )
        write_std(pieces, err=not args.check)
    return failure.exit_code


# ---------------------------------------------------------------------------- the run


def _run(args: Args) -> int:
    if args.explain is not None:
        from .explain import explain_text, rules_list

        write_std(explain_text(args.explain) if args.explain.strip() else rules_list())
        return EXIT_OK
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
    options = settings.convert_options(
        resolve_env=args.resolve_env,
        exact=args.exact,
        exit_on_fatal=args.exit_on_fatal,
        no_wrappers=args.no_wrappers,
        runtime_dir=args.runtime_dir,
    )
    return _check(args, settings, options) if args.check else _convert(args, settings, options)


def _validate(args: Args) -> None:
    if args.check:
        if not args.files:
            raise UsageProblem("--check needs at least one FILE")
        for flag, on in (("-o/--output", args.output is not None), ("--strict", args.strict)):
            if on:
                raise UsageProblem(f"{flag} cannot be used with --check")
        if args.verify:
            raise UsageProblem("--verify cannot be used with --check")
        if args.files.count("-") > 1:
            raise UsageProblem("'-' (standard input) can be given only once")
    else:
        if not args.files:
            raise UsageProblem("missing FILE (a supervisord.conf, or - for standard input)")
        if len(args.files) > 1:
            raise UsageProblem(
                f"got {len(args.files)} files; conversion takes one FILE "
                "(use --check to lint several)"
            )
        if args.exit_zero:
            raise UsageProblem("--exit-zero only applies to --check")
        from .filekind import file_kind

        if args.files[0] != "-" and file_kind(args.files[0]) is not None:
            raise UsageProblem(f"{args.files[0]}: use --check for Dockerfiles and shell scripts")
    if args.statistics and args.output_format in ("github", "sarif"):
        raise UsageProblem("--statistics works with --output-format text or json only")


def _check(args: Args, settings: Settings, options: ConvertOptions) -> int:
    from .lint import check

    result = check(args.files, settings, options)
    write_std(_render(args, result.findings, settings, result.files, result.suppressed, err=False))
    if result.exit_status == EXIT_FINDINGS and args.exit_zero:
        return EXIT_OK
    return result.exit_status


def _convert(args: Args, settings: Settings, options: ConvertOptions) -> int:
    """Convert, then --strict, --verify, and circus.ini to stdout or ``-o``. The text report
    comes first; the other formats' one document, last (it holds the failure, if any)."""
    from .lint import convert_one, require_circus, strict_failure, verify_failure

    if args.verify:
        require_circus()
    done = convert_one(args.files[0], settings, options)
    conv, report = done.conversion, done.findings
    if report and args.format == "text":
        write_std(_render(args, report, settings, done.files, done.suppressed), err=True)
    failure = strict_failure(report, settings) if args.strict else None
    if failure is None and args.verify:
        failure = verify_failure(conv)
        if failure is None and args.format == "text":  # the others' stream holds one document
            from .verify import verified

            write_std(f"{PROG}: verify: {verified(conv)}\n", err=True)
    if failure is None and args.output is not None and args.output != "-":
        from .output import write_output

        failure = write_output(args.output, conv)
    elif failure is None:
        write_std(conv.pieces())
    if failure is not None:
        return _report_failure(args, failure, report)
    if args.format != "text":
        write_std(_render(args, report, settings, done.files, done.suppressed), err=True)
    return EXIT_OK


# ---------------------------------------------------------------------------- printing


def _render(
    args: Args,
    findings: Sequence[Finding],
    settings: Settings,
    files: int,
    suppressed: int,
    *,
    err: bool = True,
) -> Iterator[str]:
    """The report; the text format's summary line comes after findings, and always in --check."""
    from .report import Summary, render_pieces, use_color

    summary = None
    if args.format == "text" and (args.check or findings):
        summary = Summary(files, suppressed, settings.fail_on, args.exit_zero, args.show_info)
    color = args.format == "text" and use_color(sys.stderr if err else sys.stdout)
    return render_pieces(
        args.format,
        findings,
        summary=summary,
        color=color,
        stats=args.statistics,
        version=__version__,
    )


def _error(message: str) -> None:
    from .report import one_line

    write_std(f"{PROG}: error: {one_line(message)}\n", err=True)
