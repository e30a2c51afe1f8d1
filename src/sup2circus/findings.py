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
from operator import attrgetter
from reprlib import recursive_repr
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from dataclasses import Field
    from dataclasses import dataclass as record  # type checkers see plain frozen dataclasses
else:

    def record(**_params: object) -> Callable[[type[Any]], type[Any]]:
        """At run time a no-op: :class:`Record` does the work (see there)."""
        return _identity


def _identity(cls: type[Any]) -> type[Any]:
    return cls


# ---------------------------------------------------------------------------- records

_set = object.__setattr__


class _Factory:
    """Default of a field that gets a fresh value per instance (``field(default_factory=...)``);
    the factories are in the class's ``_rec_factories``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"


FACTORY: Any = _Factory()


class _LazyFields:
    """``__dataclass_fields__``, built on first use (``dataclasses.replace``/``fields``), so that
    nothing is paid for it at import."""

    def __get__(self, obj: object, cls: type[Record]) -> dict[str, Field[Any]]:
        fields = _dataclass_fields(cls)
        type.__setattr__(cls, "__dataclass_fields__", fields)
        return fields


def _dataclass_fields(cls: type[Record]) -> dict[str, Field[Any]]:
    """The ``dataclasses.Field`` of each field, as ``@dataclass`` would make them."""
    import dataclasses

    init = cls.__init__
    code = init.__code__
    params = code.co_varnames[1 : code.co_argcount]
    values = init.__defaults__ or ()
    defaults = dict(zip(params[len(params) - len(values) :], values, strict=True))
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - no inspect import
    marker = getattr(dataclasses, "_FIELD", None)
    fields: dict[str, Field[Any]] = {}
    for name in cls._rec_fields:
        kw: dict[str, Any] = {"compare": name in cls._rec_compare, "repr": name in cls._rec_repr}
        if name not in defaults:
            pass
        elif defaults[name] is FACTORY:
            kw["default_factory"] = cls._rec_factories[name]
        else:
            kw["default"] = defaults[name]
        fields[name] = dataclasses.field(**kw)
    if marker is None:  # pragma: no cover - a Python whose dataclasses has no _FIELD marker
        # Let dataclasses make them (it execs code: slower, but only once per class).
        ns: dict[str, Any] = {"__annotations__": {n: annotations[n] for n in fields}, **fields}
        shadow: Any = dataclasses.dataclass(frozen=True)(type(cls.__name__, (), ns))
        made: dict[str, Field[Any]] = shadow.__dataclass_fields__
        return made
    for name, f in fields.items():
        f.name = name
        f.type = annotations[name]
        f._field_type = marker  # type: ignore[attr-defined]
        if hasattr(f, "kw_only"):
            f.kw_only = False
    return fields


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    if not names:
        return lambda obj: ()
    return attrgetter(*names)


class Record:
    """Base of the frozen records of the model: what ``@dataclass(frozen=True)`` (with or without
    ``slots=True``) gives -- equality and hash on the compared fields (in field order), the
    dataclass ``repr``, assignment raising :class:`dataclasses.FrozenInstanceError`,
    ``__match_args__``, pickling, and ``dataclasses.replace``/``fields`` -- without generating
    and compiling code at import time (cold start: a subclass writes ``__slots__`` and
    ``__init__`` by hand; ``__init__`` sets each field with ``object.__setattr__``).

    A subclass's fields are its own annotations, in order (as for a dataclass); a slotted one
    names the same fields in ``__slots__`` (in any order). Fields left out of equality/hash or
    ``repr`` are named in ``_rec_no_compare``/``_rec_no_repr``; a default made per instance is
    ``FACTORY`` in ``__init__``, with its factory in ``_rec_factories``. Type checkers see the
    ``@record(...)`` decorator as ``dataclasses.dataclass``, so they check the fields and the
    ``replace`` calls as usual.
    """

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]] = _LazyFields()  # type: ignore[assignment]
    _rec_fields: ClassVar[tuple[str, ...]] = ()
    _rec_compare: ClassVar[tuple[str, ...]] = ()
    _rec_repr: ClassVar[tuple[str, ...]] = ()
    _rec_no_compare: ClassVar[tuple[str, ...]] = ()
    _rec_no_repr: ClassVar[tuple[str, ...]] = ()
    _rec_factories: ClassVar[dict[str, Callable[[], Any]]] = {}
    _rec_key: ClassVar[Callable[[Any], tuple[Any, ...]]]
    _rec_all: ClassVar[Callable[[Any], tuple[Any, ...]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The fields, in order: the class's own annotations, as for a dataclass.
        own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 - inspect costs an import
        names = tuple([n for n, t in own.items() if not str(t).startswith("ClassVar")])
        slots = cls.__dict__.get("__slots__")
        if slots is not None and sorted(slots) != sorted(names):
            raise TypeError(f"{cls.__name__}: __slots__ must name exactly the fields {names}")
        cls._rec_fields = names
        setattr(cls, "__match_args__", names)  # noqa: B010 - mypy: Record has none
        every = staticmethod(_getter(names))
        cls._rec_all = every
        no_compare, no_repr = cls._rec_no_compare, cls._rec_no_repr
        if no_compare:
            cls._rec_compare = tuple([n for n in names if n not in no_compare])
            cls._rec_key = staticmethod(_getter(cls._rec_compare))
        else:
            cls._rec_compare, cls._rec_key = names, every
        cls._rec_repr = tuple([n for n in names if n not in no_repr]) if no_repr else names

    def __eq__(self, other: object) -> bool:
        cls = self.__class__
        if other.__class__ is cls:
            return bool(cls._rec_key(self) == cls._rec_key(other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.__class__._rec_key(self))

    @recursive_repr()
    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._rec_repr)
        return f"{self.__class__.__qualname__}({inner})"

    def __setattr__(self, name: str, value: Any) -> None:
        from dataclasses import FrozenInstanceError  # imported when needed (cold start)

        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[Any]:
        return list(self.__class__._rec_all(self))

    def __setstate__(self, state: list[Any]) -> None:
        for name, value in zip(self._rec_fields, state, strict=False):
            _set(self, name, value)


class MutableRecord(Record):
    """A :class:`Record` like ``@dataclass`` without ``frozen``: fields can be assigned, and
    instances are unhashable (equality still compares the fields)."""

    __slots__ = ()
    __setattr__ = object.__setattr__  # type: ignore[assignment]
    __delattr__ = object.__delattr__
    __hash__ = None  # type: ignore[assignment]


class Severity(str, enum.Enum):
    """How bad a finding is. Ordered: ``INFO < WARNING < ERROR``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(
                f"unknown severity {text!r} (expected one of: error, warning, info)"
            ) from None


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@record(frozen=True)
class Loc(Record):
    """A place in a supervisor config file (1-based line and column)."""

    __slots__ = ("column", "file", "line")
    file: str
    line: int
    column: int

    def __init__(self, file: str, line: int, column: int = 1) -> None:
        _S_Loc_file(self, file)
        _S_Loc_line(self, line)
        _S_Loc_column(self, column)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@record(frozen=True)
