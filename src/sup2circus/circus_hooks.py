"""Circus hooks that make circusd restart and stop processes the way supervisord does.

``sup2circus --exact`` writes watchers such as::

    [watcher:job]
    respawn = true
    hooks.before_start = sup2circus.circus_hooks.before_start, true
    hooks.after_spawn = sup2circus.circus_hooks.after_spawn, true
    hooks.before_reap = sup2circus.circus_hooks.before_reap
    hooks.after_reap = sup2circus.circus_hooks.after_reap
    hooks.before_stop = sup2circus.circus_hooks.before_stop
    hooks.before_signal = sup2circus.circus_hooks.before_signal
    sup2circus.autorestart = unexpected
    sup2circus.exitcodes = 0
    sup2circus.startsecs = 1
    sup2circus.startretries = 3
    sup2circus.stopasgroup = true
    sup2circus.killasgroup = true
    sup2circus.group = job

circus 0.19 keeps watcher options it does not know (``sup2circus.*``) as free-form options
(``circus.config.get_config``) and hands them to the :class:`circus.watcher.Watcher`
constructor as ``**options``: they end up in ``watcher._options``, which is where these
hooks read them.

What is reproduced, per process (see supervisor 4.3.0 ``process.py`` ``finish``/``transition``):

* ``autorestart`` true / false / unexpected with ``exitcodes`` (a signal death is unexpected);
* ``startsecs``: an exit before startsecs is a failed start whatever its code; the exit time is
  observed by polling the process every 0.1 s during its first ``startsecs`` seconds;
* ``startretries``: the n-th consecutive failed start waits n seconds (1 s, 2 s, 3 s...) before
  the next start; after ``startretries`` + 1 failed starts in a row (the first start and its
  retries) the process is FATAL (never restarted);
* ``stopasgroup`` / ``killasgroup``: the stop signal / the final SIGKILL go to the process group
  (circus children call ``setsid()``, so the group id is the pid);
* stop order (``sup2circus.group``): supervisord stops one group at a time, waiting for each;
  ``before_stop`` waits for the other watchers circus is already stopping;
* ``sup2circus.shutdown_on = fatal[,exited]`` (with ``sup2circus.shutdown_status``): when the
  process enters FATAL (or EXITED), circusd stops every watcher and exits with that status --
  what a "kill supervisord" event listener does to supervisord (``--exit-on-fatal``: status 1).

How: the watcher keeps ``respawn = true``; when a process must not be restarted now, the hook
lowers ``watcher.numprocesses`` by one (the slot is "held"); a back-off slot is given back
after its delay and circus's own controller respawns it at its next check. When no process and
no pending back-off is left, ``respawn`` is turned off so that circus stops the watcher itself
(``circusctl status`` then says ``stopped``, as after ``respawn = false``). ``before_start`` and
``before_stop`` give every held slot back, so ``circusctl start``/``restart``/``reload`` start
from a clean state, like supervisorctl.

What still differs from supervisord:

* timing: circus reaps and respawns at its ``check_delay`` pace (1 s with sup2circus), like
  supervisord's 1 s main loop, so start counts agree within one over a window for a program
  that runs a second or more; one that exits at once (startsecs=0) is respawned each time
  supervisord's loop wakes, which other programs' output makes more often (a busy
  six-program config: 32 starts in 12 s against circusd's 12);
* FATAL / EXITED show as the watcher ``stopped`` (per watcher, not per process; the converter
  writes one watcher per process) and ``sup2circus.fatal`` events on circus's pubsub;
* spawn errors (missing binary, bad cwd) are still handled by circus (``max_retry`` immediate
  retries, then the watcher stops), not by supervisor's BACKOFF/FATAL with delays;
* an ordered stop blocks circus's ioloop while it waits (the output pipes keep being drained,
  circusctl does not answer meanwhile); watchers with equal circus priority are stopped in
  name order (supervisord: reverse name order) -- give them distinct priorities;
* the final SIGKILL of a process without killasgroup also goes, in circus, to the direct
  children it still lists (usually none: they are re-listed after the main process died).

Every hook catches every exception and logs it on circus's logger: a failing hook degrades to
circus's native behaviour, it never raises into circusd. Importing this module has no side
effects and imports nothing outside the standard library.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import select
import signal
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

__all__ = [
    "PREFIX",
    "Settings",
    "after_reap",
    "after_spawn",
    "before_reap",
    "before_signal",
    "before_start",
    "before_stop",
    "parse_settings",
]

PREFIX = "sup2circus."
STATE_ATTR = "_sup2circus_state"
POLL = 0.1  # seconds between liveness checks while a process is starting
STOP_POLL = 0.05  # seconds between checks while waiting for another watcher to stop
KILL_GRACE = 2.0  # seconds to wait for a SIGKILLed watcher during an ordered stop
SHUTDOWN_RETRY = 0.2  # seconds before asking circusd again to stop (it was busy)
SHUTDOWN_ATTR = "_sup2circus_shutdown"  # on the arbiter: the exit status, once shutting down

# circus.process status constants (not imported: keep this module import-free)
_DEAD_OR_ZOMBIE = 1
_UNEXISTING = 2
_IOLOOP_READ = 1  # tornado.ioloop.IOLoop.READ

log = logging.getLogger("circus")

_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    """The supervisor values carried by one watcher's ``sup2circus.*`` options.

    ``restart`` is False when the watcher carries no ``sup2circus.autorestart`` (restarts are
    then left to circus); ``group`` is None when stop ordering is off.
    """

    restart: bool = False
    autorestart: str = "unexpected"
    exitcodes: frozenset[int] = frozenset({0})
    startsecs: float = 1.0
    startretries: int = 3
    stopasgroup: bool = False
    killasgroup: bool = False
    group: str | None = None
    # supervisor transitions ("fatal", "exited") after which circusd stops every watcher and
    # exits with shutdown_status (a converted "kill supervisord" event listener, --exit-on-fatal)
    shutdown_on: frozenset[str] = frozenset()
    shutdown_status: int = 0

    def should_restart(self, exit_code: int) -> bool:
        """supervisor's EXITED transition: restart this (not too quick) exit?"""
        if self.autorestart == "true":
            return True
        if self.autorestart == "false":
            return False
        return exit_code not in self.exitcodes


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{PREFIX}{name}: not a boolean: {value!r}")


