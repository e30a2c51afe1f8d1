"""Build the model of what supervisord 4.3 would run from the raw config.

This mirrors, step by step, ``ServerOptions.read_config``, ``process_groups_from_parser``,
``_processes_from_section`` and ``server_configs_from_parser`` of supervisor 4.3.0, including
their quirks:

* which option is expanded with which names (group-level reads only know ``here`` and
  ``ENV_*``; process options also know ``program_name``, ``group_name``, ``host_node_name``;
  ``directory``, log files and ``command`` also ``process_num``, ``numprocs`` and the program's
  own ``environment=`` names);
* the expansion dict is mutated across the process numbers of one program, so ``ENV_`` names
  defined by one process's environment stay visible to the next ones;
* log file names and ``[supervisord] environment`` are expanded twice;
* errors supervisord raises on any machine become :class:`ConfigError` with the option's
  file and line; facts of this machine (users, directories, importable modules) become
  findings or nothing.

``%(ENV_X)s`` from the converting machine's environment is deferred (kept as
:func:`model.env_marker`) in the fields circus can defer (command, directory, log file paths,
environment values) unless ``options.resolve_env``; elsewhere it is resolved with S2C007.
"""

from __future__ import annotations

import functools
import operator
import os
import platform
import pwd
import re
import shlex
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from . import datatypes as dt
from .findings import ConfigError, Finding, Loc, Severity
from .mapping import OPEN_SECTIONS, all_known_options, known_options, section_kind, suggest
from .model import (
    ENV_MARK_RE,
    ENV_MARK_START,
    AutoRestart,
    GroupSpec,
    LogKind,
    LogSpec,
    OtherSection,
    ProcessSpec,
    RawConfig,
    RawOption,
    RawSection,
    ServerSpec,
    SocketSpec,
    SupervisorConfig,
    SupervisordSpec,
    env_marker,
    takes_whole_mapping,
)
from .options import ConvertOptions
from .redact import shown_env_name
from .rules import finding

__all__ = ["EVENT_TYPES", "build"]

T = TypeVar("T")

# supervisor.events.EventTypes (4.3.0)
EVENT_TYPES = frozenset(
    {
        "EVENT",
        "PROCESS_STATE",
        "PROCESS_STATE_STOPPED",
        "PROCESS_STATE_EXITED",
        "PROCESS_STATE_STARTING",
        "PROCESS_STATE_STOPPING",
        "PROCESS_STATE_BACKOFF",
        "PROCESS_STATE_FATAL",
        "PROCESS_STATE_RUNNING",
        "PROCESS_STATE_UNKNOWN",
        "PROCESS_COMMUNICATION",
        "PROCESS_COMMUNICATION_STDOUT",
        "PROCESS_COMMUNICATION_STDERR",
        "PROCESS_LOG",
        "PROCESS_LOG_STDOUT",
        "PROCESS_LOG_STDERR",
        "REMOTE_COMMUNICATION",
        "SUPERVISOR_STATE_CHANGE",
        "SUPERVISOR_STATE_CHANGE_RUNNING",
        "SUPERVISOR_STATE_CHANGE_STOPPING",
        "TICK",
        "TICK_5",
        "TICK_60",
        "TICK_3600",
        "PROCESS_GROUP",
        "PROCESS_GROUP_ADDED",
        "PROCESS_GROUP_REMOVED",
    }
)

_DEFAULT_SECTION = "DEFAULT"
_PUA_BASE = 0xF0000
_PUA_MIN = chr(_PUA_BASE)
_ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_FCGI_TCP_RE = re.compile(r"tcp://([^\s:]+):(\d+)$")


@dataclass(frozen=True, slots=True)
class _Val:
    """A value in both worlds: ``real`` (fully resolved; None when an undefined ENV name was
    deferred) and ``text`` (what goes into the model; may hold deferred-env markers)."""

    real: str | None
    text: str


class _Layered(Mapping[str, object]):
    """A read-only view of dicts layered like successive ``dict.update`` calls (no copy)."""

    def __init__(self, layers: tuple[Mapping[str, object], ...]) -> None:
        self.layers = layers
        self.rev = layers[::-1]  # lookup order

    def __getitem__(self, key: str) -> object:
        for d in reversed(self.layers):
            if key in d:
                return d[key]
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return any(key in d for d in self.layers)

    def __iter__(self) -> Iterator[str]:
        seen: dict[str, None] = {}
        for d in self.layers:
            seen.update(dict.fromkeys(d))
        return iter(seen)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


def _layers(m: Mapping[str, object]) -> tuple[Mapping[str, object], ...]:
    return m.layers if type(m) is _Layered else (m,)


_MISSING = object()


def _values(m: Mapping[str, object], keys: tuple[str, ...]) -> list[object]:
    """``[m[k] for k in keys]`` with ``_MISSING`` for an absent key."""
    if type(m) is _Layered:
        return _lookup_all(m.rev, keys)
    get = m.get
    return [get(k, _MISSING) for k in keys]


def _template_values(tpl: _Tpl, m: Mapping[str, object]) -> tuple[tuple[object, ...], bool]:
    """The values of ``tpl``'s keys in ``m`` (``_MISSING`` for an absent one), and whether one
    is absent: from the top dict of the maps in one C call when it holds them all (first match
    wins: then they are the maps' values), else layer by layer."""
    top = m.rev[0] if type(m) is _Layered else m
    if type(top) is dict:
        try:
            return tpl.getter(top), False
        except KeyError:
            pass  # one is missing (or in a lower layer)
    values = tuple(_values(m, tpl.keys))
    return values, _MISSING in values


def _lookup_all(
    rev_layers: tuple[Mapping[str, object], ...], keys: tuple[str, ...]
) -> list[object]:
    """``[m[k] for k in keys]`` with ``_MISSING`` for an absent key, ``rev_layers`` being the
    dicts of ``m`` to look a key up in, first match wins."""
    if len(rev_layers) == 1:
        get = rev_layers[0].get
        return [get(k, _MISSING) for k in keys]
    if len(rev_layers) == 2:
        top, under = rev_layers
        return [top[k] if k in top else under.get(k, _MISSING) for k in keys]
    out = []
    for k in keys:
        v = _MISSING
        for d in rev_layers:
            v = d.get(k, _MISSING)
            if v is not _MISSING:
                break
        out.append(v)
    return out


# One %-spec of a format string used with a mapping: %% or %(key)<flags><width>.<prec><type>
# (keys without parentheses or %; no * width, no length modifier: anything else is left to
# Python's own parser on the slow path).
_SPEC_RE = re.compile(r"%(?:%|\(([^()%]*)\)([-#0 +]*\d*(?:\.\d*)?[diouxXeEfFgGcrsa]))")


class _Tpl:
    """A format string whose %-specs are all simple ``%(key)...`` ones, pre-parsed.

    ``s % mapping`` formats each spec independently with ``mapping[key]``, left to right, so
    it equals ``positional % tuple(mapping[k] for k in keys)`` where ``positional`` is ``s``
    without the ``(key)`` parts. ``plain`` and the checks below are those of
    :meth:`_Builder._try_defer`, cached."""

    __slots__ = (
        "_bad",
        "getter",
        "keys",
        "not_deferrable",
        "notes_deferred",
        "notes_resolved",
        "plain",
        "positional",
        "ukeys",
        "verbatim",
    )

    def __init__(
        self, keys: tuple[str, ...], positional: str, plain: str, verbatim: bool = False
    ) -> None:
        self.keys = keys
        self.ukeys = tuple(dict.fromkeys(keys))
        self.positional = positional
        # ``tuple(d[k] for k in keys)`` of a dict ``d`` (KeyError if one is missing), in C
        self.getter: Callable[[Mapping[str, object]], tuple[object, ...]] = (
            operator.itemgetter(*keys) if len(keys) > 1 else _getter1(keys)
        )
        # no spec has a precision: a str value formatted without error appears whole in the
        # result (%s, %r, %a and widths keep it; %c only takes one character)
        self.verbatim = verbatim
        # whether _note_uses can report anything (set by the builder: _Builder._tpl)
        self.notes_deferred = True
        self.notes_resolved = True
        self.plain = plain
        self.not_deferrable = re.search(r"%[^(%]", plain) is not None
        self._bad: dict[str, bool] = {}

    def bad_use(self, key: str) -> bool:
        """``%(key)`` used with anything but a plain ``s`` (see _try_defer)."""
        bad = self._bad.get(key)
        if bad is None:
            bad = re.search(r"%\(" + re.escape(key) + r"\)(?!s)", self.plain) is not None
            self._bad[key] = bad
        return bad


def _getter1(keys: tuple[str, ...]) -> Callable[[Mapping[str, object]], tuple[object, ...]]:
    """The :attr:`_Tpl.getter` of zero or one key (``itemgetter`` of one key gives no tuple)."""
    if not keys:
        return lambda d: ()
    key = keys[0]
    return lambda d: (d[key],)


def _parse_tpl(s: str) -> _Tpl | None:
    keys: list[str] = []
    parts: list[str] = []
    pos = 0
    verbatim = True
    for m in _SPEC_RE.finditer(s):
        lit = s[pos : m.start()]
        if "%" in lit:
            return None
        parts.append(lit)
        key = m.group(1)
        if key is None:
            parts.append("%%")
        else:
            keys.append(key)
            parts.append("%" + m.group(2))
            if "." in m.group(2):
                verbatim = False
        pos = m.end()
    lit = s[pos:]
    if "%" in lit:
        return None
    parts.append(lit)
    return _Tpl(tuple(keys), "".join(parts), _strip_double_percent(s), verbatim)


class _Maps:
    """A pair of expansion dicts: real values and values with deferred markers.

    Only maps made directly (not by :meth:`merged`) are mutated, like supervisor's dicts."""

    __slots__ = ("defer", "real")

    def __init__(
        self, real: Mapping[str, object] | None = None, defer: Mapping[str, object] | None = None
    ) -> None:
        self.real: Mapping[str, object] = {} if real is None else real
        self.defer: Mapping[str, object] = {} if defer is None else defer

    def set(self, key: str, real: object | None, text: object) -> None:
        assert isinstance(self.real, dict) and isinstance(self.defer, dict)
        if real is not None:
            self.real[key] = real
        else:
            self.real.pop(key, None)
        self.defer[key] = text

    def update(self, other: _Maps) -> None:
        assert isinstance(self.real, dict) and isinstance(self.defer, dict)
        self.real.update(other.real)
        self.defer.update(other.defer)

    def merged(self, *others: _Maps) -> _Maps:
        real = _layers(self.real) + tuple(x for o in others for x in _layers(o.real))
        defer = _layers(self.defer) + tuple(x for o in others for x in _layers(o.defer))
        return _Maps(_Layered(real), _Layered(defer))


