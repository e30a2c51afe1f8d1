"""supervisor's ``%(name)s`` expansion in two worlds, and the deferral of ``%(ENV_X)s``.

A value is kept twice (:class:`Val`): ``real``, fully resolved with this machine's environment,
and ``text``, what goes into the model, where ``%(ENV_X)s`` may stay a marker
(:func:`model.env_marker`) for circusd to resolve from its own environment. Markers are kept
only where circus can defer them (``deferrable``) and only when the marker stands for the value
exactly; otherwise the value is resolved now, with S2C007.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import NamedTuple

from .. import circus_syntax as cs
from ..findings import Loc
from ..model import (
    ENV_MARK_RE,
    ENV_NAME_RE,
    UndefinedUse,
    env_marker,
    quoted_marker_tail,
    takes_whole_mapping,
)
from .context import Context, Maps, NotConverted, error

_PUA_BASE = 0xF0000  # sentinels: private-use characters no config holds
_PUA_MIN = chr(_PUA_BASE)
_MISSING = object()  # no value in a map (None is one)
_PLAIN_SPEC_RE = re.compile(r"%\([^()]*\)s")
_UNNAMED_SPEC_RE = re.compile(r"%[^(%]")
EXPAND_HINT = "write %% for a literal %; names are %(name)s"
ENV_HINT = (
    "define the variable in the environment of the conversion, in [supervisord] environment=, "
    "or use a literal value"
)


class Val(NamedTuple):
    """A value in both worlds: ``real`` (fully resolved; None when an undefined ENV name was
    deferred) and ``text`` (what goes into the model; may hold deferred-env markers)."""

    real: str | None
    text: str


class NotDeferrable(Exception):
    """The value cannot keep its markers (``args[0]``: why, for a finding)."""


_FORMATTED = (
    "it is formatted (a width, a precision or a type other than s), which a reference to "
    "circusd's value cannot follow"
)
_QUOTED = (
    "it stands inside quotes where circus.ini cannot keep it for circusd (in the program's "
    "name, or with $(circus.*) text)"
)


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
            if key.startswith("ENV_") and ENV_NAME_RE.match(key[4:]):
                self.undefined.add(key[4:])
                return self.make(key[4:])
            raise
        return value if self.convert is None else self.convert(value)


def _holds_secrets(name: str) -> bool:
    """Whether the value ``name`` (an option, or section.option) names is an environment= list,
    whose values may be secrets."""
    return name == "environment" or name.endswith(".environment")


def expand(s: str, expansions: Mapping[str, object], name: str) -> str:
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


def _sentinel(ctx: Context, name: str) -> str:
    ch = ctx.sentinels.get(name)
    if ch is None:
        ch = ctx.sentinels[name] = chr(_PUA_BASE + len(ctx.sentinels))
    return ch


def _from_sentinels(ctx: Context, value: str) -> str:
    for name, ch in ctx.sentinels.items():
        value = value.replace(ch, env_marker(name))
    return value


def try_defer(
    ctx: Context, s: str, defer: Mapping[str, object], name: str
) -> tuple[str, _DeferMap]:
    """Expand with markers; raises ValueError (supervisor's message) on a bad format and
    NotDeferrable when a marker would not stand for the value exactly."""
    plain = s.replace("%%", "")
    if _UNNAMED_SPEC_RE.search(plain):  # %s of the whole mapping etc.: resolve
        raise NotDeferrable(_FORMATTED)
    dm = _DeferMap(defer, env_marker)
    result = expand(s, dm, name)
    marked_keys = [k for k in dm.used if k[4:] in dm.undefined or _holds_marker(dm.peek(k))]
    if not marked_keys:
        return result, dm
    if "%" not in _PLAIN_SPEC_RE.sub("", plain) and max(result, default="\0") < _PUA_MIN:
        # only plain %(name)s: every value, markers included, is in the result whole, so the
        # check below cannot fail (it costs 0.1 s of build's 2 s on 10,000 programs that each
        # defer a variable in environment=)
        return result, dm
    # every ENV name whose value holds a marker must be used as a plain %(ENV_X)s
    for key in marked_keys:
        if re.search(r"%\(" + re.escape(key) + r"\)(?!s)", plain):
            raise NotDeferrable(_FORMATTED)

    def to_sentinels(value: object) -> object:
        if isinstance(value, str):
            return ENV_MARK_RE.sub(lambda m: _sentinel(ctx, m.group(1)), value)
        return value

    # the same expansion with one character per marker: a width or a precision would cut or
    # pad it, which a marker cannot follow
    sm = _DeferMap(defer, lambda n: _sentinel(ctx, n), to_sentinels)
    try:
        check = expand(s, sm, name)
    except ValueError:
        raise NotDeferrable(_FORMATTED) from None
    if _from_sentinels(ctx, check) != result:
        raise NotDeferrable(_FORMATTED)
    return result, dm


def ev(
    ctx: Context,
    value: Val,
    maps: Maps,
    name: str,
    loc: Loc,
    section: str,
    option: str,
    *,
    deferrable: bool = False,
) -> Val:
    """supervisor's ``expand(value, maps, name)`` in both worlds."""
    if "%" not in value.text and (value.real is None or "%" not in value.real):
        return value  # nothing to expand (and nothing looked up)
    if deferrable and not ctx.resolve and "%(ENV_" in value.text:
        _check_referable(value.text, loc, option)
    real: str | None = None
    real_err: str | None = None  # the message only: a kept exception is a cycle
    rec = _Recording(maps.real)
    if value.real is not None:
        try:
            real = expand(value.real, rec, name)
        except ValueError as exc:
            real_err = str(exc)
    if real_err is None and (
        takes_whole_mapping(value.text)
        or (value.real is not None and value.real != value.text and takes_whole_mapping(value.real))
    ):
        raise NotConverted(_whole_mapping_message(option), loc, option, code="S2C015")
    why = None  # why the value cannot keep its references, when it cannot
    if deferrable and not ctx.resolve and not _same_in_both_worlds(value, real_err, rec, maps):
        try:
            deferred = _ev_deferred(ctx, value, maps, name, loc, section, option)
        except NotDeferrable as exc:
            why = str(exc.args[0])
        else:
            return Val(real if real_err is None else None, deferred)
    if real_err is not None or real is None:
        raise _expansion_error(ctx, value, real_err, loc, section, option, why)
    if why is not None:
        # this machine's values would be written into circus.ini: only when asked
        machine = sorted(k for k in rec.used if _holds_marker(maps.defer.get(k)))
        raise NotConverted(
            f"%({machine[0]})s in {option} cannot be deferred to circusd here: {why}; this "
            "machine's value would be written into circus.ini",
            loc,
            option,
            hint="convert with --resolve-env to write this machine's value, or write the "
            "reference as a plain %(ENV_X)s outside quotes",
            code="S2C018",
        )
    note_uses(ctx, rec.used, section, option, loc, resolved=True, maps=maps)
    return Val(real, real)


def _holds_marker(value: object) -> bool:
    """Whether an expansion's value holds a deferred reference (this machine's variable)."""
    return isinstance(value, str) and ENV_MARK_RE.search(value) is not None


_ENV_REF_RE = re.compile(r"%\(ENV_([^()]*)\)")


def _check_referable(text: str, loc: Loc, option: str) -> None:
    """S2C018: circus refers to circusd's variables by names of letters, digits and ``_``
    only; for another name this machine's value would be written into circus.ini, which is
    done only when asked (--resolve-env)."""
    for name in _ENV_REF_RE.findall(text.replace("%%", "")):
        if not ENV_NAME_RE.match(name):
            raise NotConverted(
                f"%(ENV_{name})s in {option} names a variable circus cannot refer to (only "
                "letters, digits and _): its value would be written into circus.ini",
                loc,
                option,
                hint="rename the variable, or convert with --resolve-env to write this "
                "machine's value",
                code="S2C018",
            )


def _same_in_both_worlds(value: Val, real_err: str | None, rec: _Recording, maps: Maps) -> bool:
    """Whether the expansion with markers would be the real one: the same text, every name it
    used with the same value in both worlds. Then there is nothing to defer, and the second
    expansion is skipped (most values use only %(here)s, %(program_name)s and the like: on
    10,000 programs that is 21,000 of 31,000 deferrable expansions, a tenth of build)."""
    if real_err is not None or value.real != value.text:
        return False
    return all(maps.defer.get(k, _MISSING) == maps.real[k] for k in rec.used)


def _ev_deferred(
    ctx: Context, value: Val, maps: Maps, name: str, loc: Loc, section: str, option: str
) -> str:
    """The text of ``value`` expanded with markers; NotDeferrable when it cannot keep them."""
    try:
        text, dm = try_defer(ctx, value.text, maps.defer, name)
    except ValueError as exc:
        raise error(str(exc), loc, hint=EXPAND_HINT) from None
    if option == "command" and not _references_written(text):
        raise NotDeferrable(_QUOTED)
    note_uses(ctx, dm.used, section, option, loc, resolved=False)
    ctx.deferred.update(ENV_MARK_RE.findall(text))
    for undefined in sorted(dm.undefined):
        use = UndefinedUse(undefined, loc, section, option)
        ctx.undefined.setdefault((undefined, section), use)
    return text


def _references_written(command: str) -> bool:
    """Whether circus.ini can hold ``command``'s deferred references so that circus splits
    circusd's values as supervisord would: bare ones outside quotes; from the first word with
    one inside quotes, the command as it stands (translate.command), which circus must read
    back unchanged and which must not start with the program's name (a wrapper puts its own
    words after that). Otherwise this machine's values are used (S2C007)."""
    try:
        tail = quoted_marker_tail(command)
    except ValueError:
        return True  # unsplittable: not converted either way (S2C125), nothing to resolve
    if tail is None:
        return True
    index, text = tail
    return index > 0 and cs.reads_back(text)


def _expansion_error(
    ctx: Context,
    value: Val,
    real_err: str | None,
    loc: Loc,
    section: str,
    option: str,
    why: str | None = None,
) -> Exception:
    """The error of a value that cannot be expanded (``real_err``: supervisor's message;
    ``why``: why a deferrable value could not keep its references)."""
    if real_err is None:
        # value.real is None: an undefined ENV name deferred upstream
        undef = [n for n in ENV_MARK_RE.findall(value.text) if n not in ctx.env]
        msg = (
            f"{option} uses %(ENV_{undef[0] if undef else '?'})s, which is "
            "not defined in this environment and cannot be deferred here"
        )
        if not ctx.resolve:
            return NotConverted(msg, loc, option, hint=ENV_HINT)
        return error(msg, loc, hint=ENV_HINT)
    m = re.search(r"contains names \('ENV_([^']*)'\)", real_err)
    if m:
        if ctx.resolve:
            why = "--resolve-env was given"
        elif why is None:
            why = (
                "sup2circus defers only command, environment, directory and log file values to "
                f"circusd's environment, not a {option} value"
            )
        msg = (
            f"%(ENV_{m.group(1)})s in [{section}] {option} cannot be expanded: "
            f"{m.group(1)} is not defined in this environment and {why} "
            "(supervisord refuses to start without it too)"
        )
        if not ctx.resolve:
            return NotConverted(msg, loc, option, hint=ENV_HINT)
        return error(msg, loc, hint=ENV_HINT)
    hint = (
        "use only the names available in this option, or write %% for a literal %"
        if "cannot be expanded" in real_err
        else EXPAND_HINT
    )
    return error(real_err, loc, hint=hint)


def note_uses(
    ctx: Context,
    used: set[str],
    section: str,
    option: str,
    loc: Loc,
    *,
    resolved: bool,
    maps: Maps | None = None,
) -> None:
    """The findings of the names an expansion used that are facts of this machine."""
    if "host_node_name" in used:
        ctx.reporter.report(
            "S2C010",
            loc,
            section,
            option,
            where=option,
            effect="baked in as",
            node=ctx.node,
            purpose="",
        )
    for key in sorted(used & ctx.odd_env_keys):
        ctx.reporter.report(
            "S2C007",
            loc,
            section,
            option,
            name=key,
            where=option,
            why=" from this machine's environment: the variable's name cannot be deferred to "
            "circusd",
        )
    if ctx.resolve:
        for key in used & ctx.machine_env_keys:
            ctx.baked.setdefault(key[4:], loc)
    if not resolved or ctx.resolve or maps is None:
        return
    for key in sorted(used):
        if not key.startswith("ENV_"):
            continue
        if _holds_marker(maps.defer.get(key)):
            ctx.reporter.report(
                "S2C007",
                loc,
                section,
                option,
                name=key,
                where=option,
                why=f" from this machine's environment (variable {key[4:]}): sup2circus "
                "defers only command, environment, directory and log file values",
            )


def _whole_mapping_message(option: str) -> str:
    return (
        f"{option} holds a %-conversion with no (name) (a bare %s, %r...): supervisord would "
        "write its whole expansion dictionary there, the value of every environment variable "
        "included (write %% for a literal %)"
    )