class Finding(Record):
    """One thing the conversion reports."""

    __slots__ = ("code", "column", "file", "line", "message", "option", "section", "severity")
    code: str
    severity: Severity
    message: str
    file: str
    line: int
    section: str | None
    option: str | None
    column: int

    def __init__(
        self,
        code: str,
        severity: Severity,
        message: str,
        file: str,
        line: int,
        section: str | None = None,
        option: str | None = None,
        column: int = 1,
    ) -> None:
        _S_Finding_code(self, code)
        _S_Finding_severity(self, severity)
        _S_Finding_message(self, message)
        _S_Finding_file(self, file)
        _S_Finding_line(self, line)
        _S_Finding_section(self, section)
        _S_Finding_option(self, option)
        _S_Finding_column(self, column)

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


def merge_duplicates(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per fact: findings at the same place (file, line, column) with the same code,
    section and option -- one per process of a numprocs program, one per watcher that inherits
    a [supervisord] setting, one per name used in one option -- become one, whose message holds
    each distinct message once (so it names every watcher or name concerned) and whose
    severity is the highest. Order: each fact where it was first reported."""
    groups: dict[tuple[object, ...], list[Finding]] = {}
    for f in findings:
        key = (f.file, f.line, f.column, f.code, f.section, f.option)
        groups.setdefault(key, []).append(f)
    out: list[Finding] = []
    for same in groups.values():
        first = same[0]
        if len(same) > 1:
            message = "; ".join(dict.fromkeys(f.message for f in same))
            severity = max((f.severity for f in same), key=lambda s: s.rank)
            first = Finding(
                first.code,
                severity,
                message,
                first.file,
                first.line,
                first.section,
                first.option,
                first.column,
            )
        out.append(first)
    return out


class Sup2CircusError(Exception):
    """Base class of every error about input that cannot be converted.

    ``str(err)`` is one line: ``file:line: message``; ``hint`` says how to fix it.
    """

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
        return " ".join(text.split("\n"))


class InputError(Sup2CircusError):
    """The input cannot be read at all (missing, a directory, binary, bad encoding...)."""


class ConfigError(Sup2CircusError):
    """The input is a config that supervisord itself would refuse on any machine."""


# The slot setters the hot records' __init__ use: calling a field's member descriptor
# directly is about a third faster than object.__setattr__(self, name, value), and
# tens of thousands of these records are made per big config.
_S_Loc_file = Loc.__dict__["file"].__set__
_S_Loc_line = Loc.__dict__["line"].__set__
_S_Loc_column = Loc.__dict__["column"].__set__
_S_Finding_code = Finding.__dict__["code"].__set__
_S_Finding_severity = Finding.__dict__["severity"].__set__
_S_Finding_message = Finding.__dict__["message"].__set__
_S_Finding_file = Finding.__dict__["file"].__set__
_S_Finding_line = Finding.__dict__["line"].__set__
_S_Finding_section = Finding.__dict__["section"].__set__
_S_Finding_option = Finding.__dict__["option"].__set__
_S_Finding_column = Finding.__dict__["column"].__set__
