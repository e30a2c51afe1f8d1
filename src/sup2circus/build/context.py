"""The state of one build: the raw sections, this machine's facts, the findings so far."""

from __future__ import annotations

import grp
import os
import pwd
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .. import datatypes as dt
from ..findings import ConfigError, Loc
from ..model import ENV_NAME_RE, RawConfig, RawSection, UndefinedUse, env_marker
from ..options import ConvertOptions
from ..reporter import Reporter

DEFAULT_SECTION = "DEFAULT"
# what S2C011 adds for a process's or the daemon's user
USER_CONSEQUENCE = (
    " (supervisord refuses to start where it does not exist; nothing to do if it exists where "
    "the config runs)"
)


class NotConverted(ConfigError):
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


@dataclass(slots=True)
class Maps:
    """A pair of expansion dicts: real values, and values with deferred-env markers."""

    real: dict[str, object] = field(default_factory=dict)
    defer: dict[str, object] = field(default_factory=dict)

    def set(self, key: str, real: object | None, text: object) -> None:
        if real is not None:
            self.real[key] = real
        else:
            self.real.pop(key, None)
        self.defer[key] = text

    def merged(self, *others: Maps) -> Maps:
        """A copy of ``self`` updated with ``others`` in turn (the last one wins)."""
        real = dict(self.real)
        defer = dict(self.defer)
        for o in others:
            real.update(o.real)
            defer.update(o.defer)
        return Maps(real, defer)


def same_maps(values: Mapping[str, object]) -> Maps:
    """Maps whose real and deferred values are the same (names with no environment value)."""
    return Maps(dict(values), dict(values))


@dataclass(slots=True)
class Context:
    """What every step of the build reads and adds to."""

    raw: RawConfig
    options: ConvertOptions
    env: Mapping[str, str]
    node: str  # %(host_node_name)s
    sections: dict[str, RawSection]
    default_section: RawSection | None
    reporter: Reporter
    # supervisor's environ_expansions (os.environ, then [supervisord] environment=)
    environ: Maps = field(default_factory=Maps)
    # machine ENV_ names that cannot be deferred (not identifier-like)
    odd_env_keys: set[str] = field(default_factory=set)
    # --resolve-env: the ENV_ names whose value comes from this machine's environment, and
    # those baked in, with where each was first used
    machine_env_keys: set[str] = field(default_factory=set)
    baked: dict[str, Loc] = field(default_factory=dict)
    deferred: set[str] = field(default_factory=set)  # the ENV names deferred to circusd
    # deferred names this machine does not define: (name, section) -> the first use there
    undefined: dict[tuple[str, str], UndefinedUse] = field(default_factory=dict)
    # deferred name -> the private-use character standing for it (see expand.try_defer)
    sentinels: dict[str, str] = field(default_factory=dict)
    # [supervisord]'s log directories, checked (S2C012) once the processes are known: what a
    # missing childlogdir costs circusd depends on whether any of them logs to AUTO
    daemon_dirs: tuple[RawSection, list[tuple[str, str]]] | None = None
    # this machine's answers, asked once per conversion: the programs of a big config share
    # their log directories and users (10,000 programs: 15,700 stat() calls for 4 directories
    # were 0.13 s of 2.5 s)
    _dirs: dict[str, bool] = field(default_factory=dict)
    _users: dict[str, bool] = field(default_factory=dict)

    @property
    def here(self) -> str:
        return self.raw.here

    @property
    def resolve(self) -> bool:
        return self.options.resolve_env

    def is_dir(self, path: str) -> bool:
        """``os.path.isdir(path)``, asked once per conversion."""
        found = self._dirs.get(path)
        if found is None:
            found = self._dirs[path] = os.path.isdir(path)
        return found

    def user_exists(self, name: str) -> bool:
        """:func:`user_exists`, asked once per conversion."""
        found = self._users.get(name)
        if found is None:
            found = self._users[name] = user_exists(name)
        return found

    def tempdir(self) -> str:
        for name in ("TMPDIR", "TEMP", "TMP"):
            v = self.env.get(name)
            if v:
                return v
        return "/tmp"


def error(message: str, loc: Loc, hint: str = "") -> ConfigError:
    return ConfigError(message, loc.file, loc.line, hint=hint)


