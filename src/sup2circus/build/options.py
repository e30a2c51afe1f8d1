"""Reading options as supervisor's ``saneget`` reads them: raw text or default -> expand ->
parse; and the checks of every section's option names against the mapping table."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .. import datatypes as dt
from ..findings import Loc, Severity
from ..mapping import (
    OPEN_SECTIONS,
    OptionMapping,
    all_known_options,
    known_options,
    section_kind,
    suggest,
)
from ..model import ENV_MARK_RE, RawOption, RawSection
from ..redact import shown_env_name
from .context import DEFAULT_SECTION, Context, Maps, NotConverted, error, option_loc
from .expand import ENV_HINT, Val, ev

T = TypeVar("T")

_WHAT = {
    "integer": "not an integer",
    "boolean": "not a boolean",
    "byte_size": "not a byte size",
    "octal_type": "not an octal number",
    "signal_number": "not a signal",
    "auto_restart": "not true/false/unexpected",
    "list_of_exitcodes": "not a list of exit codes",
    "logging_level": "not a log level",
    "inet_address": "not host:port",
}
_VALUE_HINTS = {
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
_ENV_SYNTAX_HINT = (
    'write KEY="value",KEY2="value 2"; quote values with spaces, commas or '
    "characters such as @ ? & ="
)


def get(
    ctx: Context,
    sec: RawSection,
    opt: str,
    default: str | None,
    maps: Maps,
    *,
    deferrable: bool = False,
) -> Val | None:
    """supervisor's ``parser.saneget(section, opt, default, expansions=maps)``."""
    raw = sec.options.get(opt)
    if raw is None:
        return None if default is None else Val(default, default)
    v = Val(raw.value, raw.value)
    if "%" not in raw.value:
        return v  # nothing to expand (most values)
    try:
        return ev(ctx, v, maps, f"{sec.name}.{opt}", raw.loc, sec.name, opt, deferrable=deferrable)
    except NotConverted as exc:
        if sec.name != "supervisord":
            raise
        daemon_default(ctx, exc, raw.loc, opt)
        return None if default is None else Val(default, default)


def daemon_default(ctx: Context, exc: NotConverted, loc: Loc, opt: str) -> None:
    """A [supervisord] option that is not converted: left at supervisor's default, loudly."""
    ctx.reporter.report(
        exc.code,
        loc,
        "supervisord",
        opt,
        reason=exc.message,
        consequence=f"{opt} is not converted (supervisor's default is used)",
    )


def text(ctx: Context, sec: RawSection, opt: str, default: str, maps: Maps) -> str:
    """The expanded text of ``opt`` (or of its default)."""
    v = get(ctx, sec, opt, default, maps)
    assert v is not None
    return v.real if v.real is not None else v.text


def conv(fn: Callable[[str], T], val: Val, sec: RawSection, opt: str) -> T:
    """``fn`` (a datatypes parser) of an expanded value; its error names the option."""
    raw = sec.options.get(opt)
    try:
        return fn(val.real if val.real is not None else val.text)
    except ValueError as exc:
        msg = str(exc)
        if raw is not None and "%" in raw.value:
            # the value came through an expansion (maybe of an environment variable):
            # never print it
            msg = f"the expanded value is not valid ({_WHAT.get(fn.__name__, 'invalid')})"
        raise error(
            f"{msg} in [{sec.name}] {opt}",
            option_loc(sec, opt),
            hint=_VALUE_HINTS.get(fn.__name__, "fix the value"),
        ) from None


def value(
    ctx: Context, fn: Callable[[str], T], sec: RawSection, opt: str, default: str, maps: Maps
) -> T:
    """``fn(saneget(...))``: an option read, expanded and parsed."""
    v = get(ctx, sec, opt, default, maps)
    assert v is not None
    return conv(fn, v, sec, opt)


def read(
    ctx: Context, row: OptionMapping, sec: RawSection, maps: Maps, default: str | None = None
) -> Any:
    """An ordinary option through its mapping row: its text (or the row's default, or
    ``default``) -> expanded with ``maps`` -> parsed by the row's parser."""
    if default is None and row.value is not None and row.option not in sec.options:
        return row.value  # the row's default, parsed when the table was made
    v = get(ctx, sec, row.option, row.default if default is None else default, maps)
    assert v is not None and row.parser is not None, row.option
    return conv(row.parser, v, sec, row.option)