class _Recording(Mapping[str, object]):
    """Expansions that remember which names were looked up."""

    def __init__(self, base: Mapping[str, object]) -> None:
        self.base = base
        self.used: set[str] = set()

    def __getitem__(self, key: str) -> object:
        self.used.add(key)
        return self.base[key]

    def peek(self, key: str) -> object:
        return self.base.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self.base

    def __iter__(self) -> Iterator[str]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)

    def __repr__(self) -> str:
        return repr(dict(self.base.items()))


class _DeferMap(_Recording):
    """Expansions with markers; an undefined ``ENV_X`` becomes a marker too (deferred).
    ``convert`` is applied to every value looked up."""

    def __init__(
        self,
        base: Mapping[str, object],
        make: Callable[[str], str],
        convert: Callable[[object], object] | None = None,
    ) -> None:
        super().__init__(base)
        self.make = make
        self.convert = convert
        self.undefined: set[str] = set()

    def __getitem__(self, key: str) -> object:
        self.used.add(key)
        try:
            value = self.base[key]
        except KeyError:
            if key.startswith("ENV_") and _ENV_NAME_RE.match(key[4:]):
                self.undefined.add(key[4:])
                return self.make(key[4:])
            raise
        return value if self.convert is None else self.convert(value)


def _user_exists(name: str) -> bool:
    try:
        uid = int(name)
    except ValueError:
        try:
            pwd.getpwnam(name)
        except KeyError:
            return False
        return True
    try:
        pwd.getpwuid(uid)
    except (KeyError, OverflowError):
        return False
    return True


@functools.lru_cache(maxsize=1024)
def _s2c008(name: str) -> str:
    """The S2C008 message for ``%(ENV_<name>)s`` (made once per name: a deferred variable is
    usually used by thousands of options)."""
    return (
        f"%(ENV_{name})s is not defined in this environment: it is deferred to circusd, which "
        f"must have {name} in its environment (supervisord would refuse to start without it)"
    )


def _strip_double_percent(s: str) -> str:
    return s.replace("%%", "")