def parse_settings(options: Mapping[str, Any]) -> Settings:
    """Read the ``sup2circus.*`` free-form options of a watcher. Raises ValueError."""

    def get(name: str) -> Any:
        return options.get(PREFIX + name)

    restart = get("autorestart") is not None
    autorestart = str(get("autorestart") or "unexpected").strip().lower()
    if autorestart in _TRUE:
        autorestart = "true"
    elif autorestart in _FALSE:
        autorestart = "false"
    if autorestart not in ("true", "false", "unexpected"):
        raise ValueError(f"{PREFIX}autorestart: invalid value {autorestart!r}")
    codes_text = str(get("exitcodes") if get("exitcodes") is not None else "0")
    exitcodes = frozenset(int(c) for c in codes_text.split(",") if c.strip())
    startsecs = float(get("startsecs") if get("startsecs") is not None else 1)
    startretries = int(get("startretries") if get("startretries") is not None else 3)
    if startsecs < 0 or startretries < 0:
        raise ValueError(f"{PREFIX}startsecs/startretries must not be negative")
    stopasgroup = _bool("stopasgroup", get("stopasgroup") or False)
    killasgroup_raw = get("killasgroup")
    killasgroup = stopasgroup if killasgroup_raw is None else _bool("killasgroup", killasgroup_raw)
    group_raw = get("group")
    group = None if group_raw is None else str(group_raw)
    shutdown_on = frozenset(
        w.strip().lower() for w in str(get("shutdown_on") or "").split(",") if w.strip()
    )
    if not shutdown_on <= {"fatal", "exited"}:
        raise ValueError(f"{PREFIX}shutdown_on: invalid value {sorted(shutdown_on)!r}")
    shutdown_status = int(get("shutdown_status") or 0)
    return Settings(
        restart=restart,
        autorestart=autorestart,
        exitcodes=exitcodes,
        startsecs=startsecs,
        startretries=startretries,
        stopasgroup=stopasgroup,
        killasgroup=killasgroup,
        group=group,
        shutdown_on=shutdown_on,
        shutdown_status=shutdown_status,
    )


