"""[fcgi-program:x] socket=: one circus [socket:NAME] per program, on each process's stdin."""

from __future__ import annotations

from sup2circus import ConvertOptions, convert_text


def _convert(program: str) -> tuple[str, list[tuple[str, str | None]]]:
    text = f"[supervisord]\nnodaemon=true\n[fcgi-program:app]\ncommand=/bin/app\n{program}"
    conversion = convert_text(text, options=ConvertOptions(environ={}))
    return conversion.text, [(f.code, f.option) for f in conversion.findings]


def test_the_processes_of_a_program_share_its_socket() -> None:
    ini, findings = _convert(
        "socket=unix:///run/app.sock\nsocket_mode=0660\nsocket_backlog=16\nnumprocs=2\n"
        "process_name=%(program_name)s_%(process_num)d\n"
    )
    assert ini.count("[socket:app]") == 1
    # umask 0o117 (0o777 & ~socket_mode), as circus reads it: a decimal number
    assert "path = /run/app.sock\nfamily = AF_UNIX\nreplace = true\numask = 79\nbacklog = 16" in ini
    assert ini.count("stdin_socket = app") == 2
    assert findings.count(("S2C118", "socket")) == 1


def test_a_socket_circus_cannot_read_back_is_an_error_and_no_stdin() -> None:
    # $(circus.wid) would be substituted by circus in the path: no exact spelling exists
    ini, findings = _convert("socket=unix:///run/app-$(circus.wid).sock\n")
    assert ("S2C501", "socket") in findings
    assert "[socket:" not in ini
    assert "stdin_socket" not in ini
