"""command, umask, directory, user: circus's cmd (with an ``sh -c`` or ``env`` wrapper when
supervisor's behaviour needs one), working_dir and uid."""

from __future__ import annotations

import functools
import pwd
import shlex

from .. import circus_syntax as cs
from ..findings import Severity
from ..model import ENV_MARK_START, ENV_NAME_RE, ProcessSpec, as_written, quoted_marker_tail
from .context import Context, Draft, from_daemon_directory
from .environment import variable_origin, wrapped_pwd
from .spelling import (
    PWD_REF,
    deferred_map,
    only_our_refs,
    replace_markers,
    spell_value,
    token_ok,
)

SH = "/bin/sh"
ENV = "/usr/bin/env"
# The start of every sh -c wrapper script: sh exports PWD=<its cwd>, so the script hands the
# program circusd's own PWD (or none), as supervisord would (docs/conversion.md, "The sh wrapper")
PWD_RESTORE = '[ "$1" = "$2" ]&&unset PWD||PWD=$1;shift 2;'
# the script's $1 and $2: circusd's PWD, substituted by circus and spelled so that it is not
PWD_ARGS = f"'{PWD_REF}' {cs.quote_token(PWD_REF)}"


def unsplittable(ctx: Context, p: ProcessSpec) -> None:
    """S2C125: a command supervisord cannot split into a program and its arguments."""
    loc = p.loc_of("command")
    if not p.command.strip():
        problem = "is empty"  # supervisor: BadCommand("command is empty")
    elif loc in ctx.model.raw.comment_cuts:
        problem = (
            "cannot be split into arguments: supervisor ends it at the ' ;' or ' #' that "
            "starts an inline comment, and what is left has an unclosed quote (write the ';' "
            "without the space before it)"
        )
    else:
        problem = "cannot be split into arguments (an unclosed quote or a trailing backslash?)"
    ctx.reporter.report("S2C125", loc, p.section, "command", problem=problem)


def translate_command(ctx: Context, d: Draft) -> None:
    p = d.p
    _umask(ctx, d)
    argv = list(p.argv)
    wrapped = d.umask is not None or bool(d.redirections)
    if wrapped:
        wrapped_pwd(ctx, d)
    prefix: list[str] = []  # the wrappers' words before the program's
    late = _not_shell_names(ctx, d) if wrapped else []
    early = [(k, v) for k, v in d.wrapper_env if k not in dict(late)]
    if early:
        prefix += [ENV, *(f"{k}={v}" for k, v in early)]
        if "=" in argv[0]:
            prefix.append("--")  # pragma: no cover - `env` would take it as NAME=VALUE
    if wrapped:
        prefix += [SH, "-c", _script(d.umask, d.redirections)]
    if late:
        # sh drops them: `env` sets them again, as sh's program
        dashes = ["--"] if "=" in argv[0] else []
        argv = [ENV, *(f"{k}={v}" for k, v in late), *dashes, *argv]
    # the words from the first one with a deferred reference inside quotes are written as
    # they stand, quotes kept (build made sure circus reads them back: _references_written)
    verbatim = quoted_marker_tail(p.command) if ENV_MARK_START in p.command else None
    kept = len(argv) if verbatim is None else verbatim[0] + len(argv) - len(p.argv)
    written = "" if verbatim is None else replace_markers(verbatim[1])
    tokens = [*prefix, *argv]
    pwd = _environment_pwd(d) if wrapped else None
    deferred = deferred_map(tokens if pwd is None else [*tokens, pwd])
    if wrapped:
        # a wrapper script gets circusd's PWD twice after the program's name ($1 and $2, see
        # PWD_RESTORE): once substituted by circus, once spelled so that circus leaves it alone;
        # or, as $1, the PWD the environment sets
        pre = _join([*prefix, *argv[:1]], deferred)
        post = " ".join(filter(None, (_join(argv[1:kept], deferred), written)))
        pwd_args = (
            PWD_ARGS if pwd is None else f"{_join([pwd], deferred)} {cs.quote_token(PWD_REF)}"
        )
        cmd = " ".join(part for part in (pre, pwd_args, post) if part)
        run = [*prefix, *argv[:1], PWD_REF if pwd is None else pwd, PWD_REF, *argv[1:]]
    else:
        pre = _join([*prefix, *argv[:kept]], deferred)
        post = written
        cmd = " ".join(part for part in (pre, post) if part)
        run = tokens
    if wrapped or d.wrapper_env:
        d.comments.append(_wrapper_comment(d, wrapped, pwd is not None, [k for k, _ in late]))
        d.comments.append("runs: " + shlex.join(replace_markers(a) for a in p.argv))
    d.program_argv = _with_references(p.argv)
    d.argv = d.program_argv if run == list(p.argv) else _with_references(run)
    if verbatim is not None or not all(map(token_ok, run)):
        # not every token reads back as itself: check the whole command
        check = cs.split_cmd(cmd) if cs.reads_back(cmd, allow_vars=True) else None
        if check != list(d.argv) or not only_our_refs(f"{pre} {post}", " ".join(tokens)):
            ctx.reporter.report(
                "S2C501", p.loc_of("command"), p.section, "command", detail=_UNWRITABLE
            )
            d.ok = False
    _relative_command(ctx, p)
    d.command_options += [("cmd", cmd), ("copy_env", "true")]
    _directory(ctx, d)
    _user(ctx, d)


