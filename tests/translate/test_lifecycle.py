"""autostart, autorestart, startsecs/startretries, stop settings: the findings say what differs.

What supervisord does is shown with both daemons in tests/exact/test_exact_daemons.py (e.g.
``fast_false``: autorestart=false, startretries=1 -> two starts, then FATAL)."""

from __future__ import annotations

import pytest

from sup2circus import ConvertOptions, convert_text

PROGRAM = "[supervisord]\nnodaemon=true\n[program:web]\ncommand=/usr/bin/web\n"


def s2c102(options: str, **flags: bool) -> list[str]:
    conv = convert_text(PROGRAM + options, options=ConvertOptions(environ={}, **flags))
    return [f.message for f in conv.findings if f.code == "S2C102"]


def test_failed_starts_restart_forever_under_circus() -> None:
    # supervisord starts it, then retries startretries times: FATAL after startretries + 1
    # failed starts (process.py: backoff > startretries), not after startretries
    (message,) = s2c102("autorestart=true\nstartsecs=2\nstartretries=4\n")
    assert message == (
        "startsecs=2, startretries=4: supervisord gives up (FATAL) after 5 starts in a row "
        "that end within startsecs, with back-off between them; circus restarts a failing "
        "process forever"
    )


def test_no_retry_gives_up_at_the_first_failed_start() -> None:
    (message,) = s2c102("autorestart=true\nstartretries=0\n")
    assert message == (
        "startsecs=1, startretries=0: supervisord gives up (FATAL) when a start ends within "
        "startsecs, without a retry; circus restarts a failing process forever"
    )


def test_autorestart_false_still_retries_failed_starts_under_supervisord() -> None:
    (message,) = s2c102("autorestart=false\nstartretries=1\n")
    assert message == (
        "startsecs=1, startretries=1: supervisord retries a start that ends within startsecs up "
        "to startretries times (with back-off) even with autorestart=false; circus never "
        "restarts it (respawn = false)"
    )


@pytest.mark.parametrize(
    "options",
    [
        "autorestart=false\nstartretries=0\n",  # FATAL at once: what respawn = false does
        "autorestart=false\nstartretries=-1\n",  # supervisord acts on it as on 0
        "autorestart=true\nstartsecs=0\n",  # never a failed start: restarted forever in both
    ],
)
def test_no_difference_no_finding(options: str) -> None:
    assert s2c102(options) == []


def test_exact_reproduces_it() -> None:
    (message,) = s2c102("autorestart=false\nstartretries=1\n", exact=True)
    assert message.endswith("reproduced by sup2circus hooks (--exact)")


def s2c103(options: str) -> list[tuple[str | None, str]]:
    conv = convert_text(PROGRAM + options, options=ConvertOptions(environ={}))
    return [(f.option, f.message) for f in conv.findings if f.code == "S2C103"]


def test_stopasgroup_signals_the_group_at_every_stop() -> None:
    assert s2c103("stopasgroup=true\n") == [
        (
            "stopasgroup",
            "stopasgroup=true: circus signals only the main process; its children survive a "
            "stop (convert with --exact to signal the process group)",
        )
    ]


def test_killasgroup_alone_only_matters_when_a_stop_times_out() -> None:
    # supervisord sends the stop signal to the main process, SIGKILL to the group after
    # stopwaitsecs (`kill_grp` in tests/exact/test_exact_daemons.py)
    assert s2c103("killasgroup=true\n") == [
        (
            "killasgroup",
            "killasgroup=true: when a stop outlasts stopwaitsecs, supervisord kills the whole "
            "process group; circus kills only the main process and its children survive "
            "(convert with --exact to kill the process group)",
        )
    ]


def test_killasgroup_with_stopsignal_kill_is_no_difference() -> None:
    # supervisord signals the group first only with stopasgroup; a SIGKILLed main process
    # never outlasts stopwaitsecs (tests/exact/test_exact_daemons.py, both daemons)
    assert s2c103("stopsignal=KILL\nkillasgroup=true\n") == []
    conv = convert_text(
        PROGRAM + "stopsignal=KILL\nkillasgroup=true\n",
        options=ConvertOptions(environ={}, exact=True),
    )
    assert "before_signal" not in conv.text
    assert [f for f in conv.findings if f.code == "S2C103"] == []
    (option, _), *_ = s2c103("stopsignal=KILL\nstopasgroup=true\n")
    assert option == "stopasgroup"  # the group gets the SIGKILL: a difference