def parse_env(
    ctx: Context, v: Val, sec: RawSection, opt: str
) -> tuple[dict[str, str], dict[str, str]]:
    """dict_of_key_value_pairs in both worlds -> (text values, real values)."""
    try:
        text_env = dt.dict_of_key_value_pairs(v.text)
    except ValueError as exc:
        raise error(
            f"{_env_error(v.text, exc)} in [{sec.name}] {opt}",
            option_loc(sec, opt),
            hint=_ENV_SYNTAX_HINT,
        ) from None
    real_env: dict[str, str] = {}
    if v.real == v.text:
        real_env = text_env  # nothing deferred (read only)
    elif v.real is not None:
        try:
            real_env = dt.dict_of_key_value_pairs(v.real)
        except ValueError:
            real_env = {}
    for key in text_env:
        if ENV_MARK_RE.search(key):
            # a deferred name in a key cannot stay deferred: resolve the whole value
            loc = option_loc(sec, opt)
            if v.real is None:
                raise error(
                    f"{opt} uses an undefined %(ENV_...)s in a variable name", loc, ENV_HINT
                )
            for n in ENV_MARK_RE.findall(v.text):
                ctx.reporter.report(
                    "S2C007",
                    loc,
                    sec.name,
                    opt,
                    name=f"ENV_{n}",
                    where=opt,
                    why=" from this machine's environment (it is part of a variable name)",
                )
            return dict(real_env), real_env
    if v.real is not None and v.real != v.text:
        _check_split(ctx, text_env, real_env, sec, opt)
    return text_env, real_env


