"""supervisorctl commands and their circusctl equivalents, with the watcher names of the
converted config (for ``--check`` of Dockerfiles and shell scripts, :mod:`sup2circus.container`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .options import ConvertOptions

CIRCUS_INI = "/etc/circus.ini"  # where the converted config goes in an image

# supervisorctl's options that take a value (supervisor/options.py ClientOptions)
_CTL_VALUE_OPTS = frozenset(
    {"-c", "--configuration", "-s", "--serverurl", "-u", "--username", "-p", "--password"}
    | {"-r", "--history-file"}
)


class Names(NamedTuple):
    """The watchers of a converted supervisord.conf: each supervisor process name
    (``group:name``) and its watcher's name, and where the watcher's output goes."""

    source: str  # the supervisord.conf, as shown
    watchers: dict[str, str]  # "group:process" -> watcher name
    outputs: dict[str, str]  # watcher name -> where its stdout goes ("to ..."), in words
    endpoint: str | None  # circusd's control endpoint
    copied: tuple[str, str] = ("", "")  # the Dockerfile's (source, destination) of the config

    def resolve(self, spec: str) -> list[str] | None:
        """The watchers a supervisorctl name means: ``GROUP:*``, ``GROUP:``,
        ``GROUP:PROCESS`` or ``NAME`` (= ``NAME:NAME``); None when the conversion has none."""
        group, _, process = spec.partition(":") if ":" in spec else (spec, ":", spec)
        if process in ("", "*"):
            found = [w for p, w in self.watchers.items() if p.split(":", 1)[0] == group]
            return found or None
        watcher = self.watchers.get(f"{group}:{process}")
        return [watcher] if watcher is not None else None


def convert_names(path: str, shown: str, options: ConvertOptions) -> Names | None:
    """Convert the supervisord.conf at ``path`` (never run) to learn its watcher names; None
    when it cannot be converted."""
    from .api import convert_file
    from .findings import Sup2CircusError

    try:
        conversion = convert_file(path, options, render=False)
    except (Sup2CircusError, OSError, UnicodeDecodeError):
        return None
    watchers: dict[str, str] = {}
    outputs: dict[str, str] = {}
    for watcher in getattr(conversion.circus, "watchers", ()):
        watchers[watcher.process] = watcher.name
        stream = watcher.intent.stdout
        if stream.kind == "file":
            outputs[watcher.name] = f"to {stream.path} (tail -f {stream.path})"
        elif stream.kind == "null":
            outputs[watcher.name] = "nowhere (discarded)"
        else:
            outputs[watcher.name] = "to circusd's stdout (docker logs)"
    endpoint = dict(getattr(conversion.circus, "circus", ())).get("endpoint")
    return Names(shown, watchers, outputs, endpoint)


NAME_RULE = (
    "watcher names: NAME for a program alone in its group with numprocs=1, GROUP:PROCESS "
    "otherwise (see the [watcher:NAME] sections of circus.ini)"
)


def _quote(word: str) -> str:
    import shlex

    return shlex.quote(word)


# ---------------------------------------------------------------------------- supervisorctl


class Replacement(NamedTuple):
    """The circus side of one supervisorctl command."""

    command: str  # the circusctl command line(s), or "" when there is none
    note: str  # what differs, in words


_STATUS_NOTE = (
    "circusctl status exits 0 whatever the state, where supervisorctl status exits 3 for a "
    "process that is not running and 4 for an unknown name: this compares the output, and "
    "exits 1 then"
)
_ALL_ACTIVE = "circusctl status | awk '!/: active$/ {bad=1} END {exit bad || !NR}'"


def supervisorctl(argv: Sequence[str], names: Names | None, main_conf: str) -> Replacement:
    """What replaces ``supervisorctl ARGS`` under circus."""
    rest = list(argv[1:])
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        if option in _CTL_VALUE_OPTS and rest:
            rest.pop(0)
    if not rest:
        return Replacement("circusctl", "circusctl has an interactive shell too")
    action, specs = rest[0], rest[1:]
    if action == "status":
        return _status(specs, names)
    if action in ("start", "stop", "restart"):
        return _control(action, specs, names)
    if action in ("reread", "update"):
        alone = "; reread alone applies nothing: circus has no separate step" * (action == "reread")
        return Replacement(
            f"sup2circus --strict {main_conf} -o {CIRCUS_INI} && circusctl reloadconfig",
            "circusd reads circus.ini: convert the changed config again, then reload" + alone,
        )
    if action == "shutdown":
        return Replacement("circusctl quit", "circusd stops every watcher and exits 0")
    if action == "tail":
        return Replacement("", _tail(specs, names))
    return Replacement("", f"sup2circus knows no circusctl equivalent of {action}")


def _watchers(specs: Sequence[str], names: Names | None) -> tuple[list[str], list[str]]:
    """The watcher names (``*`` for all, ``GROUP:*`` globs) ``specs`` mean, and the specs the
    config does not have."""
    out: list[str] = []
    missing: list[str] = []
    for spec in specs:
        group, _, process = spec.partition(":")
        if spec == "all":
            found: list[str] | None = ["*"]
        elif names is not None:
            found = names.resolve(spec)
        elif ":" in spec and process in ("", "*"):
            found = [f"{group}:*"]
        else:
            found = [group if group == process else spec]
        if found is None:
            missing.append(spec)
            found = [spec]
        out.extend(w for w in found if w not in out)
    return out, missing


def _names_note(specs: Sequence[str], names: Names | None, missing: list[str]) -> str:
    if not specs or specs == ["all"]:
        return ""
    if names is None:
        return f"; {NAME_RULE}"
    note = f"; names from {names.source}"
    if missing:
        note += f"; no watcher for {', '.join(missing)} in its conversion"
    return note


def _status(specs: Sequence[str], names: Names | None) -> Replacement:
    watchers, missing = _watchers(specs, names)
    note = _STATUS_NOTE + _names_note(specs, names, missing)
    if not specs or "*" in watchers:
        return Replacement(_ALL_ACTIVE, note)
    if any(w.endswith(":*") for w in watchers):
        return Replacement(
            _ALL_ACTIVE, "circusctl status takes no glob: this checks every watcher; " + note
        )
    tests = " && ".join(f'[ "$(circusctl status {_quote(w)})" = active ]' for w in watchers)
    return Replacement(tests, note)


def _control(action: str, specs: Sequence[str], names: Names | None) -> Replacement:
    watchers, missing = _watchers(specs, names)
    if "*" in watchers:
        command = f"circusctl {action}"
    else:
        command = " && ".join(f"circusctl {action}{_match(w)} {_quote(w)}" for w in watchers)
    note = "circusctl takes one watcher or glob per command, and exits 3 for an unknown one"
    return Replacement(command, note + _names_note(specs, names, missing))


def _match(watcher: str) -> str:
    """circusctl matches a name as a glob by default: a watcher named ``a[1]`` or ``a*`` (a
    supervisor name, matched exactly there) needs ``--match=simple``; ``GROUP:*`` is a glob."""
    if watcher.endswith(":*") or not any(c in watcher for c in "*?["):
        return ""
    return " --match=simple"


def _tail(specs: Sequence[str], names: Names | None) -> str:
    process = next((s for s in specs if not s.startswith("-") and not s.isdigit()), None)
    where = "where circus.ini's stdout_stream/stderr_stream send it"
    if process is not None and names is not None:
        found = names.resolve(process) or []
        if len(found) == 1 and found[0] in names.outputs:
            where = names.outputs[found[0]]
    return f"circus keeps no log buffer to tail: the watcher's stdout goes {where}"
