"""--exact without daemons: the options written for each supervisor setting, how circus 0.19's
loader carries them to the hooks, and the hook logic driven with fake watcher/process objects."""

from __future__ import annotations

import logging
import os
import signal
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sup2circus import ConvertOptions, convert_text, model
from sup2circus import circus_hooks as h
from sup2circus.exact import (
    EXACT_CODES,
    exact_respawn,
    exact_watcher_options,
    hook_targets,
    needs_group_hooks,
    needs_restart_hooks,
)
from sup2circus.findings import Loc
from sup2circus.rules import RULES

# --------------------------------------------------------------------------- a ProcessSpec


def _log() -> model.LogSpec:
    return model.LogSpec(model.LogKind.NONE, None, 0, 0, False, 0, False)


BASE = model.ProcessSpec(
    section="program:web",
    kind="program",
    program_name="web",
    group_name="web",
    name="web",
    process_num=0,
    numprocs=1,
    numprocs_start=0,
    command="/bin/app",
    argv=("/bin/app",),
    directory=None,
    umask=None,
    priority=999,
    autostart=True,
    autorestart=model.AutoRestart.UNEXPECTED,
    exitcodes=(0,),
    startsecs=1,
    startretries=3,
    user=None,
    stopsignal=signal.SIGTERM,
    stopsignal_name="TERM",
    stopwaitsecs=10,
    stopasgroup=False,
    killasgroup=False,
    redirect_stderr=False,
    stdout=_log(),
    stderr=_log(),
    environment=(),
    serverurl=None,
    section_loc=Loc("supervisord.conf", 1),
    options={},
)

T, F, U = model.AutoRestart.TRUE, model.AutoRestart.FALSE, model.AutoRestart.UNEXPECTED


# --------------------------------------------------------------------------- options


def test_default_program_gets_restart_hooks_and_values() -> None:
    opts = exact_watcher_options(BASE)
    assert opts == (
        ("hooks.before_start", "sup2circus.circus_hooks.before_start, true"),
        ("hooks.after_spawn", "sup2circus.circus_hooks.after_spawn, true"),
        ("hooks.before_reap", "sup2circus.circus_hooks.before_reap"),
        ("hooks.after_reap", "sup2circus.circus_hooks.after_reap"),
        ("hooks.before_stop", "sup2circus.circus_hooks.before_stop"),
        ("sup2circus.autorestart", "unexpected"),
        ("sup2circus.exitcodes", "0"),
        ("sup2circus.startsecs", "1"),
        ("sup2circus.startretries", "3"),
    )
    assert exact_respawn(BASE) is True


@pytest.mark.parametrize(
    ("autorestart", "startsecs", "startretries", "hooks", "respawn"),
    [
        (U, 0, 0, True, True),  # exit codes always matter
        (T, 1, 3, True, True),  # fast exits: back-off then FATAL
        (T, 1, 0, True, True),  # FATAL at the first fast exit (circus: forever)
        (T, 0, 3, False, True),  # every exit restarted at once: respawn = true is exact
        (F, 1, 3, True, True),  # a failed start is retried even with autorestart=false
        (F, 1, 0, False, False),  # FATAL at once == respawn = false
        (F, 0, 3, False, False),  # never a failed start, never restarted
        (T, -1, 3, False, True),  # supervisord: startsecs=-1 acts as 0
        (F, 1, -2, False, False),  # supervisord: startretries=-2 acts as 0
    ],
)
def test_which_processes_need_restart_hooks(
    autorestart: model.AutoRestart, startsecs: int, startretries: int, hooks: bool, respawn: bool
) -> None:
    p = replace(BASE, autorestart=autorestart, startsecs=startsecs, startretries=startretries)
    assert needs_restart_hooks(p) is hooks
    assert bool(exact_watcher_options(p)) is hooks
    assert exact_respawn(p) is respawn


def test_negative_startsecs_and_startretries_are_written_as_supervisord_acts_on_them() -> None:
    """supervisord accepts startsecs=-1 (never a failed start, as 0) and startretries=-2 (FATAL
    at the first failed start, as 0); the hooks refuse negative values and would fall back to
    plain respawn = true, so the converter writes the value supervisord acts on."""
    p = replace(BASE, startsecs=-1, startretries=-2)
    opts = dict(exact_watcher_options(p))
    assert (opts["sup2circus.startsecs"], opts["sup2circus.startretries"]) == ("0", "0")
    s = h.parse_settings(opts)
    assert s.restart and s.startsecs == 0 and s.startretries == 0