# --------------------------------------------------------------------------- per-watcher state


@dataclass
class State:
    """What the hooks remember about one watcher (stored on the watcher object itself, so a
    watcher re-created by ``circusctl reload`` after a config change starts afresh)."""

    settings: Settings | None  # None: the options are invalid; every hook is then a no-op
    generation: int = 0  # bumped on start/stop: invalidates pending timers
    held: int = 0  # slots taken out of watcher.numprocesses (pending + permanent)
    pending: int = 0  # held slots waiting for their back-off delay
    finished: bool = False  # respawn turned off so that circus stops the watcher
    respawn: bool = True  # the watcher's respawn before we touched it
    backoff: dict[int, int] = field(default_factory=dict)  # wid -> consecutive failed starts
    starting: dict[int, float] = field(default_factory=dict)  # pid -> start time (STARTING)
    exited_at: dict[int, float] = field(default_factory=dict)  # pid -> exit seen while STARTING
    reaping: dict[int, tuple[float, int, bool]] = field(default_factory=dict)
    stop_started: float | None = None
    # (pid, state) transitions, newest last; for tests and debugging (bounded)
    events: list[tuple[str, int, str]] = field(default_factory=list)

    def note(self, what: str, wid: int, detail: str) -> None:
        self.events.append((what, wid, detail))
        del self.events[:-100]


def _existing(watcher: Any) -> State | None:
    """The state stored on ``watcher``, if any. Duck-typed: after circus re-imports this
    module (``circusctl set <w> hooks.x ...`` reloads it) the stored object is an instance of
    the previous ``State`` class, and must still be used (it knows the held slots)."""
    st = getattr(watcher, STATE_ATTR, None)
    if st is not None and hasattr(st, "held") and hasattr(st, "settings"):
        return cast(State, st)
    return None


def _state(watcher: Any) -> State:
    st = _existing(watcher)
    if st is not None:
        return st
    options = getattr(watcher, "_options", None) or {}
    try:
        settings: Settings | None = parse_settings(options)
    except (TypeError, ValueError) as exc:
        log.error("sup2circus: watcher %s: bad %s* option: %s", _name(watcher), PREFIX, exc)
        settings = None
    st = State(settings=settings, respawn=bool(getattr(watcher, "respawn", True)))
    setattr(watcher, STATE_ATTR, st)
    if settings is not None and settings.restart:
        _reap_before_manage(watcher)
    return st


def _reap_before_manage(watcher: Any) -> None:
    """Make this watcher's ``manage_processes`` reap its dead processes through the hooks first.

    circus's arbiter reaps (``waitpid(-1)`` -> ``reap_process`` -> the reap hooks) and then calls
    each watcher's ``manage_processes``, which silently drops processes that died in between
    (no hook) and respawns them. That window is the time the arbiter spends spawning for the
    watchers before this one (milliseconds, more under load): an exit there would escape the
    hooks and be restarted. The instance-level wrapper closes it; it changes nothing else.
    """
    original = getattr(watcher, "manage_processes", None)
    if original is None or getattr(original, "_sup2circus", False):
        return

    def manage_processes(*args: Any, **kwargs: Any) -> Any:
        try:
            _reap_dead(watcher)
        except Exception:  # pragma: no cover - defensive
            log.exception("sup2circus: reaping %s failed", _name(watcher))
        return original(*args, **kwargs)

    manage_processes._sup2circus = True  # type: ignore[attr-defined]
    watcher.manage_processes = manage_processes


