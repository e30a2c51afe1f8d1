"""Formatters for findings: ``text``, ``json``, ``github``, ``sarif`` and ``--statistics``.

* text: ``path:line:col: CODE severity message``, one line each, then a summary line (colour only
  when the stream is a terminal and ``NO_COLOR`` is unset);
* json: one array of objects with ``code``, ``severity``, ``message``, ``file``, ``line``,
  ``column``, ``section``, ``option`` and ``explain`` (the command documenting the code);
* github: GitHub Actions workflow commands (``::warning file=...,line=...,col=...,title=CODE::``);
  ``info`` becomes ``notice``;
* sarif: one SARIF 2.1.0 log with the rules (id, name, short description, help) and results.

A run that fails as a whole (see :class:`Failure`) is reported in the json, github and sarif
documents too. No URL is made up: sup2circus has no public web home, so a finding points at
``sup2circus --explain CODE``.

The ``json`` module is imported only by the formats that need it (cold start).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .findings import Finding, Severity
from .redact import visible

FORMATS = ("text", "json", "github", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_ANSI = {"red": "31", "yellow": "33", "cyan": "36", "bold": "1", "dim": "2", "green": "32"}


def use_color(stream: object, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set to anything non-empty."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def _paint(text: str, color: str | None, enabled: bool, bold: bool = False) -> str:
    if not enabled or (color is None and not bold):
        return text
    codes = ([_ANSI["bold"]] if bold else []) + ([_ANSI[color]] if color else [])
    return f"\x1b[{';'.join(codes)}m{text}\x1b[0m"


def one_line(text: str) -> str:
    """``text`` as one visible line: line breaks become spaces."""
    return visible(" ".join(text.splitlines()))


def explain_of(code: str) -> str | None:
    from .rules import RULES

    r = RULES.get(code)
    return r.explain if r is not None else None


# ---------------------------------------------------------------------------- text


class Summary(NamedTuple):
    files: int
    suppressed: int = 0
    fail_on: Severity = Severity.WARNING
    exit_zero: bool = False
    show_info: bool = True  # list the info findings below fail_on too (else only count them)

    def hides(self, f: Finding) -> bool:
        """Whether the text report counts ``f`` without listing it: infos, unless they fail
        (--fail-on info) or --show-info asks for them, would bury the findings that matter."""
        return (
            not self.show_info
            and f.severity is Severity.INFO
            and Severity.INFO.rank < self.fail_on.rank
        )


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a run failed as a whole (bad input, a bad setting, an output that cannot be written,
    --strict, --verify): the json, github and sarif formats report it in their own document, so
    a CI job parses one format. ``details``: one line each (--verify's problems)."""

    message: str
    exit_code: int
    file: str | None = None
    line: int | None = None
    details: tuple[str, ...] = ()

    def located(self) -> str:
        """The message after its ``file:line:``, when it has one (for the text format)."""
        if self.file is None:
            return self.message
        return (
            f"{self.file}:{self.line}: {self.message}"
            if self.line
            else f"{self.file}: {self.message}"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "details": list(self.details),
        }


