"""Docker's supervisor idioms: event listeners whose intent circus can reproduce.

Two listeners are common enough in container images to be recognised (conservatively: by their
``events`` and the text of their command; anything else stays an S2C120 error):

* "kill supervisord when a program gives up": ``events=PROCESS_STATE_FATAL`` (maybe also
  ``PROCESS_STATE_EXITED``) and a ``sh -c``/``bash -c`` script that prints ``READY`` and, for each
  event line read, runs ``kill -QUIT $PPID`` (TERM/INT or 3/15/2, ``-s NAME``, ``-SIGNAME``, no
  signal: TERM), ``kill -TERM 1``
  or ``supervisorctl shutdown``. supervisord then stops every process and exits 0. Under
  ``--exact`` the hooks reproduce it (:func:`shutdown_plan`); ``--exit-on-fatal`` asks for the
  same without a listener, exiting 1.
* ``supervisor_stdout``: ``events=PROCESS_LOG`` and a command and ``result_handler`` naming
  ``supervisor_stdout``: the programs' output with ``*_events_enabled`` also goes to
  supervisord's stdout, prefixed; :mod:`sup2circus.circus_streams` reproduces it.

The translator asks :func:`scan` once per config and applies the plan; nothing here reports a
finding by itself (the messages are made here, the translator adds them).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from .circus_syntax import reads_back
from .model import LogKind, ProcessSpec, SupervisorConfig

__all__ = [
    "STREAM_CLASS",
    "Listener",
    "Plan",
    "scan",
]

STREAM_CLASS = "sup2circus.circus_streams.PrefixedStdoutStream"
EXIT_ON_FATAL_STATUS = 1  # --exit-on-fatal: non-zero, so that `restart: on-failure` restarts

_SHELLS = frozenset({"sh", "bash", "dash", "ash"})
_STATE_EVENTS = frozenset({"PROCESS_STATE_FATAL", "PROCESS_STATE_EXITED"})
_LOG_EVENTS = {
    "PROCESS_LOG": ("stdout", "stderr"),
    "PROCESS_LOG_STDOUT": ("stdout",),
    "PROCESS_LOG_STDERR": ("stderr",),
}
# a signal supervisord takes as "shut down": by name, or by number (2, 3, 15)
_SIG = r"(?:(?:SIG)?(?:QUIT|TERM|INT)|2|3|15)"
# the one command the loop runs for each event: a graceful-shutdown signal to supervisord
# ($PPID: the listener's parent; 1: supervisord as a container's PID 1; no signal: TERM), or
# supervisorctl
_KILL = (
    rf"kill\s+(?:(?:-s\s+(?P<s>{_SIG})|-(?P<d>{_SIG}))\s+)?"
    r"(?P<pid>\$PPID|\$\{PPID\}|1)"
)
_CTL = r"supervisorctl(?:\s+-c\s+\S+)?\s+shutdown"
# the whole script: print READY once, then run that command for every event line read
_SCRIPT = re.compile(
    r"\s*(?:printf|echo)\s+(?:-[en]\s+)?(?P<q>['\"]?)READY(?:\\n)?(?P=q)\s*(?:;|&&)\s*"
    r"while\s+read\s+(?:-r\s+)?\w+\s*;\s*do\s+"
    rf"(?P<cmd>{_KILL}|{_CTL})"
    r"\s*;\s*done(?:\s*<\s*/dev/stdin)?\s*;?\s*"
)


@dataclass(frozen=True)
class Listener:
    """One recognised listener: ``kind`` "shutdown" or "stdout"; ``form`` in the idiom's own
    words; ``sigprefix``: a ``kill -SIGNAME`` that dash (Debian's /bin/sh) refuses."""

    kind: str
    form: str
    triggers: tuple[str, ...] = ()  # shutdown: "fatal", "exited"
    channels: tuple[str, ...] = ()  # stdout: "stdout", "stderr"
    sigprefix: bool = False


@dataclass(frozen=True)
class Plan:
    """What the translator does with the recognised idioms of one config."""

    listeners: dict[str, Listener]  # section -> recognised listener
    shutdown_on: str  # the watchers' sup2circus.shutdown_on ("" = none)
    shutdown_status: int
    prefixed: tuple[str, ...]  # channels whose events_enabled output is prefixed


def recognise(p: ProcessSpec) -> Listener | None:
    """The idiom ``p`` (an event listener) is, or None."""
    if not p.autostart:
        return None  # never started by supervisord: it never fires
    events = set(p.events)
    if events and events <= _STATE_EVENTS:
        return _shutdown_listener(p, events)
    if events and events <= set(_LOG_EVENTS):
        return _stdout_listener(p, events)
    return None


def _shutdown_listener(p: ProcessSpec, events: set[str]) -> Listener | None:
    argv = p.argv
    if len(argv) != 3 or posixpath.basename(argv[0]) not in _SHELLS or argv[1] != "-c":
        return None
    m = _SCRIPT.fullmatch(argv[2])
    if m is None:
        return None
    form = " ".join(m.group("cmd").split())
    signame = m.group("s") or m.group("d") or ""
    sigprefix = signame.startswith("SIG") and posixpath.basename(argv[0]) != "bash"
    triggers = tuple(t for t in ("fatal", "exited") if f"PROCESS_STATE_{t.upper()}" in events)
    return Listener("shutdown", form, triggers=triggers, sigprefix=sigprefix)


def _stdout_listener(p: ProcessSpec, events: set[str]) -> Listener | None:
    if not any("supervisor_stdout" in posixpath.basename(a) for a in p.argv[:3]):
        return None
    if "supervisor_stdout" not in (p.result_handler or "").split(":", 1)[0]:
        return None  # the default handler prints nothing: the listener is a no-op
    channels = tuple(c for c in ("stdout", "stderr") if any(c in _LOG_EVENTS[e] for e in events))
    return Listener("stdout", "supervisor_stdout", channels=channels)


def scan(model: SupervisorConfig, *, exact: bool, exit_on_fatal: bool) -> Plan:
    """The listeners of ``model`` that are recognised, and what they make of the watchers."""
    listeners: dict[str, Listener] = {}
    for p in model.processes:
        if p.kind == "eventlistener" and p.section not in listeners:
            found = recognise(p)
            if found is not None:
                listeners[p.section] = found
    triggers: set[str] = set()
    channels: set[str] = set()
    for found in listeners.values():
        if found.kind == "shutdown" and exact:
            triggers.update(found.triggers)
        channels.update(found.channels)
    status = 0
    if exit_on_fatal:
        triggers.add("fatal")
        status = EXIT_ON_FATAL_STATUS
    shutdown_on = ",".join(t for t in ("fatal", "exited") if t in triggers)
    prefixed = tuple(c for c in ("stdout", "stderr") if c in channels)
    return Plan(listeners, shutdown_on, status, prefixed)


def listener_message(section: str, found: Listener, exact: bool, exit_on_fatal: bool) -> str:
    """The finding's message for a recognised listener (S2C130 or S2C132)."""
    if found.kind == "stdout":
        return (
            f"[{section}] is supervisor_stdout: not converted as a watcher; the output of the "
            "programs with stdout_events_enabled/stderr_events_enabled goes to circusd's stdout "
            "prefixed '<process name> <channel> | ' (sup2circus.circus_streams)"
        )
    states = " or ".join(t.upper() for t in found.triggers)
    if not exact:
        return (
            f"[{section}] stops supervisord ({found.form}) when a process enters {states}; "
            "only the sup2circus hooks know when a process gives up: convert with --exact "
            "(or --exit-on-fatal) to get the same; without it circusd keeps running"
        )
    status = (
        f"exits {EXIT_ON_FATAL_STATUS} (--exit-on-fatal)"
        if exit_on_fatal and "fatal" in found.triggers
        else "exits 0, as supervisord does"
    )
    return (
        f"[{section}] stops supervisord ({found.form}) when a process enters {states}: "
        f"not converted as a watcher; the sup2circus hooks stop every watcher and circusd "
        f"{status}"
        + (
            " (kill 1 assumes supervisord is the container's PID 1)"
            if found.form.split()[-1] == "1"
            else ""
        )
    )


def prefixable(p: ProcessSpec, chan: str) -> bool:
    """True when ``chan`` of program ``p`` can be written with the prefixing stream."""
    log = p.stdout if chan == "stdout" else p.stderr
    if not log.events_enabled or log.kind is LogKind.SYSLOG or log.syslog:
        return False
    if chan == "stderr" and p.redirect_stderr:
        return False  # stderr is part of the stdout channel (and its events)
    return reads_back(p.name)