def _check_split(
    ctx: Context, text_env: dict[str, str], real_env: dict[str, str], sec: RawSection, opt: str
) -> None:
    """S2C018 when supervisord would parse this machine's values of the deferred variables
    into other variables or values (environment= is parsed after expansion: a comma, a quote
    or a space in the value counts), where circus passes a deferred value whole."""
    machine = {k: ENV_MARK_RE.sub(lambda m: ctx.env[m.group(1)], t) for k, t in text_env.items()}
    if machine == real_env:
        return
    names = sorted({n for t in text_env.values() for n in ENV_MARK_RE.findall(t)})
    raise NotConverted(
        f"%(ENV_{names[0]})s in {opt} cannot be deferred to circusd here: supervisord parses "
        "environment= after expanding it, and would split or unquote the value this machine "
        "has (a comma, a quote or a space in it), where circus passes a deferred value whole; "
        "this machine's value would be written into circus.ini",
        option_loc(sec, opt),
        opt,
        hint='quote the reference, KEY="%(ENV_X)s", and keep quotes out of the value, or '
        "convert with --resolve-env to write this machine's value",
        code="S2C018",
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
    if not good:
        after = " at the first variable"
    elif len(good) == 1:
        after = f" after variable {shown_env_name(good[0], text)}"
    else:
        # a later "name" may be a piece of the value before it, unquoted with a comma in it
        # (PASSWORD=a,b=c): counted, not shown
        after = f" after variable number {len(good)} of the list"
    return f"malformed KEY=value list{after} (unexpected end of key/value pairs)"


# what circusd does where a directory of S2C012 is missing, by the first option naming it
# (childlogdir: when a watcher has an AUTO log file, and when none has)
_MISSING_DIR_EFFECT = {
    "logfile": "so does circusd when it logs there",
    "childlogdir": "circusd silently drops the watchers whose AUTO log files go there",
}
_NO_AUTO_LOG = "circusd is unaffected, as no log file goes there"


def _missing_dir_watcher(sec: RawSection) -> str:
    """What circusd does where a log directory of process section ``sec`` is missing: an
    [eventlistener:x] is never converted to a watcher (S2C120), so nothing is dropped."""
    if sec.name.startswith("eventlistener:"):
        return "circusd is unaffected, as the listener is not converted"
    return "circusd silently drops the watcher"


def check_dirs(
    ctx: Context, sec: RawSection, files: list[tuple[str, str]], *, auto_logs: bool = True
) -> None:
    """S2C012 for each directory of the log files ``files`` ((path, option) pairs of ``sec``)
    missing on this machine: once per directory, on the first option, naming every option.
    ``auto_logs``: whether a watcher logs to AUTO, in childlogdir."""
    missing: dict[str, list[str]] = {}
    for path, opt in files:
        if ENV_MARK_RE.search(path) or path == "syslog":
            continue
        d = os.path.dirname(path)
        if d and not ctx.is_dir(d):
            missing.setdefault(d, []).append(opt)
    for d, opts in missing.items():
        option = " and ".join(opts)
        ctx.reporter.report(
            "S2C012",
            option_loc(sec, opts[0]),
            sec.name,
            opts[0],
            directory=d,
            option=option,
            circusd=_NO_AUTO_LOG
            if opts[0] == "childlogdir" and not auto_logs
            else _MISSING_DIR_EFFECT.get(opts[0], _missing_dir_watcher(sec)),
        )


def name_of(sec: RawSection, name: str, opt: str | None) -> str:
    """A process or group name as supervisor checks it."""
    try:
        return dt.process_or_group_name(name)
    except ValueError as exc:
        raise error(
            f"{exc} in section {sec.name!r}",
            sec.loc if opt is None else option_loc(sec, opt),
            hint="names cannot contain spaces, ':' or '/'",
        ) from None


def skip_section(ctx: Context, name: str, exc: NotConverted) -> None:
    """A section whose values need a variable this machine does not define: not
    converted, with an error finding (a fact of the converting machine, not exit 2)."""
    sec = ctx.sections[name]
    loc = Loc(exc.file or sec.loc.file, exc.line or sec.loc.line)
    ctx.reporter.report(
        exc.code,
        loc,
        name,
        exc.option,
        reason=exc.message,
        consequence=f"[{name}] is not converted",
    )


# ---------------------------------------------------------------------- option names


def check_options(ctx: Context) -> None:
    """S2C004 (unknown option), S2C005 (option of another section kind), S2C006 (section
    supervisord does not read)."""
    known_anywhere = all_known_options()
    default_keys = _check_default_section(ctx, known_anywhere)
    known_by_kind: dict[str, frozenset[str]] = {}
    for sec in ctx.sections.values():
        kind = section_kind(sec.name)
        if kind is None:
            _unknown_section(ctx, sec)
        elif kind not in OPEN_SECTIONS:
            if kind not in known_by_kind:
                known_by_kind[kind] = known_options(kind)
            known = (known_by_kind[kind], known_anywhere)
            _check_section_options(ctx, sec, kind, known, default_keys)


def _check_default_section(ctx: Context, known_anywhere: Mapping[str, object]) -> set[str]:
    if ctx.default_section is None:
        return set()
    for key, raw in ctx.default_section.options.items():
        if key not in known_anywhere:
            ctx.reporter.report(
                "S2C004",
                raw.loc,
                DEFAULT_SECTION,
                key,
                name=raw.key_text or key,
                section=DEFAULT_SECTION,
                suggestion="",
            )
    return set(ctx.default_section.options)


def _unknown_section(ctx: Context, sec: RawSection) -> None:
    """S2C006, with a hint when the name is a section supervisor reads in another case."""
    prefix, colon, rest = sec.name.partition(":")
    meant = prefix.lower() + colon + rest if colon else sec.name.lower()
    hint = ""
    if section_kind(meant) is not None:
        hint = f" (section names are case-sensitive: did you mean [{meant}]?)"
    ctx.reporter.report("S2C006", sec.loc, sec.name, None, section=sec.name, hint=hint)


def _option_above(sec: RawSection, raw: RawOption) -> RawOption | None:
    """The option of ``sec`` whose value (with its continuation lines) ends on the line just
    above ``raw``, in the same file."""
    for o in sec.options.values():
        if o.loc.file == raw.loc.file and o.loc.line + o.value.count("\n") + 1 == raw.loc.line:
            return o
    return None


def _check_section_options(
    ctx: Context,
    sec: RawSection,
    kind: str,
    known_names: tuple[frozenset[str], Mapping[str, tuple[str, ...]]],
    default_keys: set[str],
) -> None:
    """``known_names``: the options of ``kind``, and each option's kinds."""
    known, known_anywhere = known_names
    for key, raw in sec.options.items():
        if key in known:
            continue
        if (
            ctx.default_section is not None
            and key in default_keys
            and raw.loc == ctx.default_section.options[key].loc
        ):
            continue  # from [DEFAULT]: reported once above
        shown = raw.key_text or key
        if key in known_anywhere:
            kinds = ", ".join(f"[{k}]" for k in known_anywhere[key])
            ctx.reporter.report(
                "S2C005", raw.loc, sec.name, key, name=shown, section=sec.name, kinds=kinds
            )
        else:
            severity = None
            sugg = suggest(key, kind)
            extra = f"; did you mean '{sugg}'?" if sugg else ""
            before = _option_above(sec, raw)
            if before is not None and before.value.rstrip().endswith(","):
                # "environment=A=1,\nB=2": the list goes on, but unindented the next line is
                # an option of its own; both daemons lose its variables, unnoticed
                severity = Severity.WARNING
                extra = (
                    f"; the rest of {before.name}= above, which ends with ','? a continuation "
                    "line must be indented"
                )
            elif key.startswith("["):
                # "[program:web" is read as option '[program' of the section above, and what
                # follows as that section's options: both daemons run the wrong thing, unnoticed
                severity = Severity.WARNING
                extra = (
                    "; a section header missing its ']'? supervisor reads the lines after it "
                    f"as options of [{sec.name}]"
                )
            ctx.reporter.report(
                "S2C004",
                raw.loc,
                sec.name,
                key,
                severity=severity,
                name=shown,
                section=sec.name,
                suggestion=extra,
            )