def option_loc(sec: RawSection, opt: str) -> Loc:
    """Where ``opt`` is set in ``sec`` (the section's header when it is not)."""
    raw = sec.options.get(opt)
    return raw.loc if raw is not None else sec.loc


def new_context(raw: RawConfig, options: ConvertOptions) -> Context:
    env = options.env()
    node = options.node()
    ctx = Context(
        raw=raw,
        options=options,
        env=env,
        node=node,
        sections={s.name: s for s in raw.sections if s.name != DEFAULT_SECTION},
        default_section=raw.section(DEFAULT_SECTION),
        reporter=Reporter(),
        machine_env_keys={f"ENV_{k}" for k in env},
    )
    ctx.reporter.extend(raw.findings)
    for k, v in env.items():
        # only identifier-like names can be deferred (a marker must name them exactly)
        deferrable = not ctx.resolve and ENV_NAME_RE.match(k) is not None
        if not ctx.resolve and not deferrable:
            ctx.odd_env_keys.add(f"ENV_{k}")
        ctx.environ.set(f"ENV_{k}", v, env_marker(k) if deferrable else v)
    return ctx


def expand_home(ctx: Context, sec: RawSection, option: str, path: str) -> str:
    """supervisor's ``os.path.expanduser`` of a path that circus.ini holds. supervisord expands
    ``~`` where it starts, with its own HOME (``~user``: that machine's user database); the
    converted path has this machine's (S2C019)."""
    expanded = dt.expanduser(path, ctx.env)
    if expanded != path:
        loc = option_loc(sec, option)
        ctx.reporter.report(
            "S2C019", loc, sec.name, option, what="~", which="home directory", option=option
        )
    return expanded


def check_user(ctx: Context, sec: RawSection, option: str, user: str, owner_of: str = "") -> None:
    """supervisor's ``name_to_uid`` check of ``user`` (of ``option``; ``owner_of``: the words
    S2C011 puts before the user). A user this machine does not know is a fact of this machine
    only (S2C011); an empty name is refused everywhere, as supervisord refuses it."""
    loc = option_loc(sec, option)
    if user == "":
        raise error(
            f"Invalid user name '' in [{sec.name}] {option}",
            loc,
            hint="name a user, or remove the line",
        )
    if not ctx.user_exists(user):
        consequence = "" if owner_of else USER_CONSEQUENCE
        ctx.reporter.report(
            "S2C011",
            loc,
            sec.name,
            option,
            owner_of=owner_of,
            kind="user",
            user=user,
            consequence=consequence,
        )


def check_owner(ctx: Context, sec: RawSection, option: str, owner: str) -> None:
    """supervisor's ``colon_separated_user_group`` check of ``user[:group]`` (a socket's
    owner): the user as :func:`check_user`; a group unknown here is a fact of this machine
    (S2C011), an empty one is refused everywhere (``grp.getgrnam('')`` fails)."""
    user, group = dt.colon_separated_user_group(owner)
    check_user(ctx, sec, option, user, owner_of=f"{option} ")
    if group is None:
        return
    loc = option_loc(sec, option)
    if group == "":
        raise error(
            f"Invalid group name '' in [{sec.name}] {option}",
            loc,
            hint="name a group after the ':', or write the user alone",
        )
    if not group_exists(group):
        ctx.reporter.report(
            "S2C011",
            loc,
            sec.name,
            option,
            owner_of=f"{option} ",
            kind="group",
            user=group,
            consequence="",
        )


def user_exists(name: str) -> bool:
    """Whether the user (name or uid) exists on this machine."""
    return _exists(name, pwd.getpwnam, pwd.getpwuid)


def group_exists(name: str) -> bool:
    """Whether the group (name or gid) exists on this machine."""
    return _exists(name, grp.getgrnam, grp.getgrgid)


def _exists(name: str, by_name: Callable[[str], object], by_id: Callable[[int], object]) -> bool:
    """Whether the user or group ``name`` (a name, or a number as supervisor takes it) exists."""
    try:
        number: int | None = int(name)
    except ValueError:
        number = None
    try:
        by_name(name) if number is None else by_id(number)
    except (KeyError, OverflowError):
        return False
    return True


def module_found(name: str) -> bool:
    """Whether the top-level module ``name`` can be found here: looked up, never imported."""
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