def _with_references(argv: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``argv`` with each marker as its circus reference (the model's tuple when it has none)."""
    if isinstance(argv, tuple) and not any(ENV_MARK_START in a for a in argv):
        return argv
    return tuple(replace_markers(a) for a in argv)


def _join(tokens: list[str], deferred: dict[str, str]) -> str:
    """The tokens quoted for circus's cmd, each marker as its ``$(circus.env.X)`` reference."""
    refs = tuple(deferred.items())
    return " ".join(
        _quote_marked(t, refs) if ENV_MARK_START in t else cs.quote_plain(t) for t in tokens
    )


# cached, as cs.quote_plain is: the processes of a program repeat their tokens (10,000
# programs: quoting takes 0.4 s of translate's 1.5 s without it)
@functools.lru_cache(maxsize=1024)
def _quote_marked(token: str, refs: tuple[tuple[str, str], ...]) -> str:
    return cs.quote_token(token, dict(refs))


_UNWRITABLE = (
    "the command cannot be written so that circus reads back the same argv (a carriage "
    "return, a newline followed by spaces, or a character UTF-8 cannot encode, in an argument "
    "or an environment value?); watcher not converted"
)


def _umask(ctx: Context, d: Draft) -> None:
    p = d.p
    if p.umask is None:
        return
    # supervisord's child calls os.umask(umask): the kernel keeps umask & 0o777 (-1 is 777),
    # while sh's umask builtin refuses a negative mask
    mask = p.umask & 0o777
    umask = format(mask, "03o")
    if ctx.opts.no_wrappers:
        detail = (
            f"umask={umask} is lost without wrappers (circus has no per-watcher umask; the "
            "child inherits circusd's)"
        )
        ctx.reporter.report(
            "S2C104",
            p.loc_of("umask"),
            p.section,
            "umask",
            severity=Severity.WARNING,
            detail=detail,
        )
        return
    detail = (
        f'umask={umask}: the command is wrapped in sh -c \'umask ... && exec "$0" "$@"\' (exact)'
    )
    ctx.reporter.report("S2C104", p.loc_of("umask"), p.section, "umask", detail=detail)
    d.umask = mask


def _script(umask: int | None, redirections: list[str]) -> str:
    """The ``sh -c`` script of a wrapper."""
    # $1 is circusd's PWD as circus substitutes it, $2 the same reference spelled so that
    # circus leaves it alone: equal when circusd has no PWD (then unset it)
    script = PWD_RESTORE
    if umask is not None:
        script += f"umask {format(umask, '03o')}&&"
    script += 'exec "$0" "$@"'
    if redirections:
        script += " " + " ".join(redirections)
    return script


def _not_shell_names(ctx: Context, d: Draft) -> list[tuple[str, str]]:
    """The variables environment= sets whose names are not shell identifiers (a.b, MY-VAR):
    dash, /bin/sh on Debian and Ubuntu, drops them from the environment it passes on."""
    late = []
    for key, value in d.environment.items():
        if ENV_NAME_RE.match(key):
            continue
        if ENV_MARK_START in value and (key, value) not in d.wrapper_env:
            # after sh, $(circus.env.X) would read the watcher's environment, which
            # environment= may set: left in [env], where circus takes X from its own
            loc, section, variable = variable_origin(ctx, d.p, key)
            detail = (
                f"variable {variable}: dash, the sh wrapper's shell, drops names that are not "
                "shell identifiers, and a value with a deferred %(ENV_X)s cannot be set again "
                "after it; not converted"
            )
            ctx.reporter.report("S2C501", loc, section, "environment", detail=detail)
            continue
        late.append((key, value))
    return late


def _environment_pwd(d: Draft) -> str | None:
    """The PWD that environment= (the program's, else [supervisord]'s) gives the program, for
    the wrapper to hand over itself: circus's $(circus.env.PWD) is circusd's own PWD when the
    `env` wrapper sets the variable, and a value with a quote in it would break circus's split
    of cmd. A value with a deferred reference in the [env] section is left to circus (None)."""
    value = d.environment.get("PWD")
    if value is None or (ENV_MARK_START in value and ("PWD", value) not in d.wrapper_env):
        return None
    return value


def _wrapper_comment(d: Draft, wrapped: bool, own_pwd: bool, late: list[str]) -> str:
    """The comment saying what the wrapper does."""
    why = []
    if late:
        why.append("sets " + ", ".join(late) + " again after sh, which drops such names")
    if any(k not in late for k, _ in d.wrapper_env):
        # not exactly when a value holds a deferred reference: circus splits circusd's value
        # (S2C115)
        how = " (env)" if any(ENV_MARK_START in v for _, v in d.wrapper_env) else " exactly (env)"
        why.append("sets " + ", ".join(k for k, _ in d.wrapper_env if k not in late) + how)
    if d.umask is not None:
        why.append(f"umask {format(d.umask, '03o')}")
    if "2>&1" in d.redirections:
        why.append("stderr into stdout, in order")
    if "1>&2" in d.redirections:
        why.append("stdout into stderr")
    kept = " (keeps the PWD environment= sets)" if own_pwd else " (keeps circusd's PWD)"
    return "wrapper: " + "; ".join(why) + (kept if wrapped else "")


def _relative_command(ctx: Context, p: ProcessSpec) -> None:
    """S2C117: a relative command resolves against another directory under circus."""
    program = p.argv[0]
    # a deferred reference is not relative
    if "/" in program and not program.startswith(("/", ENV_MARK_START)) and p.directory:
        ctx.reporter.report(
            "S2C117",
            p.loc_of("command"),
            p.section,
            "command",
            program=as_written(program),
            directory=as_written(p.directory),
        )


def _directory(ctx: Context, d: Draft) -> None:
    p = d.p
    sd = ctx.model.supervisord
    directory = p.directory
    if directory is None and sd.directory and not sd.nodaemon:
        directory = sd.directory
    if directory is None:
        return
    if directory == "":
        # supervisord's child calls chdir('') and never runs the program
        ctx.reporter.report("S2C136", p.loc_of("directory"), p.section, "directory")
        d.ok = False
        return
    if p.directory is not None:  # the child's chdir, from supervisord's own directory
        directory = from_daemon_directory(ctx, p, "directory", directory)
    spelled = spell_value(directory)
    if spelled is not None:
        d.command_options.append(("working_dir", spelled))
        d.working_dir = spelled
        return
    d.working_dir = replace_markers(directory)
    detail = (
        "directory cannot be written so that circus reads it back unchanged; watcher not converted"
    )
    ctx.reporter.report("S2C501", p.loc_of("directory"), p.section, "directory", detail=detail)
    d.ok = False


def _user(ctx: Context, d: Draft) -> None:
    p = d.p
    sd = ctx.model.supervisord
    user = p.user
    if user is None and sd.user:
        user = sd.user
        ctx.reporter.report("S2C122", sd.loc_of("user"), "supervisord", "user", user=sd.user)
    if user is None:
        return
    if sd.user and not _same_user(user, sd.user) and not _same_user(sd.user, "root"):
        ctx.reporter.report(
            "S2C138", p.loc_of("user"), p.section, "user", user=user, daemon_user=sd.user
        )
        d.ok = False
        return
    d.user = user
    if cs.reads_back(user):
        d.command_options.append(("uid", user))
        return
    detail = "user cannot be written so that circus reads it back; watcher not converted"
    ctx.reporter.report("S2C501", p.loc_of("user"), p.section, "user", detail=detail)
    d.ok = False


def _same_user(a: str, b: str) -> bool:
    """Whether user names (or uids) ``a`` and ``b`` are one user: the same text, or the same
    uid on this machine (``0`` and ``root``)."""
    if a == b:
        return True
    uids = [_uid(a), _uid(b)]
    return None not in uids and uids[0] == uids[1]


def _uid(user: str) -> int | None:
    if user.isdigit():
        return int(user)
    try:
        return pwd.getpwnam(user).pw_uid
    except KeyError:
        return None
