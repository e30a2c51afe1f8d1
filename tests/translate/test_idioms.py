"""Docker's supervisor idioms (issue 13): fatal-exit listeners, --exit-on-fatal, supervisor_stdout,
/dev/stdout logs with rotation. Conversion-level tests; tests/translate/test_idioms_daemons.py
runs them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from sup2circus import cli
from sup2circus.api import Conversion, ConvertOptions, convert_text
from sup2circus.circus_hooks import parse_settings
from sup2circus.circus_streams import PrefixedStdoutStream
from sup2circus.findings import Severity

HEAD = "[supervisord]\nnodaemon=true\n\n[program:web]\ncommand=/usr/bin/web\n\n"
LOOP = "printf 'READY\\n' && while read line; do {kill}; done < /dev/stdin"


def listener(kill: str, events: str = "PROCESS_STATE_FATAL", shell: str = "sh") -> str:
    script = LOOP.format(kill=kill)
    return f'{HEAD}[eventlistener:quit]\ncommand={shell} -c "{script}"\nevents={events}\n'


def convert(text: str, **options: bool) -> Conversion:
    return convert_text(text, filename="s.conf", options=ConvertOptions(**options))


def codes(conv: Conversion) -> dict[str, Severity]:
    return {f.code: f.severity for f in conv.findings}


def option(conv: Conversion, key: str) -> list[str]:
    return [line.split(" = ", 1)[1] for line in conv.text.splitlines() if line.startswith(key)]


# --------------------------------------------------------------------------- fatal listeners


@pytest.mark.parametrize(
    "kill",
    [
        "kill -QUIT $PPID",
        "kill -TERM $PPID",
        "kill -INT ${PPID}",
        "kill -s QUIT $PPID",
        "kill -SIGTERM $PPID",
        "kill -TERM 1",
        # by number, and no signal at all (TERM): supervisord shuts down on each
        "kill -15 $PPID",
        "kill -s 3 $PPID",
        "kill $PPID",
        "supervisorctl shutdown",
        "supervisorctl -c /etc/supervisor/supervisord.conf shutdown",
    ],
)
def test_fatal_listener_forms_are_recognised(kill: str) -> None:
    conv = convert(listener(kill), exact=True)
    found = codes(conv)
    assert "S2C120" not in found
    assert found["S2C130"] is Severity.INFO
    assert option(conv, "sup2circus.shutdown_on") == ["fatal"]
    assert option(conv, "sup2circus.shutdown_status") == ["0"]
    assert "[watcher:quit]" not in conv.text


@pytest.mark.parametrize(
    ("kill", "events"),
    [
        ("kill -HUP $PPID", "PROCESS_STATE_FATAL"),  # a reload, not a stop
        ("kill -9 $PPID", "PROCESS_STATE_FATAL"),
        ("kill -QUIT $$", "PROCESS_STATE_FATAL"),
        ("kill -QUIT $PPID", "PROCESS_STATE"),  # every state change, STARTING included
        ("kill -QUIT $PPID", "PROCESS_STATE_FATAL,TICK_60"),
        ("kill -QUIT $PPID; kill -TERM 1", "PROCESS_STATE_FATAL"),
        ("kill -QUIT $PPID && /usr/bin/notify", "PROCESS_STATE_FATAL"),
    ],
)
def test_other_listeners_stay_an_error(kill: str, events: str) -> None:
    conv = convert(listener(kill, events), exact=True)
    assert codes(conv)["S2C120"] is Severity.ERROR
    assert "S2C130" not in codes(conv)
    assert not option(conv, "sup2circus.shutdown_on")


def test_a_script_listener_stays_an_error() -> None:
    text = HEAD + "[eventlistener:quit]\ncommand=/usr/local/bin/kill_supervisor.py\n"
    conv = convert(text + "events=PROCESS_STATE_FATAL\n", exact=True)
    assert codes(conv)["S2C120"] is Severity.ERROR


def test_without_exact_the_listener_is_a_warning_and_nothing_is_written() -> None:
    conv = convert(listener("kill -QUIT $PPID"))
    finding = next(f for f in conv.findings if f.code == "S2C130")
    assert finding.severity is Severity.WARNING
    assert "--exact" in finding.message
    assert (finding.line, finding.section) == (7, "eventlistener:quit")
    assert "sup2circus." not in conv.text


def test_exited_events_shut_down_on_exits_too() -> None:
    conv = convert(
        listener("kill -QUIT $PPID", "PROCESS_STATE_EXITED,PROCESS_STATE_FATAL"), exact=True
    )
    assert option(conv, "sup2circus.shutdown_on") == ["fatal,exited"]


def test_every_program_gets_the_hooks_even_without_restart_semantics() -> None:
    text = listener("kill -QUIT $PPID").replace(
        "command=/usr/bin/web\n", "command=/usr/bin/web\nautorestart=false\nstartsecs=0\n"
    )
    plain = convert(text.split("[eventlistener")[0], exact=True)
    assert "hooks.after_reap" not in plain.text  # nothing to reproduce without the listener
    conv = convert(text, exact=True)
    assert option(conv, "hooks.after_reap") == ["sup2circus.circus_hooks.after_reap"]
    assert option(conv, "respawn") == ["true"]  # the hooks turn it off themselves


def test_sigprefix_under_sh_is_reported_but_not_under_bash() -> None:
    conv = convert(listener("kill -SIGQUIT $PPID"), exact=True)
    dash = next(f for f in conv.findings if f.code == "S2C131")
    assert dash.severity is Severity.WARNING and dash.option == "command"
    assert "dash" in dash.message and "never fires" in dash.message
    assert option(conv, "sup2circus.shutdown_on") == ["fatal"]
    assert "S2C131" not in codes(convert(listener("kill -SIGQUIT $PPID", shell="bash"), exact=True))
    assert "S2C131" not in codes(convert(listener("kill -QUIT $PPID"), exact=True))


def test_kill_1_says_it_assumes_pid_1() -> None:
    conv = convert(listener("kill -TERM 1"), exact=True)
    assert "PID 1" in next(f.message for f in conv.findings if f.code == "S2C130")


# --------------------------------------------------------------------------- --exit-on-fatal


def test_exit_on_fatal_implies_exact_and_exits_1() -> None:
    opts = ConvertOptions(exit_on_fatal=True)
    assert opts.exact and opts.exit_on_fatal
    conv = convert(HEAD, exit_on_fatal=True)
    assert option(conv, "sup2circus.shutdown_on") == ["fatal"]
    assert option(conv, "sup2circus.shutdown_status") == ["1"]
    assert codes(conv)["S2C133"] is Severity.INFO
    assert "S2C133" not in codes(convert(HEAD, exact=True))


def test_exit_on_fatal_with_a_listener_exits_1_on_fatal() -> None:
    conv = convert(listener("kill -QUIT $PPID"), exit_on_fatal=True)
    assert option(conv, "sup2circus.shutdown_status") == ["1"]
    assert "exits 1 (--exit-on-fatal)" in next(
        f.message for f in conv.findings if f.code == "S2C130"
    )


def test_cli_exit_on_fatal(tmp_path: Path) -> None:
    conf = tmp_path / "s.conf"
    conf.write_text(HEAD)
    out = tmp_path / "circus.ini"
    r = CliRunner().invoke(
        cli.cli,
        ["--isolated", "--show-info", "--exit-on-fatal", str(conf), "-o", str(out)],
        catch_exceptions=False,
    )
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    assert "S2C133 info --exit-on-fatal" in r.stderr
    assert "sup2circus.shutdown_status = 1" in out.read_text()


# --------------------------------------------------------------------------- hooks settings


def test_hook_settings_read_the_shutdown_options() -> None:
    s = parse_settings(
        {"sup2circus.shutdown_on": "fatal,exited", "sup2circus.shutdown_status": "1"}
    )
    assert s.shutdown_on == {"fatal", "exited"} and s.shutdown_status == 1
    assert parse_settings({}).shutdown_on == frozenset()
    with pytest.raises(ValueError, match="shutdown_on"):
        parse_settings({"sup2circus.shutdown_on": "backoff"})


# --------------------------------------------------------------------------- supervisor_stdout

STDOUT_LISTENER = (
    "[eventlistener:stdout]\ncommand = supervisor_stdout\nbuffer_size = 100\n"
    "events = {events}\nresult_handler = {handler}\n"
)


def stdout_config(
    program: str, events: str = "PROCESS_LOG", handler: str = "supervisor_stdout:event_handler"
) -> str:
    return (
        "[supervisord]\nnodaemon=true\n\n[program:web]\ncommand=/usr/bin/web\n"
        + program
        + "\n"
        + STDOUT_LISTENER.format(events=events, handler=handler)
    )


def test_supervisor_stdout_prefixes_the_channels_and_keeps_the_file() -> None:
    conv = convert(
        stdout_config(
            "stdout_events_enabled=true\nstderr_events_enabled=true\n"
            "stdout_logfile=/var/log/web.log\nstderr_logfile=NONE\n"
        )
    )
    found = codes(conv)
    assert "S2C120" not in found and "S2C113" not in found
    assert [f.option for f in conv.findings if f.code == "S2C132"] == [
        "stdout_events_enabled",
        "stderr_events_enabled",
        None,
    ]
    assert option(conv, "stdout_stream.class") == ["sup2circus.circus_streams.PrefixedStdoutStream"]
    assert option(conv, "stdout_stream.copy") == ["file"]
    assert option(conv, "stdout_stream.filename") == ["/var/log/web.log"]
    assert option(conv, "stderr_stream.copy") == ["none"]
    assert option(conv, "stdout_stream.process") == ["web"]
    assert option(conv, "stderr_stream.channel") == ["stderr"]
    assert "close_child_stderr" not in conv.text
    assert "[watcher:stdout]" not in conv.text


def test_supervisor_stdout_only_the_subscribed_channel() -> None:
    conv = convert(
        stdout_config(
            "stdout_events_enabled=true\nstderr_events_enabled=true\n", events="PROCESS_LOG_STDOUT"
        )
    )
    assert option(conv, "stdout_stream.copy") == ["file"]  # AUTO log
    assert option(conv, "stderr_stream.class") == ["FileStream"]
    assert [f.option for f in conv.findings if f.code == "S2C113"] == ["stderr_events_enabled"]


def test_supervisor_stdout_with_the_default_handler_prints_nothing_so_stays_an_error() -> None:
    conv = convert(
        stdout_config(
            "stdout_events_enabled=true\n", handler="supervisor.dispatchers:default_handler"
        )
    )
    assert codes(conv)["S2C120"] is Severity.ERROR
    assert "PrefixedStdoutStream" not in conv.text


def test_prefixed_stream_writes_like_supervisor_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    PrefixedStdoutStream(process="web", channel="stderr", copy="stderr")({"data": b"a\nb\n"})
    assert out.getvalue() == "web stderr | a\nb\n"  # one prefix per chunk, as the package
    assert err.getvalue() == "a\nb\n"
    log = tmp_path / "web.log"
    stream = PrefixedStdoutStream(process="web", copy="file", filename=str(log), max_bytes="0")
    stream({"data": b"x\n", "pid": 1, "name": "stdout"})
    stream.close()
    assert log.read_text() == "x\n"
    with pytest.raises(ValueError, match="copy"):
        PrefixedStdoutStream(copy="syslog")


def test_verify_accepts_the_prefixed_streams(tmp_path: Path) -> None:
    from sup2circus.verify import verify

    conv = convert(stdout_config("stdout_events_enabled=true\nstdout_logfile=NONE\n"))
    assert verify(conv) == []


# --------------------------------------------------------------------------- /dev/stdout rotation


def test_daemon_log_to_stdout_with_rotation_warns() -> None:
    text = "[supervisord]\nnodaemon=true\nlogfile=/dev/stdout\n\n[program:a]\ncommand=/bin/a\n"
    found = next(f for f in convert(text).findings if f.code == "S2C210")
    assert (found.severity, found.line, found.option) == (Severity.WARNING, 3, "logfile")
    assert "Illegal seek" in found.message and "regular file" in found.message
    fixed = text.replace("logfile=/dev/stdout\n", "logfile=/dev/stdout\nlogfile_maxbytes=0\n")
    assert "S2C210" not in codes(convert(fixed))


def test_program_log_to_stdout_with_rotation_warns() -> None:
    text = (
        HEAD + "stdout_logfile=/dev/stdout\nstderr_logfile=/dev/stderr\nstderr_logfile_maxbytes=0\n"
    )
    found = [f for f in convert(text).findings if f.code == "S2C134"]
    assert [(f.severity, f.option) for f in found] == [(Severity.WARNING, "stdout_logfile")]
    assert "CRIT" in found[0].message
    redirected = (
        HEAD + "stdout_logfile=/var/log/x\nredirect_stderr=true\nstderr_logfile=/dev/stderr\n"
    )
    assert "S2C134" not in codes(convert(redirected))


@pytest.mark.parametrize(
    ("log", "backups", "rollover"),
    [
        ("/dev/stdout", "", "renames /dev/stdout itself to /dev/stdout.1"),
        ("/dev/stderr", "stderr_logfile_backups=3\n", "renames /dev/stderr itself to"),
        ("/dev/stdout", "stdout_logfile_backups=0\n", "truncates that file"),
        ("/dev/fd/1", "", "truncates that file"),
        ("/proc/self/fd/2", "", "truncates that file"),
    ],
)
def test_device_rotation_says_what_a_rollover_does_to_a_regular_file(
    log: str, backups: str, rollover: str
) -> None:
    """supervisord's RotatingFileHandler rotates the device's name: with its output on a
    regular file (verified with the real supervisord in a private mount namespace) a rollover
    renames the /dev/stdout symlink away and writes on into a new regular file /dev/stdout
    (the device is gone for every process of the machine), or, where the name cannot be
    renamed (/proc) or backups=0, truncates the daemon's output file. It does not 'work'."""
    chan = "stderr" if log.endswith(("stderr", "/2")) else "stdout"
    text = HEAD + f"{chan}_logfile={log}\n{chan}_logfile_maxbytes=1KB\n{backups}"
    (found,) = [f for f in convert(text).findings if f.code == "S2C134"]
    assert rollover in found.message and "it works" not in found.message
    daemon = f"[supervisord]\nnodaemon=true\nlogfile={log}\nlogfile_maxbytes=1KB\n"
    daemon += backups.replace(f"{chan}_logfile_", "logfile_")
    (found,) = [
        f for f in convert(daemon + "[program:a]\ncommand=/bin/a\n").findings if f.code == "S2C210"
    ]
    assert rollover in found.message, found.message


def test_a_listener_that_is_not_started_stays_an_error() -> None:
    text = listener("kill -QUIT $PPID") + "autostart=false\n"
    assert codes(convert(text, exact=True))["S2C120"] is Severity.ERROR


def test_a_channel_merged_by_a_wrapper_is_not_prefixed_and_says_so() -> None:
    # stderr to /dev/stdout: a `2>&1` wrapper merges it, supervisor_stdout would say "stderr"
    conv = convert(
        stdout_config(
            "stdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nstderr_logfile=/dev/stdout\n"
            "stderr_logfile_maxbytes=0\nstdout_events_enabled=true\nstderr_events_enabled=true\n"
        )
    )
    assert option(conv, "stdout_stream.copy") == ["stdout"]
    assert "stderr_stream" not in conv.text
    assert [f.option for f in conv.findings if f.code == "S2C113"] == ["stderr_events_enabled"]
