"""Findings: what the conversion could not carry over exactly, and errors on unreadable input.

A :class:`Finding` is a frozen record with a stable ``code`` (see :mod:`sup2circus.rules`), a
severity, a message, and the supervisor-side location (file, line, column, section, option) it is
about. Severity meaning, applied consistently by every rule:

* ``error``   -- cannot be converted, or the converted form would be unsafe;
* ``warning`` -- circusd will behave differently from supervisord in normal operation;
* ``info``    -- exact through a wrapper or hook, or differs only in failure handling, control or
  daemon details.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

from .redact import visible

if TYPE_CHECKING:
    from collections.abc import Iterable


class Severity(str, enum.Enum):
    """How bad a finding is. Ordered: ``INFO < WARNING < ERROR``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    # A str enum compares as its value ("error" < "info" < "warning"): compare by rank instead,
    # so that max(), sorted() and < follow the documented order.
    def __lt__(self, other: object) -> bool:
        return self.rank < other.rank if isinstance(other, Severity) else NotImplemented

    def __le__(self, other: object) -> bool:
        return self.rank <= other.rank if isinstance(other, Severity) else NotImplemented

    def __gt__(self, other: object) -> bool:
        return self.rank > other.rank if isinstance(other, Severity) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self.rank >= other.rank if isinstance(other, Severity) else NotImplemented

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown severity {text!r} (expected one of: error, warning, info)"
            ) from None


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, slots=True)
class Loc:
    """A place in a supervisor config file (1-based line and column)."""

    file: str
    line: int
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the conversion reports."""

    code: str
    severity: Severity
    message: str
    file: str
    line: int
    section: str | None = None
    option: str | None = None
    column: int = 1

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "section": self.section,
            "option": self.option,
        }

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.option or "")


_KEY_AS_IS = attrgetter("file", "line", "column", "code", "option")


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """``sorted(findings, key=Finding.sort_key)``, without a Python call per finding (a big
    config has tens of thousands): the keys are built inline, with the position as the last
    element so that equal keys keep their order (the sort is stable) and findings are never
    compared."""
    items = findings if isinstance(findings, list | tuple) else list(findings)
    try:
        # the keys made in C; an option compares as itself, which is the same order unless
        # None meets a string (the error below), where sort_key reads None as ""
        return sorted(items, key=_KEY_AS_IS)
    except TypeError:
        pass
    decorated = [(f.file, f.line, f.column, f.code, f.option or "", i) for i, f in enumerate(items)]
    decorated.sort()
    return [items[d[5]] for d in decorated]


class LocatedError(Exception):
    """An error about a file: ``str(err)`` is one line, ``file:line: message``; ``hint`` says
    how to fix it. The CLI reports ``file`` and ``line`` in every output format."""

    def __init__(
        self, message: str, file: str | None = None, line: int | None = None, hint: str = ""
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.hint = hint
        super().__init__(self.format())

    def format(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        # one line for str.splitlines too: a value quoted in the message may hold a vertical
        # tab, a form feed or a line separator, shown as its escape (as the CLI shows findings)
        return visible(" ".join(text.split("\n")))


class Sup2CircusError(LocatedError):
    """Base class of every error about input that cannot be converted."""


class InputError(Sup2CircusError):
    """The input cannot be read at all (missing, a directory, binary, bad encoding...)."""


class ConfigError(Sup2CircusError):
    """The input is a config that supervisord itself would refuse on any machine."""


class SettingsError(LocatedError):
    """A bad setting (on the command line, or in a config file: ``file``, and ``line`` when
    known): a usage error, exit 2. Also importable as ``sup2circus.settings.SettingsError``."""