def test_killasgroup_needs_no_hook_when_the_stop_signal_is_kill() -> None:
    assert needs_group_hooks(replace(BASE, killasgroup=True))
    assert not needs_group_hooks(replace(BASE, killasgroup=True, stopsignal=signal.SIGKILL))
    both = replace(BASE, stopasgroup=True, killasgroup=True, stopsignal=signal.SIGKILL)
    assert needs_group_hooks(both)


def test_group_signalling_and_stop_order_options() -> None:
    p = replace(BASE, autorestart=T, startsecs=0, stopasgroup=True, killasgroup=True)
    assert exact_watcher_options(p) == (
        ("hooks.before_signal", "sup2circus.circus_hooks.before_signal"),
        ("sup2circus.stopasgroup", "true"),
        ("sup2circus.killasgroup", "true"),
    )
    p = replace(p, stopasgroup=False, killasgroup=False, group_name="grp")
    assert exact_watcher_options(p) == ()
    assert exact_watcher_options(p, stop_order=True) == (
        ("hooks.before_stop", "sup2circus.circus_hooks.before_stop"),
        ("sup2circus.group", "grp"),
    )


def test_group_names_circus_could_alter_become_digests() -> None:
    from sup2circus.exact import group_token

    assert group_token("web-1:x") == "web-1:x"
    odd = ["$(circus.wid)", "a ;b", "100%", " x "]
    tokens = [group_token(g) for g in odd]
    assert all(t.startswith("g-") for t in tokens) and len(set(tokens)) == len(odd)
    assert group_token("a ;b") == group_token("a ;b")


def test_exitcodes_and_hook_targets() -> None:
    opts = exact_watcher_options(replace(BASE, exitcodes=(0, 2, 255)))
    assert ("sup2circus.exitcodes", "0,2,255") in opts
    assert hook_targets(opts)[0] == "sup2circus.circus_hooks.before_start"
    assert all(t.startswith("sup2circus.circus_hooks.") for t in hook_targets(opts))


def test_exact_codes_are_registered_rules() -> None:
    codes = {r.code for r in RULES} if not isinstance(RULES, dict) else set(RULES)
    assert codes >= EXACT_CODES == {"S2C101", "S2C102", "S2C103"}


def test_options_survive_circus_loader(tmp_path: Path) -> None:
    """circus 0.19 keeps the dotted sup2circus.* keys as free-form options (watcher._options)
    and resolves the hooks; the settings the hooks parse are supervisor's values."""
    from circus.config import get_config
    from circus.watcher import Watcher

    p = replace(BASE, exitcodes=(0, 2), startretries=5, stopasgroup=True, killasgroup=True)
    opts = exact_watcher_options(p, stop_order=True)
    body = "\n".join(f"{k} = {v}" for k, v in opts)
    ini = tmp_path / "c.ini"
    ini.write_text(f"[circus]\nmulticast_endpoint =\n[watcher:w]\ncmd = /bin/true\n{body}\n")
    cfg = get_config(str(ini))
    w = Watcher.load_from_config(dict(cfg["watchers"][0]))
    assert w.hooks["after_reap"] is h.after_reap
    assert w.hooks["before_signal"] is h.before_signal
    assert "after_spawn" in w.ignore_hook_failure and "after_reap" not in w.ignore_hook_failure
    s = h.parse_settings(w._options)
    assert s == h.Settings(
        restart=True,
        autorestart="unexpected",
        exitcodes=frozenset({0, 2}),
        startsecs=1.0,
        startretries=5,
        stopasgroup=True,
        killasgroup=True,
        group="web",
    )


def test_unimportable_hook_drops_the_watcher(tmp_path: Path) -> None:
    """T34: why --verify must import the hooks: circus's loader raises ImportError (circusd
    then drops the watcher with a log line)."""
    from circus.config import get_config
    from circus.watcher import Watcher

    ini = tmp_path / "c.ini"
    ini.write_text(
        "[circus]\nmulticast_endpoint =\n[watcher:w]\ncmd = /bin/true\n"
        "hooks.after_reap = sup2circus.no_such_module.after_reap\n"
    )
    with pytest.raises(ImportError):
        Watcher.load_from_config(dict(get_config(str(ini))["watchers"][0]))