class _Builder:
    def __init__(self, raw: RawConfig, options: ConvertOptions) -> None:
        self.raw = raw
        self.opts = options
        self.env = options.env()
        self.resolve = options.resolve_env
        self.node = (
            options.host_node_name if options.host_node_name is not None else platform.node()
        )
        self.findings: list[Finding] = list(raw.findings)
        self._seen: set[tuple[str, str, int, str | None, str | None, str]] = set()
        self.deferred: set[str] = set()
        self.sections: dict[str, RawSection] = {
            s.name: s for s in raw.sections if s.name != _DEFAULT_SECTION
        }
        self.default_section = raw.section(_DEFAULT_SECTION)
        self.here = raw.here
        self._pua: dict[str, str] = {}
        # caches of pure functions of their key (none outlives this build)
        self._tpls: dict[str, _Tpl | None] = {}
        self._conv_cache: dict[tuple[Callable[[str], object], str], object] = {}
        self._users: dict[str, bool] = {}
        self._dirs: dict[str, tuple[str, bool]] = {}  # head -> dirname, whether a directory
        self._options_copies: dict[str, tuple[RawSection, dict[str, RawOption]]] = {}
        self._logspecs: dict[tuple[object, ...], LogSpec] = {}  # those without a path
        self._settings_memo: dict[tuple[tuple[str, str], ...], _Settings] = {}
        self._marker_names: dict[str, tuple[str, ...]] = {}
        # supervisor's self.environ_expansions (os.environ, then [supervisord] environment)
        self.environ = _Maps()
        self.odd_env_keys: set[str] = set()  # machine ENV_ names that cannot be deferred
        # --resolve-env: the ENV_ names whose value comes from this machine's environment (not
        # from [supervisord] environment=), and those baked in, with where each was first used
        self.machine_env_keys = {f"ENV_{k}" for k in self.env}
        self.baked: dict[str, Loc] = {}
        for k, v in self.env.items():
            # only identifier-like names can be deferred (a marker must name them exactly)
            deferrable = not self.resolve and _ENV_NAME_RE.match(k) is not None
            if not self.resolve and not deferrable:
                self.odd_env_keys.add(f"ENV_{k}")
            self.environ.set(f"ENV_{k}", v, env_marker(k) if deferrable else v)

    # ------------------------------------------------------------------ findings / errors

    def find(
        self,
        code: str,
        message: str,
        loc: Loc,
        section: str | None = None,
        option: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        key = (code, loc.file, loc.line, section, option, message)
        if key in self._seen:
            return
        self._seen.add(key)
        self.findings.append(finding(code, message, loc, section, option, severity))

    @staticmethod
    def error(message: str, loc: Loc, hint: str = "") -> ConfigError:
        return ConfigError(message, loc.file, loc.line, hint=hint)

    # ------------------------------------------------------------------ expansion

    def _sentinel(self, name: str) -> str:
        ch = self._pua.get(name)
        if ch is None:
            ch = chr(_PUA_BASE + len(self._pua))
            self._pua[name] = ch
        return ch

    def _to_sentinels(self, value: object) -> object:
        if isinstance(value, str):
            return ENV_MARK_RE.sub(lambda m: self._sentinel(m.group(1)), value)
        return value

    def _from_sentinels(self, value: str) -> str:
        for name, ch in self._pua.items():
            if ch in value:
                value = value.replace(ch, env_marker(name))
        return value

    def _try_defer(self, s: str, defer: Mapping[str, object], name: str) -> tuple[str, _DeferMap]:
        """Expand with markers; raises ValueError (supervisor's message) on a bad format and
        _NotDeferrable when a marker would not stand for the value exactly."""
        plain = _strip_double_percent(s)
        if re.search(r"%[^(%]", plain):  # %s of the whole mapping etc.: resolve
            raise _NotDeferrable
        dm = _DeferMap(defer, env_marker)
        result = _expand(s, dm, name)
        marked_keys = [
            k
            for k in dm.used
            if k[4:] in dm.undefined
            or (isinstance(dm.peek(k), str) and ENV_MARK_RE.search(str(dm.peek(k))))
        ]
        if not marked_keys:
            return result, dm
        # every ENV name whose value holds a marker must be used as a plain %(ENV_X)s
        for key in marked_keys:
            if re.search(r"%\(" + re.escape(key) + r"\)(?!s)", plain):
                raise _NotDeferrable
        sm = _DeferMap(defer, self._sentinel, self._to_sentinels)
        try:
            check = _expand(s, sm, name)
        except ValueError:
            raise _NotDeferrable from None
        if self._from_sentinels(check) != result:
            raise _NotDeferrable
        return result, dm

    def ev(
        self,
        value: _Val,
        maps: _Maps,
        name: str,
        loc: Loc,
        section: str,
        option: str,
        *,
        deferrable: bool = False,
    ) -> _Val:
        """supervisor's ``expand(value, maps, name)`` in both worlds."""
        if "%" not in value.text and (value.real is None or "%" not in value.real):
            return value  # nothing to expand (and nothing looked up)
        if value.real == value.text:
            tpl = self._tpl(value.text)
            if tpl is not None:
                fast = self._ev_fast(tpl, maps, loc, section, option, deferrable)
                if fast is not None:
                    return fast
        real: str | None = None
        real_err: str | None = None  # the message only: a kept exception is a cycle
        rec = _Recording(maps.real)
        if value.real is not None:
            try:
                real = _expand(value.real, rec, name)
            except ValueError as exc:
                real_err = str(exc)
        if real_err is None and (
            takes_whole_mapping(value.text)
            or (value.real is not None and takes_whole_mapping(value.real))
        ):
            raise _NotConverted(_whole_mapping_message(option), loc, option, code="S2C015")
        if deferrable and not self.resolve:
            try:
                text, dm = self._try_defer(value.text, maps.defer, name)
            except ValueError as exc:
                raise self.error(str(exc), loc, hint=_EXPAND_HINT) from None
            except _NotDeferrable:
                pass
            else:
                self._note_uses(dm.used, section, option, loc, resolved=False)
                names = ENV_MARK_RE.findall(text)
                self.deferred.update(names)
                for undefined in sorted(dm.undefined):
                    self.find(
                        "S2C008",
                        _s2c008(undefined),
                        loc,
                        section,
                        option,
                    )
                return _Val(real if real_err is None else None, text)
        if real_err is not None or real is None:
            if real_err is None:
                # value.real is None: an undefined ENV name deferred upstream
                undef = [n for n in ENV_MARK_RE.findall(value.text) if n not in self.env]
                msg = (
                    f"{option} uses %(ENV_{undef[0] if undef else '?'})s, which is "
                    "not defined in this environment and cannot be deferred here"
                )
                if not self.resolve:
                    raise _NotConverted(msg, loc, option, hint=_ENV_HINT)
                raise self.error(msg, loc, hint=_ENV_HINT)
            m = re.search(r"contains names \('ENV_([^']*)'\)", real_err)
            if m:
                why = (
                    "--resolve-env was given"
                    if self.resolve
                    else f"a {option} value cannot be deferred to circusd's environment"
                )
                msg = (
                    f"%(ENV_{m.group(1)})s in [{section}] {option} cannot be expanded: "
                    f"{m.group(1)} is not defined in this environment and {why} "
                    "(supervisord refuses to start without it too)"
                )
                if not self.resolve:
                    raise _NotConverted(msg, loc, option, hint=_ENV_HINT)
                raise self.error(msg, loc, hint=_ENV_HINT)
            hint = (
                "use only the names available in this option, or write %% for a literal %"
                if "cannot be expanded" in real_err
                else _EXPAND_HINT
            )
            raise self.error(real_err, loc, hint=hint)
        self._note_uses(rec.used, section, option, loc, resolved=True, maps=maps)
        return _Val(real, real)

    def _tpl(self, text: str) -> _Tpl | None:
        """The pre-parsed format string (None: not a simple one), cached."""
        tpls = self._tpls
        if text in tpls:
            return tpls[text]
        tpl = tpls[text] = _parse_tpl(text)
        if tpl is not None:
            keys = set(tpl.ukeys)
            # what _note_uses can report: host_node_name, machine ENV_ names that cannot be
            # deferred; when resolved, also any ENV_ name
            tpl.notes_deferred = "host_node_name" in keys or not keys.isdisjoint(self.odd_env_keys)
            # (with --resolve-env: the names baked in, S2C016)
            tpl.notes_resolved = tpl.notes_deferred or any(k.startswith("ENV_") for k in keys)
        return tpl

    def _markers_in(self, value: str) -> tuple[str, ...]:
        """``ENV_MARK_RE.findall(value)``, cached (the values holding markers repeat)."""
        names = self._marker_names.get(value)
        if names is None:
            names = self._marker_names[value] = tuple(ENV_MARK_RE.findall(value))
        return names

    def _ev_fast(
        self, tpl: _Tpl, maps: _Maps, loc: Loc, section: str, option: str, deferrable: bool
    ) -> _Val | None:
        """:meth:`ev` of an unexpanded value (``real == text``) for a simple format string,
        with the same results and side effects; None when the slow path must decide (errors,
        values holding this build's sentinel characters...). Nothing is done before None."""
        keys = tpl.keys
        rvals, missing = _template_values(tpl, maps.real)
        real: str | None = None
        if not missing:
            try:
                real = tpl.positional % rvals
            except Exception:
                return None
        if deferrable and not self.resolve and not tpl.not_deferrable:
            # _try_defer: expand with markers (an undefined identifier-like ENV_X is deferred)
            dvals, some_missing = _template_values(tpl, maps.defer)
            undefined: set[str] = set()  # names
            if some_missing:
                for k, v in zip(keys, dvals, strict=True):
                    if v is _MISSING:
                        if not (k.startswith("ENV_") and _ENV_NAME_RE.match(k[4:])):
                            return None  # a KeyError: the slow path raises supervisor's message
                        undefined.add(k[4:])
                try:
                    text = tpl.positional % tuple(
                        env_marker(k[4:]) if v is _MISSING else v
                        for k, v in zip(keys, dvals, strict=True)
                    )
                except Exception:
                    return None
            elif real is not None and all(map(operator.is_, dvals, rvals)):
                text = real
            else:
                try:
                    text = tpl.positional % tuple(dvals)
                except Exception:
                    return None
            # the names whose values hold markers (or are deferred) must be used as plain %(X)s
            # (none when nothing is undefined and no marker is in a verbatim result)
            marked = False
            bad = False
            marker_names = self._marker_names
            for k, v in (
                zip(keys, dvals, strict=True)
                if undefined or not tpl.verbatim or ENV_MARK_START in text
                else ()
            ):
                if (isinstance(v, str) and ENV_MARK_START in v and self._markers_in(v)) or (
                    undefined and k[4:] in undefined
                ):
                    marked = True
                    if tpl.bad_use(k):
                        bad = True
                        break
            if not bad:
                if marked:
                    if not text.isascii() and max(text) >= _PUA_MIN:
                        return None  # the sentinel round trip is not a formality: slow path
                    # the round trip through sentinels gives ``text`` back; allocate them in
                    # the order the slow path does
                    pua = self._pua
                    for k, v in zip(keys, dvals, strict=True):
                        if v is _MISSING:
                            if k[4:] not in pua:
                                self._sentinel(k[4:])
                        elif isinstance(v, str) and ENV_MARK_START in v:
                            names = marker_names.get(v)
                            for n in self._markers_in(v) if names is None else names:
                                if n not in pua:
                                    self._sentinel(n)
                if tpl.notes_deferred:
                    self._note_uses(set(keys), section, option, loc, resolved=False)
                if ENV_MARK_START in text:
                    self.deferred.update(ENV_MARK_RE.findall(text))
                if undefined:
                    for name in sorted(undefined):
                        self.find(
                            "S2C008",
                            _s2c008(name),
                            loc,
                            section,
                            option,
                        )
                return _Val(real, text)
        if real is None:
            return None  # the slow path raises (or reports) what supervisor would
        if tpl.notes_resolved:
            self._note_uses(set(keys), section, option, loc, resolved=True, maps=maps)
        return _Val(real, real)

    def _note_uses(
        self,
        used: set[str],
        section: str,
        option: str,
        loc: Loc,
        *,
        resolved: bool,
        maps: _Maps | None = None,
    ) -> None:
        if "host_node_name" in used:
            self.find(
                "S2C010",
                f"%(host_node_name)s in {option} is baked in as this machine's host name "
                f"({self.node!r})",
                loc,
                section,
                option,
            )
        for key in sorted(used & self.odd_env_keys):
            self.find(
                "S2C007",
                f"%({key})s in {option} is resolved now from this machine's environment: "
                "the variable's name cannot be deferred to circusd",
                loc,
                section,
                option,
            )
        if self.resolve:
            for key in used & self.machine_env_keys:
                self.baked.setdefault(key[4:], loc)
        if not resolved or self.resolve or maps is None:
            return
        for key in sorted(used):
            if not key.startswith("ENV_"):
                continue
            d = maps.defer.get(key)
            if isinstance(d, str) and ENV_MARK_RE.search(d):
                self.find(
                    "S2C007",
                    f"%({key})s in {option} is resolved now from this machine's environment "
                    f"(variable {key[4:]}): circus cannot defer it here",
                    loc,
                    section,
                    option,
                )

    # ------------------------------------------------------------------ option access

    def loc(self, sec: RawSection, opt: str) -> Loc:
        raw = sec.options.get(opt)
        return raw.loc if raw is not None else sec.loc

    def get(
        self,
        sec: RawSection,
        opt: str,
        default: str | None,
        maps: _Maps | Callable[[], _Maps],
        *,
        deferrable: bool = False,
        do_expand: bool = True,
    ) -> _Val | None:
        """supervisor's ``parser.saneget(section, opt, default, expansions=maps)``."""
        raw = sec.options.get(opt)
        if raw is None:
            return None if default is None else _Val(default, default)
        v = _Val(raw.value, raw.value)
        if not do_expand or "%" not in raw.value:
            return v
        m = maps() if callable(maps) else maps
        try:
            return self.ev(v, m, f"{sec.name}.{opt}", raw.loc, sec.name, opt, deferrable=deferrable)
        except _NotConverted as exc:
            if sec.name != "supervisord":
                raise
            # a daemon setting: leave it at supervisor's default, loudly
            self.find(
                exc.code,
                f"{exc.message}; {opt} is not converted (supervisor's default is used)",
                raw.loc,
                sec.name,
                opt,
            )
            return None if default is None else _Val(default, default)

    def _skip_section(self, name: str, exc: _NotConverted) -> None:
        """A section whose values need a variable this machine does not define: not
        converted, with an error finding (a fact of the converting machine, not exit 2)."""
        sec = self.sections[name]
        self.find(
            exc.code,
            f"{exc.message}; [{name}] is not converted",
            Loc(exc.file or sec.loc.file, exc.line or sec.loc.line),
            name,
            exc.option,
        )

    def conv(self, fn: Callable[[str], T], val: _Val, sec: RawSection, opt: str) -> T:
        raw = sec.options.get(opt)
        try:
            return fn(val.real if val.real is not None else val.text)
        except ValueError as exc:
            msg = str(exc)
            if raw is not None and "%" in raw.value:
                # the value came through an expansion (maybe of an environment variable):
                # never print it
                msg = f"the expanded value is not valid ({_what(fn.__name__)})"
            raise self.error(
                f"{msg} in [{sec.name}] {opt}",
                self.loc(sec, opt),
                hint=_VALUE_HINTS.get(fn.__name__, "fix the value"),
            ) from None

    def value(
        self,
        fn: Callable[[str], T],
        sec: RawSection,
        opt: str,
        default: str,
        maps: _Maps | Callable[[], _Maps],
    ) -> T:
        raw = sec.options.get(opt)
        text = default if raw is None else raw.value
        if "%" in text:
            v = self.get(sec, opt, default, maps)
            assert v is not None
            return self.conv(fn, v, sec, opt)
        # nothing to expand: the result is a function of (fn, text) only
        key = (fn, text)
        result = self._conv_cache.get(key, _MISSING)
        if result is _MISSING:
            result = self._conv_cache[key] = self.conv(fn, _Val(text, text), sec, opt)
        return result  # type: ignore[return-value]

    def static_value(
        self, fn: Callable[[str], T], sec: RawSection, opt: str, default: str
    ) -> T | None:
        """:meth:`value` when it is the same for every process of ``sec`` and valid, else
        None (then :meth:`value` must be called where supervisor reads it)."""
        raw = sec.options.get(opt)
        text = default if raw is None else raw.value
        if "%" in text:
            return None
        key = (fn, text)
        result = self._conv_cache.get(key, _MISSING)
        if result is _MISSING:
            try:
                result = self._conv_cache[key] = fn(text)
            except Exception:
                return None
        return result  # type: ignore[return-value]

    # ------------------------------------------------------------------ sections

    def check_options(self) -> None:
        known_anywhere = all_known_options()
        known_by_kind: dict[str, frozenset[str]] = {}
        default_keys: set[str] = set()
        if self.default_section is not None:
            for key, raw in self.default_section.options.items():
                default_keys.add(key)
                if key not in known_anywhere:
                    self.find(
                        "S2C004",
                        f"unknown option '{raw.key_text or key}' in [DEFAULT] (supervisor "
                        "ignores it)",
                        raw.loc,
                        _DEFAULT_SECTION,
                        key,
                    )
        for sec in self.sections.values():
            kind = section_kind(sec.name)
            if kind is None:
                lower = sec.name.lower()
                hint = ""
                for prefix in ("program", "fcgi-program", "eventlistener", "group"):
                    if lower.startswith(prefix + ":"):
                        hint = (
                            f" (section names are case-sensitive: did you mean "
                            f"[{prefix}:{sec.name.split(':', 1)[1]}]?)"
                        )
                if lower in ("supervisord", "supervisorctl", "include", "unix_http_server"):
                    hint = f" (section names are case-sensitive: did you mean [{lower}]?)"
                self.find(
                    "S2C006",
                    f"section [{sec.name}] is not read by supervisord{hint}",
                    sec.loc,
                    sec.name,
                )
                continue
            if kind in OPEN_SECTIONS:
                continue
            known = known_by_kind.get(kind)
            if known is None:
                known = known_by_kind[kind] = known_options(kind)
            for key, raw in sec.options.items():
                if key in known:
                    continue
                if (
                    self.default_section is not None
                    and key in default_keys
                    and raw.loc == self.default_section.options[key].loc
                ):
                    continue  # from [DEFAULT]: reported once above
                shown = raw.key_text or key
                if key in known_anywhere:
                    kinds = ", ".join(f"[{k}]" for k in known_anywhere[key])
                    self.find(
                        "S2C005",
                        f"option '{shown}' is not read in [{sec.name}] (it belongs to {kinds}); "
                        "supervisor ignores it here",
                        raw.loc,
                        sec.name,
                        key,
                    )
                else:
                    sugg = suggest(key, kind)
                    extra = f"; did you mean '{sugg}'?" if sugg else ""
                    self.find(
                        "S2C004",
                        f"unknown option '{shown}' in [{sec.name}] (supervisor ignores it{extra})",
                        raw.loc,
                        sec.name,
                        key,
                    )

    # ------------------------------------------------------------------ [supervisord]

    def supervisord(self) -> SupervisordSpec:
        sec = self.sections.get("supervisord")
        present = sec is not None
        if sec is None:
            self.find(
                "S2C009",
                "no [supervisord] section: converted as a conf.d snippet included by an "
                "empty main config (supervisord defaults)",
                Loc(self.raw.main_file, 1),
            )
            if self.default_section is not None:
                # the snippet's [DEFAULT] applies to the including file's [supervisord] too
                sec = RawSection(
                    name="supervisord",
                    loc=Loc(self.raw.main_file, 1),
                    options=dict(self.default_section.options),
                    here=self.here,
                )
        if sec is None:
            return SupervisordSpec(
                present=False,
                nodaemon=False,
                logfile="supervisord.log",
                logfile_maxbytes=50 * 1024 * 1024,
                logfile_backups=10,
                loglevel="info",
                pidfile="supervisord.pid",
                umask=0o22,
                user=None,
                directory=None,
                childlogdir=self._tempdir(),
                environment=(),
                minfds=1024,
                minprocs=200,
                identifier="supervisor",
                nocleanup=False,
                strip_ansi=False,
                silent=False,
                section_loc=Loc(self.raw.main_file, 1),
                options={},
            )
        common = _Maps({"here": self.here}, {"here": self.here})
        maps = self.environ.merged(common)

        def val(opt: str, default: str) -> _Val:
            v = self.get(sec, opt, default, maps)
            assert v is not None
            return v

        def text(opt: str, default: str) -> str:
            v = val(opt, default)
            return v.real if v.real is not None else v.text

        minfds = self.conv(dt.integer, val("minfds", "1024"), sec, "minfds")
        minprocs = self.conv(dt.integer, val("minprocs", "200"), sec, "minprocs")
        dv = self.get(sec, "directory", None, maps)
        directory = None if dv is None else dt.expanduser(dv.text, self.env)
        uv = self.get(sec, "user", None, maps)
        user = None if uv is None else uv.text
        umask = self.conv(dt.octal_type, val("umask", "022"), sec, "umask")
        logfile = dt.expanduser(text("logfile", "supervisord.log"), self.env)
        self._check_dir(logfile, sec, "logfile")
        maxbytes = self.conv(dt.byte_size, val("logfile_maxbytes", "50MB"), sec, "logfile_maxbytes")
        backups = self.conv(dt.integer, val("logfile_backups", "10"), sec, "logfile_backups")
        loglevel = self.conv(dt.logging_level, val("loglevel", "info"), sec, "loglevel")
        pidfile = dt.expanduser(text("pidfile", "supervisord.pid"), self.env)
        identifier = text("identifier", "supervisor")
        nodaemon = self.conv(dt.boolean, val("nodaemon", "false"), sec, "nodaemon")
        silent = self.conv(dt.boolean, val("silent", "false"), sec, "silent")
        childlogdir = dt.expanduser(text("childlogdir", self._tempdir()), self.env)
        if "childlogdir" in sec.options:
            self._check_dir(os.path.join(childlogdir, ""), sec, "childlogdir")
        nocleanup = self.conv(dt.boolean, val("nocleanup", "false"), sec, "nocleanup")
        strip_ansi = self.conv(dt.boolean, val("strip_ansi", "false"), sec, "strip_ansi")

        # environment: saneget-expanded, then expanded again with here/host_node_name/ENV_*
        ev1 = self.get(sec, "environment", "", maps, deferrable=True)
        assert ev1 is not None
        second = self.environ.merged(
            _Maps(
                {"here": self.here, "host_node_name": self.node},
                {"here": self.here, "host_node_name": self.node},
            )
        )
        eloc = self.loc(sec, "environment")
        ev2 = self.ev(
            ev1, second, "environment", eloc, "supervisord", "environment", deferrable=True
        )
        env_text, env_real = self._parse_env(ev2, sec, "environment")
        for k, v in env_text.items():
            self.environ.set(f"ENV_{k}", env_real.get(k), v)
            self.machine_env_keys.discard(f"ENV_{k}")

        if user is not None and not self._user_exists(user):
            self.find(
                "S2C011",
                f"user {user!r} does not exist on this machine (supervisord refuses to start "
                "where it does not exist; nothing to do if it exists where the config runs)",
                self.loc(sec, "user"),
                "supervisord",
                "user",
            )
        return SupervisordSpec(
            present=present,
            nodaemon=nodaemon,
            logfile=logfile,
            logfile_maxbytes=maxbytes,
            logfile_backups=backups,
            loglevel=loglevel,
            pidfile=pidfile,
            umask=umask,
            user=user,
            directory=directory,
            childlogdir=childlogdir,
            environment=tuple(env_text.items()),
            minfds=minfds,
            minprocs=minprocs,
            identifier=identifier,
            nocleanup=nocleanup,
            strip_ansi=strip_ansi,
            silent=silent,
            section_loc=sec.loc,
            options=dict(sec.options),
        )

    def report_baked(self) -> None:
        """S2C016 once per conversion: the variables --resolve-env took from this machine (the
        names only: the values may be secrets)."""
        if not self.baked:
            return
        self.find(
            "S2C016",
            f"--resolve-env: the values of {', '.join(sorted(self.baked))} were taken from "
            "this machine's environment and written into circus.ini (circusd will not read "
            "them from its own environment)",
            next(iter(self.baked.values())),  # where the first was used
        )

    def _tempdir(self) -> str:
        for name in ("TMPDIR", "TEMP", "TMP"):
            v = self.env.get(name)
            if v:
                return v
        return "/tmp"

    def _user_exists(self, name: str) -> bool:
        known = self._users.get(name)
        if known is None:
            known = self._users[name] = _user_exists(name)
        return known

    def _check_dir(self, path: str, sec: RawSection, opt: str) -> None:
        if (ENV_MARK_START in path and ENV_MARK_RE.search(path)) or path == "syslog":
            return
        # os.path.dirname(path) only depends on the path up to its last "/" (the head)
        head = path[: path.rfind("/") + 1]
        known = self._dirs.get(head)
        if known is None:
            d = os.path.dirname(path)
            known = self._dirs[head] = (d, bool(d) and os.path.isdir(d))
        d, isdir = known
        if not d:
            return
        if not isdir:
            self.find(
                "S2C012",
                f"the directory {d!r} of {opt} does not exist on this machine: where it is "
                "missing, supervisord refuses to start and circusd silently drops the watcher "
                "(nothing to do if it exists where circusd runs)",
                self.loc(sec, opt),
                sec.name,
                opt,
            )

    def _parse_env(
        self, v: _Val, sec: RawSection, opt: str
    ) -> tuple[dict[str, str], dict[str, str]]:
        """dict_of_key_value_pairs in both worlds -> (text values, real values; the same dict
        when they are equal)."""
        try:
            text_env = _kv_pairs(v.text)
        except ValueError as exc:
            raise self.error(
                f"{_env_error(v.text, exc)} in [{sec.name}] {opt}",
                self.loc(sec, opt),
                hint='write KEY="value",KEY2="value 2" (quote values with spaces, commas or '
                "characters such as @ ? & =)",
            ) from None
        real_env: dict[str, str] = {}
        if v.real is not None:
            if v.real == v.text:
                real_env = text_env
            else:
                try:
                    real_env = _kv_pairs(v.real)
                except ValueError:
                    real_env = {}
        for key in text_env:
            if ENV_MARK_START in key and ENV_MARK_RE.search(key):
                # a deferred name in a key cannot stay deferred: resolve the whole value
                loc = self.loc(sec, opt)
                if v.real is None:
                    raise self.error(
                        f"{opt} uses an undefined %(ENV_...)s in a variable name", loc, _ENV_HINT
                    )
                for n in ENV_MARK_RE.findall(v.text):
                    self.find(
                        "S2C007",
                        f"%(ENV_{n})s in {opt} is resolved now from this machine's environment"
                        " (it is part of a variable name)",
                        loc,
                        sec.name,
                        opt,
                    )
                return dict(real_env), real_env
        return text_env, real_env

    # ------------------------------------------------------------------ groups

    def groups(self) -> tuple[list[GroupSpec], list[ProcessSpec]]:
        all_sections = list(self.sections)
        common = _Maps({"here": self.here}, {"here": self.here})
        gmaps = self.environ.merged(common)
        # the group specs in supervisor's append order; entry i's processes are
        # all_procs[bounds[2 * i] : bounds[2 * i + 1]] (no container per entry: fewer objects
        # for the garbage collector to follow)
        entry_groups: list[GroupSpec] = []
        bounds: list[int] = []
        all_procs: list[ProcessSpec] = []
        homogeneous_exclude: set[str] = set()

        for name in all_sections:
            start = len(all_procs)
            try:
                if not name.startswith("group:"):
                    continue
                sec = self.sections[name]
                gname = self._name(name.split(":", 1)[1], sec, None)
                pv = self.get(sec, "programs", None, gmaps)
                programs = dt.list_of_strings(pv.text if pv is not None else None)
                priority = self.value(dt.integer, sec, "priority", "999", gmaps)
                member_sections: list[str] = []
                for program in programs:
                    psec = f"program:{program}"
                    fsec = f"fcgi-program:{program}"
                    if psec not in self.sections and fsec not in self.sections:
                        raise self.error(
                            f"[{name}] names unknown program or fcgi-program {program}",
                            self.loc(sec, "programs"),
                            hint=f"add a [program:{program}] section or remove it from programs=",
                        )
                    if psec in self.sections and fsec in self.sections:
                        raise self.error(
                            f"[{name}] name {program} is ambiguous (exists as program and "
                            "fcgi-program)",
                            self.loc(sec, "programs"),
                            hint="rename one of the two sections",
                        )
                    target = psec if psec in self.sections else fsec
                    homogeneous_exclude.add(target)
                    member_sections.append(target)
                    # supervisor builds group members as plain ProcessConfig (even fcgi ones)
                    all_procs.extend(self.processes(self.sections[target], gname, "program"))
                entry_groups.append(
                    GroupSpec(
                        name=gname,
                        priority=priority,
                        section=name,
                        heterogeneous=True,
                        program_sections=tuple(member_sections),
                        section_loc=sec.loc,
                        options=dict(sec.options),
                    )
                )
                bounds += (start, len(all_procs))
            except _NotConverted as exc:
                del all_procs[start:]
                self._skip_section(name, exc)

        for name in all_sections:
            start = len(all_procs)
            try:
                if not name.startswith("program:") or name in homogeneous_exclude:
                    continue
                sec = self.sections[name]
                pname = self._name(name.split(":", 1)[1], sec, None)
                priority = self.value(dt.integer, sec, "priority", "999", gmaps)
                all_procs.extend(self.processes(sec, pname, "program", program_name=pname))
                entry_groups.append(self._homogeneous(pname, priority, sec))
                bounds += (start, len(all_procs))
            except _NotConverted as exc:
                del all_procs[start:]
                self._skip_section(name, exc)

        for name in all_sections:
            start = len(all_procs)
            try:
                if not name.startswith("eventlistener:"):
                    continue
                sec = self.sections[name]
                pool_name = name.split(":", 1)[1]
                priority = self.value(dt.integer, sec, "priority", "-1", gmaps)
                buffer_size = self.value(dt.integer, sec, "buffer_size", "10", gmaps)
                if buffer_size < 1:
                    raise self.error(
                        f"[{name}] section sets invalid buffer_size ({buffer_size})",
                        self.loc(sec, "buffer_size"),
                        hint="use buffer_size >= 1",
                    )
                rh = self.get(
                    sec, "result_handler", "supervisor.dispatchers:default_handler", gmaps
                )
                assert rh is not None
                if not dt.import_spec_ok(rh.text):
                    raise self.error(
                        f"{rh.text} cannot be resolved within [{name}]",
                        self.loc(sec, "result_handler"),
                        hint="result_handler must be module:attribute",
                    )
                ev = self.get(sec, "events", "", gmaps)
                assert ev is not None
                events: list[str] = []
                for e in dt.list_of_strings(ev.text):
                    up = e.upper()
                    if up not in events:
                        events.append(up)
                if not events:
                    raise self.error(
                        f'[{name}] section requires an "events" line',
                        self.loc(sec, "events"),
                        hint="add events = PROCESS_STATE (or the event types it listens to)",
                    )
                for up in events:
                    if up not in EVENT_TYPES:
                        raise self.error(
                            f"Unknown event type {up} in [{name}] events",
                            self.loc(sec, "events"),
                            hint="see supervisor's event types (PROCESS_STATE, TICK_5, ...)",
                        )
                redirect = self.value(dt.boolean, sec, "redirect_stderr", "false", gmaps)
                if redirect:
                    raise self.error(
                        f"[{name}] section sets redirect_stderr=true but this is not allowed "
                        "because it will interfere with the eventlistener protocol",
                        self.loc(sec, "redirect_stderr"),
                        hint="remove redirect_stderr from the event listener",
                    )
                all_procs.extend(
                    self.processes(
                        sec,
                        pool_name,
                        "eventlistener",
                        events=tuple(events),
                        buffer_size=buffer_size,
                        result_handler=rh.text,
                    )
                )
                entry_groups.append(self._homogeneous(pool_name, priority, sec))
                bounds += (start, len(all_procs))
            except _NotConverted as exc:
                del all_procs[start:]
                self._skip_section(name, exc)

        for name in all_sections:
            start = len(all_procs)
            try:
                if not name.startswith("fcgi-program:") or name in homogeneous_exclude:
                    continue
                sec = self.sections[name]
                pname = self._name(name.split(":", 1)[1], sec, None)
                priority = self.value(dt.integer, sec, "priority", "999", gmaps)
                uv = self.get(sec, "user", None, gmaps)
                del uv  # the uid lookup is a machine fact (checked per process)
                backlog: int | None = None
                bv = self.get(sec, "socket_backlog", None, gmaps)
                if bv is not None:
                    backlog = self.conv(dt.integer, bv, sec, "socket_backlog")
                    if backlog < 1 or backlog > 65535:
                        raise self.error(
                            f"Invalid socket_backlog value {backlog}",
                            self.loc(sec, "socket_backlog"),
                            hint="use 1..65535",
                        )
                owner: str | None = None
                ov = self.get(sec, "socket_owner", None, gmaps)
                if ov is not None:
                    owner = ov.text
                    u, _grp = dt.colon_separated_user_group(owner)
                    if not self._user_exists(u):
                        self.find(
                            "S2C011",
                            f"socket_owner user {u!r} does not exist on this machine",
                            self.loc(sec, "socket_owner"),
                            name,
                            "socket_owner",
                        )
                mode: int | None = None
                mv = self.get(sec, "socket_mode", None, gmaps)
                if mv is not None:
                    try:
                        mode = dt.octal_type(mv.text)
                    except ValueError:
                        raise self.error(
                            f"Invalid socket_mode value {mv.text}",
                            self.loc(sec, "socket_mode"),
                            hint="use an octal mode such as 0700",
                        ) from None
                fmaps = gmaps.merged(_Maps({"program_name": pname}, {"program_name": pname}))
                sv = self.get(sec, "socket", None, fmaps)
                if sv is None or not sv.text:
                    raise self.error(
                        f'[{name}] section requires a "socket" line',
                        self.loc(sec, "socket"),
                        hint="add socket = tcp://127.0.0.1:9000 or unix:///run/app.sock",
                    )
                sock = self._fcgi_socket(sv.text, owner, mode, backlog, sec)
                all_procs.extend(
                    self.processes(sec, pname, "fcgi-program", socket=sock, program_name=pname)
                )
                entry_groups.append(self._homogeneous(pname, priority, sec))
                bounds += (start, len(all_procs))
            except _NotConverted as exc:
                del all_procs[start:]
                self._skip_section(name, exc)

        # groups.sort(): by (priority, name), stable
        sort_keys = [(g.priority, g.name) for g in entry_groups]
        order = sorted(range(len(entry_groups)), key=sort_keys.__getitem__)
        groups: list[GroupSpec] = []
        processes: list[ProcessSpec] = []
        seen_groups: dict[str, GroupSpec] = {}
        for i in order:
            g = entry_groups[i]
            if g.name in seen_groups:
                first = seen_groups[g.name]
                self.find(
                    "S2C013",
                    f"group name {g.name!r} of [{g.section}] is already used by "
                    f"[{first.section}]; supervisord keeps only [{first.section}] and never "
                    f"runs [{g.section}]",
                    g.section_loc,
                    g.section,
                )
                continue
            seen_groups[g.name] = g
            groups.append(g)
            first_proc, end = bounds[2 * i], bounds[2 * i + 1]
            if end - first_proc == 1:
                processes.append(all_procs[first_proc])
                continue
            # ProcessGroup keeps a dict by process name: a later duplicate replaces the earlier
            # one in the earlier's position
            by_name: dict[str, ProcessSpec] = {}
            for p in all_procs[first_proc:end]:
                if p.name in by_name:
                    prev = by_name[p.name]
                    self.find(
                        "S2C013",
                        f"process name {p.name!r} appears twice in group {g.name!r} "
                        f"([{prev.section}] and [{p.section}]); supervisord keeps the last one",
                        prev.section_loc,
                        prev.section,
                    )
                by_name[p.name] = p
            processes.extend(by_name.values())
        return groups, processes

    def _homogeneous(self, name: str, priority: int, sec: RawSection) -> GroupSpec:
        return GroupSpec(
            name=name,
            priority=priority,
            section=sec.name,
            heterogeneous=False,
            program_sections=(sec.name,),
            section_loc=sec.loc,
            options=self._options(sec),
        )

    def _options(self, sec: RawSection) -> dict[str, RawOption]:
        """The section's options as a dict for the model, one per section (shared by its
        GroupSpec and ProcessSpecs: the model is immutable)."""
        if type(sec.options) is dict:
            return sec.options  # already a dict (immutable by convention, like the model)
        known = self._options_copies.get(sec.name)
        if known is None or known[0] is not sec:
            known = self._options_copies[sec.name] = (sec, dict(sec.options))
        return known[1]

    def _name(self, name: str, sec: RawSection, opt: str | None) -> str:
        try:
            return dt.process_or_group_name(name)
        except ValueError as exc:
            raise self.error(
                f"{exc} in section {sec.name!r}",
                sec.loc if opt is None else self.loc(sec, opt),
                hint="names cannot contain spaces, ':' or '/'",
            ) from None

    def _fcgi_socket(
        self, sock: str, owner: str | None, mode: int | None, backlog: int | None, sec: RawSection
    ) -> SocketSpec:
        loc = self.loc(sec, "socket")
        if sock.startswith("unix://"):
            path = sock[7:]
            if not os.path.isabs(path):
                raise self.error(
                    f"Unix socket path {path} is not an absolute path in [{sec.name}] socket",
                    loc,
                    hint="use unix:///absolute/path.sock",
                )
            path = os.path.normpath(dt.expanduser(path, self.env))
            return SocketSpec(
                url=f"unix://{path}",
                family="unix",
                host=None,
                port=None,
                path=path,
                mode=0o700 if mode is None else mode,
                owner=owner,
                backlog=backlog,
            )
        if owner is not None or mode is not None:
            raise self.error(
                "socket_owner and socket_mode params should only be used with a Unix domain "
                f"socket in [{sec.name}] socket",
                loc,
                hint="remove socket_owner/socket_mode for a tcp:// socket",
            )
        m = _FCGI_TCP_RE.match(sock)
        if m:
            host = m.group(1).lower()
            try:
                port = dt.port_number(m.group(2))
            except ValueError as exc:
                raise self.error(f"{exc} in [{sec.name}] socket", loc) from None
            return SocketSpec(
                url=f"tcp://{host}:{port}",
                family="tcp",
                host=host,
                port=port,
                path=None,
                mode=None,
                owner=None,
                backlog=backlog,
            )
        raise self.error(
            f"Bad socket format {sock} in [{sec.name}] socket",
            loc,
            hint="use tcp://host:port or unix:///path",
        )

    # ------------------------------------------------------------------ processes

    def processes(
        self,
        sec: RawSection,
        group_name: str,
        kind: str,
        *,
        socket: SocketSpec | None = None,
        events: tuple[str, ...] = (),
        buffer_size: int = 10,
        result_handler: str | None = None,
        program_name: str | None = None,
    ) -> list[ProcessSpec]:
        """``_processes_from_section`` (sorted by (priority, name) like supervisor).
        ``program_name``: the section's name (:meth:`_name`) when the caller made it."""
        section = sec.name
        opts = sec.options
        if program_name is None:
            program_name = self._name(section.split(":", 1)[1], sec, None)
        # common_expansions, already updated with the [supervisord] expansions (all ENV_
        # names: no key in common) as at each process's start: copies of those dicts are
        # cheaper than the first process's update; nothing looks at them before
        environ_real = self.environ.real
        environ_defer = self.environ.defer
        creal: dict[str, object] = dict(environ_real)
        creal["here"] = self.here
        creal["program_name"] = program_name
        creal["host_node_name"] = self.node
        creal["group_name"] = group_name
        cdefer: dict[str, object] = dict(environ_defer)
        cdefer["here"] = self.here
        cdefer["program_name"] = program_name
        cdefer["host_node_name"] = self.node
        cdefer["group_name"] = group_name
        common = _Maps(creal, cdefer)
        # what supervisor's get() expands with: the [supervisord] expansions under
        # common_expansions. A live view: common's dicts are mutated below, like supervisor's.
        maps = _Maps(
            _Layered((*_layers(self.environ.real), creal)),
            _Layered((*_layers(self.environ.defer), cdefer)),
        )

        priority = self.value(dt.integer, sec, "priority", "999", maps)
        st = self._settings(sec, maps)
        autostart = st.autostart
        stopsignal = st.stopsignal
        stopasgroup = st.stopasgroup
        killasgroup = st.killasgroup
        redirect_stderr = st.redirect_stderr
        numprocs = st.numprocs
        numprocs_start = st.numprocs_start
        env_opt = opts.get("environment")
        env_raw = _Val("", "") if env_opt is None else _Val(env_opt.value, env_opt.value)
        env_tpl = self._tpl(env_raw.text) if "%" in env_raw.text else None
        serverurl: str | None = None
        if "serverurl" in opts:
            sv = self.get(sec, "serverurl", None, maps)
            serverurl = None if sv is None else sv.text
            if serverurl and serverurl.strip().upper() == "AUTO":
                serverurl = None
        user: str | None = None
        if "user" in opts:
            uv = self.get(sec, "user", None, maps)
            user = None if uv is None else uv.text
            if user is not None and not self._user_exists(user):
                self.find(
                    "S2C011",
                    f"user {user!r} does not exist on this machine (supervisord refuses to "
                    "start where it does not exist; nothing to do if it exists where the config "
                    "runs)",
                    self.loc(sec, "user"),
                    section,
                    "user",
                )
        umask: int | None = None
        if "umask" in opts:
            umv = self.get(sec, "umask", None, maps)
            if umv is not None:
                umask = self.conv(dt.octal_type, umv, sec, "umask")
        pn_opt = opts.get("process_name")
        process_name = self._name(
            "%(program_name)s" if pn_opt is None else pn_opt.value, sec, "process_name"
        )

        if numprocs > 1 and "%(process_num)" not in process_name:
            raise self.error(
                "%(process_num) must be present within process_name when numprocs > 1 "
                f"in section {section!r}",
                self.loc(sec, "process_name")
                if "process_name" in sec.options
                else self.loc(sec, "numprocs"),
                hint="set process_name=%(program_name)s_%(process_num)02d",
            )
        if stopasgroup and not killasgroup:
            raise self.error(
                f"Cannot set stopasgroup=true and killasgroup=false in section {section!r}",
                self.loc(sec, "killasgroup"),
                hint="remove killasgroup=false (stopasgroup implies killasgroup)",
            )

        env_loc = sec.loc if env_opt is None else env_opt.loc  # self.loc(sec, "environment")
        pn_val = _Val(process_name, process_name)
        pn_tpl = self._tpl(process_name) if "%" in process_name else None
        pn_loc = sec.loc if pn_opt is None else pn_opt.loc
        dir_opt = opts.get("directory")
        cmd_opt = opts.get("command")
        # per output channel: the *_logfile option, and what does not depend on the process
        # number (see _Settings.channels)
        channels = (
            (opts.get("stdout_logfile"), st.channels[0]),
            (opts.get("stderr_logfile"), st.channels[1]),
        )
        logspecs = self._logspecs
        # what differs between the processes of the program
        procs: list[_Proc] = []
        for process_num in range(numprocs_start, numprocs + numprocs_start):
            # expansions = common_expansions (the same dict, mutated on purpose)
            creal["process_num"] = process_num
            creal["numprocs"] = numprocs
            cdefer["process_num"] = process_num
            cdefer["numprocs"] = numprocs
            if process_num != numprocs_start:  # (the first one's dicts hold them already)
                creal.update(environ_real)
                cdefer.update(environ_defer)

            if env_opt is None:
                env_text = env_real = _NO_ENV  # dict_of_key_value_pairs('') (never mutated)
            else:
                # self.ev(env_raw, ...), whose first step is this when env_tpl is not None
                ev = (
                    None
                    if env_tpl is None
                    else self._ev_fast(env_tpl, common, env_loc, section, "environment", True)
                )
                if ev is None:
                    ev = self.ev(
                        env_raw,
                        common,
                        "environment",
                        env_loc,
                        section,
                        "environment",
                        deferrable=True,
                    )
                env_text, env_real = self._parse_env(ev, sec, "environment")
            for k, v in env_text.items():
                key = "ENV_" + k
                r = env_real.get(k)
                if r is not None:
                    creal[key] = r
                else:
                    creal.pop(key, None)
                cdefer[key] = v

            directory = (
                None if dir_opt is None else self._deferrable(sec, "directory", dir_opt, maps).text
            )

            logs: list[LogSpec] = []
            for lf_opt, (
                ch,
                cmax,
                cev,
                lf_key,
                bu_key,
                backups,
                mb_key,
                maxbytes,
                sy_key,
                syslog,
            ) in channels:
                kind_: LogKind
                path: str | None = None
                if lf_opt is None:
                    kind_ = LogKind.AUTO
                else:
                    lv = self._deferrable(sec, lf_key, lf_opt, maps)
                    if "%" in lv.text or (lv.real is not None and "%" in lv.real):
                        # log file names are expanded twice (the second time with common;
                        # the option is set: its loc is self.loc(sec, lf_key))
                        lv = self.ev(
                            lv, common, lf_key, lf_opt.loc, section, lf_key, deferrable=True
                        )
                    kind_, path = self._logfile(lv.text)
                    if path is not None:
                        self._check_dir(path, sec, lf_key)
                if backups is None:
                    backups = self.value(dt.integer, sec, bu_key, "10", maps)
                if maxbytes is None:
                    maxbytes = self.value(dt.byte_size, sec, mb_key, "50MB", maps)
                if syslog is None:
                    syslog = self.value(dt.boolean, sec, sy_key, "false", maps)
                if kind_ is LogKind.SYSLOG:
                    syslog = True
                if redirect_stderr and ch == "stderr":
                    kind_, path = LogKind.NONE, None
                # equal LogSpecs without a path are shared (the model is immutable)
                lkey = (kind_, maxbytes, backups, syslog, cmax, cev) if path is None else None
                log = None if lkey is None else logspecs.get(lkey)
                if log is None:
                    log = LogSpec(
                        kind=kind_,
                        path=path,
                        maxbytes=maxbytes,
                        backups=backups,
                        syslog=syslog,
                        capture_maxbytes=cmax,
                        events_enabled=cev,
                    )
                    if lkey is not None:
                        logspecs[lkey] = log
                logs.append(log)

            if cmd_opt is None:
                raise self.error(
                    f"program section {section} does not specify a command",
                    sec.loc,
                    hint="add command = /path/to/program args",
                )
            command = self._deferrable(sec, "command", cmd_opt, maps).text

            if pn_opt is None:
                # the default %(program_name)s: common's program_name (its ENV_ names cannot
                # replace it), with nothing to report
                name = program_name
            else:
                nv = None
                if pn_tpl is not None:
                    nv = self._ev_fast(pn_tpl, common, pn_loc, section, "process_name", False)
                if nv is None:
                    nv = self.ev(pn_val, common, "process_name", pn_loc, section, "process_name")
                name = nv.text
            procs.append(
                (
                    name,
                    process_num,
                    command,
                    directory,
                    logs[0],
                    logs[1],
                    tuple(env_text.items()),
                )
            )

        sec_options = self._options(sec)
        out = [
            ProcessSpec(
                section=section,
                kind=kind,
                program_name=program_name,
                group_name=group_name,
                name=name,
                process_num=process_num,
                numprocs=numprocs,
                numprocs_start=numprocs_start,
                command=command,
                argv=_split(command),
                directory=directory,
                umask=umask,
                priority=priority,
                autostart=autostart,
                autorestart=st.autorestart,
                exitcodes=st.exitcodes,
                startsecs=st.startsecs,
                startretries=st.startretries,
                user=user,
                stopsignal=stopsignal,
                stopsignal_name=st.stopsignal_name,
                stopwaitsecs=st.stopwaitsecs,
                stopasgroup=stopasgroup,
                killasgroup=killasgroup,
                redirect_stderr=redirect_stderr,
                stdout=stdout,
                stderr=stderr,
                environment=environment,
                serverurl=serverurl,
                section_loc=sec.loc,
                options=sec_options,
                socket=socket,
                events=events,
                buffer_size=buffer_size,
                result_handler=result_handler,
            )
            for name, process_num, command, directory, stdout, stderr, environment in procs
        ]
        if len(out) > 1:
            # programs.sort(): by (priority, name), stable (one priority here)
            out.sort(key=_by_name)
        return out

    def _settings(self, sec: RawSection, maps: _Maps) -> _Settings:
        """The values ``_processes_from_section`` reads after ``priority`` and before
        ``serverurl``, in its order; the same for every section with the same values of these
        options when none holds a '%' (no expansion: nothing but the values themselves)."""
        items = [(k, o.value) for k, o in sec.options.items() if k in _SETTINGS_OPTIONS]
        key = tuple(items)
        memo = "%" not in "".join([v for _, v in items])
        if memo:
            known = self._settings_memo.get(key)
            if known is not None:
                return known
        value = self.value
        autostart = value(dt.boolean, sec, "autostart", "true", maps)
        autorestart = value(dt.auto_restart, sec, "autorestart", "unexpected", maps)
        startsecs = value(dt.integer, sec, "startsecs", "1", maps)
        startretries = value(dt.integer, sec, "startretries", "3", maps)
        stopsignal = value(dt.signal_number, sec, "stopsignal", "TERM", maps)
        stopwaitsecs = value(dt.integer, sec, "stopwaitsecs", "10", maps)
        stopasgroup = value(dt.boolean, sec, "stopasgroup", "false", maps)
        killasgroup = value(
            dt.boolean, sec, "killasgroup", "true" if stopasgroup else "false", maps
        )
        exitcodes = tuple(value(dt.list_of_exitcodes, sec, "exitcodes", "0", maps))
        redirect_stderr = value(dt.boolean, sec, "redirect_stderr", "false", maps)
        numprocs = value(dt.integer, sec, "numprocs", "1", maps)
        numprocs_start = value(dt.integer, sec, "numprocs_start", "0", maps)
        if numprocs > MAX_NUMPROCS:
            # supervisord would try to run them all; one watcher per process would be absurd
            raise _NotConverted(
                f"numprocs={numprocs} is more than sup2circus converts ({MAX_NUMPROCS} processes "
                "per program)",
                self.loc(sec, "numprocs"),
                "numprocs",
                code="S2C126",
            )
        # (environment: read without expansion)
        out_cmax = value(dt.byte_size, sec, "stdout_capture_maxbytes", "0", maps)
        out_events = value(dt.boolean, sec, "stdout_events_enabled", "false", maps)
        err_cmax = value(dt.byte_size, sec, "stderr_capture_maxbytes", "0", maps)
        err_events = value(dt.boolean, sec, "stderr_events_enabled", "false", maps)
        # per output channel, what does not depend on the process number, when valid (an
        # invalid value is read again, and fails, where supervisor reads it)
        statics = [
            (
                self.static_value(dt.integer, sec, f"{ch}_logfile_backups", "10"),
                self.static_value(dt.byte_size, sec, f"{ch}_logfile_maxbytes", "50MB"),
                self.static_value(dt.boolean, sec, f"{ch}_syslog", "false"),
            )
            for ch in ("stdout", "stderr")
        ]
        settings = _Settings(
            autostart=autostart,
            autorestart=_AUTORESTART[autorestart],
            startsecs=startsecs,
            startretries=startretries,
            stopsignal=stopsignal,
            stopsignal_name=dt.signal_name(stopsignal),
            stopwaitsecs=stopwaitsecs,
            stopasgroup=stopasgroup,
            killasgroup=killasgroup,
            exitcodes=exitcodes,
            redirect_stderr=redirect_stderr,
            numprocs=numprocs,
            numprocs_start=numprocs_start,
            out_cmax=out_cmax,
            out_events=out_events,
            err_cmax=err_cmax,
            err_events=err_events,
            channels=(
                _channel(_CHANNEL_KEYS[0], out_cmax, out_events, statics[0]),
                _channel(_CHANNEL_KEYS[1], err_cmax, err_events, statics[1]),
            ),
        )
        if memo:
            self._settings_memo[key] = settings
        return settings

    def _deferrable(self, sec: RawSection, opt: str, raw: RawOption, maps: _Maps) -> _Val:
        """``get(sec, opt, None, maps, deferrable=True)`` of a program section's option that
        is set (``raw``)."""
        text = raw.value
        if "%" not in text:
            return _Val(text, text)
        tpl = self._tpl(text)
        if tpl is not None:
            fast = self._ev_fast(tpl, maps, raw.loc, sec.name, opt, True)
            if fast is not None:
                return fast
        return self.ev(
            _Val(text, text), maps, f"{sec.name}.{opt}", raw.loc, sec.name, opt, deferrable=True
        )

    def _logfile(self, text: str) -> tuple[LogKind, str | None]:
        """The log kind and path (``~`` expanded) of an expanded ``*_logfile`` value."""
        if text[:1] == "/":
            # an absolute path: not a magic value, nothing to expand (the same as below)
            return LogKind.FILE, text
        lk, p = dt.logfile_name(text)
        if p == "":
            return LogKind.NONE, None  # '' is falsy: no log file at all
        return _LOGKIND[lk], None if p is None else dt.expanduser(p, self.env)

    # ------------------------------------------------------------------ servers

    def servers(self) -> list[ServerSpec]:
        out: list[ServerSpec] = []
        env_only = self.environ.merged()
        for name, sec in self.sections.items():
            try:
                if not name.startswith("inet_http_server"):
                    continue
                username, password_set = self._auth(sec, env_only)
                pv = self.get(sec, "port", None, env_only)
                if pv is None:
                    raise self.error(
                        f"section [{name}] has no port value",
                        sec.loc,
                        hint="add port = 127.0.0.1:9001",
                    )
                host, port = self.conv(dt.inet_address, pv, sec, "port")
                out.append(
                    ServerSpec(
                        section=name,
                        kind="inet",
                        host=host,
                        port=port,
                        username=username,
                        password_set=password_set,
                        section_loc=sec.loc,
                        options=dict(sec.options),
                    )
                )
            except _NotConverted as exc:
                self._skip_section(name, exc)
        here_maps = self.environ.merged(_Maps({"here": self.here}, {"here": self.here}))
        for name, sec in self.sections.items():
            try:
                if not name.startswith("unix_http_server"):
                    continue
                fv = self.get(sec, "file", None, here_maps)
                if fv is None:
                    raise self.error(
                        f"section [{name}] has no file value",
                        sec.loc,
                        hint="add file = /run/supervisor.sock",
                    )
                sfile = os.path.normpath(
                    os.path.join(os.getcwd(), dt.expanduser(fv.text.strip(), self.env))
                )
                username, password_set = self._auth(sec, env_only)
                chown: str | None = None
                cv = self.get(sec, "chown", None, env_only)
                if cv is not None:
                    chown = cv.text
                    u, _g = dt.colon_separated_user_group(chown)
                    if not self._user_exists(u):
                        self.find(
                            "S2C011",
                            f"chown user {u!r} does not exist on this machine",
                            self.loc(sec, "chown"),
                            name,
                            "chown",
                        )
                chmod = 0o700
                mv = self.get(sec, "chmod", None, env_only)
                if mv is not None:
                    try:
                        chmod = dt.octal_type(mv.text)
                    except ValueError:
                        raise self.error(
                            f"Invalid chmod value {mv.text}",
                            self.loc(sec, "chmod"),
                            hint="use an octal mode such as 0700",
                        ) from None
                out.append(
                    ServerSpec(
                        section=name,
                        kind="unix",
                        file=sfile,
                        chmod=chmod,
                        chown=chown,
                        username=username,
                        password_set=password_set,
                        section_loc=sec.loc,
                        options=dict(sec.options),
                    )
                )
            except _NotConverted as exc:
                self._skip_section(name, exc)
        ctl = self.sections.get("supervisorctl")
        if ctl is not None:
            serverurl: str | None = None
            raw = ctl.options.get("serverurl")
            if raw is not None:
                try:
                    serverurl = dt.expand(
                        raw.value, {"here": self.here, **self.environ.real}, "serverurl"
                    )
                except ValueError:
                    serverurl = raw.value
            user = ctl.options.get("username")
            out.append(
                ServerSpec(
                    section="supervisorctl",
                    kind="ctl",
                    serverurl=serverurl,
                    username=None if user is None else user.value,
                    password_set="password" in ctl.options,
                    section_loc=ctl.loc,
                    options=dict(ctl.options),
                )
            )
        return out

    def _auth(self, sec: RawSection, maps: _Maps) -> tuple[str | None, bool]:
        uv = self.get(sec, "username", None, maps)
        pv = self.get(sec, "password", None, maps)
        if (uv is None) != (pv is None):
            raise self.error(
                f"Section [{sec.name}] contains incomplete authentication: If a username or a "
                "password is specified, both the username and password must be specified",
                self.loc(sec, "username" if uv is not None else "password"),
                hint="set both username and password, or neither",
            )
        return (None if uv is None else uv.text), pv is not None

    def rpcinterfaces(self) -> None:
        """get_plugins: the factory is required and its options are expanded (env only)."""
        key = "supervisor.rpcinterface_factory"
        env_only = self.environ.merged()
        for name, sec in self.sections.items():
            if not name.startswith("rpcinterface:"):
                continue
            fv = self.get(sec, key, None, env_only)
            if fv is None:
                raise self.error(
                    f"section [{name}] does not specify a {key}",
                    sec.loc,
                    hint=f"add {key} = supervisor.rpcinterface:make_main_rpcinterface",
                )
            if not dt.import_spec_ok(fv.text):
                raise self.error(
                    f"{fv.text} cannot be resolved within [{name}]",
                    self.loc(sec, key),
                    hint="the factory must be module:attribute",
                )
            top = fv.text.strip().split(":")[0].split(".")[0]
            # supervisor itself is wherever supervisord runs
            if top != "supervisor" and not _module_found(top):
                self.find(
                    "S2C307",
                    f"[{name}] factory module {top!r} is not installed on this machine: where it "
                    "is missing, supervisord refuses to start (circus loads no XML-RPC "
                    "extension anyway)",
                    self.loc(sec, key),
                    name,
                    key,
                )
            for opt in sec.options:
                if opt != key:
                    self.get(sec, opt, None, env_only)

    def others(self) -> list[OtherSection]:
        out: list[OtherSection] = []
        for name, sec in self.sections.items():
            kind = section_kind(name)
            if kind in (
                "program",
                "fcgi-program",
                "eventlistener",
                "group",
                "supervisord",
                "unix_http_server",
                "inet_http_server",
                "supervisorctl",
            ):
                continue
            out.append(OtherSection(name=name, section_loc=sec.loc, options=dict(sec.options)))
        return out


MAX_NUMPROCS = 10_000


class _NotConverted(ConfigError):
    """A value sup2circus does not convert although supervisord would accept it: the section
    (in [supervisord], the option) is skipped with an error finding of ``code``. S2C014:
    %(ENV_X)s names a variable the converting machine does not define, in a place circus
    cannot defer (unless --resolve-env). S2C015: a bare %s would expand the whole expansion
    dict (the environment's values)."""

    def __init__(
        self, message: str, loc: Loc, option: str | None, hint: str = "", code: str = "S2C014"
    ) -> None:
        super().__init__(message, loc.file, loc.line, hint=hint)
        self.option = option
        self.code = code


class _NotDeferrable(Exception):
    pass


# shlex.split (POSIX, whitespace_split, no commenters) only treats quotes, backslashes and
# its whitespace (" \t\r\n") specially: without the former, its tokens are the runs of
# non-whitespace -- str.split()'s words when no other character str.split() takes for
# whitespace is there either.
_SPLIT_SPECIAL_RE = re.compile(
    "[\\\\'\"\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)


def _split(command: str) -> tuple[str, ...]:
    """shlex.split like supervisor's spawn; () when unparsable (supervisor: BadCommand).
    Tokens are interned: the same words recur in thousands of commands (memory)."""
    if _SPLIT_SPECIAL_RE.search(command) is None:
        return tuple(map(sys.intern, command.split()))
    return _split_shlex(command)


@functools.lru_cache(maxsize=1024)
def _split_shlex(command: str) -> tuple[str, ...]:
    try:
        return tuple(map(sys.intern, shlex.split(command)))
    except ValueError:
        return ()


def _kv_pairs(text: str) -> dict[str, str]:
    return dt.dict_of_key_value_pairs(text)


def _holds_secrets(name: str) -> bool:
    """Whether the value ``name`` (an option, or section.option) names is an environment= list,
    whose values may be secrets."""
    return name == "environment" or name.endswith(".environment")


def _expand(s: str, expansions: Mapping[str, object], name: str) -> str:
    """supervisor's ``expand`` with messages that never print the value (it may hold
    expanded environment values, i.e. secrets) nor the environment's variable names."""
    try:
        return s % expansions
    except KeyError as ex:
        shown = [*sorted(k for k in expansions if not k.startswith("ENV_")), "ENV_<name>"]
        missing = str(ex)
        if _holds_secrets(name) and not (
            isinstance(ex.args[0], str) and ex.args[0].startswith("ENV_")
        ):
            # a %(...)s inside an environment value: its "name" is part of the value (a secret)
            missing = "a name that is part of a variable's value, not shown"
        raise ValueError(
            f"Format string for {name!r} contains names ({missing}) which cannot be expanded. "
            f"Available names: {', '.join(shown)} (one per environment variable)"
        ) from None
    except Exception as ex:
        why = str(ex)
        if _holds_secrets(name):
            # "unsupported format character 'x' (0x78) at index 3" quotes a character of the
            # value (a secret): only where it is
            at = re.search(r"at index \d+", why)
            why = "a % not followed by a known conversion" + (f" ({at.group()})" if at else "")
        raise ValueError(f"Format string for {name!r} is badly formatted: {why}") from None


def _module_found(name: str) -> bool:
    """Whether the top-level module ``name`` can be found here: looked up, never imported."""
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _whole_mapping_message(option: str) -> str:
    return (
        f"{option} holds a %-conversion with no (name) (a bare %s, %r...): supervisord would "
        "write its whole expansion dictionary there, the value of every environment variable "
        "included (write %% for a literal %)"
    )


def _env_error(text: str, exc: ValueError) -> str:
    """A dict_of_key_value_pairs error without the value (environment values are secrets)."""
    if "Unexpected end" not in str(exc):
        return f"malformed KEY=value list: {exc}"
    lexer = shlex.shlex(text)
    lexer.wordchars += "/.+-():"
    good: list[str] = []
    try:
        tokens = list(lexer)
    except ValueError:
        tokens = []
    i = 0
    while i + 2 < len(tokens) and tokens[i + 1] == "=":
        good.append(tokens[i])
        i += 4
    after = (
        f" after variable {shown_env_name(good[-1], text)}" if good else " at the first variable"
    )
    return f"malformed KEY=value list{after} (unexpected end of key/value pairs)"


def _what(fn_name: str) -> str:
    return {
        "integer": "not an integer",
        "boolean": "not a boolean",
        "byte_size": "not a byte size",
        "octal_type": "not an octal number",
        "signal_number": "not a signal",
        "auto_restart": "not true/false/unexpected",
        "list_of_exitcodes": "not a list of exit codes",
        "logging_level": "not a log level",
        "inet_address": "not host:port",
    }.get(fn_name, "invalid")


# see _Settings.channels
_Channel = tuple[str, int, bool, str, str, "int | None", str, "int | None", str, "bool | None"]


def _channel(
    names: tuple[str, str, str, str, str],
    cmax: int,
    events: bool,
    statics: tuple[int | None, int | None, bool | None],
) -> _Channel:
    ch, lf_key, bu_key, mb_key, sy_key = names
    backups, maxbytes, syslog = statics
    return (ch, cmax, events, lf_key, bu_key, backups, mb_key, maxbytes, sy_key, syslog)


class _Settings(NamedTuple):
    """See :meth:`_Builder._settings`."""

    autostart: bool
    autorestart: AutoRestart
    startsecs: int
    startretries: int
    stopsignal: int
    stopsignal_name: str
    stopwaitsecs: int
    stopasgroup: bool
    killasgroup: bool
    exitcodes: tuple[int, ...]
    redirect_stderr: bool
    numprocs: int
    numprocs_start: int
    out_cmax: int
    out_events: bool
    err_cmax: int
    err_events: bool
    # per channel (stdout, stderr): the channel, its *_capture_maxbytes and *_events_enabled
    # values, then the names of its *_logfile, *_logfile_backups, *_logfile_maxbytes and
    # *_syslog options, each of the last three followed by its static value (or None)
    channels: tuple[_Channel, _Channel]


_SETTINGS_OPTIONS = frozenset(
    {
        "autostart",
        "autorestart",
        "startsecs",
        "startretries",
        "stopsignal",
        "stopwaitsecs",
        "stopasgroup",
        "killasgroup",
        "exitcodes",
        "redirect_stderr",
        "numprocs",
        "numprocs_start",
        "stdout_capture_maxbytes",
        "stdout_events_enabled",
        "stderr_capture_maxbytes",
        "stderr_events_enabled",
        "stdout_logfile_backups",
        "stdout_logfile_maxbytes",
        "stdout_syslog",
        "stderr_logfile_backups",
        "stderr_logfile_maxbytes",
        "stderr_syslog",
    }
)

_CHANNEL_KEYS = tuple(
    (ch, f"{ch}_logfile", f"{ch}_logfile_backups", f"{ch}_logfile_maxbytes", f"{ch}_syslog")
    for ch in ("stdout", "stderr")
)

# what differs between the processes of one program: name, process_num, command, directory,
# stdout, stderr, environment
_Proc = tuple[str, int, str, "str | None", LogSpec, LogSpec, tuple[tuple[str, str], ...]]

_AUTORESTART = {a.value: a for a in AutoRestart}
_LOGKIND = {dt.LogfileKind(k.value): k for k in LogKind}
_NO_ENV: dict[str, str] = {}


def _by_name(p: ProcessSpec) -> str:
    return p.name


_EXPAND_HINT = "write %% for a literal %; names are %(name)s"
_ENV_HINT = (
    "define the variable in the environment of the conversion, in [supervisord] environment=, "
    "or use a literal value"
)
_VALUE_HINTS: dict[str, str] = {
    "integer": "use an integer",
    "boolean": "use true or false",
    "byte_size": "use a size such as 1024, 10KB, 50MB or 1GB",
    "octal_type": "use an octal number such as 022",
    "signal_number": "use a signal name such as TERM, INT, QUIT, HUP, KILL, USR1",
    "auto_restart": "use true, false or unexpected",
    "list_of_exitcodes": "use comma-separated exit codes 0-255, e.g. 0,2",
    "logging_level": "use critical, error, warn, info, debug, trace or blather",
    "inet_address": "use host:port or port",
}


def build(raw: RawConfig, options: ConvertOptions | None = None) -> SupervisorConfig:
    """What supervisord would run for ``raw`` (see the module docstring)."""
    b = _Builder(raw, options or ConvertOptions())
    b.check_options()
    supd = b.supervisord()
    b.rpcinterfaces()
    groups, processes = b.groups()
    servers = b.servers()
    others = b.others()
    b.report_baked()
    return SupervisorConfig(
        raw=raw,
        supervisord=supd,
        groups=tuple(groups),
        processes=tuple(processes),
        servers=tuple(servers),
        others=tuple(others),
        findings=tuple(b.findings),
        deferred_env=tuple(sorted(b.deferred)),
    )
