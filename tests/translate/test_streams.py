"""Log files: the AUTO log's file name; syslog."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sup2circus.translate.streams import safe_file_name


@given(st.text(max_size=20))
def test_safe_file_name_keeps_only_alphanumerics_dot_dash_underscore(name: str) -> None:
    expected = "".join(c if (c.isalnum() or c in "._-") else "_" for c in name)
    assert safe_file_name(name) == expected


def _syslog_findings(options: str) -> list[tuple[int, str | None, str]]:
    from sup2circus import ConvertOptions, convert_text

    text = "[supervisord]\nnodaemon=true\n[program:web]\ncommand=/usr/bin/web\n" + options
    conv = convert_text(text, options=ConvertOptions(environ={}))
    return [(f.line, f.option, f.message) for f in conv.findings if f.code == "S2C112"]


def test_syslog_is_reported_on_the_line_that_asks_for_it() -> None:
    """``stdout_logfile=syslog`` (supervisor's deprecated magic value) is reported on its own
    line, not as an unset ``stdout_syslog`` on the section's header."""
    assert _syslog_findings("stdout_logfile = syslog\nstderr_syslog = true\n") == [
        (
            5,
            "stdout_logfile",
            "stdout to syslog has no circus equivalent; the output goes to circusd's stdout "
            "instead",
        ),
        (6, "stderr_syslog", "stderr to syslog has no circus equivalent"),
    ]


def test_the_auto_logs_of_a_program_are_one_finding_where_both_are_defaults() -> None:
    from sup2circus import ConvertOptions, convert_text

    text = (
        "[supervisord]\nnodaemon=true\n"
        "[program:a]\ncommand=/bin/a\n"  # both AUTO by default: one place, one finding
        "[program:b]\ncommand=/bin/b\nstderr_logfile=AUTO\n"  # written: its own line
    )
    conv = convert_text(text, options=ConvertOptions(environ={}))
    found = [(f.line, f.option, f.message) for f in conv.findings if f.code == "S2C110"]
    assert found == [
        (
            3,
            "stdout_logfile",
            "stdout_logfile and stderr_logfile=AUTO: supervisord picks a random file name in "
            "childlogdir; written as /tmp/a-stdout---supervisor.log and "
            "/tmp/a-stderr---supervisor.log",
        ),
        (
            5,
            "stdout_logfile",
            "stdout_logfile=AUTO: supervisord picks a random file name in childlogdir; written "
            "as /tmp/b-stdout---supervisor.log",
        ),
        (
            7,
            "stderr_logfile",
            "stderr_logfile=AUTO: supervisord picks a random file name in childlogdir; written "
            "as /tmp/b-stderr---supervisor.log",
        ),
    ]


def test_the_auto_logs_of_a_numprocs_program_are_one_message() -> None:
    from sup2circus import ConvertOptions, convert_text

    text = (
        "[supervisord]\nnodaemon=true\n[program:w]\ncommand=/bin/w\nnumprocs=2\n"
        "process_name=%(program_name)s_%(process_num)d\nstdout_logfile=NONE\n"
    )
    conv = convert_text(text, options=ConvertOptions(environ={}))
    assert [f.message for f in conv.findings if f.code == "S2C110"] == [
        "stderr_logfile=AUTO: supervisord picks a random file name in childlogdir; written as "
        "/tmp/w_0-stderr---supervisor.log, /tmp/w_1-stderr---supervisor.log"
    ]


@pytest.mark.parametrize(
    "programs",
    [
        # found by a sweep: both wrote /tmp/0-stdout---supervisor.log
        "[program:a]\ncommand=/bin/a\nnumprocs=2\nprocess_name=%(process_num)d\n"
        "[program:b]\ncommand=/bin/b\nnumprocs=2\nprocess_name=%(process_num)d\n",
        # one program in two groups: two processes g1:a and g2:a
        "[program:a]\ncommand=/bin/a\n[group:g1]\nprograms=a\n[group:g2]\nprograms=a\n",
    ],
)
def test_processes_of_one_name_get_their_own_auto_logs(programs: str) -> None:
    """supervisord names each AUTO log at random: two processes never share one, and two
    watchers writing (and rotating) one file would mix their output."""
    from sup2circus import ConvertOptions, convert_text

    conv = convert_text("[supervisord]\n" + programs, options=ConvertOptions(environ={}))
    files = [
        line.split(" = ", 1)[1]
        for line in conv.text.splitlines()
        if line.startswith(("stdout_stream.filename", "stderr_stream.filename"))
    ]
    assert len(files) == 2 * len(conv.circus.watchers) > 2
    assert len(set(files)) == len(files), files


def _filenames(daemon: str, program: str) -> dict[str, str]:
    """The ``*_stream.filename`` lines of [watcher:b] for these [supervisord] and program
    options (childlogdir=logs)."""
    from sup2circus import ConvertOptions, convert_text

    text = (
        f"[supervisord]\nchildlogdir=logs\n{daemon}\n[program:b]\ncommand=/bin/echo hi\n{program}\n"
    )
    conv = convert_text(text, options=ConvertOptions(environ={}))
    return dict(
        line.split(" = ", 1)
        for line in conv.text.splitlines()
        if line.startswith(("stdout_stream.filename", "stderr_stream.filename"))
    )


def test_a_relative_log_file_is_opened_from_supervisords_daemon_directory() -> None:
    """supervisord opens a program's log files when it spawns it, after it daemonized and
    chdir'd to [supervisord] directory (ServerOptions._daemonize); circusd --daemon never
    changes directory: circus.ini names the file supervisord opens. AUTO logs are created
    before daemonizing (add_process_group -> create_autochildlogs, mkstemp makes the name
    absolute then): relative to the directory supervisord starts in, as circusd's are."""
    got = _filenames("nodaemon=false\ndirectory=/srv", "stdout_logfile=logs/b.log")
    assert got == {
        "stdout_stream.filename": "/srv/logs/b.log",
        "stderr_stream.filename": "logs/b-stderr---supervisor.log",
    }
    # a relative directory: both daemons resolve it against the directory they start in
    got = _filenames("nodaemon=false\ndirectory=srv", "stderr_logfile=./e.log")
    assert got["stderr_stream.filename"] == "srv/./e.log"


def test_a_relative_log_file_stays_relative_where_supervisord_does_not_chdir() -> None:
    """No chdir: with nodaemon=true, or without directory; an absolute path is absolute."""
    for daemon, program in (
        ("nodaemon=true\ndirectory=/srv", "stdout_logfile=logs/b.log"),
        ("nodaemon=false", "stdout_logfile=logs/b.log"),
        ("nodaemon=false\ndirectory=/srv", "stdout_logfile=/var/log/b.log"),
    ):
        want = program.split("=", 1)[1]
        assert _filenames(daemon, program)["stdout_stream.filename"] == want


@pytest.mark.parametrize(
    ("options", "no_wrappers", "device"),
    [
        # stderr to a file: 1>&2 cannot put stdout on circusd's stderr, S2C124 sends it to
        # circusd's stdout; S2C134 said "its own stderr" (real fixture machine_facts)
        ("stdout_logfile=/dev/stderr\nstderr_logfile=/tmp/e.log\n", False, "stdout"),
        ("stdout_logfile=/dev/stderr\nstderr_logfile=/dev/stderr\n", True, "stdout"),
        # the wrapper's 1>&2 does put it there
        ("stdout_logfile=/dev/stderr\nstderr_logfile=/dev/stderr\n", False, "stderr"),
        ("stdout_logfile=/dev/stdout\nstderr_logfile=NONE\n", False, "stdout"),
    ],
)
def test_device_rotation_names_where_circusd_writes_the_channel(
    options: str, no_wrappers: bool, device: str
) -> None:
    from sup2circus import ConvertOptions, convert_text

    text = "[supervisord]\nnodaemon=true\n[program:web]\ncommand=/usr/bin/web\n" + options
    conv = convert_text(text, options=ConvertOptions(environ={}, no_wrappers=no_wrappers))
    found = [f.message for f in conv.findings if f.code == "S2C134" and f.line == 5]
    assert len(found) == 1
    assert f"circusd writes to its own {device} without rotation" in found[0]


def test_output_events_name_the_events_each_option_feeds() -> None:
    # (real configs 085, 121, 152) *_events_enabled feeds PROCESS_LOG; *_capture_maxbytes
    # PROCESS_COMMUNICATION; an option set to its off value feeds nothing
    from sup2circus import ConvertOptions, convert_text

    text = (
        "[supervisord]\nnodaemon=true\n[program:web]\ncommand=/usr/bin/web\n"
        "stdout_events_enabled=true\nstdout_capture_maxbytes=0\n"
        "stderr_capture_maxbytes=1MB\nstderr_events_enabled=false\n"
    )
    conv = convert_text(text, options=ConvertOptions(environ={}))
    assert [(f.option, f.message) for f in conv.findings if f.code == "S2C113"] == [
        (
            "stdout_events_enabled",
            "stdout_events_enabled feeds supervisor's PROCESS_LOG events; circus has no such "
            "events, not converted",
        ),
        (
            "stderr_capture_maxbytes",
            "stderr_capture_maxbytes feeds supervisor's PROCESS_COMMUNICATION events; circus "
            "has no such events, not converted",
        ),
    ]