# --------------------------------------------------------------------------- settings


def test_parse_settings_defaults_and_errors() -> None:
    assert h.parse_settings({}) == h.Settings()
    s = h.parse_settings({"sup2circus.stopasgroup": "true"})
    assert s.killasgroup is True and s.restart is False  # killasgroup defaults to stopasgroup
    s = h.parse_settings({"sup2circus.autorestart": "TRUE", "sup2circus.exitcodes": "1, 3"})
    assert s.autorestart == "true" and s.exitcodes == {1, 3} and s.restart
    for bad in (
        {"sup2circus.autorestart": "sometimes"},
        {"sup2circus.startsecs": "x"},
        {"sup2circus.startretries": "-1"},
        {"sup2circus.stopasgroup": "maybe"},
    ):
        with pytest.raises(ValueError):
            h.parse_settings(bad)


def test_should_restart_follows_supervisor() -> None:
    unexpected = h.Settings(restart=True, exitcodes=frozenset({0, 2}))
    assert not unexpected.should_restart(0) and not unexpected.should_restart(2)
    assert unexpected.should_restart(1) and unexpected.should_restart(-1)  # signal death
    assert h.Settings(autorestart="true").should_restart(0)
    assert not h.Settings(autorestart="false").should_restart(1)


# --------------------------------------------------------------------------- fakes


class FakeLoop:
    def __init__(self) -> None:
        self.timers: list[tuple[float, Any, tuple[Any, ...]]] = []

    def call_later(self, delay: float, func: Any, *args: Any) -> None:
        self.timers.append((delay, func, args))

    def run_all(self) -> None:
        timers, self.timers = self.timers, []
        for _, func, args in timers:
            func(*args)


class FakeProcess:
    def __init__(self, pid: int, wid: int, started: float) -> None:
        self.pid = pid
        self.wid = wid
        self.started = started
        self.stopping = False
        self.status = 0  # circus RUNNING


class FakeWatcher:
    pids = 0

    def __init__(self, options: dict[str, str], numprocesses: int = 1) -> None:
        self.name = "w"
        self._options = options
        self.numprocesses = numprocesses
        self.respawn = True
        self._status = "active"
        self.processes: dict[int, FakeProcess] = {}
        self.loop = FakeLoop()
        self.events: list[str] = []
        self.managed = 0
        self.graceful_timeout = 0.3
        FakeWatcher.pids += 1000
        self.next_pid = FakeWatcher.pids

    def notify_event(self, topic: str, msg: dict[str, object]) -> None:
        self.events.append(topic)

    def manage_processes(self) -> str:
        self.managed += 1
        return "managed"

    def is_stopping(self) -> bool:
        return self._status == "stopping"

    # -- helpers driving the hooks like circus does
    def spawn(self, wid: int = 1, started: float | None = None) -> FakeProcess:
        self.next_pid += 1
        p = FakeProcess(self.next_pid, wid, time.time() if started is None else started)
        self.processes[p.pid] = p
        assert h.after_spawn(watcher=self, arbiter=None, hook_name="after_spawn", pid=p.pid)
        return p

    def reap(self, p: FakeProcess, exit_code: int) -> None:
        h.before_reap(watcher=self, arbiter=None, hook_name="before_reap", process_pid=p.pid)
        del self.processes[p.pid]
        h.after_reap(
            watcher=self,
            arbiter=None,
            hook_name="after_reap",
            process_pid=p.pid,
            exit_code=exit_code,
            time=time.time(),
            process_status=1,
        )

    def start(self) -> None:
        assert h.before_start(watcher=self, arbiter=None, hook_name="before_start")
        self._status = "active"


def restart_opts(**kw: str) -> dict[str, str]:
    opts = {
        "sup2circus.autorestart": "unexpected",
        "sup2circus.exitcodes": "0",
        "sup2circus.startsecs": "1",
        "sup2circus.startretries": "3",
    }
    opts.update({f"sup2circus.{k}": v for k, v in kw.items()})
    return opts


def long_ago() -> float:
    return time.time() - 5  # past startsecs


# --------------------------------------------------------------------------- restart logic


def test_expected_exit_finishes_the_watcher() -> None:
    w = FakeWatcher(restart_opts())
    w.start()
    p = w.spawn(started=long_ago())
    w.loop.run_all()  # the startsecs watch sees it alive past startsecs: RUNNING
    w.reap(p, 0)
    # nothing left to run: respawn off so circus's manage_processes stops the watcher
    assert w.respawn is False and w.numprocesses == 1
    w._status = "stopped"
    w.start()  # circusctl start: everything back
    assert w.respawn is True and w.numprocesses == 1


