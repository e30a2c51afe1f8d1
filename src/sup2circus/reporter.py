"""The one way to add a finding: ``Reporter.report(code, loc, section, option, **fields)``.

The message is the rule's template (``rules.Rule.message``) filled with ``fields``, so the
message, ``--explain`` and docs/rules.md share one text. A fact -- the same code at the same
place (file, line, column, section, option) -- is reported once: when several watchers report
it (``watcher=NAME``; one per process of a numprocs program, one per program that inherits a
``[supervisord]`` setting), the one finding names them all through the template's
``{watchers}`` field; when the same place is reported with different fields, each distinct
message is kept once, joined by ``"; "``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .findings import Finding, Loc, Severity
from .rules import RULES

# (code, file, line, column, section, option): what makes two reports one fact
_FactKey = tuple[str, str, int, int, str | None, str | None]


@dataclass(slots=True)
class _Fact:
    severity: Severity
    # each distinct message of this fact (in the order first reported), as the pieces around its
    # {watchers} field -> the watchers it names
    messages: dict[tuple[str, ...], list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class _Once:
    """A fact reported once so far, naming one watcher (S2C110 names a program's AUTO files
    this way): kept lean until a second report makes it a _Fact (10,000 programs: 2 MB less
    at the peak, which was 1.01x supervisor's with a _Fact each, over the 1x target)."""

    severity: Severity
    pieces: tuple[str, ...]
    watcher: str


@functools.cache
def _pieces(template: str) -> tuple[str, ...]:
    """A template cut around its ``{watchers}`` fields (made once per rule: a conversion of
    10,000 programs reports 40,000 times)."""
    return tuple(template.split("{watchers}"))


class Reporter:
    """Collects the findings of one conversion, one per fact.

    ``severities`` overrides the rules' defaults by code (``--exact`` makes the codes its hooks
    reproduce ``info``, whatever a call site asks for)."""

    def __init__(self, severities: Mapping[str, Severity] | None = None) -> None:
        self._severities = dict(severities or {})
        # A fact reported once, naming no watcher (most of them), is kept as its Finding; it
        # becomes a _Fact when reported again. 10,000 programs: 35,000 facts, 9 MB less at the
        # peak than a _Fact each (peak RSS 1.16x supervisor's with them, target 1x).
        self._facts: dict[_FactKey, Finding | _Once | _Fact] = {}
        # each distinct message text once: most findings of a big config say the same thing
        # (10,000 programs: 35,000 findings, 10,500 texts; 4.5 MB less at the peak)
        self._texts: dict[str, str] = {}
        self._shared_pieces: dict[tuple[str, ...], tuple[str, ...]] = {}

    def report(
        self,
        code: str,
        loc: Loc,
        section: str | None,
        option: str | None,
        /,
        *,
        severity: Severity | None = None,
        watcher: str | None = None,
        **fields: object,
    ) -> None:
        """Report a finding of rule ``code`` at ``loc``; its message is the rule's template
        filled with ``fields`` (``{watchers}`` lists every ``watcher`` that reported it)."""
        rule = RULES[code]
        # filled piece by piece, so that a value holding the text "{watchers}" stays as it is
        pieces = tuple(piece.format(**fields) for piece in _pieces(rule.message))
        sev = self._severities.get(code, severity or rule.severity)
        self._add(code, loc.file, loc.line, loc.column, section, option, sev, pieces, watcher)

    def extend(self, findings: Iterable[Finding]) -> None:
        """Take findings made before this reporter (the reader's), merging repeated facts."""
        for f in findings:
            self._add(
                f.code, f.file, f.line, f.column, f.section, f.option, f.severity, (f.message,)
            )

    def _add(
        self,
        code: str,
        file: str,
        line: int,
        column: int,
        section: str | None,
        option: str | None,
        severity: Severity,
        pieces: tuple[str, ...],
        watcher: str | None = None,
    ) -> None:
        key = (code, file, line, column, section, option)
        fact = self._facts.get(key)
        if fact is None and watcher is None and len(pieces) == 1:
            message = self._texts.setdefault(pieces[0], pieces[0])
            self._facts[key] = Finding(code, severity, message, file, line, section, option, column)
            return
        if fact is None and watcher is not None:
            self._facts[key] = _Once(
                severity, self._shared_pieces.setdefault(pieces, pieces), watcher
            )
            return
        if fact is None:
            fact = self._facts[key] = _Fact(severity)
        elif isinstance(fact, Finding):
            fact = self._facts[key] = _Fact(fact.severity, {(fact.message,): []})
        elif isinstance(fact, _Once):
            fact = self._facts[key] = _Fact(fact.severity, {fact.pieces: [fact.watcher]})
        if severity.rank > fact.severity.rank:
            fact.severity = severity
        watchers = fact.messages.setdefault(pieces, [])
        if watcher is not None and watcher not in watchers:
            watchers.append(watcher)

    def findings(self) -> list[Finding]:
        """One finding per fact, in the order the facts were first reported."""
        out = []
        for (code, file, line, column, section, option), fact in self._facts.items():
            if isinstance(fact, Finding):
                out.append(fact)
                continue
            if isinstance(fact, _Once):
                message = fact.watcher.join(fact.pieces)
                out.append(
                    Finding(code, fact.severity, message, file, line, section, option, column)
                )
                continue
            texts = [", ".join(w).join(pieces) for pieces, w in fact.messages.items()]
            message = "; ".join(dict.fromkeys(texts))
            out.append(Finding(code, fact.severity, message, file, line, section, option, column))
        return out
