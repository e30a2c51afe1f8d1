"""[fcgi-program:x] socket=: one circus [socket:NAME] per program, on each process's stdin."""

from __future__ import annotations

import re
import socket

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


def test_a_socket_circus_cannot_read_back_drops_the_watcher() -> None:
    # $(circus.wid) would be substituted by circus in the path: no exact spelling exists; the
    # program without its socket on stdin would not run as under supervisord
    ini, findings = _convert("socket=unix:///run/app-$(circus.wid).sock\n")
    assert ("S2C501", "socket") in findings
    assert "[socket:" not in ini
    assert "[watcher:" not in ini


def test_programs_whose_names_differ_in_case_get_a_socket_each() -> None:
    # circus lower-cases socket names: [socket:X] and [socket:x] would be one socket
    text = (
        "[supervisord]\nnodaemon=true\n"
        "[fcgi-program:X]\ncommand=/bin/app\nsocket=tcp://127.0.0.1:9001\n"
        "[fcgi-program:x]\ncommand=/bin/app\nsocket=tcp://127.0.0.1:9002\n"
        "[fcgi-program:x-2]\ncommand=/bin/app\nsocket=tcp://127.0.0.1:9003\n"
    )
    ini = convert_text(text, options=ConvertOptions(environ={})).text
    sockets = dict(re.findall(r"\[socket:(\S+)\]\nhost = 127.0.0.1\nport = (\d+)", ini))
    stdin = dict(re.findall(r"\[watcher:(\S+)\]\n(?:.*\n)*?stdin_socket = (\S+)", ini))
    assert {w: sockets[s] for w, s in stdin.items()} == {"X": "9001", "x": "9002", "x-2": "9003"}


def test_supervisord_listens_with_somaxconn_unless_told() -> None:
    ini, _ = _convert("socket=tcp://127.0.0.1:9000\n")
    assert f"port = 9000\nbacklog = {socket.SOMAXCONN}\n" in ini  # circus's default is 2048


def test_a_unix_socket_of_a_program_with_a_user_is_that_users_in_supervisord() -> None:
    # parse_fcgi_socket: no socket_owner, user=nobody: supervisord chowns the socket to nobody
    _, findings = _convert("socket=unix:///run/app.sock\nuser=nobody\n")
    assert ("S2C119", "socket") in findings
    for same in ("socket=unix:///run/app.sock\nuser=root\n", "socket=tcp://127.0.0.1:9000\n"):
        assert not [f for f in _convert(same)[1] if f[0] == "S2C119"]
    owned = _convert("socket=unix:///run/app.sock\nuser=nobody\nsocket_owner=www-data\n")[1]
    assert [f for f in owned if f[0] == "S2C119"] == [("S2C119", "socket_owner")]