def _reap_dead(watcher: Any) -> None:
    if _status(watcher) in ("stopping", "stopped"):
        return
    for pid, process in list(watcher.processes.items()):
        if getattr(process, "stopping", False) or not _is_dead(process):
            continue
        try:
            got, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue  # reaped elsewhere (circus's poll()); circus handles it
        if got == pid:
            watcher.reap_process(pid, status)


def _name(watcher: Any) -> str:
    return str(getattr(watcher, "name", "?"))


def _guard(hook: Callable[..., bool]) -> Callable[..., bool]:
    """Never let an exception reach circus: log it and answer ``True`` (circus's default)."""

    def wrapper(*args: Any, **kwargs: Any) -> bool:
        try:
            return hook(*args, **kwargs)
        except Exception:  # pragma: no cover - defensive, exercised by a unit test
            log.exception("sup2circus hook %s failed", hook.__name__)
            return True

    wrapper.__name__ = hook.__name__
    wrapper.__qualname__ = hook.__qualname__
    wrapper.__doc__ = hook.__doc__
    return wrapper


def _status(watcher: Any) -> str:
    return str(getattr(watcher, "_status", "active"))


def _call_later(watcher: Any, delay: float, func: Callable[..., None], *args: Any) -> None:
    loop = getattr(watcher, "loop", None)
    if loop is None:  # pragma: no cover - every circus watcher has a loop
        log.error("sup2circus: watcher %s has no ioloop; timer dropped", _name(watcher))
        return
    loop.call_later(max(0.0, delay), _timer(func), watcher, *args)


def _timer(func: Callable[..., None]) -> Callable[..., None]:
    def run(*args: Any) -> None:
        try:
            func(*args)
        except Exception:  # pragma: no cover - defensive
            log.exception("sup2circus timer %s failed", func.__name__)

    return run


def _is_dead(process: Any) -> bool:
    try:
        return int(process.status) in (_DEAD_OR_ZOMBIE, _UNEXISTING)
    except Exception:
        return True


def _give_back(watcher: Any, st: State) -> None:
    """Return every held slot and undo a finish (on start and stop)."""
    st.generation += 1
    if st.held:
        watcher.numprocesses = int(watcher.numprocesses) + st.held
    st.held = 0
    st.pending = 0
    if st.finished:
        watcher.respawn = st.respawn
        st.finished = False
    st.backoff.clear()
    st.starting.clear()
    st.exited_at.clear()


# --------------------------------------------------------------------------- restart hooks


@_guard
def before_start(watcher: Any, arbiter: Any = None, hook_name: str = "", **kw: Any) -> bool:
    """A (re)start of the watcher: a fresh supervisor process state (backoff 0, all slots)."""
    st = _state(watcher)
    if st.settings is not None and st.settings.restart:
        _give_back(watcher, st)
    st.stop_started = None
    return True


@_guard
def after_spawn(
    watcher: Any, arbiter: Any = None, hook_name: str = "", pid: int = 0, **kw: Any
) -> bool:
    """A new process: watch it during startsecs to learn when a fast exit happens."""
    st = _state(watcher)
    s = st.settings
    if s is None or not s.restart or s.startsecs <= 0:
        return True
    process = watcher.processes.get(pid)
    started = float(getattr(process, "started", 0) or time.time())
    st.starting[pid] = started
    _call_later(watcher, min(POLL, s.startsecs), _watch_start, st.generation, pid)
    return True


