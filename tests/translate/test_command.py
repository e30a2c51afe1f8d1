"""translate/command.py: the command's findings (the runs are in test_command_daemons.py)."""

from __future__ import annotations

import pytest

from sup2circus import ConvertOptions, convert_text


def _s2c125(command: str) -> list[str]:
    text = f"[supervisord]\nnodaemon=true\n[program:g]\ncommand={command}\n"
    conv = convert_text(text, options=ConvertOptions(environ={}))
    assert "[watcher:" not in conv.text
    return [f.message for f in conv.findings if f.code == "S2C125"]


@pytest.mark.parametrize(
    ("command", "why"),
    [
        ("/bin/app 'unclosed", " (an unclosed quote or a trailing backslash?)"),
        # (real config 066) the quotes are closed in the file: supervisor's inline comment ends
        # the command at ' ;'
        (
            'bash -c "if [ x ] ; then echo y; fi"',
            ": supervisor ends it at the ' ;' or ' #' that starts an inline comment",
        ),
    ],
)
def test_a_command_that_cannot_be_split_says_why(command: str, why: str) -> None:
    (message,) = _s2c125(command)
    assert message.startswith(f"the command cannot be split into arguments{why}")


def test_the_daemon_user_finding_says_which_watchers_get_it() -> None:
    # (real configs 066, 081, 125) a program's own user= wins over [supervisord] user=root
    text = (
        "[supervisord]\nnodaemon=true\nuser=root\n[program:a]\ncommand=/bin/a\n"
        "[program:b]\ncommand=/bin/b\nuser=nobody\n"
    )
    conv = convert_text(text, options=ConvertOptions(environ={}))
    (message,) = [f.message for f in conv.findings if f.code == "S2C122"]
    assert message == (
        "[supervisord] user=root: supervisord drops privileges itself; written as uid on "
        "every watcher without its own user (circusd itself keeps its user)"
    )
    assert "uid = nobody" in conv.text.split("[watcher:b]")[1]