def internal_error(exc: BaseException, prog: str, version: str) -> str:
    """The line that reports a bug: the exception's type and where it was raised, never its
    text (it could hold a value from the config: a secret)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f" at {os.path.basename(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}" if tb else ""
    return (
        f"{prog}: internal error: {type(exc).__name__}{where}. This is a bug in sup2circus "
        f"{version}; please report it to its maintainers with a config that triggers it "
        "(set SUP2CIRCUS_DEBUG=1 to see the traceback).\n"
    )


def text_line(f: Finding, color: bool = False) -> str:
    where = _paint(f"{visible(f.file)}:{f.line}:{f.column}:", None, color, bold=True)
    code = _paint(f.code, _COLORS[f.severity], color, bold=True)
    sev = _paint(f.severity.value, _COLORS[f.severity], color)
    return f"{where} {code} {sev} {one_line(f.message)}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(findings: Sequence[Finding], summary: Summary, color: bool = False) -> str:
    files = _plural(summary.files, "file")
    supp = f" ({summary.suppressed} suppressed)" if summary.suppressed else ""
    if not findings:
        return _paint(f"All checks passed: {files}, no findings{supp}.", "green", color)
    counts = Counter([f.severity for f in findings])
    parts = [
        _plural(counts[s], s.value)
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if counts[s]
    ]
    failing = sum(n for s, n in counts.items() if s.rank >= summary.fail_on.rank)
    tail = f"{failing} at or above {summary.fail_on.value}"
    if summary.exit_zero and failing:
        tail += " (--exit-zero)"
    text = (
        f"Found {_plural(len(findings), 'finding')} in {files}: {', '.join(parts)}{supp}; {tail}."
    )
    hidden = sum(1 for f in findings if summary.hides(f))
    if hidden:
        text += f" Not listed: {_plural(hidden, 'info')} (--show-info lists them)."
    return _paint(text, "red" if failing else None, color, bold=bool(failing))


def render_text(
    findings: Sequence[Finding], summary: Summary | None = None, color: bool = False
) -> str:
    return "".join(iter_text(findings, summary, color))


#: Findings per piece of :func:`iter_text` (about 250 KB of text).
TEXT_BATCH = 1024


def iter_text(
    findings: Sequence[Finding], summary: Summary | None = None, color: bool = False
) -> Iterator[str]:
    """The text report in pieces of :data:`TEXT_BATCH` lines, each ending with a newline: a
    report of tens of thousands of findings is never built whole. The summary counts every
    finding; the lines leave out those it hides (see :meth:`Summary.hides`)."""
    listed = findings
    if summary is not None and not summary.show_info:
        listed = [f for f in findings if not summary.hides(f)]
    for start in range(0, len(listed), TEXT_BATCH):
        batch = listed[start : start + TEXT_BATCH]
        lines = [text_line(f, color) for f in batch]
        lines.append("")
        yield "\n".join(lines)
    if summary is not None:
        yield summary_line(findings, summary, color) + "\n"


# ---------------------------------------------------------------------------- statistics


@dataclass(frozen=True, slots=True)
class Stat:
    code: str
    name: str
    severity: Severity
    count: int


def statistics(findings: Iterable[Finding]) -> list[Stat]:
    """One entry per (code, severity), most frequent first."""
    from .rules import RULES

    counts = Counter((f.code, f.severity) for f in findings)
    stats = [
        Stat(code, RULES[code].name if code in RULES else "", sev, n)
        for (code, sev), n in counts.items()
    ]
    stats.sort(key=lambda s: (-s.count, s.code, -s.severity.rank))
    return stats


def render_statistics_text(
    findings: Sequence[Finding], summary: Summary | None = None, color: bool = False
) -> str:
    stats = statistics(findings)
    width = max((len(str(s.count)) for s in stats), default=1)
    lines = [
        f"{s.count:>{width}}  {_paint(s.code, _COLORS[s.severity], color, bold=True)}  "
        f"{_paint(f'{s.severity.value:<7}', _COLORS[s.severity], color)}  {s.name}"
        for s in stats
    ]
    if summary is not None:
        # the table counts every finding, infos included: none is "not listed"
        lines.append(summary_line(findings, summary._replace(show_info=True), color))
    return "".join(line + "\n" for line in lines)


def render_statistics_json(findings: Sequence[Finding], failure: Failure | None = None) -> str:
    return _json_document(
        [
            {
                "code": s.code,
                "name": s.name,
                "severity": s.severity.value,
                "count": s.count,
                "explain": explain_of(s.code),
            }
            for s in statistics(findings)
        ],
        failure,
    )


# ---------------------------------------------------------------------------- json


def finding_dict(f: Finding) -> dict[str, object]:
    d = f.to_dict()
    d["explain"] = explain_of(f.code)
    return d


def render_json(findings: Sequence[Finding], failure: Failure | None = None) -> str:
    return _json_document([finding_dict(f) for f in findings], failure)


def _json_document(entries: list[dict[str, object]], failure: Failure | None) -> str:
    """The entries' array; after a failure, an object: ``{"error": {"message", "file", "line",
    "details"}, "exit_code": N, "findings": [the entries]}``."""
    import json

    doc: object = entries
    if failure is not None:
        doc = {"error": failure.to_dict(), "exit_code": failure.exit_code, "findings": entries}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------- github

_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _gh_data(text: str) -> str:
    # each line shown as visible text: an escape sequence or a bell in a file name or a value
    # would act on the terminal that shows the log
    lines = [visible(line) for line in text.split("\n")]
    return "%0A".join(line.replace("%", "%25") for line in lines)


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(f: Finding) -> str:
    props = f"file={_gh_prop(f.file)},line={f.line},col={f.column},title={_gh_prop(f.code)}"
    return f"::{_GITHUB_LEVEL[f.severity]} {props}::{_gh_data(f'{f.code} {f.message}')}"


def render_github(findings: Sequence[Finding], failure: Failure | None = None) -> str:
    lines = [github_line(f) for f in findings]
    if failure is not None:
        where = "".join(
            f"{key}={_gh_prop(str(value))},"
            for key, value in (("file", failure.file), ("line", failure.line))
            if value
        )
        text = "\n".join((failure.message, *failure.details))
        lines.append(f"::error {where}title=sup2circus::{_gh_data(text)}")
    return "".join(line + "\n" for line in lines)


# ---------------------------------------------------------------------------- sarif

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _artifact_uri(path: str) -> str:
    if path.startswith("<") and path.endswith(">"):
        return _quote(path.strip("<>"))
    if os.path.isabs(path):
        return "file://" + _quote(path.replace(os.sep, "/"))
    return _quote(path.replace(os.sep, "/"))


def _quote(path: str) -> str:
    from urllib.parse import quote

    # a file name that is not UTF-8 holds its bytes as lone surrogates (os.fsdecode): quoted
    # as those bytes, the URI names the file (strict UTF-8 raised UnicodeEncodeError)
    return quote(path, errors="surrogateescape")


def sarif_log(
    findings: Sequence[Finding], version: str, failure: Failure | None = None
) -> dict[str, object]:
    from .rules import RULES

    codes = sorted({f.code for f in findings})
    index = {code: i for i, code in enumerate(codes)}
    rules: list[dict[str, object]] = []
    for code in codes:
        r = RULES.get(code)
        entry: dict[str, object] = {"id": code}
        if r is not None:
            entry.update(
                {
                    "name": r.name,
                    "shortDescription": {"text": r.title},
                    "fullDescription": {"text": f"supervisor: {r.supervisor} circus: {r.circus}"},
                    "help": {"text": f"{r.fix}\nMore: {r.explain}"},
                    "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
                }
            )
        rules.append(entry)
    results: list[dict[str, object]] = []
    uris: dict[str, str] = {}  # _artifact_uri once per file
    for f in findings:
        uri = uris.get(f.file)
        if uri is None:
            uri = uris[f.file] = _artifact_uri(f.file)
        result: dict[str, object] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": one_line(f.message)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
                    }
                }
            ],
        }
        props = {k: v for k, v in (("section", f.section), ("option", f.option)) if v}
        if props:
            result["properties"] = props
        results.append(result)
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "sup2circus",
                "version": version,
                "semanticVersion": version,
                "rules": rules,
            }
        },
        "results": results,
    }
    if failure is not None:
        run["invocations"] = [_sarif_invocation(failure)]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _sarif_invocation(failure: Failure) -> dict[str, object]:
    """A failed run: SARIF's tool execution notification (not a result: no rule was broken)."""
    notification: dict[str, object] = {
        "level": "error",
        "message": {"text": one_line(" ".join((failure.message, *failure.details)))},
    }
    if failure.file:
        region = {"region": {"startLine": failure.line}} if failure.line else {}
        notification["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _artifact_uri(failure.file)},
                    **region,
                }
            }
        ]
    return {
        "executionSuccessful": False,
        "exitCode": failure.exit_code,
        "toolExecutionNotifications": [notification],
    }