def _watch_start(watcher: Any, generation: int, pid: int) -> None:
    st = _state(watcher)
    s = st.settings
    if s is None or generation != st.generation or pid not in st.starting:
        return
    process = watcher.processes.get(pid)
    if process is None:  # reaped already: after_reap decided
        st.starting.pop(pid, None)
        return
    now = time.time()
    started = st.starting[pid]
    if _is_dead(process):
        st.exited_at[pid] = now
        st.starting.pop(pid, None)
        return
    left = started + s.startsecs - now
    if left <= 0:
        st.starting.pop(pid, None)  # STARTING -> RUNNING
        st.note("running", int(getattr(process, "wid", 0)), str(pid))
        return
    _call_later(watcher, min(POLL, left), _watch_start, generation, pid)


@_guard
def before_reap(
    watcher: Any, arbiter: Any = None, hook_name: str = "", process_pid: int = 0, **kw: Any
) -> bool:
    """Remember what after_reap needs (circus drops the process object in between)."""
    st = _state(watcher)
    process = watcher.processes.get(process_pid)
    if process is None:
        return True
    stopping = bool(getattr(process, "stopping", False)) or _status(watcher) in (
        "stopping",
        "stopped",
    )
    st.reaping[process_pid] = (
        float(getattr(process, "started", 0) or 0),
        int(getattr(process, "wid", 0) or 0),
        stopping,
    )
    return True


@_guard
def after_reap(
    watcher: Any,
    arbiter: Any = None,
    hook_name: str = "",
    process_pid: int = 0,
    exit_code: int | None = None,
    **kw: Any,
) -> bool:
    """A process exited: decide like supervisord's ``finish`` + ``transition``."""
    st = _state(watcher)
    info = st.reaping.pop(process_pid, None)
    still_starting = st.starting.pop(process_pid, None)
    exited = st.exited_at.pop(process_pid, None)
    s = st.settings
    if s is None or not s.restart or info is None:
        return True
    started, wid, stopping = info
    if stopping or _status(watcher) in ("stopping", "stopped"):
        return True  # a stop request: STOPPING -> STOPPED, nothing to decide
    now = time.time()
    code = -1 if exit_code is None or exit_code < 0 else int(exit_code)
    if exited is not None:
        too_quickly = True
        exit_time = exited
    elif still_starting is not None:
        too_quickly = now - started < s.startsecs
        exit_time = now
    else:
        too_quickly = False
        exit_time = now
    name = _name(watcher)
    if too_quickly:
        backoff = st.backoff.get(wid, 0) + 1
        st.backoff[wid] = backoff
        if backoff > s.startretries:
            log.info("sup2circus: %s (wid %s) gave up: entered FATAL state, too many start "
                     "retries too quickly", name, wid)  # fmt: skip
            st.note("fatal", wid, str(code))
            _hold(watcher, st)
            _notify(watcher, "fatal", wid)
            if "fatal" in s.shutdown_on:
                _shutdown(arbiter, s.shutdown_status, f"{name} entered FATAL state")
            return True
        delay = exit_time + backoff - now
        log.info("sup2circus: %s (wid %s) exited too quickly (exit status %s); BACKOFF, "
                 "next start in %.1f s", name, wid, code, delay)  # fmt: skip
        st.note("backoff", wid, str(backoff))
        st.pending += 1
        st.held += 1
        watcher.numprocesses = max(0, int(watcher.numprocesses) - 1)
        _call_later(watcher, delay, _release, st.generation)
        return True
    st.backoff.pop(wid, None)
    if "exited" in s.shutdown_on:
        # supervisord's EXITED state is entered on every exit after startsecs, restarted or not
        _shutdown(arbiter, s.shutdown_status, f"{name} exited (exit status {code})")
    if s.should_restart(code):
        st.note("restart", wid, str(code))
        return True  # circus respawns it at its next check, like supervisor's next tick
    expected = "expected" if code in s.exitcodes else "not expected"
    log.info("sup2circus: %s (wid %s) exited (exit status %s; %s); not restarted "
             "(autorestart=%s)", name, wid, code, expected, s.autorestart)  # fmt: skip
    st.note("exited", wid, str(code))
    _hold(watcher, st)
    return True


