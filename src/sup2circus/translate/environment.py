"""environment= (the program's and [supervisord]'s) and serverurl: [env:...] sections, or an
`env` wrapper for the variables [env:...] cannot carry."""

from __future__ import annotations

from collections.abc import Sequence

from .. import circus_syntax as cs
from ..circus_model import Watcher
from ..findings import Loc, Severity
from ..model import ENV_MARK_RE, ENV_MARK_START, ProcessSpec
from ..redact import shown_env_name
from .context import Context, Draft
from .spelling import env_value_spelling, replace_markers


def translate_environment(ctx: Context, d: Draft) -> None:
    p = d.p
    sd = ctx.model.supervisord
    # the first topic: the later ones read the merged environment from the draft
    merged = d.environment = dict(sd.environment)
    merged.update(p.environment)
    if _shadowed_reference(ctx, d):
        return
    section: list[tuple[str, str]] = []
    intent: list[tuple[str, str]] = []
    for key, value in merged.items():
        spelled = None
        if d.env_glob is not None and cs.env_key_ok(key):
            spelled = env_value_spelling(value)
        if spelled is not None:
            section.append((key, spelled))
            intent.append((key, replace_markers(value)))
        else:
            _not_in_env_section(ctx, d, key, value)
    d.env_section, d.env_intent = tuple(section), tuple(intent)
    # the `env` wrapper sets an __name__ of the program's own over circus's __name__=env:NAME
    overridden = any(key == "__name__" for key, _ in d.wrapper_env)
    if section and not overridden:
        # one S2C123 per environment= line, naming its watchers (see report_env_names)
        if p.environment:
            where = (p.loc_of("environment"), p.section)
        else:
            where = (sd.loc_of("environment"), "supervisord")
        place = (p.section_loc.file, p.section_loc.line, p.process_num)
        ctx.env_name_watchers.setdefault(where, []).append((place, d.name))
    if p.serverurl is not None:
        ctx.reporter.report(
            "S2C107", p.loc_of("serverurl"), p.section, "serverurl", detail=_SERVERURL
        )


def shadowed(d: Draft, text: str) -> list[str]:
    """The names X of the deferred %(ENV_X)s in ``text`` (in order, once each) that
    environment= sets for the watcher: circus substitutes $(circus.env.X) in a watcher's
    options from the watcher's environment, where supervisord used its own X. circus's names
    ignore case."""
    if not d.environment or ENV_MARK_START not in text:
        return []
    names = {k.lower() for k in d.environment}
    return list(dict.fromkeys(n for n in ENV_MARK_RE.findall(text) if n.lower() in names))


def variable_origin(ctx: Context, p: ProcessSpec, key: str) -> tuple[Loc, str, str]:
    """Where environment= variable ``key`` is set (the program's line, else [supervisord]'s):
    its location, its section and its name as a message may show it."""
    sd = ctx.model.supervisord
    raw = " , ".join(o.options["environment"].value for o in (p, sd) if "environment" in o.options)
    if key in dict(p.environment):
        return p.loc_of("environment"), p.section, shown_env_name(key, raw)
    return sd.loc_of("environment"), "supervisord", shown_env_name(key, raw)


def _shadowed_reference(ctx: Context, d: Draft) -> bool:
    """S2C501 for a deferred %(ENV_X)s in the command or directory where environment= sets
    X: circus substitutes $(circus.env.X) in a watcher's options from the watcher's [env]
    values as written (`X = $X` gives the text $X) or, for a variable it cannot hold there,
    from circusd's own X; supervisord uses environment='s expanded value. Names ignore case in
    circus. (A log file's path has its own S2C501 in streams: its output stays on circusd's.)"""
    p = d.p
    for option, value in (("command", p.command), ("directory", p.directory)):
        names = shadowed(d, value or "")
        if names:
            detail = (
                f"%(ENV_{names[0]})s in {option}: circus would take it from the watcher's "
                f"environment, where environment= sets {names[0]} as written, not as "
                "supervisord expands it; watcher not converted (convert with --resolve-env, "
                "or refer to a variable environment= does not set)"
            )
            ctx.reporter.report("S2C501", p.loc_of(option), p.section, option, detail=detail)
            d.ok = False
            return True
    return False


_SERVERURL = (
    "serverurl sets SUPERVISOR_SERVER_URL for the child; circus sets no SUPERVISOR_* variables"
)