def render_sarif(findings: Sequence[Finding], version: str, failure: Failure | None = None) -> str:
    import json

    log = sarif_log(findings, version, failure)
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------- dispatch


def render(
    fmt: str,
    findings: Sequence[Finding],
    *,
    summary: Summary | None = None,
    color: bool = False,
    stats: bool = False,
    version: str = "",
    failure: Failure | None = None,
) -> str:
    """The whole report in format ``fmt`` (``--statistics``: text and json only)."""
    return "".join(
        render_pieces(
            fmt,
            findings,
            summary=summary,
            color=color,
            stats=stats,
            version=version,
            failure=failure,
        )
    )


def render_pieces(
    fmt: str,
    findings: Sequence[Finding],
    *,
    summary: Summary | None = None,
    color: bool = False,
    stats: bool = False,
    version: str = "",
    failure: Failure | None = None,
) -> Iterator[str]:
    """:func:`render` in pieces (the text report is rendered a batch at a time). ``failure``:
    the run failed; the text format leaves saying so to the caller (one error line)."""
    if fmt == "text" and not stats:
        yield from iter_text(findings, summary, color)
    else:
        yield _render_whole(
            fmt,
            findings,
            summary=summary,
            color=color,
            stats=stats,
            version=version,
            failure=failure,
        )


def _render_whole(
    fmt: str,
    findings: Sequence[Finding],
    *,
    summary: Summary | None,
    color: bool,
    stats: bool,
    version: str,
    failure: Failure | None,
) -> str:
    if fmt == "text":
        return render_statistics_text(findings, summary, color)
    if fmt == "json":
        if stats:
            return render_statistics_json(findings, failure)
        return render_json(findings, failure)
    if stats:
        raise ValueError("--statistics works with the text and json formats only")
    if fmt == "github":
        return render_github(findings, failure)
    if fmt == "sarif":
        return render_sarif(findings, version, failure)
    raise ValueError(f"unknown output format {fmt!r}")