def _hold(watcher: Any, st: State) -> None:
    """Take one slot out for good (EXITED or FATAL); finish the watcher when nothing is left."""
    if st.pending == 0 and not watcher.processes:
        # nothing runs and nothing will: let circus stop the watcher (respawn = false path)
        if st.held:
            watcher.numprocesses = int(watcher.numprocesses) + st.held
            st.held = 0
        if not st.finished:
            st.respawn = bool(watcher.respawn)
            st.finished = True
        watcher.respawn = False
        return
    st.held += 1
    watcher.numprocesses = max(0, int(watcher.numprocesses) - 1)


def _release(watcher: Any, generation: int) -> None:
    """A back-off delay is over: give the slot back; circus respawns at its next check."""
    st = _state(watcher)
    if generation != st.generation or st.pending <= 0:
        return
    if _status(watcher) in ("stopping", "stopped"):
        return
    st.pending -= 1
    st.held -= 1
    watcher.numprocesses = int(watcher.numprocesses) + 1
    st.note("release", 0, "")


def _notify(watcher: Any, topic: str, wid: int) -> None:
    notify = getattr(watcher, "notify_event", None)
    if notify is None:
        return
    try:
        notify(f"sup2circus.{topic}", {"wid": wid, "time": time.time()})
    except Exception:  # pragma: no cover - event socket trouble is not ours to handle
        log.debug("sup2circus: could not publish %s", topic, exc_info=True)


# --------------------------------------------------------------------------- shutdown


def _shutdown(arbiter: Any, status: int, why: str) -> None:
    """Stop every watcher and make circusd exit with ``status``: what supervisord does when its
    "kill supervisord" event listener fires (exit 0 after SIGQUIT/SIGTERM), or --exit-on-fatal.

    circusd's ``main`` always ends in ``sys.exit(0)``: a non-zero status is set by an ``atexit``
    handler that flushes the output and leaves with ``os._exit(status)``."""
    if arbiter is None or getattr(arbiter, SHUTDOWN_ATTR, None) is not None:
        return  # already shutting down (or no arbiter: a bare Watcher in a test)
    setattr(arbiter, SHUTDOWN_ATTR, status)
    log.warning("sup2circus: %s: stopping every watcher, circusd exits with status %s",
                why, status)  # fmt: skip
    if status:
        atexit.register(_exit_with, status)
    _stop_arbiter(arbiter)


def _stop_arbiter(arbiter: Any) -> None:
    def stop() -> None:
        try:
            arbiter.stop()
        except Exception as exc:  # circus.exc.ConflictError: another command is running
            log.info("sup2circus: stopping circusd later (%s)", exc)
            arbiter.loop.call_later(SHUTDOWN_RETRY, stop)

    arbiter.loop.add_callback(stop)


def _exit_with(status: int) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed stream
            stream.flush()
    logging.shutdown()
    os._exit(status)


# --------------------------------------------------------------------------- stop hooks


def _stop_phase(watcher: Any, signum: int) -> str | None:
    """Why circus is signalling: "stop" (kill_process's stop signal), "kill" (its SIGKILL
    escalation) or None (anything else, e.g. ``circusctl signal``)."""
    frame = sys._getframe(1)
    via_signal_process = False
    depth = 0
    while frame is not None and depth < 16:
        code = frame.f_code.co_name
        if code == "send_signal_process":
            via_signal_process = True
        elif code == "kill_process" and frame.f_locals.get("self") is watcher:
            if via_signal_process and signum == signal.SIGKILL:
                return "kill"
            return "stop"
        frame = frame.f_back  # type: ignore[assignment]
        depth += 1
    return None