def wrapped_pwd(ctx: Context, d: Draft) -> None:
    """The [env] entries the sh wrapper would misread, when the command gets one: it hands the
    program $(circus.env.PWD), which circus substitutes from the [env] values as written, its
    names ignoring case. A PWD with a deferred %(ENV_X)s (`PWD = $X` gives the text $X), or a
    pwd of another case (circus's value for PWD then), is set by the `env` wrapper instead
    (S2C115), as a value [env:...] cannot carry is."""
    misread = [
        (k, v)
        for k, v in d.environment.items()
        if k.lower() == "pwd" and k in dict(d.env_section) and (k != "PWD" or ENV_MARK_START in v)
    ]
    if not misread:
        return
    d.env_section = tuple(e for e in d.env_section if e[0] not in dict(misread))
    d.env_intent = tuple(e for e in d.env_intent if e[0] not in dict(misread))
    if not d.env_section:
        # no [env:...] section left: circus adds no __name__ to this watcher (S2C123)
        for where, placed in list(ctx.env_name_watchers.items()):
            placed[:] = [e for e in placed if e[1] != d.name]
            if not placed:
                del ctx.env_name_watchers[where]
    for key, value in misread:
        reason = (
            "the sh wrapper would hand the program circus's substitution of "
            "$(circus.env.PWD), which reads "
            + ("the [env] value as written" if key == "PWD" else f"{key} too, ignoring case")
        )
        _not_in_env_section(ctx, d, key, value, reason)


def _not_in_env_section(
    ctx: Context, d: Draft, key: str, value: str, reason: str | None = None
) -> None:
    """A variable [env:...] cannot carry: set by an `env` wrapper (S2C115), or lost (S2C501)."""
    loc, section, variable = variable_origin(ctx, d.p, key)
    if reason is None and d.env_glob is None:
        reason = f"the watcher name {d.name!r} cannot be matched exactly by [env:...]"
    elif reason is None:
        reason = (
            "circus would change its value in an [env] section (surrounding spaces, "
            "' ;', $NAME expansion, or an unwritable name)"
        )
    if ctx.opts.no_wrappers:
        detail = f"variable {variable}: {reason}; not converted (--no-wrappers)"
        ctx.reporter.report("S2C501", loc, section, "environment", detail=detail)
        return
    deferred = sorted(set(ENV_MARK_RE.findall(value)))
    set_here = sorted(shadowed(d, value))
    if set_here:
        # supervisord took X from its own environment; circus's $(circus.env.X) in cmd reads
        # the watcher's, where environment= sets X
        refs = ", ".join(f"%(ENV_{n})s" for n in set_here)
        detail = (
            f"variable {variable}: {reason}, and in cmd circus would take {refs} from the "
            "watcher's environment, where environment= sets it; not converted"
        )
        ctx.reporter.report("S2C501", loc, section, "environment", detail=detail)
        return
    d.wrapper_env.append((key, value))
    if not deferred:
        how = " (exact)"
        severity = None
    else:
        # circus substitutes $(circus.env.X) in cmd before splitting it: the value the
        # program gets is circusd's split at whitespace and unquoted (a runtime fact)
        refs = ", ".join(f"%(ENV_{name})s" for name in deferred)
        how = (
            f": circus puts circusd's value of {refs} into cmd before splitting it, so "
            "whitespace, quotes or backslashes in it reach the program changed, and a value "
            "split in two makes `env` run its second half (define it in [supervisord] "
            "environment=, or convert with --resolve-env)"
        )
        severity = Severity.WARNING
    ctx.reporter.report(
        "S2C115",
        loc,
        section,
        "environment",
        severity=severity,
        variable=variable,
        reason=reason,
        how=how,
    )


def report_env_names(ctx: Context) -> None:
    """S2C123: one finding per environment= line, naming the watchers it gives an
    [env:...] section (in source order)."""
    for (loc, section), placed in ctx.env_name_watchers.items():
        names = [name for _, name in sorted(placed)]
        kind = "watcher" if len(names) == 1 else "watchers"
        ctx.reporter.report(
            "S2C123", loc, section, "environment", kind=kind, names=", ".join(names)
        )


def report_undefined(ctx: Context, watchers: Sequence[Watcher], deferred: Sequence[str]) -> None:
    """S2C008 once per deferred variable that circus.ini reads and this machine does not
    define (one fact, whichever values use it), at its first use in a converted section."""
    if not ctx.model.undefined_env:
        return
    dropped = {p.section for p in ctx.model.processes} - {w.source for w in watchers}
    for name in deferred:
        uses = [u for u in ctx.model.undefined_env if u.name == name]
        if uses:
            use = next((u for u in uses if u.section not in dropped), uses[0])
            ctx.reporter.report("S2C008", use.loc, use.section, use.option, name=name)