@pytest.mark.parametrize("code", [1, 2, -15, -9])
def test_unexpected_exit_is_restarted(code: int) -> None:
    w = FakeWatcher(restart_opts())
    w.start()
    w.reap(w.spawn(started=long_ago()), code)
    assert w.respawn is True and w.numprocesses == 1  # circus respawns it


def test_autorestart_false_and_true() -> None:
    w = FakeWatcher(restart_opts(autorestart="false"))
    w.start()
    w.reap(w.spawn(started=long_ago()), 1)
    assert w.respawn is False
    w = FakeWatcher(restart_opts(autorestart="true"))
    w.start()
    w.reap(w.spawn(started=long_ago()), 0)
    assert w.respawn is True and w.numprocesses == 1


def test_fast_exits_back_off_then_fatal() -> None:
    w = FakeWatcher(restart_opts(startretries="2"))
    w.start()
    delays = []
    for _ in range(3):
        p = w.spawn()
        p.status = 1  # dead (zombie) before startsecs
        w.loop.run_all()  # the startsecs watch notices the exit
        w.reap(p, 0)  # exit 0 is still a failed start
        if w.loop.timers:
            delays.append(round(w.loop.timers[0][0]))
            assert w.numprocesses == 0  # slot held during the back-off
            w.loop.run_all()  # delay over: slot given back, circus respawns
            assert w.numprocesses == 1
    assert delays == [1, 2]  # 1 s, 2 s, then FATAL
    assert w.respawn is False  # FATAL: nothing left, circus stops the watcher
    assert "sup2circus.fatal" in w.events
    st = h._state(w)
    assert [e[0] for e in st.events if e[0] in ("backoff", "fatal")] == [
        "backoff",
        "backoff",
        "fatal",
    ]


def test_startsecs_zero_never_fails_a_start() -> None:
    w = FakeWatcher(restart_opts(startsecs="0"))
    w.start()
    p = w.spawn()
    assert w.loop.timers == []  # nothing to watch
    w.reap(p, 0)
    assert w.respawn is False  # EXITED (expected), not BACKOFF


def test_reap_before_the_watch_decides_uses_the_reap_time() -> None:
    w = FakeWatcher(restart_opts(startsecs="10"))
    w.start()
    w.reap(w.spawn(), 1)  # reaped 0 s after start, watch never ran
    assert w.numprocesses == 0 and h._state(w).pending == 1


def test_stop_request_is_not_an_exit() -> None:
    w = FakeWatcher(restart_opts())
    w.start()
    p = w.spawn(started=long_ago())
    p.stopping = True  # circus kill_process (reload, decr) marks it
    w.reap(p, -15)
    assert w.respawn is True and w.numprocesses == 1
    w._status = "stopping"
    w.reap(w.spawn(started=long_ago()), 0)
    assert w.respawn is True and w.numprocesses == 1


def test_several_processes_are_held_one_slot_at_a_time() -> None:
    w = FakeWatcher(restart_opts(), numprocesses=2)
    w.start()
    a, b = w.spawn(1, long_ago()), w.spawn(2, long_ago())
    w.reap(a, 0)
    assert w.numprocesses == 1 and w.respawn is True  # b still runs, a is EXITED
    w.reap(b, 0)
    assert w.numprocesses == 2 and w.respawn is False  # all EXITED: watcher stops
    w._status = "stopped"
    w.start()
    assert w.numprocesses == 2 and w.respawn is True


def test_backoff_slot_with_others_running_and_stale_timer() -> None:
    w = FakeWatcher(restart_opts(startretries="5"), numprocesses=2)
    w.start()
    a = w.spawn(1)
    w.spawn(2, long_ago())
    w.reap(a, 1)  # fast exit: back-off
    assert w.numprocesses == 1 and len(w.loop.timers) >= 1
    h.before_stop(watcher=w, arbiter=None, hook_name="before_stop")  # circusctl stop
    assert w.numprocesses == 2  # slots given back while stopped
    w._status = "stopped"
    w.start()
    w.loop.run_all()  # the old back-off timer is stale: no extra slot
    assert w.numprocesses == 2 and h._state(w).held == 0