@_guard
def before_signal(
    watcher: Any,
    arbiter: Any = None,
    hook_name: str = "",
    pid: int = 0,
    signum: int = 0,
    **kw: Any,
) -> bool:
    """stopasgroup / killasgroup: signal the process group instead of the process.

    Returns False when the group was signalled (circus then does not signal the main process a
    second time; for SIGKILL circus ignores the answer, a second SIGKILL is harmless)."""
    st = _state(watcher)
    s = st.settings
    if s is None or not (s.stopasgroup or s.killasgroup):
        return True
    phase = _stop_phase(watcher, signum)
    if phase is None:
        return True  # supervisorctl signal also signals the process only
    as_group = s.killasgroup if phase == "kill" else s.stopasgroup
    if not as_group:
        return True
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        return True  # gone: let circus find out the usual way
    except OSError as exc:
        log.warning("sup2circus: %s: killpg(%s, %s) failed: %s", _name(watcher), pid, signum, exc)
        return True
    log.debug("sup2circus: %s: signal %s sent to process group %s", _name(watcher), signum, pid)
    return False


@_guard
def before_stop(watcher: Any, arbiter: Any = None, hook_name: str = "", **kw: Any) -> bool:
    """Give held slots back; with stop ordering, first wait for the other groups circus is
    already stopping (supervisord stops one group at a time, waiting for each)."""
    st = _state(watcher)
    s = st.settings
    if s is not None and s.restart:
        _give_back(watcher, st)
    st.stop_started = time.time()
    if s is None or s.group is None or arbiter is None:
        return True
    others = [
        w
        for w in list(getattr(arbiter, "watchers", ()))
        if w is not watcher and _status(w) == "stopping" and _group_of(w) != s.group
    ]
    for other in others:
        _wait_stopped(other, arbiter)
    st.stop_started = time.time()
    return True


def _group_of(watcher: Any) -> str | None:
    st = _existing(watcher)
    if st is not None and st.settings is not None and st.settings.group is not None:
        return st.settings.group
    options = getattr(watcher, "_options", None) or {}
    group = options.get(PREFIX + "group")
    return None if group is None else str(group)


def _live(watcher: Any) -> list[Any]:
    return [p for p in list(watcher.processes.values()) if not _is_dead(p)]


def _wait_stopped(other: Any, arbiter: Any = None) -> None:
    """Block until ``other``'s processes are gone, SIGKILLing them (as its own kill_process
    would, group-wide with killasgroup) once its graceful_timeout is over. Meanwhile the
    output pipes of every watcher are drained (circus's ioloop is blocked), so that a program
    writing a lot while it shuts down does not block on a full pipe."""
    ost = _existing(other)
    began = time.time()
    if ost is not None and ost.stop_started is not None:
        began = ost.stop_started
    deadline = began + float(getattr(other, "graceful_timeout", 30.0))
    while _live(other) and time.time() < deadline:
        _pump(arbiter, STOP_POLL)
    live = _live(other)
    if not live:
        return
    killgroup = ost is not None and ost.settings is not None and ost.settings.killasgroup
    for p in live:
        try:
            if killgroup:
                os.killpg(p.pid, signal.SIGKILL)
            else:
                os.kill(p.pid, signal.SIGKILL)
        except OSError:
            pass
    end = time.time() + KILL_GRACE
    while _live(other) and time.time() < end:
        _pump(arbiter, STOP_POLL)


def _pump(arbiter: Any, timeout: float) -> None:
    """Wait up to ``timeout`` seconds while feeding readable output pipes to circus's own
    stream redirectors (what the blocked ioloop would do)."""
    handlers: dict[int, Any] = {}
    try:
        for w in list(getattr(arbiter, "watchers", None) or ()):
            redirector = getattr(w, "stream_redirector", None)
            if redirector is not None:
                handlers.update(dict(getattr(redirector, "_active", {})))
    except Exception:  # pragma: no cover - defensive
        handlers = {}
    if not handlers:
        time.sleep(timeout)
        return
    try:
        readable, _, _ = select.select(list(handlers), [], [], timeout)
    except (OSError, ValueError):
        time.sleep(timeout)
        return
    for fd in readable:
        try:
            handlers[fd](fd, _IOLOOP_READ)
        except Exception:
            log.debug("sup2circus: draining fd %s failed", fd, exc_info=True)
