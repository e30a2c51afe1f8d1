"""A file name or an environment value that is not UTF-8 (Python holds its bytes as lone
surrogates) cannot be written in circus.ini, which circus reads as UTF-8: the value is not
written and a finding says so, so the text can always be encoded."""

from __future__ import annotations

import os
from pathlib import Path

from sup2circus import ConvertOptions, convert_file, convert_text

CONF = """\
[supervisord]
nodaemon = true
logfile = %(here)s/supervisord.log
pidfile = %(here)s/supervisord.pid

[program:web]
command = /usr/bin/web --data %(here)s/data
directory = %(here)s
stdout_logfile = %(here)s/web.log
"""


def test_a_directory_name_that_is_not_utf8(tmp_path: Path) -> None:
    where = tmp_path / os.fsdecode(b"caf\xe9")
    where.mkdir()
    (where / "supervisord.conf").write_text(CONF)
    result = convert_file(where / "supervisord.conf")
    result.text.encode("utf-8")  # raised UnicodeEncodeError: the paths were written as they were
    errors = {(f.code, f.option) for f in result.findings if f.severity.value == "error"}
    assert {("S2C501", "pidfile"), ("S2C501", "command")} <= errors


def test_an_environment_value_that_is_not_utf8() -> None:
    text = (
        "[supervisord]\n[program:web]\ncommand = /usr/bin/web\nprocess_name = %(ENV_X)s\n"
        "[program:job]\ncommand = /usr/bin/job\nenvironment = %(ENV_X)s=1\nuser = %(ENV_X)s\n"
    )
    for opts in (
        ConvertOptions(resolve_env=True, environ={"X": "\udce9"}),
        ConvertOptions(no_wrappers=True, environ={"X": "\udce9"}),
    ):
        result = convert_text(text, options=opts)
        result.text.encode("utf-8")
        assert {f.section for f in result.findings if f.code == "S2C501"} == {
            "program:web",
            "program:job",
        }