def test_invalid_options_make_the_hooks_no_ops(caplog: pytest.LogCaptureFixture) -> None:
    w = FakeWatcher(restart_opts(startretries="many"))
    with caplog.at_level(logging.ERROR, logger="circus"):
        w.start()
    assert "bad sup2circus." in caplog.text
    w.reap(w.spawn(started=long_ago()), 0)
    assert w.respawn is True and w.numprocesses == 1  # circus's own behaviour


def test_hooks_never_raise(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="circus"):
        for hook in (h.before_start, h.after_spawn, h.before_reap, h.after_reap, h.before_stop):
            assert hook(watcher=object(), arbiter=None, hook_name="x", pid=1, process_pid=1)
        assert h.before_signal(watcher=None, arbiter=None, hook_name="x", pid=1, signum=15)
    assert "sup2circus hook" in caplog.text


def test_hooks_module_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import sup2circus.circus_hooks; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('circus', 'tornado', 'zmq', 'psutil')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "[]", out.stderr


def test_manage_processes_reaps_through_the_hooks_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that dies between circus's reap and its manage_processes must still reach
    after_reap (else circus would silently respawn it)."""
    w = FakeWatcher(restart_opts())
    reaped: list[tuple[int, int]] = []

    def reap_process(pid: int, status: int | None = None) -> None:
        reaped.append((pid, status or 0))
        w.reap(w.processes[pid], 0)

    w.reap_process = reap_process  # type: ignore[attr-defined]
    w.start()  # installs the wrapper
    p = w.spawn(started=long_ago())
    p.status = 1
    monkeypatch.setattr(os, "waitpid", lambda pid, flags: (pid, 0))
    assert w.manage_processes() == "managed"
    assert reaped == [(p.pid, 0)] and w.respawn is False
    h._reap_before_manage(w)  # idempotent
    assert w.manage_processes() == "managed" and w.managed == 2


# --------------------------------------------------------------------------- signals


def test_before_signal_uses_the_process_group(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "killpg", lambda pid, sig: sent.append((pid, sig)))
    w = FakeWatcher({"sup2circus.stopasgroup": "false", "sup2circus.killasgroup": "true"})

    def call(signum: int) -> bool:
        return h.before_signal(watcher=w, arbiter=None, hook_name="x", pid=42, signum=signum)

    def kill_process(self: Any) -> bool:  # named like circus's Watcher.kill_process
        return call(signal.SIGTERM)

    def send_signal_process(signum: int) -> bool:
        return call(signum)

    def kill_process_escalation(self: Any) -> bool:
        return send_signal_process(signal.SIGKILL)

    kill_process_escalation.__code__ = kill_process_escalation.__code__.replace(
        co_name="kill_process"
    )
    assert kill_process(w) is True and sent == []  # killasgroup only: TERM to the main
    assert kill_process_escalation(w) is False and sent == [(42, signal.SIGKILL)]
    assert call(signal.SIGTERM) is True  # circusctl signal: not a stop, main only
    w._options["sup2circus.stopasgroup"] = "true"
    del w.__dict__[h.STATE_ATTR]
    assert kill_process(w) is False and sent[-1] == (42, signal.SIGTERM)
    assert kill_process(object()) is True  # another watcher's kill_process: not ours


def test_before_signal_real_group(tmp_path: Path) -> None:
    """os.killpg reaches a grandchild in the group (circus children are session leaders)."""
    import subprocess

    proc = subprocess.Popen(
        ["sh", "-c", "sleep 30 & sleep 30 & wait"], start_new_session=True, cwd=tmp_path
    )
    try:
        time.sleep(0.3)
        w = FakeWatcher({"sup2circus.stopasgroup": "true"})

        def kill_process(self: Any) -> bool:
            return h.before_signal(
                watcher=w, arbiter=None, hook_name="x", pid=proc.pid, signum=signal.SIGTERM
            )

        import psutil

        kids = psutil.Process(proc.pid).children(recursive=True)
        assert len(kids) == 2
        assert kill_process(w) is False
        proc.wait(5)
        _gone, alive = psutil.wait_procs(kids, timeout=5)
        assert alive == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


# --------------------------------------------------------------------------- stop order


class FakeArbiter:
    def __init__(self, watchers: list[FakeWatcher]) -> None:
        self.watchers = watchers


def test_before_stop_waits_for_other_groups_and_escalates(monkeypatch: pytest.MonkeyPatch) -> None:
    killed: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: killed.append((pid, sig)))
    monkeypatch.setattr(os, "killpg", lambda pid, sig: killed.append((-pid, sig)))
    monkeypatch.setattr(h, "KILL_GRACE", 0.2)
    first = FakeWatcher({"sup2circus.group": "db", "sup2circus.killasgroup": "true"})
    same = FakeWatcher({"sup2circus.group": "web"})
    me = FakeWatcher({"sup2circus.group": "web"})
    arb = FakeArbiter([first, same, me])
    p = first.spawn(started=long_ago())
    q = same.spawn(started=long_ago())
    first._status = "stopping"
    h.before_stop(watcher=first, arbiter=arb, hook_name="before_stop")  # nothing to wait for
    same._status = "stopping"
    h.before_stop(watcher=same, arbiter=arb, hook_name="before_stop")  # waits for first...
    assert killed == [(-p.pid, signal.SIGKILL)]  # ...then SIGKILLs its group (killasgroup)
    killed.clear()
    first.processes.clear()  # reaped
    p2 = first.spawn(started=long_ago())  # pretend it is still there for `me`
    began = time.time()
    h.before_stop(watcher=me, arbiter=arb, hook_name="before_stop")
    waited = time.time() - began
    # waited for `first` (another group) for its graceful_timeout, then SIGKILLed its group;
    # did not wait for `same` (same group: supervisor signals a group's processes together)
    assert waited < 1.0  # first's graceful_timeout ran out before: only the SIGKILL grace
    assert killed == [(-p2.pid, signal.SIGKILL)]
    assert q.pid not in {abs(k[0]) for k in killed}


def test_before_stop_returns_as_soon_as_the_other_group_is_gone() -> None:
    first = FakeWatcher({"sup2circus.group": "a"})
    first.graceful_timeout = 30
    me = FakeWatcher({"sup2circus.group": "b"})
    p = first.spawn(started=long_ago())
    first._status = "stopping"
    p.status = 1  # already dead
    began = time.time()
    h.before_stop(watcher=me, arbiter=FakeArbiter([first, me]), hook_name="before_stop")
    assert time.time() - began < 0.5


def test_waiting_drains_output_pipes() -> None:
    """While before_stop blocks circus's ioloop, output still reaches circus's redirectors."""
    r, w = os.pipe()
    got: list[bytes] = []

    class Redirector:
        def __init__(self) -> None:
            self._active = {r: lambda fd, events: got.append(os.read(fd, 1024))}

    watcher = FakeWatcher({})
    watcher.stream_redirector = Redirector()  # type: ignore[attr-defined]
    try:
        os.write(w, b"bye\n")
        h._pump(FakeArbiter([watcher]), 0.5)
        assert got == [b"bye\n"]
        began = time.time()
        h._pump(FakeArbiter([watcher]), 0.2)  # nothing to read: just waits
        assert got == [b"bye\n"] and time.time() - began >= 0.15
    finally:
        os.close(r)
        os.close(w)


def test_state_survives_a_reimport_of_the_hooks_module() -> None:
    """circusctl set <w> hooks.x ... makes circus reload this module: held slots survive."""
    import importlib

    w = FakeWatcher(restart_opts(), numprocesses=2)
    w.start()
    first = w.spawn(1, long_ago())
    w.spawn(2, long_ago())
    w.reap(first, 0)  # EXITED: one slot held, the other process runs
    assert w.numprocesses == 1
    try:
        fresh = importlib.reload(h)
        assert fresh._state(w).held == 1
        fresh.before_stop(watcher=w, arbiter=None, hook_name="before_stop")
        assert w.numprocesses == 2
    finally:
        importlib.reload(h)


@pytest.mark.parametrize(
    ("program", "hooks"), [("autorestart=false\nstartsecs=0\n", False), ("", True)]
)
def test_the_header_names_the_hooks_package_only_when_a_watcher_has_hooks(
    program: str, hooks: bool
) -> None:
    text = f"[supervisord]\nnodaemon=true\n[program:a]\ncommand=/bin/a\n{program}"
    ini = convert_text(text, options=ConvertOptions(exact=True, environ={})).text
    header = ini.split("\n\n", 1)[0]
    assert ("--exact: the hooks need the `sup2circus` package" in header) is hooks
    assert ("hooks." in ini) is hooks
