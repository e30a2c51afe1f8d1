"""Log files: the AUTO log's file name; syslog."""

from __future__ import annotations

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
